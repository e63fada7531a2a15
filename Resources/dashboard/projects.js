// The project list and selection; each section of the selected project loads through forProject().

import { $, el, markActive, selectable, setStatus, showError } from "./quarry-ui.js";
import { loadDataset } from "./dataset.js";
import { loadEvaluations } from "./evaluations.js";
import { loadExports } from "./model-exports.js";
import { loadProgress } from "./progress.js";
import { closeStream, loadRuns } from "./runs.js";
import { api } from "./session.js";
import { state } from "./state.js";

export async function loadProjects() {
  const generation = state.generation;
  try {
    const projects = await api("/api/projects");
    if (generation !== state.generation) return;
    state.projects = Array.isArray(projects) ? projects : [];
    renderProjects();
    const keep = state.projects.find((p) => String(p.id) === state.projectId);
    const first = keep || state.projects[0];
    if (first) selectProject(String(first.id));
    else $("project-name").textContent = "";
  } catch (err) {
    showError(err);
  }
}

function renderProjects() {
  const list = $("projects");
  list.replaceChildren();
  for (const project of state.projects) {
    const id = String(project.id);
    const li = el("li", "project", project.name || id);
    li.dataset.id = id;
    selectable(li, () => selectProject(id));
    list.appendChild(li);
  }
  $("projects-empty").hidden = state.projects.length > 0;
}

// Everything that belongs to the selected project, cleared before another one loads.
export function resetProject() {
  closeStream();
  clearTimeout(state.searchTimer);
  state.grid = { page: 1, total: 0, filterClass: "", search: "", seq: state.grid.seq + 1 };
  state.runs = [];
  state.runId = null;
  state.points = new Map();
  state.evaluations = [];
  state.evalId = null;
  $("search").value = "";
  const filter = $("class-filter");
  filter.replaceChildren(new Option("All classes", ""));
  for (const id of ["grid", "run-list", "evaluation-list", "export-list", "confusion", "per-class"]) $(id).replaceChildren();
  for (const table of ["progress-status", "progress-workers"]) $(table).tBodies[0].replaceChildren();
  for (const id of ["progress-total", "dataset-stats", "dataset-total", "grid-page", "run-status", "run-progress"]) $(id).textContent = "";
  $("run-detail").hidden = true;
  $("evaluation-detail").hidden = true;
}

function selectProject(id) {
  if (id !== state.projectId) {
    resetProject();
    state.projectId = id;
  }
  markActive($("projects"), id);
  const project = state.projects.find((p) => String(p.id) === id);
  $("project-name").textContent = project ? project.name || id : "";
  loadSections();
}

// Each section loads and fails on its own, so one broken endpoint leaves the others readable.
export function loadSections() {
  if (!state.projectId) return;
  setStatus("");
  loadProgress();
  loadDataset();
  loadRuns();
  loadEvaluations();
  loadExports();
}

// Runs `fn` with the project's answer only if the same project (and session) is still selected.
export async function forProject(path, fn) {
  const pid = state.projectId, generation = state.generation;
  try {
    const data = await api(path);
    if (pid === state.projectId && generation === state.generation) fn(data);
  } catch (err) {
    if (pid === state.projectId) showError(err);
  }
}
