// Drawing the image and its labels on the canvas.

import { boxCorners, clampPoint } from "./geometry.js";
import { percent } from "./panels.js";
import { TYPES, currentImage, currentLabels, isHidden, state } from "./state.js";
import { canvas, canvasSize, ctx, toScreen } from "./view.js";

// A stable colour per class name, so a class looks the same on every image and task: a hash of the
// name (FNV-1a, then a final mix so similar names land apart) picks the hue.
function hashHue(name) {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) { h ^= name.charCodeAt(i); h = Math.imul(h, 16777619); }
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return (h >>> 0) % 360;
}

// Hashes can land close together; within a task's classes, a hue too near an earlier one is moved
// on by the golden angle until it stands apart, so the classes of one task are told apart easily.
const hues = new Map();
export function assignHues(list) {
  hues.clear();
  const taken = [];
  const near = (a, b) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b)) < 40;
  for (const cls of list) {
    let hue = hashHue(String(cls.name));
    for (let tries = 0; tries < 12 && taken.some((t) => near(t, hue)); tries++) hue = (hue + 137.5) % 360;
    hue = Math.round(hue);
    taken.push(hue);
    hues.set(cls.name, hue);
  }
}
const classHue = (name) => (hues.has(name) ? hues.get(name) : hashHue(name));

export const classColor = (name) => "hsl(" + classHue(String(name)) + ", 80%, 58%)";
const classFill = (name, alpha) => "hsla(" + classHue(String(name)) + ", 80%, 58%, " + alpha + ")";

export function render() {
  if (!ctx) return;
  const dpr = state.dpr;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0); // from here on, CSS pixels
  const image = currentImage();
  const v = state.view;
  canvas.dataset.scale = String(v.scale); // the view transform, for tests and tooling:
  canvas.dataset.offsetX = String(v.ox);  // screen = offset + image * scale (CSS px)
  canvas.dataset.offsetY = String(v.oy);
  if (!image) {
    delete canvas.dataset.imageId;
    if (state.task) drawMessage("This task has no images");
    return;
  }
  canvas.dataset.imageId = String(image.id);
  drawImage(image);
  const labels = currentLabels();
  labels.forEach((l, i) => { if (l.type !== TYPES.tag && !isHidden(l)) drawShape(l, i); });
  drawTags(labels);
  drawInProgress();
}

function drawMessage(text) {
  const { w, h } = canvasSize();
  ctx.fillStyle = "#9aa3b2";
  ctx.font = "14px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.fillText(text, w / 2, h / 2);
  ctx.textAlign = "left";
}

function drawImage(image) {
  const v = state.view;
  const el = state.images.get(image.id);
  ctx.save();
  ctx.translate(v.ox, v.oy);
  ctx.scale(v.scale, v.scale);
  ctx.imageSmoothingEnabled = v.scale < 2; // crisp pixels when zoomed in
  if (el && el.complete && el.naturalWidth > 0) ctx.drawImage(el, 0, 0, image.width, image.height);
  else { ctx.fillStyle = "#22262e"; ctx.fillRect(0, 0, image.width, image.height); }
  ctx.restore();
  ctx.strokeStyle = "rgba(255,255,255,.25)";
  ctx.lineWidth = 1;
  ctx.setLineDash([]);
  ctx.strokeRect(v.ox - 0.5, v.oy - 0.5, image.width * v.scale + 1, image.height * v.scale + 1);
}

function drawShape(l, index) {
  const selected = index === state.selected;
  ctx.setLineDash(l.confidence != null ? [6, 4] : []); // model pre-labels are dashed
  ctx.lineWidth = selected ? 3 : 2;
  ctx.strokeStyle = classColor(l.label);
  ctx.fillStyle = classFill(l.label, selected ? 0.3 : 0.15);
  let anchor;
  if (l.type === TYPES.box && Array.isArray(l.bbox)) {
    const [x, y] = toScreen(l.bbox[0], l.bbox[1]);
    const w = l.bbox[2] * state.view.scale, h = l.bbox[3] * state.view.scale;
    ctx.fillRect(x, y, w, h);
    ctx.strokeRect(x, y, w, h);
    anchor = [x, y];
    if (selected) boxCorners(l.bbox).forEach((c) => drawHandle(c, l.label, false));
  } else if (l.type === TYPES.polygon && Array.isArray(l.points) && l.points.length > 0) {
    tracePath(l.points, true);
    ctx.fill();
    ctx.stroke();
    anchor = toScreen(l.points[0][0], l.points[0][1]);
    if (selected || (state.hover && state.hover.label === index)) {
      l.points.forEach((pt, k) => drawHandle(pt, l.label, isMarkedVertex(index, k)));
    }
  } else if (l.type === TYPES.point && Array.isArray(l.point)) {
    const [x, y] = toScreen(l.point[0], l.point[1]);
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.arc(x, y, selected ? 6 : 5, 0, Math.PI * 2);
    ctx.fillStyle = classColor(l.label);
    ctx.fill();
    ctx.lineWidth = selected ? 3 : 1.5;
    ctx.strokeStyle = l.confidence != null ? "#f0b72f" : "#fff";
    ctx.stroke();
    anchor = [x + 8, y - 4];
  } else {
    return; // malformed geometry: nothing sensible to draw
  }
  drawCaption(caption(l), anchor, l.label);
}

function isMarkedVertex(label, vertex) {
  const match = (c) => c && c.label === label && c.vertex === vertex;
  return match(state.hover) || match(state.selectedVertex);
}

function tracePath(points, close) {
  ctx.beginPath();
  points.forEach((pt, k) => {
    const [x, y] = toScreen(pt[0], pt[1]);
    if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  if (close) ctx.closePath();
}

function drawHandle(pt, name, marked) {
  const [x, y] = toScreen(pt[0], pt[1]);
  const r = marked ? 6 : 4;
  ctx.setLineDash([]);
  ctx.fillStyle = marked ? "#fff" : classColor(name);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
  ctx.strokeRect(x - r, y - r, 2 * r, 2 * r);
}

const caption = (l) => l.label + (l.confidence != null ? " " + percent(l.confidence) : "");

// Class name above a shape; fillText draws text, it never interprets markup.
function drawCaption(text, anchor, name) {
  ctx.setLineDash([]);
  ctx.font = "12px system-ui, sans-serif";
  const w = ctx.measureText(text).width + 8;
  const x = anchor[0], y = Math.max(16, anchor[1]);
  ctx.fillStyle = classColor(name);
  ctx.fillRect(x, y - 16, w, 16);
  ctx.fillStyle = "#000";
  ctx.fillText(text, x + 4, y - 4);
}

// Tags belong to the whole image: list them in the canvas's top-left corner.
function drawTags(labels) {
  let y = 8;
  ctx.font = "12px system-ui, sans-serif";
  labels.forEach((l, i) => {
    if (l.type !== TYPES.tag || isHidden(l)) return;
    const text = "tag: " + caption(l);
    const w = ctx.measureText(text).width + 10;
    ctx.fillStyle = classColor(l.label);
    ctx.fillRect(8, y, w, 18);
    ctx.setLineDash(l.confidence != null ? [4, 3] : []);
    ctx.strokeStyle = i === state.selected ? "#fff" : "rgba(0,0,0,.5)";
    ctx.lineWidth = i === state.selected ? 2 : 1;
    ctx.strokeRect(8, y, w, 18);
    ctx.fillStyle = "#000";
    ctx.fillText(text, 13, y + 13);
    y += 22;
  });
}

function drawInProgress() {
  const d = state.drawing;
  if (!d) return;
  ctx.strokeStyle = classColor(d.cls);
  ctx.lineWidth = 2;
  ctx.setLineDash([5, 3]);
  if (d.kind === "box") {
    const [x1, y1] = toScreen(d.start[0], d.start[1]);
    const [x2, y2] = toScreen(d.end[0], d.end[1]);
    ctx.fillStyle = classFill(d.cls, 0.15);
    ctx.fillRect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
    ctx.strokeRect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
  } else if (d.kind === "polygon") {
    const points = state.cursor ? d.points.concat([clampPoint(state.cursor[0], state.cursor[1])]) : d.points;
    tracePath(points, false);
    ctx.setLineDash([]);
    ctx.strokeStyle = "rgba(0,0,0,.6)"; // a dark underlay keeps the line visible on any image
    ctx.lineWidth = 4;
    ctx.stroke();
    ctx.strokeStyle = classColor(d.cls);
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 3]);
    ctx.stroke();
    d.points.forEach((pt, k) => drawHandle(pt, d.cls, k === 0 && d.points.length >= 3));
  }
  ctx.setLineDash([]);
}
