"""Quarry deployed on PostgreSQL (QUARRY_DATABASE_URL), end to end against the real binary and a private
PostgreSQL server (postgres_server.py): the JTheta SDK's and the HITL API's flows give what the SQLite-backed
server gives, with blobs in the data directory and, "past one box", in an S3 bucket (SeaweedFS) too; `quarry
admin` beside the server shares its accounts; PostgreSQL stopped under load is a 503 with Retry-After in each
API's error shape and the server recovers, losing no acknowledged write, without a restart; a database that
cannot be used stops `quarry serve` at start-up without printing the password; and two processes share one
database. PostgreSQL or SeaweedFS missing is a failure naming `make test-deps`, never a skip."""
import io
import json
import os
import re
import subprocess
import threading
import time
import zipfile

import pytest
import requests
from jtheta import JThetaClient

from conftest import ADMIN_KEY, BINARY, Server
from hitl_support import FAST, PDF, admin_header, key_header, wait_for
from images import jpeg, png
from postgres_server import PostgresServer, PostgresServerError, free_port
from site_server import Site

UNAVAILABLE = "the database is not answering; try again shortly"


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def poll_status(url, status, timeout, **arguments):
    """GETs `url` until it answers `status`; the answer. Fails with the last answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(url, timeout=10, **arguments)
        if answer.status_code == status:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"GET {url}: {answer.status_code} {answer.text[:300]}, not {status}, after {timeout} s")
        time.sleep(0.02)


def admin(data, settings, *words):
    """`quarry admin WORDS` with the server's settings (QUARRY_DATABASE_URL and the blob store) and `data` as
    its data directory; the completed process, checked to have succeeded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARRY_DATABASE", "QUARRY_BLOB_STORE", "QUARRY_S3_"))}
    env.update(QUARRY_DATA_DIR=data, **settings)
    done = subprocess.run([BINARY, "admin", *words], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (words, done.returncode, done.stderr)
    return done


def last_line(done):
    return done.stdout.strip().splitlines()[-1]


def assert_no_sqlite(server):
    """Nothing of SQLite's own database in the data directory: the state is all in PostgreSQL."""
    assert not os.path.exists(os.path.join(server.data, "quarry.sqlite")), os.listdir(server.data)
    assert not [name for name in os.listdir(server.data) if name.startswith("quarry.sqlite")], os.listdir(server.data)


def normalized(value, server):
    """`value` with what differs from one server to the next made alike: the server's URL, times, random ids
    and tokens, and signed links' expiry and signature. Ids that count (1, 2, 3) are kept."""
    if isinstance(value, dict):
        return {k: normalized(v, server) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v, server) for v in value]
    if isinstance(value, bytes):
        return normalized(value.decode(), server).encode()
    if not isinstance(value, str):
        return value
    value = value.replace(server.url, "<server>")
    value = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "<time>", value)
    value = re.sub(r"\b(proj|job|wrk|export|acct|task|dlv|hook)-[0-9a-f]{8,}", r"\1-<id>", value)
    value = re.sub(r"\b(wk|qk)_[0-9a-f]{32,}", r"\1_<token>", value)
    value = re.sub(r"expires=\d+&signature=[0-9a-f]+", "expires=<t>&signature=<s>", value)
    return value


def with_server_log(server, flow, *arguments):
    """`flow(server, *arguments)`, a failure in it told with the end of the server's log (a 500's cause is there)."""
    try:
        return flow(server, *arguments)
    except (AssertionError, requests.HTTPError) as error:
        raise AssertionError(f"{error}\nthe end of the server's log:\n{''.join(server.log[-12:])}") from error


def archive_contents(content):
    """A ZIP's entries by name, checked whole."""
    assert content[:2] == b"PK", content[:200]
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


# The JTheta SDK's flow: project, dataset, more images, annotation requested, labelled and reviewed through
# the worker API, status, and every export format downloaded through the SDK's link.

def labels_for(image):
    if image["width"] == 64:
        return [{"label": "Lesion", "type": "polygon", "points": [[1, 1], [30, 2], [20, 40]]},
                {"label": "Vessel", "type": "bounding_box", "bbox": [2, 3, 10, 12]},
                {"label": "Fovea", "type": "point", "point": [32, 24]}]
    return [{"label": "Healthy", "type": "tag"}]


SDK_UPLOADS = {"left.png": png(64, 48, (10, 20, 30)), "right.jpg": jpeg(40, 30, (90, 60, 30))}
SDK_MORE = ("extra.png", png(24, 16, (200, 10, 100)))


def jtheta_flow(server, key, folder):
    """What the SDK flow answers, normalized, with each export's entries."""
    client = JThetaClient(api_key=key, base_url=server.url + "/api")
    seen = {"validate": client.validate_key(), "project": client.create_project("Eyes", "Medical")}
    paths = []
    for name, content in [*SDK_UPLOADS.items(), SDK_MORE]:
        (folder / name).write_bytes(content)
        paths.append(str(folder / name))
    dataset = client.create_dataset("Scans", "CC0", "Eyes", paths[:2])
    seen["dataset"] = dataset
    seen["upload"] = client.upload_images(str(dataset["dataset_id"]), "Eyes", paths[2])
    labels = [{"label": "Lesion", "type": "polygon"}, {"label": "Vessel", "type": "bounding_box"},
              {"label": "Healthy", "type": "tag"}, {"label": "Fovea", "type": "point"}]
    assigned = client.request_annotation("Eyes", dataset["dataset_id"], "alice@lab.org", "bob@lab.org", labels,
                                         allow_class_creation=True, auto_annotation=False)
    seen["assigned"] = assigned
    seen["status_before"] = client.check_annotation_status("Eyes")
    alice = assigned["workbench_links"]["alice@lab.org"].split("#token=")[1]
    bob = assigned["workbench_links"]["bob@lab.org"].split("#token=")[1]

    tasks = requests.get(server.url + "/worker/tasks", headers=auth(alice)).json()["tasks"]
    uploads = dict([*SDK_UPLOADS.items(), SDK_MORE])
    for summary in tasks:
        task = requests.get(server.url + f"/worker/tasks/{summary['id']}", headers=auth(alice)).json()
        image = task["images"][0]
        served = requests.get(server.url + image["url"], headers=auth(alice))
        assert served.status_code == 200 and served.content == uploads[image["file_name"]]
        submitted = requests.post(server.url + f"/worker/tasks/{task['id']}/submit",
                                  json={"annotations": [{"image_id": image["id"], "labels": labels_for(image)}]}, headers=auth(alice))
        assert submitted.status_code == 200 and submitted.json()["status"] == "review", submitted.text
    queue = requests.get(server.url + "/worker/tasks", params={"role": "reviewer"}, headers=auth(bob)).json()["tasks"]
    seen["review_queue"] = len(queue)
    first = requests.post(server.url + f"/worker/tasks/{queue[0]['id']}/review", json={"decision": "reject", "comment": "again"},
                          headers=auth(bob))
    assert first.status_code == 200 and first.json()["status"] == "progress", first.text
    task = requests.get(server.url + f"/worker/tasks/{queue[0]['id']}", headers=auth(alice)).json()
    again = requests.post(server.url + f"/worker/tasks/{task['id']}/submit", json={"annotations": task["annotations"]}, headers=auth(alice))
    assert again.status_code == 200, again.text
    for item in queue:
        approved = requests.post(server.url + f"/worker/tasks/{item['id']}/review", json={"decision": "approve"}, headers=auth(bob))
        assert approved.status_code == 200 and approved.json()["status"] == "done", approved.text
    seen["status_after"] = client.check_annotation_status("Eyes")
    seen["annotators"] = client.get_annotators()
    seen["reviewers"] = client.get_reviewers()

    exports = {}
    for fmt in ["coco", "yolo", "voc", "csv"]:
        export = client.download_dataset(str(dataset["dataset_id"]), fmt, "1.0")
        archive = requests.get(export["download_url"])
        assert archive.status_code == 200 and archive.headers["Content-Type"] == "application/zip", (fmt, archive.status_code)
        exports[fmt] = archive_contents(archive.content)
        export.pop("size")  # the COCO file names the time it was made
        seen[f"export_{fmt}"] = export
    coco = json.loads(exports["coco"].pop("annotations.json"))
    coco["info"].pop("date_created")
    seen["coco"] = coco
    return normalized(seen, server), exports


@pytest.fixture(scope="module")
def sqlite_jtheta(tmp_path_factory):
    """The SDK flow's answers from a server on SQLite in its data directory: what PostgreSQL must match."""
    server = Server()
    try:
        return jtheta_flow(server, server.create_account("sdk"), tmp_path_factory.mktemp("sqlite-sdk"))
    finally:
        server.stop()


# The HITL flow, its accounts, project activation and workers through `quarry admin`, job files served by the
# tests' own site (private URLs allowed), a webhook retried once.

HITL_SCAN = jpeg(20, 10, (200, 100, 0))


def hitl_flow(server, site, settings):
    data = server.data
    key = last_line(admin(data, settings, "account", "create", "hitl"))
    seen = {"account_list": [line.split("\t")[1:3] for line in admin(data, settings, "account", "list").stdout.splitlines()[1:]]}
    site.files["/instructions.pdf"] = (PDF, "application/pdf")
    site.files["/scan.jpg"] = (HITL_SCAN, "image/jpeg")
    site.files["/form.pdf"] = (PDF, "application/pdf")
    site.files["/frame.png"] = (png(32, 16), "image/png")
    created = requests.post(server.url + "/v1/projects", json={"name": "forms", "instructions_file_url": site.url + "/instructions.pdf"},
                            headers=key_header(key))
    assert created.status_code == 200, created.text
    project_id = created.json()["id"]
    seen["project_new"] = requests.get(server.url + f"/v1/projects/{project_id}", headers=key_header(key)).json()
    activated = admin(data, settings, "project", "activate", project_id, "--annotator", "ann@hitl.io", "--reviewer", "rev@hitl.io")
    seen["activated"] = activated.stdout.replace(project_id, "<project>")
    seen["project_active"] = requests.get(server.url + f"/v1/projects/{project_id}", headers=key_header(key)).json()
    annotator = last_line(admin(data, settings, "worker", "link", "ann@hitl.io"))
    reviewer = last_line(admin(data, settings, "worker", "link", "rev@hitl.io"))

    site.fail_next["/hook"] = 1
    made = requests.post(server.url + "/v1/jobs", headers=key_header(key), json={
        "project_id": project_id, "file_urls": [site.url + "/scan.jpg", site.url + "/form.pdf"],
        "predictions": {"boxes": [[1, 2, 3, 4]]}, "webhook_url": site.url + "/hook", "webhook_headers": {"X-Token": "t"}})
    assert made.status_code == 200, made.text
    job_id = made.json()["job_id"]
    other = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/frame.png"]},
                          headers=key_header(key))
    assert other.status_code == 200, other.text
    other_id = other.json()["job_id"]
    status = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    seen["job_new"] = {k: v for k, v in status.items() if k != "job_id"}
    image = requests.get(status["image"], headers=key_header(key))
    assert image.status_code == 200 and image.content == HITL_SCAN
    pdf = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}/files/1", headers=key_header(key))
    assert pdf.status_code == 200 and pdf.content == PDF

    canceled = requests.delete(server.url + f"/v1/jobs/{project_id}/{other_id}", headers=key_header(key))
    assert canceled.status_code == 200, canceled.text
    seen["canceled"] = [j["status"] for j in canceled.json()]
    task = requests.get(server.url + f"/worker/tasks/{job_id}", headers=auth(annotator)).json()
    seen["task"] = {"images": len(task["images"]), "predictions": task["job_predictions"], "roles": task["roles"]}
    labels = [{"image_id": task["images"][0]["id"], "labels": [{"label": "car", "type": "bounding_box", "bbox": [1, 1, 5, 5]}]}]
    submitted = requests.post(server.url + f"/worker/tasks/{job_id}/submit", json={"annotations": labels}, headers=auth(annotator))
    assert submitted.status_code == 200, submitted.text
    approved = requests.post(server.url + f"/worker/tasks/{job_id}/review", json={"decision": "approve"}, headers=auth(reviewer))
    assert approved.status_code == 200, approved.text
    done = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    assert done["start_date"] and done["finish_date"]
    seen["job_done"] = {k: v for k, v in done.items() if k not in ("job_id", "image")}
    seen["listed"] = [(j["status"], j["job_id"] == job_id) for j in
                      requests.get(server.url + f"/v1/jobs/{project_id}", headers=key_header(key)).json()]
    # The webhook: refused once by the site, then delivered, as the outbox in the database says.
    _, body = wait_for(lambda: site.received("/hook"), 15, "the job's webhook")[0]
    seen["webhook"] = {k: v for k, v in body.items() if k != "job_id"}
    assert body["job_id"] == job_id
    deliveries = wait_for(
        lambda: [d for d in requests.get(server.url + "/v1/webhooks/deliveries", params={"job_id": job_id},
                                         headers=key_header(key)).json()["deliveries"] if d["status"] == "delivered"],
        15, "the delivery recorded")
    seen["attempts"] = [a["status_code"] for a in deliveries[0]["attempts"]]
    # A rotated key (admin, another process) stops working on the running server within a second: on every
    # one, when a balancer spreads the requests over several (three refusals in a row, one from each).
    old = key_header(key)
    assert requests.get(server.url + "/v1/health", headers=old).status_code == 200
    new_key = last_line(admin(data, settings, "key", "rotate", "hitl"))
    rotated, refused = time.monotonic(), 0
    while refused < 3:
        refused = refused + 1 if requests.get(server.url + "/v1/health", headers=old).status_code != 200 else 0
        assert time.monotonic() - rotated < 1.0, "the old key still works a second after its rotation"
    assert requests.get(server.url + f"/v1/projects/{project_id}", headers=old).status_code == 401
    seen["after_rotation"] = requests.get(server.url + f"/v1/projects/{project_id}", headers=key_header(new_key)).json()
    return normalized(seen, server)


@pytest.fixture(scope="module")
def sqlite_hitl():
    site = Site()
    server = Server(**FAST)
    try:
        return hitl_flow(server, site, {})
    finally:
        server.stop()
        site.stop()


@pytest.mark.parametrize("blobs", ["local", "s3"])
def test_the_jtheta_sdk_flow_on_postgres_gives_what_sqlite_gives(postgres, sqlite_jtheta, make_server, tmp_path, request, blobs):
    url = postgres.create_database()
    settings = {"QUARRY_DATABASE_URL": url}
    if blobs == "s3":
        settings.update(request.getfixturevalue("seaweed").settings("pg-sdk"))
    server = make_server(**settings)
    key = server.create_account("sdk")
    seen, exports = with_server_log(server, jtheta_flow, key, tmp_path)
    expected, expected_exports = sqlite_jtheta
    assert seen == expected
    assert exports == expected_exports
    assert seen["status_after"]["percent_done"] == 100 and seen["status_after"]["status_counts"]["done"] == 3
    assert len(seen["coco"]["annotations"]) == 3
    assert_no_sqlite(server)
    # The rows are PostgreSQL's.
    assert postgres.psql("SELECT name FROM accounts", url=url) == ["sdk"]
    assert postgres.psql("SELECT count(*) FROM images", url=url) == ["3"]
    if blobs == "s3":
        # Past one box: a second process on the same database and bucket, with a data directory of its own,
        # serves the same images and the same export to the same key.
        seaweed = request.getfixturevalue("seaweed")
        assert not os.path.exists(os.path.join(server.data, "blobs"))
        other = make_server(**settings)
        client = JThetaClient(api_key=key, base_url=other.url + "/api")
        export = client.download_dataset(str(seen["dataset"]["dataset_id"]), "coco", "1.0")
        archive = requests.get(export["download_url"])
        assert archive.status_code == 200 and archive.url.startswith(seaweed.endpoint + "/")
        contents = archive_contents(archive.content)
        coco = json.loads(contents.pop("annotations.json"))
        coco["info"].pop("date_created")
        assert contents == expected_exports["coco"] and normalized(coco, other) == expected["coco"]
        (project,) = requests.get(other.url + "/api/projects", headers=auth(key)).json()["data"]
        images = requests.get(other.url + f"/api/datasets/{project['id']}/images", headers=auth(key)).json()["data"]["images"]
        uploads = dict([*SDK_UPLOADS.items(), SDK_MORE])
        assert sorted(i["original_name"] for i in images) == sorted(uploads)
        for image in images:
            served = requests.get(other.url + image["url"], headers=auth(key))
            assert served.status_code == 200 and served.content == uploads[image["original_name"]]
        assert_no_sqlite(other)


@pytest.mark.parametrize("blobs", ["local", "s3"])
def test_the_hitl_flow_on_postgres_gives_what_sqlite_gives(postgres, sqlite_hitl, make_server, site, request, blobs):
    url = postgres.create_database()
    settings = {"QUARRY_DATABASE_URL": url}
    if blobs == "s3":
        settings.update(request.getfixturevalue("seaweed").settings("pg-hitl"))
    server = make_server(**FAST, **settings)
    seen = with_server_log(server, hitl_flow, site, settings)
    assert seen == sqlite_hitl
    assert seen["job_done"]["status"] == "done" and seen["attempts"] == [500, 200]
    assert_no_sqlite(server)
    assert postgres.psql("SELECT name FROM accounts", url=url) == ["hitl"]


def test_admin_beside_the_server_shares_its_accounts(postgres, make_server, tmp_path):
    url = postgres.create_database()
    settings = {"QUARRY_DATABASE_URL": url}
    server = make_server(**settings)
    # A data directory of its own: what the admin command sees can only have come from PostgreSQL.
    elsewhere = str(tmp_path / "admin-data")
    made = admin(elsewhere, settings, "account", "create", "alice")
    alice = last_line(made)
    assert requests.get(server.url + "/api/account", headers=auth(alice)).json()["data"]["name"] == "alice"
    bob = server.create_account("bob")
    listed = admin(elsewhere, settings, "account", "list").stdout.splitlines()
    assert listed[0].split("\t") == ["ID", "NAME", "ACTIVE KEYS", "CREATED"]
    assert sorted(line.split("\t")[1:3] for line in listed[1:]) == [["alice", "1"], ["bob", "1"]]
    # What the key makes is seen by the admin command: a project activated there takes jobs here.
    created = requests.post(server.url + "/api/projects", json={"name": "Shared", "task": "detection"}, headers=auth(bob))
    assert created.status_code == 201, created.text
    project_id = created.json()["data"]["id"]
    assert "is now active" in admin(elsewhere, settings, "project", "activate", project_id).stdout

    # Rotated by the admin command: the old key is refused by the running server within a second.
    assert requests.get(server.url + "/api/projects", headers=auth(alice)).status_code == 200
    new_alice = last_line(admin(elsewhere, settings, "key", "rotate", "alice"))
    rotated = time.monotonic()
    while requests.get(server.url + "/api/projects", headers=auth(alice)).status_code == 200:
        assert time.monotonic() - rotated < 1.0, "the old key still works a second after its rotation"
    refused = requests.get(server.url + "/api/projects", headers=auth(alice))
    assert refused.status_code == 401 and refused.json()["status"] == "error", refused.text
    assert requests.get(server.url + "/api/account", headers=auth(new_alice)).json()["data"]["name"] == "alice"
    assert requests.get(server.url + "/api/account", headers=auth(bob)).json()["data"]["name"] == "bob"
    assert_no_sqlite(server)
    assert not os.path.exists(os.path.join(elsewhere, "quarry.sqlite"))


# PostgreSQL stopped (fast shutdown) and started again under a steady load.

REQUEST_BOUND = 5.0  # seconds: "a few"; libpq's connect timeout (5 s) is never reached on loopback, where a stopped server refuses at once


class Load:
    """Client threads issuing requests back to back until stopped, each answer recorded: a reader
    (Studio's project list, JTheta's status) and a writer (JTheta projects made, small images uploaded
    into datasets of their own)."""

    def __init__(self, server, key):
        self.server = server
        self.headers = auth(key)
        self.records = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.reader, daemon=True), threading.Thread(target=self.writer, daemon=True)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a load thread did not finish"

    def send(self, kind, shape, method, path, name=None, content=None, **arguments):
        started = time.monotonic()
        record = {"kind": kind, "shape": shape, "path": path, "name": name, "content": content, "started": started}
        try:
            answer = requests.request(method, self.server.url + path, headers=self.headers, timeout=(5, 30), **arguments)
            record.update(status=answer.status_code, headers=dict(answer.headers), body=answer.content)
        except requests.RequestException as error:
            record.update(status=None, error=repr(error))
        record["finished"] = time.monotonic()
        with self.lock:
            self.records.append(record)

    def reader(self):
        while not self.stopping.is_set():
            self.send("list", "studio", "GET", "/api/projects")
            self.send("status", "detail", "GET", "/get_annotation_status/Uploads/")

    def writer(self):
        n = 0
        while not self.stopping.is_set():
            n += 1
            self.send("project", "detail", "POST", "/create_project/", name=f"load-{n}", json={"project_title": f"load-{n}"})
            image = png(6, 4, (n % 256, (n // 256) % 256, 99))
            self.send("upload", "detail", "POST", "/create_dataset/", name=f"img-{n}.png", content=image,
                      data={"dataset_name": f"set-{n}", "project_name": "Uploads"}, files=[("images", (f"img-{n}.png", image))])

    def count(self, since=0.0, status=None, kind=None):
        with self.lock:
            return sum(1 for r in self.records if r["started"] >= since and (status is None or r["status"] == status)
                       and (kind is None or r["kind"] == kind))

    def snapshot(self):
        with self.lock:
            return list(self.records)


def explain(records, since, server):
    """The records' kinds, start times after `since` and the server's log lines for their request ids."""
    log = "".join(server.log).splitlines()
    return [(r["kind"], round(r["started"] - since, 3), [line for line in log if r["headers"].get("X-Request-Id", "?") in line])
            for r in records[:5]]


def test_postgres_restarted_under_load_is_a_503_then_recovers_without_losing_acknowledged_writes(make_server):
    try:
        pg = PostgresServer()  # its own: it is stopped and started
    except PostgresServerError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        server = make_server(QUARRY_DATABASE_URL=pg.create_database())
        pid = server.process.pid
        key = server.create_account("load")
        made = requests.post(server.url + "/create_project/", json={"project_title": "Uploads"}, headers=auth(key))
        assert made.status_code == 201, made.text
        load = Load(server, key)
        load.start()
        try:
            kinds = ["list", "status", "project", "upload"]
            wait_for(lambda: all(load.count(kind=k, status=s) >= 3 for k, s in zip(kinds, [200, 200, 201, 201])), 30,
                          "every kind of request succeeding before the stop")

            stopping = time.monotonic()
            pg.stop()
            stopped = time.monotonic()
            wait_for(lambda: all(load.count(since=stopped, kind=k, status=503) >= 10 for k in kinds), 30,
                          "every kind of request answered 503 while PostgreSQL is down")
            # The health checks say so; /healthz, the process's liveness, does not depend on the database.
            down = poll_status(server.url + "/v1/health", 503, 5)
            assert down.json() == {"status": "DOWN"}
            degraded = poll_status(server.url + "/api/system/health", 503, 5)
            assert degraded.json() == {"status": "error", "error": {"code": "UNAVAILABLE", "message": "degraded: the database does not answer"}}
            assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}

            pg.start()
            restarted = time.monotonic()
            wait_for(lambda: all(load.count(since=restarted, kind=k, status=s) >= 3 for k, s in zip(kinds, [200, 200, 201, 201])), 30,
                          "every kind of request succeeding again after PostgreSQL came back")
            up = poll_status(server.url + "/v1/health", 200, 5)
            assert up.json() == {"status": "UP"}
            healthy = requests.get(server.url + "/api/system/health", timeout=10)
            assert healthy.status_code == 200 and healthy.json()["data"]["database"] == "ok", healthy.text
        finally:
            load.stop()
        assert server.process.poll() is None and server.process.pid == pid, "quarry was restarted or died"

        records = load.snapshot()
        failures = [r for r in records if r["status"] not in (200, 201, 503)]
        assert not failures, [(r["kind"], r["status"], r.get("error"), r.get("body", b"")[:300]) for r in failures[:5]]
        slowest = max(records, key=lambda r: r["finished"] - r["started"])
        assert slowest["finished"] - slowest["started"] < REQUEST_BOUND, (slowest["kind"], slowest["finished"] - slowest["started"])
        unavailable = [r for r in records if r["status"] == 503]
        for r in unavailable:
            assert r["headers"].get("Retry-After") == "1", (r["kind"], r["headers"])
            assert r["headers"]["Content-Type"].startswith("application/json"), r["headers"]
            body = json.loads(r["body"])
            if r["shape"] == "studio":
                assert body == {"status": "error", "error": {"code": "UNAVAILABLE", "message": UNAVAILABLE}}, body
            else:
                assert body == {"detail": UNAVAILABLE}, body
        # 503s only while PostgreSQL was down, or on requests already under way when it stopped.
        late = [r for r in unavailable if r["started"] > restarted]
        assert not late, explain(late, restarted, server)
        early = [r for r in unavailable if r["finished"] < stopping]
        assert not early, explain(early, stopping, server)

        # Every acknowledged write is there; the ones refused may or may not be (a commit whose answer was lost).
        acknowledged_projects = {r["name"] for r in records if r["kind"] == "project" and r["status"] == 201}
        projects = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"]
        assert acknowledged_projects <= {p["name"] for p in projects}, sorted(acknowledged_projects - {p["name"] for p in projects})
        uploads_project = next(p for p in projects if p["name"] == "Uploads")
        by_name = {}
        for page in range(1, 1000):
            listed = requests.get(server.url + f"/api/datasets/{uploads_project['id']}/images", params={"page": page, "page_size": 500},
                                  headers=auth(key)).json()["data"]
            for image in listed["images"]:
                by_name.setdefault(image["original_name"], image)
            if page * 500 >= listed["total"]:
                break
        acknowledged_uploads = [r for r in records if r["kind"] == "upload" and r["status"] == 201]
        missing = [r["name"] for r in acknowledged_uploads if r["name"] not in by_name]
        assert not missing, missing
        for r in acknowledged_uploads:
            served = requests.get(server.url + by_name[r["name"]]["url"], headers=auth(key))
            assert served.status_code == 200 and served.content == r["content"], r["name"]
        # Restarted while nothing is under way: the pool's idle connections notice the restart on their next
        # use and reconnect, so not one request is refused.
        pg.restart()
        again = requests.post(server.url + "/create_project/", json={"project_title": "after idle restart"}, headers=auth(key), timeout=10)
        assert again.status_code == 201, again.text
        listed = requests.get(server.url + "/api/projects", headers=auth(key), timeout=10)
        assert listed.status_code == 200 and "after idle restart" in {p["name"] for p in listed.json()["data"]}, listed.text
        assert requests.get(server.url + "/v1/health", timeout=10).json() == {"status": "UP"}
        # Nothing the server logged names the password or carries a stack trace.
        log = "".join(server.log)
        assert pg.password not in log
        assert "Fatal error" not in log and "Stack dump" not in log
        print(f"\nload: {len(records)} requests, {len(unavailable)} answered 503 while PostgreSQL was down for "
              f"{restarted - stopping:.2f} s; {len(acknowledged_projects)} projects and {len(acknowledged_uploads)} uploads "
              f"acknowledged and found; slowest request {slowest['finished'] - slowest['started']:.3f} s ({slowest['kind']})")
    finally:
        pg.remove()


# Start-up refusals.

def run_serve(tmp_path, settings, timeout=30):
    """`quarry serve` that is expected to stop: its exit status, stderr, how long it ran, and its data directory."""
    data = tmp_path / f"data-{len(list(tmp_path.iterdir()))}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARRY_DATABASE", "QUARRY_BLOB_STORE", "QUARRY_S3_"))}
    env.update(QUARRY_ADMIN_KEY=ADMIN_KEY, QUARRY_DATA_DIR=str(data), **settings)
    started = time.monotonic()
    try:
        done = subprocess.run([BINARY, "serve", "--port", "0"], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"quarry serve was still running after {timeout} s; stderr: {expired.stderr!r}")
    return done.returncode, done.stderr, time.monotonic() - started, str(data)


def test_a_database_quarry_cannot_reach_stops_serve_at_start_up_without_printing_the_password(postgres, tmp_path):
    secret = "Unreachable-S3cret-pw"
    status, stderr, seconds, data = run_serve(tmp_path, {"QUARRY_DATABASE_URL": postgres.url("postgres", password=secret, port=free_port())})
    assert status != 0 and seconds < 10, (status, seconds, stderr)
    assert "PostgreSQL" in stderr and "Connection refused" in stderr, stderr
    assert secret not in stderr and "listening on" not in stderr, stderr
    assert not os.path.exists(os.path.join(data, "quarry.sqlite"))


def test_a_wrong_password_stops_serve_at_start_up_without_printing_it(postgres, tmp_path):
    url = postgres.create_database()
    wrong = "Wrong-S3cret-pw"
    status, stderr, seconds, data = run_serve(tmp_path, {"QUARRY_DATABASE_URL": url.replace(postgres.password, wrong)})
    assert status != 0 and seconds < 10, (status, seconds, stderr)
    assert "PostgreSQL" in stderr and "password authentication failed" in stderr, stderr
    assert wrong not in stderr and postgres.password not in stderr and "listening on" not in stderr, stderr
    assert not os.path.exists(os.path.join(data, "quarry.sqlite"))


@pytest.mark.parametrize("url", ["mysql://x", "mysql://user:Mysql-S3cret@127.0.0.1:3306/quarry", "sqlite:///tmp/q.sqlite"])
def test_a_database_url_that_is_not_postgres_is_refused(tmp_path, url):
    status, stderr, seconds, data = run_serve(tmp_path, {"QUARRY_DATABASE_URL": url})
    assert status != 0 and seconds < 10, (status, seconds, stderr)
    assert "QUARRY_DATABASE_URL" in stderr and "postgres://" in stderr, stderr
    assert "Mysql-S3cret" not in stderr and "listening on" not in stderr, stderr
    assert not os.path.exists(os.path.join(data, "quarry.sqlite"))


# Two processes, one database.

def sqlite_migrations(tmp_path):
    """The migrations a SQLite server records at start: the ones PostgreSQL must hold, once each."""
    import sqlite3
    server = Server(data=str(tmp_path / "sqlite-data"))
    try:
        with sqlite3.connect(f"file:{server.data}/quarry.sqlite?mode=ro", uri=True) as db:
            return sorted((str(v), n) for v, n in db.execute("SELECT version, name FROM schema_migrations"))
    finally:
        server.stop()


def test_two_servers_on_one_database_start_together_and_share_state(postgres, make_server, site, tmp_path):
    url = postgres.create_database()
    servers = [None, None]
    problems = []

    def start(i):
        try:
            servers[i] = make_server(**FAST, QUARRY_DATABASE_URL=url)
        except Exception as error:  # noqa: BLE001 - reported below
            problems.append(repr(error))

    # Both at once, on a database with no tables: one migrates, the other waits for the lock and finds nothing to do.
    threads = [threading.Thread(target=start, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not problems, problems
    first, second = servers
    assert first.port != second.port and first.data != second.data
    for server in servers:
        assert not [line for line in server.log if "error" in line.lower()], server.log
    applied = sorted(tuple(line.split("|")) for line in postgres.psql("SELECT version, name FROM schema_migrations", url=url))
    assert applied == sqlite_migrations(tmp_path)

    # An account made through one works through the other, and so does what it makes.
    key = first.create_account("shared")
    assert requests.get(second.url + "/api/account", headers=auth(key)).json()["data"]["name"] == "shared"
    made = requests.post(second.url + "/api/projects", json={"name": "From second", "task": "detection"}, headers=auth(key))
    assert made.status_code == 201, made.text
    project_id = made.json()["data"]["id"]
    assert [p["id"] for p in requests.get(first.url + "/api/projects", headers=auth(key)).json()["data"]] == [project_id]
    renamed = requests.patch(first.url + f"/api/projects/{project_id}", json={"name": "Renamed by first"}, headers=auth(key))
    assert renamed.status_code == 200, renamed.text
    assert requests.get(second.url + f"/api/projects/{project_id}", headers=auth(key)).json()["data"]["name"] == "Renamed by first"
    assert requests.post(first.url + "/create_project/", json={"project_title": "JTheta"}, headers=auth(key)).status_code == 201
    assert requests.post(second.url + "/create_project/", json={"project_title": "JTheta"}, headers=auth(key)).status_code == 409
    assert sorted(p["name"] for p in requests.get(second.url + "/api/projects", headers=auth(key)).json()["data"]) == ["JTheta", "Renamed by first"]
    # HITL projects too: made through one, activated through the other's admin API.
    site.files["/instructions.pdf"] = (PDF, "application/pdf")
    hitl = requests.post(first.url + "/v1/projects", json={"name": "hitl", "instructions_file_url": site.url + "/instructions.pdf"},
                         headers=key_header(key))
    assert hitl.status_code == 200, hitl.text
    hitl_id = hitl.json()["id"]
    activated = requests.post(second.url + f"/admin/projects/{hitl_id}/activate", headers=admin_header())
    assert activated.status_code == 200, activated.text
    assert requests.get(first.url + f"/v1/projects/{hitl_id}", headers=key_header(key)).json() == {"status": "active"}
    # Deleted through one, gone from the other.
    deleted = requests.delete(second.url + f"/api/projects/{project_id}", headers=auth(key))
    assert deleted.status_code == 200, deleted.text
    assert requests.get(first.url + f"/api/projects/{project_id}", headers=auth(key)).status_code == 404
    for server in servers:
        assert_no_sqlite(server)
