"""A client for the JTheta.ai REST API written from ../shared/specs/jtheta-api.md only, for its routes as
that page spells them (the `jtheta` SDK, tested in test_jtheta_sdk.py, calls other paths).

The base URL is the page's `https://api.jtheta.ai` (routes hang off the root); the key goes in
`Authorization: Bearer`, except for the export download, whose example passes it as `key` only. The page
gives statuses but no error body, so a failure is a JThetaError with the status, the body and its text.
"""
import mimetypes

import requests

from spec_clients.errors import SpecError, error_from


class JThetaError(SpecError):
    """A non-2xx answer (a 302 where the page promises one is an answer, not an error)."""


def _error_from(response):
    return error_from(response, JThetaError, ("detail", "error", "message"))


class JThetaClient:
    """One method per route of the page, in its order. `last_status` keeps the status of the last answer,
    since the page documents its success statuses (201 for what is created, 302 for the download)."""

    def __init__(self, base_url, api_key, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.last_status = None

    def _send(self, method, path, auth=True, **kwargs):
        headers = {"Authorization": f"Bearer {self.api_key}"} if auth else {}
        response = requests.request(method, self.base_url + path, headers=headers, timeout=self.timeout,
                                    allow_redirects=False, **kwargs)
        self.last_status = response.status_code
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    def _json(self, method, path, **kwargs):
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else None

    def validate_key(self):
        return self._json("GET", "/validate_key/")

    def create_project(self, project_title, project_category):
        return self._json("POST", "/create_project/",
                          json={"project_title": project_title, "project_category": project_category})

    def create_dataset(self, dataset_name, project_name, images, license=None):
        """`images`: (file name, bytes) pairs, sent as repeated multipart `images` parts."""
        fields = {"dataset_name": dataset_name, "project_name": project_name}
        if license is not None:
            fields["license"] = license
        return self._json("POST", "/create_dataset/", data=fields, files=_image_parts(images))

    def upload_images_to_dataset(self, dataset_id, project_name, images):
        fields = {"dataset_id": str(dataset_id), "project_name": project_name}
        return self._json("POST", "/upload_images_to_dataset/", data=fields, files=_image_parts(images))

    def request_annotation(self, dataset_id, project_name, assigned_annotator, assigned_reviewer, labels):
        body = {"dataset_id": dataset_id, "project_name": project_name, "assigned_annotator": assigned_annotator,
                "assigned_reviewer": assigned_reviewer, "labels": labels}
        return self._json("POST", "/request_annotation/", json=body)

    def get_annotation_status(self, project_title):
        return self._json("GET", f"/get_annotation_status/{requests.utils.quote(project_title, safe='')}/")

    def delete_project(self, project_title):
        return self._json("POST", "/delete_project/", json={"project_title": project_title})

    def export_download_url(self):
        """The URL the page's `302 Found` redirects to. The page's example passes the key as the `key`
        parameter and sends no Authorization header, so neither does this."""
        response = self._send("GET", "/api/export/download", auth=False, params={"key": self.api_key})
        if response.status_code != 302 or "Location" not in response.headers:
            raise JThetaError(response.status_code, response.text[:500], "no 302 redirect to the download")
        return response.headers["Location"]


def _image_parts(images):
    """The repeated multipart `images` parts, each typed from its file name."""
    return [("images", (name, data, mimetypes.guess_type(name)[0] or "application/octet-stream"))
            for name, data in images]
