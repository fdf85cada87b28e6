// The candidate's page: show times in the browser's own zone. Without JavaScript the page uses the
// letter's zone and the select above the slots changes it.
(function () {
  const page = document.getElementById("candidate-page");
  if (!page || page.dataset.tzChosen === "yes") return;
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || zone === page.dataset.tz) return;
  const url = new URL(window.location.href);
  if (url.searchParams.has("tz")) return; // chosen by hand, or already detected: never loop
  url.searchParams.set("tz", zone);
  window.location.replace(url.toString());
})();
