// Model exports and their download links. An export is a server-side job: while any is pending or running
// the list is read again, one request at a time, so a reload mid-export (which reads the list afresh)
// picks the job up where it is and follows it to its file.

import { safePath } from "./quarry-api.js";
import { $, el } from "./quarry-ui.js";
import { badge, bytes, isNum } from "./format.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const POLL_MS = 1000;
const WAITING = { pending: "waiting for its turn…", running: "being written…" };

let pollTimer = null;
let seq = 0;  // only the latest read's answer is shown; the next poll is set once it is in, so polls never overlap

registerSection({ load: loadExports, reset: resetExports });

// Reads the selected project's exports (at a project's selection, Refresh, and after the form queued one).
export async function loadExports() {
  clearTimeout(pollTimer);
  pollTimer = null;
  if (!state.projectId) return;
  const mine = ++seq, pid = state.projectId, generation = state.generation;
  let exports = null, failure = null;
  try {
    exports = await api("/api/export/" + seg(pid));
  } catch (err) {
    failure = err;
  }
  if (mine !== seq || pid !== state.projectId || generation !== state.generation) return;
  if (failure && failure.status === 401) return;
  showListError(failure ? failure.message : "");
  const items = Array.isArray(exports) ? exports : null;
  if (items) renderExports(items);
  // A failed read is tried again too while something was in progress: the job goes on regardless.
  if (!items ? inProgress() : items.some((x) => x.status in WAITING)) pollTimer = setTimeout(loadExports, POLL_MS);
}

function resetExports() {
  seq++;
  clearTimeout(pollTimer);
  pollTimer = null;
  $("export-list").replaceChildren();
  $("exports-empty").hidden = true;
  showListError("");
}

function inProgress() {
  return [...$("export-list").children].some((li) => li.dataset.status in WAITING);
}

function showListError(message) {
  $("exports-error").textContent = message;
  $("exports-error").hidden = !message;
}

function renderExports(items) {
  const list = $("export-list");
  list.replaceChildren(...items.map(exportItem));
  $("exports-empty").hidden = items.length > 0;
}

// One export: format, state, size, what it was made from, then its progress, its link or its error.
function exportItem(x) {
  const li = el("li", "export");
  li.dataset.id = x.export_id;
  li.dataset.status = x.status;
  li.append(el("span", "item-id", x.format || "?"), badge(x.status));
  if (isNum(x.size)) li.appendChild(el("span", "item-figure", bytes(x.size)));
  li.appendChild(el("span", "item-meta", [x.run_id, x.checkpoint, optionsText(x.options)].filter(Boolean).join(" · ")));
  if (x.status in WAITING) {
    const progress = el("progress", "export-progress");
    progress.setAttribute("aria-label", "Export " + x.export_id + " in progress");
    li.append(progress, el("span", "item-meta export-waiting", WAITING[x.status]));
  }
  const href = safePath(x.download_url);
  if (x.status === "completed" && href) {
    const a = el("a", "download", x.file_name || "download");
    a.href = href;
    a.download = x.file_name || "";
    if (isNum(x.size)) a.title = "Download " + (x.file_name || "the file") + " (" + bytes(x.size) + ")";
    li.appendChild(a);
  }
  if (x.error) li.appendChild(el("span", "item-error", x.error));
  return li;
}

// The ONNX options the export was made with, as the server recorded them.
function optionsText(options) {
  if (!options) return "";
  const parts = ["opset " + options.opset_version];
  if (Array.isArray(options.input_shape)) parts.push("input " + options.input_shape.join("×"));
  if (options.batch_axis) parts.push("dynamic batch");
  if (options.simplify) parts.push("simplified");
  return parts.join(", ");
}
