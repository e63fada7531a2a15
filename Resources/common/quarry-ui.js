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
