// Quarry account dashboard: the whole Studio of one account in the browser. Its projects, and per
// project the data (import, grid, an image's page, downloads), splits, labeling requests and
// progress, experiments and runs with live curves, evaluations with their error gallery, model
// exports and the pre-labeler; the System panel (devices, disk use, the server's health and version).
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
import { bindDataset } from "./dataset.js";
import { bindEvaluations } from "./evaluations.js";
import { bindExportForm } from "./export-form.js";
import { bindExperiments } from "./experiment-form.js";
import { bindLabeling } from "./labeling.js";
import { bindPrelabeler } from "./prelabeler.js";
import { bindProjectForms } from "./project-forms.js";
import { loadProjects } from "./projects.js";
import { bindRuns, closeStream } from "./runs.js";
import { bindSectionNav } from "./section-nav.js";
import { signIn, signOut, start } from "./session.js";
import { bindSplits } from "./splits.js";
import { bindSystem } from "./system.js";
import { bindTheme } from "./theme.js";

function bindUI() {
  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  // The list's figures and the selected project's sections, all read again.
  $("refresh").addEventListener("click", loadProjects);
  bindTheme();
  bindSystem();
  bindProjectForms();
  bindSectionNav();
  // The sections, in the page's order.
  bindDataset();
  bindSplits();
  bindLabeling();
  bindExperiments();
  bindRuns();
  bindEvaluations();
  bindExportForm();
  bindPrelabeler();
  // A zoom, a move to another screen (devicePixelRatio) or another theme: draw the chart again.
  for (const event of ["resize", "quarry-theme"]) window.addEventListener(event, () => { if (!$("run-detail").hidden) drawChart(); });
  // Leaving the page should not leave a stream open.
  window.addEventListener("pagehide", closeStream);
}

// A module script runs once the document is parsed, so every element looked up here is there.
bindUI();
start();
