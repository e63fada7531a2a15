"""A full disk: with the data directory on a small tmpfs filled up, uploads fail with a clear 507 in each
API's error shape, nothing is left half-written, the database stays sound and the server keeps answering;
once space returns, the same upload succeeds. Mounting needs root (CI and the development machines run
as root); elsewhere the test says it is skipped and why."""
import io
import os
import sqlite3
import subprocess
import tempfile
import zipfile

import pytest
import requests

from conftest import Server
from hitl_support import wait_for
from images import distinct_pngs
from test_jtheta import create_project
from test_studio_runs import auth


@pytest.fixture
def small_disk():
    mountpoint = tempfile.mkdtemp(prefix="quarry-tmpfs-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mountpoint], capture_output=True, text=True)
    if mounted.returncode != 0:
        os.rmdir(mountpoint)
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the disk-full test needs root")
    yield mountpoint
    subprocess.run(["umount", "-l", mountpoint])
    os.rmdir(mountpoint)


def archive(count):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i, data in enumerate(distinct_pngs(count)):
            z.writestr(f"c{i % 2}/{i}.png", data + os.urandom(40_000))  # bulk that does not compress
    return out.getvalue()


def test_uploads_fail_with_507_and_succeed_once_space_returns(small_disk):
    server = Server(data=os.path.join(small_disk, "data"))
    try:
        key = server.create_account("full")
        project_id = requests.post(server.url + "/api/projects", json={"name": "p"}, headers=auth(key)).json()["data"]["id"]
        create_project(server, key, "Jt")
        zipped = archive(150)  # about 6 MiB
        filler = os.path.join(small_disk, "filler")
        stat = os.statvfs(small_disk)
        with open(filler, "wb") as file:
            file.write(b"\0" * (stat.f_bavail * stat.f_frsize - (1 << 20)))

        refused = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", data=zipped,
                                headers={**auth(key), "Content-Type": "application/zip"})
        assert refused.status_code == 507 and refused.json()["error"]["code"] == "INSUFFICIENT_STORAGE", refused.text
        jtheta = requests.post(server.url + "/create_dataset/", headers=auth(key), data={"project_name": "Jt", "dataset_name": "d"},
                               files=[("images", (f"{i}.png", data + os.urandom(40_000))) for i, data in enumerate(distinct_pngs(150))])
        assert jtheta.status_code == 507 and "detail" in jtheta.json(), jtheta.text
        # Still answering, nothing half-written, nothing left spooled.
        assert requests.get(server.url + "/api/projects", headers=auth(key)).status_code == 200
        assert requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"] == 0
        assert os.listdir(os.path.join(server.data, "blobs", "tmp")) == []
        with sqlite3.connect(os.path.join(server.data, "quarry.sqlite")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

        os.remove(filler)
        job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", data=zipped,
                            headers={**auth(key), "Content-Type": "application/zip"})
        assert job.status_code in (200, 201, 202), job.text
        done = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
            requests.get(server.url + f"/api/datasets/{project_id}/imports/{job.json()['data']['id']}", headers=auth(key)).json()["data"]), timeout=60)
        assert done["status"] == "done" and done["imported"] == 150
    finally:
        server.stop()
