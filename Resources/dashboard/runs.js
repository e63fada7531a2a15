// Training runs: the list, the selected run's status and epochs done, and its live event stream. The
// stop, resume and delete buttons are run-controls.js; the curves and the epoch table chart.js.

import { $, el, markActive, selectable, setStatus, showError } from "./quarry-ui.js";
import { drawChart } from "./chart.js";
import { experimentName } from "./experiment-form.js";
import { loadForm as loadExportForm } from "./export-form.js";
import { badge, fixed, isNum, pct } from "./format.js";
import { forProject, noteRuns } from "./projects.js";
import { loadPrelabeler } from "./prelabeler.js";
import { bindCompare, fillCompareChoices } from "./run-compare.js";
import { bindRunControls, clearRunError, showRunControls } from "./run-controls.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const isGoing = (run) => run.status === "pending" || run.status === "running";

export function bindRuns() {
  bindRunControls();
  bindCompare();
}

export const selectedRun = () => state.runs.find((r) => r.run_id === state.runId) || null;

// `selectId`: a run to select once the list has it (one just started or resumed). Otherwise the selected
// run stays; without one (a reload), a run still going is chosen, so its stream is followed again.
export function loadRuns(selectId) {
  return forProject("/api/training/" + seg(state.projectId) + "/runs", (runs) => {
    state.runs = Array.isArray(runs) ? runs : [];
    noteRuns(state.projectId, state.runs);
    const pick = state.runs.find((r) => r.run_id === selectId) || state.runs.find((r) => r.run_id === state.runId)
      || state.runs.find(isGoing) || state.runs[0];
    if (!pick) { closeStream(); state.runId = null; }
    renderRuns();
    if (pick) selectRun(pick.run_id, true);
    else $("run-detail").hidden = true;
  });
}

// The experiments' names arrived (or changed): the list entries and the comparison's choices show them.
export function showRunNames() {
  for (const run of state.runs) updateRunItem(run);
  fillCompareChoices();
}

function renderRuns() {
  const list = $("run-list");
  list.replaceChildren();
  for (const run of state.runs) {
    const li = el("li", "run");
    li.dataset.id = run.run_id;
    li.append(...runItemParts(run));
    li.title = "best " + scoreName(run).replace("val ", "validation ");
    selectable(li, () => selectRun(run.run_id, false));
    list.appendChild(li);
  }
  $("runs-empty").hidden = state.runs.length > 0;
  markActive(list, state.runId);
}

function runItemParts(run) {
  const name = experimentName(run.experiment_id);
  return [el("span", "item-id", run.run_id), el("span", "run-experiment", name ?? ""), badge(run.status),
          el("span", "item-figure", pct(bestAccuracy(run)))];
}

// An epoch's validation figure by the run's task: a classifier's accuracy, a detector's mAP, a segmenter's mean IoU.
export function validationScore(m) {
  return [m.val_accuracy, m.val_map, m.val_mean_iou].find(isNum) ?? null;
}

function bestAccuracy(run) {
  const best = [run.best_val_accuracy, run.best_val_map, run.best_val_mean_iou].find(isNum);
  if (isNum(best)) return best;
  const values = (run.metrics || []).map(validationScore).filter(isNum);
  return values.length ? Math.max(...values) : null;
}

// What the validation figure is called for the run's task.
export function scoreName(run) {
  const metrics = run && run.metrics && run.metrics.length ? run.metrics[0] : run || {};
  if (isNum(run && run.best_val_map) || isNum(metrics.val_map)) return "val mAP";
  if (isNum(run && run.best_val_mean_iou) || isNum(metrics.val_mean_iou)) return "val mean IoU";
  return "val accuracy";
}

// `reload`: the list was fetched again; reseed from it even when the same run stays selected.
function selectRun(runId, reload) {
  if (runId === state.runId && !reload) return;
  const run = state.runs.find((r) => r.run_id === runId);
  if (!run) return;
  const sameRun = runId === state.runId;
  state.runId = runId;
  if (!sameRun) clearRunError();
  markActive($("run-list"), runId);
  fillCompareChoices();
  state.points = new Map();
  for (const m of run.metrics || []) addPoint(m);
  $("run-detail").hidden = false;
  $("run-progress").textContent = "";
  showRunStatus(run);
  drawChart();
  // A finished run's epochs are all in the list already; only a run still going has news to stream.
  const going = run.status === "pending" || run.status === "running";
  if (!going) closeStream();
  else if (!(sameRun && state.stream)) openStream(run);
}

function showRunStatus(run) {
  const parts = ["Run " + run.run_id, run.status || "unknown"];
  const epochs = state.points.size;
  if (epochs) parts.push(epochs + (epochs === 1 ? " epoch" : " epochs"));
  if (isNum(bestAccuracy(run))) parts.push("best " + scoreName(run) + " " + pct(bestAccuracy(run)));
  // A failed run's error is {type, message}: the message is for people, the type for programs.
  if (run.error) parts.push("error: " + run.error.message);
  const memory = [...state.points.values()].filter((m) => isNum(m.gpu_memory_mb)).pop();
  if (memory) parts.push("GPU memory " + memory.gpu_memory_mb + " MiB (peak " + (memory.gpu_memory_peak_mb ?? "—") + " MiB)");
  $("run-status").textContent = parts.join(" · ");
  const total = run.config && isNum(run.config.epochs) ? run.config.epochs : Math.max(epochs, 1);
  $("run-epochs").max = total;
  $("run-epochs").value = Math.min(epochs, total);
  $("run-epochs-text").textContent = epochs + " of " + total + " epochs";
  showRunControls(run);
}

function addPoint(m) {
  if (m && isNum(m.epoch)) state.points.set(m.epoch, m);
}

// The stream of a run still going sends only what happens from now on; a finished run's stream
// replays its epochs. The list's metrics seed the chart and the map drops the duplicates.
function openStream(run) {
  closeStream();
  const runId = run.run_id, pid = state.projectId;
  const url = "/api/training/" + seg(pid) + "/runs/" + seg(runId) + "/stream";
  const source = new EventSource(url);
  state.stream = source;
  state.streamBroken = false;
  const current = () => state.stream === source && state.runId === runId;
  const parse = (e) => { try { return JSON.parse(e.data); } catch (err) { return null; } };

  source.addEventListener("status", (e) => {
    const data = parse(e);
    if (!current() || !data || typeof data.status !== "string") return;
    run.status = data.status;
    if (data.error && !run.error) run.error = { message: data.error };
    if (data.status !== "running") $("run-progress").textContent = "";
    updateRunItem(run);
  });
  source.addEventListener("progress", (e) => {
    const d = parse(e);
    if (!current() || !d) return;
    $("run-progress").textContent = "epoch " + (d.epoch ?? "?") + ", batch " + (d.batch ?? "?") + "/" + (d.batches ?? "?") + ", loss " + fixed(d.loss, 2);
  });
  source.addEventListener("epoch_end", (e) => {
    const m = parse(e);
    if (!current() || !m) return;
    addPoint(m);
    if (!(run.metrics || []).some((x) => x.epoch === m.epoch)) (run.metrics = run.metrics || []).push(m);
    if (isNum(m.val_accuracy) && !(run.best_val_accuracy >= m.val_accuracy)) run.best_val_accuracy = m.val_accuracy;
    if (isNum(m.val_map) && !(run.best_val_map >= m.val_map)) run.best_val_map = m.val_map;
    if (isNum(m.val_mean_iou) && !(run.best_val_mean_iou >= m.val_mean_iou)) run.best_val_mean_iou = m.val_mean_iou;
    updateRunItem(run);
    drawChart();
  });
  source.addEventListener("complete", () => {
    if (!current()) return;
    $("run-progress").textContent = "";
    closeStream();
    // A run that has ended can be exported and named the pre-labeler: those forms list it now.
    loadExportForm();
    loadPrelabeler();
  });
  source.addEventListener("open", () => {
    // After a dropped connection the server sends only new events: re-read what was missed.
    if (current() && state.streamBroken) { state.streamBroken = false; refetchRun(runId); }
  });
  source.addEventListener("error", () => {
    if (!current()) return;
    state.streamBroken = true;
    // CLOSED means the server refused the stream (a 401 or 404): find out whether we are signed out.
    if (source.readyState === EventSource.CLOSED) {
      closeStream();
      api("/api/account").then(() => setStatus("Live updates of run " + runId + " stopped.", true), showError);
    }
  });
}

export function closeStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
}

async function refetchRun(runId) {
  await forProject("/api/training/" + seg(state.projectId) + "/runs/" + seg(runId), (fresh) => {
    const run = state.runs.find((r) => r.run_id === runId);
    if (!fresh || !run || state.runId !== runId) return;
    Object.assign(run, fresh);
    for (const m of fresh.metrics || []) addPoint(m);
    updateRunItem(run);
    drawChart();
  });
}

// Updates the selected run's list entry and status line in place, without rebuilding the list.
function updateRunItem(run) {
  for (const li of $("run-list").children) {
    if (li.dataset.id !== run.run_id) continue;
    li.replaceChildren(...runItemParts(run));
  }
  if (state.runId === run.run_id) showRunStatus(run);
  if (state.runs.includes(run)) noteRuns(state.projectId, state.runs);
}
