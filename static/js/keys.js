/*
 * Fabula's one keyboard dispatcher. Pages declare their shortcuts in markup; this file holds no key.
 *
 * Contract:
 * - A page opts in with `data-keys="NAME"` on <main> (reader, review, stories). Without it no key is taken.
 * - A binding is any element in it with `data-hotkey="KEY …"`: KeyboardEvent.key values separated by
 *   spaces, "Space" for the space bar, and modifiers written before the key in the order
 *   Control+Alt+Meta+ (e.g. "Control+Enter"). Shift is never written: "?" and "{" already include it.
 *   A key matches only with exactly the modifiers its binding names, so Ctrl/⌘/Alt combinations stay
 *   the browser's unless a binding asks for one. `data-focus-key="KEY"` (set by stories/filters.py on
 *   the story search box) is a binding too.
 * - Pressing a binding's key:
 *     `data-key-action="NAME"`: fires a cancelable `fabula:key` event (detail {action, key}) on the
 *       binding; the page's script acts and calls preventDefault() to say it did (reader.js);
 *     `data-key-target="SELECTOR"`: presses that element instead of the binding;
 *     otherwise the binding itself is pressed: a form is submitted, a label focuses its field, a field is
 *       focused (an input's text selected, so typing replaces it), anything else is clicked.
 *   A key that did something has its default prevented; one that did nothing is left to the browser
 *   (Enter on a focused button still presses it), and the next binding for the same key gets a turn.
 * - Keys typed into inputs, textareas, selects and contenteditable are ignored, except by a binding
 *   marked `data-hotkey-local`: it answers only keys pressed inside itself, fields included (the review
 *   page's Ctrl+Enter in the return comment).
 * - While a <dialog> is open nothing is taken: the dialog's own keys (Esc closes it) apply.
 * The reader's shortcuts dialog lists its keys as <kbd data-hotkey> elements, so the help shown and
 * the keys that work are the same markup.
 */
(function () {
  "use strict";

  var MODIFIERS = [
    ["ctrlKey", "Control"],
    ["altKey", "Alt"],
    ["metaKey", "Meta"],
  ];

  /** The event as a binding would write it: "j", "Space", "Control+Enter". */
  function chord(event) {
    var names = MODIFIERS.filter(function (m) {
      return event[m[0]];
    }).map(function (m) {
      return m[1];
    });
    return names.concat(event.key === " " ? "Space" : event.key).join("+");
  }

  function keysOf(binding) {
    var keys = binding.getAttribute("data-hotkey");
    if (keys === null) keys = binding.getAttribute("data-focus-key") || "";
    return keys.split(/\s+/).filter(Boolean);
  }

  function typing(el) {
    return !!el && (el.isContentEditable || (el.closest && el.closest("input, textarea, select") !== null));
  }

  /**
   * htmx wires up content it swapped in only once the swap settles; a key pressed before then would
   * submit the new form as a plain page load. htmx.process() wires it now (a no-op on wired elements).
   */
  function wire(target) {
    if (!window.htmx) return;
    var form = target.tagName === "FORM" ? target : target.form;
    if (form) window.htmx.process(form);
    else window.htmx.process(target);
  }

  /** Do what the binding says; true when something was done. */
  function press(binding, key) {
    if (binding.dataset.keyAction) {
      var ask = new CustomEvent("fabula:key", {
        bubbles: true,
        cancelable: true,
        detail: { action: binding.dataset.keyAction, key: key },
      });
      return !binding.dispatchEvent(ask); // dispatchEvent is false once a listener prevented it
    }
    var target = binding.dataset.keyTarget ? document.querySelector(binding.dataset.keyTarget) : binding;
    if (target && target.tagName === "LABEL") target = target.control;
    if (!target || target.disabled) return false;
    wire(target);
    if (target.tagName === "FORM") {
      target.requestSubmit(); // a submit event, so htmx (hx-post) and validation still run
    } else if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      target.focus();
      if (target.tagName === "INPUT" && target.select) target.select();
    } else {
      target.click(); // the same element a mouse would press, so the server still decides
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var scope = document.querySelector("main[data-keys]");
    if (!scope || event.defaultPrevented || document.querySelector("dialog[open]")) return;
    var key = chord(event);
    var inField = typing(event.target);
    var bindings = scope.querySelectorAll("[data-hotkey], [data-focus-key]");
    for (var i = 0; i < bindings.length; i++) {
      var binding = bindings[i];
      if (keysOf(binding).indexOf(key) === -1) continue;
      var local = binding.hasAttribute("data-hotkey-local");
      if (local ? !binding.contains(event.target) : inField) continue;
      if (press(binding, key)) {
        event.preventDefault();
        return;
      }
    }
  });
})();
