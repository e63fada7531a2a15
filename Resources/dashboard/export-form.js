// The model export form: a finished run's checkpoint in one of the formats the server lists
// (GET /api/export/formats), with the options that format takes (ONNX: opset, input shape, dynamic batch,
// simplify), queued by POST /api/export/{project_id}. What the server refuses (a format the run's network
// cannot take, an input shape that does not fit) comes back as its own message under the form; the
// export itself is followed in the list by model-exports.js.

import { $, setStatus } from "./quarry-ui.js";
import { loadExports } from "./model-exports.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const UNFINISHED = ["pending", "running"];
// The batch is the one axis an ONNX export can leave symbolic; both tensors get the same name.
const DYNAMIC_BATCH = { input: { 0: "batch" }, output: { 0: "batch" } };

let runs = [];        // the selected project's finished runs, as the form lists them
let formats = null;   // the server's formats, read once per page (they do not change per project)
let seq = 0;          // a project switch drops the answers of the previous project's reads

registerSection({ load: loadForm, reset: resetForm });

export function bindExportForm() {
  $("export-form").addEventListener("submit", submitExport);
  $("export-format").addEventListener("change", showFormat);
}

// What a run select shows for a run: its experiment's name, its id and its state.
export function runLabel(run) {
  const name = run.config && run.config.name;
  return [name, run.run_id, run.status].filter(Boolean).join(" · ");
}

export async function loadForm() {
  const mine = ++seq, pid = state.projectId;
  showError("");
  try {
    const [runList, formatList] = await Promise.all([api("/api/training/" + seg(pid) + "/runs"), formats || api("/api/export/formats")]);
    if (mine !== seq) return;
    formats = Array.isArray(formatList) ? formatList : [];
    runs = (Array.isArray(runList) ? runList : []).filter((run) => !UNFINISHED.includes(run.status));
    fillForm();
  } catch (err) {
    if (mine === seq && err.status !== 401) showError(err.message);
  }
}

function resetForm() {
  seq++;
  runs = [];
  $("export-run").replaceChildren();
  showError("");
  $("export-submit").disabled = true;
}

function fillForm() {
  const runSelect = $("export-run"), formatSelect = $("export-format");
  const keepRun = runSelect.value, keepFormat = formatSelect.value;
  runSelect.replaceChildren(...runs.map((run) => new Option(runLabel(run), run.run_id)));
  if (runs.some((run) => run.run_id === keepRun)) runSelect.value = keepRun;
  formatSelect.replaceChildren(...formats.map((f) => new Option(f.format, f.format)));
  if (formats.some((f) => f.format === keepFormat)) formatSelect.value = keepFormat;
  $("export-runs-empty").hidden = runs.length > 0;
  $("export-submit").disabled = !runs.length || !formats.length;
  showFormat();
}

// The chosen format's description, and its options' fields when it has any (their hints the server's).
function showFormat() {
  const format = chosenFormat();
  $("export-format-note").textContent = format ? format.description || "" : "";
  const options = (format && format.options) || {};
  $("export-options").hidden = !Object.keys(options).length;
  const hints = { opset_version: "export-opset", input_shape: "export-shape", dynamic_axes: "export-dynamic", simplify: "export-simplify" };
  for (const [name, id] of Object.entries(hints)) {
    const option = options[name], field = $(id);
    field.closest(".export-option").hidden = !option;
    field.title = option ? option.description + " (default " + option.default_value + ")" : "";
    if (field.type !== "checkbox") field.placeholder = option ? option.default_value : "";
  }
}

function chosenFormat() {
  return (formats || []).find((f) => f.format === $("export-format").value) || null;
}

// The body as the API takes it: options only for a format that has them, and only those filled in.
function exportBody() {
  const run = runs.find((r) => r.run_id === $("export-run").value);
  const format = chosenFormat();
  const body = { experiment_id: run ? run.experiment_id : null, run_id: run ? run.run_id : null,
                 checkpoint: $("export-checkpoint").value, format: format ? format.format : $("export-format").value };
  if (!format || !Object.keys(format.options || {}).length) return body;
  const options = {};
  const opset = $("export-opset").value.trim();
  if (opset) options.opset_version = Number(opset);
  const shape = $("export-shape").value.trim();
  // Each entry goes as a number when it reads as one: anything else reaches the server, which names it.
  if (shape) options.input_shape = shape.split(/[\s,×]+/).filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  if ($("export-dynamic").checked) options.dynamic_axes = DYNAMIC_BATCH;
  if ($("export-simplify").checked) options.simplify = true;
  body.options = options;
  return body;
}

async function submitExport(event) {
  event.preventDefault();
  const form = $("export-form"), button = $("export-submit");
  if (button.disabled || form.getAttribute("aria-busy") === "true") return;
  const pid = state.projectId;
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  showError("");
  try {
    const created = await api("/api/export/" + seg(pid), "POST", exportBody());
    if (pid !== state.projectId) return;
    setStatus("Export " + created.export_id + " (" + created.format + ") queued.");
    loadExports();
  } catch (err) {
    if (pid === state.projectId && err.status !== 401) showError(err.message);
  } finally {
    form.removeAttribute("aria-busy");
    button.disabled = !runs.length;
  }
}

function showError(message) {
  $("export-form-error").textContent = message;
  $("export-form-error").hidden = !message;
}
