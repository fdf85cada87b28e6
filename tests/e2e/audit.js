// Run in each page the browser tests show (tests/e2e/conftest.py, PageAudit), after axe-core is loaded:
// axe-core's violations of the given impacts, and at the phone width what sticks out sideways and
// which tap targets are smaller than minTap CSS pixels. Returns plain data for the Python side.
async ({blocking, phone, tapTargets, minTap}) => {
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = el.classList.length ? "." + Array.from(el.classList).join(".") : "";
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${cls}>` + (text ? ` "${text}"` : "");
  };
  // Two frames: the page's own resize handlers and the new layout come first.
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const axeStarted = performance.now();
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const axeMs = Math.round(performance.now() - axeStarted);
  const violations = result.violations
    .filter((v) => blocking.includes(v.impact))
    .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
  const counted = result.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
  const overflow = [];
  const small = [];
  if (phone) {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      // Inside a scrolling box (a wide table's wrapper), overflow is that box's, not the page's; but an
      // absolutely placed element whose containing block is outside the box is not clipped by it.
      const scrolls = (el) => {
        if (["absolute", "fixed"].includes(getComputedStyle(el).position)) return false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const x = getComputedStyle(p).overflowX;
          if (x === "auto" || x === "scroll" || x === "hidden") return true;
        }
        return false;
      };
      // What reaches past the right edge: a box, or the text overflowing a box (a long address).
      const wide = [];
      for (const el of document.body.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (!box.width || scrolls(el)) continue;
        const visible = getComputedStyle(el).overflowX === "visible";
        const right = Math.max(box.right, visible ? box.left + el.scrollWidth : 0);
        if (right > width + 1) wide.push([el, Math.round(right)]);
      }
      // The innermost culprits: drop an element whose descendant is listed too.
      const inner = wide.filter(([el]) => !wide.some(([other]) => other !== el && el.contains(other)));
      for (const [el, right] of inner.slice(0, 5)) overflow.push(describe(el) + ` reaches ${right}px`);
      if (!overflow.length) overflow.push(`the page is ${document.documentElement.scrollWidth}px wide`);
    }
    for (const el of document.querySelectorAll(tapTargets)) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || el.closest(".visually-hidden") || getComputedStyle(el).visibility === "hidden") continue;
      if (box.height < minTap - 0.5 || box.width < minTap - 0.5) small.push(describe(el) + ` ${Math.round(box.width)}×${Math.round(box.height)}px`);
      if (small.length >= 5) break;
    }
  }
  return {violations, counted, overflow, small, axeMs};
}
