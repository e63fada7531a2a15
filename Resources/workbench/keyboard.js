// Keyboard shortcuts. The toolbar buttons' titles name them for users, so a change here belongs there too.

import { $ } from "./quarry-ui.js";
import { render } from "./draw.js";
import { redo, undo } from "./history.js";
import { pickClass, select } from "./panels.js";
import { classes, state } from "./state.js";
import { stepImage } from "./task.js";
import { deleteSelection, finishPolygon, setTool } from "./tools.js";
import { updateCursor } from "./view.js";

function isTyping(target) {
  return target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT" || target.isContentEditable);
}

export function onKeyDown(e) {
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

export function onKeyUp(e) {
  if (e.key === " ") {
    if (!isTyping(e.target)) e.preventDefault();
    state.spaceDown = false;
    updateCursor();
  }
}
