// Geometry in image coordinates and hit-testing: which label or handle lies under the pointer.

import { HANDLE_PX, TYPES, currentImage, currentLabels, isHidden, state } from "./state.js";
import { toScreen } from "./view.js";

const round2 = (v) => Math.round(v * 100) / 100;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// Image coordinates clamped inside the image and rounded, as the server requires them inside.
export function clampPoint(x, y) {
  const image = currentImage();
  return [clamp(round2(x), 0, image.width), clamp(round2(y), 0, image.height)];
}

// A box from two corners, or null when it has no area.
export function makeBox(a, b) {
  const image = currentImage();
  const x = Math.min(a[0], b[0]), y = Math.min(a[1], b[1]);
  let w = round2(Math.abs(a[0] - b[0])), h = round2(Math.abs(a[1] - b[1]));
  while (w > 0 && x + w > image.width) w = round2(w - 0.01);   // rounding must not cross the edge
  while (h > 0 && y + h > image.height) h = round2(h - 0.01);
  return w > 0 && h > 0 ? [x, y, w, h] : null;
}

export function boxCorners(b) {
  return [[b[0], b[1]], [b[0] + b[2], b[1]], [b[0] + b[2], b[1] + b[3]], [b[0], b[1] + b[3]]];
}

function pointInPolygon(x, y, pts) {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i], [xj, yj] = pts[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function screenDist(a, sx, sy) {
  const [px, py] = toScreen(a[0], a[1]);
  return Math.hypot(px - sx, py - sy);
}

// The draggable handles of a label: polygon vertices, a point, a selected box's corners.
function handlesOf(label, index) {
  if (label.type === TYPES.polygon) return label.points;
  if (label.type === TYPES.point) return [label.point];
  if (label.type === TYPES.box && index === state.selected) return boxCorners(label.bbox);
  return [];
}

// The handle under the pointer; the selected label first, then the topmost.
export function handleAt(sx, sy) {
  const labels = currentLabels();
  const order = [];
  if (state.selected >= 0 && state.selected < labels.length) order.push(state.selected);
  for (let i = labels.length - 1; i >= 0; i--) if (i !== state.selected) order.push(i);
  for (const i of order) {
    if (isHidden(labels[i])) continue;
    const handles = handlesOf(labels[i], i);
    for (let k = 0; k < handles.length; k++) {
      if (screenDist(handles[k], sx, sy) <= HANDLE_PX) return { label: i, vertex: k };
    }
  }
  return null;
}

// The label under an image point; the smallest wins, so a box inside a box can be picked.
export function labelAt(p) {
  const labels = currentLabels();
  let best = -1, bestArea = Infinity;
  labels.forEach((l, i) => {
    if (isHidden(l)) return;
    let area = Infinity;
    if (l.type === TYPES.point && screenDist(l.point, p.sx, p.sy) <= HANDLE_PX) area = 0;
    else if (l.type === TYPES.box) {
      const [x, y, w, h] = l.bbox;
      if (p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h) area = w * h;
    } else if (l.type === TYPES.polygon && pointInPolygon(p.x, p.y, l.points)) area = polygonArea(l.points);
    if (area <= bestArea && area !== Infinity) { best = i; bestArea = area; }
  });
  return best;
}

function polygonArea(pts) {
  let a = 0;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) a += (pts[j][0] + pts[i][0]) * (pts[j][1] - pts[i][1]);
  return Math.abs(a / 2);
}
