// The selected run's chart, drawn on a canvas.

import { $ } from "./quarry-ui.js";
import { isNum } from "./format.js";
import { scoreName, validationScore } from "./runs.js";
import { state } from "./state.js";

const CHART_W = 640;           // CSS pixels; must match #run-chart in dashboard.css
const CHART_H = 260;

const COLORS = { loss: "#4f8cff", acc: "#3fb950", axis: "#9aa3b2", grid: "#2a2f38", text: "#e6e8ec" };

// Training loss on the left scale, validation accuracy (0–100 %) on the right, epochs along x.
export function drawChart() {
  const canvas = $("run-chart");
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(CHART_W * dpr), h = Math.round(CHART_H * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, CHART_W, CHART_H);
  ctx.font = "11px system-ui, sans-serif";

  const pad = { left: 52, right: 52, top: 30, bottom: 34 };
  const plot = { x: pad.left, y: pad.top, w: CHART_W - pad.left - pad.right, h: CHART_H - pad.top - pad.bottom };
  const points = [...state.points.values()].sort((a, b) => a.epoch - b.epoch);
  const losses = points.map((p) => p.train_loss).filter(isNum);
  const maxEpoch = Math.max(2, ...points.map((p) => p.epoch));
  const minEpoch = Math.min(1, ...points.map((p) => p.epoch));
  const maxLoss = niceCeil(losses.length ? Math.max(...losses) : 1);

  const xOf = (epoch) => plot.x + ((epoch - minEpoch) / (maxEpoch - minEpoch)) * plot.w;
  const yLoss = (v) => plot.y + plot.h - (v / maxLoss) * plot.h;
  const yAcc = (v) => plot.y + plot.h - v * plot.h;

  drawAxes(ctx, plot, minEpoch, maxEpoch, maxLoss, xOf);
  drawLegend(ctx, plot);
  if (!points.length) {
    ctx.fillStyle = COLORS.axis;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("No epochs yet", plot.x + plot.w / 2, plot.y + plot.h / 2);
    return;
  }
  drawSeries(ctx, points, "train_loss", COLORS.loss, xOf, yLoss);
  drawSeries(ctx, points.map((p) => ({ ...p, score: validationScore(p) })), "score", COLORS.acc, xOf,
             (v) => yAcc(Math.min(1, Math.max(0, v))));
}

// Rounds a scale maximum up to 1, 2 or 5 times a power of ten, so the tick labels are short.
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function drawAxes(ctx, plot, minEpoch, maxEpoch, maxLoss, xOf) {
  const ticks = 4;
  ctx.lineWidth = 1;
  for (let i = 0; i <= ticks; i++) {
    const y = Math.round(plot.y + plot.h - (i / ticks) * plot.h) + 0.5;
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(plot.x, y); ctx.lineTo(plot.x + plot.w, y); ctx.stroke();
    ctx.textBaseline = "middle";
    ctx.fillStyle = COLORS.loss;
    ctx.textAlign = "right";
    ctx.fillText(trimNumber((maxLoss * i) / ticks), plot.x - 6, y);
    ctx.fillStyle = COLORS.acc;
    ctx.textAlign = "left";
    ctx.fillText(((100 * i) / ticks).toFixed(0) + "%", plot.x + plot.w + 6, y);
  }
  // Epoch ticks: whole epochs, thinned so the labels do not collide.
  const span = maxEpoch - minEpoch;
  const step = Math.max(1, Math.ceil(span / 10));
  ctx.fillStyle = COLORS.axis;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let e = minEpoch; e <= maxEpoch; e += step) ctx.fillText(String(e), xOf(e), plot.y + plot.h + 5);
  ctx.strokeStyle = COLORS.axis;
  ctx.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.w, plot.h);
  ctx.fillText("epoch", plot.x + plot.w / 2, plot.y + plot.h + 19);
  // Axis titles, turned along the axes.
  ctx.save();
  ctx.translate(12, plot.y + plot.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillStyle = COLORS.loss;
  ctx.textBaseline = "middle";
  ctx.fillText("training loss", 0, 0);
  ctx.restore();
  ctx.save();
  ctx.translate(CHART_W - 10, plot.y + plot.h / 2);
  ctx.rotate(Math.PI / 2);
  ctx.fillStyle = COLORS.acc;
  ctx.textBaseline = "middle";
  ctx.textAlign = "center";
  ctx.fillText("validation accuracy", 0, 0);
  ctx.restore();
}

function trimNumber(v) {
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2);
}

function drawLegend(ctx, plot) {
  const items = [["training loss", COLORS.loss], ["validation " + scoreName(state.runs.find((r) => r.run_id === state.runId)).replace("val ", ""), COLORS.acc]];
  let x = plot.x;
  const y = 14;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const [label, color] of items) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + 16, y); ctx.stroke();
    ctx.fillStyle = COLORS.text;
    ctx.fillText(label, x + 21, y);
    x += 21 + ctx.measureText(label).width + 18;
  }
  ctx.lineWidth = 1;
}

// A line through the epochs that have the value (val_* may be missing), with a dot on each, so
// a single epoch still shows.
function drawSeries(ctx, points, key, color, xOf, yOf) {
  const have = points.filter((p) => isNum(p[key]));
  if (!have.length) return;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 2;
  ctx.lineJoin = "round";
  ctx.beginPath();
  have.forEach((p, i) => (i ? ctx.lineTo(xOf(p.epoch), yOf(p[key])) : ctx.moveTo(xOf(p.epoch), yOf(p[key]))));
  ctx.stroke();
  for (const p of have) {
    ctx.beginPath();
    ctx.arc(xOf(p.epoch), yOf(p[key]), 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.lineWidth = 1;
}
