// The selected run's figures: training loss and the task's validation figure on one canvas, the learning
// rate on a second, a legend naming every curve, and the table of epochs. A compared run (run-compare.js)
// is drawn dashed on the same axes. Colours are the palette's variables, read at each draw, so a theme
// change shows at the next one.

import { $, el } from "./quarry-ui.js";
import { bestFigure, fixed, isNum, pct, validationScore } from "./format.js";
import { comparedRun } from "./run-compare.js";
import { state } from "./state.js";
import { palette } from "./theme.js";

// CSS pixels; must match #run-chart and #lr-chart in training.css.
const MAIN = { id: "run-chart", w: 640, h: 260 };
const RATE = { id: "lr-chart", w: 640, h: 120 };

// What each part is drawn in, from the palette as it is now.
function chartColors() {
  const p = palette();
  return { loss: p.accent, score: p.ok, otherLoss: p.warn, otherScore: p.danger, axis: p.muted, grid: p.line, text: p.text };
}

const sorted = (points) => [...points.values()].sort((a, b) => a.epoch - b.epoch).map((p) => ({ ...p, score: validationScore(p) }));

// Draws both charts, the legend and the table from the selected run's epochs (and the compared run's).
export function drawChart() {
  const colors = chartColors();
  const run = state.runs.find((r) => r.run_id === state.runId) || null;
  const other = comparedRun();
  const figure = "validation " + (run ? bestFigure(run).name : "accuracy");
  const runs = [{ run, points: sorted(state.points), loss: colors.loss, score: colors.score, dashed: false }];
  if (other) runs.push({ run: other.run, points: sorted(other.points), loss: colors.otherLoss, score: colors.otherScore, dashed: true });
  const named = (r, label) => (other ? r.run.run_id + " · " : "") + label;
  const main = runs.flatMap((r) => [
    { label: named(r, "training loss"), points: r.points, key: "train_loss", right: false, color: r.loss, dashed: r.dashed, run: r.run },
    { label: named(r, figure), points: r.points, key: "score", right: true, color: r.score, dashed: r.dashed, run: r.run },
  ]);
  const rate = runs.map((r) => ({ label: named(r, "learning rate"), points: r.points, key: "learning_rate", right: false,
                                  color: r.loss, dashed: r.dashed, run: r.run }));
  plot(MAIN, main, "training loss", figure, colors);
  plot(RATE, rate, "learning rate", null, colors);
  legend([...main, ...rate]);
  epochTable(runs[0].points, figure);
}

function setUp(spec) {
  const canvas = $(spec.id);
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(spec.w * dpr), h = Math.round(spec.h * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, spec.w, spec.h);
  ctx.font = "11px system-ui, sans-serif";
  return ctx;
}

// Left scale from 0 to a round maximum of the left series; right scale 0–100 % when there is a right title.
function plot(spec, series, leftTitle, rightTitle, colors) {
  const ctx = setUp(spec);
  const pad = { left: 58, right: rightTitle ? 52 : 16, top: 10, bottom: 34 };
  const area = { x: pad.left, y: pad.top, w: spec.w - pad.left - pad.right, h: spec.h - pad.top - pad.bottom };
  const epochs = series.flatMap((s) => s.points.map((p) => p.epoch));
  const minEpoch = Math.min(1, ...epochs), maxEpoch = Math.max(2, ...epochs);
  const leftValues = series.filter((s) => !s.right).flatMap((s) => s.points.map((p) => p[s.key]).filter(isNum));
  const maxLeft = niceCeil(leftValues.length ? Math.max(...leftValues) : 1);
  const xOf = (epoch) => area.x + ((epoch - minEpoch) / (maxEpoch - minEpoch)) * area.w;
  const yLeft = (v) => area.y + area.h - (v / maxLeft) * area.h;
  const yRight = (v) => area.y + area.h - Math.min(1, Math.max(0, v)) * area.h;

  axes(ctx, spec, area, { minEpoch, maxEpoch, maxLeft, xOf, leftTitle, rightTitle }, colors);
  if (!epochs.length) {
    ctx.fillStyle = colors.axis;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("No epochs yet", area.x + area.w / 2, area.y + area.h / 2);
    return;
  }
  for (const s of series) line(ctx, s, xOf, s.right ? yRight : yLeft);
}

// Rounds a scale maximum up to 1, 2 or 5 times a power of ten, so the tick labels are short.
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function tick(v) {
  if (v === 0) return "0";
  if (v < 0.01) return v.toExponential(0);
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2);
}

function axes(ctx, spec, area, scale, colors) {
  const ticks = 4;
  ctx.lineWidth = 1;
  for (let i = 0; i <= ticks; i++) {
    const y = Math.round(area.y + area.h - (i / ticks) * area.h) + 0.5;
    ctx.strokeStyle = colors.grid;
    ctx.beginPath(); ctx.moveTo(area.x, y); ctx.lineTo(area.x + area.w, y); ctx.stroke();
    ctx.textBaseline = "middle";
    ctx.fillStyle = colors.axis;
    ctx.textAlign = "right";
    ctx.fillText(tick((scale.maxLeft * i) / ticks), area.x - 6, y);
    if (scale.rightTitle) {
      ctx.textAlign = "left";
      ctx.fillText(((100 * i) / ticks).toFixed(0) + "%", area.x + area.w + 6, y);
    }
  }
  // Epoch ticks: whole epochs, thinned so the labels do not collide.
  const step = Math.max(1, Math.ceil((scale.maxEpoch - scale.minEpoch) / 10));
  ctx.fillStyle = colors.axis;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let e = scale.minEpoch; e <= scale.maxEpoch; e += step) ctx.fillText(String(e), scale.xOf(e), area.y + area.h + 5);
  ctx.strokeStyle = colors.axis;
  ctx.strokeRect(area.x + 0.5, area.y + 0.5, area.w, area.h);
  ctx.fillText("epoch", area.x + area.w / 2, area.y + area.h + 19);
  turnedTitle(ctx, scale.leftTitle, 12, area, -1, colors.text);
  if (scale.rightTitle) turnedTitle(ctx, scale.rightTitle, spec.w - 10, area, 1, colors.text);
}

function turnedTitle(ctx, text, x, area, direction, color) {
  ctx.save();
  ctx.translate(x, area.y + area.h / 2);
  ctx.rotate((direction * Math.PI) / 2);
  ctx.fillStyle = color;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, 0, 0);
  ctx.restore();
}

// A line through the epochs that have the value (val_* may be missing), with a dot on each, so
// a single epoch still shows.
function line(ctx, s, xOf, yOf) {
  const have = s.points.filter((p) => isNum(p[s.key]));
  if (!have.length) return;
  ctx.strokeStyle = s.color;
  ctx.fillStyle = s.color;
  ctx.lineWidth = 2;
  ctx.lineJoin = "round";
  ctx.setLineDash(s.dashed ? [6, 4] : []);
  ctx.beginPath();
  have.forEach((p, i) => (i ? ctx.lineTo(xOf(p.epoch), yOf(p[s.key])) : ctx.moveTo(xOf(p.epoch), yOf(p[s.key]))));
  ctx.stroke();
  ctx.setLineDash([]);
  for (const p of have) {
    ctx.beginPath();
    ctx.arc(xOf(p.epoch), yOf(p[s.key]), 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.lineWidth = 1;
}

// The legend is HTML, so screen readers and tests read which curves are drawn and how many epochs each has.
function legend(series) {
  $("chart-legend").replaceChildren(...series.map((s) => {
    const li = el("li", "legend-item" + (s.dashed ? " dashed" : ""));
    const swatch = el("span", "legend-swatch");
    swatch.style.setProperty("--swatch", s.color);
    li.dataset.run = s.run ? s.run.run_id : "";
    li.dataset.points = String(s.points.filter((p) => isNum(p[s.key])).length);
    li.append(swatch, el("span", "legend-label", s.label));
    return li;
  }));
}

// One row per epoch of the selected run; device memory only when the run reports it (a GPU run).
function epochTable(points, figure) {
  const gpu = points.some((p) => isNum(p.gpu_memory_mb));
  const columns = [
    ["Epoch", (p) => String(p.epoch)],
    ["Train loss", (p) => fixed(p.train_loss, 4)],
    ["Train acc.", (p) => pct(p.train_accuracy)],
    ["Val loss", (p) => fixed(p.val_loss, 4)],
    [figure.replace("validation ", "Val "), (p) => pct(p.score)],
    ["Learning rate", (p) => (isNum(p.learning_rate) ? p.learning_rate.toPrecision(3) : "—")],
    ["Images/s", (p) => fixed(p.images_per_second, 1)],
    ["Time (s)", (p) => fixed(p.epoch_time, 2)],
  ];
  if (gpu) columns.push(["GPU memory (MiB)", (p) => (isNum(p.gpu_memory_mb) ? p.gpu_memory_mb + " (peak " + (p.gpu_memory_peak_mb ?? "—") + ")" : "—")]);
  const head = el("tr");
  for (const [title] of columns) {
    const th = el("th", "num", title);
    th.scope = "col";
    head.appendChild(th);
  }
  const body = el("tbody");
  for (const p of points) {
    const tr = el("tr");
    tr.dataset.epoch = String(p.epoch);
    for (const [, cell] of columns) tr.appendChild(el("td", "num", cell(p)));
    body.appendChild(tr);
  }
  const thead = el("thead");
  thead.appendChild(head);
  $("epoch-table").replaceChildren(thead, body);
}
