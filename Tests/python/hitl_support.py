"""Shared steps of the HITL tests."""
import time

import requests

from conftest import ADMIN_KEY
from images import png

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FAST = {"QUARRY_ALLOW_PRIVATE_URLS": "1", "QUARRY_WEBHOOK_RETRY_DELAY": "0.2", "QUARRY_EXPIRY_SWEEP": "0.3",
        "QUARRY_EGRESS_IP": "203.0.113.7"}


def key_header(key):
    return {"Authorization": f"api_key {key}"}


def admin_header():
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


def wait_for(check, timeout=15, what="condition"):
    """Polls `check` until it answers something true; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not met within {timeout} s")


def active_project(server, site, key, name="hitl-project"):
    """A HITL project made from an instructions URL and activated with two workers; returns the id and their tokens."""
    site.files["/instructions.pdf"] = (PDF, "application/pdf")
    created = requests.post(server.url + "/v1/projects", json={"name": name, "instructions_file_url": site.url + "/instructions.pdf"},
                            headers=key_header(key))
    assert created.status_code == 200, created.text
    project_id = created.json()["id"]
    activated = requests.post(server.url + f"/admin/projects/{project_id}/activate",
                              json={"annotator": "ann@hitl.io", "reviewer": "rev@hitl.io"}, headers=admin_header())
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    tokens = {}
    for email in ["ann@hitl.io", "rev@hitl.io"]:
        link = requests.post(server.url + "/admin/workers/link", json={"email": email}, headers=admin_header())
        assert link.status_code == 200, link.text
        tokens[email] = link.json()["token"]
    return project_id, tokens["ann@hitl.io"], tokens["rev@hitl.io"]


def create_job(server, site, key, project_id, **extra):
    site.files.setdefault("/frame.png", (png(32, 16), "image/png"))
    body = {"project_id": project_id, "file_urls": [site.url + "/frame.png"], **extra}
    response = requests.post(server.url + "/v1/jobs", json=body, headers=key_header(key))
    assert response.status_code == 200, response.text
    return response.json()["job_id"]


def finish_job(server, job_id, annotator, reviewer):
    """Labels the job's image through the worker API and approves it."""
    worker = {"Authorization": f"Bearer {annotator}"}
    task = requests.get(server.url + f"/worker/tasks/{job_id}", headers=worker).json()
    labels = [{"image_id": task["images"][0]["id"], "labels": [{"label": "car", "type": "bounding_box", "bbox": [1, 1, 5, 5]}]}]
    submitted = requests.post(server.url + f"/worker/tasks/{job_id}/submit", json={"annotations": labels}, headers=worker)
    assert submitted.status_code == 200, submitted.text
    approved = requests.post(server.url + f"/worker/tasks/{job_id}/review", json={"decision": "approve"},
                             headers={"Authorization": f"Bearer {reviewer}"})
    assert approved.status_code == 200, approved.text
    return labels
