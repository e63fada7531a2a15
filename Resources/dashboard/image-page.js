// An image's page, opened from its thumbnail: the image large with its approved labels drawn over it on
// a canvas (boxes, polygons and points with their class names; tags listed), its file facts, and its
// subset in each of the project's splits. A modal <dialog> (dialogs.js): Escape or Close shuts it, and
// focus goes back to the thumbnail (or, when the grid was drawn again meanwhile, to the image's new one).
// Names go in as text only (textContent, canvas fillText).

import { safePath } from "./quarry-api.js";
import { $, el, showMessage } from "./quarry-ui.js";
import { bindDialog, openDialog } from "./dialogs.js";
import { bytes } from "./format.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";
import { palette } from "./theme.js";

// Classes take these colours in turn; read from the theme at draw time, so a theme switch is followed.
const CLASS_COLOURS = ["accent", "ok", "warn", "danger"];
const MAX_HEIGHT_SHARE = 0.62;  // of the window: the facts stay in view beside or under the image
const MAX_ZOOM = 32;

let seq = 0;           // a newer opening wins over an older answer
let shown = null;      // {picture: HTMLImageElement, labels} of the image on show
let openName = null;   // the file name of the image on show, to find its thumbnail again

export function bindImagePage() {
  const dialog = $("image-dialog");
  bindDialog(dialog, { cancel: $("image-close"), fallback: thumbnailAgain, onClose: () => { seq++; shown = null; } });
  for (const event of ["resize", "quarry-theme"]) window.addEventListener(event, () => { if (dialog.open) draw(); });
}

// The grid drawn again while the page was open: the image's thumbnail there, else the grid's first one.
function thumbnailAgain() {
  const thumbs = [...$("grid").querySelectorAll(".thumb")];
  return thumbs.find((t) => t.dataset.filename === openName) || thumbs[0] || $("class-filter");
}

export async function openImage(filename, from) {
  const dialog = $("image-dialog");
  const my = ++seq;
  shown = null;
  openName = filename;
  $("image-title").textContent = filename;
  showMessage($("image-error"), "");
  $("image-loading").hidden = false;
  for (const id of ["image-facts", "image-labels"]) $(id).replaceChildren();
  $("image-splits").tBodies[0].replaceChildren();
  for (const id of ["image-labels-empty", "image-splits-empty"]) $(id).hidden = true;
  $("image-canvas").getContext("2d").clearRect(0, 0, $("image-canvas").width, $("image-canvas").height);
  $("image-canvas").setAttribute("aria-label", filename);
  openDialog(dialog, $("image-close"), from || document.activeElement);
  const projectId = state.projectId;
  try {
    const info = await api("/api/datasets/" + seg(projectId) + "/images/" + seg(filename) + "/info");
    if (my !== seq) return;
    render(info || {}, my);
  } catch (err) {
    if (my !== seq) return;
    $("image-loading").hidden = true;
    showMessage($("image-error"), err.message);
  }
}

function render(info, my) {
  const image = info.image || {};
  const labels = Array.isArray(info.labels) ? info.labels : [];
  $("image-title").textContent = image.original_name || image.filename || "";
  renderFacts(image);
  renderLabels(labels);
  renderSplits(Array.isArray(info.splits) ? info.splits : []);
  const picture = new Image();
  picture.decoding = "async";
  picture.addEventListener("load", () => {
    if (my !== seq) return;
    $("image-loading").hidden = true;
    shown = { picture, labels };
    draw();
  });
  picture.addEventListener("error", () => { if (my === seq) unloadable(); });
  $("image-canvas").setAttribute("aria-label", (image.original_name || image.filename || "The image") + labelCount(labels));
  const src = safePath(image.url);
  // A link this page does not open (not a same-origin path) is as good as none.
  if (src) picture.src = src;
  else unloadable();
}

function unloadable() {
  $("image-loading").hidden = true;
  showMessage($("image-error"), "The image could not be loaded.");
  $("image-canvas").setAttribute("aria-label", "The image could not be loaded.");
}

const labelCount = (labels) => (labels.length ? ", with " + labels.length + (labels.length === 1 ? " label" : " labels") + " drawn over it" : ", no labels");

function renderFacts(image) {
  const facts = [
    ["File", image.filename],
    ["Original name", image.original_name],
    ["Class", typeof image.class === "string" && image.class ? image.class : "unlabeled"],
    ["Size", image.width && image.height ? image.width + " × " + image.height + " px" : null],
    ["Bytes", bytes(image.size)],
    ["Format", image.format],
    ["Dataset", image.dataset_id],
  ];
  const list = $("image-facts");
  for (const [name, value] of facts) {
    if (value === null || value === undefined || value === "") continue;
    const term = el("dt", null, name);
    const detail = el("dd", null, value);
    detail.dataset.fact = name.toLowerCase();
    list.append(term, detail);
  }
}

function renderLabels(labels) {
  const classes = classOrder(labels);
  const list = $("image-labels");
  for (const label of labels) {
    const li = el("li", "image-label");
    li.dataset.type = label.type || "";
    const swatch = el("span", "swatch");
    swatch.style.setProperty("background", "var(--" + colourName(classes, label.label) + ")");
    const where = label.type === "tag" ? "tag" : (label.type || "").replace("_", " ");
    li.append(swatch, el("span", "image-label-name", label.label || ""), el("span", "muted", where + confidence(label)));
    list.appendChild(li);
  }
  $("image-labels-empty").hidden = labels.length > 0;
}

const confidence = (label) => (typeof label.confidence === "number" ? " · " + Math.round(label.confidence * 100) + "%" : "");

function renderSplits(splits) {
  const body = $("image-splits").tBodies[0];
  for (const split of splits) {
    const tr = el("tr");
    tr.dataset.split = String(split.split_index);
    tr.dataset.subset = split.subset || "";
    const name = el("td");
    name.append(el("span", "split-index", "#" + split.split_index), el("span", null, " " + (split.name || "")));
    tr.append(name, el("td", "split-subset", split.subset === "none" ? "none (added after the split)" : split.subset));
    body.appendChild(tr);
  }
  $("image-splits-empty").hidden = splits.length > 0;
}

function classOrder(labels) {
  return [...new Set(labels.map((l) => l.label || ""))];
}

const colourName = (classes, name) => CLASS_COLOURS[Math.max(0, classes.indexOf(name || "")) % CLASS_COLOURS.length];

// The image fitted to the space, small ones enlarged (up to MAX_ZOOM, pixels kept sharp), at the
// screen's resolution; labels in image pixels are scaled with it.
function draw() {
  if (!shown) return;
  const { picture, labels } = shown;
  const canvas = $("image-canvas");
  const wrap = canvas.parentElement;
  const maxWidth = Math.max(160, wrap.clientWidth);
  const maxHeight = Math.max(160, window.innerHeight * MAX_HEIGHT_SHARE);
  const scale = Math.min(maxWidth / picture.naturalWidth, maxHeight / picture.naturalHeight, MAX_ZOOM);
  const width = Math.max(1, Math.round(picture.naturalWidth * scale));
  const height = Math.max(1, Math.round(picture.naturalHeight * scale));
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.setProperty("width", width + "px");
  canvas.style.setProperty("height", height + "px");
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.imageSmoothingEnabled = scale < 1;
  ctx.drawImage(picture, 0, 0, width, height);
  const colours = palette();
  const classes = classOrder(labels);
  ctx.font = "12px system-ui, sans-serif";
  ctx.lineWidth = 2;
  for (const label of labels) {
    const stroke = colours[colourName(classes, label.label)];
    const anchor = shape(ctx, label, scale, stroke);
    if (anchor) caption(ctx, label.label || "", anchor, stroke, colours.panel, colours.text);
  }
}

// Draws one label's geometry; answers where its caption goes (null for a tag, which is only listed).
function shape(ctx, label, scale, stroke) {
  ctx.strokeStyle = stroke;
  ctx.fillStyle = stroke;
  if (label.type === "bounding_box" && Array.isArray(label.bbox) && label.bbox.length === 4) {
    const [x, y, w, h] = label.bbox.map((v) => v * scale);
    ctx.strokeRect(x, y, w, h);
    return [x, y];
  }
  if (label.type === "polygon" && Array.isArray(label.points) && label.points.length > 1) {
    ctx.beginPath();
    label.points.forEach(([x, y], i) => (i ? ctx.lineTo(x * scale, y * scale) : ctx.moveTo(x * scale, y * scale)));
    ctx.closePath();
    ctx.globalAlpha = 0.25;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.stroke();
    const top = label.points.reduce((a, b) => (b[1] < a[1] ? b : a));
    return [top[0] * scale, top[1] * scale];
  }
  if (label.type === "point" && Array.isArray(label.point) && label.point.length === 2) {
    ctx.beginPath();
    ctx.arc(label.point[0] * scale, label.point[1] * scale, 4, 0, Math.PI * 2);
    ctx.fill();
    return [label.point[0] * scale, label.point[1] * scale];
  }
  return null;
}

// The class name on a small plate above the shape (inside the image when the shape touches its top).
function caption(ctx, text, [x, y], stroke, plate, ink) {
  const width = ctx.measureText(text).width + 8;
  const top = y >= 16 ? y - 16 : y;
  ctx.fillStyle = plate;
  ctx.fillRect(x, top, width, 16);
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1;
  ctx.strokeRect(x, top, width, 16);
  ctx.lineWidth = 2;
  ctx.fillStyle = ink;
  ctx.fillText(text, x + 4, top + 12);
}
