// The New evaluation dialog: a run of the project and its checkpoint, a split and its subset, and a batch size,
// sent as POST /api/evaluation/{project_id}. A modal <dialog> like the project forms: the run is focused on
// opening, Enter submits, Escape or Cancel closes it and focus goes back. The runs and splits are read each
// time it opens, so a run that has just finished is there. Every run is offered with its status: whether one
// can be evaluated is the server's to say, and its refusal (a run still training, a split gone, a bad batch
// size) shows in the dialog in its own words.

import { $, setStatus, showMessage } from "./quarry-ui.js";
import { bindDialog, openDialog, returnFocusTo } from "./dialogs.js";
import { count, isNum, runLabel } from "./format.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const SUBSETS = ["test", "val", "train"];

let runs = [];
let splits = [];
let onCreated = null;   // evaluations.js: takes the new evaluation, answers the element to focus
let loadSeq = 0;        // bumped by each opening, so a slow answer of an earlier one is dropped

export function bindEvaluationForm(created) {
  onCreated = created;
  $("new-evaluation").addEventListener("click", openForm);
  $("evaluation-form").addEventListener("submit", submit);
  $("evaluation-run").addEventListener("change", runChosen);
  $("evaluation-split").addEventListener("change", showSubsets);
  // Closing drops a pending read of the choices.
  bindDialog($("evaluation-dialog"), { cancel: $("evaluation-cancel"), fallback: $("new-evaluation"), onClose: () => loadSeq++ });
}

function openForm() {
  showError("");
  $("evaluation-batch").value = "32";
  openDialog($("evaluation-dialog"), $("evaluation-run"));
  loadChoices();
}

async function loadChoices() {
  const mine = ++loadSeq, pid = state.projectId;
  $("evaluation-form").setAttribute("aria-busy", "true");
  $("evaluation-submit").disabled = true;
  $("evaluation-loading").hidden = false;
  const [runAnswer, splitAnswer] = await Promise.allSettled([
    api("/api/training/" + seg(pid) + "/runs"), api("/api/splits/" + seg(pid))]);
  if (mine !== loadSeq || pid !== state.projectId) return;
  $("evaluation-loading").hidden = true;
  $("evaluation-form").removeAttribute("aria-busy");
  runs = runAnswer.status === "fulfilled" && Array.isArray(runAnswer.value) ? runAnswer.value : [];
  splits = splitAnswer.status === "fulfilled" && Array.isArray(splitAnswer.value) ? splitAnswer.value : [];
  const failures = [runAnswer, splitAnswer].filter((a) => a.status === "rejected").map((a) => a.reason.message);
  fillRuns();
  fillSplits();
  runChosen();
  const missing = [];
  if (!runs.length && runAnswer.status === "fulfilled") missing.push("This project has no training runs yet: train one first.");
  if (!splits.length && splitAnswer.status === "fulfilled") missing.push("This project has no splits yet: make one first.");
  showError(failures.concat(missing).join(" "));
  $("evaluation-submit").disabled = !runs.length || !splits.length;
}

// Newest first, as the server lists them; the newest completed run is chosen.
function fillRuns() {
  const select = $("evaluation-run");
  select.replaceChildren(...runs.map((run) => new Option(runLabel(run), run.run_id)));
  const ready = runs.find((r) => r.status === "completed") || runs[0];
  if (ready) select.value = ready.run_id;
}

function fillSplits() {
  const select = $("evaluation-split");
  const keep = select.value;
  select.replaceChildren(...splits.map((s) => new Option("#" + s.split_index + " " + (s.name || ""), String(s.split_index))));
  if (splits.some((s) => String(s.split_index) === keep)) select.value = keep;
}

// A run is measured on its own split unless another is chosen.
function runChosen() {
  const run = runs.find((r) => r.run_id === $("evaluation-run").value);
  const own = run && run.config && isNum(run.config.split_index) ? String(run.config.split_index) : null;
  if (own !== null && splits.some((s) => String(s.split_index) === own)) $("evaluation-split").value = own;
  showSubsets();
}

// Each subset with its count of images, so an empty one is seen before it is chosen.
function showSubsets() {
  const split = splits.find((s) => String(s.split_index) === $("evaluation-split").value);
  const select = $("evaluation-subset");
  const keep = select.value || "test";
  select.replaceChildren(...SUBSETS.map((name) => {
    const n = split && split.stats ? split.stats[name] : null;
    return new Option(isNum(n) ? name + " (" + count(n) + (n === 1 ? " image)" : " images)") : name, name);
  }));
  select.value = keep;
}

function body() {
  const run = runs.find((r) => r.run_id === $("evaluation-run").value);
  const text = $("evaluation-batch").value.trim();
  const batch = Number(text);
  return {
    experiment_id: run ? run.experiment_id : undefined,
    run_id: $("evaluation-run").value || undefined,
    checkpoint: $("evaluation-checkpoint").value,
    split_index: $("evaluation-split").value === "" ? undefined : Number($("evaluation-split").value),
    split_subset: $("evaluation-subset").value,
    // Whatever was typed goes to the server, which names the field when it is no batch size.
    batch_size: text === "" ? undefined : Number.isInteger(batch) ? batch : text,
  };
}

async function submit(event) {
  event.preventDefault();
  const form = $("evaluation-form"), button = $("evaluation-submit");
  if (button.disabled || form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  showError("");
  const pid = state.projectId;
  try {
    const evaluation = await api("/api/evaluation/" + seg(pid), "POST", body());
    if (pid !== state.projectId) return;
    returnFocusTo($("evaluation-dialog"), onCreated(evaluation));
    setStatus("Started evaluation " + evaluation.eval_id + " of run " + evaluation.run_id + ".");
    $("evaluation-dialog").close();
  } catch (err) {
    if (err.status === 401) return;  // the signed-out view has taken over
    if ($("evaluation-dialog").open) showError(err.message);
    else setStatus(err.message, true);
  } finally {
    form.removeAttribute("aria-busy");
    button.disabled = !runs.length || !splits.length;
  }
}

function showError(message) {
  showMessage($("evaluation-error-message"), message);
  // The server names the field it refuses; the batch size is the one field typed here.
  if (message.startsWith("batch_size")) $("evaluation-batch").setAttribute("aria-invalid", "true");
  else $("evaluation-batch").removeAttribute("aria-invalid");
}
