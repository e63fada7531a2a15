// DOM helpers the workbench and the dashboard share. Text from the server only ever goes in
// through textContent (both pages run under a strict CSP).
(function () {
  "use strict";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Makes a list item act as a button for keyboard users too.
  function selectable(li, onSelect) {
    li.tabIndex = 0;
    li.setAttribute("role", "button");
    li.addEventListener("click", onSelect);
    li.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onSelect(); }
    });
  }

  function markActive(list, id) {
    for (const li of list.children) li.classList.toggle("active", li.dataset.id === id);
  }

  // The page's one status line, #status.
  function setStatus(text, isError) {
    const node = document.getElementById("status");
    node.textContent = text || "";
    node.classList.toggle("error", !!isError);
  }

  function showError(err) {
    if (err && err.status === 401) return; // the signed-out view already says it
    setStatus(err && err.message ? err.message : String(err), true);
  }

  window.QuarryUI = Object.freeze({ el, selectable, markActive, setStatus, showError });
})();
