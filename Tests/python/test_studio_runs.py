"""Runs through the Studio API on a small two-class data set made here: start, metrics, the event
stream, stop and resume, delete, and the errors."""
import contextlib
import io
import json
import os
import sqlite3
import zipfile

import requests

from hitl_support import wait_for
from images import png


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def colour_project(server, key):
    """A new Studio project holding `import_colours`."""
    project_id = requests.post(server.url + "/api/projects", json={"name": "colours"}, headers=auth(key)).json()["data"]["id"]
    import_colours(server, key, project_id)
    return project_id


def import_colours(server, key, project_id, ratios=(0.8, 0.1, 0.1)):
    """Reds and blues, 24 each (r0.png … and b0.png …), imported into the project by class folder and split."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(24):
            z.writestr(f"red/r{i}.png", png(8, 8, (200 + i, 10, 10)))
            z.writestr(f"blue/b{i}.png", png(8, 8, (10, 10, 200 + i)))
    job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("c.zip", out.getvalue())},
                        headers=auth(key)).json()["data"]
    ended = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(server.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]))
    assert ended["status"] == "done", ended
    train, val, test = ratios
    split = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": train, "val": val, "test": test},
                                                                         "seed": 1}, headers=auth(key))
    assert split.status_code == 201, split.text


def experiment(server, key, project_id, **config):
    body = {"name": config.pop("name", "exp"), "model": "small_cnn", "image_size": 8, "epochs": 2, "batch_size": 8,
            "optimizer": {"name": "adamw", "lr": 0.01}, "scheduler": {"name": "none"}, "seed": 3, **config}
    response = requests.post(server.url + f"/api/training/{project_id}/experiments", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def finished(server, key, project_id, run_id, timeout=120):
    url = server.url + f"/api/training/{project_id}/runs/{run_id}"
    return wait_for(lambda: (lambda r: r if r["status"] not in ("pending", "running") else None)(
        requests.get(url, headers=auth(key)).json()["data"]), timeout=timeout)


def trained(server, key, project_id, **config):
    """A completed run of a new experiment: (experiment id, run id)."""
    exp_id = experiment(server, key, project_id, **config)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    assert finished(server, key, project_id, run_id)["status"] == "completed"
    return exp_id, run_id


def test_a_run_trains_and_reports(server):
    key = server.create_account("runs")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id)
    started = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key))
    assert started.status_code == 201, started.text
    assert started.json()["data"]["status"] == "pending"
    run_id = started.json()["data"]["run_id"]
    run = finished(server, key, project_id, run_id)
    assert run["status"] == "completed", run
    assert run["classes"] == ["blue", "red"]
    assert [m["epoch"] for m in run["metrics"]] == [0, 1]
    last = run["metrics"][-1]
    assert set(last) == {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "images_per_second", "epoch_time"}
    assert last["images_per_second"] > 0 and last["epoch_time"] > 0
    assert requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}/metrics", headers=auth(key)).json()["data"] == run["metrics"]
    stream = requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}/stream", headers=auth(key), timeout=10)
    assert stream.headers["Content-Type"] == "text/event-stream"
    events = [line.split(": ", 1)[1] for line in stream.text.splitlines() if line.startswith("event: ")]
    assert events == ["epoch_end", "epoch_end", "status", "complete"] and "id: complete" in stream.text
    # An EventSource reconnecting after `complete` sends its id back and is told to stop.
    again = requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}/stream",
                         headers={**auth(key), "Last-Event-ID": "complete"}, timeout=10)
    assert again.status_code == 204 and again.text == ""
    assert requests.delete(server.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).json()["data"]["deleted"] is True
    assert requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).status_code == 404


def test_a_live_stream_replays_and_follows(server):
    key = server.create_account("live")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id, epochs=3)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    with requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}/stream", headers=auth(key), stream=True, timeout=120) as stream:
        lines = [line for line in stream.iter_lines(decode_unicode=True) if line]
    names = [line.split(": ", 1)[1] for line in lines if line.startswith("event: ")]
    assert names[-1] == "complete" and names.count("epoch_end") == 3 and "progress" in names
    # Live epoch events read as the run's metrics do, in the API's names.
    epochs = [json.loads(lines[i + 1].split(": ", 1)[1]) for i, line in enumerate(lines) if line == "event: epoch_end"]
    finished_metrics = requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}/metrics", headers=auth(key)).json()["data"]
    assert [set(e) for e in epochs] == [set(m) for m in finished_metrics] and "train_loss" in epochs[0]


def test_stop_and_resume(server):
    key = server.create_account("stop")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id, epochs=200)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    url = server.url + f"/api/training/{project_id}/runs/{run_id}"
    wait_for(lambda: requests.get(url, headers=auth(key)).json()["data"]["metrics"])
    assert requests.post(url + "/stop", headers=auth(key)).json()["data"]["status"] == "stopping"
    stopped = finished(server, key, project_id, run_id)
    assert stopped["status"] == "stopped" and 1 <= len(stopped["metrics"]) < 200
    assert requests.post(url + "/stop", headers=auth(key)).status_code == 409
    assert requests.delete(url, headers=auth(key)).status_code == 200
    assert requests.get(url, headers=auth(key)).status_code == 404


def test_resume_continues_from_the_last_checkpoint(server):
    key = server.create_account("resume")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id, epochs=60)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    url = server.url + f"/api/training/{project_id}/runs/{run_id}"
    wait_for(lambda: len(requests.get(url, headers=auth(key)).json()["data"]["metrics"]) >= 2)
    requests.post(url + "/stop", headers=auth(key))
    stopped = finished(server, key, project_id, run_id)
    assert stopped["status"] == "stopped"
    assert requests.post(url + "/resume", headers=auth(key)).json()["data"]["status"] == "pending"
    resumed = finished(server, key, project_id, run_id, timeout=300)
    assert resumed["status"] == "completed"
    assert [m["epoch"] for m in resumed["metrics"]] == list(range(60))
    assert requests.post(url + "/resume", headers=auth(key)).status_code == 409


def test_runs_that_cannot_train_are_refused(server):
    key = server.create_account("refused")
    project_id = colour_project(server, key)
    no_split = experiment(server, key, project_id, name="no-split", split_index=5)
    response = requests.post(server.url + f"/api/training/{project_id}/experiments/{no_split}/run", headers=auth(key))
    assert response.status_code == 404 and response.json()["error"] == {"code": "SPLIT_NOT_FOUND", "message": "split 5 not found"}
    # A GPU this server does not have is refused when the experiment is saved (test_studio_gpu starts one).
    response = requests.post(server.url + f"/api/training/{project_id}/experiments", headers=auth(key),
                             json={"name": "gpu", "model": "small_cnn", "image_size": 8, "device": "gpu:0"})
    error = response.json()["error"]
    assert response.status_code == 422 and error["code"] == "GPU_NOT_AVAILABLE", response.text
    assert error["message"].startswith("device gpu:0 is not available") and error["details"]["field"] == "device"
    missing = requests.get(server.url + f"/api/training/{project_id}/runs/run-000000000000", headers=auth(key))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "RUN_NOT_FOUND"


def test_a_failed_run_records_the_type_and_message_of_its_error(server):
    """Images that can no longer be decoded fail the run as `data_error`, with the decoder's words."""
    key = server.create_account("failing")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id)
    # The colour images are small, so the blob store keeps them in its SQLite file: garble them all there.
    with contextlib.closing(sqlite3.connect(os.path.join(server.data, "blobs", "inline.sqlite"), timeout=10)) as db, db:
        db.execute("UPDATE inline_blobs SET data = x'00'")
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    run = finished(server, key, project_id, run_id)
    assert run["status"] == "failed" and set(run["error"]) == {"type", "message"}, run
    assert run["error"]["type"] == "data_error" and run["error"]["message"], run


def run_past_its_first_epoch(server, key):
    """A 40-epoch run that has recorded at least one epoch: its project, id and URL path."""
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id, epochs=40)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    url = f"/api/training/{project_id}/runs/{run_id}"
    wait_for(lambda: len(requests.get(server.url + url, headers=auth(key)).json()["data"]["metrics"]) >= 1)
    return project_id, run_id, url


def test_a_run_killed_with_the_server_is_taken_over_by_the_restart_from_its_checkpoint(make_server):
    server = make_server()
    key = server.create_account("crash")
    project_id, run_id, url = run_past_its_first_epoch(server, key)
    server.kill()
    # Nobody asks: the restarted server finds the run's process gone and takes the run over.
    restarted = make_server(data=server.data)
    resumed = finished(restarted, key, project_id, run_id, timeout=300)
    assert resumed["status"] == "completed" and [m["epoch"] for m in resumed["metrics"]] == list(range(40))


def test_an_epoch_recorded_but_not_checkpointed_is_trained_and_recorded_once(make_server):
    """A process can die between recording an epoch and checkpointing it: the resume trains that epoch again
    and its row is replaced, not doubled."""
    server = make_server()
    key = server.create_account("gap")
    project_id, run_id, url = run_past_its_first_epoch(server, key)
    assert requests.post(server.url + url + "/stop", headers=auth(key)).status_code == 200
    stopped = finished(server, key, project_id, run_id)
    assert stopped["status"] == "stopped"
    phantom = stopped["metrics"][-1]["epoch"] + 1
    with contextlib.closing(sqlite3.connect(os.path.join(server.data, "quarry.sqlite"), timeout=10)) as db, db:
        (row,) = db.execute("SELECT metrics FROM runs WHERE id = ?", (run_id,)).fetchone()
        stored = json.loads(row)
        stored.append(dict(stored[-1], epoch=phantom, validationAccuracy=0.123))
        db.execute("UPDATE runs SET metrics = ? WHERE id = ?", (json.dumps(stored), run_id))
    assert requests.get(server.url + url, headers=auth(key)).json()["data"]["metrics"][-1]["epoch"] == phantom
    assert requests.post(server.url + url + "/resume", headers=auth(key)).status_code == 200
    resumed = finished(server, key, project_id, run_id, timeout=300)
    assert resumed["status"] == "completed" and [m["epoch"] for m in resumed["metrics"]] == list(range(40))
    assert all(m["val_accuracy"] != 0.123 for m in resumed["metrics"])


def test_sigterm_mid_run_stops_it_cleanly_and_the_next_start_goes_on_from_its_checkpoint(make_server):
    server = make_server()
    key = server.create_account("sigterm")
    project_id, run_id, url = run_past_its_first_epoch(server, key)
    # The run stops at its next batch and writes its checkpoint before the database closes, well inside the grace.
    server.process.terminate()
    assert server.process.wait(timeout=20) == 0
    # The log is drained by a thread of its own, which may still hold the last lines.
    wait_for(lambda: any(line.startswith("stopped") for line in server.log), timeout=5)
    assert not any("still going" in line for line in server.log), server.log
    with contextlib.closing(sqlite3.connect(os.path.join(server.data, "quarry.sqlite"), timeout=10)) as db:
        status, metrics = db.execute("SELECT status, metrics FROM runs WHERE id = ?", (run_id,)).fetchone()
    assert status == "pending", "it waits for a process to take it over"
    done = len(json.loads(metrics))
    restarted = make_server(data=server.data)
    # It goes on from the checkpoint written at the stop: the next epoch is the one after the last recorded.
    resumed = wait_for(lambda: (lambda r: r if len(r["metrics"]) > done else None)(
        requests.get(restarted.url + url, headers=auth(key)).json()["data"]), timeout=60)
    assert [m["epoch"] for m in resumed["metrics"]][:done + 1] == list(range(done + 1))
    requests.post(restarted.url + url + "/stop", headers=auth(key))
    assert finished(restarted, key, project_id, run_id)["status"] == "stopped"
