// The open task: opening and closing it, its working labels, and stepping through its images.

import { safePath } from "./quarry-api.js";
import { $, markActive, setStatus, showError } from "./quarry-ui.js";
import { render } from "./draw.js";
import { renderClasses, renderLabels, updateControls } from "./panels.js";
import { flushSave } from "./saving.js";
import { api, taskPath } from "./session.js";
import { TYPES, currentImage, state } from "./state.js";
import { fitView, resizeCanvas, updateCursor } from "./view.js";

export async function openTask(id) {
  if (state.task && state.task.id === id) return;
  flushSave(); // the save is queued on the chain; no need to wait for it here
  closeTask(); // nothing of the previous task stays on screen while this one loads
  const seq = ++state.openSeq;
  markActive($("queue"), id);
  let task;
  try {
    task = await api("GET", taskPath(id));
  } catch (err) { if (seq === state.openSeq) showError(err); return; }
  if (seq !== state.openSeq) return;
  setTask(task);
}

function setTask(task) {
  state.task = task;
  state.readOnly = state.role === "reviewer";
  state.imageIndex = 0;
  state.images = new Map();
  state.docs = buildDocs(task, state.readOnly);
  state.undo = [];
  state.redo = [];
  resetInteraction();
  const classes = task.classes || [];
  const wanted = TYPES[state.tool];
  const first = classes.find((c) => c.type === wanted) || classes[0];
  state.currentClass = first ? first.name : null;
  $("comment").value = "";
  $("task-title").textContent = (task.project && task.project.name ? task.project.name + " · " : "") + task.id;
  const comment = task.review_comment || "";
  $("review-comment").textContent = comment;
  $("review-comment").hidden = !comment;
  $("review-title").textContent = state.readOnly ? "Earlier review comment:" : "Returned by the reviewer:";
  $("review-box").hidden = !comment;
  renderClasses();
  resizeCanvas(); // the review comment may have changed the canvas's room
  showImage();
}

export function closeTask() {
  state.openSeq++;
  state.task = null;
  state.docs = new Map();
  state.images = new Map();
  state.undo = [];
  state.redo = [];
  resetInteraction();
  $("task-title").textContent = "";
  $("review-comment").textContent = "";
  $("review-comment").hidden = true;
  $("review-box").hidden = true;
  $("comment").value = "";
  renderClasses();
  renderLabels();
  renderImageNav();
  updateControls();
  resizeCanvas();
}

function resetInteraction() {
  state.selected = -1;
  state.selectedVertex = null;
  state.hover = null;
  state.drawing = null;
  state.drag = null;
}

// Reviewers see what was submitted. Annotators continue their draft, else their submitted (and
// returned) labels, else start from the model's predictions as editable pre-labels.
function buildDocs(task, readOnly) {
  let source;
  if (readOnly) source = task.annotations;
  else if (task.draft) source = task.draft;
  else if (Array.isArray(task.annotations) && task.annotations.length > 0) source = task.annotations;
  else source = task.predictions;
  const docs = new Map();
  for (const image of task.images || []) docs.set(image.id, []);
  for (const doc of Array.isArray(source) ? source : []) {
    if (docs.has(doc.image_id) && Array.isArray(doc.labels)) {
      docs.set(doc.image_id, JSON.parse(JSON.stringify(doc.labels)));
    }
  }
  return docs;
}

function showImage() {
  resetInteraction();
  fitView();
  loadImage(currentImage());
  renderImageNav();
  renderLabels();
  updateControls();
  updateCursor();
  render();
}

function loadImage(image) {
  if (!image || state.images.has(image.id)) return;
  const img = new Image();
  state.images.set(image.id, img);
  img.addEventListener("load", render);
  img.addEventListener("error", () => {
    if (currentImage() === image) setStatus("Could not load the image " + (image.file_name || image.id), true);
  });
  const src = safePath(image.url);
  if (!src) { setStatus("Could not load the image " + (image.file_name || image.id) + ": no same-origin URL", true); return; }
  img.src = src; // same origin: the session cookie goes with it
}

export function stepImage(delta) {
  if (!state.task) return;
  const next = state.imageIndex + delta;
  if (next < 0 || next >= state.task.images.length) return;
  state.imageIndex = next;
  showImage();
}

function renderImageNav() {
  const image = currentImage();
  const count = state.task ? state.task.images.length : 0;
  $("image-name").textContent = image ? image.file_name || "image " + image.id : "";
  $("image-count").textContent = image ? "(" + (state.imageIndex + 1) + "/" + count + ")" : "";
  $("prev-image").disabled = !image || state.imageIndex === 0;
  $("next-image").disabled = !image || state.imageIndex >= count - 1;
}
