// The campaign's questionnaire: save a draft while people type, so a closed tab loses nothing.
// Without JavaScript the "Save draft" button does the same. The page's revision travels with each
// save: if someone else of the campaign saved since this page was opened, the server refuses and
// we say so (reloading shows their answers beside what was typed here).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  var revision = form.querySelector("input[name=revision]");
  var status = form.querySelector(".autosave-status");
  var timer = null;
  var busy = false;
  var again = false;
  var stopped = false;
  var submitter = null;  // a button pressed while an autosave was on its way: pressed again once it is back

  function say(text) { if (status) status.textContent = text; }

  function send() {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    var data = new FormData(form);
    data.delete("save");
    data.delete("review");
    fetch(form.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json().catch(function () { return { saved: false }; }); })
      .then(function (answer) {
        if (answer.saved) {
          revision.value = String(answer.revision);
          say("Draft saved " + answer.saved_at + ". Not sent until you review and submit.");
        } else {
          if (answer.stale) stopped = true;  // never overwrite what someone else saved
          say(answer.error || "The draft could not be saved; use “Save draft”.");
        }
      })
      .catch(function () { say("Offline: the draft was not saved. Use “Save draft” when you are back online."); })
      .then(function () {
        busy = false;
        if (submitter) {
          var button = submitter;
          submitter = null;
          stopped = true;
          form.requestSubmit(button);
        } else if (again) { again = false; send(); }
      });
  }

  function changed() {
    say("Unsaved changes…");
    clearTimeout(timer);
    timer = setTimeout(send, 1500);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (busy && !stopped) {
      // Wait for the autosave on its way: its answer carries the revision this save must name.
      event.preventDefault();
      submitter = event.submitter || null;
      if (!submitter) submitter = form.querySelector("button[type=submit], input[type=submit]");
      return;
    }
    stopped = true;
  });
})();
