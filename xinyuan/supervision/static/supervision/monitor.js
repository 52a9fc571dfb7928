/* The live monitor and silent monitoring. Protocol: docs/protocol.md ("Monitor").
 * The board: the server renders it; the monitor socket says when it changed and the page fetches
 * it again (one fetch at a time). Watching a contact: its messages arrive by seq, never twice. */
(() => {
  'use strict';

  const board = document.getElementById('monitor');
  const watch = document.getElementById('watch');
  const root = board || watch;
  if (!root) return;
  const slug = root.dataset.hotline;
  const $ = (selector, scope = document) => scope.querySelector(selector);
  let ws = null;
  let retryDelay = 1000;
  let ping = null;
  let skew = 0;  // server clock minus this browser's clock, in ms

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    ws = new WebSocket(`${scheme}${location.host}/ws/monitor/${slug}/`);
    ws.onopen = () => {
      retryDelay = 1000;
      $('#monitor-connection').hidden = true;
      ping = setInterval(() => send({ type: 'ping' }), 20000);
    };
    ws.onmessage = (event) => receive(JSON.parse(event.data));
    ws.onclose = (event) => {
      clearInterval(ping);
      if (event.code === 4401 || event.code === 4404) {
        location.reload();  // signed out or no longer allowed: the page says why
        return;
      }
      $('#monitor-connection').hidden = false;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    };
  }

  /* Durations tick every second, from the server's clock. */
  function elapsed(since) {
    const seconds = Math.max(0, Math.floor((Date.now() + skew - new Date(since).getTime()) / 1000));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = String(seconds % 60).padStart(2, '0');
    return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
  }

  function readSkew() {
    const grid = $('[data-now]');
    if (grid) skew = new Date(grid.dataset.now).getTime() - Date.now();
  }

  setInterval(() => {
    for (const element of document.querySelectorAll('.elapsed[data-since]')) {
      element.textContent = elapsed(element.dataset.since);
    }
  }, 1000);

  /* The board. A burst of announcements (a contact arrives, is offered, accepted) makes one fetch,
   * once things are quiet for a moment. */
  let fetching = false;
  let again = false;
  let quiet = null;

  function boardChanged() {
    clearTimeout(quiet);
    quiet = setTimeout(refreshBoard, 300);
  }

  async function refreshBoard() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      const response = await fetch(board.dataset.boardUrl, { credentials: 'same-origin', redirect: 'manual' });
      if (response.type === 'opaqueredirect') {
        location.reload();  // signed out
        return;
      }
      if (response.ok) {
        $('#board').innerHTML = await response.text();  // our own server-rendered, escaped HTML
        readSkew();
      }
    } catch (error) {
      /* offline for a moment: the next change or the safety net fetches again */
    } finally {
      fetching = false;
      if (again) {
        again = false;
        refreshBoard();
      }
    }
  }

  /* Watching one contact. */
  const shown = new Set();
  const pending = new Map();  // key -> body, until acknowledged
  let lastSeq = watch ? Number(watch.dataset.lastSeq) : 0;
  const T = watch ? JSON.parse($('#watch-strings').textContent) : {};
  if (watch) {
    for (const item of document.querySelectorAll('#watch-transcript [data-seq]')) shown.add(Number(item.dataset.seq));
  }

  function randomKey() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function addMessage(message) {
    if (shown.has(message.seq)) return;
    shown.add(message.seq);
    lastSeq = Math.max(lastSeq, message.seq);
    const whisper = message.staff_only && message.sender === 'supervisor';
    const item = document.createElement('li');
    item.className = `message from-${message.sender}${message.staff_only ? ' staff-only' : ''}${whisper ? ' whisper' : ''}`;
    item.dataset.seq = message.seq;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = whisper ? T.whisper : message.staff_only ? T.staff_note : T[message.sender] || message.sender;
    const body = document.createElement('p');
    body.className = 'body';
    body.textContent = message.body;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = new Date(message.at).toTimeString().slice(0, 5);
    item.append(who, body, when);
    $('#watch-transcript').append(item);
    item.scrollIntoView({ block: 'end' });
    if (message.sender === 'seeker') $('#watch-typing').hidden = true;
  }

  function showError(text) {
    const line = $('#watch-error');
    line.textContent = text;
    line.hidden = false;
    setTimeout(() => { line.hidden = true; }, 8000);
  }

  function watchState(data) {
    if (data.state !== 'active') {
      const form = $('#whisper-form');
      if (form) form.hidden = true;
      for (const element of document.querySelectorAll('.panel-actions')) element.hidden = true;
      $('[data-testid="watch-state"]').textContent = T.ended;
    }
  }

  let typingTimer = null;
  function showTyping() {
    const line = $('#watch-typing');
    line.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { line.hidden = true; }, 4000);
  }

  if (watch) {
    const form = $('#whisper-form');
    if (form) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const box = $('#whisper-text');
        const body = box.value.trim();
        if (!body) return;
        const key = randomKey();
        pending.set(key, body);
        send({ type: 'whisper', contact: watch.dataset.contact, key, body });
        box.value = '';
      });
    }
    for (const confirming of document.querySelectorAll('form[data-confirm]')) {
      confirming.addEventListener('submit', (event) => {
        if (!confirm(confirming.dataset.confirm)) event.preventDefault();
      });
    }
  }

  function receive(frame) {
    switch (frame.type) {
      case 'hello':
        if (board) refreshBoard();  // (re)connected: whatever was missed is in the fresh board
        if (watch) {
          send({ type: 'watch', contact: watch.dataset.contact, last_seq: lastSeq });
          for (const [key, body] of pending) send({ type: 'whisper', contact: watch.dataset.contact, key, body });
        }
        break;
      case 'changed':
        if (board) boardChanged();
        break;
      case 'message':
        if (watch && frame.contact === watch.dataset.contact) addMessage(frame);
        break;
      case 'contact':
        if (watch && frame.contact === watch.dataset.contact) watchState(frame);
        break;
      case 'typing':
        if (watch && frame.side === 'seeker') showTyping();
        break;
      case 'ack':
        pending.delete(frame.key);
        break;
      case 'error':
        if (watch) showError(frame.message);
        console.warn('xinyuan:', frame.code, frame.message);
        break;
      default:
        break;
    }
  }

  readSkew();
  if (board) setInterval(refreshBoard, 30000);  // a safety net if an announcement was dropped
  connect();
})();
