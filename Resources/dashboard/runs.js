// Training runs: the list, the selected run's status and epochs done, and its live event stream. The
// stop, resume and delete buttons are run-controls.js; the curves and the epoch table chart.js.

import { $, el, markActive, selectable, setStatus, showError } from "./quarry-ui.js";
import { drawChart } from "./chart.js";
import { experimentName } from "./experiment-form.js";
import { badge, bestFigure, fixed, isNum, pct } from "./format.js";
import { createPoller } from "./poll.js";
import { forProject, noteRuns } from "./projects.js";
import { bindCompare, fillCompareChoices } from "./run-compare.js";
import { bindRunControls, clearRunError, showRunControls } from "./run-controls.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const isGoing = (run) => run.status === "pending" || run.status === "running";
const OTHERS_EVERY = 5000; // ms between readings of runs going without a stream

export function bindRuns() {
  bindRunControls();
  bindCompare();
  registerSection({ load() {}, reset: () => others.stop() });
}

// Runs going that no stream follows (another run is selected): the list is read again now and then,
// so their ends show in it and reach noteRuns' listeners (the sections offering ended runs).
const unfollowed = () => state.runs.filter((r) => isGoing(r) && !(r.run_id === state.runId && state.stream));
const others = createPoller(async (current) => {
  const pid = state.projectId;
  if (!unfollowed().length) return null;
  try {
    const fresh = await api("/api/training/" + seg(pid) + "/runs");
    if (!current() || pid !== state.projectId) return null;
    for (const run of unfollowed()) {
      const now = (Array.isArray(fresh) ? fresh : []).find((r) => r.run_id === run.run_id);
      if (!now || (now.status === run.status && (now.metrics || []).length === (run.metrics || []).length)) continue;
      Object.assign(run, now);
      updateRunItem(run);
    }
  } catch (err) {
    if (current() && pid === state.projectId) showError(err);
    return null;
  }
  return unfollowed().length ? OTHERS_EVERY : null;
});

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
    li.title = "best validation " + bestFigure(run).name;
    selectable(li, () => selectRun(run.run_id, false));
    list.appendChild(li);
  }
  $("runs-empty").hidden = state.runs.length > 0;
  markActive(list, state.runId);
}

function runItemParts(run) {
  const name = experimentName(run.experiment_id);
  return [el("span", "item-id", run.run_id), el("span", "run-experiment", name ?? ""), badge(run.status),
          el("span", "item-figure", pct(bestFigure(run).value))];
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
  if (!isGoing(run)) closeStream();
  else if (!(sameRun && state.stream)) openStream(run);
  if (unfollowed().length) others.start(OTHERS_EVERY);
}

function showRunStatus(run) {
  const parts = ["Run " + run.run_id, run.status || "unknown"];
  const epochs = state.points.size;
  if (epochs) parts.push(epochs + (epochs === 1 ? " epoch" : " epochs"));
  const best = bestFigure(run);
  if (isNum(best.value)) parts.push("best val " + best.name + " " + pct(best.value));
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
  // Refresh puts new objects in state.runs: the events change the list's own entry of the run (the one
  // the stream was opened with only while the list lacks it), so noteRuns' listeners follow them.
  const live = () => state.runs.find((r) => r.run_id === runId) || run;
  const changeStatus = (data) => {
    const target = live();
    target.status = data.status;
    if (data.error && !target.error) target.error = { message: data.error };
    if (data.status !== "running") $("run-progress").textContent = "";
    updateRunItem(target);
  };

  source.addEventListener("status", (e) => {
    const data = parse(e);
    if (!current() || !data || typeof data.status !== "string") return;
    changeStatus(data);
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
    const target = live();
    if (!(target.metrics || []).some((x) => x.epoch === m.epoch)) (target.metrics = target.metrics || []).push(m);
    for (const key of ["accuracy", "map", "mean_iou"]) {
      const value = m["val_" + key], best = "best_val_" + key;
      if (isNum(value) && !(target[best] >= value)) target[best] = value;
    }
    updateRunItem(target);
    drawChart();
  });
  // The run has ended (its final status with it): the sections offering ended runs (the export form,
  // the pre-labeler, the evaluation dialog) hear of it through noteRuns.
  source.addEventListener("complete", (e) => {
    const data = parse(e);
    if (!current()) return;
    closeStream();
    if (data && typeof data.status === "string" && data.status !== live().status) changeStatus(data);
    else $("run-progress").textContent = "";
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

// Updates a run's list entry (and the selected run's status line) in place, without rebuilding the
// list; the comparison's choices and noteRuns' listeners (the project's entry, the sections offering
// runs) hear of the change.
function updateRunItem(run) {
  for (const li of $("run-list").children) {
    if (li.dataset.id !== run.run_id) continue;
    li.replaceChildren(...runItemParts(run));
  }
  if (state.runId === run.run_id) showRunStatus(run);
  else fillCompareChoices();
  if (state.runs.includes(run)) noteRuns(state.projectId, state.runs);
}
