"""`quarry admin backup` while the server serves and writes, then `quarry admin restore` into a fresh data
directory: a second server on the copy has the same accounts, projects, images (byte for byte, small ones
inline and a large one as a file), runs and checkpoints (an export of the run still works), and the
database passes its integrity check. Refusals: a backup into a non-empty folder, a restore over data."""
import io
import os
import subprocess
import tempfile
import threading
import zipfile

import requests

from conftest import BINARY, Server
from hitl_support import wait_for
from images import png
from test_studio_model_export import exported, trained
from test_studio_runs import auth, colour_project


def admin(data, *words):
    return subprocess.run([BINARY, "admin", *words, "--data", data], capture_output=True, text=True)


def test_an_online_backup_restores_into_an_identical_server():
    with tempfile.TemporaryDirectory() as directory:
        original = Server(data=os.path.join(directory, "data"))
        try:
            key = original.create_account("backup")
            project_id = colour_project(original, key)
            # One image over the inline limit (128 KiB), so the blob files are copied too.
            noise = bytes(os.urandom(160 * 1024))
            big = io.BytesIO()
            with zipfile.ZipFile(big, "w") as z:
                z.writestr("big/large.png", png(300, 300, (1, 2, 3)) + noise)
            job = requests.post(original.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("b.zip", big.getvalue())},
                                headers=auth(key)).json()["data"]
            done = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
                requests.get(original.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]))
            assert done["imported"] == 1, done
            exp_id, run_id = trained(original, key, project_id)
            # Writes keep landing while the backup runs: it must still be one consistent snapshot.
            stop = threading.Event()
            def write_projects():
                n = 0
                while not stop.is_set():
                    requests.post(original.url + "/api/projects", json={"name": f"busy-{n}"}, headers=auth(key))
                    n += 1
            writer = threading.Thread(target=write_projects)
            writer.start()
            backup = os.path.join(directory, "backup")
            made = admin(original.data, "backup", backup)
            stop.set()
            writer.join()
            assert made.returncode == 0, made.stderr
            assert admin(original.data, "backup", backup).returncode != 0  # not into a folder that has one
            before = requests.get(original.url + f"/api/datasets/{project_id}/images", params={"page_size": 500}, headers=auth(key)).json()["data"]
            images = {image["filename"]: requests.get(original.url + image["url"], headers=auth(key)).content for image in before["images"]}
            run = requests.get(original.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).json()["data"]
        finally:
            original.stop()

        restored_data = os.path.join(directory, "restored")
        restored = admin(restored_data, "restore", backup)
        assert restored.returncode == 0 and "integrity check ok" in restored.stdout, restored.stderr
        assert admin(restored_data, "restore", backup).returncode != 0  # never over existing data
        copy = Server(data=restored_data)
        try:
            after = requests.get(copy.url + f"/api/datasets/{project_id}/images", params={"page_size": 500}, headers=auth(key)).json()["data"]
            assert after["total"] == before["total"] == 49
            for image in after["images"]:
                assert requests.get(copy.url + image["url"], headers=auth(key)).content == images[image["filename"]]
            assert requests.get(copy.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).json()["data"] == run
            # The checkpoint came along: the run still exports.
            assert exported(copy, key, project_id, {"experiment_id": exp_id, "run_id": run_id, "format": "quarry"})["status"] == "completed"
            names = {p["name"] for p in requests.get(copy.url + "/api/projects", headers=auth(key)).json()["data"]}
            assert "colours" in names
        finally:
            copy.stop()
