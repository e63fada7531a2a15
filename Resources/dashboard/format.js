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
