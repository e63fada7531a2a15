// The Request labeling section: asks for a dataset of the selected project to be annotated, through
// JTheta's POST /api/annotation/request (the dashboard's cookie authenticates it; it names the project
// by its name, and its errors are {"detail": "..."}). It shows the tasks created and the workbench
// sign-in links of the workers the request created, which the server shows this once only: each
// project's last answer is kept for the session, so a switch to another project does not lose them.

import { safePath } from "./quarry-api.js";
import { $, el, setStatus, showMessage } from "./quarry-ui.js";
import { count } from "./format.js";
import { loadProgress } from "./progress.js";
import { currentProject } from "./projects.js";
import { registerSection } from "./sections.js";
import { api, call, seg } from "./session.js";
import { state } from "./state.js";

// The spellings JTheta's product uses (Sources/API/JTheta/JThetaLabelType.swift), and what each
// Quarry type and task is shown as.
const TYPES = ["Bounding Boxes", "Polygons", "Points", "Instance Segmentation", "Semantic Segmentation", "Classification"];
const FROM_QUARRY = { bounding_box: "Bounding Boxes", polygon: "Polygons", point: "Points", tag: "Classification" };
const FOR_TASK = { classification: "Classification", detection: "Bounding Boxes", segmentation: "Polygons" };

let loadSeq = 0;
let sending = false;
let sentRows = [];  // the class rows of the last request, in the order the server numbers them (labels[i])
// The class rows are filled from the project's classes once per project: a Refresh or a finished import
// (which load every section again) keeps what the user has edited in them.
let rowsFor = null;
let rowsEdited = false;
// Each project's last answer (its sign-in links are shown this once), by project id, for this session.
const answers = new Map();

export function bindLabeling() {
  $("labeling-add-class").addEventListener("click", () => {
    const row = addClassRow({ name: "", type: defaultType() });
    rowsEdited = true;
    row.querySelector("input").focus();
  });
  for (const type of ["input", "change"]) $("labeling-classes").addEventListener(type, () => { rowsEdited = true; });
  $("labeling-form").addEventListener("submit", requestLabeling);
  registerSection({ load: loadLabeling, reset: resetLabeling });
}

const defaultType = () => FOR_TASK[(currentProject() || {}).task] || TYPES[0];

// The project's datasets (an import or upload makes one) and its classes as the starting rows.
async function loadLabeling() {
  const seq = ++loadSeq;
  const pid = state.projectId, generation = state.generation;
  if (rowsFor !== pid || !rowsEdited) {
    fillClassRows((currentProject() || {}).classes);
    rowsFor = pid;
    rowsEdited = false;
  }
  const kept = answers.get(pid);
  if (kept && kept.generation === generation && $("labeling-result").hidden) showResult(kept.answer);
  try {
    const stats = await api("/api/datasets/" + seg(pid));
    if (seq !== loadSeq || pid !== state.projectId || generation !== state.generation) return;
    fillDatasets(Array.isArray(stats && stats.datasets) ? stats.datasets : []);
  } catch (err) {
    if (seq === loadSeq && err.status !== 401) showError(err.message);
  }
}

function resetLabeling() {
  loadSeq++;
  sentRows = [];
  rowsFor = null;
  rowsEdited = false;
  $("labeling-dataset").replaceChildren();
  // Nothing to send until the project's datasets are in (a failed load leaves it so).
  $("labeling-submit").disabled = true;
  $("labeling-classes").tBodies[0].replaceChildren();
  $("labeling-result").hidden = true;
  $("labeling-links").replaceChildren();
  $("labeling-no-dataset").hidden = true;
  showError("");
}

function fillDatasets(datasets) {
  const select = $("labeling-dataset");
  const keep = select.value;
  select.replaceChildren(...datasets.map((d) => new Option(d.name + " (" + count(d.image_count) + (d.image_count === 1 ? " image)" : " images)"), String(d.id))));
  if (datasets.some((d) => String(d.id) === keep)) select.value = keep;
  $("labeling-no-dataset").hidden = datasets.length > 0;
  $("labeling-submit").disabled = sending || datasets.length === 0;
}

// ---------- Class rows: a name and a type each, added and removed by the user ----------

function fillClassRows(classes) {
  $("labeling-classes").tBodies[0].replaceChildren();
  const list = Array.isArray(classes) ? classes : [];
  for (const c of list) addClassRow({ name: c.name || c.label || "", type: FROM_QUARRY[c.type] || c.type || defaultType() });
  if (!list.length) addClassRow({ name: "", type: defaultType() });
}

function addClassRow({ name, type }) {
  const body = $("labeling-classes").tBodies[0];
  const tr = el("tr", "class-row");
  const input = el("input", "class-name");
  input.type = "text";
  input.spellcheck = false;
  input.value = name;
  const select = el("select", "class-type");
  select.append(...TYPES.map((t) => new Option(t, t)));
  // A type the server knows by another spelling is kept as it is.
  if (!TYPES.includes(type)) select.appendChild(new Option(type, type));
  select.value = type;
  const remove = el("button", "class-remove", "Remove");
  remove.type = "button";
  remove.addEventListener("click", () => {
    const next = tr.nextElementSibling || tr.previousElementSibling;
    tr.remove();
    rowsEdited = true;
    numberRows();
    (next ? next.querySelector("input") : $("labeling-add-class")).focus();
  });
  const cells = [input, select, remove].map((node) => { const td = el("td"); td.appendChild(node); return td; });
  tr.append(...cells);
  body.appendChild(tr);
  numberRows();
  return tr;
}

// Each row's controls are labelled by their position, which is also how the server names a refused one.
function numberRows() {
  [...$("labeling-classes").tBodies[0].rows].forEach((tr, i) => {
    tr.querySelector(".class-name").setAttribute("aria-label", "Class " + (i + 1) + " name");
    tr.querySelector(".class-type").setAttribute("aria-label", "Class " + (i + 1) + " type");
    tr.querySelector(".class-remove").setAttribute("aria-label", "Remove class " + (i + 1));
  });
}

// ---------- The request ----------

async function requestLabeling(event) {
  event.preventDefault();
  const project = currentProject();
  if (sending || !project || !$("labeling-dataset").value) return;
  const pid = state.projectId, generation = state.generation;
  // A row left blank is not sent (the server would make a class with no name of it).
  sentRows = [...$("labeling-classes").tBodies[0].rows].filter((tr) => tr.querySelector(".class-name").value.trim() !== "");
  const body = {
    dataset_id: Number($("labeling-dataset").value),
    project_name: project.name,
    assigned_annotator: $("labeling-annotator").value,
    assigned_reviewer: $("labeling-reviewer").value,
    labels: sentRows.map((tr) => ({ label: tr.querySelector(".class-name").value, type: tr.querySelector(".class-type").value })),
    allow_class_creation: $("labeling-allow-create").checked,
    auto_annotation: $("labeling-auto").checked,
  };
  sending = true;
  $("labeling-submit").disabled = true;
  $("labeling-state").textContent = "Creating tasks for " + project.name + "…";
  showError("");
  try {
    const answer = (await call("/api/annotation/request", "POST", body)) || {};
    if (generation !== state.generation) return;
    answers.set(pid, { answer, generation });
    // The answer's labels are the project's classes now: the project as the list holds it, and its rows.
    if (Array.isArray(answer.labels)) project.classes = answer.labels;
    if (pid !== state.projectId) {
      // Another project is shown meanwhile: the links wait for this one's return.
      setStatus("Labeling requested for " + (project.name || pid) + ": " + count(answer.tasks_created) +
        " tasks created; its links are shown when you return to it.");
      return;
    }
    showResult(answer);
    if (Array.isArray(answer.labels)) {
      fillClassRows(answer.labels);
      rowsEdited = false;
    }
    setStatus("Labeling requested: " + count(answer.tasks_created) + " tasks created.");
    loadProgress();
  } catch (err) {
    if (pid === state.projectId) showError(err.message);
    else if (generation === state.generation) setStatus("Labeling request for " + (project.name || pid) + " failed: " + err.message, true);
  } finally {
    sending = false;
    $("labeling-submit").disabled = $("labeling-dataset").options.length === 0;
    $("labeling-state").textContent = "";
  }
}

function showResult(answer) {
  const created = Number(answer.tasks_created) || 0, total = Number(answer.task_count) || 0;
  $("labeling-summary").textContent = count(created) + (created === 1 ? " task" : " tasks") + " created (" + count(total) +
    " on this dataset in all), for " + (answer.assigned_annotator || "") + " (annotator) and " + (answer.assigned_reviewer || "") + " (reviewer).";
  const links = Object.entries(answer.workbench_links || {});
  $("labeling-links").replaceChildren(...links.map(([email, path]) => linkItem(email, path)));
  $("labeling-links-note").hidden = links.length === 0;
  $("labeling-no-links").hidden = links.length > 0;
  $("labeling-result").hidden = false;
}

// A worker's link in full, read-only, with a Copy button beside it.
export function linkItem(email, path) {
  const li = el("li", "labeling-link");
  li.dataset.email = email;
  const safe = safePath(path);
  const field = el("input", "link-field");
  field.type = "text";
  field.readOnly = true;
  field.value = safe ? location.origin + safe : "";
  field.setAttribute("aria-label", "Workbench link for " + email);
  const copy = el("button", null, "Copy");
  copy.type = "button";
  const note = el("span", "muted copy-note");
  note.setAttribute("aria-live", "polite");
  copy.addEventListener("click", () => copyLink(field, note));
  li.append(el("span", "link-email", email), field, copy, note);
  return li;
}

async function copyLink(field, note) {
  try {
    await navigator.clipboard.writeText(field.value);
    note.textContent = "Copied.";
  } catch (err) {
    // Where the browser refuses the clipboard, the link is selected for Ctrl+C.
    field.focus();
    field.select();
    note.textContent = "Selected: press Ctrl+C to copy.";
  }
}

// The server's message under the button, and the fields it names (by JSON field, or by the value it
// quotes, as "'x' is not an email address" does) marked invalid.
function showError(message) {
  showMessage($("labeling-error"), message);
  const fields = [["labeling-annotator", "assigned_annotator"], ["labeling-reviewer", "assigned_reviewer"], ["labeling-dataset", "dataset_id"]];
  for (const [id, key] of fields) {
    const value = $(id).value.trim();
    mark($(id), !!message && (message.includes(key) || (value !== "" && message.toLowerCase().includes("'" + value.toLowerCase() + "'"))));
  }
  for (const tr of $("labeling-classes").tBodies[0].rows) {
    const i = sentRows.indexOf(tr);
    for (const node of tr.querySelectorAll("input, select")) mark(node, !!message && i >= 0 && message.includes("labels[" + i + "]"));
  }
}

function mark(node, invalid) {
  if (invalid) node.setAttribute("aria-invalid", "true");
  else node.removeAttribute("aria-invalid");
}
