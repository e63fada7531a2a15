// Quarry workbench: the annotator's and reviewer's page.
//
// Served under a strict CSP, so everything here builds DOM with createElement and puts any text
// that came from the server (class names, file names, comments, e-mails) in with textContent only.
// Authentication is an HttpOnly session cookie. A sign-in link carries a one-time token in the URL
// fragment (never sent to servers); the page takes it out of the address bar at once, trades it for
// the cookie with POST /workbench/session and keeps no copy.
//
// This module is the entry point: it wires the page's controls to the modules that do the work
// (docs/architecture.md lists them) and starts the session.

import { $ } from "./quarry-ui.js";
import { render } from "./draw.js";
import { redo, undo } from "./history.js";
import { onKeyDown, onKeyUp } from "./keyboard.js";
import { acceptSuggestions, renderLabels, updateControls } from "./panels.js";
import { onDoubleClick, onMouseDown, onMouseMove, onMouseUp, onWheel } from "./pointer.js";
import { switchRole } from "./queue.js";
import { review, saveOnLeave, scheduleSave, submitTask } from "./saving.js";
import { signOut, start } from "./session.js";
import { currentLabels, isHidden, state } from "./state.js";
import { stepImage } from "./task.js";
import { setTool } from "./tools.js";
import { canvas, fitView, focusCanvas, initCanvas, resizeCanvas, updateCursor } from "./view.js";

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
  $("threshold").addEventListener("input", (e) => {
    state.threshold = Number(e.target.value);
    state.selected = -1;
    renderLabels();
    render();
    scheduleSave();
  });
  $("accept-all").addEventListener("click", () => {
    const shown = currentLabels().flatMap((l, i) => (l.confidence != null && !isHidden(l) ? [i] : []));
    acceptSuggestions(shown, true);
  });
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

// A module script runs once the document is parsed, so every element looked up here is there.
initCanvas();
bindUI();
start();
