// Modal dialogs, one way for all of them: opening remembers where focus was and puts it on the
// dialog's first field; Escape (the dialog's own cancel) or its Cancel button closes it; closing
// gives focus back where it was, or to a fallback when that element is gone or hidden meanwhile.

const origins = new WeakMap(); // dialog -> the element focus returns to

// `cancel`: the button that closes it; `fallback`: an element (or a function answering one) that
// takes focus when the origin cannot; `onClose`: what else a closing undoes (a pending load, say).
export function bindDialog(dialog, { cancel = null, fallback = null, onClose = null } = {}) {
  if (cancel) cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    const origin = origins.get(dialog);
    origins.delete(dialog);
    if (onClose) onClose();
    // Signed out meanwhile: the sign-in form has focus, and keeps it.
    if (document.getElementById("dashboard").hidden) return;
    const target = usable(origin) ? origin : typeof fallback === "function" ? fallback() : fallback;
    if (target) target.focus();
  });
}

export function openDialog(dialog, field = null, origin = document.activeElement) {
  origins.set(dialog, origin);
  if (!dialog.open) dialog.showModal();
  if (field) {
    field.focus();
    if (field.select && field.type !== "number") field.select();
  }
}

// Where focus goes once the open dialog closes, when that is not where it came from (a new item).
export function returnFocusTo(dialog, element) {
  origins.set(dialog, element);
}

const usable = (node) => !!node && node.isConnected && !node.closest("[hidden]");
