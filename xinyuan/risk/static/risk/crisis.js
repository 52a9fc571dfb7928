/* The crisis board: alerts arrive over a WebSocket with a sound and a desktop notification; the
 * page refreshes when a crisis changes, unless someone is typing in one of its forms. */
(() => {
  'use strict';

  const root = document.getElementById('crisis-board');
  if (!root) return;
  let retryDelay = 1000;
  let submitting = false;
  document.addEventListener('submit', () => { submitting = true; });

  function ring() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch (error) {
      /* no sound here: the banner still shows */
    }
  }

  function refreshSoon() {
    const typing = document.activeElement && ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName);
    if (!typing && !submitting) location.reload();
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(`${scheme}${location.host}/ws/crisis/${root.dataset.hotline}/`);
    ws.onopen = () => { retryDelay = 1000; };
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'crisis' && frame.state === 'open') {
        const banner = document.getElementById('crisis-alert');
        if (banner) banner.hidden = false;
        ring();
        if ('Notification' in window && Notification.permission === 'granted') {
          new Notification(document.title, { body: frame.reason || frame.risk_level, tag: `crisis-${frame.escalation}` });
        }
      }
      if (frame.type === 'changed') refreshSoon();
    };
    ws.onclose = (event) => {
      if (event.code === 4401 || event.code === 4404) return;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    };
  }

  connect();
})();
