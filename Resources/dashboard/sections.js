// The selected project's sections beyond the first five: each module registers what it loads when a
// project is selected (or Refresh is pressed) and what it clears when another project is chosen, so a
// new page joins the dashboard without projects.js knowing it.

const sections = [];

// `load()` reads the selected project's part; `reset()` clears it before another project loads.
export function registerSection(section) {
  sections.push(section);
}

export function loadRegisteredSections() {
  for (const section of sections) section.load();
}

export function resetRegisteredSections() {
  for (const section of sections) if (section.reset) section.reset();
}
