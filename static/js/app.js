/*
 * Fabula's site-wide behaviour on top of htmx. No framework; every feature is opt-in by markup.
 *
 * 1. Errors are shown, never dropped. htmx 2 does not swap 4xx/5xx answers, so a refused edit would
 *    otherwise vanish silently. On `htmx:responseError` the server's message is written into the
 *    page's alert region (#errors, aria-live="assertive"). The message is, in order of preference:
 *    a text/plain body; the text of the element marked `data-error-message` in an HTML body (see
 *    templates/error.html, 403.html, 404.html); or "The server answered <status>". `htmx:sendError`
 *    and `htmx:timeout` (no answer at all) say that the server could not be reached.
 *    The message clears when the person's next change succeeds (a successful non-GET htmx request), or
 *    with its Dismiss button. Background GETs (a panel refreshing itself) leave it, so it stays readable.
 * 2. Notices: a server answer carrying `HX-Trigger: {"fabula:notice": {"message": "…"}}`
 *    (django_htmx.http.trigger_client_event) shows that message in the polite status region.
 * 3. `<form data-drop-empty>`: empty fields are left out of its htmx GET requests, so pushed URLs
 *    read `/?status=done` rather than `/?q=&status=done&batch=…`.
 * 4. `<form data-drop-empty>` is also kept in step with the address bar: after a pushed URL (a sort
 *    header or page link) and after the back button, each field shows the value in the URL.
 * 5. `<input type="checkbox" data-select-all="FORM_ID">` ticks or clears every checkbox that
 *    belongs to that form (`form="FORM_ID"`).
 * 6. `<html class="js">` once this runs, so `.js-hidden` hides buttons only needed without JS.
 * Keyboard shortcuts, the story list's "/" among them, are static/js/keys.js's.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var STATUS_TEXT = {
    400: "The request was not valid.",
    401: "Your session has ended. Log in again.",
    403: "You are not allowed to do that.",
    404: "That item no longer exists. Reload the page.",
    409: "Someone else changed this first. Reload to see their change.",
    413: "That is too large.",
  };

  function errorRegion() {
    return document.getElementById("errors");
  }

  /** The human message in an error response: plain text, or [data-error-message] in HTML. */
  function messageFrom(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var body = xhr.responseText || "";
    if (type.indexOf("text/plain") === 0 && body.trim()) {
      return body.trim();
    }
    if (type.indexOf("text/html") === 0 && body) {
      var doc = new DOMParser().parseFromString(body, "text/html");
      var marked = doc.querySelector("[data-error-message]");
      if (marked && marked.textContent.trim()) {
        return marked.textContent.replace(/\s+/g, " ").trim();
      }
    }
    return STATUS_TEXT[xhr.status] || "The server answered " + xhr.status + " " + (xhr.statusText || "") + ".";
  }

  function showError(text) {
    var region = errorRegion();
    if (!region) {
      window.alert(text);
      return;
    }
    region.replaceChildren();
    var box = document.createElement("div");
    box.className = "error-message";
    var p = document.createElement("p");
    p.textContent = text; // textContent: a server message is never interpreted as HTML
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button--quiet button--small";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () {
      region.replaceChildren();
    });
    box.append(p, close);
    region.append(box);
  }

  function showNotice(text) {
    var region = document.getElementById("notices");
    if (!region || !text) return;
    var p = document.createElement("p");
    p.className = "notice notice--success";
    p.textContent = text;
    region.replaceChildren(p);
    window.setTimeout(function () {
      if (p.parentNode === region) p.remove();
    }, 8000);
  }

  document.addEventListener("htmx:responseError", function (event) {
    // The reader shows its own conflict notice, with who changed what; one refusal, one message.
    if (event.detail.xhr.status === 409 && document.getElementById("reader-alert")) return;
    showError(messageFrom(event.detail.xhr));
  });
  // In DEBUG (make run), django-htmx adds a document listener that replaces the whole page with any
  // 400/403/404 answer, to show Django's debug pages. Fabula's own refusals (a text/plain line, or a
  // page marked data-error-message) belong in the alert region like in production, so they stop here
  // at the body, before that listener; Django's own debug pages still reach it.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 || (xhr.responseText || "").indexOf("data-error-message") !== -1) {
      event.stopPropagation();
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showError("Could not reach the server. Check your connection; nothing was saved by that action.");
  });
  document.addEventListener("htmx:timeout", function () {
    showError("The server took too long to answer. Reload the page to see what was saved.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var method = (event.detail.requestConfig && event.detail.requestConfig.verb) || "get";
    if (event.detail.successful && method.toLowerCase() !== "get" && errorRegion()) {
      errorRegion().replaceChildren();
    }
  });
  document.addEventListener("fabula:notice", function (event) {
    showNotice(event.detail && event.detail.message);
  });

  // 3. Leave empty fields out of the query string of opted-in forms.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
    if (!form || event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (name) {
      if (params[name] === "") delete params[name];
    });
  });

  // 4. Make the filter fields show what the URL says (after a sort link, page link or back button).
  function syncFormsFromUrl() {
    var query = new URLSearchParams(window.location.search);
    document.querySelectorAll("form[data-drop-empty]").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.type === "submit" || field.type === "button") return;
        var value = query.get(field.name) || "";
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = query.getAll(field.name).indexOf(field.value) !== -1;
        } else if (field.value !== value) {
          field.value = value;
        }
      });
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", syncFormsFromUrl);
  document.addEventListener("htmx:historyRestore", syncFormsFromUrl);
  window.addEventListener("pageshow", syncFormsFromUrl);

  // 5. "Select all" for the checkboxes of one form.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][data-select-all]")) return;
    var formId = box.getAttribute("data-select-all");
    document.querySelectorAll('input[type=checkbox][form="' + formId + '"]').forEach(function (other) {
      other.checked = box.checked;
    });
  });
})();
