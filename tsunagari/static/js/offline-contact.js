// Contacts recorded on a phone survive a lost connection (watch/contact_form.html).
// The form is sent with fetch; if the phone is offline or the network fails, the entry is kept in
// localStorage and sent again when the connection returns (on the "online" event, on every page
// of the watch pages, and 20 s after a try that failed while the phone was online). Each entry carries the client_id the server gave the form, and the server
// stores an entry once per client_id, so a retry never makes a duplicate. No inline script: the
// strict CSP holds; texts come from the form's data- attributes (translated on the server).
// What is kept on the phone names the person by id only, never by name (a lost phone must not list
// who is being watched); a message about a kept entry looks the name up on the page being shown.
(function () {
  "use strict";
  var TIMEOUT_MS = 15000;
  var RETRY_MS = 20000;

  // One queue per signed-in person (the page names it), so nobody's entries are sent in another's session.
  function key() {
    var holder = document.querySelector("[data-queue-key]");
    return holder ? holder.dataset.queueKey : null;
  }
  function load() {
    if (!key()) return [];
    try { return JSON.parse(window.localStorage.getItem(key()) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    if (!key()) return;
    if (items.length) window.localStorage.setItem(key(), JSON.stringify(items));
    else window.localStorage.removeItem(key());
  }

  // The CSRF token of the page now open (base.html puts it in hx-headers): a token stored with an old
  // entry may have changed since, e.g. after signing in again.
  function csrfToken(entry) {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) {
      return entry.fields.csrfmiddlewaretoken;
    }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function texts() {
    var form = document.querySelector("form[data-offline-contact]");
    var box = document.getElementById("offline-queue");
    var from = function (name) { return (form && form.dataset[name]) || (box && box.dataset[name]) || ""; };
    return {
      queued: from("queuedText"), saved: from("savedText"), pending: from("pendingText"),
      signIn: from("signInText"), refused: from("refusedText")
    };
  }

  function render(message) {
    var box = document.getElementById("offline-queue");
    if (!box) return;
    var count = load().length;
    var lines = [];
    if (message) lines.push(message);
    if (count) lines.push(texts().pending + " " + count);
    box.textContent = lines.join(" ");
    box.hidden = lines.length === 0;
  }

  function send(entry) {
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var fields = Object.assign({}, entry.fields, { csrfmiddlewaretoken: csrfToken(entry) });
    return window.fetch(entry.url, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { "X-Tsunagari-Sync": "1", "X-CSRFToken": fields.csrfmiddlewaretoken },
      credentials: "same-origin",
      signal: controller.signal
    }).then(function (response) {
      window.clearTimeout(timer);
      // Signed out meanwhile: the answer is the login page, not the server's JSON. Keep the entry.
      if (response.redirected) return "signed-out";
      if (response.status >= 400 && response.status < 500) return "rejected";
      if (!response.ok) throw new Error("server error " + response.status);
      return response.json().then(function (data) {
        // A 緊急 entry: the server names the red screen (119 first) to show instead of the list.
        if (data.saved && data.next) entry.next = data.next;
        return data.saved ? "saved" : "rejected";
      });
    });
  }

  // The person's name from the page now shown (the watch list or their contact form), else their number.
  function nameOf(target) {
    var holders = document.querySelectorAll("[data-target][data-target-name]");
    for (var i = 0; i < holders.length; i++) {
      if (holders[i].dataset.target === String(target)) return holders[i].dataset.targetName;
    }
    return target ? "#" + target : "";
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    var items = load();
    if (!items.length) { render(); return Promise.resolve(); }
    flushing = true;
    var left = [];
    var notes = [];
    var failed = false;  // the network or the server failed on an entry: try again soon, not only on "online"
    var chain = Promise.resolve();
    items.forEach(function (entry) {
      chain = chain.then(function () {
        return send(entry).then(function (result) {
          if (result === "signed-out") { left.push(entry); notes.push(texts().signIn); }
          // Refused for good (no longer assigned, an impossible date …): say so, so it can be entered again.
          if (result === "rejected") notes.push(texts().refused + " " + nameOf(entry.target));
        }, function () { left.push(entry); failed = true; });
      });
    });
    return chain.then(function () {
      save(left);
      flushing = false;
      if (left.length < items.length && !notes.length) notes.push(texts().saved);
      render(notes.filter(function (n, i) { return notes.indexOf(n) === i; }).join(" "));
      if (failed) window.setTimeout(flush, RETRY_MS);
    });
  }

  function queue(entry) {
    var items = load().filter(function (item) { return item.fields.client_id !== entry.fields.client_id; });
    items.push(entry);
    save(items);
  }

  function attach(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "normal") return;  // let the server show its own errors
      event.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
      // The result is the button that was tapped (FormData leaves submit buttons out).
      if (event.submitter && event.submitter.name) fields[event.submitter.name] = event.submitter.value;
      var entry = { url: form.action || window.location.href, fields: fields, at: Date.now(), target: form.dataset.target };
      var buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      var keep = function () {
        queue(entry);
        form.reset();
        form.querySelector("input[name=client_id]").value = newId();  // the next entry is a new one
        buttons.forEach(function (b) { b.disabled = false; });
        render(texts().queued);
      };
      if (!navigator.onLine) { keep(); return; }
      send(entry).then(function (result) {
        if (result === "saved") { window.location.assign(entry.next || form.dataset.home); return; }
        if (result === "signed-out") { keep(); render(texts().signIn); return; }
        form.dataset.submitting = "normal";  // invalid: send it the ordinary way to see the errors
        buttons.forEach(function (b) { b.disabled = false; });
        // requestSubmit keeps the tapped result in what is sent; submit() would leave it out.
        if (event.submitter && form.requestSubmit) form.requestSubmit(event.submitter); else form.submit();
      }, keep);
    });
  }

  // A page shown again from the browser's history is a new entry: give it a new id.
  window.addEventListener("pageshow", function (event) {
    var field = document.querySelector("form[data-offline-contact] input[name=client_id]");
    if (event.persisted && field) field.value = newId();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-offline-contact]");
    if (form) attach(form);
    render();
    flush();
  });
  window.addEventListener("online", flush);
})();
