// The dataset grid: class filter, search, thumbnails and paging.

import { safePath } from "./quarry-api.js";
import { $, el } from "./quarry-ui.js";
import { bytes, count, isNum } from "./format.js";
import { forProject } from "./projects.js";
import { seg } from "./session.js";
import { PAGE_SIZE, state } from "./state.js";

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

export async function loadImages() {
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

export function goToPage(delta) {
  const pages = Math.max(1, Math.ceil(state.grid.total / PAGE_SIZE));
  const next = Math.min(pages, Math.max(1, state.grid.page + delta));
  if (next === state.grid.page) return;
  state.grid.page = next;
  loadImages();
}
