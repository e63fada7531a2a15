// The side panels and toolbar state: the class buttons, the labels list, the selection and which
// controls are enabled.

import { $, el, setStatus } from "./quarry-ui.js";
import { assignHues, classColor, render } from "./draw.js";
import { commit, removeLabel } from "./history.js";
import { classByName, classes, currentLabels, isHidden, state } from "./state.js";
import { focusCanvas } from "./view.js";

export function renderClasses() {
  assignHues(classes());
  const box = $("classes");
  box.replaceChildren();
  classes().forEach((cls, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "class";
    button.dataset.name = cls.name;
    button.dataset.type = cls.type; // CSS shows the type hint from this, keeping the text the name
    button.textContent = cls.name;
    button.title = (index < 9 ? "Key " + (index + 1) + " · " : "") + cls.type;
    button.style.borderLeftColor = classColor(cls.name);
    button.classList.toggle("active", cls.name === state.currentClass);
    button.addEventListener("click", () => { pickClass(cls.name); focusCanvas(); });
    box.appendChild(button);
  });
}

export function pickClass(name) {
  state.currentClass = name;
  for (const b of $("classes").children) b.classList.toggle("active", b.dataset.name === name);
}

// A label's type must match its class's type: keep the current class when it fits, else take the
// first class of the right type, else say there is none.
export function classFor(type) {
  const current = classByName(state.currentClass);
  if (current && current.type === type) return current.name;
  const first = classes().find((c) => c.type === type);
  if (first) { pickClass(first.name); return first.name; }
  setStatus("This task has no class of type " + type, true);
  return null;
}

export function updateControls() {
  const open = !!state.task;
  $("no-task").hidden = open;
  const edit = open && !state.readOnly;
  $("submit").disabled = !edit || state.busy;
  $("approve").disabled = !open || !state.readOnly || state.busy;
  $("reject").disabled = !open || !state.readOnly || state.busy;
  $("undo").disabled = !edit || state.undo.length === 0;
  $("redo").disabled = !edit || state.redo.length === 0;
  $("zoom-reset").disabled = !open;
  for (const name of ["select", "box", "polygon", "point", "tag"]) $("tool-" + name).disabled = !edit;
}

export function renderLabels() {
  const list = $("labels");
  list.replaceChildren();
  const labels = currentLabels();
  labels.forEach((label, index) => {
    if (isHidden(label)) return;
    const li = document.createElement("li");
    li.className = "label";
    li.dataset.index = String(index);
    li.dataset.type = label.type;
    li.classList.toggle("selected", index === state.selected);
    li.classList.toggle("prediction", label.confidence != null);
    const swatch = el("span", "swatch", "");
    swatch.style.backgroundColor = classColor(label.label);
    li.appendChild(swatch);
    li.appendChild(el("span", "label-name", label.label));
    li.appendChild(el("span", "label-type", label.type));
    if (label.confidence != null) li.appendChild(el("span", "confidence", percent(label.confidence)));
    if (!state.readOnly && label.confidence != null) {
      li.appendChild(labelButton("accept", "✓", "Accept this suggestion", () => acceptSuggestions([index])));
    }
    if (!state.readOnly) li.appendChild(labelButton("remove", "×", "Remove this label", () => removeLabel(index)));
    li.addEventListener("click", () => select(index));
    list.appendChild(li);
  });
  $("labels-empty").hidden = labels.some((l) => !isHidden(l));
  renderSuggestions();
}

// The suggestion bar: shown while the open image has model suggestions to accept or hide.
function renderSuggestions() {
  const suggestions = currentLabels().filter((l) => l.confidence != null);
  $("suggestions").hidden = state.readOnly || suggestions.length === 0;
  $("threshold-value").textContent = percent(state.threshold);
  $("accept-all").disabled = !suggestions.some((l) => !isHidden(l));
}

// Turns suggestions into ordinary labels (undoable). Accepting all also drops the hidden ones.
export function acceptSuggestions(indices, dropHidden = false) {
  const labels = currentLabels();
  commit(() => {
    for (const i of indices) delete labels[i].confidence;
    if (dropHidden) {
      for (let i = labels.length - 1; i >= 0; i--) if (isHidden(labels[i])) labels.splice(i, 1);
      state.selected = -1;
    }
  });
}

// A small button of a labels list entry; its click does not also select the entry.
function labelButton(className, text, label, action) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = text;
  button.title = label;
  button.setAttribute("aria-label", label);
  button.addEventListener("click", (e) => { e.stopPropagation(); action(); });
  return button;
}

export function select(index) {
  state.selected = index;
  state.selectedVertex = null;
  for (const li of $("labels").children) li.classList.toggle("selected", Number(li.dataset.index) === index);
  render();
}

export const percent = (c) => Math.round(Number(c) * 100) + "%";
