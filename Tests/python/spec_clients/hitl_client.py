"""A client for the Humans in the Loop API v1.1.23, written from ../shared/specs/hitl-api-v1.md only.

The spec authenticates with `Authorization: api_key KEY` on every request and documents no error body,
so a failure is a HitlError carrying the HTTP status, the body as sent and its `error`/`message` text
when the body is JSON that has one.
"""
import requests

from spec_clients.errors import SpecError, error_from

# The spec's own vocabularies, for callers that check answers against them.
PROJECT_STATUSES = {"new", "active", "inactive"}
JOB_STATUSES = {"new", "progress", "done", "error", "canceled", "expired"}
GROUP_LEVELS = {"day", "week", "month", "year"}
FILE_EXTENSIONS = {"pdf", "png", "jpg", "jpeg"}


class HitlError(SpecError):
    """A non-2xx answer: `status`, the parsed `body` (or its text) and a readable `message`."""


def _error_from(response):
    return error_from(response, HitlError, ("error", "message", "detail"))


class HitlClient:
    """One method per endpoint of the spec, in its order."""

    def __init__(self, base_url, api_key, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"api_key {api_key}"

    def _send(self, method, path, url=None, **kwargs):
        """The answer to `base_url + path` (or to `url` as given); a HitlError unless it is a 2xx."""
        kwargs.setdefault("timeout", self.timeout)
        response = self.session.request(method, url or self.base_url + path, **kwargs)
        if not response.ok:
            raise _error_from(response)
        return response

    def health(self):
        """The `status` ("UP" or "DOWN"). A DOWN service may well answer with an error status, so the
        body's `status` is read from any answer that has one; other failures raise."""
        response = self.session.get(self.base_url + "/v1/health", timeout=self.timeout)
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("status") in ("UP", "DOWN"):
            return body["status"]
        raise _error_from(response)

    def create_project(self, name, instructions_file_url):
        """The new project's id."""
        body = {"name": name, "instructions_file_url": instructions_file_url}
        return self._send("POST", "/v1/projects", json=body).json()["id"]

    def project_status(self, project_id):
        """"new", "active" or "inactive"."""
        return self._send("GET", f"/v1/projects/{project_id}").json()["status"]

    def create_job(self, project_id, file_urls, predictions=None, webhook_url=None, webhook_headers=None,
                   expiration_minutes=None):
        """The new job's id. Optional arguments left as None are not sent (the spec: "If not provided")."""
        body = {"project_id": project_id, "file_urls": list(file_urls)}
        optional = {"predictions": predictions, "webhook_url": webhook_url, "webhook_headers": webhook_headers,
                    "expiration_minutes": expiration_minutes}
        body.update({k: v for k, v in optional.items() if v is not None})
        return self._send("POST", "/v1/jobs", json=body).json()["job_id"]

    def job_status(self, project_id, job_id):
        """The job status object (project_id, job_id, dates, status, annotations, image, error)."""
        return self._send("GET", f"/v1/jobs/{project_id}/{job_id}").json()

    def cancel_job(self, project_id, job_id):
        """The answer as a list of job status objects. The spec says "JOSN list of job status objects" for
        this endpoint, words copied from Bulk Jobs Status; a single object is taken as a list of one."""
        body = self._send("DELETE", f"/v1/jobs/{project_id}/{job_id}").json()
        return body if isinstance(body, list) else [body]

    def jobs(self, project_id):
        """Every job of the project: the spec answers a JSON list of job status objects, with no paging."""
        return self._send("GET", f"/v1/jobs/{project_id}").json()

    def metrics(self, period_start_date=None, period_end_date=None, period_group_level=None, project_ids=None):
        """The list of per-project metrics. `project_ids` may be a list (joined with commas, as the spec
        asks) or the string itself. The spec draws the answer as `{ [ ... ] }`, which is no JSON; the
        list inside is what the client returns, and it is what the server is expected to send."""
        if isinstance(project_ids, (list, tuple)):
            project_ids = ",".join(project_ids)
        params = {"period_start_date": period_start_date, "period_end_date": period_end_date,
                  "period_group_level": period_group_level, "project_ids": project_ids}
        params = {k: v for k, v in params.items() if v is not None}
        return self._send("GET", "/v1/metrics", params=params).json()

    def ip(self):
        """The static egress IP, as the plain text the spec says it is."""
        return self._send("GET", "/v1/ip").text.strip()

    def download_image(self, image_url):
        """A job's `image` file, fetched from the URL exactly as given (the spec's curl example uses it
        whole), with the API key the spec says it needs."""
        return self._send("GET", None, url=image_url).content
