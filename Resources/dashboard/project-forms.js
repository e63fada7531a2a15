// Creating, renaming and deleting projects, each in a modal <dialog>: labelled fields, Enter submits,
// Escape (the dialog's own cancel) or Cancel closes it, and a refusal shows the server's own message in
// the dialog, beside the field. Deleting asks for the project's exact name, typed, before its button
// enables. The names only ever go into the page as text.

import { bindDialog, openDialog, returnFocusTo } from "./dialogs.js";
import { $, setStatus, showMessage } from "./quarry-ui.js";
import { currentProject, projectCreated, projectDeleted, projectRenamed } from "./projects.js";
import { api, seg } from "./session.js";

let target = null; // the project the rename or delete dialog is about, fixed when it opens

export function bindProjectForms() {
  $("new-project").addEventListener("click", openCreate);
  $("rename-project").addEventListener("click", openRename);
  $("delete-project").addEventListener("click", openDelete);
  $("create-form").addEventListener("submit", (e) => submit(e, createProject));
  $("rename-form").addEventListener("submit", (e) => submit(e, renameProject));
  $("delete-form").addEventListener("submit", (e) => submit(e, deleteProject));
  $("delete-confirm").addEventListener("input", updateDeleteButton);
  for (const id of ["create-dialog", "rename-dialog", "delete-dialog"]) {
    const dialog = $(id);
    bindDialog(dialog, { cancel: dialog.querySelector(".dialog-cancel"), fallback: $("new-project") });
  }
}

function open(dialogId, field) {
  const dialog = $(dialogId);
  showFormError(dialog.querySelector("form"), "");
  openDialog(dialog, field);
}

function openCreate() {
  $("create-name").value = "";
  open("create-dialog", $("create-name"));
}

function openRename() {
  target = currentProject();
  if (!target) return;
  $("rename-name").value = target.name;
  open("rename-dialog", $("rename-name"));
}

function openDelete() {
  target = currentProject();
  if (!target) return;
  $("delete-target").textContent = target.name;
  $("delete-confirm").value = "";
  updateDeleteButton();
  open("delete-dialog", $("delete-confirm"));
}

// The delete button waits for the exact name: same case, same spaces.
function updateDeleteButton() {
  $("delete-submit").disabled = !target || $("delete-confirm").value !== target.name;
}

// Sends the form's request once; the dialog closes on success and stays open with the server's message
// otherwise. A failure that comes back after the dialog was closed goes to the status line instead.
async function submit(event, action) {
  event.preventDefault();
  const form = event.currentTarget;
  const dialog = form.closest("dialog");
  const button = form.querySelector("button[type=submit]");
  if (button.disabled || form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  showFormError(form, "");
  try {
    const focus = await action();
    if (focus) returnFocusTo(dialog, focus);
    dialog.close();
  } catch (err) {
    if (err.status === 401) return;  // the signed-out view has taken over
    if (dialog.open) {
      showFormError(form, err.message);
      const field = form.querySelector("input");
      field.focus();
      field.select();
    } else {
      setStatus(err.message, true);
    }
  } finally {
    form.removeAttribute("aria-busy");
    button.disabled = false;
    if (form.id === "delete-form") updateDeleteButton();
  }
}

function showFormError(form, message) {
  showMessage(form.querySelector(".form-error"), message);
  for (const input of form.querySelectorAll("input")) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

// Each action resolves to the element to focus once its dialog has closed.
async function createProject() {
  const project = await api("/api/projects", "POST", { name: $("create-name").value, task: $("create-task").value });
  projectCreated(project);
  setStatus("Created project " + project.name + ".");
  return projectItem(project.id);
}

async function renameProject() {
  const project = await api("/api/projects/" + seg(target.id), "PATCH", { name: $("rename-name").value });
  projectRenamed(project);
  setStatus("Renamed the project to " + project.name + ".");
  return null;
}

async function deleteProject() {
  const { id, name } = target;
  await api("/api/projects/" + seg(id), "DELETE");
  projectDeleted(String(id));
  setStatus("Deleted project " + name + ".");
  return projectItem(currentProject() && currentProject().id);
}

function projectItem(id) {
  return [...$("projects").children].find((li) => li.dataset.id === String(id)) || null;
}
