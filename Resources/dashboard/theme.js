// Light or dark: the person's choice, kept in this browser (localStorage), else the system's
// (prefers-color-scheme), which is followed live while the choice is "auto". The palette is
// quarry.css's; this only sets data-theme on <html>. Canvases read the palette when they draw, so
// a change is announced as a "quarry-theme" event for them to redraw.

import { $ } from "./quarry-ui.js";

const KEY = "quarry-theme";
const CHOICES = ["auto", "light", "dark"];
const system = window.matchMedia("(prefers-color-scheme: light)");

function choice() {
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) { /* storage blocked: the system decides */ }
  return CHOICES.includes(saved) ? saved : "auto";
}

function apply() {
  const chosen = choice();
  const theme = chosen === "auto" ? (system.matches ? "light" : "dark") : chosen;
  document.documentElement.dataset.theme = theme;
  const button = $("theme");
  if (button) {
    button.textContent = "Theme: " + chosen;
    button.title = "Colours: " + (chosen === "auto" ? "the system's (now " + theme + ")" : chosen) + ". Click for the next choice.";
  }
  window.dispatchEvent(new Event("quarry-theme"));
}

// auto → light → dark → auto.
function next() {
  const following = CHOICES[(CHOICES.indexOf(choice()) + 1) % CHOICES.length];
  try { localStorage.setItem(KEY, following); } catch (e) { /* kept for this page only */ }
  apply();
}

export function bindTheme() {
  $("theme").addEventListener("click", next);
  system.addEventListener("change", () => { if (choice() === "auto") apply(); });
  apply();
}

// What a canvas draws with: the palette's colours, read once per drawing, by their CSS names less the dashes.
export function palette() {
  const css = getComputedStyle(document.documentElement);
  const names = ["bg", "panel", "panel-2", "line", "text", "muted", "accent", "danger", "ok", "warn", "canvas-bg"];
  return Object.fromEntries(names.map((name) => [name, css.getPropertyValue("--" + name).trim()]));
}
