// Sending labels to the server: the debounced draft save, the save on leaving the page, submission
// and the reviewer's decision.

import { request } from "./quarry-api.js";
import { $, setStatus, showError } from "./quarry-ui.js";
import { updateControls } from "./panels.js";
import { leaveTask, renderQueue } from "./queue.js";
import { api, taskPath } from "./session.js";
import { SAVE_DELAY_MS, TYPES, isHidden, state } from "./state.js";

// The body the server wants: every image of the task, labels without the model's confidence. The
// suggestions the confidence slider hides are dropped; those it shows are kept as labels.
function annotationsBody() {
  return state.task.images.map((image) => ({
    image_id: image.id,
    labels: (state.docs.get(image.id) || []).filter((l) => !isHidden(l)).map(cleanLabel),
  }));
}

function cleanLabel(l) {
  const out = { label: l.label, type: l.type };
  if (l.type === TYPES.box) out.bbox = l.bbox.slice();
  else if (l.type === TYPES.polygon) out.points = l.points.map((p) => p.slice());
  else if (l.type === TYPES.point) out.point = l.point.slice();
  return out;
}

export function scheduleSave() {
  if (state.readOnly || !state.task) return;
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(saveDraftNow, SAVE_DELAY_MS);
}

// Saves go one after another on a chain, so an older draft can never land after a newer one.
function saveDraftNow() {
  clearTimeout(state.saveTimer);
  state.saveTimer = null;
  if (!state.task || state.readOnly) return state.saveChain;
  const id = state.task.id;
  const body = { annotations: annotationsBody() };
  state.saveChain = state.saveChain.then(async () => {
    setStatus("Saving draft…");
    try {
      const saved = await api("PUT", taskPath(id) + "/draft", body);
      setStatus("Draft saved");
      const summary = state.queue.find((t) => t.id === id);
      if (summary && saved && saved.status && summary.status !== saved.status) {
        summary.status = saved.status;
        renderQueue();
      }
    } catch (err) { showError(err); }
  });
  return state.saveChain;
}

export function flushSave() {
  return state.saveTimer ? saveDraftNow() : state.saveChain;
}

// Leaving the page with a save still waiting: send it anyway; keepalive lets it outlive the page.
export function saveOnLeave() {
  if (!state.saveTimer || !state.task) return;
  clearTimeout(state.saveTimer);
  state.saveTimer = null;
  request("PUT", taskPath(state.task.id) + "/draft", { annotations: annotationsBody() }, { keepalive: true })
    .catch(() => { /* nothing more can be done while the page goes away */ });
}

export async function submitTask() {
  if (!state.task || state.readOnly || state.busy) return;
  state.drawing = null;
  clearTimeout(state.saveTimer); // the submission carries the same labels
  state.saveTimer = null;
  await state.saveChain;
  const id = state.task.id;
  const body = { annotations: annotationsBody() };
  setBusy(true);
  try {
    await api("POST", taskPath(id) + "/submit", body);
    setStatus("Submitted");
    leaveTask(id);
  } catch (err) { showError(err); } finally { setBusy(false); }
}

export async function review(decision) {
  if (!state.task || !state.readOnly || state.busy) return;
  const id = state.task.id;
  setBusy(true);
  try {
    await api("POST", taskPath(id) + "/review", { decision, comment: $("comment").value });
    setStatus(decision === "approve" ? "Approved" : "Rejected");
    leaveTask(id);
  } catch (err) { showError(err); } finally { setBusy(false); }
}

function setBusy(busy) {
  state.busy = busy;
  updateControls();
}
