// Model exports and their download links.

import { safePath } from "./quarry-api.js";
import { $, el } from "./quarry-ui.js";
import { badge, bytes, isNum } from "./format.js";
import { forProject } from "./projects.js";
import { seg } from "./session.js";
import { state } from "./state.js";

export function loadExports() {
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
