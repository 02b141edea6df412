/* Labb: live updates over server-sent events, and notes that survive flaky networks.
 * No inline scripts (the Content-Security-Policy forbids them); everything hangs off
 * data- attributes in the server-rendered HTML. */
(function () {
  'use strict';

  // Every live event the server sends is named; an unnamed EventSource listener hears none.
  var LIVE_EVENTS = ['hello', 'reload', 'note', 'note-changed', 'note-removed', 'group', 'status',
    'phase', 'timer', 'counts', 'theme', 'vote', 'reveal', 'export', 'action', 'participant',
    'spotlight'];

  function randomId() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (e) { /* insecure context: fall through */ }
    }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // --- Live updates ----------------------------------------------------------------------

  function applyLive(html) {
    // A note already on screen (a replay overlapping a fresh render) is replaced, not doubled.
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    tpl.content.querySelectorAll('[data-note-id]').forEach(function (el) {
      if (el.hasAttribute('hx-swap-oob')) { return; }
      var existing = document.getElementById('note-' + el.dataset.noteId);
      if (existing) { existing.remove(); }
    });
    tpl.content.querySelectorAll('[hx-swap-oob^="beforeend"] > [id]').forEach(function (el) {
      var existing = document.getElementById(el.id);
      if (existing) { existing.remove(); }
    });
    htmx.swap(document.body, html, { swapStyle: 'none' });
  }

  function initLive(root) {
    var url = root.dataset.liveUrl;
    var last = root.dataset.lastEventId || '';
    var statusEl = document.getElementById('live-status');
    var attempts = 0;
    var source = null;

    function setStatus(state) {
      if (!statusEl) { return; }
      statusEl.dataset.state = state;
      statusEl.textContent = statusEl.dataset[state] || '';
    }

    function handle(ev) {
      if (ev.lastEventId) { last = ev.lastEventId; }
      if (ev.type === 'hello') { return; }
      if (ev.type === 'reload') {
        // Too much was missed, or the page's structure changed: spread the reloads out.
        window.setTimeout(function () { window.location.reload(); }, Math.random() * 1500);
        return;
      }
      if (ev.data) { applyLive(ev.data); }
      document.dispatchEvent(new CustomEvent('labb:live', { detail: { name: ev.type, data: ev.data } }));
    }

    function open() {
      var sep = url.indexOf('?') < 0 ? '?' : '&';
      source = new EventSource(last ? url + sep + 'last=' + encodeURIComponent(last) : url);
      source.onopen = function () { attempts = 0; setStatus('connected'); };
      source.onerror = function () {
        setStatus('reconnecting');
        // The browser retries by itself (sending Last-Event-ID) unless the server refused
        // the stream; then we start a new one, which resumes from the last id we saw.
        if (source.readyState === EventSource.CLOSED) {
          attempts += 1;
          window.setTimeout(open, Math.min(10000, 1000 * attempts) + Math.random() * 1000);
        }
      };
      LIVE_EVENTS.forEach(function (name) { source.addEventListener(name, handle); });
    }
    open();
    window.addEventListener('pagehide', function () { if (source) { source.close(); } });
  }

  // --- Screen-reader announcements of new notes (polite, throttled) -----------------------

  function initAnnouncer(region) {
    var pending = 0;
    var timer = null;
    var template = region.dataset.template || '%s';
    document.addEventListener('labb:live', function (ev) {
      if (ev.detail.name === 'phase') {
        // A new phase is worth saying at once (still politely).
        var phase = document.getElementById('phase-name');
        if (phase && region.dataset.phaseTemplate) {
          region.textContent = region.dataset.phaseTemplate.replace('%s', phase.textContent);
        }
        return;
      }
      if (ev.detail.name !== 'note') { return; }
      pending += 1;
      if (timer) { return; }
      timer = window.setTimeout(function () {
        region.textContent = template.replace('%s', String(pending));
        pending = 0;
        timer = null;
      }, 5000);
    });
  }

  // --- Notes from phones: never lost, never doubled ---------------------------------------

  function initNoteForm(form) {
    var key = 'labb-outbox:' + form.action;
    var statusEl = form.querySelector('[data-send-status]');
    var button = form.querySelector('button[type=submit]');
    var retryTimer = null;
    var attempt = 0;
    var sending = false;

    function say(text) { if (statusEl) { statusEl.textContent = text || ''; } }

    function remember(item) {
      try { localStorage.setItem(key, JSON.stringify(item)); } catch (e) { /* private mode */ }
    }
    function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
    function stored() {
      try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
    }

    function current() {
      var column = form.querySelector('input[name=column]:checked');
      return {
        client_id: form.elements.client_id.value,
        column: column ? column.value : '',
        text: form.elements.text.value
      };
    }

    function fill(item) {
      form.elements.client_id.value = item.client_id;
      form.elements.text.value = item.text;
      var radio = form.querySelector('input[name=column][value="' + item.column + '"]');
      if (radio) { radio.checked = true; }
    }

    function scheduleRetry() {
      attempt += 1;
      var delay = Math.min(15000, 1000 * Math.pow(2, attempt - 1)) + Math.random() * 500;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(send, delay);
    }

    function send() {
      if (sending) { return; }
      var item = current();
      remember(item);
      sending = true;
      say(form.dataset.msgSending);
      var body = new FormData();
      body.append('client_id', item.client_id);
      body.append('column', item.column);
      body.append('text', item.text);
      fetch(form.action, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: {
          'X-CSRFToken': form.elements.csrfmiddlewaretoken.value,
          'X-Labb-Fragment': '1'
        }
      }).then(function (response) {
        return response.text().then(function (html) { return { status: response.status, html: html }; });
      }).then(function (result) {
        sending = false;
        var errors = document.getElementById('note-errors');
        if (result.status === 200 || result.status === 201) {
          attempt = 0;
          // A retry scheduled during an outage must not fire later and post the next note
          // (or the empty form) when the "online" event has already delivered this one.
          window.clearTimeout(retryTimer);
          forget();
          if (errors) { errors.innerHTML = ''; }
          var list = document.getElementById('own-notes');
          var empty = document.getElementById('own-notes-empty');
          if (empty) { empty.remove(); }
          var tpl = document.createElement('template');
          tpl.innerHTML = result.html.trim();
          var li = tpl.content.firstElementChild;
          if (li && list && !document.getElementById(li.id)) { list.prepend(li); htmx.process(li); }
          // Text typed while this note was on its way is the next note: keep it.
          if (form.elements.text.value === item.text) { form.elements.text.value = ''; }
          form.elements.client_id.value = randomId();
          say(form.dataset.msgSent);
          form.elements.text.focus();
        } else if (result.status === 429 || result.status >= 500) {
          // Not saved (or unsure): keep it in the form and try again with the same id.
          say(form.dataset.msgQueued);
          scheduleRetry();
        } else {
          // The server refused the note (too long, closed…): show why, keep the text.
          forget();
          say('');
          if (errors) { errors.outerHTML = result.html; }
          var shown = document.getElementById('form-errors');
          if (shown) { shown.focus(); }
        }
      }).catch(function () {
        sending = false;
        say(form.dataset.msgQueued);
        scheduleRetry();
      });
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      attempt = 0;
      send();
    });
    window.addEventListener('online', function () { if (stored()) { attempt = 0; send(); } });

    var waiting = stored();
    if (waiting && waiting.text) {
      fill(waiting);
      send();
    } else if (!form.elements.client_id.value) {
      form.elements.client_id.value = randomId();
    }
    if (button) { button.removeAttribute('aria-disabled'); }
  }

  // --- Session: phase changes, timer in server time, themes by drag and drop -------------

  // Offset between the server's clock and this device's, from the last page or stage render.
  var clockOffset = 0;

  function readServerNow(root) {
    var el = root.querySelector('[data-server-now]');
    if (el && el.dataset.serverNow) { clockOffset = Number(el.dataset.serverNow) - Date.now(); }
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function tickTimers() {
    document.querySelectorAll('[data-timer]').forEach(function (el) {
      var value = el.querySelector('[data-timer-value]');
      if (!value) { return; }
      var left;
      if (el.hasAttribute('data-paused') || !el.dataset.endsAt) {
        left = Number(el.dataset.remaining || 0);
      } else {
        left = Math.max(0, Math.ceil((Number(el.dataset.endsAt) - (Date.now() + clockOffset)) / 1000));
      }
      var text = left > 0 || el.hasAttribute('data-paused') ? pad(Math.floor(left / 60)) + ':' + pad(left % 60) : value.dataset.ended;
      if (value.textContent !== text) { value.textContent = text; }
      el.classList.toggle('timer-ended', left <= 0 && !el.hasAttribute('data-paused'));
    });
  }

  // The stage (what a screen shows in the current phase) is fetched again after a phase
  // change or a change of themes, votes or next steps. Phones wait a random moment so
  // hundreds of them do not ask at the same instant.
  var refetchTimer = null;
  // Bumped by every swap the user causes: a fetch started before it would bring old news.
  var stageSeq = 0;

  function keepTyped(root) {
    var kept = [];
    root.querySelectorAll('input[id]:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea[id]').forEach(function (el) {
      if (el.value !== el.defaultValue) { kept.push([el.id, el.value]); }
    });
    var active = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : '';
    return function () {
      kept.forEach(function (pair) {
        var el = document.getElementById(pair[0]);
        if (el) { el.value = pair[1]; }
      });
      if (active && document.getElementById(active)) { document.getElementById(active).focus(); }
    };
  }

  function refetchStage(delay) {
    var stage = document.getElementById('phone-stage') || document.getElementById('stage');
    if (!stage || !stage.dataset.stageUrl) { return; }
    var id = stage.id;
    window.clearTimeout(refetchTimer);
    refetchTimer = window.setTimeout(function () {
      var current = document.getElementById(id);
      if (!current) { return; }
      var seq = ++stageSeq;
      fetch(current.dataset.stageUrl, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          var now = document.getElementById(id);
          if (!html || !now || seq !== stageSeq) { return; }
          var restore = keepTyped(now);
          htmx.swap(now, html, { swapStyle: 'outerHTML' });
          var fresh = document.getElementById(id);
          if (fresh) { htmx.process(fresh); initWithin(fresh); }
          restore();
        })
        .catch(function () { /* the next event or reconnect brings it */ });
    }, delay);
  }

  function onLiveEvent(ev) {
    var name = ev.detail.name;
    var phone = !!document.getElementById('phone-stage');
    if (name === 'phase') {
      refetchStage(phone ? Math.random() * 2500 : Math.random() * 300);
    } else if (name === 'spotlight') {
      if (!phone) { refetchStage(0); }
    } else if (name === 'vote' && ev.detail.data && ev.detail.data.indexOf('id="votes-cast"') >= 0) {
      // Totals are hidden: the event itself carries the new count, nothing to fetch.
      fitProjector();
    } else if (name === 'theme' || name === 'vote' || name === 'action') {
      // Bursts (a facilitator sorting quickly) become one fetch.
      refetchStage(phone ? 1000 + Math.random() * 2500 : 600);
    } else if (name === 'timer') {
      tickTimers();
    }
    if (name === 'note' || name === 'note-changed' || name === 'note-removed' || name === 'group') {
      fitProjector();
    }
  }

  // --- Projector: everything on one screen ------------------------------------------------

  // The projector's type scales with what it shows: a few notes are large, 18 groups with
  // 250 notes still fit one screen without scrolling. `--fit` scales every size on the
  // stage (they are in em); it is searched for, largest first, after each change.
  var fitFrame = null;
  var FIT_MIN = 0.4;
  var FIT_MAX = 1.6;

  function fitsScreen() {
    var doc = document.documentElement;
    return doc.scrollHeight <= window.innerHeight + 1 && doc.scrollWidth <= window.innerWidth + 1;
  }

  // The sizes are set on <body>, which is never swapped: htmx copies the attributes of a
  // swapped element with an id, and a copied style attribute is inline style (CSP).
  function fitScale(stage) {
    // The largest --fit in [FIT_MIN, FIT_MAX] at which the page does not scroll.
    var lo = FIT_MIN;
    var hi = FIT_MAX;
    document.body.style.setProperty('--fit', String(hi));
    if (fitsScreen()) { return hi; }
    for (var i = 0; i < 8; i += 1) {
      var mid = (lo + hi) / 2;
      document.body.style.setProperty('--fit', String(mid));
      if (fitsScreen()) { lo = mid; } else { hi = mid; }
    }
    document.body.style.setProperty('--fit', String(lo));
    return lo;
  }

  // The number of group cards side by side, chosen for a number of groups and a screen.
  var fitCols = { key: '', cols: 0 };

  function fitProjector() {
    var stage = document.querySelector('.projector #stage');
    if (!stage) { return; }
    if (fitFrame) { window.cancelAnimationFrame(fitFrame); }
    fitFrame = window.requestAnimationFrame(function () {
      fitFrame = null;
      var grid = stage.querySelector('.board-grid');
      var groups = grid ? grid.querySelectorAll('.group-board').length : 0;
      var key = groups + ':' + window.innerWidth + 'x' + window.innerHeight;
      if (groups > 1) { document.body.classList.add('fit-cols'); }
      if (groups > 1 && fitCols.key !== key) {
        // The count that lets the type be largest: 18 groups on a wide screen come out
        // as 6 × 3, not as 13 thin columns.
        // Where nothing fits even at the smallest type, the count that overflows least.
        var best = 1;
        var bestScore = -Infinity;
        for (var cols = 1; cols <= Math.min(groups, 9); cols += 1) {
          document.body.style.setProperty('--cols', String(cols));
          var scale = fitScale(stage);
          var score = fitsScreen() ? scale : -document.documentElement.scrollHeight;
          if (score > bestScore + 0.001) { best = cols; bestScore = score; }
        }
        fitCols = { key: key, cols: best };
      }
      if (groups > 1) {
        document.body.style.setProperty('--cols', String(fitCols.cols));
      }
      fitScale(stage);
      document.body.classList.toggle('projector-overflows', !fitsScreen());
    });
  }

  function initDragThemes(root) {
    root.querySelectorAll('[data-drag-note]').forEach(function (note) {
      if (note.dataset.dragReady) { return; }
      note.dataset.dragReady = '1';
      note.addEventListener('dragstart', function (ev) {
        ev.dataTransfer.setData('text/plain', note.dataset.themeUrl);
        ev.dataTransfer.effectAllowed = 'move';
        note.classList.add('dragging');
      });
      note.addEventListener('dragend', function () { note.classList.remove('dragging'); });
    });
    root.querySelectorAll('[data-drop-theme]').forEach(function (zone) {
      if (zone.dataset.dropReady) { return; }
      zone.dataset.dropReady = '1';
      zone.addEventListener('dragover', function (ev) { ev.preventDefault(); zone.classList.add('drop-target'); });
      zone.addEventListener('dragleave', function () { zone.classList.remove('drop-target'); });
      zone.addEventListener('drop', function (ev) {
        ev.preventDefault();
        zone.classList.remove('drop-target');
        var url = ev.dataTransfer.getData('text/plain');
        if (!url || url.charAt(0) !== '/') { return; }
        var body = new FormData();
        body.append('theme', zone.dataset.dropTheme);
        var token = document.querySelector('input[name=csrfmiddlewaretoken]');
        fetch(url, {
          method: 'POST', body: body, credentials: 'same-origin',
          headers: { 'X-CSRFToken': token ? token.value : '', 'X-Labb-Fragment': '1' }
        }).then(function () { refetchStage(0); });
      });
    });
  }

  function initWithin(root) {
    if (!root.querySelectorAll) { return; }
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll('[data-note-form]')));
    all.forEach(function (el) {
      if (el.matches && el.matches('[data-note-form]') && !el.dataset.ready) {
        el.dataset.ready = '1';
        initNoteForm(el);
      }
    });
    // Only a page render is fresh: a replayed live event carries an old server time.
    if (root === document.body) { readServerNow(root); }
    initDragThemes(root);
    tickTimers();
    fitProjector();
  }

  function init() {
    document.querySelectorAll('[data-live-url]').forEach(initLive);
    initWithin(document.body);
    var region = document.getElementById('live-announcer');
    if (region) { initAnnouncer(region); }
    document.addEventListener('labb:live', onLiveEvent);
    document.body.addEventListener('htmx:load', function (ev) { initWithin(ev.target); });
    document.body.addEventListener('htmx:beforeRequest', function () { stageSeq += 1; });
    // A refused action (400/403/409) comes back as a page that explains why: show it.
    document.body.addEventListener('htmx:beforeSwap', function (ev) {
      var status = ev.detail.xhr.status;
      if (status === 400 || status === 403 || status === 409) {
        ev.detail.shouldSwap = true;
        ev.detail.isError = false;
      }
    });
    window.setInterval(tickTimers, 1000);
    window.addEventListener('resize', fitProjector);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
  window.Labb = { applyLive: applyLive, randomId: randomId };
})();
