// The editing tools: what a click or drag does with each tool, tagging, and deleting.

import { $, setStatus } from "./quarry-ui.js";
import { render } from "./draw.js";
import { boxCorners, clampPoint, handleAt, labelAt, makeBox, screenDist } from "./geometry.js";
import { addLabel, commit, removeLabel, snapshot } from "./history.js";
import { classFor, select } from "./panels.js";
import { HANDLE_PX, MIN_BOX_PX, TYPES, currentImage, currentLabels, state } from "./state.js";
import { updateCursor } from "./view.js";

export function setTool(tool) {
  if (state.readOnly || !state.task) return;
  if (tool === "tag") { applyTag(); return; } // tagging is an action on the image, not a mode
  state.tool = tool;
  state.drawing = null;
  state.drag = null;
  for (const name of ["select", "box", "polygon", "point"]) $("tool-" + name).classList.toggle("active", name === tool);
  if (TYPES[tool]) classFor(TYPES[tool]);
  updateCursor();
  render();
}

function applyTag() {
  if (state.readOnly || !currentImage()) return;
  const name = classFor(TYPES.tag);
  if (!name) return;
  const labels = currentLabels();
  const existing = labels.findIndex((l) => l.type === TYPES.tag && l.label === name);
  if (existing >= 0) {
    // Tagging again with a predicted tag's class keeps the prediction: it becomes an ordinary label.
    if (labels[existing].confidence == null) { setStatus("The image already has the tag " + name); return; }
    commit(() => { delete labels[existing].confidence; });
    return;
  }
  commit(() => { labels.push({ label: name, type: TYPES.tag }); });
  select(labels.length - 1);
}

export function startBox(p) {
  const cls = classFor(TYPES.box);
  if (!cls) return;
  const start = clampPoint(p.x, p.y);
  state.drawing = { kind: "box", cls, start, end: start, startScreen: [p.sx, p.sy], endScreen: [p.sx, p.sy] };
  state.drag = { kind: "box" };
}

export function finishBox() {
  const d = state.drawing;
  state.drawing = null;
  if (!d || d.kind !== "box") return;
  const dragged = Math.abs(d.endScreen[0] - d.startScreen[0]) >= MIN_BOX_PX && Math.abs(d.endScreen[1] - d.startScreen[1]) >= MIN_BOX_PX;
  const bbox = dragged ? makeBox(d.start, d.end) : null;
  if (!bbox) { setStatus("Drag to draw a box"); render(); return; }
  addLabel({ label: d.cls, type: TYPES.box, bbox });
}

export function addVertex(p, clickCount) {
  const d = state.drawing;
  if (!d) {
    if (clickCount >= 2) return; // the second click of a double click does not start a new polygon
    const cls = classFor(TYPES.polygon);
    if (!cls) return;
    state.drawing = { kind: "polygon", cls, points: [clampPoint(p.x, p.y)] };
    render();
    return;
  }
  const last = d.points[d.points.length - 1];
  if (screenDist(last, p.sx, p.sy) < 4) return; // a double click's repeat, not a new vertex
  if (d.points.length >= 3 && screenDist(d.points[0], p.sx, p.sy) <= HANDLE_PX) { finishPolygon(); return; }
  d.points.push(clampPoint(p.x, p.y));
  render();
}

export function finishPolygon() {
  const d = state.drawing;
  if (!d || d.kind !== "polygon") return;
  if (d.points.length < 3) { setStatus("A polygon needs at least 3 vertices", true); return; }
  state.drawing = null;
  addLabel({ label: d.cls, type: TYPES.polygon, points: d.points });
}

export function addPoint(p) {
  const cls = classFor(TYPES.point);
  if (!cls) return;
  addLabel({ label: cls, type: TYPES.point, point: clampPoint(p.x, p.y) });
}

export function grabOrSelect(p) {
  const h = handleAt(p.sx, p.sy);
  if (!h) { select(labelAt(p)); return; }
  const label = currentLabels()[h.label];
  select(h.label);
  const polygon = label.type === TYPES.polygon;
  state.selectedVertex = polygon ? { label: h.label, vertex: h.vertex } : null;
  state.drag = {
    kind: "handle", label: h.label, vertex: h.vertex, polygon, moved: false, before: snapshot(),
    // a box corner is dragged against the corner opposite it
    anchor: label.type === TYPES.box ? boxCorners(label.bbox)[(h.vertex + 2) % 4] : null,
  };
}

// Moves a grabbed handle; an edited pre-label stops being a prediction.
export function moveHandle(drag, pt) {
  const label = currentLabels()[drag.label];
  if (!label) return;
  if (label.type === TYPES.polygon) label.points[drag.vertex] = pt;
  else if (label.type === TYPES.point) label.point = pt;
  else if (label.type === TYPES.box) {
    const box = makeBox(drag.anchor, pt);
    if (!box) return;
    label.bbox = box;
  }
  delete label.confidence;
  drag.moved = true;
}

// Delete on a polygon vertex (hovered, else last grabbed) removes the vertex; otherwise the label.
// While a polygon is being drawn, it takes back its last vertex instead.
export function deleteSelection() {
  const d = state.drawing;
  if (d && d.kind === "polygon") {
    d.points.pop();
    if (d.points.length === 0) state.drawing = null;
    render();
    return;
  }
  const labels = currentLabels();
  const v = [state.hover, state.selectedVertex].find((c) => c && labels[c.label] &&
    labels[c.label].type === TYPES.polygon && c.vertex < labels[c.label].points.length);
  if (v) {
    const label = labels[v.label];
    if (label.points.length <= 3) { setStatus("A polygon needs at least 3 vertices", true); return; }
    commit(() => { label.points.splice(v.vertex, 1); delete label.confidence; });
    return;
  }
  if (state.selected >= 0) removeLabel(state.selected);
}
