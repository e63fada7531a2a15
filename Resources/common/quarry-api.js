// The fetch wrapper the workbench and the dashboard share: JSON in and out, the session cookie on
// every call, and one error type. Each page decides what a 401 or an error body means to it.
(function () {
  "use strict";

  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  // Resolves to the response and its JSON body (null when it has none, or none that parses);
  // rejects only when the server cannot be reached.
  async function request(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
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

  window.QuarryAPI = Object.freeze({ ApiError, request });
})();
