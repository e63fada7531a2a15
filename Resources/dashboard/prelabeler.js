// The loop's last step: which run's checkpoint pre-labels the project's new tasks
// (GET/PUT/DELETE /api/projects/{project_id}/prelabeler), and the new tasks it labeled with what it said
// (GET …/prelabeler/jobs). The jobs run on the server; the list is read again while any is waiting and,
// while a pre-labeler is named, every few seconds, so tasks sent meanwhile (a HITL job, a JTheta annotation
// request) show up without a reload, and a reload finds them all the same.

import { $, el, setStatus } from "./quarry-ui.js";
import { runLabel } from "./export-form.js";
import { badge, pct } from "./format.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const BUSY_POLL_MS = 1000;    // a job is pending or running: its predictions are moments away
const NAMED_POLL_MS = 5000;   // a pre-labeler is named: new tasks can arrive at any time
const WAITING = ["pending", "running"];

let current = null;   // the setting as the server last said it: {run_id, checkpoint, device}
let pollTimer = null;
let seq = 0;          // only the latest read's answer is shown; a project switch drops older ones
let jobsSeq = 0;      // the same for the jobs list, read on its own schedule

registerSection({ load: loadPrelabeler, reset: resetPrelabeler });

export function bindPrelabeler() {
  $("prelabeler-form").addEventListener("submit", (e) => { e.preventDefault(); change("PUT"); });
  $("prelabeler-clear").addEventListener("click", () => change("DELETE"));
}

export async function loadPrelabeler() {
  const mine = ++seq, pid = state.projectId;
  showError("");
  try {
    const [setting, runs] = await Promise.all([api(base(pid)), api("/api/training/" + seg(pid) + "/runs")]);
    if (mine !== seq) return;
    fillRuns(Array.isArray(runs) ? runs : []);
    showCurrent(setting);
  } catch (err) {
    if (mine === seq && err.status !== 401) showError(err.message);
  }
  if (mine === seq) loadJobs();
}

function resetPrelabeler() {
  seq++;
  jobsSeq++;
  clearTimeout(pollTimer);
  pollTimer = null;
  current = null;
  $("prelabeler-run").replaceChildren();
  $("prelabeler-current").textContent = "";
  $("prelabel-jobs").replaceChildren();
  $("prelabel-summary").textContent = "";
  $("prelabel-jobs-empty").hidden = true;
  showError("");
  showJobsError("");
}

const base = (pid) => "/api/projects/" + seg(pid) + "/prelabeler";

// Every run is offered: one that has not finished, or lacks the checkpoint, is the server's to refuse.
function fillRuns(runs) {
  const select = $("prelabeler-run");
  const keep = select.value;
  select.replaceChildren(...runs.map((run) => new Option(runLabel(run), run.run_id)));
  if (runs.some((run) => run.run_id === keep)) select.value = keep;
  $("prelabeler-set").disabled = !runs.length;
}

function showCurrent(setting) {
  current = setting && setting.run_id ? setting : null;
  const line = $("prelabeler-current");
  line.replaceChildren();
  if (current) {
    line.append(el("span", null, "New tasks are pre-labeled by run "), el("span", "item-id", current.run_id),
                el("span", null, " (" + current.checkpoint + " checkpoint, on " + current.device + ")."));
    const select = $("prelabeler-run");
    if ([...select.options].some((o) => o.value === current.run_id)) select.value = current.run_id;
    $("prelabeler-checkpoint").value = current.checkpoint;
  } else {
    line.textContent = "No pre-labeler: new tasks wait for a person.";
  }
  $("prelabeler-clear").disabled = !current;
}

// Names the chosen run (PUT) or clears the setting (DELETE); a refusal stays under the form, in the server's words.
async function change(method) {
  const pid = state.projectId;
  const buttons = [$("prelabeler-set"), $("prelabeler-clear")];
  if (!pid || buttons.some((b) => b.getAttribute("aria-busy") === "true")) return;
  const body = method === "PUT" ? { run_id: $("prelabeler-run").value, checkpoint: $("prelabeler-checkpoint").value } : undefined;
  const button = method === "PUT" ? buttons[0] : buttons[1];
  button.setAttribute("aria-busy", "true");
  for (const b of buttons) b.disabled = true;
  showError("");
  try {
    const setting = await api(base(pid), method, body);
    if (pid !== state.projectId) return;
    showCurrent(setting);
    setStatus(current ? "Run " + current.run_id + " now pre-labels new tasks." : "Pre-labeling stopped.");
    loadJobs();
  } catch (err) {
    if (pid === state.projectId && err.status !== 401) showError(err.message);
  } finally {
    button.removeAttribute("aria-busy");
    $("prelabeler-set").disabled = !$("prelabeler-run").options.length;
    $("prelabeler-clear").disabled = !current;
  }
}

async function loadJobs() {
  clearTimeout(pollTimer);
  pollTimer = null;
  const mine = ++jobsSeq, pid = state.projectId, generation = state.generation;
  let jobs = null, failure = null;
  try {
    jobs = await api(base(pid) + "/jobs");
  } catch (err) {
    failure = err;
  }
  if (mine !== jobsSeq || pid !== state.projectId || generation !== state.generation || (failure && failure.status === 401)) return;
  showJobsError(failure ? failure.message : "");
  if (jobs) renderJobs(Array.isArray(jobs) ? jobs : []);
  const busy = jobs && jobs.some((job) => WAITING.includes(job.status));
  if (busy || current) pollTimer = setTimeout(loadJobs, busy ? BUSY_POLL_MS : NAMED_POLL_MS);
}

function renderJobs(jobs) {
  $("prelabel-jobs").replaceChildren(...jobs.map(jobItem));
  $("prelabel-jobs-empty").hidden = jobs.length > 0;
  const counts = new Map();
  for (const job of jobs) counts.set(job.status, (counts.get(job.status) || 0) + 1);
  const labeled = jobs.reduce((n, job) => n + (job.images || []).filter((image) => (image.labels || []).length).length, 0);
  const parts = [...counts].map(([status, n]) => n + " " + status);
  if (jobs.length) parts.push(labeled + (labeled === 1 ? " image" : " images") + " pre-labeled");
  $("prelabel-summary").textContent = parts.join(" · ");
}

// One new task: its id and job state, then each of its images with the model's labels for it.
function jobItem(job) {
  const li = el("li", "prelabel-job");
  li.dataset.id = job.job_id;
  li.dataset.task = job.task_id;
  li.dataset.status = job.status;
  li.append(el("span", "item-id", job.task_id), badge(job.status), el("span", "item-meta", job.finished_at || job.created_at || ""));
  const images = el("ul", "prelabel-images");
  for (const image of job.images || []) {
    const row = el("li", "prelabel-image");
    row.append(el("span", "prelabel-file", image.file_name || "image " + image.image_id));
    const labels = image.labels || [];
    if (labels.length) row.append(el("span", "prelabel-labels", labels.map(labelText).join(", ")));
    else row.append(el("span", "prelabel-labels muted", job.status === "completed" ? "no predictions" : "—"));
    images.appendChild(row);
  }
  li.appendChild(images);
  if (job.error) li.appendChild(el("span", "item-error", job.error));
  return li;
}

function labelText(label) {
  return label.label + (typeof label.confidence === "number" ? " " + pct(label.confidence) : "");
}

function showError(message) {
  $("prelabeler-error").textContent = message;
  $("prelabeler-error").hidden = !message;
}

function showJobsError(message) {
  $("prelabel-jobs-error").textContent = message;
  $("prelabel-jobs-error").hidden = !message;
}
