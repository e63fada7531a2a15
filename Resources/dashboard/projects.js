// The project list (each project with its task, images, labeled share and last run) and the selection,
// kept in the address so that a reload opens the same project; each section of the selected project
// loads through forProject(). Creating, renaming and deleting are project-forms.js.

import { $, el, markActive, selectable, setStatus, showError } from "./quarry-ui.js";
import { loadDataset } from "./dataset.js";
import { loadEvaluations } from "./evaluations.js";
import { badge, bestFigure, count, isNum, pct } from "./format.js";
import { loadProgress } from "./progress.js";
import { closeStream, loadRuns } from "./runs.js";
import { loadRegisteredSections, resetRegisteredSections } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

// What a project's runs are measured by, by its task (named even before a run has a figure).
const FIGURES = { classification: "accuracy", detection: "mAP", segmentation: "mean IoU" };

export async function loadProjects() {
  const generation = state.generation;
  try {
    const projects = await api("/api/projects");
    if (generation !== state.generation) return;
    state.projects = Array.isArray(projects) ? projects : [];
    renderProjects();
    for (const project of state.projects) loadSummary(String(project.id));
    const wanted = state.projectId || projectInAddress();
    const first = state.projects.find((p) => String(p.id) === wanted) || state.projects[0];
    if (first) selectProject(String(first.id));
    else clearSelection();
  } catch (err) {
    showError(err);
  }
}

export const currentProject = () => state.projects.find((p) => String(p.id) === state.projectId) || null;

function renderProjects() {
  const list = $("projects");
  list.replaceChildren(...state.projects.map(projectItem));
  $("projects-empty").hidden = state.projects.length > 0;
  markActive(list, state.projectId);
}

function projectItem(project) {
  const id = String(project.id);
  const li = el("li", "project");
  li.dataset.id = id;
  fillProjectItem(li, project);
  selectable(li, () => selectProject(id));
  return li;
}

// Three lines: the name; the task, images and labeled share; the last run and its best figure.
function fillProjectItem(li, project) {
  const summary = state.summaries.get(String(project.id));
  const task = FIGURES[project.task] ? project.task : "classification";
  const images = isNum(project.image_count) ? project.image_count : 0;
  const facts = el("span", "project-facts");
  facts.append(el("span", "project-task", task), el("span", "project-images", count(images) + (images === 1 ? " image" : " images")));
  const share = labeledShare(summary && summary.stats);
  if (share !== null) facts.appendChild(el("span", "project-labeled", pct(share) + " labeled"));
  li.replaceChildren(el("span", "project-title", project.name || project.id), facts, lastRunLine(summary, FIGURES[task]));
  if (summary && summary.error) li.appendChild(el("span", "item-error", summary.error));
}

// Images with a class or in an approved task (`labeled`), of all the project's images; none without images.
function labeledShare(stats) {
  if (!stats || !(stats.image_count > 0)) return null;
  const labeled = isNum(stats.labeled) ? stats.labeled : stats.image_count - (Number(stats.unlabeled) || 0);
  return labeled / stats.image_count;
}

function lastRunLine(summary, figure) {
  const line = el("span", "project-run");
  if (!summary) line.appendChild(el("span", null, "loading…"));
  else if (summary.runs && !summary.runs.length) line.appendChild(el("span", null, "no runs yet"));
  else if (summary.runs) {
    const run = summary.runs[0];  // newest first
    const best = bestFigure(run);
    const name = isNum(best.value) ? best.name : figure;
    line.append(el("span", null, "last run"), badge(run.status), el("span", "project-figure", name + " " + pct(best.value)));
    line.title = "Run " + run.run_id + (run.created_at ? ", started " + run.created_at : "") + ": best validation " + name;
  }
  return line;
}

// What /api/projects leaves out, two calls per project: its images' counts and its runs. Each failure
// is shown in the project's entry, in the server's words.
async function loadSummary(id) {
  const generation = state.generation;
  const [stats, runs] = await Promise.allSettled([api("/api/datasets/" + seg(id)), api("/api/training/" + seg(id) + "/runs")]);
  if (generation !== state.generation || !state.projects.some((p) => String(p.id) === id)) return;
  const failures = [stats, runs].filter((r) => r.status === "rejected").map((r) => r.reason.message);
  state.summaries.set(id, {
    stats: stats.status === "fulfilled" ? stats.value : null,
    runs: runs.status === "fulfilled" && Array.isArray(runs.value) ? runs.value : null,
    error: failures.join(" · "),
  });
  updateProjectItem(id);
}

// The selected project's runs as runs.js has them (read again, or changed by the live stream), so its
// entry's last run follows without another call.
export function noteRuns(id, runs) {
  for (const listener of runListeners) listener(runs);
  const summary = state.summaries.get(id);
  if (!summary || !id) return;
  summary.runs = runs;
  updateProjectItem(id);
}

// The sections that offer the project's runs (the export form, the pre-labeler, the evaluation dialog)
// follow them from here instead of reading the list again: `listener(runs)` on every change.
const runListeners = [];
export function onRuns(listener) {
  runListeners.push(listener);
}

function updateProjectItem(id) {
  const project = state.projects.find((p) => String(p.id) === id);
  for (const li of $("projects").children) if (li.dataset.id === id && project) fillProjectItem(li, project);
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
  resetRegisteredSections();
}

function selectProject(id) {
  if (id !== state.projectId) {
    resetProject();
    state.projectId = id;
  }
  rememberProject(id);
  markActive($("projects"), id);
  showProjectName();
  loadSections();
}

function clearSelection() {
  resetProject();
  state.projectId = null;
  rememberProject(null);
  showProjectName();
}

function showProjectName() {
  const project = currentProject();
  $("project-name").textContent = project ? project.name || project.id : "";
  $("project-actions").hidden = !project;
  // Without a project, its sections have nothing to act on: the list's own hint says what to do.
  $("section-nav").hidden = !project;
  $("project-sections").hidden = !project;
}

// The selection lives in the fragment (#project=…), beside whatever else is there; replaceState adds no
// history entry per click.
function projectInAddress() {
  return new URLSearchParams(location.hash.slice(1)).get("project");
}

function rememberProject(id) {
  const params = new URLSearchParams(location.hash.slice(1));
  if (id) params.set("project", id);
  else params.delete("project");
  const fragment = params.toString();
  history.replaceState(history.state, "", location.pathname + location.search + (fragment ? "#" + fragment : ""));
}

// What the forms report back: the list changes in place and the selection follows.
export function projectCreated(project) {
  const id = String(project.id);
  state.projects.push(project);
  renderProjects();
  loadSummary(id);
  selectProject(id);
}

export function projectRenamed(project) {
  const id = String(project.id);
  const index = state.projects.findIndex((p) => String(p.id) === id);
  if (index < 0) return;
  state.projects[index] = project;
  updateProjectItem(id);
  showProjectName();
}

export function projectDeleted(id) {
  state.projects = state.projects.filter((p) => String(p.id) !== id);
  state.summaries.delete(id);
  renderProjects();
  if (id !== state.projectId) return;
  if (state.projects.length) selectProject(String(state.projects[0].id));
  else clearSelection();
}

// Each section loads and fails on its own, so one broken endpoint leaves the others readable.
function loadSections() {
  if (!state.projectId) return;
  setStatus("");
  loadProgress();
  loadDataset();
  loadRuns();
  loadEvaluations();
  loadRegisteredSections();
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
