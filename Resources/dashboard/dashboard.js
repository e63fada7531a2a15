// Quarry account dashboard: projects, labeling progress, the dataset, training runs, evaluations
// and model exports of one account.
//
// Served under a strict CSP, so everything here builds DOM with createElement and puts any text
// that came from the server (project, class and file names, e-mails) in with textContent only.
// Authentication is an HttpOnly session cookie: the API key is posted once to /dashboard/session,
// the input is cleared, and no copy is kept anywhere. Every fetch, <img> and EventSource then
// rides on the cookie.
(function () {
  "use strict";

  const PAGE_SIZE = 48;
  const SEARCH_DELAY_MS = 300;
  const CHART_W = 640;           // CSS pixels; must match #run-chart in dashboard.css
  const CHART_H = 260;
  const STATUS_ORDER = ["new", "progress", "review", "done", "error", "canceled", "expired"];
  const COLORS = { loss: "#4f8cff", acc: "#3fb950", axis: "#9aa3b2", grid: "#2a2f38", text: "#e6e8ec" };

  // All mutable state lives here, so it is easy to see what a project switch or sign-out resets.
  const state = {
    generation: 0,        // bumped by sign-in and sign-out, so late answers of an old session are dropped
    projects: [],
    projectId: null,
    grid: { page: 1, total: 0, filterClass: "", search: "", seq: 0 },
    searchTimer: null,
    runs: [],
    runId: null,
    points: new Map(),    // epoch -> metrics of the selected run (a map, so replays do not duplicate)
    stream: null,         // EventSource of the selected run
    streamBroken: false,  // set on a dropped connection, so the reconnect re-reads missed epochs
    evaluations: [],
    evalId: null,
  };

  const $ = (id) => document.getElementById(id);

  // ---------- API ----------

  const { ApiError, request, errorMessage, safePath } = window.QuarryAPI;
  const { el, selectable, markActive, setStatus, showError } = window.QuarryUI;

  // A Studio call: resolves to `data`; a 401 anywhere means the session is gone.
  async function api(path) {
    const generation = state.generation;
    const { response, data } = await request("GET", path);
    if (response.status === 401) {
      if (generation === state.generation) showSignedOut("Your session has ended. Sign in again.");
      throw new ApiError("Not signed in", 401);
    }
    if (!response.ok || (data && data.status === "error")) throw new ApiError(errorMessage(data, response.status), response.status);
    return data ? data.data : null;
  }

  const seg = encodeURIComponent;

  // ---------- Small format helpers ----------

  function badge(status) {
    const word = String(status || "unknown");
    // Only known words become class names; anything else keeps the neutral look.
    const known = ["pending", "running", "completed", "failed", "stopped", "interrupted"];
    return el("span", "badge" + (known.includes(word) ? " s-" + word : ""), word);
  }

  const isNum = (x) => typeof x === "number" && isFinite(x);
  const pct = (x) => (isNum(x) ? (x * 100).toFixed(1) + "%" : "—");
  const fixed = (x, digits) => (isNum(x) ? x.toFixed(digits) : "—");
  const count = (x) => (isNum(x) ? x.toLocaleString() : "0");

  function bytes(n) {
    if (!isNum(n)) return "—";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  // ---------- Signed in / out ----------

  function showSignedOut(message) {
    state.generation++;
    resetProject();
    state.projects = [];
    state.projectId = null;
    $("projects").replaceChildren();
    $("account-name").textContent = "";
    $("project-name").textContent = "";
    setStatus("");
    $("dashboard").hidden = true;
    $("signin-error").textContent = message || "";
    $("signin-error").hidden = !message;
    $("signed-out").hidden = false;
    $("api-key").focus();
  }

  function showDashboard(accountName) {
    $("signed-out").hidden = true;
    $("signin-error").hidden = true;
    $("account-name").textContent = accountName || "";
    $("dashboard").hidden = false;
    loadProjects();
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $("api-key");
    const key = input.value.trim();
    if (!key) return;
    const button = $("signin-button");
    button.disabled = true;
    try {
      const { response, data } = await request("POST", "/dashboard/session", { api_key: key });
      if (!response.ok) {
        $("signin-error").textContent = errorMessage(data, response.status);
        $("signin-error").hidden = false;
        return;
      }
      input.value = "";
      state.generation++;
      showDashboard(data && data.account);
    } catch (err) {
      $("signin-error").textContent = err.message;
      $("signin-error").hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function signOut() {
    try { await request("POST", "/dashboard/signout"); } catch (e) { /* the view resets regardless */ }
    showSignedOut("");
  }

  // At load: a valid cookie means we are already signed in.
  // (Not through api(): a first visit's 401 is no "session has ended".)
  async function start() {
    try {
      const { response, data } = await request("GET", "/api/account");
      if (response.ok && data && data.status !== "error") showDashboard(data.data && data.data.name);
      else showSignedOut(response.status === 401 ? "" : errorMessage(data, response.status));
    } catch (err) {
      showSignedOut(err.message);
    }
  }

  // ---------- Projects ----------

  async function loadProjects() {
    const generation = state.generation;
    try {
      const projects = await api("/api/projects");
      if (generation !== state.generation) return;
      state.projects = Array.isArray(projects) ? projects : [];
      renderProjects();
      const keep = state.projects.find((p) => String(p.id) === state.projectId);
      const first = keep || state.projects[0];
      if (first) selectProject(String(first.id));
      else $("project-name").textContent = "";
    } catch (err) {
      showError(err);
    }
  }

  function renderProjects() {
    const list = $("projects");
    list.replaceChildren();
    for (const project of state.projects) {
      const id = String(project.id);
      const li = el("li", "project", project.name || id);
      li.dataset.id = id;
      selectable(li, () => selectProject(id));
      list.appendChild(li);
    }
    $("projects-empty").hidden = state.projects.length > 0;
  }

  // Everything that belongs to the selected project, cleared before another one loads.
  function resetProject() {
    closeStream();
    clearTimeout(state.searchTimer);
    state.grid = { page: 1, total: 0, filterClass: "", search: "", seq: state.grid.seq + 1 };
    state.runs = [];
    state.runId = null;
    state.points = new Map();
    state.evaluations = [];
    state.evalId = null;
    $("search").value = "";
    const filter = $("class-filter");
    filter.replaceChildren(new Option("All classes", ""));
    for (const id of ["grid", "run-list", "evaluation-list", "export-list", "confusion", "per-class"]) $(id).replaceChildren();
    for (const table of ["progress-status", "progress-workers"]) $(table).tBodies[0].replaceChildren();
    for (const id of ["progress-total", "dataset-stats", "dataset-total", "grid-page", "run-status", "run-progress"]) $(id).textContent = "";
    $("run-detail").hidden = true;
    $("evaluation-detail").hidden = true;
  }

  function selectProject(id) {
    if (id !== state.projectId) {
      resetProject();
      state.projectId = id;
    }
    markActive($("projects"), id);
    const project = state.projects.find((p) => String(p.id) === id);
    $("project-name").textContent = project ? project.name || id : "";
    loadSections();
  }

  // Each section loads and fails on its own, so one broken endpoint leaves the others readable.
  function loadSections() {
    if (!state.projectId) return;
    setStatus("");
    loadProgress();
    loadDataset();
    loadRuns();
    loadEvaluations();
    loadExports();
  }

  // Runs `fn` with the project's answer only if the same project (and session) is still selected.
  async function forProject(path, fn) {
    const pid = state.projectId, generation = state.generation;
    try {
      const data = await api(path);
      if (pid === state.projectId && generation === state.generation) fn(data);
    } catch (err) {
      if (pid === state.projectId) showError(err);
    }
  }

  // ---------- Progress ----------

  function loadProgress() {
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
      body.appendChild(tr);
    }
    $("workers-empty").hidden = workers.length > 0;
  }

  // ---------- Dataset ----------

  function loadDataset() {
    loadClasses();
    return loadImages();
  }

  // `classes` is normally [{name, count}]; older shapes use `class`/`class_name`, or a name→count map.
  function normalizeClasses(raw) {
    if (Array.isArray(raw)) {
      return raw.map((c) => (typeof c === "string" ? { name: c, count: null } : { name: c.name ?? c.class ?? c.class_name, count: c.count ?? c.image_count ?? null }))
        .filter((c) => typeof c.name === "string");
    }
    if (raw && typeof raw === "object") return Object.keys(raw).map((name) => ({ name, count: raw[name] }));
    return [];
  }

  function loadClasses() {
    return forProject("/api/datasets/" + seg(state.projectId), (stats) => {
      const classes = normalizeClasses(stats && stats.classes);
      const filter = $("class-filter");
      const keep = state.grid.filterClass;
      filter.replaceChildren(new Option("All classes", ""));
      for (const c of classes) filter.appendChild(new Option(isNum(c.count) ? c.name + " (" + count(c.count) + ")" : c.name, c.name));
      // new Option() sets text, never markup; keep the chosen class if it still exists.
      filter.value = classes.some((c) => c.name === keep) ? keep : "";
      const parts = [];
      if (isNum(stats && stats.image_count)) parts.push(count(stats.image_count) + " images");
      if (isNum(stats && stats.unlabeled) && stats.unlabeled > 0) parts.push(count(stats.unlabeled) + " unlabeled");
      if (isNum(stats && stats.size_bytes)) parts.push(bytes(stats.size_bytes));
      parts.push(classes.length + (classes.length === 1 ? " class" : " classes"));
      $("dataset-stats").textContent = parts.join(" · ");
    });
  }

  async function loadImages() {
    const grid = state.grid;
    const seq = ++grid.seq;  // a newer page, filter or search wins over an older answer
    const params = new URLSearchParams({ page: String(grid.page), page_size: String(PAGE_SIZE) });
    if (grid.filterClass) params.set("filter_class", grid.filterClass);
    if (grid.search) params.set("search", grid.search);
    await forProject("/api/datasets/" + seg(state.projectId) + "/images?" + params, (page) => {
      if (seq !== state.grid.seq) return;
      renderImages(page || {});
    });
  }

  function renderImages(page) {
    const grid = state.grid;
    const images = Array.isArray(page.images) ? page.images : [];
    grid.total = isNum(page.total) ? page.total : images.length;
    const pages = Math.max(1, Math.ceil(grid.total / PAGE_SIZE));
    const filtered = grid.filterClass || grid.search;
    $("dataset-total").textContent = count(grid.total) + (grid.total === 1 ? " image" : " images") + (filtered ? " match" : "");
    $("grid-page").textContent = "Page " + grid.page + " of " + pages;
    $("grid-prev").disabled = grid.page <= 1;
    $("grid-next").disabled = grid.page >= pages;
    const container = $("grid");
    container.replaceChildren(...images.map(thumbnail));
    $("grid-empty").hidden = images.length > 0;
  }

  function thumbnail(image) {
    const figure = el("figure", "thumb");
    figure.dataset.filename = image.filename || "";
    const img = document.createElement("img");
    img.loading = "lazy";
    img.decoding = "async";
    img.alt = image.original_name || image.filename || "";
    const src = safePath(image.thumbnail_url) || safePath(image.url);
    if (src) img.src = src;
    if (isNum(image.width) && isNum(image.height)) img.title = image.width + "×" + image.height + ", " + bytes(image.size);
    const caption = el("figcaption");
    const name = el("span", "thumb-name", image.original_name || image.filename || "");
    name.title = image.original_name || "";
    const hasClass = typeof image.class === "string" && image.class !== "";
    const cls = el("span", "thumb-class" + (hasClass ? "" : " unlabeled"), hasClass ? image.class : "unlabeled");
    caption.append(name, cls);
    figure.append(img, caption);
    return figure;
  }

  function goToPage(delta) {
    const pages = Math.max(1, Math.ceil(state.grid.total / PAGE_SIZE));
    const next = Math.min(pages, Math.max(1, state.grid.page + delta));
    if (next === state.grid.page) return;
    state.grid.page = next;
    loadImages();
  }

  // ---------- Training runs ----------

  function loadRuns() {
    return forProject("/api/training/" + seg(state.projectId) + "/runs", (runs) => {
      state.runs = Array.isArray(runs) ? runs : [];
      renderRuns();
      const keep = state.runs.find((r) => r.run_id === state.runId);
      const first = keep || state.runs[0];
      if (first) selectRun(first.run_id, true);
      else { closeStream(); state.runId = null; $("run-detail").hidden = true; }
    });
  }

  function renderRuns() {
    const list = $("run-list");
    list.replaceChildren();
    for (const run of state.runs) {
      const li = el("li", "run");
      li.dataset.id = run.run_id;
      li.append(...runItemParts(run));
      li.title = "best validation accuracy";
      selectable(li, () => selectRun(run.run_id, false));
      list.appendChild(li);
    }
    $("runs-empty").hidden = state.runs.length > 0;
    markActive(list, state.runId);
  }

  function runItemParts(run) {
    return [el("span", "item-id", run.run_id), badge(run.status), el("span", "item-figure", pct(bestAccuracy(run)))];
  }

  function bestAccuracy(run) {
    if (isNum(run.best_val_accuracy)) return run.best_val_accuracy;
    const values = (run.metrics || []).map((m) => m.val_accuracy).filter(isNum);
    return values.length ? Math.max(...values) : null;
  }

  // `reload`: the list was fetched again; reseed from it even when the same run stays selected.
  function selectRun(runId, reload) {
    if (runId === state.runId && !reload) return;
    const run = state.runs.find((r) => r.run_id === runId);
    if (!run) return;
    const sameRun = runId === state.runId;
    state.runId = runId;
    markActive($("run-list"), runId);
    state.points = new Map();
    for (const m of run.metrics || []) addPoint(m);
    $("run-detail").hidden = false;
    $("run-progress").textContent = "";
    showRunStatus(run);
    drawChart();
    // A finished run's epochs are all in the list already; only a run still going has news to stream.
    const going = run.status === "pending" || run.status === "running";
    if (!going) closeStream();
    else if (!(sameRun && state.stream)) openStream(run);
  }

  function showRunStatus(run) {
    const parts = ["Run " + run.run_id, run.status || "unknown"];
    const epochs = state.points.size;
    if (epochs) parts.push(epochs + (epochs === 1 ? " epoch" : " epochs"));
    if (isNum(bestAccuracy(run))) parts.push("best val accuracy " + pct(bestAccuracy(run)));
    if (run.error) parts.push("error: " + run.error);
    $("run-status").textContent = parts.join(" · ");
  }

  function addPoint(m) {
    if (m && isNum(m.epoch)) state.points.set(m.epoch, m);
  }

  // The stream of a run still going sends only what happens from now on; a finished run's stream
  // replays its epochs. The list's metrics seed the chart and the map drops the duplicates.
  function openStream(run) {
    closeStream();
    const runId = run.run_id, pid = state.projectId;
    const url = "/api/training/" + seg(pid) + "/runs/" + seg(runId) + "/stream";
    const source = new EventSource(url);
    state.stream = source;
    state.streamBroken = false;
    const current = () => state.stream === source && state.runId === runId;
    const parse = (e) => { try { return JSON.parse(e.data); } catch (err) { return null; } };

    source.addEventListener("status", (e) => {
      const data = parse(e);
      if (!current() || !data || typeof data.status !== "string") return;
      run.status = data.status;
      if (data.status !== "running") $("run-progress").textContent = "";
      updateRunItem(run);
    });
    source.addEventListener("progress", (e) => {
      const d = parse(e);
      if (!current() || !d) return;
      $("run-progress").textContent = "epoch " + (d.epoch ?? "?") + ", batch " + (d.batch ?? "?") + "/" + (d.batches ?? "?") + ", loss " + fixed(d.loss, 2);
    });
    source.addEventListener("epoch", (e) => {
      const m = parse(e);
      if (!current() || !m) return;
      addPoint(m);
      if (!(run.metrics || []).some((x) => x.epoch === m.epoch)) (run.metrics = run.metrics || []).push(m);
      if (isNum(m.val_accuracy) && !(run.best_val_accuracy >= m.val_accuracy)) run.best_val_accuracy = m.val_accuracy;
      updateRunItem(run);
      drawChart();
    });
    source.addEventListener("done", () => {
      if (!current()) return;
      $("run-progress").textContent = "";
      closeStream();
    });
    source.addEventListener("open", () => {
      // After a dropped connection the server sends only new events: re-read what was missed.
      if (current() && state.streamBroken) { state.streamBroken = false; refetchRun(runId); }
    });
    source.addEventListener("error", () => {
      if (!current()) return;
      state.streamBroken = true;
      // CLOSED means the server refused the stream (a 401 or 404): find out whether we are signed out.
      if (source.readyState === EventSource.CLOSED) {
        closeStream();
        api("/api/account").then(() => setStatus("Live updates of run " + runId + " stopped.", true), showError);
      }
    });
  }

  function closeStream() {
    if (state.stream) state.stream.close();
    state.stream = null;
  }

  async function refetchRun(runId) {
    await forProject("/api/training/" + seg(state.projectId) + "/runs/" + seg(runId), (fresh) => {
      const run = state.runs.find((r) => r.run_id === runId);
      if (!fresh || !run || state.runId !== runId) return;
      Object.assign(run, fresh);
      for (const m of fresh.metrics || []) addPoint(m);
      updateRunItem(run);
      drawChart();
    });
  }

  // Updates the selected run's list entry and status line in place, without rebuilding the list.
  function updateRunItem(run) {
    for (const li of $("run-list").children) {
      if (li.dataset.id !== run.run_id) continue;
      li.replaceChildren(...runItemParts(run));
    }
    if (state.runId === run.run_id) showRunStatus(run);
  }

  // ---------- Run chart ----------

  // Training loss on the left scale, validation accuracy (0–100 %) on the right, epochs along x.
  function drawChart() {
    const canvas = $("run-chart");
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(CHART_W * dpr), h = Math.round(CHART_H * dpr);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, CHART_W, CHART_H);
    ctx.font = "11px system-ui, sans-serif";

    const pad = { left: 52, right: 52, top: 30, bottom: 34 };
    const plot = { x: pad.left, y: pad.top, w: CHART_W - pad.left - pad.right, h: CHART_H - pad.top - pad.bottom };
    const points = [...state.points.values()].sort((a, b) => a.epoch - b.epoch);
    const losses = points.map((p) => p.train_loss).filter(isNum);
    const maxEpoch = Math.max(2, ...points.map((p) => p.epoch));
    const minEpoch = Math.min(1, ...points.map((p) => p.epoch));
    const maxLoss = niceCeil(losses.length ? Math.max(...losses) : 1);

    const xOf = (epoch) => plot.x + ((epoch - minEpoch) / (maxEpoch - minEpoch)) * plot.w;
    const yLoss = (v) => plot.y + plot.h - (v / maxLoss) * plot.h;
    const yAcc = (v) => plot.y + plot.h - v * plot.h;

    drawAxes(ctx, plot, minEpoch, maxEpoch, maxLoss, xOf);
    drawLegend(ctx, plot);
    if (!points.length) {
      ctx.fillStyle = COLORS.axis;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("No epochs yet", plot.x + plot.w / 2, plot.y + plot.h / 2);
      return;
    }
    drawSeries(ctx, points, "train_loss", COLORS.loss, xOf, yLoss);
    drawSeries(ctx, points, "val_accuracy", COLORS.acc, xOf, (v) => yAcc(Math.min(1, Math.max(0, v))));
  }

  // Rounds a scale maximum up to 1, 2 or 5 times a power of ten, so the tick labels are short.
  function niceCeil(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function drawAxes(ctx, plot, minEpoch, maxEpoch, maxLoss, xOf) {
    const ticks = 4;
    ctx.lineWidth = 1;
    for (let i = 0; i <= ticks; i++) {
      const y = Math.round(plot.y + plot.h - (i / ticks) * plot.h) + 0.5;
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath(); ctx.moveTo(plot.x, y); ctx.lineTo(plot.x + plot.w, y); ctx.stroke();
      ctx.textBaseline = "middle";
      ctx.fillStyle = COLORS.loss;
      ctx.textAlign = "right";
      ctx.fillText(trimNumber((maxLoss * i) / ticks), plot.x - 6, y);
      ctx.fillStyle = COLORS.acc;
      ctx.textAlign = "left";
      ctx.fillText(((100 * i) / ticks).toFixed(0) + "%", plot.x + plot.w + 6, y);
    }
    // Epoch ticks: whole epochs, thinned so the labels do not collide.
    const span = maxEpoch - minEpoch;
    const step = Math.max(1, Math.ceil(span / 10));
    ctx.fillStyle = COLORS.axis;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let e = minEpoch; e <= maxEpoch; e += step) ctx.fillText(String(e), xOf(e), plot.y + plot.h + 5);
    ctx.strokeStyle = COLORS.axis;
    ctx.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.w, plot.h);
    ctx.fillText("epoch", plot.x + plot.w / 2, plot.y + plot.h + 19);
    // Axis titles, turned along the axes.
    ctx.save();
    ctx.translate(12, plot.y + plot.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillStyle = COLORS.loss;
    ctx.textBaseline = "middle";
    ctx.fillText("training loss", 0, 0);
    ctx.restore();
    ctx.save();
    ctx.translate(CHART_W - 10, plot.y + plot.h / 2);
    ctx.rotate(Math.PI / 2);
    ctx.fillStyle = COLORS.acc;
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    ctx.fillText("validation accuracy", 0, 0);
    ctx.restore();
  }

  function trimNumber(v) {
    return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2);
  }

  function drawLegend(ctx, plot) {
    const items = [["training loss", COLORS.loss], ["validation accuracy", COLORS.acc]];
    let x = plot.x;
    const y = 14;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const [label, color] of items) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + 16, y); ctx.stroke();
      ctx.fillStyle = COLORS.text;
      ctx.fillText(label, x + 21, y);
      x += 21 + ctx.measureText(label).width + 18;
    }
    ctx.lineWidth = 1;
  }

  // A line through the epochs that have the value (val_* may be missing), with a dot on each, so
  // a single epoch still shows.
  function drawSeries(ctx, points, key, color, xOf, yOf) {
    const have = points.filter((p) => isNum(p[key]));
    if (!have.length) return;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.lineJoin = "round";
    ctx.beginPath();
    have.forEach((p, i) => (i ? ctx.lineTo(xOf(p.epoch), yOf(p[key])) : ctx.moveTo(xOf(p.epoch), yOf(p[key]))));
    ctx.stroke();
    for (const p of have) {
      ctx.beginPath();
      ctx.arc(xOf(p.epoch), yOf(p[key]), 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.lineWidth = 1;
  }

  // ---------- Evaluations ----------

  function loadEvaluations() {
    return forProject("/api/evaluation/" + seg(state.projectId), (evaluations) => {
      state.evaluations = Array.isArray(evaluations) ? evaluations : [];
      renderEvaluations();
      const keep = state.evaluations.find((e) => e.eval_id === state.evalId);
      const first = keep || state.evaluations.find((e) => e.status === "completed" && e.results);
      if (first) selectEvaluation(first.eval_id);
      else { state.evalId = null; $("evaluation-detail").hidden = true; }
    });
  }

  function renderEvaluations() {
    const list = $("evaluation-list");
    list.replaceChildren();
    for (const ev of state.evaluations) {
      const li = el("li", "evaluation");
      li.dataset.id = ev.eval_id;
      const accuracy = ev.results ? pct(ev.results.accuracy) : "—";
      li.append(el("span", "item-id", ev.eval_id), badge(ev.status), el("span", "item-figure", accuracy));
      const meta = [ev.run_id && "run " + ev.run_id, ev.checkpoint, ev.split_subset].filter(Boolean).join(" · ");
      if (meta) li.appendChild(el("span", "item-meta", meta));
      if (ev.error) li.appendChild(el("span", "item-error", ev.error));
      selectable(li, () => selectEvaluation(ev.eval_id));
      list.appendChild(li);
    }
    $("evaluations-empty").hidden = state.evaluations.length > 0;
  }

  function selectEvaluation(evalId) {
    const ev = state.evaluations.find((e) => e.eval_id === evalId);
    if (!ev) return;
    state.evalId = evalId;
    markActive($("evaluation-list"), evalId);
    const detail = $("evaluation-detail");
    detail.hidden = false;
    const r = ev.results;
    if (ev.status !== "completed" || !r) {
      $("evaluation-summary").textContent = "Evaluation " + evalId + " is " + (ev.status || "unknown") + "; it has no results yet.";
      $("confusion").replaceChildren();
      $("per-class").replaceChildren();
      return;
    }
    const summary = [count(r.count) + " images", "accuracy " + pct(r.accuracy)];
    if (isNum(r.top5_accuracy)) summary.push("top-5 " + pct(r.top5_accuracy));
    if (isNum(r.mean_loss)) summary.push("mean loss " + fixed(r.mean_loss, 3));
    $("evaluation-summary").textContent = summary.join(" · ");
    const names = (r.per_class || []).map((c) => String(c.class_name ?? c.name ?? ""));
    renderConfusion(names, Array.isArray(r.confusion_matrix) ? r.confusion_matrix : []);
    renderPerClass(r);
  }

  function renderConfusion(names, matrix) {
    const table = $("confusion");
    table.replaceChildren();
    const size = Math.max(names.length, matrix.length);
    const name = (i) => (i < names.length ? names[i] : "#" + i);
    const head = el("tr");
    head.appendChild(el("th", "corner muted", "true \\ predicted"));
    for (let j = 0; j < size; j++) {
      const th = el("th", null, name(j));
      th.scope = "col";
      head.appendChild(th);
    }
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    for (let i = 0; i < size; i++) {
      const row = Array.isArray(matrix[i]) ? matrix[i] : [];
      const rowTotal = row.reduce((a, b) => a + (Number(b) || 0), 0);
      const tr = el("tr");
      const th = el("th", null, name(i));
      th.scope = "row";
      tr.appendChild(th);
      for (let j = 0; j < size; j++) {
        const n = Number(row[j]) || 0;
        const td = el("td", (i === j ? "diag" : "") + (n === 0 ? " zero" : ""), n);
        // Shade by the cell's share of its true class, so rare classes read as clearly as common ones.
        td.style.setProperty("--share", rowTotal > 0 ? (n / rowTotal).toFixed(3) : "0");
        td.title = name(i) + " predicted as " + name(j) + ": " + n + (rowTotal > 0 ? " (" + pct(n / rowTotal) + ")" : "");
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function renderPerClass(r) {
    const table = $("per-class");
    table.replaceChildren();
    const head = el("tr");
    for (const [label, cls] of [["Class", null], ["Precision", "num"], ["Recall", "num"], ["F1", "num"], ["Support", "num"]]) {
      const th = el("th", cls, label);
      th.scope = "col";
      head.appendChild(th);
    }
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    const row = (label, f, className) => {
      const tr = el("tr", className);
      tr.append(el("td", null, label), el("td", "num", fixed(f.precision, 3)), el("td", "num", fixed(f.recall, 3)),
        el("td", "num", fixed(f.f1, 3)), el("td", "num", count(f.support)));
      body.appendChild(tr);
    };
    for (const c of r.per_class || []) row(String(c.class_name ?? c.name ?? ""), c);
    if (r.macro_avg) row("macro average", r.macro_avg, "summary");
    if (r.weighted_avg) row("weighted average", r.weighted_avg, "summary");
  }

  // ---------- Exports ----------

  function loadExports() {
    return forProject("/api/export/" + seg(state.projectId), renderExports);
  }

  function renderExports(exports) {
    const list = $("export-list");
    list.replaceChildren();
    const items = Array.isArray(exports) ? exports : [];
    for (const x of items) {
      const li = el("li", "export");
      li.dataset.id = x.export_id;
      li.append(el("span", "item-id", x.format || "?"), badge(x.status));
      if (isNum(x.size)) li.appendChild(el("span", "item-figure", bytes(x.size)));
      li.appendChild(el("span", "item-meta", [x.export_id, x.checkpoint].filter(Boolean).join(" · ")));
      const href = safePath(x.download_url);
      if (x.status === "completed" && href) {
        const a = el("a", "download", x.file_name || "download");
        a.href = href;
        a.download = x.file_name || "";
        li.appendChild(a);
      }
      if (x.error) li.appendChild(el("span", "item-error", x.error));
      list.appendChild(li);
    }
    $("exports-empty").hidden = items.length > 0;
  }

  // ---------- Wiring ----------

  function bindUI() {
    $("signin").addEventListener("submit", signIn);
    $("signout").addEventListener("click", signOut);
    $("refresh").addEventListener("click", () => {
      if (state.projectId) loadSections();
      else loadProjects();
    });
    $("class-filter").addEventListener("change", (e) => {
      state.grid.filterClass = e.target.value;
      state.grid.page = 1;
      loadImages();
    });
    $("search").addEventListener("input", (e) => {
      clearTimeout(state.searchTimer);
      const text = e.target.value.trim();
      state.searchTimer = setTimeout(() => {
        if (text === state.grid.search) return;
        state.grid.search = text;
        state.grid.page = 1;
        loadImages();
      }, SEARCH_DELAY_MS);
    });
    $("grid-prev").addEventListener("click", () => goToPage(-1));
    $("grid-next").addEventListener("click", () => goToPage(1));
    // A zoom or a move to another screen changes devicePixelRatio; redraw at the new resolution.
    window.addEventListener("resize", () => { if (!$("run-detail").hidden) drawChart(); });
    // Leaving the page should not leave a stream open.
    window.addEventListener("pagehide", closeStream);
  }

  function boot() {
    bindUI();
    start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
