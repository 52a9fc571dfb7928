/* The counsellor's console: status, offers with sound and a desktop notification, one tab per
 * conversation, wrap-up. Protocol: docs/protocol.md. Every message carries its seq; the console
 * keeps the last seq of each conversation and sends them back after a reconnect (`sync`). */
(() => {
  'use strict';

  const root = document.getElementById('console');
  if (!root) return;
  const T = JSON.parse(document.getElementById('console-strings').textContent);
  const slug = root.dataset.hotline;
  const contacts = new Map();  // id -> {data, lastSeq, panel, tab, shown: Set, pending: Map(key -> body)}
  const offers = new Map();  // id -> {element, timer}
  let ws = null;
  let retryDelay = 1000;
  let heartbeat = null;
  let active = null;

  const $ = (selector, scope = document) => scope.querySelector(selector);

  function randomKey() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    ws = new WebSocket(`${scheme}${location.host}/ws/console/${slug}/`);
    ws.onopen = () => {
      retryDelay = 1000;
      $('#console-connection').hidden = true;
      heartbeat = setInterval(() => send({ type: 'heartbeat' }), 10000);
    };
    ws.onmessage = (event) => receive(JSON.parse(event.data));
    ws.onclose = (event) => {
      clearInterval(heartbeat);
      enableStatus(false);
      if (event.code === 4401 || event.code === 4404) {
        location.reload();  // signed out or no longer a member: the page says why
        return;
      }
      $('#console-connection').hidden = false;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    };
  }

  function receive(frame) {
    switch (frame.type) {
      case 'hello': {
        enableStatus(true);
        setStatus(frame.status);
        setQueue(frame.queue);
        // What changed while this console was away: drop what is no longer ours.
        const current = new Set(frame.contacts.map((contact) => contact.contact));
        for (const id of [...contacts.keys()]) {
          if (!current.has(id)) removeContact(id);
        }
        for (const id of [...offers.keys()]) {
          if (!current.has(id)) removeOffer(id);
        }
        for (const contact of frame.contacts) upsertContact(contact);
        send({ type: 'sync', contacts: Object.fromEntries([...contacts].map(([id, c]) => [id, c.lastSeq])) });
        for (const [id, contact] of contacts) {
          // Not acknowledged before the connection dropped: send again with the same key.
          for (const [key, body] of contact.pending) send({ type: 'message', contact: id, key, body });
        }
        break;
      }
      case 'status':
        setStatus(frame.status);
        break;
      case 'queue':
        setQueue(frame);
        break;
      case 'offer':
        upsertContact(frame);
        break;
      case 'offer_withdrawn':
      case 'released':
        removeOffer(frame.contact);
        removeContact(frame.contact);
        break;
      case 'taken_over': {
        removeContact(frame.contact);
        const notice = $('#console-notice');
        notice.textContent = format(root.dataset.takenOver, { name: frame.by });
        notice.hidden = false;
        break;
      }
      case 'contact':
        upsertContact(frame);
        break;
      case 'message':
        addMessage(frame.contact, frame);
        break;
      case 'ack': {
        const contact = contacts.get(frame.contact);
        if (contact) contact.pending.delete(frame.key);
        break;
      }
      case 'typing':
        showTyping(frame.contact);
        break;
      case 'help_requested':
        addHelpRequest(frame);
        break;
      case 'crisis':
        showCrisis(frame);
        break;
      case 'risk_raised':
        showRiskRise(frame);
        break;
      case 'error': {
        const contact = contacts.get(frame.contact);
        if (contact) {
          const line = $('.panel-error', contact.panel);
          line.textContent = frame.message;
          line.hidden = false;
          setTimeout(() => { line.hidden = true; }, 8000);
        } else if (frame.code === 'duty_blocked') {
          // Why the hotline does not let this counsellor go on duty yet: stays until they act.
          const line = $('#console-error');
          line.textContent = frame.message;
          line.hidden = false;
        }
        console.warn('xinyuan:', frame.code, frame.message);
        break;
      }
      default:
        break;
    }
  }

  /* Status and queue. */
  // A status click while the socket is down would be lost: the buttons wait for the server's hello.
  function enableStatus(enabled) {
    for (const button of root.querySelectorAll('button.status')) button.disabled = !enabled;
  }

  function setStatus(status) {
    $('#console-error').hidden = true;
    $('#my-status').textContent = T.statuses[status] || status;
    for (const button of root.querySelectorAll('button.status')) {
      button.classList.toggle('current', button.dataset.status === status);
      button.setAttribute('aria-pressed', String(button.dataset.status === status));
    }
  }

  for (const button of root.querySelectorAll('button.status')) {
    button.addEventListener('click', () => send({ type: 'status', status: button.dataset.status }));
  }

  function setQueue(queue) {
    const box = $('#queue-overview');
    const field = (name) => $(`[data-field="${name}"]`, box);
    field('waiting').textContent = queue.waiting;
    for (const level of ['imminent', 'high', 'elevated', 'none']) field(level).textContent = queue.counts[level];
    const seconds = queue.longest_wait_seconds;
    field('longest').textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    field('on_duty').textContent = queue.counsellors_on_duty;
  }

  /* Offers. */
  function fillIntake(scope, data) {
    const list = $('dl.intake', scope);
    list.replaceChildren();
    for (const [key, value] of Object.entries(data.intake || {})) {
      const term = document.createElement('dt');
      term.textContent = T.questions[key] || key;
      const detail = document.createElement('dd');
      detail.textContent = T.choices[`${key}.${value}`] || value;
      list.append(term, detail);
    }
    const text = $('.intake-text', scope);
    text.textContent = data.intake_text ? (data.callback ? `${T.callback}: ` : '') + data.intake_text : '';
  }

  function riskBadge(element, level) {
    element.textContent = T.risk[level] || level;
    element.className = `risk-badge risk-${level}`;
  }

  function showOffer(data) {
    if (offers.has(data.contact)) return;
    const element = $('#offer-template').content.firstElementChild.cloneNode(true);
    element.dataset.contact = data.contact;
    riskBadge($('.risk-badge', element), data.risk_level);
    fillIntake(element, data);
    $('.accept', element).addEventListener('click', () => send({ type: 'accept', contact: data.contact }));
    $('.decline', element).addEventListener('click', () => send({ type: 'decline', contact: data.contact }));
    const countdown = $('.countdown', element);
    const expires = new Date(data.offer_expires_at).getTime();
    const tick = () => {
      const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      countdown.textContent = format(T.seconds_left, { seconds: left });
      if (left === 0) setTimeout(() => removeOffer(data.contact), 2000);  // expired: it went back
    };
    tick();
    offers.set(data.contact, { element, timer: setInterval(tick, 500) });
    $('#offers').append(element);
    ring();
    notify(data);
  }

  function removeOffer(id) {
    const offer = offers.get(id);
    if (!offer) return;
    clearInterval(offer.timer);
    offer.element.remove();
    offers.delete(id);
  }

  function ring() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 660;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.6);
    } catch (error) {
      /* no sound available: the card and the notification still show */
    }
  }

  function notify(data) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const note = new Notification(T.new_offer, { body: T.risk[data.risk_level], tag: data.contact });
    note.onclick = () => window.focus();
  }

  $('#enable-notifications').addEventListener('click', () => {
    if ('Notification' in window) Notification.requestPermission();
  });

  /* Conversations. */
  function upsertContact(data) {
    const id = data.contact;
    if (data.state === 'offered') {
      showOffer(data);
      return;
    }
    removeOffer(id);
    if (!['active', 'wrap_up'].includes(data.state)) {
      removeContact(id);
      return;
    }
    let contact = contacts.get(id);
    if (!contact) {
      contact = makeContact(data);
      contacts.set(id, contact);
      if (!active) select(id);
    }
    contact.data = data;
    riskBadge($('.risk-badge', contact.panel), data.risk_level);
    riskBadge(contact.tab.querySelector('.risk-badge'), data.risk_level);
    $('.state', contact.panel).textContent = T.states[data.state] || data.state;
    $('.seeker-link', contact.panel).href = `/staff/${slug}/seekers/${id}/`;
    fillIntake(contact.panel, data);
    fillEvidence(contact.panel, data.risk_evidence);
    fillAssessments(contact.panel, data.assessments);
    const wrapping = data.state === 'wrap_up';
    const record = $('.wrap-up', contact.panel);
    if (wrapping && record.hidden) {
      record.elements.final_risk_level.value = data.risk_level;
      if (data.intake.population) record.elements.population.value = data.intake.population;
    }
    record.hidden = !wrapping;
    $('.composer', contact.panel).hidden = wrapping;
    $('.panel-actions', contact.panel).hidden = wrapping;
    $('#no-contacts').hidden = contacts.size > 0;
  }

  function fillEvidence(panel, evidence) {
    const list = $('.risk-evidence ul', panel);
    list.replaceChildren();
    for (const rise of evidence || []) {
      for (const item of rise.evidence || []) {
        const entry = document.createElement('li');
        const mark = document.createElement('mark');
        mark.textContent = item.phrase;
        const where = rise.where.startsWith('message') ? rise.where.replace('message', T.where.message) : T.where.intake;
        entry.append(mark, ` ${T.kinds[item.kind] || item.kind} · ${where}`);
        list.append(entry);
      }
    }
    if (!list.children.length) {
      const entry = document.createElement('li');
      entry.textContent = T.no_evidence;
      list.append(entry);
    }
  }

  function fillAssessments(panel, assessments) {
    const list = $('.assessment-results', panel);
    list.replaceChildren();
    for (const result of assessments || []) {
      const entry = document.createElement('li');
      const flags = result.flags.length ? ` (${result.flags.join(', ')})` : '';
      const who = result.by_seeker ? T.by_seeker : T.by_counsellor;
      const score = result.score === null ? '' : `${result.score}/${result.max_score} `;
      entry.textContent = `${result.instrument.toUpperCase()}: ${score}${result.band}${flags} · ${who}`;
      list.append(entry);
    }
  }

  function makeContact(data) {
    const id = data.contact;
    const panel = $('#panel-template').content.firstElementChild.cloneNode(true);
    panel.dataset.contact = id;
    panel.id = `panel-${id}`;
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.setAttribute('role', 'tab');
    tab.dataset.contact = id;
    const badge = document.createElement('span');
    badge.className = 'risk-badge';
    tab.append(badge, ` ${T.seeker} ${contacts.size + 1}`);
    tab.addEventListener('click', () => select(id));
    $('#tabs').append(tab);
    $('#panels').append(panel);
    const contact = { data, lastSeq: 0, panel, tab, shown: new Set(), pending: new Map(), typingTimer: null };
    const box = $('.composer textarea', panel);
    let lastTyping = 0;
    $('.composer', panel).addEventListener('submit', (event) => {
      event.preventDefault();
      const body = box.value.trim();
      if (!body) return;
      const key = randomKey();
      contact.pending.set(key, body);
      send({ type: 'message', contact: id, key, body });
      box.value = '';
    });
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        $('.composer', panel).requestSubmit();
      }
    });
    box.addEventListener('input', () => {
      if (Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        send({ type: 'typing', contact: id });
      }
    });
    $('.end', panel).addEventListener('click', () => {
      if (confirm(T.end_confirm)) send({ type: 'end', contact: id });
    });
    $('.help', panel).addEventListener('click', (event) => {
      send({ type: 'help', contact: id });
      event.target.disabled = true;
      event.target.textContent = T.help_sent;
    });
    $('.transfer-go', panel).addEventListener('click', () => {
      const to = $('.transfer-to', panel).value;
      send({ type: 'transfer', contact: id, to: to === 'supervisors' ? null : Number(to), note: $('.transfer-note', panel).value });
    });
    $('.wrap-up', panel).addEventListener('submit', (event) => wrapUp(event, id));
    $('.raise-crisis', panel).addEventListener('click', () => {
      const reason = prompt(T.crisis_reason);
      if (reason !== null) send({ type: 'crisis', contact: id, reason });  // cancelled: nothing raised
    });
    for (const button of panel.querySelectorAll('.send-instrument')) {
      button.addEventListener('click', () => send({ type: 'instrument', contact: id, instrument: button.dataset.instrument }));
    }
    $('.safety-plan-form', panel).addEventListener('submit', (event) => {
      event.preventDefault();
      const sections = Object.fromEntries(new FormData(event.target));
      send({ type: 'safety_plan', contact: id, sections });
    });
    $('.cssrs', panel).addEventListener('submit', (event) => {
      event.preventDefault();
      const form = event.target;
      const answers = [1, 2, 3, 4, 5, 6].map((n) => form.elements[`q${n}`].value);
      send({ type: 'assessment', contact: id, instrument: 'cssrs', answers, recency: form.elements.recency.value });
    });
    $('.ratings', panel).addEventListener('submit', (event) => {
      event.preventDefault();
      for (const name of ['ideation', 'hopelessness']) {
        const value = event.target.elements[name].value;
        if (value !== '') send({ type: 'assessment', contact: id, instrument: name, answers: [value] });
      }
    });
    $('.risk-go', panel).addEventListener('click', () => {
      send({ type: 'risk', contact: id, level: $('.risk-level', panel).value, reason: $('.risk-reason', panel).value });
    });
    return contact;
  }

  function select(id) {
    active = id;
    for (const [key, contact] of contacts) {
      const chosen = key === id;
      contact.panel.hidden = !chosen;
      contact.tab.setAttribute('aria-selected', String(chosen));
    }
  }

  function removeContact(id) {
    const contact = contacts.get(id);
    if (!contact) return;
    contact.panel.remove();
    contact.tab.remove();
    contacts.delete(id);
    if (active === id) {
      active = null;
      const next = contacts.keys().next();
      if (!next.done) select(next.value);
    }
    $('#no-contacts').hidden = contacts.size > 0;
  }

  function addMessage(id, message) {
    const contact = contacts.get(id);
    if (!contact || contact.shown.has(message.seq)) return;
    contact.shown.add(message.seq);
    contact.lastSeq = Math.max(contact.lastSeq, message.seq);
    const item = document.createElement('li');
    const whisper = message.staff_only && message.sender === 'supervisor';  // only the counsellor sees it
    item.className = `message from-${message.sender}${message.staff_only ? ' staff-only' : ''}${whisper ? ' whisper' : ''}`;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = whisper ? root.dataset.whisper : message.staff_only
      ? T.staff_note
      : { seeker: T.seeker, counsellor: T.you, system: T.system, supervisor: T.supervisor }[message.sender] || message.sender;
    const body = document.createElement('p');
    body.className = 'body';
    body.textContent = message.body;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = new Date(message.at).toTimeString().slice(0, 5);
    item.append(who, body, when);
    $('.transcript', contact.panel).append(item);
    item.scrollIntoView({ block: 'end' });
    if (message.sender === 'seeker') $('.typing', contact.panel).hidden = true;
  }

  function showTyping(id) {
    const contact = contacts.get(id);
    if (!contact) return;
    const line = $('.typing', contact.panel);
    line.hidden = false;
    clearTimeout(contact.typingTimer);
    contact.typingTimer = setTimeout(() => { line.hidden = true; }, 4000);
  }

  async function wrapUp(event, id) {
    event.preventDefault();
    const form = event.target;
    const error = $('.form-error', form);
    const url = root.dataset.wrapUpUrl.replace('00000000-0000-0000-0000-000000000000', id);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'X-CSRFToken': root.dataset.csrf, Accept: 'application/json' },
      body: new FormData(form),
      credentials: 'same-origin',
      redirect: 'manual',  // a redirect means signed out: the record was not saved
    });
    if (response.type === 'opaqueredirect') {
      error.textContent = T.signed_out;
      error.hidden = false;
      return;
    }
    if (response.ok) {
      removeContact(id);
      return;
    }
    const data = await response.json().catch(() => ({}));
    for (const line of form.querySelectorAll('.field-error')) line.hidden = true;
    const general = [];
    for (const [field, messages] of Object.entries(data.errors || {})) {
      const line = $(`[data-field="${field}"] .field-error`, form);
      if (line) {
        line.textContent = messages.join(' ');
        line.hidden = false;
      } else {
        general.push(...messages);
      }
    }
    error.textContent = general.join(' ') || T.record_incomplete;
    error.hidden = false;
  }

  function crisisLink(frame) {
    const link = document.createElement('a');
    link.href = `/staff/${slug}/crisis/${frame.escalation}/`;
    link.textContent = T.crisis_page;
    return link;
  }

  function showCrisis(frame) {
    const contact = contacts.get(frame.contact);
    const text = frame.acknowledged_by ? format(T.crisis_handled, { name: frame.acknowledged_by }) : T.crisis_open;
    if (contact) {
      const banner = $('.crisis-banner', contact.panel);
      banner.replaceChildren(`${text} `, crisisLink(frame));
      banner.hidden = frame.state === 'resolved';
    }
    if (frame.state === 'open' && !frame.acknowledged_by) {
      ring();
      notify({ contact: `crisis-${frame.escalation}`, risk_level: frame.risk_level });
      if (!contact) addRiskAlert(`${T.crisis_open} `, crisisLink(frame));
    }
  }

  function showRiskRise(frame) {
    const phrases = (frame.evidence || []).map((item) => `「${item.phrase}」${T.kinds[item.kind] || item.kind}`);
    addRiskAlert(`${format(T.risk_rise, { level: T.risk[frame.risk_level] || frame.risk_level })}: ${phrases.join('，')}`);
  }

  function addRiskAlert(...parts) {
    const box = $('#risk-alerts');
    const entry = document.createElement('li');
    entry.append(...parts);
    $('ul', box).prepend(entry);
    box.hidden = false;
  }

  function addHelpRequest(frame) {
    const box = $('#help-requests');
    const entry = document.createElement('li');
    entry.textContent = `${frame.counsellor} — ${T.risk[frame.risk_level] || frame.risk_level}`;
    $('ul', box).append(entry);
    box.hidden = false;
  }

  connect();
})();
