// DOM helpers the workbench and the dashboard share. Text from the server only ever goes in
// through textContent (both pages run under a strict CSP).

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// Makes a list item act as a button for keyboard users too.
export function selectable(li, onSelect) {
  li.tabIndex = 0;
  li.setAttribute("role", "button");
  li.addEventListener("click", onSelect);
  li.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onSelect(); }
  });
}

export function markActive(list, id) {
  for (const li of list.children) li.classList.toggle("active", li.dataset.id === id);
}

// A message in its place (an error under a form, a note beside a control): shown with text, hidden without.
export function showMessage(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

// The page's one status line, #status.
export function setStatus(text, isError) {
  const node = $("status");
  node.textContent = text || "";
  node.classList.toggle("error", !!isError);
}

export function showError(err) {
  if (err && err.status === 401) return; // the signed-out view already says it
  setStatus(err && err.message ? err.message : String(err), true);
}

const drawnItems = new WeakMap(); // list entry -> its item as last drawn (JSON)

// Keeps `list` showing `items` in their order, an entry per item by its `key`: an entry is reused (so
// focus inside it survives a re-read), filled again by `fill(li, item)` only when its item changed,
// moved where the order puts it, and removed once its item is gone. New entries are `<li class=…>`.
export function updateList(list, items, { key, className, fill }) {
  const before = new Map([...list.children].map((li) => [li.dataset.id, li]));
  items.forEach((item, index) => {
    const id = String(key(item));
    const li = before.get(id) || el("li", className);
    const drawn = JSON.stringify(item);
    if (drawnItems.get(li) !== drawn) {
      drawnItems.set(li, drawn);
      fill(li, item);
      li.dataset.id = id;
    }
    if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
  });
  while (list.children.length > items.length) list.lastElementChild.remove();
}
