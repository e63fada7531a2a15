"""A client for the Studio API written from ../shared/specs/studio-api.md and studio-api-related.md only.

Every answer is the envelope `{"status": "ok", "data": ...}`; every failure is
`{"status": "error", "error": {"code", "message"}}` and becomes a StudioError carrying that code. The spec
has no credentials at all, so the client sends none: only the base URL is the server's.
"""
import json
import time

import requests

# The spec names `pending` (a new run) and says long operations run in the background; it does not list
# the other in-between states. These are the ones a careful client treats as "not finished yet".
UNFINISHED = {"pending", "queued", "running", "stopping", "starting", "importing", "exporting", "evaluating"}


class StudioError(Exception):
    """The spec's error shape: the HTTP status, `error.code`, `error.message` and any `details`."""

    def __init__(self, status, code, message, details=None, body=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.body = body


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _error_from(response):
    """The StudioError an answer stands for: its envelope when it has one, else its status and text."""
    body = _json_or_none(response)
    if isinstance(body, dict) and body.get("status") == "error" and isinstance(body.get("error"), dict):
        error = body["error"]
        return StudioError(response.status_code, error.get("code"), error.get("message"), error.get("details"), body)
    return StudioError(response.status_code, None, response.text[:500], None, body)


def _sse_events(lines):
    """(event, data) per Server-Sent Event; data is parsed as JSON, as the spec says it is."""
    event, data = None, []
    for line in list(lines) + [""]:
        if line == "":
            if event is not None or data:
                text = "\n".join(data)
                try:
                    payload = json.loads(text) if text else None
                except ValueError:
                    payload = text
                yield event or "message", payload
            event, data = None, []
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


class StudioClient:
    """One method per operation of the spec, in its order: projects, datasets, splits, experiments, runs,
    evaluation, export, system."""

    def __init__(self, base_url, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    # -- plumbing --------------------------------------------------------------------------------
    def _send(self, method, path, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        if "params" in kwargs:
            kwargs["params"] = {k: v for k, v in kwargs["params"].items() if v is not None}
        return self.session.request(method, self.base_url + path, **kwargs)

    def _call(self, method, path, **kwargs):
        """The `data` of an ok envelope; a StudioError for anything else (the error envelope, or an
        answer that is not in the envelope at all)."""
        response = self._send(method, path, **kwargs)
        body = _json_or_none(response)
        if response.ok and isinstance(body, dict) and body.get("status") == "ok" and "data" in body:
            return body["data"]
        if response.ok:
            raise StudioError(response.status_code, None, "answer is not the spec's envelope", None, body)
        raise _error_from(response)

    def _bytes(self, path):
        """A file answer (image, thumbnail, model): its bytes, or the error envelope as a StudioError."""
        response = self._send("GET", path)
        if not response.ok:
            raise _error_from(response)
        return response.content

    # -- 1. projects -----------------------------------------------------------------------------
    def list_projects(self):
        return self._call("GET", "/api/projects")

    def create_project(self, name, task):
        return self._call("POST", "/api/projects", json={"name": name, "task": task})

    def get_project(self, project_id):
        return self._call("GET", f"/api/projects/{project_id}")

    def update_project(self, project_id, **fields):
        """The spec: `PATCH` updates name and task."""
        return self._call("PATCH", f"/api/projects/{project_id}", json=fields)

    def delete_project(self, project_id):
        return self._call("DELETE", f"/api/projects/{project_id}")

    # -- 2. datasets -----------------------------------------------------------------------------
    def get_dataset(self, project_id):
        return self._call("GET", f"/api/datasets/{project_id}")

    def import_local(self, project_id, source_path, format):
        """The related page: a JSON body with `source_path` (a folder on the server) and `format`."""
        return self._call("POST", f"/api/datasets/{project_id}/import/local",
                          json={"source_path": source_path, "format": format})

    def import_upload(self, project_id, zip_bytes, format, filename="dataset.zip"):
        """The related page: the ZIP as multipart part `file`, plus a `format` field."""
        return self._call("POST", f"/api/datasets/{project_id}/import/upload",
                          files={"file": (filename, zip_bytes, "application/zip")}, data={"format": format})

    def list_images(self, project_id, page=None, page_size=None, sort_by=None, sort_order=None,
                    filter_class=None, search=None):
        params = {"page": page, "page_size": page_size, "sort_by": sort_by, "sort_order": sort_order,
                  "filter_class": filter_class, "search": search}
        return self._call("GET", f"/api/datasets/{project_id}/images", params=params)

    def get_image(self, project_id, filename):
        return self._bytes(f"/api/datasets/{project_id}/images/{filename}")

    def get_thumbnail(self, project_id, filename):
        return self._bytes(f"/api/datasets/{project_id}/thumbnails/{filename}")

    def get_image_info(self, project_id, filename):
        return self._call("GET", f"/api/datasets/{project_id}/images/{filename}/info")

    def clear_dataset(self, project_id):
        return self._call("DELETE", f"/api/datasets/{project_id}")

    # -- 3. splits -------------------------------------------------------------------------------
    def list_splits(self, project_id):
        return self._call("GET", f"/api/splits/{project_id}")

    def create_split(self, project_id, name, ratios, seed=None):
        body = {"name": name, "ratios": ratios}
        if seed is not None:
            body["seed"] = seed
        return self._call("POST", f"/api/splits/{project_id}", json=body)

    def get_split(self, project_id, split_index):
        return self._call("GET", f"/api/splits/{project_id}/{split_index}")

    def delete_split(self, project_id, split_index):
        return self._call("DELETE", f"/api/splits/{project_id}/{split_index}")

    def preview_split(self, project_id, train, val, test, seed=None):
        """The spec lists the route only; its parameters here are the create body's ratios and seed."""
        params = {"train": train, "val": val, "test": test, "seed": seed}
        return self._call("GET", f"/api/splits/{project_id}/preview", params=params)

    # -- 4. experiments and runs -----------------------------------------------------------------
    def list_experiments(self, project_id):
        return self._call("GET", f"/api/training/{project_id}/experiments")

    def create_experiment(self, project_id, **config):
        """The spec gives no body for this: the settings are passed through as they are."""
        return self._call("POST", f"/api/training/{project_id}/experiments", json=config)

    def get_experiment(self, project_id, experiment_id):
        return self._call("GET", f"/api/training/{project_id}/experiments/{experiment_id}")

    def update_experiment(self, project_id, experiment_id, **config):
        return self._call("PATCH", f"/api/training/{project_id}/experiments/{experiment_id}", json=config)

    def delete_experiment(self, project_id, experiment_id):
        return self._call("DELETE", f"/api/training/{project_id}/experiments/{experiment_id}")

    def start_run(self, project_id, experiment_id):
        return self._call("POST", f"/api/training/{project_id}/experiments/{experiment_id}/run")

    def get_run(self, project_id, run_id):
        return self._call("GET", f"/api/training/{project_id}/runs/{run_id}")

    def stop_run(self, project_id, run_id):
        return self._call("POST", f"/api/training/{project_id}/runs/{run_id}/stop")

    def resume_run(self, project_id, run_id):
        return self._call("POST", f"/api/training/{project_id}/runs/{run_id}/resume")

    def delete_run(self, project_id, run_id):
        return self._call("DELETE", f"/api/training/{project_id}/runs/{run_id}")

    def get_run_metrics(self, project_id, run_id):
        return self._call("GET", f"/api/training/{project_id}/runs/{run_id}/metrics")

    def stream_run(self, project_id, run_id, read_timeout=120):
        """Every (event, data) of the run's SSE stream, read until the server closes it: the related page
        says the last event is `complete` and the server then closes, so this blocks until the run ends."""
        url = f"/api/training/{project_id}/runs/{run_id}/stream"
        with self._send("GET", url, stream=True, timeout=(10, read_timeout),
                        headers={"Accept": "text/event-stream"}) as response:
            if not response.ok:
                raise _error_from(response)
            kind = response.headers.get("Content-Type", "")
            if not kind.startswith("text/event-stream"):
                raise StudioError(response.status_code, None, f"stream answered {kind!r}, not text/event-stream")
            return list(_sse_events(response.iter_lines(decode_unicode=True)))

    # -- 5. evaluation ---------------------------------------------------------------------------
    def list_evaluations(self, project_id):
        return self._call("GET", f"/api/evaluation/{project_id}")

    def create_evaluation(self, project_id, experiment_id, run_id, checkpoint="best", split_index=0,
                          split_subset="test", batch_size=32):
        body = {"experiment_id": experiment_id, "run_id": run_id, "checkpoint": checkpoint,
                "split_index": split_index, "split_subset": split_subset, "batch_size": batch_size}
        return self._call("POST", f"/api/evaluation/{project_id}", json=body)

    def get_evaluation(self, project_id, eval_id):
        return self._call("GET", f"/api/evaluation/{project_id}/{eval_id}")

    def delete_evaluation(self, project_id, eval_id):
        return self._call("DELETE", f"/api/evaluation/{project_id}/{eval_id}")

    def evaluation_results(self, project_id, eval_id, page=None, page_size=None, sort_by=None,
                           filter_correct=None, filter_class=None):
        """`filter_correct` is a bool in the spec's table; it goes out as Python writes it (`True`)."""
        params = {"page": page, "page_size": page_size, "sort_by": sort_by, "filter_correct": filter_correct,
                  "filter_class": filter_class}
        return self._call("GET", f"/api/evaluation/{project_id}/{eval_id}/results", params=params)

    # -- 6. export -------------------------------------------------------------------------------
    def list_exports(self, project_id):
        return self._call("GET", f"/api/export/{project_id}")

    def create_export(self, project_id, experiment_id, run_id, format, checkpoint="best", options=None):
        body = {"experiment_id": experiment_id, "run_id": run_id, "checkpoint": checkpoint, "format": format}
        if options is not None:
            body["options"] = options
        return self._call("POST", f"/api/export/{project_id}", json=body)

    def get_export(self, project_id, export_id):
        return self._call("GET", f"/api/export/{project_id}/{export_id}")

    def delete_export(self, project_id, export_id):
        return self._call("DELETE", f"/api/export/{project_id}/{export_id}")

    def download_export(self, project_id, export_id):
        return self._bytes(f"/api/export/{project_id}/{export_id}/download")

    def export_formats(self):
        return self._call("GET", "/api/export/formats")

    # -- 7. system -------------------------------------------------------------------------------
    def health(self):
        return self._call("GET", "/api/system/health")

    def devices(self):
        return self._call("GET", "/api/system/devices")

    def workspace(self):
        return self._call("GET", "/api/system/workspace")

    # -- waiting (the spec is silent on how) -----------------------------------------------------
    def wait_finished(self, fetch, timeout=60):
        """Polls `fetch()` (a GET the spec lists: evaluation or export status) until its `status` leaves
        the in-between states. Assumption: the spec says these run in the background and shows a `status`
        field (`pending`) but names no finished state, so anything outside UNFINISHED counts as finished."""
        deadline = time.monotonic() + timeout
        while True:
            data = fetch()
            if data.get("status") not in UNFINISHED:
                return data
            if time.monotonic() > deadline:
                raise TimeoutError(f"still {data.get('status')!r} after {timeout} s")
            time.sleep(0.05)

    def wait_for_images(self, project_id, count, timeout=60):
        """Polls the image list until it holds `count` images: the spec lists no import status route, and
        an import runs in the background. Assumption: a page's `data` is the list itself or carries it as
        `images` (the spec names the route "List images" and the sort field `filename`)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = image_rows(self.list_images(project_id, page_size=max(count, 1) * 2))
            if len(rows) >= count:
                return rows
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(rows)} of {count} images after {timeout} s")
            time.sleep(0.05)


def image_rows(page):
    """The images of a `list_images` page (see wait_for_images for the assumption)."""
    return page if isinstance(page, list) else page.get("images", [])
