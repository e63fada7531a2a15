// Experiments: the project's list (run, edit, delete each) and the form, a modal <dialog> with every setting
// the Studio API accepts (docs/training.md, "Experiments"). The page checks nothing itself: the server
// validates, and its message, which starts with the setting's name, is shown beside that setting's field.

import { $, el, setStatus, showMessage } from "./quarry-ui.js";
import { bindDialog, openDialog } from "./dialogs.js";
import { currentProject } from "./projects.js";
import { confirmDelete } from "./run-controls.js";
import { loadRuns, showRunNames } from "./runs.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const SUBSETS = ["train", "val", "test"];

// Every setting: its key in the API (dots for nested objects), label, input kind, and for `select` either
// fixed choices or none (filled from the server when the form opens). `nullable`: an empty field is `null`.
const GROUPS = [
  ["Experiment", [
    { key: "name", label: "Name", kind: "text" },
    { key: "model", label: "Model", kind: "select" },
    { key: "split_index", label: "Split", kind: "select" },
    { key: "train_subset", label: "Train on", kind: "select", choices: SUBSETS },
    { key: "val_subset", label: "Validate on", kind: "select", choices: SUBSETS },
  ]],
  ["Input and length", [
    { key: "image_size", label: "Image size (px)", kind: "int" },
    { key: "width", label: "Width multiplier", kind: "num" },
    { key: "stem", label: "Stem", kind: "select", choices: ["auto", "imagenet", "cifar"] },
    { key: "epochs", label: "Epochs", kind: "int" },
    { key: "batch_size", label: "Batch size", kind: "int" },
    { key: "seed", label: "Seed", kind: "int" },
  ]],
  ["Optimizer", [
    { key: "optimizer.name", label: "Optimizer", kind: "select", choices: ["adamw", "sgd"] },
    { key: "optimizer.lr", label: "Learning rate", kind: "num" },
    { key: "optimizer.weight_decay", label: "Weight decay", kind: "num", nullable: true, hint: "default: 0.01 AdamW, 0 SGD" },
    { key: "optimizer.momentum", label: "Momentum (SGD)", kind: "num" },
    { key: "optimizer.nesterov", label: "Nesterov (SGD)", kind: "bool" },
  ]],
  ["Schedule", [
    { key: "scheduler.name", label: "Schedule", kind: "select", choices: ["cosine", "step", "none"] },
    { key: "scheduler.warmup_epochs", label: "Warm-up epochs", kind: "int" },
    { key: "scheduler.step_size", label: "Step size (epochs)", kind: "int" },
    { key: "scheduler.gamma", label: "Step decay (gamma)", kind: "num" },
  ]],
  ["Augmentation and regularization", [
    { key: "augmentations.hflip", label: "Horizontal flips", kind: "bool" },
    { key: "augmentations.random_resized_crop", label: "Random resized crops", kind: "bool" },
    { key: "label_smoothing", label: "Label smoothing", kind: "num" },
    { key: "gradient_clip", label: "Gradient clip (L2 norm)", kind: "num", nullable: true, hint: "none" },
  ]],
  ["Pretrained weights", [
    { key: "pretrained", label: "Start from", kind: "select", nullable: true },
    { key: "freeze_backbone_epochs", label: "Freeze backbone (epochs)", kind: "int" },
    { key: "backbone_lr_scale", label: "Backbone learning-rate scale", kind: "num" },
  ]],
  ["Device", [
    { key: "device", label: "Device (several GPUs train data-parallel)", kind: "device" },
    { key: "tf32", label: "TF32 on a GPU", kind: "bool" },
  ]],
];
const FIELDS = GROUPS.flatMap(([, fields]) => fields);
// Longest first, so `optimizer.lr` is not taken for a message about `optimizer.lr_…`.
const BY_LENGTH = [...FIELDS].sort((a, b) => b.key.length - a.key.length);

// What a new experiment starts from: the server's defaults (docs/training.md), shown so they can be read.
const DEFAULTS = {
  name: "", split_index: 0, train_subset: "train", val_subset: "val", image_size: 64, width: 1, stem: "auto", epochs: 10,
  batch_size: 32, seed: 0, optimizer: { name: "adamw", lr: 0.001, weight_decay: null, momentum: 0.9, nesterov: false },
  scheduler: { name: "cosine", warmup_epochs: 0, step_size: 10, gamma: 0.1 },
  augmentations: { hflip: true, random_resized_crop: false }, label_smoothing: 0, gradient_clip: null, tf32: false,
  pretrained: null, freeze_backbone_epochs: 0, backbone_lr_scale: 1,
};

let experiments = [];
let editing = null;      // the experiment the open form changes; null for a new one
let models = [];         // the project's task's models, as GET /api/training/models answers
let opening = 0;         // bumped per opening and closing, so a late answer of an earlier opening is dropped

const inputId = (key) => "exp-" + key.replace(/[._]/g, "-");
const field = (key) => $(inputId(key));
const valueAt = (config, key) => key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), config);

export const experimentName = (id) => (experiments.find((e) => e.id === id) || {}).config?.name ?? null;

export function bindExperiments() {
  buildFields();
  $("new-experiment").addEventListener("click", () => openForm(null));
  $("experiment-form").addEventListener("submit", submit);
  bindDialog($("experiment-dialog"), { cancel: $("experiment-cancel"), fallback: $("new-experiment"), onClose: () => opening++ });
  field("model").addEventListener("change", () => {
    // As the server does: a model named anew brings its own default size.
    const model = models.find((m) => m.name === field("model").value);
    if (model) field("image_size").value = model.default_image_size;
  });
  registerSection({ load: loadExperiments, reset: resetExperiments });
}

function buildFields() {
  const box = $("experiment-fields");
  for (const [title, fields] of GROUPS) {
    const set = el("fieldset", "experiment-group");
    set.appendChild(el("legend", null, title));
    for (const f of fields) set.appendChild(fieldRow(f));
    box.appendChild(set);
  }
}

function fieldRow(f) {
  const row = el("div", "experiment-field" + (f.kind === "bool" ? " check" : ""));
  row.dataset.field = f.key;
  const id = inputId(f.key);
  let input;
  if (f.kind === "select" || f.kind === "device") {
    input = document.createElement("select");
    if (f.kind === "device") { input.multiple = true; input.size = 2; }
    for (const choice of f.choices || []) input.appendChild(new Option(choice, choice));
  } else {
    input = document.createElement("input");
    input.type = f.kind === "bool" ? "checkbox" : f.kind === "text" ? "text" : "number";
    if (f.kind === "int") input.step = "1";
    if (f.kind === "num") input.step = "any";
    if (f.hint) input.placeholder = f.hint;
    if (f.kind === "text") input.spellcheck = false;
  }
  input.id = id;
  input.setAttribute("aria-describedby", id + "-error");
  const label = el("label", null, f.label);
  label.htmlFor = id;
  const error = el("span", "form-error field-error");
  error.id = id + "-error";
  error.hidden = true;
  if (f.kind === "bool") row.append(input, label, error);
  else row.append(label, input, error);
  return row;
}

// A failure to read the list stays in the section, in the server's words.
async function loadExperiments() {
  const pid = state.projectId, generation = state.generation;
  try {
    const list = await api("/api/training/" + seg(pid) + "/experiments");
    if (pid !== state.projectId || generation !== state.generation) return;
    experiments = Array.isArray(list) ? list : [];
    showMessage($("experiments-error"), "");
    renderExperiments();
    showRunNames();
  } catch (err) {
    if (pid !== state.projectId || err.status === 401) return;
    showMessage($("experiments-error"), err.message);
  }
}

function resetExperiments() {
  experiments = [];
  $("experiment-list").replaceChildren();
  $("experiments-empty").hidden = true;
  showMessage($("experiments-error"), "");
  if ($("experiment-dialog").open) $("experiment-dialog").close();
  if ($("training-confirm").open) $("training-confirm").close();
}

function renderExperiments() {
  $("experiment-list").replaceChildren(...experiments.map(experimentItem));
  $("experiments-empty").hidden = experiments.length > 0;
}

function experimentItem(experiment) {
  const c = experiment.config || {};
  const li = el("li", "experiment");
  li.dataset.id = experiment.id;
  const device = Array.isArray(c.device) ? c.device.join(" + ") : c.device;
  const meta = [c.model, c.image_size + " px", c.epochs + (c.epochs === 1 ? " epoch" : " epochs"), "batch " + c.batch_size, device];
  if (c.pretrained) meta.push("from " + c.pretrained);
  const actions = el("span", "experiment-actions");
  const run = el("button", "primary experiment-run", "Start run");
  run.type = "button";
  run.addEventListener("click", () => startRun(experiment, li, run));
  const edit = el("button", "experiment-edit", "Edit…");
  edit.type = "button";
  edit.addEventListener("click", () => openForm(experiment));
  const remove = el("button", "experiment-delete", "Delete…");
  remove.type = "button";
  remove.addEventListener("click", () => deleteExperiment(experiment));
  actions.append(run, edit, remove);
  li.append(el("span", "experiment-name", c.name), el("span", "item-meta", meta.join(" · ")), actions);
  return li;
}

function showItemError(li, message) {
  let error = li.querySelector(".item-error");
  if (!error) { error = el("span", "item-error"); error.setAttribute("role", "alert"); li.appendChild(error); }
  error.textContent = message;
}

async function startRun(experiment, li, button) {
  const pid = state.projectId;
  button.disabled = true;
  li.querySelector(".item-error")?.remove();
  try {
    const started = await api("/api/training/" + seg(pid) + "/experiments/" + seg(experiment.id) + "/run", "POST");
    if (pid !== state.projectId) return;
    setStatus("Started run " + started.run_id + " of " + experiment.config.name + ".");
    await loadRuns(started.run_id);
  } catch (err) {
    if (err.status !== 401) showItemError(li, err.message);
  } finally {
    button.disabled = false;
  }
}

function deleteExperiment(experiment) {
  const name = experiment.config.name, pid = state.projectId;
  confirmDelete("Delete experiment", "This deletes the experiment " + name + " and all of its runs and their checkpoints.",
                "Delete experiment", async () => {
    await api("/api/training/" + seg(pid) + "/experiments/" + seg(experiment.id), "DELETE");
    if (pid !== state.projectId) return;
    setStatus("Deleted experiment " + name + ".");
    await Promise.all([loadExperiments(), loadRuns()]);
  });
}

// Opens the dialog at once, with what it has; the lists the server gives fill in as they come.
async function openForm(experiment) {
  const ticket = ++opening;
  editing = experiment;
  $("experiment-title").textContent = experiment ? "Edit experiment" : "New experiment";
  $("experiment-submit").textContent = experiment ? "Save changes" : "Create experiment";
  showErrors(null);
  const config = experiment ? experiment.config : DEFAULTS;
  fill(config);
  openDialog($("experiment-dialog"), field("name"));
  $("experiment-loading").hidden = false;
  $("experiment-submit").disabled = true;
  await loadChoices(config, !experiment, ticket);
  if (ticket !== opening) return;
  $("experiment-loading").hidden = true;
  $("experiment-submit").disabled = false;
}

function fill(config) {
  for (const f of FIELDS) {
    const input = field(f.key);
    const value = valueAt(config, f.key);
    if (f.kind === "bool") input.checked = !!value;
    else if (f.kind === "select" || f.kind === "device") selectValues(input, f.kind === "device" ? [].concat(value ?? []) : [value ?? ""]);
    else input.value = value === null || value === undefined ? "" : String(value);
  }
}

// Selects `values`, adding any the list lacks (a split since deleted, weights since removed), so an edit
// sends back what the experiment has rather than something else.
function selectValues(select, values) {
  const wanted = values.map(String);
  for (const value of wanted) {
    if (![...select.options].some((o) => o.value === value)) select.appendChild(new Option(value, value));
  }
  for (const option of select.options) option.selected = wanted.includes(option.value);
}

// The models of the project's task, the splits, the weights and the devices: each failure beside its field.
// `ticket`: the opening they are for; once the dialog has closed or opened again, they are dropped.
async function loadChoices(config, isNew, ticket) {
  const pid = state.projectId;
  const task = (currentProject() || {}).task || "classification";
  const [modelList, splits, weights, devices] = await Promise.allSettled([
    api("/api/training/models?task=" + seg(task)), api("/api/splits/" + seg(pid)), api("/api/models/weights"), api("/api/system/devices"),
  ]);
  if (ticket !== opening || pid !== state.projectId || !$("experiment-dialog").open) return;
  const failed = (result, key, what) => {
    if (result.status === "fulfilled") return false;
    if (result.reason.status !== 401) showFieldError(key, "Could not read the " + what + ": " + result.reason.message);
    return true;
  };
  if (!failed(modelList, "model", "models")) {
    models = (modelList.value && modelList.value.models) || [];
    options(field("model"), models.map((m) => [m.name, m.name + " (" + (m.parameters / 1e6).toFixed(2) + " M parameters, " + m.default_image_size + " px)"]));
    const model = isNew ? models[0] : models.find((m) => m.name === config.model);
    selectValues(field("model"), [isNew && model ? model.name : config.model]);
    if (isNew && model) field("image_size").value = model.default_image_size;
  }
  if (!failed(splits, "split_index", "splits")) {
    const list = Array.isArray(splits.value) ? splits.value : [];
    options(field("split_index"), list.map((s) => [String(s.split_index), s.split_index + ": " + s.name + splitCounts(s.stats)]));
    if (!list.length) field("split_index").appendChild(new Option("0: no split yet (a run needs one)", "0"));
    selectValues(field("split_index"), [String(config.split_index ?? 0)]);
  }
  if (!failed(weights, "pretrained", "weights")) {
    const list = (weights.value && weights.value.weights) || [];
    options(field("pretrained"), [["", "Random weights"], ...list.map((w) => [w.name, w.name + (w.model ? " (" + w.model + ")" : "")])]);
    selectValues(field("pretrained"), [config.pretrained ?? ""]);
  }
  if (!failed(devices, "device", "devices")) {
    const list = (devices.value && devices.value.devices) || [];
    options(field("device"), list.map((d) => [d.id, d.name + " (" + d.id + (d.busy ? ", busy" : "") + ")"]));
    field("device").size = Math.min(4, Math.max(2, list.length));
    const chosen = isNew ? devices.value.default_selected || ["cpu"] : [].concat(config.device ?? "cpu");
    selectValues(field("device"), chosen);
  }
}

function options(select, pairs) {
  select.replaceChildren(...pairs.map(([value, text]) => new Option(text, value)));
}

function splitCounts(stats) {
  if (!stats) return "";
  return " (" + SUBSETS.map((s) => s + " " + (stats[s] ?? 0)).join(", ") + ")";
}

// The body from the fields. A number field that does not read as a number goes as written, for the server
// to refuse by name; an empty nullable one is null (the default).
function body() {
  const out = {};
  for (const f of FIELDS) {
    const input = field(f.key);
    let value;
    if (f.kind === "bool") value = input.checked;
    else if (f.kind === "device") {
      const chosen = [...input.selectedOptions].map((o) => o.value);
      value = chosen.length === 1 ? chosen[0] : chosen;
    } else if (f.key === "split_index") value = Number(input.value);
    else if (f.kind === "int" || f.kind === "num") {
      const text = input.value.trim();
      value = text === "" && f.nullable ? null : text !== "" && isFinite(Number(text)) ? Number(text) : text;
    } else value = f.nullable && input.value === "" ? null : input.value;
    const path = f.key.split(".");
    const parent = path.slice(0, -1).reduce((o, k) => (o[k] = o[k] || {}), out);
    parent[path[path.length - 1]] = value;
  }
  return out;
}

async function submit(event) {
  event.preventDefault();
  const button = $("experiment-submit");
  if (button.disabled) return;
  button.disabled = true;
  showErrors(null);
  const pid = state.projectId, ticket = opening;
  const base = "/api/training/" + seg(pid) + "/experiments";
  try {
    const saved = editing ? await api(base + "/" + seg(editing.id), "PATCH", body()) : await api(base, "POST", body());
    if (pid !== state.projectId) return;
    const created = !editing;
    if (ticket === opening) $("experiment-dialog").close();
    setStatus((created ? "Created experiment " : "Saved experiment ") + saved.config.name + ".");
    await loadExperiments();
    const item = [...$("experiment-list").children].find((li) => li.dataset.id === saved.id);
    item?.querySelector(".experiment-run")?.focus();
  } catch (err) {
    if (err.status !== 401 && ticket === opening) showErrors(err);
  } finally {
    button.disabled = false;
  }
}

// The setting a refusal is about: its message starts with the setting's name; a name in use is a 409.
function fieldOf(err) {
  if (err.status === 409) return "name";
  const hit = BY_LENGTH.find((f) => err.message.startsWith(f.key + " ") || err.message.startsWith(f.key + ":"));
  return hit ? hit.key : null;
}

function showErrors(err) {
  for (const f of FIELDS) showFieldError(f.key, "");
  showMessage($("experiment-error"), "");
  if (!err) return;
  const key = fieldOf(err);
  if (key) {
    showFieldError(key, err.message);
    field(key).focus();
  } else showMessage($("experiment-error"), err.message);
}

function showFieldError(key, message) {
  const input = field(key);
  showMessage($(inputId(key) + "-error"), message);
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  input.closest(".experiment-field").classList.toggle("invalid", !!message);
}
