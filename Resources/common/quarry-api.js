// The fetch wrapper the workbench and the dashboard share: JSON in and out, the session cookie on
// every call, and one error type. Each page decides what a 401 or an error body means to it.

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// Resolves to the response and its JSON body (null when it has none, or none that parses);
// rejects only when the server cannot be reached. `keepalive` lets a request outlive the page.
export async function request(method, path, body, { keepalive = false } = {}) {
  const options = { method, credentials: "same-origin", keepalive, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new ApiError("Could not reach the server", 0);
  }
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { response, data };
}

// Studio answers are {status, data} or {status, error: {code, message}}; the browser apps' own
// endpoints and the worker API answer {error: "..."}; JTheta's answer {detail: "..."}. Take whichever
// message is there.
export function errorMessage(body, httpStatus) {
  if (body && body.error) {
    if (typeof body.error === "string") return body.error;
    if (typeof body.error.message === "string") return body.error.message;
  }
  if (body && typeof body.detail === "string") return body.detail;
  return "Request failed (" + httpStatus + ")";
}

// Server-given URLs go into src/href only when they are same-origin paths, so a hostile value can
// never become a javascript: or foreign link.
export function safePath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\") ? url : null;
}
