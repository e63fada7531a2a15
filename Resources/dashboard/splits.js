// The Splits section: train/val/test ratios that always sum to 100 %, a seed, a live preview of what a
// split would hold (GET /api/splits/{id}/preview), Create (POST /api/splits/{id}), and the project's
// splits with their per-subset and per-class counts (GET /api/splits/{id} and /{index}) and Delete.
//
// The ratio rule (docs/workbench.md, "Splits"): ratios are whole percents. The subset you move takes the
// value you give it; the NEXT subset in the cycle train → val → test → train takes up the difference,
// and only once that one is at 0 does the third give way. So the three always sum to 100, and a move
// back undoes a move as long as the next subset did not hit 0.

import { $, el, setStatus, showMessage } from "./quarry-ui.js";
import { count } from "./format.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const SUBSETS = ["train", "val", "test"];
const PREVIEW_DELAY_MS = 250;

let ratios = { train: 80, val: 10, test: 10 };
let previewTimer = null;
let previewSeq = 0;  // a newer preview (or another project) wins over an older answer
let listSeq = 0;
let creating = false;

// The rule above, as a pure function of whole percents: returns the new three.
function rebalance(current, subset, value) {
  const v = Math.min(100, Math.max(0, Math.round(value)));
  const i = SUBSETS.indexOf(subset);
  const next = SUBSETS[(i + 1) % 3], third = SUBSETS[(i + 2) % 3];
  const keep = Math.min(current[third], 100 - v);
  return { [subset]: v, [third]: keep, [next]: 100 - v - keep };
}

export function bindSplits() {
  for (const subset of SUBSETS) {
    $("split-" + subset + "-range").addEventListener("input", (e) => setRatio(subset, Number(e.target.value)));
    const field = $("split-" + subset);
    // Only whole numbers move the ratios; a field left half-typed shows the ratio again when it is left.
    field.addEventListener("input", () => { if (/^\d+$/.test(field.value)) setRatio(subset, Number(field.value)); });
    field.addEventListener("change", showRatios);
  }
  // A changed seed is a new try: the last refusal of Create no longer applies.
  $("split-seed").addEventListener("input", () => { showError("split-create-error", ""); schedulePreview(); });
  $("split-name").addEventListener("input", () => showError("split-create-error", ""));
  $("split-form").addEventListener("submit", createSplit);
  registerSection({ load: loadSplitsSection, reset: resetSplits });
  showRatios();
}

function setRatio(subset, value) {
  ratios = rebalance(ratios, subset, value);
  showRatios();
  schedulePreview();
}

function showRatios() {
  for (const subset of SUBSETS) {
    const text = String(ratios[subset]);
    const field = $("split-" + subset);
    if (field.value !== text) field.value = text;
    $("split-" + subset + "-range").value = text;
    $("split-bar-" + subset).style.setProperty("width", ratios[subset] + "%");
  }
  $("split-sum").textContent = "= " + (ratios.train + ratios.val + ratios.test) + "%";
  $("split-name").placeholder = defaultName();
}

const defaultName = () => SUBSETS.map((s) => ratios[s]).join("-");
const fraction = (percent) => String(percent / 100);

function loadSplitsSection() {
  schedulePreview(0);
  return loadSplitList();
}

function resetSplits() {
  clearTimeout(previewTimer);
  previewSeq++;
  listSeq++;
  $("split-preview").replaceChildren();
  $("split-preview-state").textContent = "";
  $("split-list").replaceChildren();
  $("splits-count").textContent = "";
  $("splits-empty").hidden = true;
  for (const id of ["split-preview-error", "split-create-error", "splits-error"]) showError(id, "");
}

// ---------- Preview: debounced, and only the newest answer for the selected project is shown ----------

function schedulePreview(delay = PREVIEW_DELAY_MS) {
  clearTimeout(previewTimer);
  const seq = ++previewSeq;
  if (!state.projectId) return;
  $("split-preview-state").textContent = "updating…";
  previewTimer = setTimeout(() => runPreview(seq), typeof delay === "number" ? delay : PREVIEW_DELAY_MS);
}

async function runPreview(seq) {
  const pid = state.projectId, generation = state.generation;
  const params = new URLSearchParams({ train: fraction(ratios.train), val: fraction(ratios.val), test: fraction(ratios.test) });
  // A blank seed is left out, as Create leaves it out: the server then uses its default.
  const seed = $("split-seed").value.trim();
  if (seed !== "") params.set("seed", seed);
  const current = () => seq === previewSeq && pid === state.projectId && generation === state.generation;
  try {
    const preview = await api("/api/splits/" + seg(pid) + "/preview?" + params);
    if (!current()) return;
    showError("split-preview-error", "");
    $("split-preview-state").textContent = "(" + SUBSETS.map((s) => ratios[s] + "%").join(" / ") + ", not saved)";
    $("split-preview").replaceChildren(countsTable(preview && preview.stats, preview && preview.class_distribution, "split-preview-table"));
  } catch (err) {
    if (!current() || err.status === 401) return;
    $("split-preview-state").textContent = "";
    $("split-preview").replaceChildren();
    showError("split-preview-error", err.message);
  }
}

// One table for the preview and for each split: a row of totals, then a row per class ("" is the
// unlabeled images), with a column per subset and one for images left out (`none`) when there are any.
function countsTable(stats, classes, className) {
  stats = stats || {};
  const columns = SUBSETS.concat(Number(stats.none) > 0 ? ["none"] : []);
  const table = el("table", "grid-table split-counts " + className);
  const head = el("tr");
  head.appendChild(el("th", null, "Class")).scope = "col";
  for (const c of columns) {
    const th = el("th", "num", c === "none" ? "left out" : c);
    th.scope = "col";
    head.appendChild(th);
  }
  table.createTHead().appendChild(head);
  const body = table.createTBody();
  body.appendChild(countsRow("All images", null, stats, columns));
  const names = Object.keys(classes || {}).sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)));
  for (const name of names) body.appendChild(countsRow(name, name, classes[name] || {}, columns));
  return table;
}

function countsRow(label, name, counts, columns) {
  const tr = el("tr", name === null ? "summary" : null);
  if (name !== null) tr.dataset.class = name;
  const th = el("th", name === "" ? "muted" : null, name === "" ? "(unlabeled)" : label);
  th.scope = "row";
  tr.appendChild(th);
  for (const c of columns) {
    const td = el("td", "num", count(Number(counts[c]) || 0));
    td.dataset.subset = c;
    tr.appendChild(td);
  }
  return tr;
}

// ---------- Create ----------

// A seed of plain digits goes as a number; anything else goes as typed, for the server to refuse in its words.
function seedValue() {
  const text = $("split-seed").value.trim();
  if (text === "") return null;
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

async function createSplit(event) {
  event.preventDefault();
  if (creating) return;
  const pid = state.projectId;
  const name = $("split-name").value.trim() || defaultName();
  const body = { name, ratios: { train: ratios.train / 100, val: ratios.val / 100, test: ratios.test / 100 } };
  const seed = seedValue();
  if (seed !== null) body.seed = seed;
  creating = true;
  $("split-create").disabled = true;
  $("split-create-state").textContent = "Creating…";
  showError("split-create-error", "");
  try {
    const split = await api("/api/splits/" + seg(pid), "POST", body);
    if (pid !== state.projectId) return;
    $("split-name").value = "";
    setStatus("Created split " + split.name + " (#" + split.split_index + ").");
    await loadSplitList(split.split_index);
  } catch (err) {
    if (pid === state.projectId && err.status !== 401) showError("split-create-error", err.message);
  } finally {
    creating = false;
    $("split-create").disabled = false;
    $("split-create-state").textContent = "";
  }
}

// ---------- The project's splits ----------

// The list, then each split's details for its per-class counts; `open` is the index to show unfolded.
async function loadSplitList(open) {
  const seq = ++listSeq;
  const pid = state.projectId, generation = state.generation;
  const current = () => seq === listSeq && pid === state.projectId && generation === state.generation;
  let splits;
  try {
    splits = await api("/api/splits/" + seg(pid));
  } catch (err) {
    if (current() && err.status !== 401) showError("splits-error", err.message);
    return;
  }
  if (!current()) return;
  splits = Array.isArray(splits) ? splits : [];
  showError("splits-error", "");
  $("splits-count").textContent = splits.length ? "(" + splits.length + ")" : "";
  $("splits-empty").hidden = splits.length > 0;
  const items = splits.map((split) => splitItem(split, split.split_index === open));
  $("split-list").replaceChildren(...items.map((item) => item.li));
  await Promise.all(items.map((item) => loadDetails(pid, seq, item)));
}

function splitItem(split, open) {
  const li = el("li", "split-item");
  li.dataset.index = String(split.split_index);
  const head = el("div", "split-head");
  const r = split.ratios || {};
  const shares = SUBSETS.map((s) => Math.round((Number(r[s]) || 0) * 100) + "%").join(" / ");
  head.append(el("span", "split-name", split.name), el("span", "item-id", "#" + split.split_index),
    el("span", "item-meta", shares + " · seed " + split.seed + (split.created_at ? " · " + split.created_at : "")));
  const actions = el("span", "split-actions");
  const remove = el("button", null, "Delete…");
  remove.type = "button";
  remove.title = "Delete this split";
  remove.addEventListener("click", () => askDelete(split, actions, remove));
  actions.appendChild(remove);
  head.appendChild(actions);
  const details = el("details", "split-details");
  details.open = open;
  details.appendChild(el("summary", null, "Counts per subset and class"));
  const body = el("div", "table-scroll");
  body.appendChild(countsTable(split.stats, {}, "split-table"));
  details.appendChild(body);
  const error = el("p", "form-error split-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  li.append(head, details, error);
  return { li, split, body, error };
}

async function loadDetails(pid, seq, item) {
  try {
    const split = await api(splitPath(pid, item.split));
    if (seq !== listSeq || pid !== state.projectId) return;
    item.body.replaceChildren(countsTable(split.stats, split.classes, "split-table"));
  } catch (err) {
    if (seq === listSeq && err.status !== 401) showMessage(item.error, err.message);
  }
}

// Delete asks once more in place: the button becomes "Delete <name>" beside "Keep".
function askDelete(split, actions, remove) {
  const confirm = el("button", "danger", "Delete " + split.name);
  confirm.type = "button";
  const keep = el("button", null, "Keep");
  keep.type = "button";
  keep.addEventListener("click", () => { actions.replaceChildren(remove); remove.focus(); });
  confirm.addEventListener("click", () => deleteSplit(split, actions, confirm));
  actions.replaceChildren(confirm, keep);
  keep.focus();
}

async function deleteSplit(split, actions, confirm) {
  const pid = state.projectId;
  const error = actions.closest("li").querySelector(".split-error");
  confirm.disabled = true;
  showMessage(error, "");
  try {
    await api(splitPath(pid, split), "DELETE");
    if (pid !== state.projectId) return;
    setStatus("Deleted split " + split.name + ".");
    await loadSplitList();
    $("split-create").focus();
  } catch (err) {
    confirm.disabled = false;
    if (err.status !== 401 && pid === state.projectId) showMessage(error, err.message);
  }
}

const splitPath = (pid, split) => "/api/splits/" + seg(pid) + "/" + seg(String(split.split_index));

// A refusal that names the seed marks the seed field too.
function showError(id, message) {
  showMessage($(id), message);
  if (id === "splits-error") return;
  const seedRefused = ["split-preview-error", "split-create-error"].some((e) => /\bseed\b/.test($(e).textContent) && !$(e).hidden);
  if (seedRefused) $("split-seed").setAttribute("aria-invalid", "true");
  else $("split-seed").removeAttribute("aria-invalid");
}
