// The facilitator page follows the members' answers as they arrive: every few seconds it
// fetches the same page and swaps in the sections marked data-live. The checks are bounded
// (data-poll-max of them, paused while the tab is hidden); at the bound, or if the server
// stops answering, the page says so and stops. Without this script a reload shows the same.
"use strict";

(function () {
  function keepOpen(old, fresh) {
    // A <details> the facilitator opened stays open when its section is replaced.
    var before = old.querySelectorAll("details");
    var after = fresh.querySelectorAll("details");
    for (var i = 0; i < before.length && i < after.length; i += 1) {
      if (before[i].open) { after[i].setAttribute("open", ""); }
    }
  }

  function swap(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var changed = false;
    document.querySelectorAll("[data-live]").forEach(function (old) {
      var fresh = old.id ? page.getElementById(old.id) : null;
      // A section holding the keyboard focus is left alone until focus moves on.
      if (!fresh || old.contains(document.activeElement) || fresh.innerHTML === old.innerHTML) {
        return;
      }
      var copy = document.importNode(fresh, true);
      keepOpen(old, copy);
      old.replaceWith(copy);
      changed = true;
    });
    return changed;
  }

  function start() {
    var note = document.querySelector("[data-poll]");
    if (!note || !window.fetch || !window.DOMParser) { return; }
    var every = Math.max(2, Number(note.getAttribute("data-poll")) || 5) * 1000;
    var most = Math.max(1, Number(note.getAttribute("data-poll-max")) || 720);
    var left = most;
    var timer = null;
    var busy = false;
    var over = false;

    function stop(text) {
      over = true;
      note.textContent = text;
    }

    function schedule() {
      if (!over && timer === null && !busy) { timer = window.setTimeout(check, every); }
    }

    function check() {
      timer = null;
      if (document.hidden) { return; }  // picked up again when the tab is shown
      if (left <= 0) {
        stop("Live updates stopped after " + most + " checks: reload the page to see new answers.");
        return;
      }
      left -= 1;
      busy = true;
      fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.text();
        })
        .then(function (html) {
          busy = false;
          if (swap(html)) {
            note.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
          }
          schedule();
        })
        .catch(function () {
          busy = false;
          stop("Live updates stopped: the server did not answer. Reload the page to try again.");
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { schedule(); }
    });
    schedule();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
