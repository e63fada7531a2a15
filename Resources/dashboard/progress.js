// Labeling progress: tasks per status and per worker, and a new workbench link for any of those
// workers (a request shows a new worker's link once; this is how a lost one is replaced).

import { $, el } from "./quarry-ui.js";
import { count, isNum } from "./format.js";
import { linkItem } from "./labeling.js";
import { forProject } from "./projects.js";
import { registerSection } from "./sections.js";
import { call, seg } from "./session.js";
import { state } from "./state.js";

const STATUS_ORDER = ["new", "progress", "review", "done", "error", "canceled", "expired"];

// The links "New link" issued for the selected project's workers, by e-mail: the server shows each once.
const issued = new Map();
// projects.js loads this section itself (loadProgress); another project's selection clears the links.
registerSection({ load() {}, reset: () => issued.clear() });

export function loadProgress() {
  return forProject("/api/projects/" + seg(state.projectId) + "/progress", renderProgress);
}

function renderProgress(progress) {
  const byStatus = (progress && progress.by_status) || {};
  const total = isNum(progress && progress.total) ? progress.total : Object.values(byStatus).reduce((a, b) => a + (Number(b) || 0), 0);
  $("progress-total").textContent = count(total) + (total === 1 ? " task" : " tasks");
  // The known statuses in workflow order, then any the server added later.
  const statuses = STATUS_ORDER.concat(Object.keys(byStatus).filter((s) => !STATUS_ORDER.includes(s)));
  const body = $("progress-status").tBodies[0];
  body.replaceChildren();
  for (const status of statuses) {
    const n = Number(byStatus[status]) || 0;
    const tr = el("tr");
    tr.dataset.status = status;
    const fill = el("span", "bar-fill");
    fill.style.width = (total > 0 ? Math.min(100, (n / total) * 100) : 0) + "%";
    const bar = el("span", "bar");
    bar.appendChild(fill);
    const barCell = el("td", "bar-col");
    barCell.appendChild(bar);
    tr.append(el("td", null, status), el("td", "num", count(n)), barCell);
    body.appendChild(tr);
  }
  renderWorkers(Array.isArray(progress && progress.by_worker) ? progress.by_worker : []);
}

function renderWorkers(workers) {
  const body = $("progress-workers").tBodies[0];
  body.replaceChildren();
  for (const w of workers) {
    const tr = el("tr");
    tr.dataset.email = w.email || "";
    tr.append(el("td", null, w.email || ""), el("td", null, w.role || ""));
    for (const key of ["new", "progress", "review", "done"]) tr.appendChild(el("td", "num", count(w[key])));
    tr.appendChild(newLinkCell(w.email || "", tr));
    body.appendChild(tr);
    if (issued.has(w.email)) showLinkRow(tr, w.email, null);
  }
  $("workers-empty").hidden = workers.length > 0;
}

// "New link" asks first in place ("New link for X? Their current link stops working.", with Confirm and
// Keep, focus on Keep): a new link ends the worker's current one. The link it gets, shown this once by
// the server, is kept (until another project is chosen) and shown again under the worker's row after
// every re-render of the table; a refusal is shown there in the server's words.
function newLinkCell(email, row) {
  const cell = el("td", "link-col");
  const button = el("button", "new-link", "New link");
  button.type = "button";
  button.title = "A new workbench sign-in link for " + email + "; the earlier ones stop working";
  button.setAttribute("aria-label", "New sign-in link for " + email);
  button.addEventListener("click", () => askNewLink(email, row, cell, button));
  cell.appendChild(button);
  return cell;
}

function askNewLink(email, row, cell, button) {
  const question = el("span", "new-link-question", "New link for " + email + "? Their current link stops working.");
  const confirm = el("button", "danger new-link-confirm", "Confirm");
  confirm.type = "button";
  const keep = el("button", "new-link-keep", "Keep");
  keep.type = "button";
  const back = () => { cell.replaceChildren(button); button.focus(); };
  keep.addEventListener("click", back);
  confirm.addEventListener("click", async () => {
    confirm.disabled = keep.disabled = true;
    await issueLink(email, row);
    if (row.isConnected) back();
  });
  cell.replaceChildren(question, confirm, keep);
  keep.focus();
}

async function issueLink(email, row) {
  const pid = state.projectId, generation = state.generation;
  let failure = null;
  try {
    const data = await call("/dashboard/workers/link", "POST", { email });
    if (!data || typeof data.email !== "string" || typeof data.link !== "string" || !data.email || !data.link) {
      throw new Error("The server's answer has no link for " + email + ".");
    }
    if (pid !== state.projectId || generation !== state.generation) return;
    issued.set(email, data.link);
  } catch (err) {
    if (err.status === 401 || pid !== state.projectId) return;
    failure = err.message;
  }
  // The table may have been drawn again meanwhile: the worker's row as it is now.
  const current = row.isConnected ? row : [...$("progress-workers").tBodies[0].rows].find((tr) => tr.dataset.email === email && !tr.classList.contains("worker-link"));
  if (current) showLinkRow(current, email, failure);
}

// The row under a worker's: its issued link with Copy, or the message of a failed try.
function showLinkRow(row, email, failure) {
  const shown = el("td");
  shown.colSpan = row.cells.length;
  if (failure) {
    const error = el("p", "form-error", failure);
    error.setAttribute("role", "alert");
    shown.appendChild(error);
  } else {
    const list = el("ul", "items labeling-links");
    list.appendChild(linkItem(email, issued.get(email)));
    shown.appendChild(list);
  }
  const next = row.nextElementSibling;
  const linkRow = next && next.classList.contains("worker-link") ? next : el("tr", "worker-link");
  linkRow.dataset.email = email;
  linkRow.replaceChildren(shown);
  row.after(linkRow);
}
