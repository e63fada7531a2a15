// The dataset's labels as a download: COCO, YOLO, VOC or CSV, through JTheta's export
// (`GET /api/export/download?format=…&project_title=…`, which takes the dashboard's cookie when no key
// is given). It answers 302 to a signed download link; fetch follows it, so the link is known once the
// archive's headers arrive (the body is dropped there) and the browser then downloads it by that link.
// A refusal is JTheta's `{"detail": …}`, shown beside the buttons; a 401 shows the signed-out view.

import { errorMessage, safePath } from "./quarry-api.js";
import { $, showMessage } from "./quarry-ui.js";
import { currentProject } from "./projects.js";
import { registerSection } from "./sections.js";
import { endedBy } from "./session.js";
import { state } from "./state.js";

const NAMES = { coco: "COCO", yolo: "YOLO", voc: "VOC", csv: "CSV" };

let seq = 0;  // a newer click, or another project, wins over an older answer

export function bindExport() {
  for (const button of document.querySelectorAll("#dataset-export button[data-format]")) {
    button.addEventListener("click", () => download(button.dataset.format));
  }
}

registerSection({ load() {}, reset: clearExport });

function clearExport() {
  seq++;
  setBusy(false);
  $("export-status").textContent = "";
  showMessage($("export-error"), "");
  $("export-link").hidden = true;
  $("export-link").removeAttribute("href");
}

async function download(format) {
  const project = currentProject();
  if (!project || !NAMES[format]) return;
  const my = ++seq;
  const projectId = state.projectId, generation = state.generation;
  const current = () => my === seq && projectId === state.projectId;
  setBusy(true);
  showMessage($("export-error"), "");
  $("export-link").hidden = true;
  $("export-status").textContent = "Preparing the " + NAMES[format] + " archive…";
  try {
    const query = new URLSearchParams({ format, project_title: project.name });
    const response = await fetch("/api/export/download?" + query, { credentials: "same-origin", headers: { Accept: "application/json, application/zip" } });
    if (endedBy(response.status, generation)) return;  // the session is gone, whichever project this was for
    if (!current()) return response.body && response.body.cancel();
    if (!response.ok) return failed(await refusal(response));
    const url = new URL(response.url);
    if (response.body) response.body.cancel();
    const path = url.origin === location.origin ? safePath(url.pathname + url.search) : null;
    if (!path) return failed("The server sent a download link this page does not open.");
    const fileName = decodedName(url.pathname.split("/").pop() || "export.zip");
    const link = $("export-link");
    link.href = path;
    link.download = fileName;
    link.textContent = fileName;
    link.dataset.format = format;
    link.hidden = false;
    $("export-status").textContent = NAMES[format] + " archive ready; downloading:";
    link.click();
  } catch (err) {
    if (current()) failed("The export failed: the server could not be reached");
  } finally {
    if (current()) setBusy(false);
  }
}

// The link's last part as a file name: decoded, or as it is when it is not well-formed percent-encoding.
function decodedName(part) {
  try {
    return decodeURIComponent(part);
  } catch (err) {
    return part;
  }
}

async function refusal(response) {
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return body && typeof body.detail === "string" ? body.detail : errorMessage(body, response.status);
}

function failed(message) {
  $("export-status").textContent = "";
  showMessage($("export-error"), message);
}

function setBusy(busy) {
  for (const button of document.querySelectorAll("#dataset-export button[data-format]")) button.disabled = busy;
  $("dataset-export").setAttribute("aria-busy", String(busy));
}
