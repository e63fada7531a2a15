"""SIGKILL at awkward moments, then a restart on the same data: during an upload still arriving, during a
ZIP import, during an evaluation and an export. Afterwards both databases pass PRAGMA integrity_check, no
half-received file or half-imported dataset is visible, unfinished jobs say they were interrupted, and the
same work succeeds when asked again. (A run killed mid-epoch resumes: test_studio_runs.py; a webhook
pending at the kill is delivered after the restart: test_hitl.py.)"""
import io
import os
import socket
import sqlite3
import zipfile

import requests

from hitl_support import wait_for
from images import distinct_pngs
from test_studio_model_export import trained
from test_studio_runs import auth, colour_project


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
    after = requests.get(restarted.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]
    count = requests.get(restarted.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"]
    # All or nothing: either the import had committed before the kill, or it failed and left no image.
    assert (after["status"] == "done" and count == 1500) or (after["status"] == "failed" and count == 0), (after, count)
    again = requests.post(restarted.url + f"/api/datasets/{project_id}/import/upload", data=archive.getvalue(),
                          headers={**auth(key), "Content-Type": "application/zip"}).json()["data"]
    done = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(restarted.url + f"/api/datasets/{project_id}/imports/{again['id']}", headers=auth(key)).json()["data"]), timeout=60)
    assert done["status"] == "done" and done["imported"] + len(done["duplicates"]) == 1500


def test_evaluations_and_exports_killed_midway_say_so_and_can_be_made_again(make_server):
    server = make_server()
    key = server.create_account("crash-jobs")
    project_id = colour_project(server, key)
    exp_id, run_id = trained(server, key, project_id)
    body = {"experiment_id": exp_id, "run_id": run_id}
    evaluation = requests.post(server.url + f"/api/evaluation/{project_id}", json=body, headers=auth(key)).json()["data"]
    export = requests.post(server.url + f"/api/export/{project_id}", json=body, headers=auth(key)).json()["data"]
    server.kill()
    restarted = make_server(data=server.data)
    integrity(restarted.data)
    for url in [f"/api/evaluation/{project_id}/{evaluation['eval_id']}", f"/api/export/{project_id}/{export['export_id']}"]:
        state = requests.get(restarted.url + url, headers=auth(key)).json()["data"]
        assert state["status"] in ("completed", "failed"), state
        if state["status"] == "failed":
            assert "restart" in state["error"]
    again = requests.post(restarted.url + f"/api/export/{project_id}", json=body, headers=auth(key)).json()["data"]
    made = wait_for(lambda: (lambda e: e if e["status"] in ("completed", "failed") else None)(
        requests.get(restarted.url + f"/api/export/{project_id}/{again['export_id']}", headers=auth(key)).json()["data"]), timeout=60)
    assert made["status"] == "completed"
    assert len(requests.get(restarted.url + made["download_url"], headers=auth(key)).content) == made["size"]
