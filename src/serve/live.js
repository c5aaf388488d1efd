// yishi serve: live reload and the error overlay. Injected by `yishi serve`
// only; never part of a built site.
(function () {
  "use strict";
  var OVERLAY_ID = "yishi-problems";

  function hide() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) { old.remove(); }
  }

  function show(problems) {
    hide();
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.92);color:#fff;padding:1.5rem;" +
      "font:15px/1.6 system-ui,sans-serif";
    var h = document.createElement("h2");
    h.textContent = "内容有 " + problems.length + " 处错误，网站仍显示上一次正确的版本。改正后这里会自动消失。";
    h.style.cssText = "margin:0 0 1rem;font-size:1.15rem;color:#ffb4b4";
    box.appendChild(h);
    problems.forEach(function (p) {
      var item = document.createElement("div");
      item.style.cssText = "border-left:4px solid #ff6b6b;padding:.4rem .8rem;margin:0 0 .8rem;background:#2a2a2a";
      var where = document.createElement("div");
      where.textContent = p.file + (p.line ? ":" + p.line + ":" + p.col : "");
      where.style.cssText = "font-family:ui-monospace,monospace;color:#9fd3ff";
      var msg = document.createElement("div");
      msg.textContent = p.message;
      item.appendChild(where);
      item.appendChild(msg);
      if (p.hint) {
        var hint = document.createElement("div");
        hint.textContent = "提示：" + p.hint;
        hint.style.color = "#ffe08a";
        item.appendChild(hint);
      }
      box.appendChild(item);
    });
    document.body.appendChild(box);
  }

  var events = new EventSource("/__yishi/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
  events.addEventListener("ok", hide);
})();
