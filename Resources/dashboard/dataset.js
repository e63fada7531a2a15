// The dataset grid: class filter, search, sort, thumbnails and paging; a thumbnail opens the image's
// page (image-page.js). Importing is upload.js, the label downloads dataset-export.js.

import { safePath } from "./quarry-api.js";
import { $, el, selectable } from "./quarry-ui.js";
import { bytes, count, isNum } from "./format.js";
import { bindExport } from "./dataset-export.js";
import { bindImagePage, openImage } from "./image-page.js";
import { forProject } from "./projects.js";
import { seg } from "./session.js";
import { PAGE_SIZE, SEARCH_DELAY_MS, state } from "./state.js";
import { bindUpload } from "./upload.js";

// The grid's order, `sort_by:sort_order` as the images endpoint takes them; kept across projects, as a
// way of looking rather than a part of one project.
let sort = "filename:asc";

export function bindDataset() {
  bindUpload();
  bindImagePage();
  bindExport();
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
  $("grid-sort").value = sort;
  $("grid-sort").addEventListener("change", (e) => {
    sort = e.target.value;
    state.grid.page = 1;
    loadImages();
  });
}

export function loadDataset() {
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
    // new Option() sets text, never markup; keep the chosen class if it still exists, else show them all.
    const kept = classes.some((c) => c.name === keep);
    filter.value = kept ? keep : "";
    if (keep && !kept) {
      state.grid.filterClass = "";
      state.grid.page = 1;
      loadImages();
    }
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
  const [sortBy, sortOrder] = sort.split(":");
  params.set("sort_by", sortBy);
  params.set("sort_order", sortOrder);
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
  // Fewer images than when the page was chosen (deleted, or another filter): the last page there is.
  if (grid.page > pages) {
    grid.page = pages;
    loadImages();
    return;
  }
  const filtered = grid.filterClass || grid.search;
  $("dataset-total").textContent = count(grid.total) + (grid.total === 1 ? " image" : " images") + (filtered ? " match" : "");
  $("grid-page").textContent = "Page " + grid.page + " of " + pages;
  $("grid-prev").disabled = grid.page <= 1;
  $("grid-next").disabled = grid.page >= pages;
  const container = $("grid");
  container.replaceChildren(...images.map(thumbnail));
  $("grid-empty").hidden = images.length > 0;
}

// Each thumbnail is a button (click, Enter or Space) that opens the image's page.
function thumbnail(image) {
  const figure = el("figure", "thumb");
  figure.dataset.filename = image.filename || "";
  figure.setAttribute("aria-label", "Open " + (image.original_name || image.filename || "the image"));
  if (image.filename) selectable(figure, () => openImage(image.filename, figure));
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
