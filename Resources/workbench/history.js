// Undo and redo: snapshots of the working labels taken before each edit, and the edits that add and
// remove labels.

import { render } from "./draw.js";
import { renderLabels, select, updateControls } from "./panels.js";
import { scheduleSave } from "./saving.js";
import { HISTORY_LIMIT, currentLabels, state } from "./state.js";

export function snapshot() { return JSON.stringify([...state.docs]); }

function restore(text) { state.docs = new Map(JSON.parse(text)); }

// Every edit goes through here: it records the state before the change for undo and saves after.
export function commit(change) {
  pushUndo(snapshot());
  change();
  changed();
}

export function pushUndo(before) {
  state.undo.push(before);
  if (state.undo.length > HISTORY_LIMIT) state.undo.shift();
  state.redo = [];
}

export function changed() {
  state.hover = null;
  state.selectedVertex = null;
  if (state.selected >= currentLabels().length) state.selected = -1;
  renderLabels();
  updateControls();
  render();
  scheduleSave();
}

export function undo() {
  travel(state.undo, state.redo);
}

export function redo() {
  travel(state.redo, state.undo);
}

// Undo and redo are one move in opposite directions: the newest snapshot of `from` becomes the labels,
// and the labels as they were go on `to`.
function travel(from, to) {
  if (state.readOnly || from.length === 0) return;
  to.push(snapshot());
  restore(from.pop());
  state.selected = -1;
  state.drawing = null;
  changed();
}

export function removeLabel(index) {
  const labels = currentLabels();
  if (index < 0 || index >= labels.length) return;
  commit(() => { labels.splice(index, 1); state.selected = -1; });
}

export function addLabel(label) {
  const labels = currentLabels();
  commit(() => { labels.push(label); });
  select(labels.length - 1);
}
