// The loop's last step: which run's checkpoint pre-labels the project's new tasks
// (GET/PUT/DELETE /api/projects/{project_id}/prelabeler), and the new tasks it labeled with what it said
// (GET …/prelabeler/jobs). The jobs run on the server; the list is read again (poll.js: one request at a
// time, none in a background tab) while any is waiting and, while a pre-labeler is named, every few seconds,
// so tasks sent meanwhile (a HITL job, a JTheta annotation request) show up without a reload, and a reload
// finds them all the same. Each read updates the list in place, by job id. The runs offered are runs.js's
// list, followed through projects.js's onRuns.

import { $, el, setStatus, showMessage, updateList } from "./quarry-ui.js";
import { fillRunSelect } from "./export-form.js";
import { badge, pct } from "./format.js";
import { createPoller } from "./poll.js";
import { onRuns } from "./projects.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const BUSY_POLL_MS = 1000;    // a job is pending or running: its predictions are moments away
const NAMED_POLL_MS = 5000;   // a pre-labeler is named: new tasks can arrive at any time
const WAITING = ["pending", "running"];

let current = null;   // the setting as the server last said it: {run_id, checkpoint, device}
let seq = 0;          // only the latest read's answer is shown; a project switch drops older ones
const jobsPoller = createPoller(readJobs);

registerSection({ load: loadPrelabeler, reset: resetPrelabeler });

export function bindPrelabeler() {
  $("prelabeler-form").addEventListener("submit", (e) => { e.preventDefault(); change("PUT"); });
  $("prelabeler-clear").addEventListener("click", () => change("DELETE"));
  // Every run is offered: one that has not finished, or lacks the checkpoint, is the server's to refuse.
  onRuns((runs) => {
    fillRunSelect($("prelabeler-run"), runs, current && current.run_id);
    updateButtons();
  });
}

async function loadPrelabeler() {
  const mine = ++seq, pid = state.projectId;
  showMessage($("prelabeler-error"), "");
  try {
    const setting = await api(base(pid));
    if (mine !== seq) return;
    showCurrent(setting);
  } catch (err) {
    if (mine === seq && err.status !== 401) showMessage($("prelabeler-error"), err.message);
  }
  if (mine === seq) jobsPoller.start(0);
}

function resetPrelabeler() {
  seq++;
  jobsPoller.stop();
  current = null;
  $("prelabeler-run").replaceChildren();
  $("prelabeler-current").textContent = "";
  $("prelabel-jobs").replaceChildren();
  $("prelabel-summary").textContent = "";
  $("prelabel-jobs-empty").hidden = true;
  showMessage($("prelabeler-error"), "");
  showMessage($("prelabel-jobs-error"), "");
  updateButtons();
}

const base = (pid) => "/api/projects/" + seg(pid) + "/prelabeler";

// The one rule for both buttons: nothing while one is at work; naming needs a run, stopping a pre-labeler.
function updateButtons() {
  const set = $("prelabeler-set"), clear = $("prelabeler-clear");
  const busy = [set, clear].some((b) => b.getAttribute("aria-busy") === "true");
  set.disabled = busy || !$("prelabeler-run").options.length;
  clear.disabled = busy || !current;
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
  updateButtons();
}

// Names the chosen run (PUT) or clears the setting (DELETE); a refusal stays under the form, in the server's words.
async function change(method) {
  const pid = state.projectId;
  const buttons = [$("prelabeler-set"), $("prelabeler-clear")];
  if (buttons.some((b) => b.getAttribute("aria-busy") === "true")) return;
  const body = method === "PUT" ? { run_id: $("prelabeler-run").value, checkpoint: $("prelabeler-checkpoint").value } : undefined;
  const button = method === "PUT" ? buttons[0] : buttons[1];
  button.setAttribute("aria-busy", "true");
  updateButtons();
  showMessage($("prelabeler-error"), "");
  try {
    const setting = await api(base(pid), method, body);
    if (pid !== state.projectId) return;
    showCurrent(setting);
    setStatus(current ? "Run " + current.run_id + " now pre-labels new tasks." : "Pre-labeling stopped.");
    jobsPoller.start(0);
  } catch (err) {
    if (pid === state.projectId && err.status !== 401) showMessage($("prelabeler-error"), err.message);
  } finally {
    button.removeAttribute("aria-busy");
    updateButtons();
  }
}

// One read of the jobs; the next in a second while one is waiting, in five while a pre-labeler is named.
async function readJobs(live) {
  const pid = state.projectId, generation = state.generation;
  let jobs = null, failure = null;
  try {
    jobs = await api(base(pid) + "/jobs");
  } catch (err) {
    failure = err;
  }
  if (!live() || pid !== state.projectId || generation !== state.generation || (failure && failure.status === 401)) return null;
  showMessage($("prelabel-jobs-error"), failure ? failure.message : "");
  if (jobs) renderJobs(Array.isArray(jobs) ? jobs : []);
  const busy = jobs && jobs.some((job) => WAITING.includes(job.status));
  return busy ? BUSY_POLL_MS : current ? NAMED_POLL_MS : null;
}

// The list in the server's order; entries are kept by job id and redrawn only when their job changed.
function renderJobs(jobs) {
  updateList($("prelabel-jobs"), jobs, { key: (job) => job.job_id, className: "prelabel-job", fill: fillJob });
  $("prelabel-jobs-empty").hidden = jobs.length > 0;
  const counts = new Map();
  for (const job of jobs) counts.set(job.status, (counts.get(job.status) || 0) + 1);
  const labeled = jobs.reduce((n, job) => n + (job.images || []).filter((image) => (image.labels || []).length).length, 0);
  const parts = [...counts].map(([status, n]) => n + " " + status);
  if (jobs.length) parts.push(labeled + (labeled === 1 ? " image" : " images") + " pre-labeled");
  $("prelabel-summary").textContent = parts.join(" · ");
}

// One new task: its id and job state, then each of its images with the model's labels for it.
function fillJob(li, job) {
  li.dataset.task = job.task_id;
  li.dataset.status = job.status;
  const images = el("ul", "prelabel-images");
  for (const image of job.images || []) {
    const row = el("li", "prelabel-image");
    row.append(el("span", "prelabel-file", image.file_name || "image " + image.image_id));
    const labels = image.labels || [];
    if (labels.length) row.append(el("span", "prelabel-labels", labels.map(labelText).join(", ")));
    else row.append(el("span", "prelabel-labels muted", job.status === "completed" ? "no predictions" : "—"));
    images.appendChild(row);
  }
  li.replaceChildren(el("span", "item-id", job.task_id), badge(job.status), el("span", "item-meta", job.finished_at || job.created_at || ""), images);
  if (job.error) li.appendChild(el("span", "item-error", job.error));
}

function labelText(label) {
  return label.label + (typeof label.confidence === "number" ? " " + pct(label.confidence) : "");
}
