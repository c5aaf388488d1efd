// The 大字 (larger text) switch: enlarges all text by half again and
// remembers the choice on this device. Progressive enhancement: without
// script the button stays hidden and the browser's own zoom does the same.
(function () {
  "use strict";
  var KEY = "yishi-big-text";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function apply(on) {
    root.classList.toggle("big-text", on);
    var button = document.querySelector("[data-text-size]");
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  apply(stored());
  var button = document.querySelector("[data-text-size]");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var on = !root.classList.contains("big-text");
    apply(on);
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  });
})();
