// SLA timers and waiting times tick every second; nothing else. Times come from the server
// (body data-now), so a wrong clock on the officer's computer does not change them.
(function () {
  "use strict";
  var offset = Number(document.body.dataset.now || 0) - Date.now() / 1000;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function duration(seconds) {
    seconds = Math.floor(Math.abs(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600),
        m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) return d + "d " + pad(h) + ":" + pad(m) + ":" + pad(s);
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }
  function tick() {
    var now = Date.now() / 1000 + offset;
    document.querySelectorAll(".waiting[data-since]").forEach(function (el) {
      el.textContent = duration(now - Number(el.dataset.since));
    });
    document.querySelectorAll(".sla[data-deadline]").forEach(function (el) {
      var left = Number(el.dataset.deadline) - now, over = left < 0;
      el.textContent = (over ? el.dataset.over : el.dataset.left).replace("{time}", duration(left));
      el.classList.toggle("overdue", over);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
