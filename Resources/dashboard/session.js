// Signing in and out with the API key, and the one place every Studio API call goes through (a 401
// there shows the signed-out view).

import { ApiError, errorMessage, request } from "./quarry-api.js";
import { $, setStatus } from "./quarry-ui.js";
import { loadProjects, resetProject } from "./projects.js";
import { state } from "./state.js";

// A Studio call (a GET unless `method` says otherwise, `body` sent as JSON): resolves to `data`, or
// rejects with the server's own message; a 401 anywhere means the session is gone.
export async function api(path, method = "GET", body) {
  const data = await call(path, method, body);
  return data ? data.data : null;
}

// The same for the APIs without the Studio's envelope (JTheta's, the dashboard's own routes):
// resolves to the whole answer.
export async function call(path, method = "GET", body) {
  const generation = state.generation;
  const { response, data } = await request(method, path, body);
  if (endedBy(response.status, generation)) throw new ApiError("Not signed in", 401);
  if (!response.ok || (data && data.status === "error")) throw new ApiError(errorMessage(data, response.status), response.status);
  return data;
}

// For a request made another way (an upload's XMLHttpRequest, a download's fetch): whether its
// status says the session is gone, in which case the signed-out view is shown (once, for the session
// `generation` it was made in).
export function endedBy(status, generation) {
  if (status !== 401) return false;
  if (generation === state.generation) showSignedOut("Your session has ended. Sign in again.");
  return true;
}

export const seg = encodeURIComponent;

function showSignedOut(message) {
  state.generation++;
  // An open modal dialog would leave the sign-in form inert.
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  resetProject();
  state.projects = [];
  state.projectId = null;
  state.summaries = new Map();
  $("projects").replaceChildren();
  $("account-name").textContent = "";
  $("project-name").textContent = "";
  $("project-actions").hidden = true;
  setStatus("");
  $("dashboard").hidden = true;
  $("signin-error").textContent = message || "";
  $("signin-error").hidden = !message;
  $("signed-out").hidden = false;
  $("api-key").focus();
}

function showDashboard(accountName) {
  $("signed-out").hidden = true;
  $("signin-error").hidden = true;
  $("account-name").textContent = accountName || "";
  $("dashboard").hidden = false;
  loadProjects();
}

export async function signIn(event) {
  event.preventDefault();
  const input = $("api-key");
  const key = input.value.trim();
  if (!key) return;
  const button = $("signin-button");
  button.disabled = true;
  try {
    const { response, data } = await request("POST", "/dashboard/session", { api_key: key });
    if (!response.ok) {
      $("signin-error").textContent = errorMessage(data, response.status);
      $("signin-error").hidden = false;
      return;
    }
    input.value = "";
    state.generation++;
    showDashboard(data && data.account);
  } catch (err) {
    $("signin-error").textContent = err.message;
    $("signin-error").hidden = false;
  } finally {
    button.disabled = false;
  }
}

export async function signOut() {
  try { await request("POST", "/dashboard/signout"); } catch (e) { /* the view resets regardless */ }
  showSignedOut("");
}

// At load: a valid cookie means we are already signed in.
// (Not through api(): a first visit's 401 is no "session has ended".)
export async function start() {
  try {
    const { response, data } = await request("GET", "/api/account");
    if (response.ok && data && data.status !== "error") showDashboard(data.data && data.data.name);
    else showSignedOut(response.status === 401 ? "" : errorMessage(data, response.status));
  } catch (err) {
    showSignedOut(err.message);
  }
}
