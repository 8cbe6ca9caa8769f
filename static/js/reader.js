/*
 * Fabula reader: the small amount of JavaScript the editor workspace needs on top of htmx.
 * No framework. Everything the server renders also works without this file (forms POST and redirect).
 *
 * 1. Selection → offsets. Every run of story text is a <span data-start> or <mark data-start>, so the
 *    offset of a DOM position is that element's data-start plus the characters before it in its text
 *    node. JavaScript counts UTF-16 units, Python counts code points, so we count with [...str].
 *    The server snaps the range to token boundaries; we only need to be roughly right.
 * 2. Versions. #reader[data-version] is the story version this page last saw. Every htmx request
 *    that sends a `version` field sends this one, so a stale page gets 409 instead of overwriting.
 *    It moves forward only on our own successful edits (event fabula:changed) or on fabula:stale,
 *    when every loaded chunk is re-fetched so the editor sees the other person's change.
 * 3. Keyboard: the key map is markup (the shortcuts dialog's <kbd data-hotkey> elements and the label
 *    buttons' data-hotkey), run by static/js/keys.js; this file answers its `fabula:key` actions.
 * 4. Character highlight: the panel's name buttons toggle .is-highlighted on marks whose
 *    data-character matches.
 * 5. URLs: every URL requested comes from a data-*-url attribute rendered by {% url %} (see urlFor).
 * 6. The label picker (l or /): every label by typing its name, for the labels without a digit key.
 * 7. The URL follows the part on screen (?chunk=N); opened deep in a story, the parts above load on
 *    the way up without moving the text being read.
 * 8. Back to a page the browser kept in memory: its version is checked and what it shows is reloaded.
 */
(function () {
  "use strict";

  var reader = document.getElementById("reader");
  if (!reader) return;
  var text = document.getElementById("story-text");
  var hint = document.getElementById("selection-hint");
  var selection = null; // {start, end, chunk, text} of the current mouse/keyboard selection
  var pendingFocus = null; // entity id to focus once the swapped chunk has settled
  var highlighted = null; // character id whose mentions are highlighted

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  /**
   * The URL in #reader's data-NAME-url for entity or character `id`. Those URLs are rendered by
   * {% url %} for id 0; the last "/0/" in them is the id's place (the story's pk comes before it).
   */
  function urlFor(name, id) {
    var url = reader.dataset[name];
    var at = url.lastIndexOf("/0/");
    return url.slice(0, at) + "/" + encodeURIComponent(id) + url.slice(at + 2);
  }

  function post(url, values, target) {
    values.version = reader.dataset.version;
    return htmx.ajax("POST", url, {
      source: target || text,
      target: target || text,
      swap: "none",
      values: values,
      headers: csrfHeaders(),
    });
  }

  // --- 1. selection to offsets -------------------------------------------------------------------
  function codePoints(str) {
    return Array.from(str).length;
  }

  function offsetOf(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      var owner = node.parentElement.closest("[data-start]");
      if (!owner) return null;
      return parseInt(owner.dataset.start, 10) + codePoints(node.data.slice(0, offset));
    }
    var child = node.childNodes[offset];
    if (child && child.nodeType === Node.ELEMENT_NODE && child.dataset.start) {
      return parseInt(child.dataset.start, 10);
    }
    var el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    var para = el && el.closest("[data-start]");
    if (!para) return null;
    return parseInt(para.dataset.end || para.dataset.start, 10);
  }

  function readSelection() {
    var sel = window.getSelection();
    selection = null;
    if (sel && sel.rangeCount && !sel.isCollapsed && text.contains(sel.anchorNode)) {
      var range = sel.getRangeAt(0);
      var start = offsetOf(range.startContainer, range.startOffset);
      var end = offsetOf(range.endContainer, range.endOffset);
      var chunk = range.startContainer.parentElement && range.startContainer.parentElement.closest(".chunk");
      if (start !== null && end !== null && end > start && chunk) {
        selection = { start: start, end: end, chunk: chunk, text: sel.toString() };
      }
    }
    if (hint) {
      hint.textContent = selection
        ? "Selected “" + selection.text.slice(0, 40) + "”: pick a label or press its key."
        : "Select text, then pick a label.";
    }
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(readSelection.timer);
    readSelection.timer = window.setTimeout(readSelection, 60);
  });

  // --- actions -----------------------------------------------------------------------------------
  function focusedMark() {
    var el = document.activeElement;
    return el && el.matches && el.matches("mark.entity[data-entity-id]") ? el : null;
  }

  /**
   * The entity a key acts on: the one an edit is moving focus to, before its answer is drawn, else the
   * focused one. Focus moves only once the swapped part settles, so a quick a then x would otherwise
   * reach the entity just accepted instead of the next one.
   */
  function actingMark() {
    var id = advanceTo || pendingFocus;
    var mark = id ? document.getElementById("entity-" + id) : null;
    return (mark && text.contains(mark) ? mark : null) || focusedMark() || current;
  }

  /** What a label would go on now: the selected text, else the focused entity; null if neither. */
  function labelTarget() {
    readSelection();
    if (selection) return { selection: selection };
    var mark = actingMark();
    return mark && document.contains(mark) ? { mark: mark } : null;
  }

  function applyLabel(label, target) {
    if (reader.hasAttribute("data-read-only")) {
      // The banner says why and who can reopen the story; the server would refuse the edit anyway.
      announce(document.getElementById("read-only").textContent);
      return false;
    }
    target = target || labelTarget();
    if (target && target.selection) {
      var chosen = target.selection;
      post(reader.dataset.createUrl, { start: chosen.start, end: chosen.end, label: label }, chosen.chunk);
      window.getSelection().removeAllRanges();
      return true;
    }
    if (target && target.mark && document.contains(target.mark)) {
      var mark = target.mark;
      post(urlFor("entityLabelUrl", mark.dataset.entityId), { label: label }, mark.closest(".chunk"));
      return true;
    }
    announce("Select some text or focus an entity first (j / k).");
    return false;
  }

  /**
   * POST to the focused entity's URL `urlName` (a #reader data attribute), then refocus it, or with
   * `advance` ("next" or "pending") move on to the next entity or the next suggestion instead: the
   * mark acted on may vanish (a rejected suggestion is not drawn), and focus must not fall to the page.
   */
  var advanceTo = null;
  function onMark(urlName, values, advance) {
    var mark = actingMark();
    if (!mark || !document.contains(mark)) {
      announce("Focus an entity first: press j or click one.");
      return;
    }
    pendingFocus = mark.dataset.entityId;
    var next = advance ? neighbour(mark, advance === "pending") : null;
    advanceTo = next ? next.dataset.entityId : null;
    post(urlFor(urlName, mark.dataset.entityId), values || {}, mark.closest(".chunk"));
  }

  function announce(message) {
    document.dispatchEvent(new CustomEvent("fabula:notice", { detail: { message: message } }));
  }

  // --- entity focus and inspector ----------------------------------------------------------------
  var current = null;

  function marks() {
    return Array.prototype.slice.call(text.querySelectorAll("mark.entity[data-entity-id]"));
  }

  function focusMark(mark, inspect) {
    if (!mark) return;
    pendingFocus = null; // the editor's own move wins over an edit's queued one
    if (current && current !== mark) current.setAttribute("tabindex", "-1");
    current = mark;
    mark.setAttribute("tabindex", "0"); // roving tabindex: Tab returns to the last entity
    mark.focus({ preventScroll: false });
    mark.scrollIntoView({ block: "nearest" });
    if (inspect !== false) inspectEntity(mark.dataset.entityId);
  }

  // One inspector request at a time. The panel is swapped outerHTML, and htmx resolves the target when
  // a request starts, so a second request sent before the first answer would land in the detached old
  // panel. Quick j/k presses therefore queue: only the latest entity is fetched once the panel settles.
  var inspecting = false;
  var queuedEntity = null;

  function inspectEntity(id) {
    if (inspecting) {
      queuedEntity = id;
      return;
    }
    inspecting = true;
    var settle = function () {
      inspecting = false;
      if (queuedEntity !== null) {
        var next = queuedEntity;
        queuedEntity = null;
        inspectEntity(next);
      }
    };
    htmx.ajax("GET", urlFor("entityUrl", id), { target: "#entity-panel", swap: "outerHTML" }).then(settle, settle);
  }

  /** The first mark after `mark` in reading order (only suggestions if `pendingOnly`), or null. */
  function neighbour(mark, pendingOnly) {
    var all = marks();
    for (var i = all.indexOf(mark) + 1; i < all.length; i++) {
      if (!pendingOnly || all[i].classList.contains("entity--pending")) return all[i];
    }
    return null;
  }

  function nextPending() {
    var from = actingMark();
    var all = marks();
    var start = from && document.contains(from) ? all.indexOf(from) + 1 : 0;
    for (var i = start; i < all.length; i++) {
      if (all[i].classList.contains("entity--pending")) return focusMark(all[i]);
    }
    var loader = text.querySelector(".chunk-loader");
    if (loader) {
      loader.scrollIntoView({ block: "end" }); // loads the next part; press n again there
      announce("No more suggestions in the parts loaded so far: loading the next part.");
    } else announce("No suggestions left after this one.");
  }

  function move(step) {
    var all = marks();
    if (!all.length) return;
    var index = all.indexOf(actingMark());
    var next = index === -1 ? (step > 0 ? 0 : all.length - 1) : index + step;
    if (next >= all.length) {
      var loader = text.querySelector(".chunk-loader");
      if (loader) loader.scrollIntoView({ block: "end" }); // its hx-trigger="revealed" loads the next part
      return;
    }
    focusMark(all[Math.max(0, next)]);
  }

  text.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.entity[data-entity-id]");
    if (mark && window.getSelection().isCollapsed) focusMark(mark);
  });

  reader.addEventListener("click", function (event) {
    var button = event.target.closest(".label-button[data-label]");
    if (button) applyLabel(button.dataset.label);
    if (event.target.closest("[data-open-picker]")) openPicker();
    if (event.target.closest("[data-dismiss-confirm]")) {
      event.preventDefault();
      clearConfirm();
    }
    var shortcuts = event.target.closest("[data-open-shortcuts]");
    if (shortcuts) document.getElementById("shortcuts").showModal();
    var who = event.target.closest("[data-highlight]");
    if (who) toggleHighlight(who.dataset.highlight);
  });

  // --- 4. character highlight --------------------------------------------------------------------
  function toggleHighlight(id) {
    highlighted = highlighted === id ? null : id;
    paintHighlight();
  }

  function paintHighlight() {
    text.classList.toggle("is-highlighting", !!highlighted);
    marks().forEach(function (mark) {
      mark.classList.toggle("is-highlighted", !!highlighted && mark.dataset.character === highlighted);
    });
    document.querySelectorAll("[data-highlight]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.highlight === highlighted));
    });
  }

  // --- 2. versions, refreshes, focus after swaps -------------------------------------------------
  document.addEventListener("htmx:configRequest", function (event) {
    if ("version" in event.detail.parameters || event.detail.verb === "post") {
      event.detail.parameters.version = reader.dataset.version;
    }
  });

  function setVersion(detail) {
    if (!detail) return;
    reader.dataset.version = detail.version;
    var shown = document.getElementById("story-version");
    if (shown) shown.textContent = detail.version;
    var status = document.getElementById("story-status");
    if (status && detail.status) {
      status.className = "badge badge--" + detail.status;
      if (detail.status_label) status.textContent = detail.status_label;
    }
  }

  function reloadChunks() {
    // One part after another: htmx queues concurrent htmx.ajax calls on one element and keeps only the
    // first and the last, which left the parts in between showing what was there before.
    var chunks = Array.prototype.slice.call(text.querySelectorAll("section.chunk"));
    chunks.reduce(function (previous, chunk) {
      var index = chunk.dataset.chunk;
      var url = chunk.dataset.chunkUrl;
      return previous.then(function () {
        return htmx.ajax("GET", url, { target: "#chunk-" + index, swap: "outerHTML", select: "#chunk-" + index });
      });
    }, Promise.resolve());
  }

  document.body.addEventListener("fabula:changed", function (event) {
    var detail = event.detail || {};
    setVersion(detail);
    showConflict(null);
    clearConfirm();
    if (detail.message) announce(detail.message);
    if (advanceTo) {
      pendingFocus = advanceTo;
      advanceTo = null;
    } else if (detail.focus) pendingFocus = String(detail.focus);
    else if (detail.character) {
      htmx.ajax("GET", urlFor("characterUrl", detail.character), {
        target: "#entity-panel",
        swap: "outerHTML",
      });
    } else clearInspector();
    if (detail.refresh) reloadChunks();
  });

  /** Take the bulk-action question (an overlay) away: back to the empty placeholder it replaced. */
  function clearConfirm() {
    var asked = document.getElementById("bulk-confirm");
    if (!asked || !asked.firstChild) return;
    var empty = document.createElement("div");
    empty.id = "bulk-confirm";
    asked.replaceWith(empty);
  }

  function showConflict(message) {
    var region = document.getElementById("reader-alert");
    if (!region) return;
    region.replaceChildren();
    if (!message) return;
    var p = document.createElement("p");
    p.className = "notice notice--warning";
    var strong = document.createElement("strong");
    strong.textContent = "Not saved. ";
    p.append(strong, message); // text, never HTML
    region.append(p);
  }

  // --- label names on entities: shown unless this browser was told to hide them ------------------------
  var names = document.getElementById("label-names");
  if (names) {
    var hidden = window.localStorage && localStorage.getItem("fabula:label-names") === "off";
    names.checked = !hidden;
    text.classList.toggle("hide-label-names", hidden);
    names.addEventListener("change", function () {
      text.classList.toggle("hide-label-names", !names.checked);
      if (window.localStorage) localStorage.setItem("fabula:label-names", names.checked ? "on" : "off");
    });
  }

  // --- live: others' changes, drawn in while the page is open ----------------------------------------
  // #presence polls story_live with the page's version; the answer redraws the paragraphs others
  // changed (out of band) and says, in fabula:live, the version the page has then seen. An answer
  // computed before one of our own edits landed is older than the page: it is dropped whole.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id === "presence") event.detail.parameters.version = reader.dataset.version;
  });
  var kept = null; // the selection and focus to put back after others' paragraphs are redrawn
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "presence") return;
    var seen = parseInt(event.detail.xhr.getResponseHeader("X-Fabula-Version") || "0", 10);
    if (seen < parseInt(reader.dataset.version, 10)) {
      event.detail.shouldSwap = false;
      return;
    }
    // Only an answer that redraws paragraphs can take the selection away; leave it alone otherwise
    // (the person may be dragging one out right now).
    if (!event.detail.xhr.getResponseHeader("X-Fabula-Redraws")) return;
    readSelection();
    var focused = focusedMark();
    kept = {
      start: selection && selection.start,
      end: selection && selection.end,
      focus: focused && focused.dataset.entityId,
    };
  });
  document.body.addEventListener("fabula:live", function (event) {
    var detail = event.detail || {};
    if (!detail.changed || detail.version < parseInt(reader.dataset.version, 10)) return;
    setVersion(detail);
    if (detail.reload) reloadChunks();
    if (detail.characters) htmx.trigger(document.body, "fabula:characters", {});
    if (detail.changes && detail.changes.length) announce(detail.changes.join(" · "));
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!kept || !event.detail.elt || event.detail.elt.id !== "presence") return;
    var was = kept;
    kept = null;
    if (was.start !== null && was.end !== null) restoreSelection(was.start, was.end);
    if (was.focus) {
      var mark = document.getElementById("entity-" + was.focus);
      if (mark && text.contains(mark) && document.activeElement !== mark) mark.focus({ preventScroll: true });
    }
  });

  /** The DOM position of story offset `offset`: the inverse of offsetOf(). */
  function positionOf(offset) {
    var walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var owner = node.parentElement.closest("[data-start]");
      if (!owner) continue;
      var start = parseInt(owner.dataset.start, 10);
      var chars = Array.from(node.data);
      if (start <= offset && offset <= start + chars.length) {
        return { node: node, offset: chars.slice(0, offset - start).join("").length };
      }
    }
    return null;
  }

  function restoreSelection(start, end) {
    var from = positionOf(start);
    var to = positionOf(end);
    if (!from || !to) return;
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  document.body.addEventListener("fabula:stale", function (event) {
    setVersion(event.detail);
    showConflict(event.detail && event.detail.message);
    reloadChunks();
  });

  // After an edit the response held only the chunk; refocus the entity and refresh the inspector.
  document.body.addEventListener("htmx:afterSettle", function () {
    if (highlighted) paintHighlight();
    if (pendingFocus) {
      var mark = document.getElementById("entity-" + pendingFocus);
      if (mark && text.contains(mark)) {
        pendingFocus = null;
        focusMark(mark, true);
      }
    }
  });

  // The inspector sits at the top of the side column, which scrolls on its own: a character's Edit
  // pressed far down the characters list would open it out of sight. Bring it into view in the column
  // (not the page: the text the editor reads stays where it is).
  document.body.addEventListener("htmx:load", function (event) {
    var panel = event.detail.elt;
    if (!panel || panel.id !== "entity-panel") return;
    var side = panel.closest(".side");
    if (!side || side.scrollHeight <= side.clientHeight) return;
    var offset = panel.getBoundingClientRect().top - side.getBoundingClientRect().top;
    if (offset < 0 || offset > side.clientHeight - 60) side.scrollTop += offset - 8;
  });

  function clearInspector() {
    var panel = document.getElementById("entity-panel");
    var heading = panel && panel.querySelector("h2");
    if (!panel || !heading) return;
    var p = document.createElement("p");
    p.className = "muted";
    p.textContent = "Nothing selected. Press j or k to move to an entity.";
    panel.replaceChildren(heading, p);
  }

  // --- 6. the label picker: every label from the keyboard, the ones without a digit key too ----------
  // A dialog with a combobox over a listbox (the ARIA pattern): typing filters, ↑/↓ move the active
  // option (aria-activedescendant, so focus stays in the field), Enter applies it, Esc closes. What the
  // label goes on is taken when the picker opens: typing in the field would otherwise end the selection.
  var picker = document.getElementById("label-picker");
  var pickerInput = document.getElementById("label-picker-input");
  var pickerFor = null;

  function pickerOptions(visibleOnly) {
    var all = Array.prototype.slice.call(picker.querySelectorAll("[role=option]"));
    return visibleOnly ? all.filter(function (o) { return !o.hidden; }) : all;
  }

  function setActive(option) {
    pickerOptions(false).forEach(function (o) {
      o.setAttribute("aria-selected", String(o === option));
      o.classList.toggle("is-active", o === option);
    });
    if (option) {
      pickerInput.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else pickerInput.removeAttribute("aria-activedescendant");
  }

  function filterPicker() {
    var query = pickerInput.value.trim().toLowerCase();
    var first = null;
    var prefix = null; // a label whose name starts with the query is a better first guess than one containing it
    pickerOptions(false).forEach(function (o) {
      var name = o.dataset.label.toLowerCase();
      var said = (o.textContent || "").toLowerCase();
      o.hidden = query !== "" && said.indexOf(query) === -1;
      if (!o.hidden) {
        first = first || o;
        if (!prefix && name.indexOf(query) === 0) prefix = o;
      }
    });
    document.getElementById("label-picker-empty").hidden = !!first;
    setActive(prefix || first);
  }

  function openPicker() {
    if (!picker) return false;
    if (reader.hasAttribute("data-read-only")) return applyLabel("", null);
    pickerFor = labelTarget();
    if (!pickerFor) {
      announce("Select some text or focus an entity first (j / k), then press l to pick its label.");
      return true;
    }
    pickerInput.value = "";
    picker.showModal();
    filterPicker();
    pickerInput.focus();
    return true;
  }

  function choose(option) {
    if (!option) return;
    var target = pickerFor;
    picker.close();
    applyLabel(option.dataset.label, target);
  }

  if (picker) {
    pickerInput.addEventListener("input", filterPicker);
    pickerInput.addEventListener("keydown", function (event) {
      var shown = pickerOptions(true);
      var at = shown.indexOf(picker.querySelector("[role=option].is-active"));
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!shown.length) return;
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(shown[(at + step + shown.length) % shown.length]);
      } else if (event.key === "Enter") {
        event.preventDefault();
        choose(shown[at]);
      }
    });
    picker.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) choose(option);
      else if (event.target === picker) picker.close(); // a click on the backdrop
    });
    picker.addEventListener("close", function () {
      var mark = pickerFor && pickerFor.mark;
      if (mark && document.contains(mark)) mark.focus({ preventScroll: true });
      else text.focus({ preventScroll: true });
    });
  }

  // --- 7. where the editor is: the URL follows the part being read; the parts above load on the way up --
  // replaceState, not pushState: scrolling is not navigation, so Back still leaves the story. A reload
  // (or a shared link) then opens ?chunk=N, the part that was on screen.
  /** The part across the middle of the screen (the first one, while the page is at its top). */
  function chunkOnScreen() {
    var line = window.innerHeight / 2;
    var chunks = text.querySelectorAll("section.chunk");
    for (var i = 0; i < chunks.length; i++) {
      if (chunks[i].getBoundingClientRect().bottom > line) return chunks[i];
    }
    return chunks[chunks.length - 1] || null;
  }

  // The part the address bar points at: the one the page opened at, whether by ?chunk=, ?chapter= or
  // none. The URL is left as it is (a chapter link keeps its #chapter-3) until another part is on screen.
  var urlPart = (text.querySelector("section.chunk") || { dataset: {} }).dataset.chunk;

  function followPart() {
    var chunk = chunkOnScreen();
    if (!chunk || chunk.dataset.chunk === urlPart) return;
    urlPart = chunk.dataset.chunk;
    var url = new URL(window.location.href);
    url.searchParams.delete("chapter");
    if (urlPart === "0") url.searchParams.delete("chunk");
    else url.searchParams.set("chunk", urlPart);
    // No hash: #chapter-3 or #entity-7 would take a reload back to that spot, not to this part.
    window.history.replaceState(window.history.state, "", url.pathname + url.search);
  }

  var following = null;
  window.addEventListener(
    "scroll",
    function () {
      if (following) return;
      following = window.setTimeout(function () {
        following = null;
        followPart();
        // The observer below reports changes it sees between frames: a scroll back to the top in the
        // same frame as a part's insertion (which scrolled the pager away) reads as no change at all.
        if (above && seen(above)) loadAbove();
      }, 150);
    },
    { passive: true }
  );

  var above = document.getElementById("chunk-above");
  var loadingAbove = false;

  function loadAbove() {
    if (loadingAbove || !above) return;
    var link = above.querySelector("a[data-previous]");
    var first = text.querySelector("section.chunk");
    if (!link || !first) return;
    loadingAbove = true;
    fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("part above: " + response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var part = doc.querySelector("section.chunk");
        if (!part || document.getElementById(part.id)) return;
        // Keep what the editor is reading still: measure the old first part, insert, scroll by what it
        // moved (zero where the browser's own scroll anchoring already made up for it).
        var before = first.getBoundingClientRect().top;
        text.insertBefore(document.importNode(part, true), first);
        var moved = first.getBoundingClientRect().top - before;
        if (moved) window.scrollBy(0, moved);
        htmx.process(part.id ? document.getElementById(part.id) : text);
        var index = parseInt(part.dataset.chunk, 10);
        if (index <= 0) {
          above.remove();
          above = null;
        } else {
          var url = new URL(link.href);
          url.searchParams.set("chunk", String(index - 1));
          link.href = url.pathname + url.search;
          link.textContent = "Previous: part " + index + " of " + above.dataset.count;
          text.insertBefore(above, text.querySelector("section.chunk"));
        }
        if (highlighted) paintHighlight();
      })
      .catch(function (error) {
        announce("Could not load the part above: " + error.message + ". Use the Previous link.");
      })
      .finally(function () {
        loadingAbove = false;
        if (above && seen(above)) window.setTimeout(loadAbove, 50);
      });
  }

  function seen(el) {
    var box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  if (above && "IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) loadAbove();
    }).observe(above);
  }

  // --- 8. back from another page: a page restored from the browser's memory (bfcache) is as old as when
  // it was left. Ask the live endpoint for the story's version; if it moved, reload what the page shows.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return; // a fresh load: the server just rendered it (no-store, never cached)
    var url = new URL(document.getElementById("presence").getAttribute("hx-get"), window.location.href);
    url.searchParams.set("version", reader.dataset.version);
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      var version = parseInt(response.headers.get("X-Fabula-Version") || "0", 10);
      if (response.ok && version > parseInt(reader.dataset.version, 10)) {
        htmx.trigger(document.body, "fabula:stale", { version: version });
      }
    });
  });

  // --- 3. keyboard -------------------------------------------------------------------------------
  // static/js/keys.js finds the binding (a <kbd data-key-action> in the shortcuts dialog) and asks here;
  // preventDefault() tells it the key was used. The label keys press the toolbar buttons directly.
  function resize(side, direction) {
    return function () {
      onMark("entityResizeUrl", { side: side, direction: direction });
    };
  }

  var KEY_ACTIONS = {
    "next-entity": function () {
      move(1);
    },
    "previous-entity": function () {
      move(-1);
    },
    // Accept or reject, then on to the next entity: the correction loop never leaves the keyboard.
    accept: function () {
      onMark("entityAcceptUrl", {}, "next");
    },
    "delete": function () {
      onMark("entityDeleteUrl", {}, "next");
    },
    // The same, straight on to the next suggestion still to decide (Prodigy's accept / reject loop).
    "accept-next-pending": function () {
      onMark("entityAcceptUrl", {}, "pending");
    },
    "reject-next-pending": function () {
      onMark("entityDeleteUrl", {}, "pending");
    },
    "next-pending": nextPending,
    "widen-start": resize("start", "widen"),
    "widen-end": resize("end", "widen"),
    "narrow-start": resize("start", "narrow"),
    "narrow-end": resize("end", "narrow"),
    undo: function () {
      post(reader.dataset.undoUrl, {});
    },
    redo: function () {
      post(reader.dataset.redoUrl, {});
    },
    // A focused mark is a role=button: Enter / Space inspect it. Anywhere else they keep their meaning
    // (pressing a focused button, scrolling), so the key is left to the browser.
    inspect: function () {
      var mark = focusedMark();
      if (!mark) return false;
      focusMark(mark);
    },
    "label-picker": function () {
      return openPicker();
    },
    // Esc clears the selection; with none, it closes the inspector (on a narrow screen, a sheet over the text).
    "clear-selection": function () {
      var sel = window.getSelection();
      if (sel && !sel.isCollapsed) {
        sel.removeAllRanges();
        readSelection();
      } else clearInspector();
    },
  };

  reader.addEventListener("fabula:key", function (event) {
    var action = KEY_ACTIONS[event.detail.action];
    if (action && action() !== false) event.preventDefault();
  });
})();
