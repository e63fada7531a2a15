// The System panel, opened from the top bar: the server's health, the compute devices and the account's
// workspace on disk. Three calls, each shown (or failing, in the server's words) in its own part of the
// panel. Refresh reads all three again; it stays enabled, so focus stays on it, and a click while a load
// is under way starts a fresh one whose answers replace the earlier ones'. The panel is a modal <dialog>:
// Escape or Close shuts it, and focus goes back to the top bar's System button.

import { bindDialog, openDialog } from "./dialogs.js";
import { $, el } from "./quarry-ui.js";
import { bytes, count, isNum } from "./format.js";
import { api } from "./session.js";
import { state } from "./state.js";

let seq = 0; // bumped by each load, so a slow answer of an earlier one is dropped

export function bindSystem() {
  $("system-open").addEventListener("click", openSystem);
  $("system-refresh").addEventListener("click", loadSystem);
  bindDialog($("system-dialog"), { cancel: $("system-close"), fallback: $("system-open") });
}

function openSystem() {
  openDialog($("system-dialog"), $("system-refresh"));
  loadSystem();
}

function loadSystem() {
  const mine = ++seq, generation = state.generation;
  const current = () => mine === seq && generation === state.generation;
  $("system-panel").setAttribute("aria-busy", "true");
  const parts = [
    part("/api/system/health", "system-health", renderHealth, current),
    part("/api/system/devices", "system-devices", renderDevices, current),
    part("/api/system/workspace", "system-workspace", renderWorkspace, current),
  ];
  Promise.allSettled(parts).then(() => {
    if (mine !== seq) return;
    $("system-panel").removeAttribute("aria-busy");
  });
}

// One call and its part of the panel: "loading…", then the figures, or the server's message in place.
async function part(path, id, render, current) {
  const body = $(id + "-body"), error = $(id + "-error");
  body.replaceChildren(el("p", "muted", "loading…"));
  error.hidden = true;
  try {
    const data = await api(path);
    if (current()) body.replaceChildren(...render(data || {}));
  } catch (err) {
    if (!current()) return;
    body.replaceChildren();
    error.textContent = err.message;
    error.hidden = false;
  }
}

function renderHealth(health) {
  return [facts([
    ["Version", health.version || "—"],
    ["Status", health.status || "—"],
    ["Database", health.database || "—"],
    ["Up for", duration(health.uptime_seconds)],
  ])];
}

function renderDevices(answer) {
  const devices = Array.isArray(answer.devices) ? answer.devices : [];
  const chosen = Array.isArray(answer.default_selected) ? answer.default_selected : [];
  const table = el("table", "grid-table devices-table");
  const head = el("tr");
  for (const [text, cls] of [["Device", null], ["Kind", null], ["Memory", "num"], ["Free", "num"], ["", null]]) {
    const th = el("th", cls, text);
    th.scope = "col";
    head.appendChild(th);
  }
  table.appendChild(el("thead")).appendChild(head);
  const body = table.appendChild(el("tbody"));
  for (const device of devices) body.appendChild(deviceRow(device, chosen.includes(device.id)));
  const cuda = answer.cuda_available
    ? "CUDA " + (answer.cuda_version || "available")
    : "No CUDA device" + (answer.reason ? ": " + answer.reason : "");
  return [table, el("p", "muted system-note", cuda)];
}

function deviceRow(device, isDefault) {
  const tr = el("tr");
  tr.dataset.id = device.id || "";
  if (isDefault) tr.dataset.default = "true";
  const name = el("td");
  name.append(el("span", "device-name", device.name || device.id || "?"), el("span", "item-id device-id", device.id || ""));
  const kind = device.type === "cpu" && isNum(device.cores) ? "cpu · " + count(device.cores) + (device.cores === 1 ? " core" : " cores") : device.type || "—";
  const marks = el("td", "device-marks");
  if (isDefault) marks.appendChild(el("span", "badge s-completed device-default", "default"));
  if (device.busy) marks.appendChild(el("span", "badge s-running", "busy"));
  tr.append(name, el("td", "device-kind", kind), el("td", "num device-total", megabytes(device.memory_total_mb)),
    el("td", "num device-free", megabytes(device.memory_free_mb)), marks);
  return tr;
}

function renderWorkspace(ws) {
  const total = ws.disk_total_bytes, free = ws.disk_free_bytes;
  const used = isNum(total) && isNum(free) ? total - free : null;
  const nodes = [];
  if (isNum(used) && total > 0) {
    const fill = el("span", "bar-fill");
    fill.style.width = Math.min(100, (used / total) * 100) + "%";
    const bar = el("span", "bar disk-bar");
    bar.appendChild(fill);
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", "Disk " + Math.round((used / total) * 100) + "% used");
    nodes.push(bar);
  }
  nodes.push(facts([
    ["Disk", isNum(used) ? bytes(used) + " used of " + bytes(total) : "—", "disk"],
    ["Free", bytes(free), "free"],
    ["Database", bytes(ws.database_bytes), "database"],
    ["Stored files", bytes(ws.stored_file_bytes), "files"],
    ["Projects", count(ws.projects), "projects"],
    ["Images", count(ws.images), "images"],
    ["Data folder", ws.data_dir || "—", "folder"],
  ]));
  return nodes;
}

// A two-column list of name and figure; `key` names the row for tests and styles.
function facts(rows) {
  const dl = el("dl", "facts");
  for (const [name, value, key] of rows) {
    const dt = el("dt", null, name), dd = el("dd", null, value);
    if (key) dd.dataset.fact = key;
    dl.append(dt, dd);
  }
  return dl;
}

const megabytes = (mb) => (isNum(mb) ? bytes(mb * 1024 * 1024) : "—");

function duration(seconds) {
  if (!isNum(seconds)) return "—";
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  if (d) return d + " d " + h + " h";
  if (h) return h + " h " + m + " min";
  return m ? m + " min " + Math.floor(seconds % 60) + " s" : Math.floor(seconds) + " s";
}
