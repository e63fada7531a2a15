// The selected run's controls: stop (a pending or running run), resume (a stopped, interrupted or failed
// one) and delete, each enabled by the run's status and each showing the server's message under the
// buttons when it is refused. Deleting asks first, in a modal dialog shared with the experiments.

import { $, setStatus, showMessage } from "./quarry-ui.js";
import { bindDialog, openDialog, returnFocusTo } from "./dialogs.js";
import { loadRuns, selectedRun } from "./runs.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const GOING = ["pending", "running"];
const RESUMABLE = ["stopped", "interrupted", "failed"];

let stopping = null;       // the run a stop was asked for, until its stream says it stopped
let confirmAction = null;  // what the open confirmation does

export function bindRunControls() {
  $("run-stop").addEventListener("click", stopRun);
  $("run-resume").addEventListener("click", resumeRun);
  $("run-delete").addEventListener("click", deleteRun);
  $("confirm-form").addEventListener("submit", confirmSubmit);
  bindDialog($("training-confirm"), { cancel: $("confirm-cancel"), fallback: $("new-experiment"), onClose: () => { confirmAction = null; } });
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

const showError = (message) => showMessage($("run-action-error"), message);

// `pid`: the project the action was asked in, so a reply never acts for another one.
function runPath(run, pid = state.projectId) {
  return "/api/training/" + seg(pid) + "/runs/" + seg(run.run_id);
}

async function act(button, work) {
  const run = selectedRun(), pid = state.projectId;
  if (!run || button.disabled) return;
  button.disabled = true;
  showError("");
  // Still the run asked about (Refresh puts a new object in its place), in the same project.
  const same = () => pid === state.projectId && state.runId === run.run_id;
  try {
    await work(run, pid, same);
  } catch (err) {
    if (err.status !== 401 && same()) showError(err.message);
  } finally {
    showRunControls(selectedRun());
  }
}

// The server stops the run before its next batch; the stream then says `stopped` and ends.
function stopRun() {
  return act($("run-stop"), async (run, pid) => {
    await api(runPath(run, pid) + "/stop", "POST");
    if (pid !== state.projectId) return;
    stopping = run.run_id;
    setStatus("Stopping run " + run.run_id + "…");
  });
}

// A resumed run is pending again: reading the list again reopens its stream.
function resumeRun() {
  return act($("run-resume"), async (run, pid) => {
    const resumed = await api(runPath(run, pid) + "/resume", "POST");
    if (pid !== state.projectId) return;
    setStatus("Resumed run " + run.run_id + " (" + resumed.status + ").");
    await loadRuns(run.run_id);
  });
}

function deleteRun() {
  const run = selectedRun(), pid = state.projectId;
  if (!run) return;
  confirmDelete("Delete run", "This deletes the run " + run.run_id + " with its checkpoints and metrics.", "Delete run", async () => {
    await api(runPath(run, pid), "DELETE");
    if (pid !== state.projectId) return;
    setStatus("Deleted run " + run.run_id + ".");
    if (state.runId === run.run_id) state.runId = null;
    await loadRuns();
    // The deleted run's buttons now serve the run selected in its place, which may not allow a delete.
    if ($("run-delete").disabled || $("run-detail").hidden) {
      returnFocusTo($("training-confirm"), $("run-list").querySelector(".run.active") || $("new-experiment"));
    }
  });
}

// Asks before `action` (which may throw the server's refusal, shown in the dialog, which then stays open).
export function confirmDelete(title, text, buttonText, action) {
  confirmAction = action;
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-submit").textContent = buttonText;
  showMessage($("confirm-error"), "");
  // Enter confirms, as in the other dialogs; Escape or Cancel leaves everything as it was.
  openDialog($("training-confirm"), $("confirm-submit"));
}

async function confirmSubmit(event) {
  event.preventDefault();
  const button = $("confirm-submit");
  if (!confirmAction || button.disabled) return;
  const action = confirmAction;
  button.disabled = true;
  showMessage($("confirm-error"), "");
  try {
    await action();
    if (confirmAction === action) $("training-confirm").close();
  } catch (err) {
    if (err.status !== 401 && confirmAction === action) showMessage($("confirm-error"), err.message);
  } finally {
    button.disabled = false;
  }
}
