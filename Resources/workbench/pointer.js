// Mouse input on the canvas: panning, zooming, dragging shapes and handles, and hover.

import { render } from "./draw.js";
import { clampPoint, handleAt, labelAt } from "./geometry.js";
import { changed, pushUndo } from "./history.js";
import { select } from "./panels.js";
import { TYPES, currentImage, currentLabels, state } from "./state.js";
import { addPoint, addVertex, finishBox, finishPolygon, grabOrSelect, moveHandle, startBox } from "./tools.js";
import { canvas, eventPoint, focusCanvas, requestRender, updateCursor, zoomAt } from "./view.js";

export function onMouseDown(e) {
  if (!state.task || !currentImage()) return;
  focusCanvas();
  const p = eventPoint(e);
  if (e.button === 1 || (e.button === 0 && state.spaceDown)) {
    e.preventDefault(); // no middle-click autoscroll
    state.drag = { kind: "pan", sx: p.sx, sy: p.sy, ox: state.view.ox, oy: state.view.oy };
    updateCursor();
    return;
  }
  if (e.button !== 0) return;
  e.preventDefault(); // no text selection while dragging
  if (state.readOnly) { select(labelAt(p)); return; }
  if (state.tool === "box") startBox(p);
  else if (state.tool === "polygon") addVertex(p, e.detail);
  else if (state.tool === "point") addPoint(p);
  else grabOrSelect(p);
}

export function onMouseMove(e) {
  if (!state.task || !currentImage()) return;
  const p = eventPoint(e);
  state.cursor = [p.x, p.y];
  const drag = state.drag;
  if (drag && drag.kind === "pan") {
    state.view.ox = drag.ox + (p.sx - drag.sx);
    state.view.oy = drag.oy + (p.sy - drag.sy);
    state.view.fitted = false;
  } else if (drag && drag.kind === "box") {
    state.drawing.end = clampPoint(p.x, p.y);
    state.drawing.endScreen = [p.sx, p.sy];
  } else if (drag && drag.kind === "handle") {
    moveHandle(drag, clampPoint(p.x, p.y));
  } else if (e.target === canvas && !updateHover(p) && !state.drawing) {
    return; // nothing drawn depends on where the pointer is
  }
  if (drag || state.drawing || e.target === canvas) requestRender();
}

export function onMouseUp() {
  const drag = state.drag;
  if (!drag) return;
  state.drag = null;
  if (drag.kind === "box") finishBox();
  else if (drag.kind === "handle" && drag.moved) {
    pushUndo(drag.before);
    changed();
    state.selectedVertex = drag.polygon ? { label: drag.label, vertex: drag.vertex } : null;
  }
  updateCursor();
  render();
}

export function onDoubleClick(e) {
  if (state.readOnly || state.tool !== "polygon") return;
  e.preventDefault();
  if (state.drawing && state.drawing.kind === "polygon") finishPolygon();
}

export function onWheel(e) {
  if (!state.task) return;
  e.preventDefault();
  const p = eventPoint(e);
  const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
  zoomAt(p.sx, p.sy, Math.exp(-e.deltaY * lines * 0.0015));
}

// Answers whether the vertex under the pointer changed, which is all a hover redraws.
function updateHover(p) {
  const h = state.tool === "select" && !state.readOnly ? handleAt(p.sx, p.sy) : null;
  const hover = h && currentLabels()[h.label].type === TYPES.polygon ? h : null;
  canvas.classList.toggle("handle", !!h);
  const same = hover === state.hover || (hover && state.hover && hover.label === state.hover.label && hover.vertex === state.hover.vertex);
  state.hover = hover;
  return !same;
}
