// Quarry workbench: the annotator's and reviewer's page.
//
// Served under a strict CSP, so everything here builds DOM with createElement and puts any text
// that came from the server (class names, file names, comments, e-mails) in with textContent only.
// Authentication is an HttpOnly session cookie. A sign-in link carries a one-time token in the URL
// fragment (never sent to servers); the page takes it out of the address bar at once, trades it for
// the cookie with POST /workbench/session and keeps no copy.
(function () {
  "use strict";

  const TYPES = { tag: "tag", box: "bounding_box", polygon: "polygon", point: "point" };
  const SAVE_DELAY_MS = 800;
  const HISTORY_LIMIT = 200;
  const HANDLE_PX = 7;      // how close (screen px) the pointer must be to grab a vertex
  const MIN_BOX_PX = 3;     // a drag shorter than this is a click, not a box
  const MIN_SCALE = 0.01;
  const MAX_SCALE = 64;

  // All mutable state lives here, so it is easy to see what a task switch must reset.
  const state = {
    role: "annotator",        // which queue tab is showing
    queue: [],                // task summaries of that queue
    task: null,               // the open task as GET /worker/tasks/{id} returned it
    readOnly: false,          // reviewer view: labels are shown, never edited
    imageIndex: 0,
    images: new Map(),        // image id -> HTMLImageElement (loading or loaded)
    docs: new Map(),          // image id -> array of labels, the working annotation state
    undo: [],                 // snapshots (JSON strings) of docs, oldest first
    redo: [],
    tool: "select",
    currentClass: null,       // class name
    selected: -1,             // index of the selected label on the current image
    selectedVertex: null,     // {label, vertex}: the polygon vertex last grabbed
    hover: null,              // {label, vertex}: the polygon vertex under the pointer
    drawing: null,            // shape in progress: {kind: "box"|"polygon", cls, ...}
    drag: null,               // pointer drag in progress: pan, box or handle
    cursor: null,             // last pointer position in image coordinates
    spaceDown: false,
    view: { scale: 1, ox: 0, oy: 0, fitted: true },
    dpr: 1,
    saveTimer: null,
    saveChain: Promise.resolve(),
    openSeq: 0,               // drops answers to task loads the user has already moved on from
    generation: 0,            // bumped by each sign-in, so a late 401 from an earlier session is ignored
    busy: false,
  };

  const $ = (id) => document.getElementById(id);
  let canvas, ctx;

  // ---------- API ----------

  const { ApiError, request, errorMessage, safePath } = window.QuarryAPI;
  const { el, selectable, markActive, setStatus, showError } = window.QuarryUI;

  async function api(method, path, body) {
    const generation = state.generation;
    const { response, data } = await request(method, path, body);
    if (response.status === 401) {
      if (generation === state.generation) showSignedOut();
      throw new ApiError("Not signed in", 401);
    }
    if (!response.ok) throw new ApiError(errorMessage(data, response.status), response.status);
    return data;
  }

  const taskPath = (id) => "/worker/tasks/" + encodeURIComponent(id);

  // ---------- Signed in / out ----------

  function showSignedOut(message) {
    clearTimeout(state.saveTimer);
    state.saveTimer = null;
    closeTask();
    $("app").hidden = true;
    $("signin-message").textContent = message || "";
    $("signin-message").hidden = !message;
    $("signin-needed").hidden = false;
  }

  function boot() {
    canvas = $("canvas");
    ctx = canvas.getContext("2d");
    bindUI();
    start();
  }

  // The token of a sign-in link, taken out of the address bar (and so out of history and bookmarks)
  // before anything else happens. Only this local value ever holds it.
  function takeLinkToken() {
    const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (!match) return null;
    history.replaceState(null, "", location.pathname + location.search);
    try { return decodeURIComponent(match[1]); } catch (e) { return match[1]; }
  }

  // Signs in with a link's token when the URL has one, then shows the worker's queues. Runs on load
  // and again when a new link is opened in this tab (only the fragment changes: no reload).
  async function start() {
    const token = takeLinkToken();
    const generation = ++state.generation;
    clearTimeout(state.saveTimer); // a save from the previous session cannot be sent any more
    state.saveTimer = null;
    closeTask();
    $("app").hidden = true; // until this session is known
    if (token) {
      try {
        await api("POST", "/workbench/session", { token });
      } catch (err) {
        if (generation !== state.generation) return;
        showSignedOut(err.status === 401 ? "This sign-in link is not valid any more. Ask for a new one." : err.message);
        return;
      }
    }
    let me;
    try {
      me = await api("GET", "/worker/me");
    } catch (err) {
      if (generation === state.generation && err.status !== 401) { $("app").hidden = false; showError(err); }
      return;
    }
    if (generation !== state.generation) return;
    $("me").textContent = me && me.email ? me.email : "";
    $("signin-needed").hidden = true;
    $("app").hidden = false;
    setStatus("");
    switchRole("annotator");
  }

  async function signOut() {
    await flushSave();
    try { await api("POST", "/workbench/signout"); } catch (e) { /* signed out either way */ }
    showSignedOut();
  }

  // ---------- Queue ----------

  async function switchRole(role) {
    await flushSave();
    state.role = role;
    $("tab-label").classList.toggle("active", role === "annotator");
    $("tab-review").classList.toggle("active", role === "reviewer");
    $("tab-label").setAttribute("aria-selected", String(role === "annotator"));
    $("tab-review").setAttribute("aria-selected", String(role === "reviewer"));
    $("app").classList.toggle("review-mode", role === "reviewer");
    closeTask();
    await loadQueue();
  }

  async function loadQueue() {
    const role = state.role;
    let data;
    try {
      data = await api("GET", "/worker/tasks?role=" + encodeURIComponent(role));
    } catch (err) { showError(err); return; }
    if (role !== state.role) return; // the tab changed while this loaded
    state.queue = Array.isArray(data && data.tasks) ? data.tasks : [];
    renderQueue();
    if (!state.task && state.queue.length > 0) openTask(state.queue[0].id);
  }

  function renderQueue() {
    const list = $("queue");
    list.replaceChildren();
    for (const task of state.queue) {
      const li = el("li", "task");
      li.dataset.id = task.id;
      li.appendChild(el("span", "task-id", task.id));
      li.appendChild(el("span", "task-status", task.status));
      const count = Array.isArray(task.image_ids) ? task.image_ids.length : 0;
      li.appendChild(el("span", "task-images", count + (count === 1 ? " image" : " images")));
      if (task.review_comment) {
        const marker = el("span", "task-marker", "returned");
        marker.title = task.review_comment;
        li.appendChild(marker);
      }
      selectable(li, () => openTask(task.id));
      list.appendChild(li);
    }
    markActive(list, state.task ? state.task.id : null);
    $("queue-empty").hidden = state.queue.length > 0;
  }

  // Takes a finished task out of the queue and opens the one after it.
  function leaveTask(id) {
    const index = state.queue.findIndex((t) => t.id === id);
    if (index >= 0) state.queue.splice(index, 1);
    closeTask();
    renderQueue();
    const next = state.queue[Math.max(0, index)] || state.queue[0];
    if (next) openTask(next.id);
  }

  // ---------- Opening and closing tasks ----------

  async function openTask(id) {
    if (state.task && state.task.id === id) return;
    flushSave(); // the save is queued on the chain; no need to wait for it here
    closeTask(); // nothing of the previous task stays on screen while this one loads
    const seq = ++state.openSeq;
    markActive($("queue"), id);
    let task;
    try {
      task = await api("GET", taskPath(id));
    } catch (err) { if (seq === state.openSeq) showError(err); return; }
    if (seq !== state.openSeq) return;
    setTask(task);
  }

  function setTask(task) {
    state.task = task;
    state.readOnly = state.role === "reviewer";
    state.imageIndex = 0;
    state.images = new Map();
    state.docs = buildDocs(task, state.readOnly);
    state.undo = [];
    state.redo = [];
    resetInteraction();
    const classes = task.classes || [];
    const wanted = TYPES[state.tool];
    const first = classes.find((c) => c.type === wanted) || classes[0];
    state.currentClass = first ? first.name : null;
    $("comment").value = "";
    $("task-title").textContent = (task.project && task.project.name ? task.project.name + " · " : "") + task.id;
    const comment = task.review_comment || "";
    $("review-comment").textContent = comment;
    $("review-comment").hidden = !comment;
    $("review-title").textContent = state.readOnly ? "Earlier review comment:" : "Returned by the reviewer:";
    $("review-box").hidden = !comment;
    renderClasses();
    resizeCanvas(); // the review comment may have changed the canvas's room
    showImage();
  }

  function closeTask() {
    state.openSeq++;
    state.task = null;
    state.docs = new Map();
    state.images = new Map();
    state.undo = [];
    state.redo = [];
    resetInteraction();
    $("task-title").textContent = "";
    $("review-comment").textContent = "";
    $("review-comment").hidden = true;
    $("review-box").hidden = true;
    $("comment").value = "";
    renderClasses();
    renderLabels();
    renderImageNav();
    updateControls();
    resizeCanvas();
  }

  function resetInteraction() {
    state.selected = -1;
    state.selectedVertex = null;
    state.hover = null;
    state.drawing = null;
    state.drag = null;
  }

  // Reviewers see what was submitted. Annotators continue their draft, else their submitted (and
  // returned) labels, else start from the model's predictions as editable pre-labels.
  function buildDocs(task, readOnly) {
    let source;
    if (readOnly) source = task.annotations;
    else if (task.draft) source = task.draft;
    else if (Array.isArray(task.annotations) && task.annotations.length > 0) source = task.annotations;
    else source = task.predictions;
    const docs = new Map();
    for (const image of task.images || []) docs.set(image.id, []);
    for (const doc of Array.isArray(source) ? source : []) {
      if (docs.has(doc.image_id) && Array.isArray(doc.labels)) {
        docs.set(doc.image_id, JSON.parse(JSON.stringify(doc.labels)));
      }
    }
    return docs;
  }

  // ---------- Images ----------

  function currentImage() {
    return state.task && state.task.images ? state.task.images[state.imageIndex] || null : null;
  }

  function currentLabels() {
    const image = currentImage();
    return image ? state.docs.get(image.id) || [] : [];
  }

  function showImage() {
    resetInteraction();
    fitView();
    loadImage(currentImage());
    renderImageNav();
    renderLabels();
    updateControls();
    updateCursor();
    render();
  }

  function loadImage(image) {
    if (!image || state.images.has(image.id)) return;
    const img = new Image();
    state.images.set(image.id, img);
    img.addEventListener("load", render);
    img.addEventListener("error", () => {
      if (currentImage() === image) setStatus("Could not load the image " + (image.file_name || image.id), true);
    });
    const src = safePath(image.url);
    if (!src) { setStatus("Could not load the image " + (image.file_name || image.id) + ": no same-origin URL", true); return; }
    img.src = src; // same origin: the session cookie goes with it
  }

  function stepImage(delta) {
    if (!state.task) return;
    const next = state.imageIndex + delta;
    if (next < 0 || next >= state.task.images.length) return;
    state.imageIndex = next;
    showImage();
  }

  function renderImageNav() {
    const image = currentImage();
    const count = state.task ? state.task.images.length : 0;
    $("image-name").textContent = image ? image.file_name || "image " + image.id : "";
    $("image-count").textContent = image ? "(" + (state.imageIndex + 1) + "/" + count + ")" : "";
    $("prev-image").disabled = !image || state.imageIndex === 0;
    $("next-image").disabled = !image || state.imageIndex >= count - 1;
  }

  // ---------- Classes ----------

  function classes() { return state.task && state.task.classes ? state.task.classes : []; }

  function classByName(name) { return classes().find((c) => c.name === name) || null; }

  function renderClasses() {
    assignHues(classes());
    const box = $("classes");
    box.replaceChildren();
    classes().forEach((cls, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "class";
      button.dataset.name = cls.name;
      button.dataset.type = cls.type; // CSS shows the type hint from this, keeping the text the name
      button.textContent = cls.name;
      button.title = (index < 9 ? "Key " + (index + 1) + " · " : "") + cls.type;
      button.style.borderLeftColor = classColor(cls.name);
      button.classList.toggle("active", cls.name === state.currentClass);
      button.addEventListener("click", () => { pickClass(cls.name); focusCanvas(); });
      box.appendChild(button);
    });
  }

  function pickClass(name) {
    state.currentClass = name;
    for (const b of $("classes").children) b.classList.toggle("active", b.dataset.name === name);
  }

  // A label's type must match its class's type: keep the current class when it fits, else take the
  // first class of the right type, else say there is none.
  function classFor(type) {
    const current = classByName(state.currentClass);
    if (current && current.type === type) return current.name;
    const first = classes().find((c) => c.type === type);
    if (first) { pickClass(first.name); return first.name; }
    setStatus("This task has no class of type " + type, true);
    return null;
  }

  // ---------- Tools ----------

  function setTool(tool) {
    if (state.readOnly || !state.task) return;
    if (tool === "tag") { applyTag(); return; } // tagging is an action on the image, not a mode
    state.tool = tool;
    state.drawing = null;
    state.drag = null;
    for (const name of ["select", "box", "polygon", "point"]) $("tool-" + name).classList.toggle("active", name === tool);
    if (TYPES[tool]) classFor(TYPES[tool]);
    updateCursor();
    render();
  }

  function applyTag() {
    if (state.readOnly || !currentImage()) return;
    const name = classFor(TYPES.tag);
    if (!name) return;
    const labels = currentLabels();
    const existing = labels.findIndex((l) => l.type === TYPES.tag && l.label === name);
    if (existing >= 0) {
      // Tagging again with a predicted tag's class keeps the prediction: it becomes an ordinary label.
      if (labels[existing].confidence == null) { setStatus("The image already has the tag " + name); return; }
      commit(() => { delete labels[existing].confidence; });
      return;
    }
    commit(() => { labels.push({ label: name, type: TYPES.tag }); });
    select(labels.length - 1);
  }

  // ---------- Editing, history and autosave ----------

  function snapshot() { return JSON.stringify([...state.docs]); }

  function restore(text) { state.docs = new Map(JSON.parse(text)); }

  // Every edit goes through here: it records the state before the change for undo and saves after.
  function commit(change) {
    pushUndo(snapshot());
    change();
    changed();
  }

  function pushUndo(before) {
    state.undo.push(before);
    if (state.undo.length > HISTORY_LIMIT) state.undo.shift();
    state.redo = [];
  }

  function changed() {
    state.hover = null;
    state.selectedVertex = null;
    if (state.selected >= currentLabels().length) state.selected = -1;
    renderLabels();
    updateControls();
    render();
    scheduleSave();
  }

  function undo() {
    if (state.readOnly || state.undo.length === 0) return;
    state.redo.push(snapshot());
    restore(state.undo.pop());
    state.selected = -1;
    state.drawing = null;
    changed();
  }

  function redo() {
    if (state.readOnly || state.redo.length === 0) return;
    state.undo.push(snapshot());
    restore(state.redo.pop());
    state.selected = -1;
    state.drawing = null;
    changed();
  }

  function removeLabel(index) {
    const labels = currentLabels();
    if (index < 0 || index >= labels.length) return;
    commit(() => { labels.splice(index, 1); state.selected = -1; });
  }

  function addLabel(label) {
    const labels = currentLabels();
    commit(() => { labels.push(label); });
    select(labels.length - 1);
  }

  // The body the server wants: every image of the task, labels without the model's confidence.
  function annotationsBody() {
    return state.task.images.map((image) => ({
      image_id: image.id,
      labels: (state.docs.get(image.id) || []).map(cleanLabel),
    }));
  }

  function cleanLabel(l) {
    const out = { label: l.label, type: l.type };
    if (l.type === TYPES.box) out.bbox = l.bbox.slice();
    else if (l.type === TYPES.polygon) out.points = l.points.map((p) => p.slice());
    else if (l.type === TYPES.point) out.point = l.point.slice();
    return out;
  }

  function scheduleSave() {
    if (state.readOnly || !state.task) return;
    clearTimeout(state.saveTimer);
    state.saveTimer = setTimeout(saveDraftNow, SAVE_DELAY_MS);
  }

  // Saves go one after another on a chain, so an older draft can never land after a newer one.
  function saveDraftNow() {
    clearTimeout(state.saveTimer);
    state.saveTimer = null;
    if (!state.task || state.readOnly) return state.saveChain;
    const id = state.task.id;
    const body = { annotations: annotationsBody() };
    state.saveChain = state.saveChain.then(async () => {
      setStatus("Saving draft…");
      try {
        const saved = await api("PUT", taskPath(id) + "/draft", body);
        setStatus("Draft saved");
        const summary = state.queue.find((t) => t.id === id);
        if (summary && saved && saved.status && summary.status !== saved.status) {
          summary.status = saved.status;
          renderQueue();
        }
      } catch (err) { showError(err); }
    });
    return state.saveChain;
  }

  function flushSave() {
    return state.saveTimer ? saveDraftNow() : state.saveChain;
  }

  // Leaving the page with a save still waiting: send it anyway; keepalive lets it outlive the page.
  function saveOnLeave() {
    if (!state.saveTimer || !state.task) return;
    clearTimeout(state.saveTimer);
    state.saveTimer = null;
    request("PUT", taskPath(state.task.id) + "/draft", { annotations: annotationsBody() }, { keepalive: true })
      .catch(() => { /* nothing more can be done while the page goes away */ });
  }

  // ---------- Submit and review ----------

  async function submitTask() {
    if (!state.task || state.readOnly || state.busy) return;
    state.drawing = null;
    clearTimeout(state.saveTimer); // the submission carries the same labels
    state.saveTimer = null;
    await state.saveChain;
    const id = state.task.id;
    const body = { annotations: annotationsBody() };
    setBusy(true);
    try {
      await api("POST", taskPath(id) + "/submit", body);
      setStatus("Submitted");
      leaveTask(id);
    } catch (err) { showError(err); } finally { setBusy(false); }
  }

  async function review(decision) {
    if (!state.task || !state.readOnly || state.busy) return;
    const id = state.task.id;
    setBusy(true);
    try {
      await api("POST", taskPath(id) + "/review", { decision, comment: $("comment").value });
      setStatus(decision === "approve" ? "Approved" : "Rejected");
      leaveTask(id);
    } catch (err) { showError(err); } finally { setBusy(false); }
  }

  function setBusy(busy) {
    state.busy = busy;
    updateControls();
  }

  function updateControls() {
    const open = !!state.task;
    $("no-task").hidden = open;
    const edit = open && !state.readOnly;
    $("submit").disabled = !edit || state.busy;
    $("approve").disabled = !open || !state.readOnly || state.busy;
    $("reject").disabled = !open || !state.readOnly || state.busy;
    $("undo").disabled = !edit || state.undo.length === 0;
    $("redo").disabled = !edit || state.redo.length === 0;
    $("zoom-reset").disabled = !open;
    for (const name of ["select", "box", "polygon", "point", "tag"]) $("tool-" + name).disabled = !edit;
  }

  // ---------- Labels list ----------

  function renderLabels() {
    const list = $("labels");
    list.replaceChildren();
    const labels = currentLabels();
    labels.forEach((label, index) => {
      const li = document.createElement("li");
      li.className = "label";
      li.dataset.index = String(index);
      li.dataset.type = label.type;
      li.classList.toggle("selected", index === state.selected);
      li.classList.toggle("prediction", label.confidence != null);
      const swatch = el("span", "swatch", "");
      swatch.style.backgroundColor = classColor(label.label);
      li.appendChild(swatch);
      li.appendChild(el("span", "label-name", label.label));
      li.appendChild(el("span", "label-type", label.type));
      if (label.confidence != null) li.appendChild(el("span", "confidence", percent(label.confidence)));
      if (!state.readOnly) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "remove";
        remove.textContent = "×";
        remove.title = "Remove";
        remove.setAttribute("aria-label", "Remove this label");
        remove.addEventListener("click", (e) => { e.stopPropagation(); removeLabel(index); });
        li.appendChild(remove);
      }
      li.addEventListener("click", () => select(index));
      list.appendChild(li);
    });
    $("labels-empty").hidden = labels.length > 0;
  }

  function select(index) {
    state.selected = index;
    state.selectedVertex = null;
    for (const li of $("labels").children) li.classList.toggle("selected", Number(li.dataset.index) === index);
    render();
  }

  const percent = (c) => Math.round(Number(c) * 100) + "%";

  // ---------- View transform ----------

  // The bitmap matches the canvas's box. With no task open it is 0×0: a width above 0 then tells
  // anyone watching (people's eyes aside, tests) that a task is loaded and drawn.
  function resizeCanvas() {
    if (!canvas) return;
    const wrap = $("canvas-wrap");
    state.dpr = window.devicePixelRatio || 1;
    if (!state.task) {
      canvas.width = 0;
      canvas.height = 0;
      return;
    }
    const w = Math.max(1, wrap.clientWidth), h = Math.max(1, wrap.clientHeight);
    canvas.width = Math.round(w * state.dpr);
    canvas.height = Math.round(h * state.dpr);
    if (state.view.fitted) fitView();
    render();
  }

  function canvasSize() {
    return { w: canvas.width / state.dpr, h: canvas.height / state.dpr };
  }

  // Fits the whole image in the canvas with a small margin, centred.
  function fitView() {
    const image = currentImage();
    state.view.fitted = true;
    if (!image) return;
    const { w, h } = canvasSize();
    const margin = 16;
    const scale = Math.max(MIN_SCALE, Math.min((w - 2 * margin) / image.width, (h - 2 * margin) / image.height));
    state.view.scale = scale;
    state.view.ox = (w - image.width * scale) / 2;
    state.view.oy = (h - image.height * scale) / 2;
  }

  const toScreen = (x, y) => [state.view.ox + x * state.view.scale, state.view.oy + y * state.view.scale];

  // Pointer position in CSS pixels of the canvas and in image pixels.
  function eventPoint(e) {
    const r = canvas.getBoundingClientRect();
    const sx = e.clientX - r.left, sy = e.clientY - r.top;
    return { sx, sy, x: (sx - state.view.ox) / state.view.scale, y: (sy - state.view.oy) / state.view.scale };
  }

  function zoomAt(sx, sy, factor) {
    const v = state.view;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
    const ix = (sx - v.ox) / v.scale, iy = (sy - v.oy) / v.scale;
    v.scale = scale;
    v.ox = sx - ix * scale; // keep the image point under the cursor where it was
    v.oy = sy - iy * scale;
    v.fitted = false;
    render();
  }

  // ---------- Geometry ----------

  const round2 = (v) => Math.round(v * 100) / 100;
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  // Image coordinates clamped inside the image and rounded, as the server requires them inside.
  function clampPoint(x, y) {
    const image = currentImage();
    return [clamp(round2(x), 0, image.width), clamp(round2(y), 0, image.height)];
  }

  // A box from two corners, or null when it has no area.
  function makeBox(a, b) {
    const image = currentImage();
    const x = Math.min(a[0], b[0]), y = Math.min(a[1], b[1]);
    let w = round2(Math.abs(a[0] - b[0])), h = round2(Math.abs(a[1] - b[1]));
    while (w > 0 && x + w > image.width) w = round2(w - 0.01);   // rounding must not cross the edge
    while (h > 0 && y + h > image.height) h = round2(h - 0.01);
    return w > 0 && h > 0 ? [x, y, w, h] : null;
  }

  function boxCorners(b) {
    return [[b[0], b[1]], [b[0] + b[2], b[1]], [b[0] + b[2], b[1] + b[3]], [b[0], b[1] + b[3]]];
  }

  function pointInPolygon(x, y, pts) {
    let inside = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i], [xj, yj] = pts[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function screenDist(a, sx, sy) {
    const [px, py] = toScreen(a[0], a[1]);
    return Math.hypot(px - sx, py - sy);
  }

  // The draggable handles of a label: polygon vertices, a point, a selected box's corners.
  function handlesOf(label, index) {
    if (label.type === TYPES.polygon) return label.points;
    if (label.type === TYPES.point) return [label.point];
    if (label.type === TYPES.box && index === state.selected) return boxCorners(label.bbox);
    return [];
  }

  // The handle under the pointer; the selected label first, then the topmost.
  function handleAt(sx, sy) {
    const labels = currentLabels();
    const order = [];
    if (state.selected >= 0 && state.selected < labels.length) order.push(state.selected);
    for (let i = labels.length - 1; i >= 0; i--) if (i !== state.selected) order.push(i);
    for (const i of order) {
      const handles = handlesOf(labels[i], i);
      for (let k = 0; k < handles.length; k++) {
        if (screenDist(handles[k], sx, sy) <= HANDLE_PX) return { label: i, vertex: k };
      }
    }
    return null;
  }

  // The label under an image point; the smallest wins, so a box inside a box can be picked.
  function labelAt(p) {
    const labels = currentLabels();
    let best = -1, bestArea = Infinity;
    labels.forEach((l, i) => {
      let area = Infinity;
      if (l.type === TYPES.point && screenDist(l.point, p.sx, p.sy) <= HANDLE_PX) area = 0;
      else if (l.type === TYPES.box) {
        const [x, y, w, h] = l.bbox;
        if (p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h) area = w * h;
      } else if (l.type === TYPES.polygon && pointInPolygon(p.x, p.y, l.points)) area = polygonArea(l.points);
      if (area <= bestArea && area !== Infinity) { best = i; bestArea = area; }
    });
    return best;
  }

  function polygonArea(pts) {
    let a = 0;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) a += (pts[j][0] + pts[i][0]) * (pts[j][1] - pts[i][1]);
    return Math.abs(a / 2);
  }

  // ---------- Pointer input ----------

  function onMouseDown(e) {
    if (!state.task || !currentImage()) return;
    focusCanvas();
    const p = eventPoint(e);
    if (e.button === 1 || (e.button === 0 && state.spaceDown)) {
      e.preventDefault(); // no middle-click autoscroll
      state.drag = { kind: "pan", sx: p.sx, sy: p.sy, ox: state.view.ox, oy: state.view.oy };
      updateCursor();
      return;
    }
    if (e.button !== 0) return;
    e.preventDefault(); // no text selection while dragging
    if (state.readOnly) { select(labelAt(p)); return; }
    if (state.tool === "box") startBox(p);
    else if (state.tool === "polygon") addVertex(p, e.detail);
    else if (state.tool === "point") addPoint(p);
    else grabOrSelect(p);
  }

  function onMouseMove(e) {
    if (!state.task || !currentImage()) return;
    const p = eventPoint(e);
    state.cursor = [p.x, p.y];
    const drag = state.drag;
    if (drag && drag.kind === "pan") {
      state.view.ox = drag.ox + (p.sx - drag.sx);
      state.view.oy = drag.oy + (p.sy - drag.sy);
      state.view.fitted = false;
    } else if (drag && drag.kind === "box") {
      state.drawing.end = clampPoint(p.x, p.y);
      state.drawing.endScreen = [p.sx, p.sy];
    } else if (drag && drag.kind === "handle") {
      moveHandle(drag, clampPoint(p.x, p.y));
    } else if (e.target === canvas && !updateHover(p) && !state.drawing) {
      return; // nothing drawn depends on where the pointer is
    }
    if (drag || state.drawing || e.target === canvas) requestRender();
  }

  // Pointer moves come faster than the screen refreshes: draw at most once a frame.
  let renderQueued = false;
  function requestRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; render(); });
  }

  function onMouseUp() {
    const drag = state.drag;
    if (!drag) return;
    state.drag = null;
    if (drag.kind === "box") finishBox();
    else if (drag.kind === "handle" && drag.moved) {
      pushUndo(drag.before);
      changed();
      state.selectedVertex = drag.polygon ? { label: drag.label, vertex: drag.vertex } : null;
    }
    updateCursor();
    render();
  }

  function onDoubleClick(e) {
    if (state.readOnly || state.tool !== "polygon") return;
    e.preventDefault();
    if (state.drawing && state.drawing.kind === "polygon") finishPolygon();
  }

  function onWheel(e) {
    if (!state.task) return;
    e.preventDefault();
    const p = eventPoint(e);
    const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    zoomAt(p.sx, p.sy, Math.exp(-e.deltaY * lines * 0.0015));
  }

  // Answers whether the vertex under the pointer changed, which is all a hover redraws.
  function updateHover(p) {
    const h = state.tool === "select" && !state.readOnly ? handleAt(p.sx, p.sy) : null;
    const hover = h && currentLabels()[h.label].type === TYPES.polygon ? h : null;
    canvas.classList.toggle("handle", !!h);
    const same = hover === state.hover || (hover && state.hover && hover.label === state.hover.label && hover.vertex === state.hover.vertex);
    state.hover = hover;
    return !same;
  }

  function updateCursor() {
    canvas.classList.toggle("panning", !!state.drag && state.drag.kind === "pan");
    canvas.classList.toggle("grab", state.spaceDown);
    canvas.classList.toggle("draw", !state.readOnly && ["box", "polygon", "point"].includes(state.tool));
  }

  function focusCanvas() {
    // Keys then reach the document from the canvas, not from a button that Enter or Space would press.
    canvas.focus({ preventScroll: true });
  }

  function startBox(p) {
    const cls = classFor(TYPES.box);
    if (!cls) return;
    const start = clampPoint(p.x, p.y);
    state.drawing = { kind: "box", cls, start, end: start, startScreen: [p.sx, p.sy], endScreen: [p.sx, p.sy] };
    state.drag = { kind: "box" };
  }

  function finishBox() {
    const d = state.drawing;
    state.drawing = null;
    if (!d || d.kind !== "box") return;
    const dragged = Math.abs(d.endScreen[0] - d.startScreen[0]) >= MIN_BOX_PX && Math.abs(d.endScreen[1] - d.startScreen[1]) >= MIN_BOX_PX;
    const bbox = dragged ? makeBox(d.start, d.end) : null;
    if (!bbox) { setStatus("Drag to draw a box"); render(); return; }
    addLabel({ label: d.cls, type: TYPES.box, bbox });
  }

  function addVertex(p, clickCount) {
    const d = state.drawing;
    if (!d) {
      if (clickCount >= 2) return; // the second click of a double click does not start a new polygon
      const cls = classFor(TYPES.polygon);
      if (!cls) return;
      state.drawing = { kind: "polygon", cls, points: [clampPoint(p.x, p.y)] };
      render();
      return;
    }
    const last = d.points[d.points.length - 1];
    if (screenDist(last, p.sx, p.sy) < 4) return; // a double click's repeat, not a new vertex
    if (d.points.length >= 3 && screenDist(d.points[0], p.sx, p.sy) <= HANDLE_PX) { finishPolygon(); return; }
    d.points.push(clampPoint(p.x, p.y));
    render();
  }

  function finishPolygon() {
    const d = state.drawing;
    if (!d || d.kind !== "polygon") return;
    if (d.points.length < 3) { setStatus("A polygon needs at least 3 vertices", true); return; }
    state.drawing = null;
    addLabel({ label: d.cls, type: TYPES.polygon, points: d.points });
  }

  function addPoint(p) {
    const cls = classFor(TYPES.point);
    if (!cls) return;
    addLabel({ label: cls, type: TYPES.point, point: clampPoint(p.x, p.y) });
  }

  function grabOrSelect(p) {
    const h = handleAt(p.sx, p.sy);
    if (!h) { select(labelAt(p)); return; }
    const label = currentLabels()[h.label];
    select(h.label);
    const polygon = label.type === TYPES.polygon;
    state.selectedVertex = polygon ? { label: h.label, vertex: h.vertex } : null;
    state.drag = {
      kind: "handle", label: h.label, vertex: h.vertex, polygon, moved: false, before: snapshot(),
      // a box corner is dragged against the corner opposite it
      anchor: label.type === TYPES.box ? boxCorners(label.bbox)[(h.vertex + 2) % 4] : null,
    };
  }

  // Moves a grabbed handle; an edited pre-label stops being a prediction.
  function moveHandle(drag, pt) {
    const label = currentLabels()[drag.label];
    if (!label) return;
    if (label.type === TYPES.polygon) label.points[drag.vertex] = pt;
    else if (label.type === TYPES.point) label.point = pt;
    else if (label.type === TYPES.box) {
      const box = makeBox(drag.anchor, pt);
      if (!box) return;
      label.bbox = box;
    }
    delete label.confidence;
    drag.moved = true;
  }

  // Delete on a polygon vertex (hovered, else last grabbed) removes the vertex; otherwise the label.
  // While a polygon is being drawn, it takes back its last vertex instead.
  function deleteSelection() {
    const d = state.drawing;
    if (d && d.kind === "polygon") {
      d.points.pop();
      if (d.points.length === 0) state.drawing = null;
      render();
      return;
    }
    const labels = currentLabels();
    const v = [state.hover, state.selectedVertex].find((c) => c && labels[c.label] &&
      labels[c.label].type === TYPES.polygon && c.vertex < labels[c.label].points.length);
    if (v) {
      const label = labels[v.label];
      if (label.points.length <= 3) { setStatus("A polygon needs at least 3 vertices", true); return; }
      commit(() => { label.points.splice(v.vertex, 1); delete label.confidence; });
      return;
    }
    if (state.selected >= 0) removeLabel(state.selected);
  }

  // ---------- Keyboard ----------

  function isTyping(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT" || target.isContentEditable);
  }

  function onKeyDown(e) {
    if ($("app").hidden || isTyping(e.target)) return;
    const key = e.key;
    if (key === " ") {
      e.preventDefault(); // Space pans; it must neither scroll nor press a focused button
      state.spaceDown = true;
      updateCursor();
      return;
    }
    if (!state.task) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey) {
      const k = key.toLowerCase();
      if (k === "z") { e.preventDefault(); if (e.shiftKey) redo(); else undo(); }
      else if (k === "y") { e.preventDefault(); redo(); }
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (key === "ArrowLeft") { stepImage(-1); return; }
    if (key === "ArrowRight") { stepImage(1); return; }
    if (key === "Escape") {
      if (state.drawing) { state.drawing = null; state.drag = null; } else select(-1);
      render();
      return;
    }
    if (state.readOnly) return;
    if (key === "Enter") {
      if (state.drawing && state.drawing.kind === "polygon") { e.preventDefault(); finishPolygon(); }
      return; // otherwise Enter keeps its usual meaning for a focused button
    }
    if (key === "Delete" || key === "Backspace") { e.preventDefault(); deleteSelection(); return; }
    if (/^[1-9]$/.test(key)) {
      const cls = classes()[Number(key) - 1];
      if (cls) pickClass(cls.name);
      return;
    }
    const tool = { b: "box", p: "polygon", o: "point", t: "tag", v: "select" }[key.toLowerCase()];
    if (tool) { e.preventDefault(); setTool(tool); }
  }

  function onKeyUp(e) {
    if (e.key === " ") {
      if (!isTyping(e.target)) e.preventDefault();
      state.spaceDown = false;
      updateCursor();
    }
  }

  // ---------- Drawing ----------

  // A stable colour per class name, so a class looks the same on every image and task: a hash of the
  // name (FNV-1a, then a final mix so similar names land apart) picks the hue.
  function hashHue(name) {
    let h = 2166136261;
    for (let i = 0; i < name.length; i++) { h ^= name.charCodeAt(i); h = Math.imul(h, 16777619); }
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return (h >>> 0) % 360;
  }

  // Hashes can land close together; within a task's classes, a hue too near an earlier one is moved
  // on by the golden angle until it stands apart, so the classes of one task are told apart easily.
  const hues = new Map();
  function assignHues(list) {
    hues.clear();
    const taken = [];
    const near = (a, b) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b)) < 40;
    for (const cls of list) {
      let hue = hashHue(String(cls.name));
      for (let tries = 0; tries < 12 && taken.some((t) => near(t, hue)); tries++) hue = (hue + 137.5) % 360;
      hue = Math.round(hue);
      taken.push(hue);
      hues.set(cls.name, hue);
    }
  }
  const classHue = (name) => (hues.has(name) ? hues.get(name) : hashHue(name));

  const classColor = (name) => "hsl(" + classHue(String(name)) + ", 80%, 58%)";
  const classFill = (name, alpha) => "hsla(" + classHue(String(name)) + ", 80%, 58%, " + alpha + ")";

  function render() {
    if (!ctx) return;
    const dpr = state.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0); // from here on, CSS pixels
    const image = currentImage();
    const v = state.view;
    canvas.dataset.scale = String(v.scale); // the view transform, for tests and tooling:
    canvas.dataset.offsetX = String(v.ox);  // screen = offset + image * scale (CSS px)
    canvas.dataset.offsetY = String(v.oy);
    if (!image) {
      delete canvas.dataset.imageId;
      if (state.task) drawMessage("This task has no images");
      return;
    }
    canvas.dataset.imageId = String(image.id);
    drawImage(image);
    const labels = currentLabels();
    labels.forEach((l, i) => { if (l.type !== TYPES.tag) drawShape(l, i); });
    drawTags(labels);
    drawInProgress();
  }

  function drawMessage(text) {
    const { w, h } = canvasSize();
    ctx.fillStyle = "#9aa3b2";
    ctx.font = "14px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.fillText(text, w / 2, h / 2);
    ctx.textAlign = "left";
  }

  function drawImage(image) {
    const v = state.view;
    const el = state.images.get(image.id);
    ctx.save();
    ctx.translate(v.ox, v.oy);
    ctx.scale(v.scale, v.scale);
    ctx.imageSmoothingEnabled = v.scale < 2; // crisp pixels when zoomed in
    if (el && el.complete && el.naturalWidth > 0) ctx.drawImage(el, 0, 0, image.width, image.height);
    else { ctx.fillStyle = "#22262e"; ctx.fillRect(0, 0, image.width, image.height); }
    ctx.restore();
    ctx.strokeStyle = "rgba(255,255,255,.25)";
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.strokeRect(v.ox - 0.5, v.oy - 0.5, image.width * v.scale + 1, image.height * v.scale + 1);
  }

  function drawShape(l, index) {
    const selected = index === state.selected;
    ctx.setLineDash(l.confidence != null ? [6, 4] : []); // model pre-labels are dashed
    ctx.lineWidth = selected ? 3 : 2;
    ctx.strokeStyle = classColor(l.label);
    ctx.fillStyle = classFill(l.label, selected ? 0.3 : 0.15);
    let anchor;
    if (l.type === TYPES.box && Array.isArray(l.bbox)) {
      const [x, y] = toScreen(l.bbox[0], l.bbox[1]);
      const w = l.bbox[2] * state.view.scale, h = l.bbox[3] * state.view.scale;
      ctx.fillRect(x, y, w, h);
      ctx.strokeRect(x, y, w, h);
      anchor = [x, y];
      if (selected) boxCorners(l.bbox).forEach((c) => drawHandle(c, l.label, false));
    } else if (l.type === TYPES.polygon && Array.isArray(l.points) && l.points.length > 0) {
      tracePath(l.points, true);
      ctx.fill();
      ctx.stroke();
      anchor = toScreen(l.points[0][0], l.points[0][1]);
      if (selected || (state.hover && state.hover.label === index)) {
        l.points.forEach((pt, k) => drawHandle(pt, l.label, isMarkedVertex(index, k)));
      }
    } else if (l.type === TYPES.point && Array.isArray(l.point)) {
      const [x, y] = toScreen(l.point[0], l.point[1]);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(x, y, selected ? 6 : 5, 0, Math.PI * 2);
      ctx.fillStyle = classColor(l.label);
      ctx.fill();
      ctx.lineWidth = selected ? 3 : 1.5;
      ctx.strokeStyle = l.confidence != null ? "#f0b72f" : "#fff";
      ctx.stroke();
      anchor = [x + 8, y - 4];
    } else {
      return; // malformed geometry: nothing sensible to draw
    }
    drawCaption(caption(l), anchor, l.label);
  }

  function isMarkedVertex(label, vertex) {
    const match = (c) => c && c.label === label && c.vertex === vertex;
    return match(state.hover) || match(state.selectedVertex);
  }

  function tracePath(points, close) {
    ctx.beginPath();
    points.forEach((pt, k) => {
      const [x, y] = toScreen(pt[0], pt[1]);
      if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    if (close) ctx.closePath();
  }

  function drawHandle(pt, name, marked) {
    const [x, y] = toScreen(pt[0], pt[1]);
    const r = marked ? 6 : 4;
    ctx.setLineDash([]);
    ctx.fillStyle = marked ? "#fff" : classColor(name);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    ctx.strokeRect(x - r, y - r, 2 * r, 2 * r);
  }

  const caption = (l) => l.label + (l.confidence != null ? " " + percent(l.confidence) : "");

  // Class name above a shape; fillText draws text, it never interprets markup.
  function drawCaption(text, anchor, name) {
    ctx.setLineDash([]);
    ctx.font = "12px system-ui, sans-serif";
    const w = ctx.measureText(text).width + 8;
    const x = anchor[0], y = Math.max(16, anchor[1]);
    ctx.fillStyle = classColor(name);
    ctx.fillRect(x, y - 16, w, 16);
    ctx.fillStyle = "#000";
    ctx.fillText(text, x + 4, y - 4);
  }

  // Tags belong to the whole image: list them in the canvas's top-left corner.
  function drawTags(labels) {
    let y = 8;
    ctx.font = "12px system-ui, sans-serif";
    labels.forEach((l, i) => {
      if (l.type !== TYPES.tag) return;
      const text = "tag: " + caption(l);
      const w = ctx.measureText(text).width + 10;
      ctx.fillStyle = classColor(l.label);
      ctx.fillRect(8, y, w, 18);
      ctx.setLineDash(l.confidence != null ? [4, 3] : []);
      ctx.strokeStyle = i === state.selected ? "#fff" : "rgba(0,0,0,.5)";
      ctx.lineWidth = i === state.selected ? 2 : 1;
      ctx.strokeRect(8, y, w, 18);
      ctx.fillStyle = "#000";
      ctx.fillText(text, 13, y + 13);
      y += 22;
    });
  }

  function drawInProgress() {
    const d = state.drawing;
    if (!d) return;
    ctx.strokeStyle = classColor(d.cls);
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 3]);
    if (d.kind === "box") {
      const [x1, y1] = toScreen(d.start[0], d.start[1]);
      const [x2, y2] = toScreen(d.end[0], d.end[1]);
      ctx.fillStyle = classFill(d.cls, 0.15);
      ctx.fillRect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
      ctx.strokeRect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
    } else if (d.kind === "polygon") {
      const points = state.cursor ? d.points.concat([clampPoint(state.cursor[0], state.cursor[1])]) : d.points;
      tracePath(points, false);
      ctx.setLineDash([]);
      ctx.strokeStyle = "rgba(0,0,0,.6)"; // a dark underlay keeps the line visible on any image
      ctx.lineWidth = 4;
      ctx.stroke();
      ctx.strokeStyle = classColor(d.cls);
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 3]);
      ctx.stroke();
      d.points.forEach((pt, k) => drawHandle(pt, d.cls, k === 0 && d.points.length >= 3));
    }
    ctx.setLineDash([]);
  }

  // ---------- Wiring ----------

  function bindUI() {
    $("tab-label").addEventListener("click", () => switchRole("annotator"));
    $("tab-review").addEventListener("click", () => switchRole("reviewer"));
    $("signout").addEventListener("click", signOut);
    for (const name of ["select", "box", "polygon", "point", "tag"]) {
      $("tool-" + name).addEventListener("click", () => { setTool(name); focusCanvas(); });
    }
    $("undo").addEventListener("click", undo);
    $("redo").addEventListener("click", redo);
    $("prev-image").addEventListener("click", () => stepImage(-1));
    $("next-image").addEventListener("click", () => stepImage(1));
    $("zoom-reset").addEventListener("click", () => { fitView(); render(); });
    $("submit").addEventListener("click", submitTask);
    $("approve").addEventListener("click", () => review("approve"));
    $("reject").addEventListener("click", () => review("reject"));

    canvas.addEventListener("mousedown", onMouseDown);
    canvas.addEventListener("dblclick", onDoubleClick);
    canvas.addEventListener("wheel", onWheel, { passive: false });
    canvas.addEventListener("contextmenu", (e) => { if (state.drag) e.preventDefault(); });
    canvas.addEventListener("mouseleave", () => { if (state.hover) { state.hover = null; render(); } });
    // Moves and releases are followed on the window so a drag may leave the canvas.
    window.addEventListener("mousemove", onMouseMove);
    window.addEventListener("mouseup", onMouseUp);
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("keyup", onKeyUp);
    window.addEventListener("blur", () => { state.spaceDown = false; updateCursor(); });
    window.addEventListener("pagehide", saveOnLeave);
    window.addEventListener("hashchange", () => { if (/token=/.test(location.hash)) start(); });
    if (window.ResizeObserver) new ResizeObserver(() => resizeCanvas()).observe($("canvas-wrap"));
    else window.addEventListener("resize", resizeCanvas);
    updateControls();
    updateCursor();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
