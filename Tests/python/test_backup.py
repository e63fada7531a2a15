"""`quarry admin backup` while the server serves and writes, then `quarry admin restore` into a fresh data
directory: a second server on the copy has the same accounts, projects, images (byte for byte, small ones
inline and a large one as a file), runs and checkpoints (an export of the run still works), and the
database passes its integrity check. Admin commands beside a live server leave its work alone. Refusals: a
backup into a non-empty folder, a restore over data, a restore from a folder that is no backup."""
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
from test_studio_model_export import exported
from test_studio_runs import auth, colour_project, finished, run_past_its_first_epoch, trained


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


def test_admin_commands_beside_a_live_server_leave_its_work_alone():
    """Only the server settles what a previous process left unfinished; a backup or an account listing
    run while it trains must not mark its run interrupted or empty its temp directory."""
    with tempfile.TemporaryDirectory() as directory:
        server = Server(data=os.path.join(directory, "data"))
        try:
            key = server.create_account("beside")
            project_id, run_id, url = run_past_its_first_epoch(server, key)
            spooled = os.path.join(server.data, "blobs", "tmp", "upload-in-flight")
            with open(spooled, "wb") as file:
                file.write(b"a body still arriving")
            assert admin(server.data, "account", "list").returncode == 0
            made = admin(server.data, "backup", os.path.join(directory, "copy"))
            assert made.returncode == 0, made.stderr
            run = requests.get(server.url + url, headers=auth(key)).json()["data"]
            assert run["status"] == "running", run
            assert os.path.exists(spooled)
            epochs = len(run["metrics"])
            wait_for(lambda: len(requests.get(server.url + url, headers=auth(key)).json()["data"]["metrics"]) > epochs, timeout=60)
            requests.post(server.url + url + "/stop", headers=auth(key))
            assert finished(server, key, project_id, run_id)["status"] == "stopped"
        finally:
            server.stop()


def test_a_folder_without_a_database_is_no_backup():
    with tempfile.TemporaryDirectory() as directory:
        empty = os.path.join(directory, "empty")
        os.makedirs(empty)
        refused = admin(os.path.join(directory, "data"), "restore", empty)
        assert refused.returncode != 0 and "not a backup" in refused.stderr
        assert not os.path.exists(os.path.join(directory, "data", "quarry.sqlite"))
