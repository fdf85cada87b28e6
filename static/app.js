// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// A table wider than the screen scrolls inside its wrapper: while it does, the wrapper is a named
// region that Tab reaches, so keyboard users can scroll it too (WCAG 2.1.1).
(function () {
  function update() {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        const caption = wrap.querySelector("caption");
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption && caption.textContent.trim()) || "Table");
        wrap.dataset.scrollFocus = "yes";
      } else if (!scrolls && wrap.dataset.scrollFocus === "yes") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.scrollFocus;
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
