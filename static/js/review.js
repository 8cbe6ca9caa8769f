/*
 * Review page keyboard shortcuts; the page works fully without this file.
 *   a  approve (the same button a click would press, so the server still decides)
 *   r  write a return comment (focuses the comment box; Ctrl/⌘+Enter there sends it)
 *   n  open the next story in the queue, once a decision has been made
 *   g  back to the review queue
 * Keys typed into a field are left alone, and modifier combinations are never taken over.
 */
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function click(selector) {
    var element = document.querySelector(selector);
    if (!element) return false;
    element.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches(".return-form textarea")) {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var handled = false;
    if (event.key === "a") {
      handled = click("#review-actions button.approve");
    } else if (event.key === "r") {
      var box = document.querySelector("#review-actions .return-form textarea");
      if (box) {
        box.focus();
        handled = true;
      }
    } else if (event.key === "n") {
      handled = click("#review-actions a[data-next-story]");
    } else if (event.key === "g") {
      handled = click("a[data-review-queue]");
    }
    if (handled) event.preventDefault();
  });
})();
