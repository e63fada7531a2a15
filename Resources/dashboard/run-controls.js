// The selected run's controls: stop (a pending or running run), resume (a stopped, interrupted or failed
// one) and delete, each enabled by the run's status and each showing the server's message under the
// buttons when it is refused. Deleting asks first, in a modal dialog shared with the experiments.

import { $, setStatus } from "./quarry-ui.js";
import { loadRuns, selectedRun } from "./runs.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const GOING = ["pending", "running"];
const RESUMABLE = ["stopped", "interrupted", "failed"];

let stopping = null;       // the run a stop was asked for, until its stream says it stopped
let confirmAction = null;  // what the open confirmation does
let confirmFocus = null;

export function bindRunControls() {
  $("run-stop").addEventListener("click", stopRun);
  $("run-resume").addEventListener("click", resumeRun);
  $("run-delete").addEventListener("click", deleteRun);
  $("confirm-form").addEventListener("submit", confirmSubmit);
  $("confirm-cancel").addEventListener("click", () => $("training-confirm").close());
  $("training-confirm").addEventListener("close", () => {
    confirmAction = null;
    const focus = confirmFocus && confirmFocus.isConnected && !confirmFocus.closest("[hidden]") ? confirmFocus : $("new-experiment");
    confirmFocus = null;
    if (!$("dashboard").hidden) focus.focus();
  });
}

// Called by runs.js whenever the selected run (or its status) changes.
export function showRunControls(run) {
  const status = run ? run.status : null;
  if (run && stopping === run.run_id && !GOING.includes(status)) {
    stopping = null;
    setStatus("Run " + run.run_id + " " + status + ".");
  }
  $("run-stop").disabled = !run || !GOING.includes(status) || stopping === run.run_id;
  $("run-stop").textContent = run && stopping === run.run_id ? "Stopping…" : "Stop";
  $("run-resume").disabled = !run || !RESUMABLE.includes(status);
  $("run-delete").disabled = !run || GOING.includes(status);
}

// A new run selected: the last one's refusal no longer applies.
export function clearRunError() {
  showError("");
}

function showError(message) {
  $("run-action-error").textContent = message;
  $("run-action-error").hidden = !message;
}

function runPath(run) {
  return "/api/training/" + seg(state.projectId) + "/runs/" + seg(run.run_id);
}

async function act(button, work) {
  const run = selectedRun();
  if (!run || button.disabled) return;
  button.disabled = true;
  showError("");
  try {
    await work(run);
  } catch (err) {
    if (err.status !== 401 && selectedRun() === run) showError(err.message);
  } finally {
    showRunControls(selectedRun());
  }
}

// The server stops the run before its next batch; the stream then says `stopped` and ends.
function stopRun() {
  return act($("run-stop"), async (run) => {
    await api(runPath(run) + "/stop", "POST");
    stopping = run.run_id;
    setStatus("Stopping run " + run.run_id + "…");
  });
}

// A resumed run is pending again: reading the list again reopens its stream.
function resumeRun() {
  return act($("run-resume"), async (run) => {
    const resumed = await api(runPath(run) + "/resume", "POST");
    setStatus("Resumed run " + run.run_id + " (" + resumed.status + ").");
    await loadRuns(run.run_id);
  });
}

function deleteRun() {
  const run = selectedRun();
  if (!run) return;
  confirmDelete("Delete run", "This deletes the run " + run.run_id + " with its checkpoints and metrics.", "Delete run", async () => {
    await api(runPath(run), "DELETE");
    setStatus("Deleted run " + run.run_id + ".");
    if (state.runId === run.run_id) state.runId = null;
    await loadRuns();
  });
}

// Asks before `action` (which may throw the server's refusal, shown in the dialog, which then stays open).
export function confirmDelete(title, text, buttonText, action) {
  confirmAction = action;
  confirmFocus = document.activeElement;
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-submit").textContent = buttonText;
  $("confirm-error").hidden = true;
  $("training-confirm").showModal();
  // Enter confirms, as in the other dialogs; Escape or Cancel leaves everything as it was.
  $("confirm-submit").focus();
}

async function confirmSubmit(event) {
  event.preventDefault();
  const button = $("confirm-submit");
  if (!confirmAction || button.disabled) return;
  button.disabled = true;
  $("confirm-error").hidden = true;
  try {
    await confirmAction();
    $("training-confirm").close();
  } catch (err) {
    if (err.status === 401) return;
    $("confirm-error").textContent = err.message;
    $("confirm-error").hidden = false;
  } finally {
    button.disabled = false;
  }
}
