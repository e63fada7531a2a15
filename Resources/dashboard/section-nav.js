// The row of section names above the selected project's sections: each brings its section into view
// and moves focus to it, and the one in view is marked as the reader scrolls. Buttons rather than
// links, so the address keeps only the selected project (#project=…).

import { $ } from "./quarry-ui.js";

export function bindSectionNav() {
  const nav = $("section-nav");
  const buttons = [...nav.querySelectorAll("button[data-target]")];
  for (const button of buttons) {
    button.addEventListener("click", () => {
      const section = $(button.dataset.target);
      section.scrollIntoView({ block: "start" });
      // A section is no control: tabIndex -1 lets it take focus so the next Tab continues inside it.
      section.tabIndex = -1;
      section.focus({ preventScroll: true });
      mark(buttons, button.dataset.target);
    });
  }
  // The first section in the upper third of the scrolling column is the one being read.
  const visible = new Map();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) visible.set(entry.target.id, entry.isIntersecting);
    const current = buttons.find((b) => visible.get(b.dataset.target));
    if (current) mark(buttons, current.dataset.target);
  }, { root: $("project-sections"), rootMargin: "0px 0px -66% 0px" });
  for (const button of buttons) observer.observe($(button.dataset.target));
}

function mark(buttons, id) {
  for (const button of buttons) {
    if (button.dataset.target === id) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}
