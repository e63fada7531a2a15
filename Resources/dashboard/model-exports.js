// Model exports and their download links. An export is a server-side job: while any is pending or running
// the list is read again (poll.js: one request at a time, none in a background tab), so a reload mid-export
// (which reads the list afresh) picks the job up where it is and follows it to its file. Each read updates
// the list in place, by export id: an entry that has not changed keeps its nodes, and a focused link its focus.

import { safePath } from "./quarry-api.js";
import { $, el, showMessage, updateList } from "./quarry-ui.js";
import { badge, bytes, isNum } from "./format.js";
import { createPoller } from "./poll.js";
import { registerSection } from "./sections.js";
import { api, seg } from "./session.js";
import { state } from "./state.js";

const POLL_MS = 1000;
const WAITING = { pending: "waiting for its turn…", running: "being written…" };

const poller = createPoller(readExports);

registerSection({ load: loadExports, reset: resetExports });

// Reads the selected project's exports (at a project's selection, Refresh, and after the form queued one).
export function loadExports() {
  poller.start(0);
}

// One read; the next in a second while something is in progress. `current()` is false once a newer
// read was started or the section reset, and then the answer is dropped.
async function readExports(current) {
  const pid = state.projectId, generation = state.generation;
  if (!pid) return null;
  let exports = null, failure = null;
  try {
    exports = await api("/api/export/" + seg(pid));
  } catch (err) {
    failure = err;
  }
  if (!current() || pid !== state.projectId || generation !== state.generation) return null;
  if (failure && failure.status === 401) return null;
  showMessage($("exports-error"), failure ? failure.message : "");
  const items = Array.isArray(exports) ? exports : null;
  if (items) renderExports(items);
  // A failed read is tried again too while something was in progress: the job goes on regardless.
  return (!items ? inProgress() : items.some((x) => x.status in WAITING)) ? POLL_MS : null;
}

function resetExports() {
  poller.stop();
  $("export-list").replaceChildren();
  $("exports-empty").hidden = true;
  showMessage($("exports-error"), "");
}

function inProgress() {
  return [...$("export-list").children].some((li) => li.dataset.status in WAITING);
}

// The list in the server's order; entries are kept by id and redrawn only when their export changed.
function renderExports(items) {
  updateList($("export-list"), items, { key: (x) => x.export_id, className: "export", fill: fillExport });
  $("exports-empty").hidden = items.length > 0;
}

// One export: format, state, size, what it was made from, then its progress, its link or its error.
function fillExport(li, x) {
  li.dataset.status = x.status;
  const parts = [el("span", "item-id", x.format || "?"), badge(x.status)];
  if (isNum(x.size)) parts.push(el("span", "item-figure", bytes(x.size)));
  parts.push(el("span", "item-meta", [x.run_id, x.checkpoint, optionsText(x.options)].filter(Boolean).join(" · ")));
  if (x.status in WAITING) {
    const progress = el("progress", "export-progress");
    progress.setAttribute("aria-label", "Export " + x.export_id + " in progress");
    parts.push(progress, el("span", "item-meta export-waiting", WAITING[x.status]));
  }
  const href = safePath(x.download_url);
  if (x.status === "completed" && href) {
    const a = el("a", "download", x.file_name || "download");
    a.href = href;
    a.download = x.file_name || "";
    if (isNum(x.size)) a.title = "Download " + (x.file_name || "the file") + " (" + bytes(x.size) + ")";
    parts.push(a);
  }
  if (x.error) parts.push(el("span", "item-error", x.error));
  li.replaceChildren(...parts);
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
