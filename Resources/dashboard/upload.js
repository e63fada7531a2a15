// Importing into the dataset: a ZIP, or a folder of images, dropped on the dataset section or picked with
// its button. A folder (or loose images) is packed here into one stored ZIP, paths kept, so that it is one
// import and class-per-folder layouts still work. The upload shows a real progress bar (XMLHttpRequest:
// fetch reports no upload progress); then the import job is polled, one request at a time, until it
// reports its outcome. A reload finds a running import in the project's list and follows it again.

import { errorMessage } from "./quarry-api.js";
import { $, el, showMessage } from "./quarry-ui.js";
import { count } from "./format.js";
import { loadDataset } from "./dataset.js";
import { createPoller } from "./poll.js";
import { loadProjects } from "./projects.js";
import { registerSection } from "./sections.js";
import { api, endedBy, seg } from "./session.js";
import { state } from "./state.js";

const POLL_MS = 400;
const CANCELLED = "Import cancelled: another project was selected.";
const BUSY = "An upload is already on its way; import again once it has gone up.";

let followed = null;   // {projectId, id} of the import on show
let uploading = false; // a drop being read, files being packed or a body going up: one at a time

export function bindUpload() {
  $("import-zip-button").addEventListener("click", () => $("import-zip").click());
  $("import-folder-button").addEventListener("click", () => $("import-folder").click());
  $("import-zip").addEventListener("change", (e) => picked(e.target, false));
  $("import-folder").addEventListener("change", (e) => picked(e.target, true));
  const zone = $("dataset");
  zone.addEventListener("dragover", (e) => {
    if (!carriesFiles(e) || !state.projectId) return;
    e.preventDefault();  // without it the browser would open the file instead of dropping it here
    // Over a dialog (the image's page) nothing is imported: the drop is refused there.
    e.dataTransfer.dropEffect = inDialog(e) ? "none" : "copy";
    zone.classList.toggle("dropping", !inDialog(e));
  });
  zone.addEventListener("dragleave", (e) => { if (!zone.contains(e.relatedTarget)) zone.classList.remove("dropping"); });
  zone.addEventListener("drop", dropped);
}

registerSection({ load: findRunningImport, reset: clearImport });

const carriesFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
const inDialog = (e) => e.target instanceof Element && !!e.target.closest("dialog");
const messageOf = (err) => (err && err.message ? err.message : String(err));

// An import from here starts busy (the buttons disabled) and every way out of it ends that, with its
// reason shown in the import panel unless the server's job takes over.
function begin() {
  uploading = true;
  setBusy(true);
}

function end(message) {
  uploading = false;
  setBusy(false);
  if (message) showImportError(message);
}

function picked(input, isFolder) {
  const files = [...input.files];
  input.value = "";  // so that picking the same file again still fires `change`
  const projectId = state.projectId;
  if (!files.length || !projectId) return;
  if (uploading) return showImportError(BUSY);
  begin();
  if (!isFolder && files.length === 1) send(projectId, files[0], files[0].name);
  else packAndSend(projectId, files.map((file) => ({ file, path: file.webkitRelativePath || file.name })), folderName(files));
}

function folderName(files) {
  const first = files[0].webkitRelativePath || "";
  return first.includes("/") ? first.slice(0, first.indexOf("/")) : files.length + " files";
}

// A single ZIP goes up as it is; folders and loose files are read (folders recursively) and packed. The
// project is the one selected at the drop: another chosen meanwhile cancels the import.
async function dropped(e) {
  e.preventDefault();
  $("dataset").classList.remove("dropping");
  const projectId = state.projectId;
  if (inDialog(e) || !projectId || !e.dataTransfer) return;
  if (uploading) return showImportError(BUSY);
  // Entries must be taken while the event lasts; synthetic drops may carry plain files without entries.
  const items = [...e.dataTransfer.items].filter((i) => i.kind === "file");
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  const files = [...e.dataTransfer.files];
  begin();
  if (entries.length === 1 && entries[0] && entries[0].isFile && isZip(files[0])) return send(projectId, files[0], files[0].name);
  if (!entries.length || entries.some((x) => !x)) {
    if (files.length === 1 && isZip(files[0])) return send(projectId, files[0], files[0].name);
    return packAndSend(projectId, files.map((file) => ({ file, path: file.name })), files.length + " files");
  }
  const found = [];
  try {
    showUploadState("Reading the dropped files…", null, "");
    for (const entry of entries) await collect(entry, found);
  } catch (err) {
    return end(projectId === state.projectId ? "The dropped files could not be read: " + messageOf(err) : CANCELLED);
  }
  const label = entries.length === 1 && entries[0].isDirectory ? entries[0].name : found.length + " files";
  return packAndSend(projectId, found, label);
}

const isZip = (file) => !!file && (/\.zip$/i.test(file.name) || /zip/.test(file.type));

// A dropped folder's files, with paths relative to the drop (the folder's own name first).
async function collect(entry, found) {
  if (entry.isFile) {
    found.push({ file: await new Promise((resolve, reject) => entry.file(resolve, reject)), path: entry.fullPath.replace(/^\/+/, "") });
    return;
  }
  const reader = entry.createReader();
  for (;;) {
    // readEntries answers in batches until an empty one.
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return;
    for (const child of batch) await collect(child, found);
  }
}

// Called busy (begin()); packing stops as soon as another project is selected.
async function packAndSend(projectId, found, label) {
  if (projectId !== state.projectId) return end(CANCELLED);
  if (!found.length) return end("There were no files to import.");
  let zip;
  try {
    zip = await storedZip(found, (done, total) => {
      if (projectId !== state.projectId) throw new Error(CANCELLED);
      showUploadState("Packing " + label, done / total, count(done) + " of " + count(total) + " files");
    });
  } catch (err) {
    return end(projectId === state.projectId ? messageOf(err) : CANCELLED);
  }
  send(projectId, zip, label + ".zip");
}

// Called busy. The body goes up raw (`Content-Type: application/zip`) to the project it was meant for;
// the answer is the new import job, or the server's refusal, shown beside the bar.
function send(projectId, body, name) {
  if (projectId !== state.projectId) return end(CANCELLED);
  const generation = state.generation;
  poller.stop();
  followed = null;
  forgetJob();
  showUploadState("Uploading " + name, 0, "");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/datasets/" + seg(projectId) + "/import/upload");
  xhr.setRequestHeader("Content-Type", "application/zip");
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (e) => {
    if (projectId === state.projectId && e.lengthComputable) showUploadState(null, e.loaded / e.total, sent(e.loaded, e.total));
  });
  xhr.addEventListener("load", () => {
    end();
    if (endedBy(xhr.status, generation) || projectId !== state.projectId) return;
    let answer = null;
    try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
    if (xhr.status === 202 && answer && answer.status !== "error" && answer.data) {
      showUploadState(null, 1, sent(body.size, body.size));
      followImport(projectId, answer.data, true);
    } else {
      showImportError(errorMessage(answer, xhr.status));
    }
  });
  xhr.addEventListener("error", () => end(projectId === state.projectId ? "The upload failed: the server could not be reached" : null));
  xhr.addEventListener("abort", () => end(projectId === state.projectId ? "The upload was cancelled." : null));
  xhr.send(body);
}

function setBusy(busy) {
  $("import-zip-button").disabled = busy;
  $("import-folder-button").disabled = busy;
  $("import-zone").setAttribute("aria-busy", String(busy));
}

// The upload row: `label` (null: kept) is the stage, announced; `fraction` (null: kept) the bar;
// `text` (undefined: kept) the count beside it, which changes with every event and is not announced.
function showUploadState(label, fraction, text) {
  $("import-panel").hidden = false;
  $("upload-row").hidden = false;
  $("import-row").hidden = true;
  $("import-outcome").hidden = true;
  showMessage($("import-error"), "");
  if (label) setText("upload-label", label);
  if (typeof fraction === "number") $("upload-bar").value = Math.min(1, Math.max(0, fraction));
  if (typeof text === "string") $("upload-text").textContent = text;
}

const sent = (loaded, total) => Math.round((loaded / total) * 100) + "% of " + sizeOf(total);
const sizeOf = (n) => (n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB");

// The stage labels are live regions: written only when they change, so a poll does not repeat them.
function setText(id, text) {
  if ($(id).textContent !== text) $(id).textContent = text;
}

function showImportError(message) {
  $("import-panel").hidden = false;
  showMessage($("import-error"), message);
}

// ---------- The import job: followed until it is done or failed ----------

const isActive = (job) => job && (job.status === "queued" || job.status === "running");

// One read of the followed job at a time (poll.js); an unreachable server is tried again more slowly,
// anything it answered stands.
const poller = createPoller(async (current) => {
  if (!followed) return null;
  const { projectId, id } = followed;
  const still = () => current() && projectId === state.projectId;
  let job;
  try {
    job = await api("/api/datasets/" + seg(projectId) + "/imports/" + seg(id));
  } catch (err) {
    if (!still()) return null;
    showImportError(err.message);
    return err.status === 0 ? POLL_MS * 5 : null;
  }
  if (!still()) return null;
  showMessage($("import-error"), "");
  renderJob(job);
  if (isActive(job)) return POLL_MS;
  if (job.status === "done") imported();
  return null;
});

// `fresh`: the import was just sent from here, so its end changes what the other sections have read.
function followImport(projectId, job, fresh = false) {
  poller.stop();
  followed = { projectId, id: job.id };
  renderJob(job);
  if (isActive(job)) poller.start(POLL_MS);
  else if (job.status === "done") (fresh ? imported : loadDataset)();
}

// An import ended while followed: the project is read again as Refresh does (its images and classes in the
// list, the split preview, the datasets to request labeling for), not the grid alone.
function imported() {
  loadProjects();
}

function renderJob(job) {
  const panel = $("import-panel");
  panel.hidden = false;
  panel.dataset.importId = job.id || "";
  panel.dataset.status = job.status || "";
  $("import-row").hidden = false;
  const total = Number(job.total) || 0;
  const processed = job.status === "done" ? total : Math.min(total, Number(job.processed) || 0);
  const bar = $("import-bar");
  if (total > 0 || !isActive(job)) bar.value = total > 0 ? processed / total : 1;
  else bar.removeAttribute("value");  // indeterminate while the files are still being listed
  const words = { queued: "Waiting for an earlier import to finish", running: "Checking the files", done: "Import done", failed: "Import failed" };
  setText("import-label", words[job.status] || "Import " + (job.status || ""));
  $("import-text").textContent = total > 0 ? count(processed) + " of " + count(total) + " files" : isActive(job) ? "listing the files…" : "";
  if (job.status === "failed") showImportError(job.error || "The import failed and nothing was imported.");
  renderOutcome(job);
}

// The outcome as the job document gives it: what came in, and every file left out with its reason.
function renderOutcome(job) {
  const finished = job.status === "done" || job.status === "failed";
  $("import-outcome").hidden = !finished;
  if (!finished) return;
  const duplicates = Array.isArray(job.duplicates) ? job.duplicates : [];
  const skipped = Array.isArray(job.skipped) ? job.skipped : [];
  setText("import-summary", count(Number(job.imported) || 0) + (job.imported === 1 ? " image" : " images") + " imported · " +
    count(duplicates.length) + (duplicates.length === 1 ? " duplicate" : " duplicates") + " · " + count(skipped.length) + " skipped");
  fillList("import-duplicates", duplicates.map((d) => [d.name, d.duplicate_of ? "same bytes as " + d.duplicate_of : "a duplicate"]));
  fillList("import-skipped", skipped.map((s) => [s.name, s.reason || "skipped"]));
}

function fillList(id, rows) {
  $(id).replaceChildren(...rows.map(([name, reason]) => {
    const li = el("li");
    li.append(el("span", "import-file", name), el("span", "import-reason", reason));
    return li;
  }));
  $(id + "-title").hidden = rows.length === 0;
}

// On load (and Refresh): the import on show is read again; otherwise the newest running one is followed.
async function findRunningImport() {
  const projectId = state.projectId;
  let jobs;
  try {
    jobs = await api("/api/datasets/" + seg(projectId) + "/imports");
  } catch (err) {
    if (projectId === state.projectId) showImportError(err.message);
    return;
  }
  if (projectId !== state.projectId || uploading || !Array.isArray(jobs)) return;
  const shown = followed && followed.projectId === projectId ? jobs.find((j) => j.id === followed.id) : null;
  const running = jobs.filter(isActive).pop();
  const job = (shown && isActive(shown)) || !running ? shown : running;
  if (job) followImport(projectId, job);
}

function forgetJob() {
  delete $("import-panel").dataset.importId;
  delete $("import-panel").dataset.status;
}

function clearImport() {
  poller.stop();
  followed = null;
  $("import-panel").hidden = true;
  forgetJob();
  for (const id of ["upload-row", "import-row", "import-outcome", "import-error"]) $(id).hidden = true;
  for (const id of ["import-duplicates", "import-skipped"]) $(id).replaceChildren();
}

// ---------- A stored (uncompressed) ZIP of a folder, built here ----------
// Images are compressed already; storing them keeps packing fast. Local headers carry the sizes and
// CRC-32 (no data descriptors), names are UTF-8 (flag bit 11); no ZIP64, so the limits are checked.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const MAX_ENTRIES = 65535;
const MAX_BYTES = 0xffffffff;

// `found` is [{file, path}]; resolves to a Blob (the files themselves are referenced, not copied).
async function storedZip(found, onProgress) {
  if (found.length > MAX_ENTRIES) throw new Error("A folder of more than 65,535 files cannot be packed here; import it as a ZIP.");
  const encoder = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (let i = 0; i < found.length; i++) {
    const { file, path } = found[i];
    const name = encoder.encode(path);
    const crc = crc32(new Uint8Array(await file.arrayBuffer()));
    const local = header(30, name, [[0, 0x04034b50, 4], [4, 20, 2], [6, 0x0800, 2], [8, 0, 2], [10, 0, 2], [12, 0x21, 2],
      [14, crc, 4], [18, file.size, 4], [22, file.size, 4], [26, name.length, 2], [28, 0, 2]]);
    central.push(header(46, name, [[0, 0x02014b50, 4], [4, 20, 2], [6, 20, 2], [8, 0x0800, 2], [10, 0, 2], [12, 0, 2],
      [14, 0x21, 2], [16, crc, 4], [20, file.size, 4], [24, file.size, 4], [28, name.length, 2], [30, 0, 2], [32, 0, 2],
      [34, 0, 2], [36, 0, 2], [38, 0, 4], [42, offset, 4]]));
    parts.push(local, file);
    offset += local.length + file.size;
    if (offset > MAX_BYTES) throw new Error("A folder over 4 GB cannot be packed here; import it as a ZIP.");
    onProgress(i + 1, found.length);
  }
  const directorySize = central.reduce((sum, h) => sum + h.length, 0);
  const end = header(22, new Uint8Array(0), [[0, 0x06054b50, 4], [4, 0, 2], [6, 0, 2], [8, found.length, 2],
    [10, found.length, 2], [12, directorySize, 4], [16, offset, 4], [20, 0, 2]]);
  return new Blob([...parts, ...central, end], { type: "application/zip" });
}

// A little-endian record of `size` fixed bytes, its fields given as [offset, value, width], then `name`.
function header(size, name, fields) {
  const bytes = new Uint8Array(size + name.length);
  const view = new DataView(bytes.buffer);
  for (const [at, value, width] of fields) {
    if (width === 4) view.setUint32(at, value >>> 0, true);
    else view.setUint16(at, value, true);
  }
  bytes.set(name, size);
  return bytes;
}
