// The error gallery: an evaluation's per-image results (GET /api/evaluation/{project}/{eval}/results), sorted
// by error, by confidence or by name, the wrong predictions marked. Each image is drawn on a canvas; a
// detector's boxes go over it (its hits, its false detections, the true boxes it missed), each kind in a
// colour of the palette, so the light theme redraws them too; a segmenter's predicted mask goes over it as
// a translucent fill and its true mask as outlines, each class in a hue of its own (a fixed rotation, the
// same in both themes), with a legend. A confusion cell narrows it to one true and predicted class pair.
// The results are read whole (up to MAX_ROWS) and paged here, since a cell's pair is a filter the server does
// not have; a segmenter's, which carry masks and have no confusion cells, are read a page at a time.

import { safePath } from "./quarry-api.js";
import { $, el, showMessage } from "./quarry-ui.js";
import { count, fixed, isNum, pct } from "./format.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";
import { palette } from "./theme.js";

const PAGE_SIZE = 24;
const FETCH_SIZE = 500;   // the server's largest page
const MAX_ROWS = 5000;
const SIDE = 144;         // each image's canvas, in CSS pixels
const MASK_ALPHA = 0.45;  // the predicted mask's fill over the image

const view = { ev: null, task: "classification", rows: [], total: 0, wrong: 0, page: 1, cell: null, seq: 0 };
// A segmenter's results come from the server a page at a time: each carries its masks.
const paged = () => view.task === "segmentation";

export function bindGallery() {
  $("gallery-sort").addEventListener("change", () => load());
  $("gallery-show").addEventListener("change", () => load());
  $("gallery-cell-clear").addEventListener("click", () => {
    view.cell = null;
    load();
    $("gallery-sort").focus();
  });
  $("gallery-prev").addEventListener("click", () => turn(-1));
  $("gallery-next").addEventListener("click", () => turn(1));
  // The boxes and outlines are drawn in the palette's colours: draw them again in the new one.
  window.addEventListener("quarry-theme", () => { if (view.rows.length) render(); });
}

export function resetGallery() {
  view.seq++;
  Object.assign(view, { ev: null, rows: [], total: 0, wrong: 0, page: 1, cell: null });
  delete $("error-gallery").dataset.evalId;
  $("gallery").replaceChildren();
  for (const id of ["gallery-count", "gallery-page"]) $(id).textContent = "";
  showMessage($("gallery-error"), "");
  $("gallery-empty").hidden = true;
  $("gallery-cell").hidden = true;
  $("gallery-mask-legend").hidden = true;
}

export function showGallery(ev, task) {
  resetGallery();
  view.ev = ev;
  view.task = task;
  $("error-gallery").dataset.evalId = ev.eval_id;
  $("gallery-legend").hidden = task !== "detection";
  load();
}

// A confusion cell's images: true class `truth`, predicted `predicted`; the gallery comes into view.
export function showCell(truth, predicted) {
  if (!view.ev) return;
  view.cell = { truth, predicted };
  load();
  $("error-gallery").scrollIntoView({ block: "start" });
  $("gallery-title").focus({ preventScroll: true });
}

function query(page, size = FETCH_SIZE, correct = null) {
  const params = new URLSearchParams({ page: String(page), page_size: String(size), sort_by: $("gallery-sort").value });
  if (correct !== null) {
    params.set("filter_correct", correct);
  } else if (view.cell) {
    // A classifier's image is right exactly when the two classes agree: the server narrows to the true class and
    // to right or wrong, and the predicted class is picked out here.
    params.set("filter_class", view.cell.truth);
    params.set("filter_correct", view.cell.truth === view.cell.predicted ? "true" : "false");
  } else if ($("gallery-show").value) {
    params.set("filter_correct", $("gallery-show").value);
  }
  return "/api/evaluation/" + seg(view.ev.project_id || state.projectId) + "/" + seg(view.ev.eval_id) + "/results?" + params;
}

// `turnTo`: a segmenter's page to read (Next or Previous), the page shown until it has come; otherwise
// everything is read again from the first page.
async function load(turnTo = null) {
  if (!view.ev) return;
  const mine = ++view.seq;
  const gallery = $("error-gallery");
  const before = $("gallery-count").textContent;
  gallery.setAttribute("aria-busy", "true");
  $("gallery-show").disabled = !!view.cell;
  $("gallery-cell").hidden = !view.cell;
  $("gallery-cell-text").textContent = view.cell ? "True " + view.cell.truth + ", predicted " + view.cell.predicted : "";
  $("gallery-count").textContent = "loading…";
  showMessage($("gallery-error"), "");
  try {
    if (paged()) {
      const [page, show] = [turnTo ?? 1, $("gallery-show").value];
      const answer = await api(query(page, PAGE_SIZE));
      const wrong = show ? null : await api(query(1, 1, "false"));
      if (mine !== view.seq) return;
      const rows = Array.isArray(answer && answer.results) ? answer.results : [];
      const total = isNum(answer && answer.total) ? answer.total : rows.length;
      Object.assign(view, { rows, total, page, wrong: show === "false" ? total : show ? 0 : isNum(wrong && wrong.total) ? wrong.total : 0 });
      render();
      return;
    }
    let rows = [], total = 0;
    for (let page = 1; rows.length < MAX_ROWS; page++) {
      const answer = await api(query(page));
      if (mine !== view.seq) return;
      const got = Array.isArray(answer && answer.results) ? answer.results : [];
      rows = rows.concat(got);
      total = isNum(answer && answer.total) ? answer.total : rows.length;
      if (!got.length || rows.length >= total) break;
    }
    if (view.cell) rows = rows.filter((r) => r.prediction === view.cell.predicted);
    Object.assign(view, { rows, total: view.cell ? rows.length : total, page: 1 });
    render();
  } catch (err) {
    if (mine !== view.seq) return;
    // A page that did not come leaves the shown one as it was (its images, its count, its place in the pager).
    $("gallery-count").textContent = turnTo === null ? "" : before;
    if (turnTo === null) $("gallery").replaceChildren();
    showMessage($("gallery-error"), err.message);
  } finally {
    if (mine === view.seq) gallery.removeAttribute("aria-busy");
  }
}

function turn(delta) {
  const pages = Math.max(1, Math.ceil((paged() ? view.total : view.rows.length) / PAGE_SIZE));
  const next = Math.min(pages, Math.max(1, view.page + delta));
  if (next === view.page) return;
  // A segmenter's page moves once it has come (load sets view.page); the others' are all here already.
  if (paged()) return load(next);
  view.page = next;
  render();
}

function render() {
  const pages = Math.max(1, Math.ceil((paged() ? view.total : view.rows.length) / PAGE_SIZE));
  const shown = paged() ? view.rows : view.rows.slice((view.page - 1) * PAGE_SIZE, view.page * PAGE_SIZE);
  const wrong = paged() ? view.wrong : view.rows.filter((r) => !r.correct).length;
  const more = view.total > view.rows.length && !view.cell && !paged() ? " (the first " + count(view.rows.length) + ")" : "";
  $("gallery-count").textContent = count(view.total) + (view.total === 1 ? " image" : " images") + more + ", " + count(wrong) + " wrong";
  $("gallery-page").textContent = "Page " + view.page + " of " + pages;
  $("gallery-prev").disabled = view.page <= 1;
  $("gallery-next").disabled = view.page >= pages;
  const colours = palette();  // read once per drawing of the page
  $("gallery").replaceChildren(...shown.map((row) => item(row, colours)));
  $("gallery-empty").hidden = shown.length > 0;
  if (paged()) renderMaskLegend(shown);
}

function item(row, colours) {
  const figure = el("figure", "result" + (row.correct ? "" : " wrong"));
  Object.assign(figure.dataset, { filename: row.filename || "", truth: row.ground_truth ?? "", prediction: row.prediction ?? "",
    correct: String(!!row.correct), confidence: String(row.confidence) });
  const canvas = document.createElement("canvas");
  canvas.className = "result-canvas";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", (row.filename || "") + ": " + describe(row));
  draw(canvas, row, colours);
  const caption = el("figcaption");
  const name = el("span", "result-name", row.filename || "");
  name.title = row.filename || "";
  caption.appendChild(name);
  if (!row.correct) caption.appendChild(el("span", "result-mark", "wrong"));
  caption.appendChild(el("span", "result-classes", describe(row)));
  caption.appendChild(el("span", "result-figures", figures(row)));
  figure.append(canvas, caption);
  return figure;
}

function describe(row) {
  if (view.task === "detection") {
    return count(row.true_positives?.length ?? 0) + " found, " + count(row.false_positives?.length ?? 0) + " false, " + count(row.misses?.length ?? 0) + " missed";
  }
  if (view.task === "segmentation") return "IoU " + fixed(row.iou, 3);
  return "true " + (row.ground_truth ?? "") + " → predicted " + (row.prediction ?? "");
}

function figures(row) {
  if (view.task === "classification") return "confidence " + pct(row.confidence) + " · loss " + fixed(row.loss, 3);
  if (view.task === "segmentation") {
    const worst = Object.entries(row.class_iou || {}).filter(([, v]) => isNum(v)).sort((a, b) => a[1] - b[1])[0];
    return worst ? "lowest: " + worst[0] + " " + fixed(worst[1], 3) : "";
  }
  return "confidence " + pct(row.confidence);
}

// The image, fitted into the square; a detector's boxes (in the image's own pixels) over it. A classifier's or
// segmenter's image comes as its thumbnail, a detector's whole, since its boxes are in the full image's pixels.
// `colours`: the palette, as render() read it.
function draw(canvas, row, colours) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(SIDE * ratio);
  canvas.height = Math.round(SIDE * ratio);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = colours["canvas-bg"];
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const kind = view.task === "detection" ? "/images/" : "/thumbnails/";
  const src = safePath("/api/datasets/" + seg(view.ev.project_id || state.projectId) + kind + seg(row.filename || ""));
  if (!src) return;
  const image = new Image();
  image.addEventListener("load", () => {
    const scale = Math.min(canvas.width / image.naturalWidth, canvas.height / image.naturalHeight);
    const [w, h] = [image.naturalWidth * scale, image.naturalHeight * scale];
    const [x0, y0] = [(canvas.width - w) / 2, (canvas.height - h) / 2];
    // Small images are scaled up as blocks of pixels: a smoothed blur would hide what the model saw.
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.drawImage(image, x0, y0, w, h);
    if (view.task === "segmentation") drawMasks(canvas, ctx, row, [x0, y0, w, h]);
    canvas.dataset.drawn = "true";
    if (view.task !== "detection") return;
    const boxes = [
      ...(row.true_positives || []).map((b) => [b, colours.ok, []]),
      ...(row.false_positives || []).map((b) => [b, colours.danger, []]),
      ...(row.misses || []).map((b) => [b, colours.warn, [4 * ratio, 3 * ratio]]),
    ].filter(([b]) => Array.isArray(b.box) && b.box.length === 4 && b.box.every(isNum));
    ctx.lineWidth = 2 * ratio;
    for (const [b, stroke, dash] of boxes) {
      ctx.strokeStyle = stroke;
      ctx.setLineDash(dash);
      const [x, y, bw, bh] = b.box;
      // Inset by half the line, so a box along the image's edge is not half cut off.
      const inset = ctx.lineWidth / 2;
      ctx.strokeRect(x0 + x * scale + inset, y0 + y * scale + inset, Math.max(0, bw * scale - 2 * inset), Math.max(0, bh * scale - 2 * inset));
    }
    canvas.dataset.boxes = String(boxes.length);
  });
  image.addEventListener("error", () => {
    canvas.dataset.drawn = "failed";
    canvas.closest("figure")?.querySelector("figcaption")?.appendChild(el("span", "result-broken", "The image could not be loaded."));
  });
  image.src = src;
}

// ---------- A segmenter's masks ----------

// A class's hue: the golden angle turned once per class, so neighbouring indices differ most.
const hue = (index) => Math.round(200 + (index - 1) * 137.508) % 360;
const fillColour = (index) => "hsla(" + hue(index) + ", 85%, 50%, 1)";
const lineColour = (index) => "hsla(" + hue(index) + ", 100%, 70%, 1)";

// A mask's runs ({width, height, classes, counts}: pairs of class index and length, row-major) as one class
// index per pixel; null for anything that is not such a mask.
function decodeMask(mask) {
  if (!mask || !Number.isInteger(mask.width) || !Number.isInteger(mask.height) || !Array.isArray(mask.counts)) return null;
  const n = mask.width * mask.height;
  const classes = Array.isArray(mask.classes) ? mask.classes.length : 0;
  if (!(n > 0) || mask.counts.length % 2) return null;
  const pixels = new Uint8Array(n);
  let at = 0;
  for (let i = 0; i < mask.counts.length; i += 2) {
    const [c, length] = [mask.counts[i], mask.counts[i + 1]];
    if (!Number.isInteger(c) || c < 0 || c >= classes || c > 255 || !Number.isInteger(length) || length < 1 || at + length > n) return null;
    pixels.fill(c, at, at + length);
    at += length;
  }
  return at === n ? pixels : null;
}

// The predicted mask filled, translucent, over the image's rectangle [x0, y0, w, h] (canvas pixels), and the true
// mask's region edges outlined, sampled at the canvas's own pixels so a large mask's edges stay visible.
// The canvas's data-mask-pixels is the count of predicted pixels of a class (not the background) drawn.
function drawMasks(canvas, ctx, row, [x0, y0, w, h]) {
  const predicted = decodeMask(row.mask);
  if (predicted) {
    const { width, height } = row.mask;
    const layer = document.createElement("canvas");
    [layer.width, layer.height] = [width, height];
    const paint = layer.getContext("2d");
    let pixels = 0;
    for (let at = 0; at < predicted.length;) {
      const c = predicted[at];
      let end = at + 1;
      while (end < predicted.length && predicted[end] === c && end % width !== 0) end++;
      if (c) {
        paint.fillStyle = fillColour(c);
        paint.fillRect(at % width, Math.floor(at / width), end - at, 1);
        pixels += end - at;
      }
      at = end;
    }
    ctx.save();
    ctx.globalAlpha = MASK_ALPHA;
    ctx.imageSmoothingEnabled = w < width;
    ctx.drawImage(layer, x0, y0, w, h);
    ctx.restore();
    canvas.dataset.maskPixels = String(pixels);
  }
  const truth = decodeMask(row.truth_mask);
  if (truth) outline(ctx, truth, row.truth_mask, [x0, y0, w, h]);
}

function outline(ctx, truth, { width, height }, [x0, y0, w, h]) {
  const [left, top, gw, gh] = [Math.round(x0), Math.round(y0), Math.round(w), Math.round(h)];
  const grid = new Uint8Array(gw * gh);
  for (let y = 0; y < gh; y++) {
    const base = Math.min(height - 1, Math.floor((y + 0.5) * height / gh)) * width;
    for (let x = 0; x < gw; x++) grid[y * gw + x] = truth[base + Math.min(width - 1, Math.floor((x + 0.5) * width / gw))];
  }
  // A pixel is on an edge when a neighbour's class differs; it takes its own class's colour, or on the background
  // side its neighbour's, so each edge is two pixels wide.
  const edge = (x, y) => {
    const c = grid[y * gw + x];
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const [nx, ny] = [x + dx, y + dy];
      if (nx < 0 || ny < 0 || nx >= gw || ny >= gh) continue;
      const n = grid[ny * gw + nx];
      if (n !== c) return c || n;
    }
    return 0;
  };
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw;) {
      const c = edge(x, y);
      let end = x + 1;
      while (end < gw && edge(end, y) === c) end++;
      if (c) {
        ctx.fillStyle = lineColour(c);
        ctx.fillRect(left + x, top + y, end - x, 1);
      }
      x = end;
    }
  }
}

// The legend of a segmenter's gallery (#gallery-mask-legend, in the page): each class of the shown masks in
// its colour, and how to read them.
function renderMaskLegend(rows) {
  const legend = $("gallery-mask-legend");
  const classes = rows.map((r) => r.mask && r.mask.classes).find((c) => Array.isArray(c)) || [];
  const items = classes.slice(1).map((name, i) => {
    const li = el("li", "legend-class", String(name));
    li.style.setProperty("--swatch", fillColour(i + 1));
    li.style.setProperty("--swatch-line", lineColour(i + 1));
    return li;
  });
  legend.replaceChildren(...items, el("li", "legend-note", "fill: predicted · outline: true region"));
  legend.hidden = items.length === 0;
}
