// Small formatting helpers for figures the server sends (any of which may be missing).

import { el } from "./quarry-ui.js";

export function badge(status) {
  const word = String(status || "unknown");
  // Only known words become class names; anything else keeps the neutral look.
  const known = ["pending", "running", "completed", "failed", "stopped", "interrupted"];
  return el("span", "badge" + (known.includes(word) ? " s-" + word : ""), word);
}

export const isNum = (x) => typeof x === "number" && isFinite(x);
export const pct = (x) => (isNum(x) ? (x * 100).toFixed(1) + "%" : "—");
export const fixed = (x, digits) => (isNum(x) ? x.toFixed(digits) : "—");
export const count = (x) => (isNum(x) ? x.toLocaleString() : "0");

export function bytes(n) {
  if (!isNum(n)) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

// An epoch's validation figure by the run's task: a classifier's accuracy, a detector's mAP, a segmenter's mean IoU.
export function validationScore(m) {
  return [m.val_accuracy, m.val_map, m.val_mean_iou].find(isNum) ?? null;
}

const FIGURE_NAMES = [["best_val_accuracy", "accuracy"], ["best_val_map", "mAP"], ["best_val_mean_iou", "mean IoU"]];

// A run's best validation figure and its name by task: the run's own best, else the best of its epochs.
export function bestFigure(run) {
  const found = FIGURE_NAMES.find(([key]) => isNum(run[key]));
  if (found) return { name: found[1], value: run[found[0]] };
  const values = (run.metrics || []).map(validationScore).filter(isNum);
  const first = (run.metrics || []).find((m) => validationScore(m) !== null);
  const name = first ? (isNum(first.val_map) ? "mAP" : isNum(first.val_mean_iou) ? "mean IoU" : "accuracy") : "accuracy";
  return { name, value: values.length ? Math.max(...values) : null };
}

// What a run is called in a list or a select: its id, its experiment's name, its status and its best figure.
export function runLabel(run, experimentName = run.config && run.config.name) {
  const best = bestFigure(run);
  return [run.run_id, experimentName, run.status, isNum(best.value) && "best " + best.name + " " + pct(best.value)].filter(Boolean).join(" · ");
}
