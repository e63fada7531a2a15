"""SIGKILL at awkward moments, then a restart on the same data: during an upload still arriving, during a
ZIP import, during an evaluation and an export. Afterwards both databases pass PRAGMA integrity_check, no
half-received file or half-imported dataset is visible, unfinished jobs are taken over by the restart and
finish once; a webhook in flight at the kill is delivered again, and no job the
API accepted is lost. (A run killed mid-epoch resumes: test_studio_runs.py; a webhook waiting for its
retry at the kill is delivered after the restart: test_hitl.py.)"""
import io
import os
import socket
import sqlite3
import threading
import zipfile

import requests

from hitl_support import FAST, active_project, create_job, finish_job, key_header, wait_for
from images import distinct_pngs
from test_studio_runs import auth, colour_project, trained


def integrity(data):
    for path in ["quarry.sqlite", "blobs/inline.sqlite"]:
        with sqlite3.connect(os.path.join(data, path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path


def spooled(data):
    return os.listdir(os.path.join(data, "blobs", "tmp"))


def test_a_kill_mid_upload_leaves_nothing_half_received(make_server):
    server = make_server()
    key = server.create_account("crash-upload")
    project_id = requests.post(server.url + "/api/projects", json={"name": "p"}, headers=auth(key)).json()["data"]["id"]
    # Announce 8 MiB and send half: the body is spooled to disk when the server dies.
    connection = socket.create_connection(("127.0.0.1", server.port))
    connection.sendall((f"POST /api/datasets/{project_id}/import/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                        "Content-Type: application/zip\r\nContent-Length: 8388608\r\n\r\n").encode() + b"PK\x03\x04" + os.urandom(4 << 20))
    wait_for(lambda: spooled(server.data))
    server.kill()
    connection.close()
    restarted = make_server(data=server.data)
    assert spooled(restarted.data) == []
    integrity(restarted.data)
    assert requests.get(restarted.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"] == 0


def test_a_kill_mid_import_leaves_no_half_dataset(make_server):
    server = make_server()
    key = server.create_account("crash-import")
    project_id = requests.post(server.url + "/api/projects", json={"name": "p"}, headers=auth(key)).json()["data"]["id"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for i, data in enumerate(distinct_pngs(1500)):
            z.writestr(f"c{i % 3}/{i}.png", data)
    job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", data=archive.getvalue(),
                        headers={**auth(key), "Content-Type": "application/zip"}).json()["data"]
    server.kill()
    restarted = make_server(data=server.data)
    integrity(restarted.data)
    # All or nothing, and once: the import had committed before the kill, or the restart takes it over
    # from its archive, kept as a blob, and imports every image once.
    after = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(restarted.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]), timeout=60)
    count = requests.get(restarted.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"]
    assert after["status"] == "done" and after["imported"] == 1500 and count == 1500, (after, count)
    again = requests.post(restarted.url + f"/api/datasets/{project_id}/import/upload", data=archive.getvalue(),
                          headers={**auth(key), "Content-Type": "application/zip"}).json()["data"]
    done = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(restarted.url + f"/api/datasets/{project_id}/imports/{again['id']}", headers=auth(key)).json()["data"]), timeout=60)
    assert done["status"] == "done" and done["imported"] == 0 and len(done["duplicates"]) == 1500


def test_evaluations_and_exports_killed_midway_are_made_again_by_the_restart(make_server):
    server = make_server()
    key = server.create_account("crash-jobs")
    project_id = colour_project(server, key)
    exp_id, run_id = trained(server, key, project_id)
    body = {"experiment_id": exp_id, "run_id": run_id}
    evaluation = requests.post(server.url + f"/api/evaluation/{project_id}", json=body, headers=auth(key)).json()["data"]
    export = requests.post(server.url + f"/api/export/{project_id}", json=body, headers=auth(key)).json()["data"]
    server.kill()
    # Tiny jobs may have finished before the kill: put both back to what a kill mid-job leaves, so the
    # restart path is the one under test every time.
    with sqlite3.connect(os.path.join(server.data, "quarry.sqlite")) as db:
        db.execute("UPDATE evaluations SET status = 'running', report = NULL, finished_at = NULL WHERE id = ?", (evaluation["eval_id"],))
        db.execute("UPDATE model_exports SET status = 'running', blob = NULL, size = NULL, file_name = NULL, finished_at = NULL WHERE id = ?",
                   (export["export_id"],))
    restarted = make_server(data=server.data)
    integrity(restarted.data)
    # The restart finds their process gone and makes both again.
    for url in [f"/api/evaluation/{project_id}/{evaluation['eval_id']}", f"/api/export/{project_id}/{export['export_id']}"]:
        state = wait_for(lambda: (lambda e: e if e["status"] in ("completed", "failed") else None)(
            requests.get(restarted.url + url, headers=auth(key)).json()["data"]), timeout=60, what=url)
        assert state["status"] == "completed", state
    made = requests.get(restarted.url + f"/api/export/{project_id}/{export['export_id']}", headers=auth(key)).json()["data"]
    assert len(requests.get(restarted.url + made["download_url"], headers=auth(key)).content) == made["size"]
    assert spooled(restarted.data) == []


def test_a_webhook_in_flight_at_the_kill_is_delivered_again_and_no_accepted_job_is_lost(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("crash-webhook")
    project_id, annotator, reviewer = active_project(server, site, key)
    site.hold["/slow"] = threading.Event()
    job_id = create_job(server, site, key, project_id, webhook_url=site.url + "/slow")
    # Jobs accepted just before the kill: each 200 was answered after its commit.
    accepted = [create_job(server, site, key, project_id) for _ in range(20)]
    finish_job(server, job_id, annotator, reviewer)
    wait_for(lambda: "/slow" in site.requests)
    server.kill()
    # The receiver answers the first attempt only now, to a sender that is gone.
    site.hold.pop("/slow").set()
    restarted = make_server(data=server.data, **FAST)
    integrity(restarted.data)
    wait_for(lambda: site.requests.count("/slow") >= 2, timeout=30)
    bodies = [body for _, body in wait_for(lambda: site.received("/slow"))]
    assert all(body["job_id"] == job_id and body["status"] == "done" for body in bodies)
    listed = requests.get(restarted.url + f"/v1/jobs/{project_id}", params={"page_size": 1000}, headers=key_header(key)).json()
    assert set(accepted) | {job_id} <= {job["job_id"] for job in listed}
