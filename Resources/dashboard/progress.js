// Labeling progress: tasks per status and per worker, and a new workbench link for any of those
// workers (a request shows a new worker's link once; this is how a lost one is replaced).

import { errorMessage, request } from "./quarry-api.js";
import { $, el } from "./quarry-ui.js";
import { count, isNum } from "./format.js";
import { linkItem } from "./labeling.js";
import { forProject } from "./projects.js";
import { seg } from "./session.js";
import { state } from "./state.js";

const STATUS_ORDER = ["new", "progress", "review", "done", "error", "canceled", "expired"];

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
  }
  $("workers-empty").hidden = workers.length > 0;
}

// "New link" asks for a fresh link (the worker's earlier ones stop working) and shows it in a row under
// the worker's, with its Copy button, or the server's message there.
function newLinkCell(email, row) {
  const cell = el("td", "link-col");
  const button = el("button", "new-link", "New link");
  button.type = "button";
  button.title = "A new workbench sign-in link for " + email + "; the earlier ones stop working";
  button.setAttribute("aria-label", "New sign-in link for " + email);
  button.addEventListener("click", async () => {
    button.disabled = true;
    const shown = el("td");
    shown.colSpan = row.cells.length;
    try {
      const { response, data } = await request("POST", "/dashboard/workers/link", { email });
      if (!response.ok) throw new Error(errorMessage(data, response.status));
      const list = el("ul", "items labeling-links");
      list.appendChild(linkItem(data.email, data.link));
      shown.appendChild(list);
    } catch (err) {
      shown.appendChild(el("p", "form-error", err.message));
    } finally {
      button.disabled = false;
    }
    const next = row.nextElementSibling;
    const linkRow = next && next.classList.contains("worker-link") ? next : el("tr", "worker-link");
    linkRow.replaceChildren(shown);
    row.after(linkRow);
  });
  cell.appendChild(button);
  return cell;
}
