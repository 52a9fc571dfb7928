/* The seeker's chat. Plain ES5 on purpose: it must run in WeChat's browser and on old Android.
 * Protocol: docs/protocol.md. The server numbers every message (seq); this page keeps the last seq
 * it has shown and the messages not yet acknowledged, and resends both after a reconnect. */
(function () {
  'use strict';

  var root = document.getElementById('seeker');
  if (!root) { return; }
  var T = JSON.parse(document.getElementById('seeker-strings').textContent);
  var slug = root.getAttribute('data-hotline');
  var storeKey = 'xinyuan.seeker.' + slug;
  var ws = null;
  var retryDelay = 1000;
  var pingTimer = null;
  var typingTimer = null;
  var lastTypingSent = 0;
  var ended = false;
  var shown = {};  // seq -> true
  var saved = load();  // {token, pending: {key: body}}, kept in localStorage
  var lastSeq = 0;
  var endedToken = null;  // kept in memory only, for "download" and "delete" on the ended page  // this page's last seq shown: a reloaded page asks for the whole conversation

  function $(id) { return document.getElementById(id); }

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(storeKey) || 'null');
      if (value && value.token) { value.pending = value.pending || {}; return value; }
    } catch (ignored) { /* storage unavailable or corrupt: start fresh */ }
    return null;
  }

  function store() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(saved)); } catch (ignored) { /* private mode */ }
  }

  function forget() {
    saved = null;
    try { window.localStorage.removeItem(storeKey); window.sessionStorage.clear(); } catch (ignored) { /* nothing */ }
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  }

  function show(step) {
    var steps = root.querySelectorAll('.step');
    for (var i = 0; i < steps.length; i++) { steps[i].hidden = steps[i].id !== step; }
  }

  function randomKey() {
    var cryptoApi = window.crypto || window.msCrypto;
    var out = '';
    var i;
    if (cryptoApi && cryptoApi.getRandomValues && window.Uint8Array) {
      var bytes = new Uint8Array(12);
      cryptoApi.getRandomValues(bytes);
      for (i = 0; i < bytes.length; i++) { out += ('0' + bytes[i].toString(16)).slice(-2); }
      return out;
    }
    for (i = 0; i < 24; i++) { out += Math.floor(Math.random() * 16).toString(16); }
    return out;
  }

  function postJson(url, body, done) {
    var request = new XMLHttpRequest();
    request.open('POST', url, true);
    request.setRequestHeader('Content-Type', 'application/json');
    request.onreadystatechange = function () {
      if (request.readyState !== 4) { return; }
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (ignored) { data = null; }
      done(request.status, data);
    };
    request.send(JSON.stringify(body));
  }

  /* Quick exit: leave at once, end the chat on the server, and leave nothing behind here. */
  $('quick-exit').addEventListener('click', function () {
    var target = root.getAttribute('data-quick-exit-url');
    var token = saved && saved.token;
    ended = true;
    try {
      if (token) { tellServerWeLeft(token); }
      if (ws) { ws.close(); }
    } catch (ignored) {
      /* whatever fails, leave */
    } finally {
      forget();
      forgetHere();
      $('transcript').innerHTML = '';
      window.location.replace(target);
    }
  });

  function tellServerWeLeft(token) {
    var body = JSON.stringify({ token: token });
    // text/plain: older Chromium (many Android WebViews) refuses a JSON-typed beacon.
    if (navigator.sendBeacon && window.Blob) {
      navigator.sendBeacon(root.getAttribute('data-quick-exit-api'), new Blob([body], { type: 'text/plain' }));
      return;
    }
    var request = new XMLHttpRequest();
    request.open('POST', root.getAttribute('data-quick-exit-api'), true);
    request.send(body);
  }

  /* Consent, then the intake, then the chat. */
  var consentCheck = $('consent-check');
  var sensitiveCheck = $('sensitive-check');
  function consentGiven() {
    $('consent-continue').disabled = !(consentCheck.checked && sensitiveCheck.checked);
  }
  if (consentCheck) {
    consentCheck.addEventListener('change', consentGiven);
    sensitiveCheck.addEventListener('change', consentGiven);
    $('consent-continue').addEventListener('click', function () { show('step-intake'); });
  }
  var ageBand = $('q-age_band');
  if (ageBand && $('guardian-box')) {
    ageBand.addEventListener('change', function () { $('guardian-box').hidden = ageBand.value !== 'under_14'; });
  }
  /* Remember me on this device (optional, the seeker's consent): the token stays after the end, so
   * the next counsellor sees earlier conversations. Withdrawing forgets it here and tells the server;
   * the quick exit forgets it here. */
  var rememberKey = storeKey + '.remembered';
  function rememberedToken() {
    try { return window.localStorage.getItem(rememberKey) || ''; } catch (ignored) { return ''; }
  }
  function showRemembered() {
    var on = !!rememberedToken();
    $('remembered-note').hidden = !on;
    if (on) {
      var boxes = root.querySelectorAll('.remember-check');
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = true; }
    }
  }
  function forgetHere() {
    try { window.localStorage.removeItem(rememberKey); } catch (ignored) { /* nothing kept */ }
  }
  function rememberMe(token) {
    var body = { token: token, consent_version: root.getAttribute('data-remember-version') };
    postJson(root.getAttribute('data-remember-api'), body, function (status) {
      if (status !== 204) { return; }
      try { window.localStorage.setItem(rememberKey, token); } catch (ignored) { /* private mode */ }
      showRemembered();
    });
  }
  function forgetMe() {
    var token = rememberedToken() || (saved && saved.token);
    forgetHere();
    var boxes = root.querySelectorAll('.remember-check');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = false; }
    $('remembered-note').hidden = true;
    if (token) { postJson(root.getAttribute('data-forget-api'), { token: token }, function () {}); }
  }
  function rememberChanged(event) {
    if (event.target.checked && event.target.id === 'remember-chat' && saved) { rememberMe(saved.token); }
    if (!event.target.checked && (rememberedToken() || event.target.id === 'remember-chat')) { forgetMe(); }
  }
  var rememberBoxes = root.querySelectorAll('.remember-check');
  for (var r = 0; r < rememberBoxes.length; r++) { rememberBoxes[r].addEventListener('change', rememberChanged); }
  $('forget-me').addEventListener('click', forgetMe);
  showRemembered();

  var waitAnyway = $('wait-anyway');
  if (waitAnyway) { waitAnyway.addEventListener('click', function () { show('step-consent'); }); }

  function answersOf(form) {
    var answers = {};
    var fields = form.querySelectorAll('select, input, textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].name && fields[i].value) { answers[fields[i].name] = fields[i].value; }
    }
    return answers;
  }

  function openContact(body, form) {
    var error = form.querySelector('.form-error');
    body.consent_version = root.getAttribute('data-consent-version');
    body.sensitive_consent = body.callback ? body.callback_consent : !!(sensitiveCheck && sensitiveCheck.checked);
    delete body.callback_consent;
    body.guardian_consent = !!($('guardian-check') && $('guardian-check').checked);
    body.language = root.getAttribute('data-language');
    body.source = root.getAttribute('data-source');
    body.token = rememberedToken();
    var remember = body.callback ? $('callback-remember').checked : $('remember-check').checked;
    postJson(root.getAttribute('data-contacts-url'), body, function (status, data) {
      if ((status === 201 || status === 200) && data && data.token) {
        saved = { token: data.token, pending: {} };
        store();
        if (remember && data.token !== rememberedToken()) { rememberMe(data.token); }
        startChat();
        return;
      }
      error.textContent = (data && data.message) || T.error;
      error.hidden = false;
    });
  }

  $('intake-form').addEventListener('submit', function (event) {
    event.preventDefault();
    openContact({ answers: answersOf(event.target) }, event.target);
  });

  $('callback-form').addEventListener('submit', function (event) {
    event.preventDefault();
    openContact({
      answers: { what_is_happening: $('callback-text').value },
      callback: true,
      callback_phone: $('callback-phone').value,
      callback_consent: $('callback-consent').checked
    }, event.target);
  });

  /* The chat. */
  function startChat() {
    ended = false;
    show('step-chat');
    connect();
  }

  function connect() {
    var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    ws = new WebSocket(scheme + window.location.host + '/ws/seeker/');
    ws.onopen = function () {
      retryDelay = 1000;
      $('connection').hidden = true;
      ws.send(JSON.stringify({ type: 'hello', token: saved.token, last_seq: lastSeq }));
    };
    ws.onmessage = function (event) { receive(JSON.parse(event.data)); };
    ws.onclose = function () {
      clearInterval(pingTimer);
      if (ended || !saved) { return; }
      $('connection').hidden = false;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    };
  }

  function resendPending() {
    for (var key in saved.pending) {
      if (Object.prototype.hasOwnProperty.call(saved.pending, key)) {
        ws.send(JSON.stringify({ type: 'message', key: key, body: saved.pending[key] }));
      }
    }
  }

  function receive(frame) {
    switch (frame.type) {
      case 'welcome':
        setState(frame);
        if (frame.position) {
          setQueue(frame.position, frame.estimated_wait_seconds);
        } else if (frame.state === 'queued') {
          $('queue-status').textContent = T.callback_left;  // a call-back waits for the line to open
        }
        resendPending();
        pingTimer = setInterval(function () { send({ type: 'ping' }); }, 20000);
        break;
      case 'message':
        addMessage(frame);
        break;
      case 'ack':
        delete saved.pending[frame.key];
        store();
        markSent(frame.key);
        break;
      case 'state':
        setState(frame);
        break;
      case 'queue':
        setQueue(frame.position, frame.estimated_wait_seconds);
        break;
      case 'typing':
        $('typing').hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { $('typing').hidden = true; }, 4000);
        break;
      case 'instrument':
        showQuestionnaire(frame);
        break;
      case 'assessment_saved':
        questionnaireDone(frame.instrument);
        break;
      case 'safety_plan':
        offerPlanDownload(frame.text);
        break;
      case 'error':
        if (frame.code === 'unknown_token') { forget(); show('step-consent'); }
        break;
      default:
        break;
    }
  }

  function send(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function setState(frame) {
    var status = $('queue-status');
    $('questionnaire-offer').hidden = frame.state !== 'queued';
    if (frame.state === 'queued') {
      status.hidden = false;
    } else if (frame.state === 'offered') {
      status.hidden = false;
      status.textContent = T.offered;
    } else if (frame.state === 'active') {
      status.hidden = false;
      status.textContent = T.active;
    } else {
      ended = true;
      clearInterval(pingTimer);
      if (ws) { ws.close(); }
      endedToken = saved && saved.token;
      forget();  // the conversation is over: nothing of it stays in this browser
      show('step-ended');
      offerSurvey(frame.state);
    }
  }

  function setQueue(position, waitSeconds) {
    var text = format(T.position, { position: position });
    if (waitSeconds === null || waitSeconds === undefined) {
      text += ' ' + T.wait_short;
    } else {
      text += ' ' + format(T.wait, { minutes: Math.max(1, Math.round(waitSeconds / 60)) });
    }
    $('queue-status').textContent = text;
  }

  function addMessage(message) {
    if (shown[message.seq]) { return; }
    shown[message.seq] = true;
    if (message.seq > lastSeq) { lastSeq = message.seq; }
    if (message.sender === 'seeker' && message.key) {
      var mine = document.querySelector('[data-key="' + message.key + '"]');
      if (mine) { markSent(message.key); return; }
    }
    render(message.sender, message.body, message.at, message.key, false);
  }

  function render(sender, body, at, key, pending) {
    var item = document.createElement('li');
    item.className = 'message from-' + sender + (pending ? ' pending' : '');
    if (key) { item.setAttribute('data-key', key); }
    var who = document.createElement('span');
    who.className = 'who';
    who.textContent = { seeker: T.you, system: T.system, supervisor: T.supervisor }[sender] || T.counsellor;
    var text = document.createElement('p');
    text.className = 'body';
    text.textContent = body;
    var when = document.createElement('span');
    when.className = 'when';
    when.textContent = pending ? T.sending : new Date(at).toTimeString().slice(0, 5);
    item.appendChild(who);
    item.appendChild(text);
    item.appendChild(when);
    $('transcript').appendChild(item);
    item.scrollIntoView(false);
  }

  function markSent(key) {
    var item = document.querySelector('[data-key="' + key + '"]');
    if (!item) { return; }
    item.className = item.className.replace(' pending', '');
    item.querySelector('.when').textContent = new Date().toTimeString().slice(0, 5);
  }

  function sendComposer() {
    var box = $('composer-text');
    var body = box.value.replace(/^\s+|\s+$/g, '');
    if (!body) { return; }
    var key = randomKey();
    saved.pending[key] = body;
    store();
    render('seeker', body, null, key, true);
    box.value = '';
    send({ type: 'message', key: key, body: body });
  }

  $('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    sendComposer();
  });

  $('composer-text').addEventListener('keydown', function (event) {
    if ((event.key === 'Enter' || event.keyCode === 13) && !event.shiftKey) {
      event.preventDefault();
      sendComposer();
    }
  });

  $('composer-text').addEventListener('input', function () {
    var now = Date.now();
    if (now - lastTypingSent > 2000) { lastTypingSent = now; send({ type: 'typing' }); }
  });

  $('end-chat').addEventListener('click', function () {
    if (window.confirm(T.end_confirm)) { send({ type: 'end' }); }
  });

  $('start-again').addEventListener('click', function () {
    forget();
    shown = {};
    lastSeq = 0;
    $('transcript').innerHTML = '';
    show(root.getAttribute('data-open') === '1' ? 'step-consent' : 'step-closed');
  });

  /* Questionnaires (PHQ-9, GAD-7): asked for while waiting, or sent by the counsellor. */
  var offers = $('questionnaire-offer').querySelectorAll('button');
  for (var o = 0; o < offers.length; o++) {
    offers[o].addEventListener('click', function (event) {
      send({ type: 'instrument_request', instrument: event.target.getAttribute('data-instrument') });
    });
  }

  function showQuestionnaire(definition) {
    if (document.getElementById('questionnaire-' + definition.name)) { return; }
    var form = document.createElement('form');
    form.id = 'questionnaire-' + definition.name;
    form.className = 'card questionnaire';
    var title = document.createElement('h3');
    title.textContent = definition.title;
    var intro = document.createElement('p');
    intro.textContent = definition.instructions;
    form.appendChild(title);
    form.appendChild(intro);
    for (var i = 0; i < definition.items.length; i++) {
      var item = definition.items[i];
      var group = document.createElement('fieldset');
      var legend = document.createElement('legend');
      legend.textContent = (i + 1) + '. ' + item.text;
      group.appendChild(legend);
      for (var j = 0; j < item.options.length; j++) {
        var label = document.createElement('label');
        label.className = 'check';
        var input = document.createElement('input');
        input.type = 'radio';
        input.name = item.key;
        input.value = item.options[j].value;
        label.appendChild(input);
        label.appendChild(document.createTextNode(' ' + item.options[j].label));
        group.appendChild(label);
      }
      form.appendChild(group);
    }
    var error = document.createElement('p');
    error.className = 'form-error';
    error.hidden = true;
    var button = document.createElement('button');
    button.type = 'submit';
    button.textContent = T.questionnaire_send;
    form.appendChild(error);
    form.appendChild(button);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var answers = [];
      for (var k = 0; k < definition.items.length; k++) {
        var chosen = form.querySelector('input[name="' + definition.items[k].key + '"]:checked');
        if (!chosen) { error.textContent = T.questionnaire_incomplete; error.hidden = false; return; }
        answers.push(chosen.value);
      }
      send({ type: 'assessment', instrument: definition.name, answers: answers });
    });
    $('questionnaires').appendChild(form);
    form.scrollIntoView(false);
  }

  function questionnaireDone(name) {
    var form = document.getElementById('questionnaire-' + name);
    if (!form) { return; }
    var thanks = document.createElement('p');
    thanks.className = 'card';
    thanks.textContent = T.questionnaire_thanks;
    form.parentNode.replaceChild(thanks, form);
  }

  /* The safety plan the counsellor gave: the seeker can keep it as a text file. */
  function offerPlanDownload(text) {
    var link = $('plan-download');
    if (!link) {
      link = document.createElement('a');
      link.id = 'plan-download';
      link.className = 'button secondary';
      link.setAttribute('download', 'safety-plan.txt');
      link.textContent = T.download_plan;
      $('questionnaires').appendChild(link);
    }
    if (window.Blob && window.URL) {
      link.href = window.URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    } else {
      link.href = 'data:text/plain;charset=utf-8,' + encodeURIComponent(text);
    }
  }

  /* The seeker's rights: a copy of their conversation, or its deletion. */
  $('download-data').addEventListener('click', function () {
    if (!endedToken) { return; }
    postJson(root.getAttribute('data-my-data-api'), { token: endedToken }, function (status, data) {
      if (status !== 200) { return; }
      var text = JSON.stringify(data, null, 2);
      var link = document.createElement('a');
      link.setAttribute('download', 'my-conversation.json');
      link.href = window.Blob && window.URL
        ? window.URL.createObjectURL(new Blob([text], { type: 'application/json' }))
        : 'data:application/json;charset=utf-8,' + encodeURIComponent(text);
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
    });
  });

  $('erase-data').addEventListener('click', function () {
    if (!endedToken || !window.confirm(T.erase_confirm)) { return; }
    postJson(root.getAttribute('data-erase-api'), { token: endedToken }, function () {
      forgetHere();
      endedToken = null;
      $('transcript').innerHTML = '';
      $('erased').hidden = false;
    });
  });

  /* The satisfaction survey, after a conversation that took place: optional, answered once. */
  var survey = $('survey-form');
  function offerSurvey(state) {
    if (!survey) { return; }
    survey.hidden = !endedToken || (state !== 'wrap_up' && state !== 'closed');
    $('survey-thanks').hidden = true;
  }
  function checked(name) {
    var input = survey.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : '';
  }
  if (survey) {
    survey.addEventListener('submit', function (event) {
      event.preventDefault();
      var error = survey.querySelector('.form-error');
      var rating = checked('rating');
      var helpful = checked('helpful');
      if (!rating) { error.textContent = error.getAttribute('data-missing'); error.hidden = false; return; }
      var body = {
        token: endedToken, rating: parseInt(rating, 10), change: checked('change'),
        helpful: helpful ? helpful === 'yes' : null, comment: $('survey-comment').value,
        language: root.getAttribute('data-language')
      };
      postJson(survey.getAttribute('data-survey-api'), body, function (status) {
        if (status === 201 || status === 409) {
          survey.hidden = true;
          $('survey-thanks').hidden = false;
        } else {
          error.textContent = error.getAttribute('data-failed');
          error.hidden = false;
        }
      });
    });
    $('survey-skip').addEventListener('click', function () { survey.hidden = true; });
  }

  /* A returning browser resumes its conversation. */
  if (saved) { startChat(); }
}());
