// Notes: keep what is typed. Each keystroke is kept in localStorage at once, and posted to the
// server (with the CSRF token) a moment later, so neither a closed tab nor a lost laptop loses it.
// Without JavaScript the form still saves normally; the server restores its own copy on reopen.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("form[data-draft-url]");
  if (!form) return;
  var body = form.querySelector("textarea[name=body]");
  var version = form.querySelector("input[name=version]");
  var status = form.querySelector(".draft-status");
  var tokenField = document.querySelector("#draft-csrf input[name=csrf_token]");
  var key = form.dataset.draftKey;
  var timer = null;

  function say(text) { if (status) status.textContent = text; }
  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ body: body.value, version: version.value, at: Date.now() }));
    } catch (e) { /* storage full or off: the server copy still works */ }
  }
  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  // Restore a local copy typed against this same version that the server has not got.
  var kept = read();
  var restoredByServer = document.getElementById("draft-restored");
  var hasErrors = form.querySelector(".error");
  if (kept && !hasErrors) {
    if (String(kept.version) !== String(version.value)) {
      localStorage.removeItem(key);  // saved since: the version moved on
    } else if (kept.body !== body.value && !restoredByServer) {
      body.value = kept.body;
      say("Restored your unsaved text from this browser.");
    }
  }

  function send() {
    if (!tokenField) return;
    var data = new FormData();
    data.append("csrf_token", tokenField.value);
    data.append("body", body.value);
    data.append("version", version.value);
    data.append("question_id", form.dataset.questionId || "");
    fetch(form.dataset.draftUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json().catch(function () { return { saved: false }; }); })
      .then(function (answer) {
        say(answer.saved ? "Draft saved " + new Date().toLocaleTimeString() + "." : (answer.error || "Draft kept in this browser only."));
      })
      .catch(function () { say("Offline: draft kept in this browser."); });
  }

  body.addEventListener("input", function () {
    store();
    say("Typing…");
    clearTimeout(timer);
    timer = setTimeout(send, 800);
  });
  form.addEventListener("submit", function () { clearTimeout(timer); store(); });
})();
