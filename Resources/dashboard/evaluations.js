// Evaluations: the list, each pending or running one followed until it ends (also after a reload: the
// list says which are still going), and the selected one's report by its task: a classifier's accuracy,
// confusion matrix and per-class precision, recall and F1; a detector's mAP and per-class AP; a segmenter's
// mean IoU and per-class IoU. The per-image results are error-gallery.js; a confusion cell opens its images there.

import { $, el, markActive, selectable, showMessage } from "./quarry-ui.js";
import { badge, count, fixed, isNum, pct } from "./format.js";
import { bindEvaluationForm } from "./evaluation-form.js";
import { bindGallery, resetGallery, showCell, showGallery } from "./error-gallery.js";
import { createPoller } from "./poll.js";
import { forProject } from "./projects.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const POLL_MS = 1000;
// The server's message when reading a followed evaluation failed, kept with that evaluation's id (so it shows
// only under that one); cleared by the next answer about it.
let pollError = { id: null, message: "" };

export function bindEvaluations() {
  bindEvaluationForm(evaluationCreated);
  bindGallery();
  // projects.js reads the list itself (loadEvaluations); what the registry adds is the reset.
  registerSection({ load() {}, reset: resetEvaluations });
}

function resetEvaluations() {
  poller.stop();
  pollError = { id: null, message: "" };
  $("evaluation-report").hidden = true;
  $("evaluation-progress").hidden = true;
  resetGallery();
}

const isActive = (ev) => ev.status === "pending" || ev.status === "running";

function taskOf(results) {
  if (results && isNum(results.map)) return "detection";
  if (results && isNum(results.mean_iou)) return "segmentation";
  return "classification";
}

// The one figure the list shows beside each evaluation, by its task.
function headline(r) {
  if (!r) return "—";
  const task = taskOf(r);
  if (task === "detection") return "mAP " + pct(r.map);
  if (task === "segmentation") return "mean IoU " + pct(r.mean_iou);
  return pct(r.accuracy);
}

export function loadEvaluations() {
  return forProject("/api/evaluation/" + seg(state.projectId), (evaluations) => {
    state.evaluations = Array.isArray(evaluations) ? evaluations : [];
    renderEvaluations();
    const keep = state.evaluations.find((e) => e.eval_id === state.evalId);
    // A reload mid-evaluation selects the one still going, so its progress shows at once.
    const going = [...state.evaluations].reverse().find(isActive);
    const first = keep || going || [...state.evaluations].reverse().find((e) => e.status === "completed" && e.results);
    if (first) selectEvaluation(first.eval_id, true);
    else { state.evalId = null; $("evaluation-detail").hidden = true; }
    follow();
  });
}

// What the New evaluation form reports back: the new one joins the list, selected and followed.
function evaluationCreated(ev) {
  state.evaluations = state.evaluations.filter((e) => e.eval_id !== ev.eval_id).concat(ev);
  renderEvaluations();
  selectEvaluation(ev.eval_id, true);
  follow();
  return listItem(ev.eval_id);
}

function renderEvaluations() {
  $("evaluation-list").replaceChildren(...state.evaluations.map((ev) => {
    const li = el("li", "evaluation");
    li.dataset.id = ev.eval_id;
    fillItem(li, ev);
    selectable(li, () => selectEvaluation(ev.eval_id, false));
    return li;
  }));
  $("evaluations-empty").hidden = state.evaluations.length > 0;
  markActive($("evaluation-list"), state.evalId);
}

function fillItem(li, ev) {
  li.dataset.status = ev.status || "";
  li.replaceChildren(el("span", "item-id", ev.eval_id), badge(ev.status), el("span", "item-figure", headline(ev.results)));
  const split = isNum(ev.split_index) ? "split " + ev.split_index + " " + (ev.split_subset || "") : ev.split_subset;
  const meta = [ev.run_id && "run " + ev.run_id, ev.checkpoint, split].filter(Boolean).join(" · ");
  if (meta) li.appendChild(el("span", "item-meta", meta));
  if (ev.error) li.appendChild(el("span", "item-error", ev.error));
}

const listItem = (id) => [...$("evaluation-list").children].find((li) => li.dataset.id === id) || null;

// Polls the oldest evaluation still going, one request at a time, until none is; the detail follows when
// it is the selected one. The section's reset stops it, so a late answer about another project is dropped.
const poller = createPoller(async (current) => {
  const next = state.evaluations.find(isActive);
  if (!next) return null;
  const pid = state.projectId, id = next.eval_id;
  try {
    const fresh = await api("/api/evaluation/" + seg(pid) + "/" + seg(id));
    if (!current()) return null;
    if (pollError.id === id) pollError = { id: null, message: "" };
    update(fresh && fresh.eval_id === id ? fresh : { ...next, status: "failed", error: "The server sent no evaluation." });
  } catch (err) {
    if (!current() || err.status === 401) return null;  // signed out: that view has taken over
    // Gone (deleted elsewhere): drop it; any other failure is shown under it and the next poll tries again.
    if (err.status === 404) dropEvaluation(id);
    else pollError = { id, message: err.message };
    if (state.evalId === id) selectEvaluation(id, true);
  }
  return state.evaluations.some(isActive) ? POLL_MS : null;
});

function follow() {
  if (state.evaluations.some(isActive)) poller.start(POLL_MS);
}

function update(fresh) {
  const index = state.evaluations.findIndex((e) => e.eval_id === fresh.eval_id);
  if (index < 0) return;
  state.evaluations[index] = fresh;
  const li = listItem(fresh.eval_id);
  if (li) fillItem(li, fresh);
  if (state.evalId === fresh.eval_id) selectEvaluation(fresh.eval_id, true);
}

function dropEvaluation(id) {
  state.evaluations = state.evaluations.filter((e) => e.eval_id !== id);
  renderEvaluations();
  if (state.evalId === id) { state.evalId = null; $("evaluation-detail").hidden = true; }
}

// `reload`: the evaluation was read again; redraw even when it stays selected.
function selectEvaluation(evalId, reload) {
  const ev = state.evaluations.find((e) => e.eval_id === evalId);
  if (!ev || (evalId === state.evalId && !reload && !$("evaluation-detail").hidden)) return;
  const changed = evalId !== state.evalId;
  state.evalId = evalId;
  markActive($("evaluation-list"), evalId);
  $("evaluation-detail").hidden = false;
  const r = ev.results;
  const done = ev.status === "completed" && r;
  showProgress(ev);
  showMessage($("evaluation-error"), ev.error);
  $("evaluation-report").hidden = !done;
  if (!done) {
    $("evaluation-summary").textContent = "Evaluation " + evalId + " is " + (ev.status || "unknown") + (isActive(ev) ? "." : "; it has no results.");
    resetGallery();
    return;
  }
  $("evaluation-summary").textContent = summary(ev, r);
  const task = taskOf(r);
  $("confusion-part").hidden = task !== "classification";
  if (task === "classification") {
    const names = (r.per_class || []).map((c) => String(c.class_name ?? c.name ?? ""));
    renderConfusion(names, Array.isArray(r.confusion_matrix) ? r.confusion_matrix : []);
    renderPerClass(r);
  } else {
    $("confusion").replaceChildren();
    renderScores(task === "detection" ? "AP" : "IoU", task === "detection" ? r.ap : r.iou);
  }
  // A poll that finds it still completed redraws the figures but keeps the gallery's place.
  if (changed || !$("error-gallery").dataset.evalId || $("error-gallery").dataset.evalId !== evalId) showGallery(ev, task);
}

// The bar and its words only while the selected evaluation is pending or running; a failed poll's message
// only under the evaluation it was about.
function showProgress(ev) {
  const going = isActive(ev);
  $("evaluation-progress").hidden = !going;
  const failure = pollError.id === ev.eval_id ? pollError.message : "";
  if (!going) { $("evaluation-progress-text").textContent = ""; return; }
  const since = Date.parse(ev.status === "running" ? ev.started_at : ev.created_at);
  const seconds = isNum(since) ? Math.max(0, Math.round((Date.now() - since) / 1000)) : null;
  const words = ev.status === "running" ? "Evaluating the images" : "Waiting for its turn (evaluations run one at a time)";
  $("evaluation-progress-text").textContent = words + (seconds === null ? "" : " · " + seconds + " s") + (failure ? " · " + failure : "");
}

function summary(ev, r) {
  const task = taskOf(r);
  // A detection report counts no images; a segmentation report has one IoU per image.
  const images = isNum(r.count) ? r.count : Array.isArray(r.image_iou) ? r.image_iou.length : null;
  const parts = images === null ? [] : [count(images) + " images"];
  if (task === "detection") {
    parts.push("mAP " + pct(r.map), "AP50 " + pct(r.ap50), "AP75 " + pct(r.ap75), "AR100 " + pct(r.ar100));
  } else if (task === "segmentation") {
    parts.push("mean IoU " + pct(r.mean_iou), "pixel accuracy " + pct(r.pixel_accuracy));
  } else {
    parts.push("accuracy " + pct(r.accuracy));
    if (isNum(r.top5_accuracy)) parts.push("top-5 " + pct(r.top5_accuracy));
    if (isNum(r.mean_loss)) parts.push("mean loss " + fixed(r.mean_loss, 3));
  }
  if (ev.skipped > 0) parts.push(count(ev.skipped) + " skipped (classes the run did not train)");
  return parts.join(" · ");
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
    for (let j = 0; j < size; j++) tr.appendChild(confusionCell(name(i), name(j), Number(row[j]) || 0, rowTotal, i === j));
    body.appendChild(tr);
  }
}

// Each count is a button that opens the images behind it in the gallery; an empty cell has none to open.
function confusionCell(truth, predicted, n, rowTotal, diagonal) {
  const td = el("td", (diagonal ? "diag" : "") + (n === 0 ? " zero" : ""));
  // Shade by the cell's share of its true class, so rare classes read as clearly as common ones.
  td.style.setProperty("--share", rowTotal > 0 ? (n / rowTotal).toFixed(3) : "0");
  const button = el("button", "cell", n);
  button.type = "button";
  button.dataset.truth = truth;
  button.dataset.predicted = predicted;
  button.disabled = n === 0;
  const label = truth + " predicted as " + predicted + ": " + n + (rowTotal > 0 ? " (" + pct(n / rowTotal) + ")" : "");
  button.title = label;
  button.setAttribute("aria-label", label + (n > 0 ? ", show the images" : ""));
  button.addEventListener("click", () => showCell(truth, predicted));
  td.appendChild(button);
  return td;
}

function perClassHead(labels) {
  const table = $("per-class");
  table.replaceChildren();
  const head = el("tr");
  for (const [label, cls] of labels) {
    const th = el("th", cls, label);
    th.scope = "col";
    head.appendChild(th);
  }
  table.appendChild(el("thead")).appendChild(head);
  return table.appendChild(el("tbody"));
}

function renderPerClass(r) {
  const body = perClassHead([["Class", null], ["Precision", "num"], ["Recall", "num"], ["F1", "num"], ["Support", "num"]]);
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

// A detector's AP or a segmenter's IoU per class; a class the subset never has (null) reads "—".
function renderScores(label, scores) {
  const body = perClassHead([["Class", null], [label, "num"]]);
  const entries = scores && typeof scores === "object" ? Object.entries(scores) : [];
  entries.sort((a, b) => a[0].localeCompare(b[0]));
  for (const [name, value] of entries) {
    const tr = el("tr");
    tr.append(el("td", null, name), el("td", "num", isNum(value) ? fixed(value, 3) : "—"));
    body.appendChild(tr);
  }
}
