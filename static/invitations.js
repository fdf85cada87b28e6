// The candidate's page. Without JavaScript it shows times in the letter's zone, and the select above
// the slots changes it; with it, the page reloads once in the browser's own zone, and the select
// gets a search box and the detected zone at its top.
(function () {
  const page = document.getElementById("candidate-page");
  if (!page) return;
  let detected = "";
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    detected = "";
  }
  if (detected && page.dataset.tzChosen !== "yes" && detected !== page.dataset.tz) {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("tz")) { // chosen by hand, or already detected: never loop
      url.searchParams.set("tz", detected);
      window.location.replace(url.toString());
      return;
    }
  }
  const select = document.getElementById("zone");
  if (select) searchableZones(select, detected);

  function words(text) {
    return text.toLowerCase().replace(/[_/,()-]+/g, " ").split(/\s+/).filter(Boolean);
  }

  function searchableZones(select, detected) {
    const zones = Array.from(select.options, (o) => ({ value: o.value, label: o.textContent, words: words(o.value + " " + o.textContent) }));
    const known = zones.some((z) => z.value === detected);
    const current = select.value;
    const detectedNote = document.getElementById("zone-detected");
    if (known && current === detected && detectedNote) detectedNote.hidden = false;
    const field = document.createElement("div");
    field.className = "field";
    field.innerHTML = '<label for="zone-search">Search time zones</label>' +
      '<input type="search" id="zone-search" autocomplete="off" spellcheck="false" placeholder="A city, e.g. Berlin" aria-describedby="zone-count">' +
      '<p class="help" id="zone-count" aria-live="polite"></p>';
    (select.closest(".field") || select).before(field);
    const search = field.querySelector("input");
    const count = field.querySelector("#zone-count");

    function option(zone, label) {
      const element = document.createElement("option");
      element.value = zone.value;
      element.textContent = label || zone.label;
      return element;
    }

    function render(query) {
      const wanted = words(query);
      const keep = select.value;
      const matches = zones.filter((z) => wanted.every((w) => z.words.some((zw) => zw.startsWith(w))));
      select.replaceChildren();
      if (known) {
        const top = document.createElement("optgroup");
        top.label = "Detected from your browser";
        top.append(option(zones.find((z) => z.value === detected), zones.find((z) => z.value === detected).label + " (detected)"));
        select.append(top);
      }
      const all = document.createElement("optgroup");
      all.label = query ? (matches.length ? "Matching time zones" : "No time zone matches; the one chosen") : "All time zones";
      // Nothing matches: the zone chosen stays listed (and sent), rather than an empty choice.
      const shown = matches.length ? matches : zones.filter((z) => z.value === keep);
      shown.forEach((z) => all.append(option(z)));
      select.append(all);
      // Keep the choice while it matches; otherwise the first match, so what is shown is what is sent.
      const listed = !query || matches.some((z) => z.value === keep);
      select.value = listed || !matches.length ? keep : matches[0].value;
      count.textContent = query ? (matches.length === 1 ? "1 time zone matches." : matches.length + " time zones match.") : "";
    }

    render("");
    select.value = current;
    search.addEventListener("input", () => render(search.value));
  }
})();
