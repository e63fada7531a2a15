"""Load: a fixed mix of authenticated reads, HITL jobs created from URLs on a local file server, and
JTheta image uploads, over keep-alive connections on loopback; first on a quiet server, then while a
Studio training run goes on. Throughput, latency percentiles and errors under training are reported
beside the quiet rounds (what training costs the API), and the server's RSS round after round, which
must stay flat (a leak grows it with every round)."""
import http.client
import io
import json
import math
import multiprocessing
import os
import queue
import random
import secrets
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from PIL import Image

from figure import Figure
from http_bench import QUARRY, free_port, wait_for_port

CONNECTIONS = 8
REQUESTS = int(os.environ.get("BENCH_LOAD_REQUESTS", "12000"))  # per round, over all connections
ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "5"))
QUIET_ROUNDS = 2
WARM_UP_REQUESTS = 960
# Of every 20 requests: 14 authenticated reads, 3 HITL jobs created from file URLs, 3 JTheta uploads.
MIX = [("job_status", 4), ("project_status", 3), ("studio_projects", 3), ("studio_dataset", 4), ("create_job", 3), ("upload", 3)]
BLOCK = sum(count for _, count in MIX)
LEAK_TOLERANCE = 0.10
if REQUESTS % (CONNECTIONS * BLOCK) or ROUNDS < 2:
    raise SystemExit(f"BENCH_LOAD_REQUESTS must be a multiple of {CONNECTIONS * BLOCK} (connections × the mix's block) and "
                     "BENCH_LOAD_ROUNDS at least 2 (the leak check compares the second round with the last)")
RSS_INTERVAL = 0.1
# The three APIs' projects share one namespace per account.
JTHETA_PROJECT = "load-uploads"
BOUNDARY = "quarry-load-bench-boundary"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Target:
    """What the clients need to know about the prepared server (plain data, inherited by forked clients)."""
    port: int
    key: str
    hitl_project: str
    job_ids: list
    file_urls: list
    studio_project: str
    jtheta_dataset: int


@dataclass
class Round:
    requests: int
    seconds: float
    latencies: list  # seconds
    failures: list
    rss: list  # the server's VmRSS in MiB, read every RSS_INTERVAL seconds during the round

    @property
    def rate(self):
        return self.requests / self.seconds

    @property
    def typical_rss(self):
        """The median reading: a training batch's buffers move RSS by up to 20 MiB within a second, so
        one reading says more about where the batch was than about the round."""
        return statistics.median(self.rss)


class FileServer:
    """Serves the HITL instructions and job images on loopback, as a client's own storage would."""

    def __init__(self, files):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body, content_type = files.get(self.path, (b"", None))
                self.send_response(200 if content_type else 404)
                self.send_header("Content-Length", str(len(body)))
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def encoded(image, kind):
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def job_files():
    """The instructions, and four small images (two PNGs, two JPEGs) that created jobs download in turn."""
    files = {"/instructions.pdf": (PDF, "application/pdf")}
    for i, colour in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]):
        kind, suffix, mime = ("PNG", "png", "image/png") if i % 2 == 0 else ("JPEG", "jpg", "image/jpeg")
        files[f"/frames/{i}.{suffix}"] = (encoded(Image.new("RGB", (64, 48), colour), kind), mime)
    return files


def training_archive():
    """Three colour classes of 64 noisy 32×32 PNGs each, from a fixed seed, so every run trains on the same data."""
    rng = random.Random(0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, colour in [("red", (200, 40, 40)), ("green", (40, 200, 40)), ("blue", (40, 40, 200))]:
            for i in range(64):
                noise = Image.frombytes("RGB", (32, 32), rng.randbytes(32 * 32 * 3))
                z.writestr(f"{name}/{i}.png", encoded(Image.blend(Image.new("RGB", (32, 32), colour), noise, 0.3), "PNG"))
    return out.getvalue()


def unique_png(serial):
    """A 16×12 PNG whose colour is the serial number, so every upload stores a new blob, not a duplicate."""
    return encoded(Image.new("RGB", (16, 12), (serial & 255, (serial >> 8) & 255, (serial >> 16) & 255)), "PNG")


def upload_body(target, serial):
    """The multipart form of `POST /upload_images_to_dataset/`, built before the clock starts."""
    fields = [("dataset_id", target.jtheta_dataset), ("project_name", JTHETA_PROJECT)]
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="images"; filename="load-{serial}.png"\r\n'
                 f"Content-Type: image/png\r\n\r\n".encode() + unique_png(serial) + f"\r\n--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def request_for(target, kind, n, serial):
    """(method, path, body, headers) of the n-th request of its kind in a client's schedule."""
    hitl = {"Authorization": f"api_key {target.key}"}
    bearer = {"Authorization": f"Bearer {target.key}"}
    if kind == "job_status":
        return "GET", f"/v1/jobs/{target.hitl_project}/{target.job_ids[n % len(target.job_ids)]}", None, hitl
    if kind == "project_status":
        return "GET", f"/v1/projects/{target.hitl_project}", None, hitl
    if kind == "studio_projects":
        return "GET", "/api/projects", None, bearer
    if kind == "studio_dataset":
        return "GET", f"/api/datasets/{target.studio_project}", None, bearer
    if kind == "create_job":
        body = json.dumps({"project_id": target.hitl_project, "file_urls": [target.file_urls[n % len(target.file_urls)]]})
        return "POST", "/v1/jobs", body.encode(), {**hitl, "Content-Type": "application/json"}
    return "POST", "/upload_images_to_dataset/", upload_body(target, serial), {
        **bearer, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def plan(target, count, round_index, client):
    """One client's requests for a round: blocks of MIX, each shuffled with a seed fixed by round and client."""
    rng = random.Random(round_index * 1000 + client)
    kinds = []
    for _ in range(count // BLOCK):
        block = [kind for kind, times in MIX for _ in range(times)]
        rng.shuffle(block)
        kinds += block
    seen = {}
    schedule = []
    for i, kind in enumerate(kinds):
        seen[kind] = seen.get(kind, 0) + 1
        schedule.append(request_for(target, kind, seen[kind], round_index * REQUESTS + client * count + i))
    return schedule


def client(port, schedule, barrier, results):
    """One keep-alive connection sending its schedule back to back (a closed loop, as wrk's are)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.connect()
    latencies, failures = [], []
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for method, path, body, headers in schedule:
        sent = time.perf_counter()
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            answer, status = response.read(), response.status
        except (OSError, http.client.HTTPException) as error:
            answer, status = repr(error).encode(), None
            connection.close()  # the next request opens a new connection
        latencies.append(time.perf_counter() - sent)
        if status is None or not 200 <= status < 300:
            failures.append(f"{method} {path}: {status} {answer[:200]!r}")
    results.put((started, time.perf_counter(), latencies, failures))
    connection.close()


def load_round(target, count, round_index, server_pid=None, ports=None, connections=CONNECTIONS):
    """`count` requests over `connections` forked clients that start together, with the server's RSS read
    meanwhile (when `server_pid` is given); the round lasts from the first client's start to the last one's end.
    Client i connects to ports[i % len(ports)], as a load balancer would spread them (target.port alone by default)."""
    ports = ports or [target.port]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(connections)
    results = context.Queue()
    per_client = count // connections
    clients = [context.Process(target=client, args=(ports[i % len(ports)], plan(target, per_client, round_index, i), barrier, results))
               for i in range(connections)]
    for process in clients:
        process.start()
    outcomes, rss = [], []
    while len(outcomes) < len(clients):
        if not any(process.is_alive() for process in clients) and results.empty():
            raise RuntimeError(f"load round {round_index}: {len(clients) - len(outcomes)} clients died")
        if server_pid is not None:
            rss.append(rss_mib(server_pid))
        try:
            outcomes.append(results.get(timeout=RSS_INTERVAL))
        except queue.Empty:
            pass
    for process in clients:
        process.join()
    latencies = [latency for outcome in outcomes for latency in outcome[2]]
    seconds = max(outcome[1] for outcome in outcomes) - min(outcome[0] for outcome in outcomes)
    return Round(len(latencies), seconds, latencies, [failure for outcome in outcomes for failure in outcome[3]], rss)


def combined(rounds):
    return Round(sum(r.requests for r in rounds), sum(r.seconds for r in rounds), [latency for r in rounds for latency in r.latencies],
                 [failure for r in rounds for failure in r.failures], [value for r in rounds for value in r.rss])


def percentile(values, fraction):
    """Nearest rank, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)] * 1000


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_server(work, admin_key):
    """The release binary on a fresh data directory, with an account made by the CLI; returns (process, port, key)."""
    port = free_port()
    env = dict(os.environ, QUARRY_DATA_DIR=os.path.join(work, "data"), QUARRY_PORT=str(port), QUARRY_ACCESS_LOG="0",
               QUARRY_ADMIN_KEY=admin_key, QUARRY_ALLOW_PRIVATE_URLS="1")
    created = subprocess.run([QUARRY, "admin", "account", "create", "bench"], env=env, capture_output=True, text=True, check=True)
    with open(os.path.join(work, "quarry.log"), "w") as log:
        server = subprocess.Popen([QUARRY, "serve"], env=env, stdout=log, stderr=log)
    wait_for_port(port)
    return server, port, created.stdout.strip().splitlines()[-1]


def stop_server(server):
    """SIGTERM, as systemd stops it, and SIGKILL if it is still there 30 s later: a process that exits while
    a run trains can hang in OpenBLAS's exit handler, so the bench stops its run first."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        raise RuntimeError("quarry did not exit within 30 s of SIGTERM")


def log_tail(work, lines=20):
    with open(os.path.join(work, "quarry.log"), errors="replace") as log:
        return "".join(log.readlines()[-lines:])


def checked(response):
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} {response.text}")
    return response.json()


def wait_until(what, check, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def prepare_hitl(url, key, admin_key, files):
    """An active HITL project (made from an instructions URL, activated by the admin API) and 16 jobs to
    read; returns (project id, job ids, the image URLs jobs are made from)."""
    hitl = {"Authorization": f"api_key {key}"}
    body = {"name": "load-jobs", "instructions_file_url": files.url + "/instructions.pdf"}
    project = checked(requests.post(url + "/v1/projects", json=body, headers=hitl))["id"]
    checked(requests.post(url + f"/admin/projects/{project}/activate", json={"annotator": "ann@load.test", "reviewer": "rev@load.test"},
                          headers={"Authorization": f"Bearer {admin_key}"}))
    file_urls = [files.url + path for path in sorted(job_files()) if path.startswith("/frames/")]
    jobs = [checked(requests.post(url + "/v1/jobs", json={"project_id": project, "file_urls": [file_urls[i % len(file_urls)]]},
                                  headers=hitl))["job_id"] for i in range(16)]
    return project, jobs, file_urls


def prepare_jtheta(url, key):
    """The JTheta project and dataset the uploads add to; returns the dataset's id."""
    bearer = {"Authorization": f"Bearer {key}"}
    checked(requests.post(url + "/create_project/", json={"project_title": JTHETA_PROJECT, "project_category": "bench"}, headers=bearer))
    created = checked(requests.post(url + "/create_dataset/", data={"dataset_name": "uploads", "project_name": JTHETA_PROJECT},
                                    files=[("images", ("first.png", unique_png(0xFFFFFF)))], headers=bearer))
    return created["dataset_id"]


def prepare_studio(url, key):
    """A Studio project with the colour data set imported and split, and a small_cnn experiment of 1,000
    epochs, far more than the rounds last; returns (project id, experiment id)."""
    bearer = {"Authorization": f"Bearer {key}"}
    project = checked(requests.post(url + "/api/projects", json={"name": "load-training"}, headers=bearer))["data"]["id"]
    job = checked(requests.post(url + f"/api/datasets/{project}/import/upload", data=training_archive(),
                                headers={**bearer, "Content-Type": "application/zip"}))["data"]

    def finished():
        state = checked(requests.get(url + f"/api/datasets/{project}/imports/{job['id']}", headers=bearer))["data"]
        return state if state["status"] in ("done", "failed") else None

    done = wait_until("the import", finished)
    if done["status"] != "done" or done["imported"] != 3 * 64:
        raise RuntimeError(f"import did not complete: {done}")
    checked(requests.post(url + f"/api/splits/{project}", json={"name": "s", "ratios": {"train": 0.8, "val": 0.1, "test": 0.1}, "seed": 1},
                          headers=bearer))
    experiment = checked(requests.post(url + f"/api/training/{project}/experiments", headers=bearer, json={
        "name": "load", "model": "small_cnn", "image_size": 32, "epochs": 1000, "batch_size": 16,
        "optimizer": {"name": "adamw", "lr": 0.001}, "scheduler": {"name": "none"}, "seed": 3}))["data"]["id"]
    return project, experiment


def run_state(url, key, project, run):
    return checked(requests.get(url + f"/api/training/{project}/runs/{run}", headers={"Authorization": f"Bearer {key}"}))["data"]


def start_training(url, key, project, experiment):
    """Starts the run and waits for its first epoch, so the rounds meet it in its steady state."""
    run = checked(requests.post(url + f"/api/training/{project}/experiments/{experiment}/run",
                                headers={"Authorization": f"Bearer {key}"}))["data"]["run_id"]
    wait_until("the run's first epoch", lambda: run_state(url, key, project, run)["metrics"])
    return run


def epochs_while_running(url, key, project, run):
    """The epochs trained so far, refusing a run that is no longer `running` (the rounds would not be under training)."""
    state = run_state(url, key, project, run)
    if state["status"] != "running":
        raise RuntimeError(f"the training run is {state['status']} during the load, not running: {state.get('error')}")
    return len(state["metrics"])


def stop_training(url, key, project, run):
    checked(requests.post(url + f"/api/training/{project}/runs/{run}/stop", headers={"Authorization": f"Bearer {key}"}))
    wait_until("the run to stop", lambda: run_state(url, key, project, run)["status"] == "stopped")


def report(name, result, extra=""):
    """Prints one round, and refuses to go on past errors, naming the first few."""
    print(f"  load {name}: {result.requests} requests in {result.seconds:.1f} s, {result.rate:.0f} req/s, "
          f"p99 {percentile(result.latencies, 0.99):.1f} ms, RSS {result.typical_rss:.1f} MiB{extra}", flush=True)
    if result.failures:
        for failure in result.failures[:10]:
            print("    " + failure)
        raise RuntimeError(f"load {name}: {len(result.failures)} failed requests of {result.requests}")


def check_flat(rounds):
    """Round 2 against the last round: the first still fills SQLite's page caches and malloc's arenas."""
    rss = [r.typical_rss for r in rounds]
    if rss[-1] > rss[1] * (1 + LEAK_TOLERANCE):
        raise RuntimeError("RSS grows round after round (median MiB of each): " + ", ".join(f"{value:.1f}" for value in rss))


def measure(server, target, url, key, experiment):
    """Warm-up, the quiet rounds, then the rounds under training; returns (quiet rounds, rounds under training)."""
    report("warm-up", load_round(target, WARM_UP_REQUESTS, 0, server.pid))
    print(f"  load RSS before the rounds: {rss_mib(server.pid):.1f} MiB", flush=True)
    quiet = []
    for i in range(QUIET_ROUNDS):
        quiet.append(load_round(target, REQUESTS, 1 + i, server.pid))
        report(f"quiet round {i + 1}", quiet[-1])
    run = start_training(url, key, target.studio_project, experiment)
    loaded = []
    try:
        for i in range(ROUNDS):
            loaded.append(load_round(target, REQUESTS, 1 + QUIET_ROUNDS + i, server.pid))
            epochs = epochs_while_running(url, key, target.studio_project, run)
            report(f"training round {i + 1}", loaded[-1], f", {epochs} epochs trained")
    finally:
        stop_training(url, key, target.studio_project, run)
    check_flat(loaded)
    return quiet, loaded


def run():
    work = tempfile.mkdtemp(prefix="quarry-bench-load-")
    admin_key = secrets.token_hex(16)
    files = FileServer(job_files())
    server = None
    try:
        server, port, key = start_server(work, admin_key)
        url = f"http://127.0.0.1:{port}"
        hitl_project, job_ids, file_urls = prepare_hitl(url, key, admin_key, files)
        studio_project, experiment = prepare_studio(url, key)
        target = Target(port, key, hitl_project, job_ids, file_urls, studio_project, prepare_jtheta(url, key))
        quiet_rounds, loaded_rounds = measure(server, target, url, key, experiment)
    except Exception:
        if server is not None:
            print("quarry's log ends:\n" + log_tail(work))
        raise
    finally:
        try:
            if server is not None:
                stop_server(server)
        finally:
            files.stop()
            shutil.rmtree(work, ignore_errors=True)
    quiet, loaded = combined(quiet_rounds), combined(loaded_rounds)
    reference = "same mix, no training"
    return [
        Figure("load_mixed_requests_per_second", loaded.rate, "req/s", reference, quiet.rate, True),
        Figure("load_mixed_p50_latency", percentile(loaded.latencies, 0.5), "ms", reference, percentile(quiet.latencies, 0.5), False),
        Figure("load_mixed_p99_latency", percentile(loaded.latencies, 0.99), "ms", reference, percentile(quiet.latencies, 0.99), False),
        Figure("load_mixed_p999_latency", percentile(loaded.latencies, 0.999), "ms", reference, percentile(quiet.latencies, 0.999), False),
        Figure("load_mixed_errors", len(loaded.failures), "requests", "requests sent", loaded.requests, False),
        Figure("load_rss_last_round", loaded_rounds[-1].typical_rss, "MiB", "first round", loaded_rounds[0].typical_rss, False),
    ]
