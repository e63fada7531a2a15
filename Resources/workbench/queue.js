// The queue tabs and list: the tasks of the annotator's or the reviewer's queue.

import { $, el, markActive, selectable, showError } from "./quarry-ui.js";
import { flushSave } from "./saving.js";
import { api } from "./session.js";
import { state } from "./state.js";
import { closeTask, openTask } from "./task.js";

export async function switchRole(role) {
  await flushSave();
  state.role = role;
  $("tab-label").classList.toggle("active", role === "annotator");
  $("tab-review").classList.toggle("active", role === "reviewer");
  $("tab-label").setAttribute("aria-selected", String(role === "annotator"));
  $("tab-review").setAttribute("aria-selected", String(role === "reviewer"));
  $("app").classList.toggle("review-mode", role === "reviewer");
  closeTask();
  await loadQueue();
}

async function loadQueue() {
  const role = state.role;
  let data;
  try {
    data = await api("GET", "/worker/tasks?role=" + encodeURIComponent(role));
  } catch (err) { showError(err); return; }
  if (role !== state.role) return; // the tab changed while this loaded
  state.queue = Array.isArray(data && data.tasks) ? data.tasks : [];
  renderQueue();
  if (!state.task && state.queue.length > 0) openTask(state.queue[0].id);
}

export function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  for (const task of state.queue) {
    const li = el("li", "task");
    li.dataset.id = task.id;
    li.appendChild(el("span", "task-id", task.id));
    li.appendChild(el("span", "task-status", task.status));
    const count = Array.isArray(task.image_ids) ? task.image_ids.length : 0;
    li.appendChild(el("span", "task-images", count + (count === 1 ? " image" : " images")));
    if (task.review_comment) {
      const marker = el("span", "task-marker", "returned");
      marker.title = task.review_comment;
      li.appendChild(marker);
    }
    selectable(li, () => openTask(task.id));
    list.appendChild(li);
  }
  markActive(list, state.task ? state.task.id : null);
  $("queue-empty").hidden = state.queue.length > 0;
}

// Takes a finished task out of the queue and opens the one after it.
export function leaveTask(id) {
  const index = state.queue.findIndex((t) => t.id === id);
  if (index >= 0) state.queue.splice(index, 1);
  closeTask();
  renderQueue();
  const next = state.queue[Math.max(0, index)] || state.queue[0];
  if (next) openTask(next.id);
}
