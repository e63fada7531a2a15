"""Several Quarry processes sharing one PostgreSQL database and one S3 bucket (SeaweedFS), end to end
against the real binary: work queued through any process is claimed by one; a process SIGKILLed under a
training run or an import has its work taken over by another (the run from its last checkpoint, kept in
the bucket), and each piece of work finishes once; `quarry worker` takes the GPU work no server can."""
import io
import os
import socket
import subprocess
import tempfile
import zipfile

import requests

from balancer import Deployment, start_worker
from conftest import BINARY
from hitl_support import FAST, wait_for
from images import distinct_pngs
from emulated_gpu import emulated_gpu
from test_postgres_deployment import hitl_flow, jtheta_flow, sqlite_hitl, sqlite_jtheta, with_server_log  # noqa: F401 (fixtures)
from test_studio_runs import auth, colour_project, experiment, finished


def deployment(postgres, seaweed, make_server, prefix, count=3):
    """`count` serve processes on a new database and one bucket prefix, and their settings."""
    settings = {"QUARRY_DATABASE_URL": postgres.create_database(), **seaweed.settings(prefix)}
    return [make_server(**settings) for _ in range(count)], settings


def claimer(postgres, settings, table, job_id):
    """The pid of the process that claimed the job, and its attempts."""
    rows = postgres.psql(f"SELECT p.pid, j.attempts FROM {table} j JOIN processes p ON p.id = j.claimed_by "
                         f"WHERE j.id = '{job_id}' AND j.status = 'running'", url=settings["QUARRY_DATABASE_URL"])
    return tuple(int(value) for value in rows[0].split("|")) if rows else None


def test_a_run_killed_with_its_process_is_resumed_by_another_from_its_checkpoint(postgres, seaweed, make_server):
    servers, settings = deployment(postgres, seaweed, make_server, "scale-run")
    key = servers[0].create_account("scale")
    # Requests spread across the processes, as a load balancer spreads them.
    project_id = colour_project(servers[1], key)
    exp_id = experiment(servers[2], key, project_id, epochs=40)
    run_id = requests.post(servers[0].url + f"/api/training/{project_id}/experiments/{exp_id}/run",
                           headers=auth(key)).json()["data"]["run_id"]
    url = f"/api/training/{project_id}/runs/{run_id}"
    wait_for(lambda: len(requests.get(servers[1].url + url, headers=auth(key)).json()["data"]["metrics"]) >= 2,
             timeout=120, what="two epochs")
    pid, attempts = claimer(postgres, settings, "runs", run_id)
    assert attempts == 1
    victim = next(server for server in servers if server.process.pid == pid)
    victim.kill()
    survivors = [server for server in servers if server is not victim]
    done = finished(survivors[0], key, project_id, run_id, timeout=300)
    # Every epoch once: those past the last checkpoint were trained again, and recorded once.
    assert done["status"] == "completed" and [m["epoch"] for m in done["metrics"]] == list(range(40)), done
    rows = postgres.psql(f"SELECT p.pid, r.attempts FROM runs r JOIN processes p ON p.id = r.claimed_by WHERE r.id = '{run_id}'",
                         url=settings["QUARRY_DATABASE_URL"])
    taker, attempts = (int(value) for value in rows[0].split("|"))
    assert taker in {server.process.pid for server in survivors} and attempts == 2
    # Its checkpoints are blobs in the bucket, so whichever process exports the model reads them.
    body = {"experiment_id": exp_id, "run_id": run_id, "format": "quarry"}
    export = requests.post(survivors[1].url + f"/api/export/{project_id}", json=body, headers=auth(key)).json()["data"]
    made = wait_for(lambda: (lambda e: e if e["status"] in ("completed", "failed") else None)(
        requests.get(survivors[0].url + f"/api/export/{project_id}/{export['export_id']}", headers=auth(key)).json()["data"]),
        timeout=60, what="the export")
    assert made["status"] == "completed", made


def test_an_import_killed_with_its_process_is_taken_over_and_imports_each_image_once(postgres, seaweed, make_server):
    servers, settings = deployment(postgres, seaweed, make_server, "scale-import")
    key = servers[0].create_account("scale-import")
    project_id = requests.post(servers[0].url + "/api/projects", json={"name": "p"}, headers=auth(key)).json()["data"]["id"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for i, data in enumerate(distinct_pngs(1500)):
            z.writestr(f"c{i % 3}/{i}.png", data)
    job = requests.post(servers[1].url + f"/api/datasets/{project_id}/import/upload", data=archive.getvalue(),
                        headers={**auth(key), "Content-Type": "application/zip"}).json()["data"]
    status_url = f"/api/datasets/{project_id}/imports/{job['id']}"
    holder = wait_for(lambda: claimer(postgres, settings, "import_jobs", job["id"])
                      or requests.get(servers[2].url + status_url, headers=auth(key)).json()["data"]["status"] == "done",
                      timeout=60, what="the import to be claimed")
    survivors = servers
    if holder is not True:
        victim = next(server for server in servers if server.process.pid == holder[0])
        victim.kill()
        survivors = [server for server in servers if server is not victim]
    after = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(survivors[0].url + status_url, headers=auth(key)).json()["data"]), timeout=120, what="the import")
    count = requests.get(survivors[-1].url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"]
    assert after["status"] == "done" and after["imported"] == 1500 and count == 1500, (after, count)
    # The archive was a blob only while the import could be taken over.
    assert postgres.psql(f"SELECT status FROM import_jobs WHERE id = '{job['id']}'", url=settings["QUARRY_DATABASE_URL"]) == ["completed"]


def test_work_queued_anywhere_is_claimed_once(postgres, seaweed, make_server):
    servers, settings = deployment(postgres, seaweed, make_server, "scale-claims")
    key = servers[0].create_account("scale-claims")
    project_id = colour_project(servers[0], key)
    runs = []
    for i, server in enumerate(servers * 2):
        exp_id = experiment(server, key, project_id, name=f"e{i}")
        runs.append(requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run",
                                  headers=auth(key)).json()["data"]["run_id"])
    for run_id in runs:
        done = finished(servers[2], key, project_id, run_id, timeout=300)
        assert done["status"] == "completed" and [m["epoch"] for m in done["metrics"]] == [0, 1], done
    attempts = postgres.psql("SELECT attempts FROM runs", url=settings["QUARRY_DATABASE_URL"])
    assert attempts == ["1"] * len(runs)


def test_a_gpu_run_waits_for_a_worker_with_that_gpu_which_then_trains_it(postgres, seaweed, make_server):
    settings = {"QUARRY_DATABASE_URL": postgres.create_database(), **seaweed.settings("scale-worker")}
    server = make_server(QUARRY_CUDA_LIBRARY="libcuda-not-installed.so.1", **settings)
    key = server.create_account("scale-worker")
    project_id = colour_project(server, key)
    # No process has a GPU and the deployment runs no worker: a GPU is refused at once, as on one box.
    refused = requests.post(server.url + f"/api/training/{project_id}/experiments", headers=auth(key),
                            json={"name": "early", "model": "small_cnn", "image_size": 8, "device": "gpu:0"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "GPU_NOT_AVAILABLE", refused.text
    # A deployment with workers queues work for a GPU none of them has now: one with it may join.
    cpu_worker, cpu_log = start_worker(settings, "cpu")
    worker = None
    try:
        exp_id = experiment(server, key, project_id, device="gpu:0")
        run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run",
                               headers=auth(key)).json()["data"]["run_id"]
        url = server.url + f"/api/training/{project_id}/runs/{run_id}"
        waiting = requests.get(url, headers=auth(key)).json()["data"]
        assert waiting["status"] == "pending" and "quarry worker --device gpu:0" in waiting["waiting_for"], waiting
        (listed_run,) = requests.get(server.url + f"/api/training/{project_id}/runs", headers=auth(key)).json()["data"]
        assert listed_run["waiting_for"] == waiting["waiting_for"], listed_run
        devices = requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]
        host = socket.gethostname()
        assert [(d["id"], d.get("host")) for d in devices["devices"]] == [("cpu", None), ("cpu", host)]
        assert devices["cuda_available"] is False

        worker, log = start_worker(settings, "gpu:0", **emulated_gpu())
        listed = wait_for(lambda: (lambda d: d if len(d["devices"]) == 3 else None)(
            requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]), what="the worker's GPU listed")
        assert ("gpu:0", host) in [(d["id"], d.get("host")) for d in listed["devices"]]
        assert listed["cuda_available"] is True and listed["default_selected"] == ["gpu:0"]
        done = finished(server, key, project_id, run_id, timeout=300)
        assert done["status"] == "completed" and "waiting_for" not in done, done
        rows = postgres.psql(f"SELECT p.role, p.pid FROM runs r JOIN processes p ON p.id = r.claimed_by WHERE r.id = '{run_id}'",
                             url=settings["QUARRY_DATABASE_URL"])
        assert rows == [f"worker|{worker.pid}"]
        # Its evaluation goes to the run's GPU too, which this server lacks but the worker offers.
        body = {"experiment_id": exp_id, "run_id": run_id}
        evaluation = requests.post(server.url + f"/api/evaluation/{project_id}", json=body, headers=auth(key)).json()["data"]
        evaluated = wait_for(lambda: (lambda e: e if e["status"] in ("completed", "failed") else None)(
            requests.get(server.url + f"/api/evaluation/{project_id}/{evaluation['eval_id']}", headers=auth(key)).json()["data"]),
            timeout=120, what="the evaluation")
        assert evaluated["status"] == "completed", evaluated
        rows = postgres.psql(f"SELECT e.device, p.pid FROM evaluations e JOIN processes p ON p.id = e.claimed_by "
                             f"WHERE e.id = '{evaluation['eval_id']}'", url=settings["QUARRY_DATABASE_URL"])
        assert rows == [f"gpu:0|{worker.pid}"]
    finally:
        for process, lines in [(cpu_worker, cpu_log)] + ([(worker, log)] if worker else []):
            process.terminate()
            assert process.wait(timeout=60) == 0, lines


def test_a_worker_needs_the_shared_database_and_bucket_and_its_devices(postgres, seaweed):
    settings = {"QUARRY_DATABASE_URL": postgres.create_database(), **seaweed.settings("scale-worker-refused")}
    for env, words, said in [
        ({}, ["--device", "gpu:0"], "a worker shares a deployment's PostgreSQL database and bucket"),
        (settings, [], "name the devices to take work for"),
        (settings, ["--device", "tpu:0"], "--device must be cpu or gpu:N, not 'tpu:0'"),
        ({**settings, "QUARRY_WORKER_DEVICES": "gpu:0, tpu:1"}, [], "--device must be cpu or gpu:N, not 'tpu:1'"),
        ({**settings, "QUARRY_CUDA_LIBRARY": "libcuda-not-installed.so.1"}, ["--device", "gpu:0"], "gpu:0 is not available"),
    ]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("QUARRY_")}
        done = subprocess.run([BINARY, "worker", *words], env={**clean, "QUARRY_DATA_DIR": tempfile.mkdtemp(), **env},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and said in done.stderr, (words, done.returncode, done.stderr)


def test_the_sdk_flow_through_three_servers_and_a_worker_gives_what_one_server_gives(postgres, seaweed, sqlite_jtheta, tmp_path):
    deployment = Deployment(postgres, seaweed, "scale-sdk")
    try:
        seen, exports = with_server_log(deployment, jtheta_flow, deployment.create_account("sdk"), tmp_path)
    finally:
        deployment.stop()
    expected, expected_exports = sqlite_jtheta
    assert seen == expected and exports == expected_exports


def test_the_hitl_flow_through_three_servers_and_a_worker_gives_what_one_server_gives(postgres, seaweed, sqlite_hitl, site):
    deployment = Deployment(postgres, seaweed, "scale-hitl", **FAST)
    try:
        seen = with_server_log(deployment, hitl_flow, site, deployment.settings)
    finally:
        deployment.stop()
    assert seen == sqlite_hitl and seen["attempts"] == [500, 200]
