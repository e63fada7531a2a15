// The model export form: a finished run's checkpoint in one of the formats the server lists
// (GET /api/export/formats), with the options that format takes (ONNX: opset, input shape, dynamic batch,
// simplify), queued by POST /api/export/{project_id}. What the server refuses (a format the run's network
// cannot take, an input shape that does not fit) comes back as its own message under the form; the
// export itself is followed in the list by model-exports.js. The runs are runs.js's list, followed through
// projects.js's onRuns (a run that finishes is offered as soon as the page hears of it).

import { $, setStatus, showMessage } from "./quarry-ui.js";
import { runLabel } from "./format.js";
import { loadExports } from "./model-exports.js";
import { onRuns } from "./projects.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const UNFINISHED = ["pending", "running"];
// The batch is the one axis an ONNX export can leave symbolic; both tensors get the same name.
const DYNAMIC_BATCH = { input: { 0: "batch" }, output: { 0: "batch" } };

let runs = null;      // the selected project's finished runs, as the form lists them (null: not heard yet)
let formats = null;   // the server's formats, read once per page (they do not change per project)
let seq = 0;          // a project switch drops the answers of the previous project's reads

registerSection({ load: loadForm, reset: resetForm });

export function bindExportForm() {
  $("export-form").addEventListener("submit", submitExport);
  $("export-format").addEventListener("change", showFormat);
  // Every run the server lists is offered once it has ended; which of them can be exported is the server's to say.
  onRuns((list) => {
    runs = list.filter((run) => !UNFINISHED.includes(run.status));
    fillForm();
  });
}

// The formats, once per page (a reload of the project's sections reads them again only after a failure).
async function loadForm() {
  const mine = ++seq;
  showMessage($("export-form-error"), "");
  try {
    const formatList = formats || (await api("/api/export/formats"));
    if (mine !== seq) return;
    formats = Array.isArray(formatList) ? formatList : [];
    fillForm();
  } catch (err) {
    if (mine === seq && err.status !== 401) showMessage($("export-form-error"), err.message);
  }
}

function resetForm() {
  seq++;
  runs = null;
  $("export-run").replaceChildren();
  $("export-runs-empty").hidden = true;
  showMessage($("export-form-error"), "");
  updateSubmit();
}

// The one rule for the Export button: a run and a format to choose from, and no export being queued.
function updateSubmit() {
  const busy = $("export-form").getAttribute("aria-busy") === "true";
  $("export-submit").disabled = busy || !(runs && runs.length) || !(formats && formats.length);
}

function fillForm() {
  fillRunSelect($("export-run"), runs || []);
  const formatSelect = $("export-format"), keepFormat = formatSelect.value;
  const formatList = formats || [];
  if (!sameOptions(formatSelect, formatList.map((f) => [f.format, f.format]))) {
    formatSelect.replaceChildren(...formatList.map((f) => new Option(f.format, f.format)));
    if (formatList.some((f) => f.format === keepFormat)) formatSelect.value = keepFormat;
  }
  $("export-runs-empty").hidden = !runs || runs.length > 0;
  updateSubmit();
  showFormat();
}

// A select of runs, kept in place when it lists the same runs (its focus and choice stay); otherwise
// refilled, keeping the chosen run, else choosing `prefer` when it is listed.
export function fillRunSelect(select, list, prefer = null) {
  const entries = list.map((run) => [run.run_id, runLabel(run)]);
  if (sameOptions(select, entries, true)) {
    entries.forEach(([, text], i) => { if (select.options[i].text !== text) select.options[i].text = text; });
    return;
  }
  const keep = select.value;
  select.replaceChildren(...entries.map(([value, text]) => new Option(text, value)));
  const chosen = [keep, prefer].find((value) => value && entries.some(([v]) => v === value));
  if (chosen) select.value = chosen;
}

// Whether a select lists these [value, text] entries already (by value alone when `valuesOnly`).
function sameOptions(select, entries, valuesOnly = false) {
  const options = select.options;
  return options.length === entries.length &&
    entries.every(([value, text], i) => options[i].value === value && (valuesOnly || options[i].text === text));
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
  const run = (runs || []).find((r) => r.run_id === $("export-run").value);
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
  const form = $("export-form");
  if ($("export-submit").disabled || form.getAttribute("aria-busy") === "true") return;
  const pid = state.projectId;
  form.setAttribute("aria-busy", "true");
  updateSubmit();
  showMessage($("export-form-error"), "");
  try {
    const created = await api("/api/export/" + seg(pid), "POST", exportBody());
    if (pid !== state.projectId) return;
    setStatus("Export " + created.export_id + " (" + created.format + ") queued.");
    loadExports();
  } catch (err) {
    if (pid === state.projectId && err.status !== 401) showMessage($("export-form-error"), err.message);
  } finally {
    form.removeAttribute("aria-busy");
    updateSubmit();
  }
}
