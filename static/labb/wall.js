/* Labb's clustering wall (templates/workshops/_wall.html): hundreds of notes as compact
 * cards, moved into themes by pointer drag, by keyboard (Enter opens one shared move menu)
 * or by the "Move selected to" toolbar. A move changes only the moved cards and two counts:
 * the server answers with those elements marked data-wall-swap, and the same markup reaches
 * the other screens as the `theme-move` live event. Nothing is swapped while a drag is in
 * progress: the changes wait until the drop, and the stage refetch waits too (`labb-busy`).
 * No inline scripts or styles (CSP): the ghost is placed through the CSSOM. */
(function () {
  'use strict';

  var drag = null;      // {card, ids, x, y, active, ghost, zone}
  var held = [];        // swaps that arrived during a drag
  var suppressClick = false;
  var shownTimer = null;

  function byId(id) { return document.getElementById(id); }
  function wall() { return byId('wall'); }

  function csrf() {
    var el = document.querySelector('#wall input[name=csrfmiddlewaretoken]') ||
      document.querySelector('input[name=csrfmiddlewaretoken]');
    return el ? el.value : '';
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'X-CSRFToken': csrf(), 'HX-Request': 'true' }
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    });
  }

  function say(text) {
    var status = byId('wall-status');
    if (status) { status.textContent = text; }
  }

  // --- Swaps in place --------------------------------------------------------------------

  // What an inner swap must not take from the person at the screen: a chosen option, typed
  // text and unticked boxes (a suggestion being renamed), open sections (a theme's Edit),
  // and focus. Put back by id where the element is still there.
  function keepEdits(target) {
    var kept = [];
    if (target.tagName === 'SELECT') { kept.push([target.id, 'value', target.value]); }
    target.querySelectorAll('input[id]:not([type=hidden]):not([type=checkbox]), textarea[id]').forEach(function (el) {
      if (el.value !== el.defaultValue) { kept.push([el.id, 'value', el.value]); }
    });
    target.querySelectorAll('input[id][type=checkbox]').forEach(function (el) {
      if (el.checked !== el.defaultChecked) { kept.push([el.id, 'checked', el.checked]); }
    });
    target.querySelectorAll('details[id]').forEach(function (el) {
      if (el.open) { kept.push([el.id, 'open', true]); }
    });
    var focused = target.contains(document.activeElement) ? document.activeElement.id : '';
    return function () {
      kept.forEach(function (item) {
        var el = byId(item[0]);
        if (!el) { return; }
        if (el.tagName === 'SELECT' && !Array.prototype.some.call(el.options, function (o) { return o.value === item[2]; })) {
          return;  // the chosen theme is gone
        }
        el[item[1]] = item[2];
      });
      if (focused && byId(focused)) { byId(focused).focus(); }
    };
  }

  // A drag in progress or the open move menu keeps its elements (and focus) until it ends.
  function holding() {
    var dialog = byId('wall-move-dialog');
    return !!(drag && drag.active) || !!(dialog && dialog.open);
  }

  function applySwaps(html) {
    if (holding()) { held.push(html); return; }
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    var refetch = false;
    var changed = false;
    // Focus on a control without an id (a theme's Rename button) is found again the way
    // labb.js finds it after its own swaps: by its form's action and name (WCAG 2.4.3).
    var keptFocus = window.Labb && window.Labb.rememberFocus ? window.Labb.rememberFocus() : null;
    tpl.content.querySelectorAll('[data-wall-swap]').forEach(function (el) {
      var mode = el.getAttribute('data-wall-swap');
      el.removeAttribute('data-wall-swap');
      if (el.hasAttribute('data-wall-refetch')) { refetch = true; }
      var target = el.id ? byId(el.id) : null;
      if (!target) { return; }
      // Cards or themes changed: the suggestions (made from the notes without a theme) too.
      if (el.classList.contains('wall-card') || el.id === 'wall-themes') { changed = true; }
      if (mode === 'delete') { target.remove(); return; }
      if (mode === 'inner') {
        var restore = keepEdits(target);
        target.innerHTML = el.innerHTML;
        restore();
        return;
      }
      var picked = target.querySelector('.wall-pick');
      var focused = target.contains(document.activeElement) ? document.activeElement.id : '';
      var fresh = document.importNode(el, true);
      target.replaceWith(fresh);
      var pick = fresh.querySelector('.wall-pick');
      if (pick && picked) { pick.checked = picked.checked; pick.tabIndex = picked.tabIndex; }
      if (focused && byId(focused)) { byId(focused).focus(); }
    });
    if (keptFocus) { window.Labb.restoreFocus(keptFocus); }
    filterCards();
    updateSelected();
    if (refetch && window.Labb && window.Labb.refetchStage) { window.Labb.refetchStage(0); }
    else if (changed) { refreshSuggestions(); }
  }

  // The suggestions are made from the notes without a theme: after moves (here or on another
  // screen) and new themes they are fetched again, once the moves pause, never during a drag
  // or with the move menu open. A rejected suggestion stays out (the server leaves it out).
  var suggestionsTimer = null;
  var SUGGESTIONS_AFTER_MS = 800;

  function refreshSuggestions() {
    window.clearTimeout(suggestionsTimer);
    suggestionsTimer = window.setTimeout(function () {
      var root = wall();
      if (!root || !root.dataset.suggestionsUrl) { return; }
      if (document.body.classList.contains('labb-busy')) { refreshSuggestions(); return; }
      fetch(root.dataset.suggestionsUrl, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          applySwaps(html);
        })
        .catch(function () { /* the next move asks again */ });
    }, SUGGESTIONS_AFTER_MS);
  }

  function flushHeld() {
    var waiting = held;
    held = [];
    waiting.forEach(applySwaps);
  }

  // --- Selection and moves ---------------------------------------------------------------

  function picks() { return Array.prototype.slice.call(document.querySelectorAll('#wall .wall-pick')); }

  function selectedIds() {
    return picks().filter(function (p) { return p.checked; }).map(function (p) { return p.value; });
  }

  // The notes a gesture on `card` moves: every selected note if the card is one of them,
  // otherwise the card alone.
  function idsFor(card) {
    var pick = card.querySelector('.wall-pick');
    if (pick && pick.checked) { return selectedIds(); }
    return [card.dataset.note];
  }

  // The order in which notes were selected (the first is the one duplicates go under).
  var selected = [];

  function selectionOrder() {
    var now = selectedIds();
    selected = selected.filter(function (id) { return now.indexOf(id) >= 0; });
    now.forEach(function (id) { if (selected.indexOf(id) < 0) { selected.push(id); } });
    return selected.slice();
  }

  function markPicked(pick) {
    var card = pick.closest('.wall-card');
    if (card && card.classList.contains('picked') !== pick.checked) { card.classList.toggle('picked', pick.checked); }
  }

  function updateSelected() {
    picks().forEach(markPicked);
    selectionOrder();
    var el = byId('wall-selected');
    var root = wall();
    if (!el || !root) { return; }
    var n = selectedIds().length;
    el.textContent = n ? root.dataset.msgSelected.replace('%s', String(n)) : '';
  }

  // The move shows at once: the cards take the theme (its name on their badge) and the
  // counts change, before the server answers (a move's round trip is 30-200 ms, most of it
  // waiting for the server). The answer then swaps in the cards and counts as the server
  // has them; a refusal (or no answer) puts back what was there.
  function count(id) { return byId('wall-count-' + (id || 'none')); }

  function showMove(ids, theme) {
    var undo = [];
    var nameEl = theme ? byId('theme-name-' + theme) : null;
    var name = nameEl ? nameEl.textContent : '';
    var delta = {};
    ids.forEach(function (id) {
      var card = byId('cnote-' + id);
      if (!card || card.dataset.theme === theme) { return; }
      var meta = card.querySelector(':scope > .note-meta');
      undo.push({ card: card, theme: card.dataset.theme, meta: meta ? meta.innerHTML : null });
      var size = 1 + card.querySelectorAll('.duplicates > li').length;
      delta[card.dataset.theme] = (delta[card.dataset.theme] || 0) - size;
      delta[theme] = (delta[theme] || 0) + size;
      card.dataset.theme = theme;
      if (meta) {
        var badge = meta.querySelector('.wall-badge');
        if (badge && badge.previousSibling) { badge.previousSibling.remove(); }
        if (badge) { badge.remove(); }
        if (theme) {
          meta.appendChild(document.createTextNode(' · '));
          badge = document.createElement('span');
          badge.className = 'wall-badge';
          badge.textContent = name;
          meta.appendChild(badge);
        }
      }
    });
    var counts = [];
    Object.keys(delta).forEach(function (key) {
      var el = count(key);
      if (!el || !delta[key]) { return; }
      counts.push({ id: el.id, text: el.textContent });
      el.textContent = String(Math.max(0, (parseInt(el.textContent, 10) || 0) + delta[key]));
    });
    filterCards();
    return function putBack() {
      undo.forEach(function (was) {
        // Only a card the answer has not replaced since.
        if (!was.card.isConnected || was.card.dataset.theme !== theme) { return; }
        was.card.dataset.theme = was.theme;
        var meta = was.card.querySelector(':scope > .note-meta');
        if (meta && was.meta !== null) { meta.innerHTML = was.meta; }
      });
      counts.forEach(function (was) { var el = byId(was.id); if (el) { el.textContent = was.text; } });
      filterCards();
    };
  }

  function move(ids, theme) {
    var root = wall();
    if (!root) { return Promise.resolve(); }
    var body = new FormData();
    ids.forEach(function (id) { body.append('note', id); });
    body.append('theme', theme);
    var putBack = showMove(ids, theme);
    return post(root.dataset.moveUrl, body).then(function (result) {
      if (result.ok) {
        ids.forEach(function (id) { var p = byId('pick-' + id); if (p) { p.checked = false; } });
      } else {
        putBack();
      }
      applySwaps(result.html);
    }).catch(function () { putBack(); say(''); });
  }

  // --- Filter (client-side: every card is on the page) -----------------------------------

  function filterValue(name) {
    var el = document.querySelector('#wall [data-wall-filter="' + name + '"]');
    return el ? el.value : '';
  }

  // The words of the note and its duplicates, not the theme's name on the card.
  function noteText(card) {
    return Array.prototype.map.call(card.querySelectorAll('.note-text'), function (el) {
      return el.textContent;
    }).join(' ').toLowerCase();
  }

  function filterCards() {
    var root = wall();
    if (!root) { return; }
    var text = filterValue('text').trim().toLowerCase();
    var group = filterValue('group');
    var column = filterValue('column');
    var theme = filterValue('theme');
    var cards = root.querySelectorAll('.wall-card');
    var shown = 0;
    cards.forEach(function (card) {
      var ok = (!group || card.dataset.group === group) &&
        (!column || card.dataset.column === column) &&
        (!theme || (theme === 'none' ? card.dataset.theme === '' : card.dataset.theme === theme)) &&
        (!text || noteText(card).indexOf(text) >= 0);
      if (card.hidden === ok) { card.hidden = !ok; }
      if (ok) { shown += 1; }
    });
    var line = byId('wall-shown');
    if (line) {
      var message = root.dataset.msgShown.replace('%s', String(shown)).replace('%t', String(cards.length));
      window.clearTimeout(shownTimer);
      // Said once typing pauses, not at every key.
      shownTimer = window.setTimeout(function () {
        if (line.textContent !== message) { line.textContent = message; }
      }, 400);
    }
  }

  // --- Pointer drag ----------------------------------------------------------------------

  function setBusy(on) { document.body.classList.toggle('labb-busy', on); }

  function zoneAt(x, y) {
    var el = document.elementFromPoint(x, y);
    return el && el.closest ? el.closest('#wall [data-drop-theme]') : null;
  }

  function startDrag(ev) {
    drag.active = true;
    drag.ids = idsFor(drag.card);
    setBusy(true);
    drag.ids.forEach(function (id) { var c = byId('cnote-' + id); if (c) { c.classList.add('dragging'); } });
    var ghost = document.createElement('div');
    ghost.className = 'wall-ghost';
    ghost.setAttribute('aria-hidden', 'true');
    var text = drag.card.querySelector('.note-text');
    ghost.textContent = drag.ids.length > 1 ? '×' + drag.ids.length + ' · ' + (text ? text.textContent : '')
      : (text ? text.textContent : '');
    document.body.appendChild(ghost);
    drag.ghost = ghost;
    say(wall().dataset.msgDragging.replace('%s', String(drag.ids.length)));
    placeGhost(ev);
  }

  function placeGhost(ev) {
    drag.ghost.style.transform = 'translate(' + (ev.clientX + 12) + 'px, ' + (ev.clientY + 12) + 'px)';
  }

  function endDrag() {
    var d = drag;
    drag = null;
    if (!d || !d.active) { return d; }
    if (d.ghost) { d.ghost.remove(); }
    if (d.zone) { d.zone.classList.remove('drop-target'); }
    document.querySelectorAll('#wall .wall-card.dragging').forEach(function (c) { c.classList.remove('dragging'); });
    setBusy(false);
    return d;
  }

  document.addEventListener('pointerdown', function (ev) {
    if (ev.button !== 0 || !ev.isPrimary) { return; }
    var card = ev.target.closest ? ev.target.closest('#wall .wall-card') : null;
    if (!card || ev.target.closest('button, a, input, select, summary')) { return; }
    drag = { card: card, x: ev.clientX, y: ev.clientY, active: false };
  });

  document.addEventListener('pointermove', function (ev) {
    if (!drag) { return; }
    if (!drag.active) {
      if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) < 6) { return; }
      startDrag(ev);
    }
    ev.preventDefault();
    placeGhost(ev);
    var zone = zoneAt(ev.clientX, ev.clientY);
    if (zone !== drag.zone) {
      if (drag.zone) { drag.zone.classList.remove('drop-target'); }
      if (zone) { zone.classList.add('drop-target'); }
      drag.zone = zone;
    }
  });

  document.addEventListener('pointerup', function (ev) {
    // The theme under the pointer is found before the drag's classes come off: after them,
    // elementFromPoint would lay out the whole wall first (30-40 ms at 300 cards under load).
    var zone = drag && drag.active ? zoneAt(ev.clientX, ev.clientY) : null;
    var d = endDrag();
    if (!d || !d.active) { return; }
    suppressClick = true;
    window.setTimeout(function () { suppressClick = false; }, 0);
    var done = zone ? move(d.ids, zone.dataset.dropTheme) : Promise.resolve(say(''));
    done.then(flushHeld, flushHeld);
  });

  document.addEventListener('pointercancel', function () {
    var d = endDrag();
    if (d && d.active) { say(''); flushHeld(); }
  });

  // A drag ends with a click on whatever is under the pointer: it must not tick a box.
  document.addEventListener('click', function (ev) {
    if (suppressClick) { ev.preventDefault(); ev.stopPropagation(); suppressClick = false; }
  }, true);

  // --- Keyboard and the shared move menu ---------------------------------------------------

  var dialogIds = [];
  var dialogReturn = null;

  function openMenu(ids, from) {
    var dialog = byId('wall-move-dialog');
    if (!dialog || !ids.length) { return; }
    dialogIds = ids;
    dialogReturn = from;
    var what = byId('wall-move-dialog-what');
    var card = byId('cnote-' + ids[0]);
    var text = card ? card.querySelector('.note-text').textContent : '';
    if (what) { what.textContent = ids.length > 1 ? wall().dataset.msgSelected.replace('%s', String(ids.length)) : text; }
    setBusy(true);
    dialog.showModal();
  }

  function closeMenu() {
    var dialog = byId('wall-move-dialog');
    if (dialog && dialog.open) { dialog.close(); }
  }

  function visiblePicks() {
    return picks().filter(function (p) { return !p.closest('.wall-card').hidden; });
  }

  document.addEventListener('keydown', function (ev) {
    var pick = ev.target.classList && ev.target.classList.contains('wall-pick') ? ev.target : null;
    if (!pick || !pick.closest('#wall')) { return; }
    if (ev.key === 'Enter' || ev.key === 'm') {
      ev.preventDefault();
      openMenu(idsFor(pick.closest('.wall-card')), pick);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight' || ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') {
      var list = visiblePicks();
      var at = list.indexOf(pick);
      var next = list[at + (ev.key === 'ArrowDown' || ev.key === 'ArrowRight' ? 1 : -1)];
      if (next) { ev.preventDefault(); next.focus(); }
    }
  });

  document.addEventListener('close', function (ev) {
    if (ev.target.id !== 'wall-move-dialog') { return; }
    setBusy(false);
    flushHeld();
    var back = dialogReturn && document.body.contains(dialogReturn) ? dialogReturn : byId(dialogReturn ? dialogReturn.id : '');
    if (back) { back.focus(); }
  }, true);

  document.addEventListener('click', function (ev) {
    var target = ev.target.closest ? ev.target.closest('[data-wall-move-to], [data-wall-close], [data-wall-undo], [data-wall-clear], [data-wall-show]') : null;
    if (!target || !target.closest('#wall')) { return; }
    if (target.hasAttribute('data-wall-move-to')) {
      var ids = dialogIds;
      closeMenu();
      move(ids, target.getAttribute('data-wall-move-to'));
    } else if (target.hasAttribute('data-wall-close')) {
      closeMenu();
    } else if (target.hasAttribute('data-wall-undo')) {
      target.disabled = true;
      post(target.getAttribute('data-wall-undo'), new FormData()).then(function (result) { applySwaps(result.html); });
    } else if (target.hasAttribute('data-wall-clear')) {
      picks().forEach(function (p) { p.checked = false; });
      updateSelected();
    } else if (target.hasAttribute('data-wall-show')) {
      var select = byId('wall-filter-theme');
      if (select) { select.value = target.getAttribute('data-wall-show'); filterCards(); }
      var cards = byId('wall-cards');
      if (cards) { cards.scrollIntoView({ block: 'start' }); }
    }
  });

  // --- Forms: the toolbar's move, suggestions, a new theme --------------------------------

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.closest || !form.closest('#wall')) { return; }
    if (form.id === 'wall-move-form' && ev.submitter && ev.submitter.id === 'wall-merge-button') {
      // Duplicates: the first note selected keeps its place, the others go under it.
      ev.preventDefault();
      var body = new FormData();
      selectionOrder().forEach(function (id) { body.append('note', id); });
      post(ev.submitter.getAttribute('formaction'), body).then(function (result) {
        if (result.ok) { picks().forEach(function (p) { p.checked = false; }); selected = []; }
        applySwaps(result.html);
      });
    } else if (form.id === 'wall-move-form') {
      ev.preventDefault();
      move(selectedIds(), form.elements.theme.value);
    } else if (form.hasAttribute('data-wall-form')) {
      ev.preventDefault();
      var action = ev.submitter && ev.submitter.getAttribute('formaction') || form.action;
      post(action, new FormData(form)).then(function (result) {
        if (result.ok && form.classList.contains('wall-new-theme')) { form.reset(); }
        applySwaps(result.html);
      });
    }
  });

  document.addEventListener('input', function (ev) {
    if (ev.target.closest && ev.target.closest('#wall [data-wall-filter]')) { filterCards(); }
  });
  document.addEventListener('change', function (ev) {
    if (!ev.target.closest || !ev.target.closest('#wall')) { return; }
    if (ev.target.matches('[data-wall-filter]')) { filterCards(); }
    if (ev.target.matches('.wall-pick')) { updateSelected(); }
  });

  // The moves of other screens (and the echo of our own): cards and counts in place.
  document.addEventListener('labb:live', function (ev) {
    var name = ev.detail.name;
    if ((name === 'theme-move' || name === 'theme-saved') && wall() && ev.detail.data) { applySwaps(ev.detail.data); }
  });
  // After a stage refetch (a new theme, a phase change): the filter applies to the new cards.
  document.addEventListener('labb:stage', function () { filterCards(); updateSelected(); });

  function init() { filterCards(); updateSelected(); }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', init); } else { init(); }
  window.LabbWall = { applySwaps: applySwaps, busy: function () { return !!(drag && drag.active); } };
})();
