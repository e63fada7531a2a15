// Quarry account dashboard: projects, labeling progress, the dataset, training runs, evaluations
// and model exports of one account, and the System panel (devices, disk use, the server's health).
//
// Served under a strict CSP, so everything here builds DOM with createElement and puts any text
// that came from the server (project, class and file names, e-mails) in with textContent only.
// Authentication is an HttpOnly session cookie: the API key is posted once to /dashboard/session,
// the input is cleared, and no copy is kept anywhere. Every fetch, <img> and EventSource then
// rides on the cookie.
//
// This module is the entry point: it wires the page's controls to the modules that do the work
// (docs/architecture.md lists them) and checks for a session.

import { $ } from "./quarry-ui.js";
import { drawChart } from "./chart.js";
import { goToPage, loadImages } from "./dataset.js";
import { bindProjectForms } from "./project-forms.js";
import { loadProjects } from "./projects.js";
import { closeStream } from "./runs.js";
import { signIn, signOut, start } from "./session.js";
import { bindSystem } from "./system.js";
import { bindTheme } from "./theme.js";
import { SEARCH_DELAY_MS, state } from "./state.js";

function bindUI() {
  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  // The list's figures and the selected project's sections, all read again.
  $("refresh").addEventListener("click", loadProjects);
  bindProjectForms();
  bindSystem();
  bindTheme();
  $("class-filter").addEventListener("change", (e) => {
    state.grid.filterClass = e.target.value;
    state.grid.page = 1;
    loadImages();
  });
  $("search").addEventListener("input", (e) => {
    clearTimeout(state.searchTimer);
    const text = e.target.value.trim();
    state.searchTimer = setTimeout(() => {
      if (text === state.grid.search) return;
      state.grid.search = text;
      state.grid.page = 1;
      loadImages();
    }, SEARCH_DELAY_MS);
  });
  $("grid-prev").addEventListener("click", () => goToPage(-1));
  $("grid-next").addEventListener("click", () => goToPage(1));
  // A zoom or a move to another screen changes devicePixelRatio; redraw at the new resolution.
  window.addEventListener("resize", () => { if (!$("run-detail").hidden) drawChart(); });
  // Leaving the page should not leave a stream open.
  window.addEventListener("pagehide", closeStream);
}

// A module script runs once the document is parsed, so every element looked up here is there.
bindUI();
start();
