/* Labb: live updates over server-sent events, and notes that survive flaky networks.
 * No inline scripts (the Content-Security-Policy forbids them); everything hangs off
 * data- attributes in the server-rendered HTML. */
(function () {
  'use strict';

  // Every live event the server sends is named; an unnamed EventSource listener hears none.
  // The names of live events come from the server's registry (workshops/live/names.py),
  // handed over as a JSON data block on every page with a live stream.
  function liveEventNames() {
    var block = document.getElementById('labb-live-events');
    return block ? JSON.parse(block.textContent) : [];
  }

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

  // --- Focus that survives a swap (WCAG 2.4.3) ----------------------------------------------
  //
  // A swap replaces the focused control with a fresh copy; htmx moves focus to the copy only
  // when the control has an id, and otherwise focus falls to <body> (a keyboard user starts
  // again from the top). So the focused element is described before a swap, by its id, its
  // data-focus-key, or its form's action with its name, value or position, and the same
  // element is looked up after it. A new error summary in the swapped part takes focus first;
  // a control that is gone hands focus to the part's first visible heading.

  function cssString(value) { return '"' + String(value).replace(/["\\]/g, '\\$&') + '"'; }

  function focusSelector(el) {
    if (el.id) { return '[id=' + cssString(el.id) + ']'; }
    if (el.dataset && el.dataset.focusKey) { return '[data-focus-key=' + cssString(el.dataset.focusKey) + ']'; }
    var form = el.form || el.closest('form');
    var tag = el.tagName.toLowerCase();
    if (form && form.getAttribute('action')) {
      var sel = 'form[action=' + cssString(form.getAttribute('action')) + '] ' + tag;
      if (el.getAttribute('name')) { sel += '[name=' + cssString(el.getAttribute('name')) + ']'; }
      if (el.getAttribute('value') && (tag === 'button' || el.type === 'radio' || el.type === 'checkbox')) {
        sel += '[value=' + cssString(el.getAttribute('value')) + ']';
      }
      if (el.getAttribute('type')) { sel += '[type=' + cssString(el.getAttribute('type')) + ']'; }
      return sel;
    }
    if (tag === 'a' && el.getAttribute('href')) { return 'a[href=' + cssString(el.getAttribute('href')) + ']'; }
    return null;
  }

  function rememberFocus() {
    var el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) { return null; }
    var sel = focusSelector(el);
    if (!sel) { return null; }
    return { el: el, sel: sel, index: Math.max(0, Array.prototype.indexOf.call(document.querySelectorAll(sel), el)) };
  }

  function visible(el) { return !!(el && el.getClientRects().length) && !el.closest('.visually-hidden, [hidden]'); }

  function focusLost(kept) {
    var now = document.activeElement;
    return !now || now === document.body || now === document.documentElement || (kept && !kept.el.isConnected);
  }

  function restoreFocus(kept, root) {
    if (!kept) { return; }
    root = root && root.isConnected ? root : document.body;
    var errors = root.querySelector('.form-errors[tabindex="-1"]');
    if (errors && visible(errors)) { errors.focus(); return; }
    if (!focusLost(kept)) { return; }
    var found = document.querySelectorAll(kept.sel);
    var target = found[kept.index] || found[found.length - 1] || null;
    if (target && (target.disabled || !visible(target))) { target = null; }
    if (!target) {
      target = Array.prototype.find.call(root.querySelectorAll('h1, h2, h3'), visible) || null;
      if (!target) { return; }
      if (!target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
    }
    target.focus({ preventScroll: false });
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
    var kept = rememberFocus();
    htmx.swap(document.body, html, { swapStyle: 'none' });
    if (kept && focusLost(kept)) { restoreFocus(kept, document.getElementById('main')); }
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
      liveEventNames().forEach(function (name) { source.addEventListener(name, handle); });
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
  //
  // The outbox is a queue kept in localStorage. Every press of Send takes the text, clears the
  // box and queues the note under its own client id; notes go out one at a time, in order,
  // and each is retried with the same id until the server acknowledges it (the server makes
  // a repeated id a no-op, so a retry after a lost answer is never a second note). "Your
  // notes" shows every queued note's state, and a reload picks the queue up again. The queue
  // belongs to the page, not to the form: a phase change re-renders the form and must not
  // start a second sender.

  var outboxes = {};

  function createOutbox(list) {
    var url = list.dataset.outboxUrl;
    var key = 'labb-outbox:' + new URL(url, window.location.href).href;
    var items = load();
    var inFlight = null;
    var attempt = 0;
    var retryTimer = null;
    var form = null;
    var waitingOnNetwork = false;

    function load() {
      var value;
      try { value = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { value = null; }
      if (!value) { return []; }
      // An outbox saved by the single-note version of this script is one object.
      if (!Array.isArray(value)) { value = [value]; }
      return value.filter(function (item) {
        return item && item.client_id && typeof item.text === 'string' && item.text.trim();
      }).map(function (item) {
        item.state = item.state === 'failed' ? 'failed' : 'waiting';
        return item;
      });
    }

    function save() {
      try {
        if (items.length) { localStorage.setItem(key, JSON.stringify(items)); }
        else { localStorage.removeItem(key); }
      } catch (e) { /* private mode: the queue lives as long as the page */ }
    }

    function say(text) {
      var el = form && form.querySelector('[data-send-status]');
      if (el) { el.textContent = text || ''; }
    }

    function summarise() {
      if (!form) { return; }
      if (inFlight) { say(form.dataset.msgSending); }
      else if (waitingOnNetwork) { say(form.dataset.msgQueued); }
      else if (items.some(function (item) { return item.state === 'failed'; })) { say(form.dataset.msgFailed); }
      else { say(form.dataset.msgSent); }
    }

    function button(action, label, item) {
      var el = document.createElement('button');
      el.type = 'button';
      el.className = 'button small' + (action === 'remove' ? ' danger' : '');
      el.dataset.outboxAction = action;
      el.dataset.clientId = item.client_id;
      el.textContent = label;
      var hidden = document.createElement('span');
      hidden.className = 'visually-hidden';
      hidden.textContent = ': ' + (item.text.length > 30 ? item.text.slice(0, 29) + '…' : item.text);
      el.appendChild(hidden);
      return el;
    }

    function render(item) {
      var id = 'outbox-' + item.client_id;
      var li = document.getElementById(id);
      if (!li) {
        li = document.createElement('li');
        li.id = id;
        li.className = 'own-note outbox-note';
        var empty = document.getElementById('own-notes-empty');
        if (empty) { empty.remove(); }
        // Newest first, like the notes already saved; queued notes are newer than those.
        var after = null;
        items.some(function (other) {
          if (other === item) { return true; }
          var el = document.getElementById('outbox-' + other.client_id);
          if (el) { after = el; }
          return false;
        });
        if (after) { list.insertBefore(li, after); } else {
          var firstSaved = list.querySelector('.own-note:not(.outbox-note)');
          list.insertBefore(li, firstSaved);
        }
      }
      var state = item === inFlight ? 'sending' : item.state;
      li.dataset.state = state;
      li.textContent = '';
      var text = document.createElement('p');
      text.className = 'note-text';
      if (list.dataset.contentLang) { text.lang = list.dataset.contentLang; }
      text.textContent = item.text;
      li.appendChild(text);
      var meta = document.createElement('p');
      meta.className = 'note-meta';
      meta.textContent = (item.column_title ? item.column_title + ' · ' : '') +
        (list.dataset['outbox' + state.charAt(0).toUpperCase() + state.slice(1)] || '');
      li.appendChild(meta);
      if (state === 'failed' && item.error) {
        var why = document.createElement('p');
        why.className = 'outbox-error';
        why.textContent = item.error;
        li.appendChild(why);
      }
      if (state !== 'sending') {
        var actions = document.createElement('div');
        actions.className = 'own-note-actions';
        actions.appendChild(button('retry', list.dataset.outboxRetry, item));
        if (state === 'failed') {
          if (form) { actions.appendChild(button('edit', list.dataset.outboxEdit, item)); }
          actions.appendChild(button('remove', list.dataset.outboxRemove, item));
        }
        li.appendChild(actions);
      }
    }

    function drop(item) {
      items = items.filter(function (other) { return other !== item; });
      save();
    }

    function find(clientId) {
      for (var i = 0; i < items.length; i += 1) {
        if (items[i].client_id === clientId) { return items[i]; }
      }
      return null;
    }

    function retryLater(seconds) {
      attempt += 1;
      var delay = seconds ? seconds * 1000
        : Math.min(15000, 1000 * Math.pow(2, attempt - 1)) + Math.random() * 500;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(pump, delay);
    }

    function acknowledged(item, html) {
      attempt = 0;
      waitingOnNetwork = false;
      drop(item);
      var tpl = document.createElement('template');
      tpl.innerHTML = html.trim();
      var saved = tpl.content.firstElementChild;
      var queued = document.getElementById('outbox-' + item.client_id);
      if (saved && saved.id && document.getElementById(saved.id)) { saved = null; }
      if (queued && saved) { queued.replaceWith(saved); } else if (queued) { queued.remove(); }
      else if (saved) { list.prepend(saved); }
      if (saved) { htmx.process(saved); }
    }

    function refused(item, html) {
      var tpl = document.createElement('template');
      tpl.innerHTML = html;
      var errors = tpl.content.querySelector('.errorlist') || tpl.content.querySelector('#form-errors');
      item.state = 'failed';
      item.error = errors ? errors.textContent.replace(/\s+/g, ' ').trim() : '';
      save();
      render(item);
    }

    function pump() {
      window.clearTimeout(retryTimer);
      if (inFlight) { return; }
      var item = null;
      for (var i = 0; i < items.length; i += 1) {
        if (items[i].state === 'waiting') { item = items[i]; break; }
      }
      if (!item) { summarise(); return; }
      var token = document.querySelector('input[name=csrfmiddlewaretoken]');
      inFlight = item;
      render(item);
      summarise();
      var body = new FormData();
      body.append('client_id', item.client_id);
      body.append('column', item.column);
      body.append('text', item.text);
      // A plain fetch, not htmx.ajax: the outbox reads the status and Retry-After itself
      // and keeps the note queued across failures. HX-Request asks for the fragment.
      fetch(url, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': token ? token.value : '', 'HX-Request': 'true' }
      }).then(function (response) {
        return response.text().then(function (html) {
          return { status: response.status, html: html, retryAfter: response.headers.get('Retry-After') };
        });
      }).then(function (result) {
        inFlight = null;
        if (result.status === 200 || result.status === 201) {
          acknowledged(item, result.html);
          pump();
        } else if (result.status === 429 || result.status >= 500) {
          // Not saved, or unsure: it stays at the head of the queue, same id, and goes again.
          waitingOnNetwork = true;
          render(item);
          summarise();
          retryLater(parseInt(result.retryAfter, 10) || 0);
        } else {
          // Refused (closed, too long…): keep it, say why, and let the rest go on.
          refused(item, result.html);
          pump();
        }
      }).catch(function () {
        inFlight = null;
        waitingOnNetwork = true;
        render(item);
        summarise();
        retryLater(0);
      });
    }

    function enqueue(column, columnTitle, text) {
      var item = { client_id: randomId(), column: column, column_title: columnTitle, text: text, state: 'waiting' };
      items.push(item);
      save();
      render(item);
      pump();
    }

    list.addEventListener('click', function (ev) {
      var target = ev.target.closest('[data-outbox-action]');
      if (!target) { return; }
      var item = find(target.dataset.clientId);
      if (!item || item === inFlight) { return; }
      var action = target.dataset.outboxAction;
      if (action === 'retry') {
        item.state = 'waiting';
        item.error = '';
        save();
        attempt = 0;
        render(item);
        pump();
      } else if (action === 'edit' && form) {
        if (form.elements.text.value.trim()) {
          // Never overwrite what is being written: that would lose it.
          say(form.dataset.msgBusy);
          form.elements.text.focus();
          return;
        }
        form.elements.text.value = item.text;
        var radio = form.querySelector('input[name=column][value="' + item.column + '"]');
        if (radio) { radio.checked = true; }
        drop(item);
        document.getElementById('outbox-' + item.client_id).remove();
        form.elements.text.focus();
        summarise();
      } else if (action === 'remove' && window.confirm(list.dataset.outboxConfirmRemove)) {
        drop(item);
        document.getElementById('outbox-' + item.client_id).remove();
        summarise();
      }
    });
    window.addEventListener('online', function () { attempt = 0; pump(); });

    items.forEach(render);
    pump();

    return {
      attach: function (el) { form = el; items.forEach(render); summarise(); },
      enqueue: enqueue,
      retryNow: function () { attempt = 0; pump(); }
    };
  }

  function outboxFor(list) {
    var key = list.dataset.outboxUrl;
    if (!outboxes[key] || !document.body.contains(outboxes[key].list)) {
      outboxes[key] = { list: list, box: createOutbox(list) };
    }
    return outboxes[key].box;
  }

  // A field that was refused says so to a screen reader, and which message explains why
  // (WCAG 3.3.1); `errorId` null clears it.
  function markInvalid(field, errorId) {
    var described = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (id) {
      return id && id !== field.dataset.errorId;
    });
    if (errorId) {
      field.setAttribute('aria-invalid', 'true');
      field.dataset.errorId = errorId;
      described.push(errorId);
    } else {
      field.removeAttribute('aria-invalid');
      delete field.dataset.errorId;
    }
    if (described.length) { field.setAttribute('aria-describedby', described.join(' ')); }
    else { field.removeAttribute('aria-describedby'); }
  }

  function initNoteForm(form) {
    var list = document.getElementById('own-notes');
    if (!list || !list.dataset.outboxUrl) { return; }
    var box = outboxFor(list);
    box.attach(form);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = form.elements.text.value;
      var column = form.querySelector('input[name=column]:checked');
      var errors = document.getElementById('note-errors');
      if (errors) { errors.innerHTML = ''; }
      markInvalid(form.elements.text, null);
      if (!text.trim()) {
        // Said here, not by the server: an empty note must be refused offline too, and is
        // never queued. The markup is that of _form_errors.html.
        if (errors) {
          var notice = document.createElement('div');
          notice.className = 'form-errors';
          notice.id = 'form-errors';
          notice.setAttribute('role', 'alert');
          notice.tabIndex = -1;
          var heading = document.createElement('p');
          heading.appendChild(document.createElement('strong')).textContent = form.dataset.msgCorrect;
          notice.appendChild(heading);
          var link = document.createElement('a');
          link.href = '#' + form.elements.text.id;
          var label = form.querySelector('label[for="' + form.elements.text.id + '"]');
          link.textContent = label ? label.textContent : '';
          var line = notice.appendChild(document.createElement('ul')).appendChild(document.createElement('li'));
          line.id = 'text-error';
          line.appendChild(link);
          line.appendChild(document.createTextNode(': ' + form.dataset.msgEmpty));
          errors.appendChild(notice);
          markInvalid(form.elements.text, line.id);
          notice.focus();
        } else {
          form.elements.text.focus();
        }
        return;
      }
      var title = column ? column.closest('label').querySelector('strong') : null;
      form.elements.text.value = '';
      form.elements.text.focus();
      box.enqueue(column ? column.value : '', title ? title.textContent : '', text);
    });
    var button = form.querySelector('button[type=submit]');
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

  // What a stage swap must not take from the person at the screen: typed text, chosen
  // options and ticked boxes, open <details>, focus, and the content of [data-keep] areas
  // (the wall's "Undo"). Restored by id after the swap.
  function keepTyped(root) {
    var kept = [];
    root.querySelectorAll('input[id]:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea[id]').forEach(function (el) {
      if (el.value !== el.defaultValue) { kept.push([el.id, 'value', el.value]); }
    });
    root.querySelectorAll('select[id]').forEach(function (el) {
      var changed = Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      if (changed) { kept.push([el.id, 'value', el.value]); }
    });
    root.querySelectorAll('input[id][type=checkbox], input[id][type=radio]').forEach(function (el) {
      if (el.checked !== el.defaultChecked) { kept.push([el.id, 'checked', el.checked]); }
    });
    root.querySelectorAll('details[id]').forEach(function (el) {
      if (el.open !== el.hasAttribute('data-default-open')) { kept.push([el.id, 'open', el.open]); }
    });
    root.querySelectorAll('[data-keep][id]').forEach(function (el) {
      kept.push([el.id, 'innerHTML', el.innerHTML]);
    });
    var focused = document.activeElement && root.contains(document.activeElement) ? rememberFocus() : null;
    return function (fresh) {
      kept.forEach(function (item) {
        var el = document.getElementById(item[0]);
        if (!el) { return; }
        if (item[1] === 'value' && el.tagName === 'SELECT' &&
            !Array.prototype.some.call(el.options, function (o) { return o.value === item[2]; })) {
          return;  // the chosen option is gone (a theme was dissolved): keep the default
        }
        el[item[1]] = item[2];
      });
      if (focused) { restoreFocus(focused, fresh); }
    };
  }

  // A drag in progress or an open dialog must not lose its elements to a swap: the stage
  // waits (labb:busy is set by the clustering wall, static/labb/wall.js).
  function stageBusy() {
    return document.body.classList.contains('labb-busy') || !!document.querySelector('#stage dialog[open]');
  }

  function refetchStage(delay) {
    var stage = document.getElementById('phone-stage') || document.getElementById('stage');
    if (!stage || !stage.dataset.stageUrl) { return; }
    var id = stage.id;
    window.clearTimeout(refetchTimer);
    refetchTimer = window.setTimeout(function () {
      var current = document.getElementById(id);
      if (!current) { return; }
      if (stageBusy()) { refetchStage(250); return; }
      var seq = ++stageSeq;
      // A plain fetch, not htmx.ajax: an answer older than the latest request is dropped
      // (stageSeq), and what the user is typing survives the swap (keepTyped).
      fetch(current.dataset.stageUrl, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          var now = document.getElementById(id);
          if (!html || !now || seq !== stageSeq) { return; }
          if (stageBusy()) { refetchStage(250); return; }
          var restore = keepTyped(now);
          htmx.swap(now, html, { swapStyle: 'outerHTML' });
          var fresh = document.getElementById(id);
          if (fresh) { htmx.process(fresh); initWithin(fresh); }
          restore(fresh);
          document.dispatchEvent(new CustomEvent('labb:stage'));
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
    } else if (name === 'theme-move' || name === 'theme-saved') {
      // The wall swaps the moved cards and counts in place (wall.js); other screens fetch.
      if (!document.getElementById('wall')) { refetchStage(phone ? 1000 + Math.random() * 2500 : 300); }
    } else if (name === 'theme' || name === 'vote' || name === 'action') {
      // Bursts (a facilitator sorting quickly) become one fetch.
      refetchStage(phone ? 1000 + Math.random() * 2500 : 600);
    } else if (name === 'timer') {
      tickTimers();
    } else if ((name === 'note' || name === 'note-changed' || name === 'note-removed') &&
               !document.querySelector('#stage .board-grid, #phone-stage .board-grid')) {
      // The event's fragment targets a board grid (#notes-g…-c…); in the Cluster phase and
      // later the stage shows the wall of themes instead, so fetch it with the change.
      refetchStage(phone ? 1000 + Math.random() * 2500 : 300);
    }
    if (name === 'note' || name === 'note-changed' || name === 'note-removed' || name === 'group') {
      fitProjector();
    }
  }

  // A form with data-confirm (deleting a note) asks first; Cancel sends nothing. Runs in
  // the capture phase, before htmx or the outbox see the submit.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  // --- Projector: everything on one screen ------------------------------------------------

  // The projector's type scales with what it shows: a few notes are large, 18 groups with
  // 250 notes still fit one screen without scrolling. `--fit` scales every size on the
  // stage (they are in em); it is searched for, largest first, after each change.
  var fitFrame = null;
  var FIT_MIN = 0.4;
  var FIT_MAX = 1.6;

  function fitsScreen() {
    var doc = document.documentElement;
    // Strictly: a page 1 px taller than the screen scrolls (the counts table of 18 groups
    // came out at 1081 px on a 1080 px projector with a pixel of slack here).
    return doc.scrollHeight <= window.innerHeight && doc.scrollWidth <= window.innerWidth;
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

  // --- Phone: the vote list -----------------------------------------------------------------

  // Loose notes sit in collapsed sections (one per group and column) under the themes, with a
  // text filter. A vote swaps the whole stage: the filter and the sections the participant
  // opened are kept here and put back on the new list.
  var voteList = { query: '', open: {} };

  function normalise(text) { return text.toLocaleLowerCase().replace(/\s+/g, ' ').trim(); }

  function applyVoteFilter(list) {
    var query = normalise(voteList.query);
    var matches = 0;
    list.querySelectorAll('details[data-section]').forEach(function (section) {
      var found = 0;
      section.querySelectorAll('.vote-item').forEach(function (item) {
        var label = item.querySelector('.vote-label');
        var hit = !query || normalise(label ? label.textContent : '').indexOf(query) >= 0;
        item.hidden = !hit;
        if (hit) { found += 1; }
      });
      matches += found;
      section.hidden = !!query && found === 0;
      section.open = query ? found > 0 : !!voteList.open[section.dataset.section];
    });
    var status = list.querySelector('#vote-filter-status');
    if (status) {
      status.textContent = !query ? '' : matches === 0 ? list.dataset.msgNone
        : list.dataset.msgSome.replace('%s', String(matches));
    }
  }

  function initVoteList(root) {
    var list = root.matches && root.matches('[data-vote-list]') ? root
      : root.querySelector('[data-vote-list]');
    if (!list || list.dataset.ready) { return; }
    list.dataset.ready = '1';
    var input = list.querySelector('[data-vote-filter]');
    if (input) {
      input.value = voteList.query;
      input.addEventListener('input', function () {
        voteList.query = input.value;
        applyVoteFilter(list);
      });
    }
    list.querySelectorAll('details[data-section]').forEach(function (section) {
      section.addEventListener('toggle', function () {
        // Sections opened by the filter are not the participant's choice.
        if (!normalise(voteList.query)) { voteList.open[section.dataset.section] = section.open; }
      });
    });
    applyVoteFilter(list);
  }

  // The stage was swapped after a vote: back to the button that was pressed (or, once the
  // last vote there is taken back, to that note's Add button).
  function restoreVoteFocus(root) {
    var focus = voteList.focus;
    if (!focus || !root.querySelector || !root.querySelector('.vote-form')) { return; }
    voteList.focus = null;
    var again = document.getElementById(focus) ||
      document.getElementById(focus.replace('vote-remove-', 'vote-add-'));
    if (again) { again.focus(); }
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target.closest && ev.target.closest('.vote-form button[id]');
    if (button) { voteList.focus = button.id; }
  });

  function initWithin(root) {
    if (!root.querySelectorAll) { return; }
    initVoteList(root);
    restoreVoteFocus(root);
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll('[data-note-form]')));
    all.forEach(function (el) {
      if (el.matches && el.matches('[data-note-form]') && !el.dataset.ready) {
        el.dataset.ready = '1';
        initNoteForm(el);
      }
    });
    // Only a page render is fresh: a replayed live event carries an old server time.
    if (root === document.body) { readServerNow(root); }
    tickTimers();
    fitProjector();
  }

  function init() {
    // Signed out of Labb: go on to the identity provider's sign-out (single logout). A link,
    // not a redirect of the sign-out form: the CSP's form-action 'self' covers redirects.
    var followOn = document.querySelector('a[data-follow-on-load]');
    if (followOn) { window.location.assign(followOn.href); return; }
    document.querySelectorAll('[data-live-url]').forEach(initLive);
    initWithin(document.body);
    // A form sent without htmx came back refused: start at its list of errors (WCAG 3.3.1),
    // not at the top of the page.
    var refusedForm = document.querySelector('.form-errors[tabindex="-1"]');
    if (refusedForm) { refusedForm.focus(); }
    var own = document.getElementById('own-notes');
    if (own && own.dataset.outboxUrl) { outboxFor(own); }
    var region = document.getElementById('live-announcer');
    if (region) { initAnnouncer(region); }
    document.addEventListener('labb:live', onLiveEvent);
    document.body.addEventListener('htmx:load', function (ev) { initWithin(ev.target); });
    document.body.addEventListener('htmx:beforeRequest', function () { stageSeq += 1; });
    var swapFocus = null;
    document.body.addEventListener('htmx:beforeSwap', function () { swapFocus = rememberFocus(); });
    document.body.addEventListener('htmx:afterSettle', function (ev) {
      var target = ev.detail.target;
      var root = target && !target.isConnected && target.id ? document.getElementById(target.id) : target;
      var kept = swapFocus;
      swapFocus = null;
      restoreFocus(kept, root);
    });
    // A refused action (400/403/409) comes back as a page that explains why: show it.
    document.body.addEventListener('htmx:beforeSwap', function (ev) {
      var status = ev.detail.xhr.status;
      if (status === 400 || status === 403 || status === 409) {
        ev.detail.shouldSwap = true;
        ev.detail.isError = false;
      }
    });
    initBusyForms();
    window.setInterval(tickTimers, 1000);
    window.addEventListener('resize', fitProjector);
  }

  // A form marked data-busy-form says while it has requests on their way (aria-busy, which
  // the CSS shows on its button) and says so when one gets no answer, so no click is lost
  // without a word. Its hx-sync="this:queue all" keeps every click as a request.
  function initBusyForms() {
    function busyForm(ev) {
      var form = ev.detail && ev.detail.elt;
      return form && form.matches && form.matches('form[data-busy-form]') ? form : null;
    }
    document.body.addEventListener('htmx:beforeRequest', function (ev) {
      var form = busyForm(ev);
      if (!form) { return; }
      form.dataset.pending = String((Number(form.dataset.pending) || 0) + 1);
      form.setAttribute('aria-busy', 'true');
    });
    document.body.addEventListener('htmx:afterRequest', function (ev) {
      var form = busyForm(ev);
      if (!form) { return; }
      var pending = Math.max(0, (Number(form.dataset.pending) || 0) - 1);
      form.dataset.pending = String(pending);
      if (pending === 0) { form.removeAttribute('aria-busy'); }
      var status = ev.detail.xhr ? ev.detail.xhr.status : 0;
      if (!ev.detail.successful && status !== 400 && status !== 403 && status !== 409) {
        var region = form.parentNode.querySelector('[role=status]');
        if (region) {
          var line = document.createElement('p');
          line.className = 'error';
          line.textContent = form.dataset.msgFailed || '';
          region.replaceChildren(line);
        }
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
  window.Labb = {
    applyLive: applyLive, randomId: randomId, refetchStage: refetchStage,
    rememberFocus: rememberFocus, restoreFocus: restoreFocus
  };
})();
