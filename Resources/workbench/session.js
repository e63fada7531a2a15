// Signing in and out, and the one place every worker API call goes through (a 401 there shows the
// signed-out view).

import { ApiError, errorMessage, request } from "./quarry-api.js";
import { $, setStatus, showError } from "./quarry-ui.js";
import { switchRole } from "./queue.js";
import { flushSave } from "./saving.js";
import { state } from "./state.js";
import { closeTask } from "./task.js";

export async function api(method, path, body) {
  const generation = state.generation;
  const { response, data } = await request(method, path, body);
  if (response.status === 401) {
    if (generation === state.generation) showSignedOut();
    throw new ApiError("Not signed in", 401);
  }
  if (!response.ok) throw new ApiError(errorMessage(data, response.status), response.status);
  return data;
}

export const taskPath = (id) => "/worker/tasks/" + encodeURIComponent(id);

function showSignedOut(message) {
  clearTimeout(state.saveTimer);
  state.saveTimer = null;
  closeTask();
  $("app").hidden = true;
  $("signin-message").textContent = message || "";
  $("signin-message").hidden = !message;
  $("signin-needed").hidden = false;
}

// The token of a sign-in link, taken out of the address bar (and so out of history and bookmarks)
// before anything else happens. Only this local value ever holds it.
function takeLinkToken() {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  try { return decodeURIComponent(match[1]); } catch (e) { return match[1]; }
}

// Signs in with a link's token when the URL has one, then shows the worker's queues. Runs on load
// and again when a new link is opened in this tab (only the fragment changes: no reload).
export async function start() {
  const token = takeLinkToken();
  const generation = ++state.generation;
  clearTimeout(state.saveTimer); // a save from the previous session cannot be sent any more
  state.saveTimer = null;
  closeTask();
  $("app").hidden = true; // until this session is known
  if (token) {
    try {
      await api("POST", "/workbench/session", { token });
    } catch (err) {
      if (generation !== state.generation) return;
      showSignedOut(err.status === 401 ? "This sign-in link is not valid any more. Ask for a new one." : err.message);
      return;
    }
  }
  let me;
  try {
    me = await api("GET", "/worker/me");
  } catch (err) {
    if (generation === state.generation && err.status !== 401) { $("app").hidden = false; showError(err); }
    return;
  }
  if (generation !== state.generation) return;
  $("me").textContent = me && me.email ? me.email : "";
  $("signin-needed").hidden = true;
  $("app").hidden = false;
  setStatus("");
  switchRole("annotator");
}

export async function signOut() {
  await flushSave();
  try { await api("POST", "/workbench/signout"); } catch (e) { /* signed out either way */ }
  showSignedOut();
}
