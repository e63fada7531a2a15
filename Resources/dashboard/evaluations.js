// Evaluations: the list, and the selected one's confusion matrix and per-class figures.

import { $, el, markActive, selectable } from "./quarry-ui.js";
import { badge, count, fixed, isNum, pct } from "./format.js";
import { forProject } from "./projects.js";
import { seg } from "./session.js";
import { state } from "./state.js";

export function loadEvaluations() {
  return forProject("/api/evaluation/" + seg(state.projectId), (evaluations) => {
    state.evaluations = Array.isArray(evaluations) ? evaluations : [];
    renderEvaluations();
    const keep = state.evaluations.find((e) => e.eval_id === state.evalId);
    const first = keep || state.evaluations.find((e) => e.status === "completed" && e.results);
    if (first) selectEvaluation(first.eval_id);
    else { state.evalId = null; $("evaluation-detail").hidden = true; }
  });
}

function renderEvaluations() {
  const list = $("evaluation-list");
  list.replaceChildren();
  for (const ev of state.evaluations) {
    const li = el("li", "evaluation");
    li.dataset.id = ev.eval_id;
    const accuracy = ev.results ? pct(ev.results.accuracy) : "—";
    li.append(el("span", "item-id", ev.eval_id), badge(ev.status), el("span", "item-figure", accuracy));
    const meta = [ev.run_id && "run " + ev.run_id, ev.checkpoint, ev.split_subset].filter(Boolean).join(" · ");
    if (meta) li.appendChild(el("span", "item-meta", meta));
    if (ev.error) li.appendChild(el("span", "item-error", ev.error));
    selectable(li, () => selectEvaluation(ev.eval_id));
    list.appendChild(li);
  }
  $("evaluations-empty").hidden = state.evaluations.length > 0;
}

function selectEvaluation(evalId) {
  const ev = state.evaluations.find((e) => e.eval_id === evalId);
  if (!ev) return;
  state.evalId = evalId;
  markActive($("evaluation-list"), evalId);
  const detail = $("evaluation-detail");
  detail.hidden = false;
  const r = ev.results;
  if (ev.status !== "completed" || !r) {
    $("evaluation-summary").textContent = "Evaluation " + evalId + " is " + (ev.status || "unknown") + "; it has no results yet.";
    $("confusion").replaceChildren();
    $("per-class").replaceChildren();
    return;
  }
  const summary = [count(r.count) + " images", "accuracy " + pct(r.accuracy)];
  if (isNum(r.top5_accuracy)) summary.push("top-5 " + pct(r.top5_accuracy));
  if (isNum(r.mean_loss)) summary.push("mean loss " + fixed(r.mean_loss, 3));
  $("evaluation-summary").textContent = summary.join(" · ");
  const names = (r.per_class || []).map((c) => String(c.class_name ?? c.name ?? ""));
  renderConfusion(names, Array.isArray(r.confusion_matrix) ? r.confusion_matrix : []);
  renderPerClass(r);
}

function renderConfusion(names, matrix) {
  const table = $("confusion");
  table.replaceChildren();
  const size = Math.max(names.length, matrix.length);
  const name = (i) => (i < names.length ? names[i] : "#" + i);
  const head = el("tr");
  head.appendChild(el("th", "corner muted", "true \\ predicted"));
  for (let j = 0; j < size; j++) {
    const th = el("th", null, name(j));
    th.scope = "col";
    head.appendChild(th);
  }
  table.appendChild(el("thead")).appendChild(head);
  const body = table.appendChild(el("tbody"));
  for (let i = 0; i < size; i++) {
    const row = Array.isArray(matrix[i]) ? matrix[i] : [];
    const rowTotal = row.reduce((a, b) => a + (Number(b) || 0), 0);
    const tr = el("tr");
    const th = el("th", null, name(i));
    th.scope = "row";
    tr.appendChild(th);
    for (let j = 0; j < size; j++) {
      const n = Number(row[j]) || 0;
      const td = el("td", (i === j ? "diag" : "") + (n === 0 ? " zero" : ""), n);
      // Shade by the cell's share of its true class, so rare classes read as clearly as common ones.
      td.style.setProperty("--share", rowTotal > 0 ? (n / rowTotal).toFixed(3) : "0");
      td.title = name(i) + " predicted as " + name(j) + ": " + n + (rowTotal > 0 ? " (" + pct(n / rowTotal) + ")" : "");
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}

function renderPerClass(r) {
  const table = $("per-class");
  table.replaceChildren();
  const head = el("tr");
  for (const [label, cls] of [["Class", null], ["Precision", "num"], ["Recall", "num"], ["F1", "num"], ["Support", "num"]]) {
    const th = el("th", cls, label);
    th.scope = "col";
    head.appendChild(th);
  }
  table.appendChild(el("thead")).appendChild(head);
  const body = table.appendChild(el("tbody"));
  const row = (label, f, className) => {
    const tr = el("tr", className);
    tr.append(el("td", null, label), el("td", "num", fixed(f.precision, 3)), el("td", "num", fixed(f.recall, 3)),
      el("td", "num", fixed(f.f1, 3)), el("td", "num", count(f.support)));
    body.appendChild(tr);
  };
  for (const c of r.per_class || []) row(String(c.class_name ?? c.name ?? ""), c);
  if (r.macro_avg) row("macro average", r.macro_avg, "summary");
  if (r.weighted_avg) row("weighted average", r.weighted_avg, "summary");
}
