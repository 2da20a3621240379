// Live updates for collab-advisor's pages. Everything works without this script:
// it only fetches the same server-rendered page when an answer changes, swaps in
// the parts marked data-live, and puts the answers in the address bar.
"use strict";

(function () {
  var pending = null;
  var latest = 0;  // only the newest request may update the page

  function queryOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") {
        params.append(key, value);
      }
    });
    return params.toString();
  }

  function reveal() {
    // After an explicit submit the advice is brought into view (on a phone it sits below
    // the form), and focus moves to its heading so keyboard and screen reader users land there.
    var heading = document.getElementById("results-h");
    if (!heading) { return; }
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    heading.scrollIntoView({ block: "start" });
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var focusedId = document.activeElement ? document.activeElement.id : "";
    document.querySelectorAll("[data-live]").forEach(function (old) {
      var replacement = old.id ? fresh.getElementById(old.id) : null;
      if (replacement) {
        old.replaceWith(document.importNode(replacement, true));
      }
    });
    if (focusedId && (!document.activeElement || document.activeElement.id !== focusedId)) {
      var again = document.getElementById(focusedId);
      if (again) { again.focus(); }
    }
    var title = fresh.querySelector("title");
    if (title) { document.title = title.textContent; }
    var results = document.getElementById("results");
    var status = document.getElementById("live-status");
    if (results && status) {
      status.textContent = "Advice updated: " + results.getAttribute("data-top") + ".";
    }
    bind();
  }

  function update(form, show) {
    var action = new URL(form.getAttribute("action") || "/", window.location.href);
    var query = queryOf(form);
    var url = action.pathname + (query ? "?" + query : "") + action.hash;
    var seq = ++latest;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // An older answer that arrives late would put stale answers back in the form.
        if (seq !== latest) { return; }
        history.pushState(null, "", url);
        shown = window.location.pathname + window.location.search;
        swap(html);
        if (show) { reveal(); }
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && seq === latest) { form.submit(); }
      });
  }

  function bind() {
    document.querySelectorAll("form[data-live-form]").forEach(function (form) {
      if (form.dataset.bound) { return; }
      form.dataset.bound = "1";
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        update(form, true);
      });
    });
  }

  // Back and forward between answers reload the page for those answers; a jump within the
  // page (a link to #main or #results) changes only the fragment and must not reload it.
  var shown = window.location.pathname + window.location.search;
  window.addEventListener("popstate", function () {
    var now = window.location.pathname + window.location.search;
    if (now !== shown) { window.location.reload(); }
  });
  document.addEventListener("DOMContentLoaded", bind);
})();
