// The console's behaviour; the pages work without it. SLA timers and waiting times tick every
// second, from the server's time (body data-now), so a wrong clock on the officer's computer
// does not change them. Times are shown in the browser's time zone. The reply box shows what the
// reply costs on her channel (counted by the server, POST /api/cases/{id}/reply/preview, by the
// rules the channel applies). Closing asks first. The case page asks every few seconds what is
// new (GET /api/cases/{id}/updates) and shows her messages as they come.
(function () {
  "use strict";
  var offset = Number(document.body.dataset.now || 0) - Date.now() / 1000;
  var POLL_MS = 4000, PREVIEW_DELAY_MS = 250;
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

  // --- times in the officer's time zone ---------------------------------------------------
  var zone = "UTC", format = null;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    format = new Intl.DateTimeFormat(document.documentElement.lang === "en" ? "en-GB" : "vi-VN", {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", timeZone: zone, timeZoneName: "short"
    });
  } catch (e) { format = null; }
  function localTimes(root) {
    if (!format) return;
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      if (!el.title) el.title = el.textContent;  // the UTC time stays at hand
      el.textContent = format.format(when);
    });
  }
  localTimes(document);
  var tz = document.getElementById("tz");
  if (tz && format) { tz.textContent = tz.dataset.label.replace("{zone}", zone); tz.hidden = false; }

  function csrf() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  // --- reply budget -------------------------------------------------------------------------
  var reply = document.getElementById("reply-text"), budget = document.getElementById("reply-budget");
  if (reply && budget && window.fetch) {
    var timer = null, asked = 0;
    var preview = function () {
      var mine = ++asked;
      fetch(budget.dataset.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ text: reply.value })
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || mine !== asked) return;  // a later keystroke has its own answer
        var b = data.budget;
        budget.textContent = b.fits ? b.summary : b.refusal;
        budget.classList.toggle("over", !b.fits);
        budget.dataset.segments = b.segments === null ? "" : String(b.segments);
        reply.setAttribute("aria-invalid", b.fits ? "false" : "true");
      }).catch(function () { /* offline: the server still checks on send */ });
    };
    reply.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(preview, PREVIEW_DELAY_MS);
    });
    preview();
  }

  // --- confirmation before closing ----------------------------------------------------------
  var closeButton = document.getElementById("close-button"), confirmBox = document.getElementById("close-confirm");
  if (closeButton && confirmBox) {
    closeButton.addEventListener("click", function (event) {
      event.preventDefault();
      closeButton.hidden = true;
      confirmBox.hidden = false;
      document.getElementById("close-yes").focus();
    });
    document.getElementById("close-cancel").addEventListener("click", function (event) {
      event.preventDefault();
      confirmBox.hidden = true;
      closeButton.hidden = false;
      closeButton.focus();
    });
  }

  // --- live updates of the case page --------------------------------------------------------
  var page = document.getElementById("case");
  if (page && page.dataset.status !== "closed" && window.fetch) {
    var poll = function () {
      fetch("/api/cases/" + page.dataset.case + "/updates?after=" + page.dataset.lastEvent,
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 401 || response.status === 403 || response.status === 404) return "stop";
          return response.ok ? response.json() : null;
        }).then(function (data) {
          if (data === "stop") return;
          if (data) show(data);
          setTimeout(poll, POLL_MS);
        }).catch(function () { setTimeout(poll, POLL_MS); });
    };
    var show = function (data) {
      page.dataset.lastEvent = String(data.last_event);
      if (data.messages.length) {
        var list = document.getElementById("transcript");
        if (list.tagName !== "OL") {
          var fresh = document.createElement("ol");
          fresh.className = "transcript";
          fresh.id = "transcript";
          list.replaceWith(fresh);
          list = fresh;
        }
        data.messages.forEach(function (message) {
          if (list.querySelector('[data-id="' + message.id + '"]')) return;
          // Rendered and escaped by the server (bot.console.case_page.message_item).
          list.insertAdjacentHTML("beforeend", message.html);
          localTimes(list.lastElementChild);
        });
      }
      if (data.changed || data.status !== page.dataset.status) document.getElementById("live").hidden = false;
    };
    setTimeout(poll, POLL_MS);
  }
})();
