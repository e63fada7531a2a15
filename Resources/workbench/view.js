// The canvas and the view transform: its size, fitting and zooming the image, and where on the
// image a pointer event lands.

import { $ } from "./quarry-ui.js";
import { render } from "./draw.js";
import { MAX_SCALE, MIN_SCALE, currentImage, state } from "./state.js";

// The one canvas and its 2D context, set once at boot by initCanvas(): a module that imports them
// cannot assign them.
export let canvas, ctx;

export function initCanvas() {
  canvas = $("canvas");
  ctx = canvas.getContext("2d");
}

// The bitmap matches the canvas's box. With no task open it is 0×0: a width above 0 then tells
// anyone watching (people's eyes aside, tests) that a task is loaded and drawn.
export function resizeCanvas() {
  if (!canvas) return;
  const wrap = $("canvas-wrap");
  state.dpr = window.devicePixelRatio || 1;
  if (!state.task) {
    canvas.width = 0;
    canvas.height = 0;
    return;
  }
  const w = Math.max(1, wrap.clientWidth), h = Math.max(1, wrap.clientHeight);
  canvas.width = Math.round(w * state.dpr);
  canvas.height = Math.round(h * state.dpr);
  if (state.view.fitted) fitView();
  render();
}

export function canvasSize() {
  return { w: canvas.width / state.dpr, h: canvas.height / state.dpr };
}

// Fits the whole image in the canvas with a small margin, centred.
export function fitView() {
  const image = currentImage();
  state.view.fitted = true;
  if (!image) return;
  const { w, h } = canvasSize();
  const margin = 16;
  const scale = Math.max(MIN_SCALE, Math.min((w - 2 * margin) / image.width, (h - 2 * margin) / image.height));
  state.view.scale = scale;
  state.view.ox = (w - image.width * scale) / 2;
  state.view.oy = (h - image.height * scale) / 2;
}

export const toScreen = (x, y) => [state.view.ox + x * state.view.scale, state.view.oy + y * state.view.scale];

// Pointer position in CSS pixels of the canvas and in image pixels.
export function eventPoint(e) {
  const r = canvas.getBoundingClientRect();
  const sx = e.clientX - r.left, sy = e.clientY - r.top;
  return { sx, sy, x: (sx - state.view.ox) / state.view.scale, y: (sy - state.view.oy) / state.view.scale };
}

export function zoomAt(sx, sy, factor) {
  const v = state.view;
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const ix = (sx - v.ox) / v.scale, iy = (sy - v.oy) / v.scale;
  v.scale = scale;
  v.ox = sx - ix * scale; // keep the image point under the cursor where it was
  v.oy = sy - iy * scale;
  v.fitted = false;
  render();
}

// Pointer moves come faster than the screen refreshes: draw at most once a frame.
let renderQueued = false;
export function requestRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

export function updateCursor() {
  canvas.classList.toggle("panning", !!state.drag && state.drag.kind === "pan");
  canvas.classList.toggle("grab", state.spaceDown);
  canvas.classList.toggle("draw", !state.readOnly && ["box", "polygon", "point"].includes(state.tool));
}

export function focusCanvas() {
  // Keys then reach the document from the canvas, not from a button that Enter or Space would press.
  canvas.focus({ preventScroll: true });
}
