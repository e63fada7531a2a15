"""`quarry admin migrate`, end to end against the real binary, a private PostgreSQL server (postgres_server.py)
and a real S3 store (SeaweedFS): a SQLite deployment built through the APIs (a JTheta project with a dataset of
inline and file blobs, labelled and reviewed through the worker API, an export; a HITL project with jobs, files,
a webhook; a Studio project from a ZIP import, with a split) is copied into an empty database and a bucket. The
copy is checked (every table's rows, one object per referenced blob under its SHA-256), the source is left as
it was and still answers as before, and a server on the copy, with a data directory of its own, answers every
recorded request the same, takes the old keys and tokens, and numbers what it makes past what it copied.
Refusals (a database with rows, no target, a target that is not PostgreSQL or a bucket, a bucket without keys)
and `--to-database` alone (blobs stay in the data directory) too. PostgreSQL or SeaweedFS missing is a failure
naming `make test-deps`, never a skip."""
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from jtheta import JThetaClient
from PIL import Image

from conftest import BINARY, Server
from hitl_support import FAST, PDF, active_project, key_header, wait_for
from images import distinct_pngs, jpeg, png
from seaweedfs import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from site_server import Site

# The columns that name a blob (Sources/Quarry/Schema/BlobReferences.swift): the blobs migrate must copy.
BLOB_COLUMNS = [("images", "blob", ""), ("exports", "blob", ""), ("job_files", "blob", ""), ("model_exports", "blob", ""),
                ("projects", "instructions_blob", ""), ("weights", "blob", ""), ("runs", "last_checkpoint_blob", ""),
                ("runs", "best_checkpoint_blob", ""), ("runs", "data_blob", ""),
                ("import_jobs", "archive_blob", " AND status IN ('pending', 'running')")]
INLINE_LIMIT = 128 * 1024  # LocalBlobStore.defaultInlineLimit: blobs up to this size are rows of blobs/inline.sqlite
# Rows, tables and blobs from migrate's last line, which names only what was copied and the settings that
# point at it: (rows, tables, blobs), a part not copied read as 0.
ROWS_PART = re.compile(r"copied (\d+) rows in (\d+) tables; row counts match")
BLOBS_PART = re.compile(r"copied (\d+) blobs; every one read back whole")


class FinalLine:
    @staticmethod
    def match(line):
        rows, blobs = ROWS_PART.search(line), BLOBS_PART.search(line)
        if not (rows or blobs) or not re.search(r"\. Set QUARRY_\w+( and QUARRY_\w+)? to the copy to use it\.", line):
            return None
        numbers = [int(n) for n in rows.groups()] if rows else [0, 0]
        numbers.append(int(blobs.group(1)) if blobs else 0)
        return _Groups(numbers)


class _Groups:
    def __init__(self, numbers):
        self.numbers = numbers

    def groups(self):
        return [str(n) for n in self.numbers]


FINAL_LINE = FinalLine()


# Servers and stores, one of each for the module.

@pytest.fixture(scope="module")
def module_site():
    s = Site()
    yield s
    s.stop()


@contextlib.contextmanager
def running(**arguments):
    """A quarry server (conftest's Server), stopped on the way out."""
    server = Server(**arguments)
    try:
        yield server
    finally:
        server.stop()


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def noise_png(width, height, seed):
    """Pseudo-random pixels do not compress: a PNG of about width * height * 3 bytes, its bytes its own."""
    pixels = b"".join(hashlib.sha256(b"%d-%d" % (seed, i)).digest() for i in range(width * height * 3 // 32 + 1))
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels[:width * height * 3]).save(out, format="PNG")
    return out.getvalue()


def zip_of(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


def zip_entries(content):
    assert content[:2] == b"PK", content[:200]
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


# `quarry admin`, and what the source's files hold.

def quarry_env(data, **settings):
    """The environment of a quarry command: no QUARRY_* setting but `data` and `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUARRY_")}
    env.update(QUARRY_DATA_DIR=data, **settings)
    return env


def s3_keys(seaweed):
    return {"QUARRY_S3_ENDPOINT": seaweed.endpoint, "QUARRY_S3_REGION": REGION, "QUARRY_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "QUARRY_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY}


def migrate(data, *words, **settings):
    """`quarry admin migrate WORDS` on `data`: the completed process (not checked)."""
    return subprocess.run([BINARY, "admin", "migrate", *words], env=quarry_env(data, **settings), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def migrated_ok(done):
    # The start of stderr: a crash's cause comes first, before its backtrace.
    assert done.returncode == 0, f"migrate exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr[:1500]}"
    return done


def sqlite_open(data):
    return contextlib.closing(sqlite3.connect(f"file:{data}/quarry.sqlite?mode=ro", uri=True))


def sqlite_tables(data):
    """The application's tables and their rows, as migrate copies them (not SQLite's own, the migrations' record,
    or the running processes' blob holds and heartbeats)."""
    with sqlite_open(data) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                          "AND name NOT IN ('schema_migrations', 'blob_holds', 'processes') ORDER BY name")]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def sqlite_dump(data):
    """Every row of every table of quarry.sqlite, SQLite's own sequences included: what "left as it was" compares."""
    with sqlite_open(data) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(repr(row) for row in db.execute(f'SELECT * FROM "{name}"')) for name in names}


def sqlite_scalar(data, sql):
    with sqlite_open(data) as db:
        return db.execute(sql).fetchone()[0]


def sqlite_sequence(data):
    """The largest id SQLite has ever given in each AUTOINCREMENT table, deleted rows' included."""
    with sqlite_open(data) as db:
        return dict(db.execute("SELECT name, seq FROM sqlite_sequence"))


def referenced_blobs(data):
    """The ids of the blobs some row names: the ones migrate copies."""
    sql = " UNION ".join(f"SELECT {c} FROM {t} WHERE {c} IS NOT NULL{condition}" for t, c, condition in BLOB_COLUMNS)
    with sqlite_open(data) as db:
        return {row[0] for row in db.execute(sql)}


def local_blobs(data):
    """The data directory's blobs, id -> bytes: the shard folders' files and the rows of blobs/inline.sqlite."""
    root = os.path.join(data, "blobs")
    found = {}
    for directory, _, files in os.walk(root):
        if directory != root and os.path.basename(directory) != "tmp":
            for name in files:
                with open(os.path.join(directory, name), "rb") as f:
                    found[name] = ("file", f.read())
    with contextlib.closing(sqlite3.connect(f"file:{root}/inline.sqlite?mode=ro", uri=True)) as db:
        for hex_id, content in db.execute("SELECT id, data FROM inline_blobs"):
            found[hex_id] = ("inline", bytes(content))
    return found


def pg_count(postgres, url, table):
    return int(postgres.psql(f'SELECT COUNT(*) FROM "{table}"', url=url)[0])


# The deployment: built through the APIs on SQLite, its answers recorded.

JTHETA_UPLOADS = {"big.png": noise_png(300, 200, seed=11), "left.png": png(64, 48, (10, 20, 30)), "right.jpg": jpeg(40, 30, (90, 60, 30))}
STUDIO_UPLOADS = [("pets/cat/1.png", distinct_pngs(4)[0]), ("pets/cat/2.png", distinct_pngs(4)[1]),
                  ("pets/dog/1.png", distinct_pngs(4)[2]), ("pets/dog/2.jpg", jpeg(30, 20, (5, 6, 7)))]
HITL_SCAN = jpeg(20, 10, (200, 100, 0))
HITL_FRAME = png(32, 16, (1, 200, 3))


@dataclass
class Deployment:
    data: str = ""
    pristine: str = ""          # a copy of the data directory as the build left it, for tests that change theirs
    key: str = ""
    alice: str = ""             # the JTheta project's annotator's and reviewer's workbench tokens
    bob: str = ""
    hitl_annotator: str = ""
    hitl_reviewer: str = ""
    dataset_id: int = 0
    eyes_id: str = ""
    studio_id: str = ""
    hitl_id: str = ""
    colours_id: str = ""        # a Studio project with a trained run named its pre-labeler
    run_id: str = ""
    jobs: list = field(default_factory=list)
    export_link: str = ""       # the coco export's signed download link as the SQLite server gave it
    answers: dict = field(default_factory=dict)
    contents: dict = field(default_factory=dict)


def normalized(value, server):
    """`value` with what differs from one server process to the next made alike: its URL (and the URL of the one
    that made a HITL job, which the job keeps for its links), and signed links' expiry and signature. Everything
    else (ids, times, statuses) must be the same."""
    if isinstance(value, dict):
        return {k: normalized(v, server) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v, server) for v in value]
    if not isinstance(value, str):
        return value
    value = re.sub(r"http://127\.0\.0\.1:\d+", "<server>", value.replace(server.url, "<server>"))
    return re.sub(r"expires=\d+&signature=[0-9a-f]+", "expires=<t>&signature=<s>", value)


def get_json(server, path, headers, **params):
    answer = requests.get(server.url + path, headers=headers, params=params, timeout=30)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
    return answer.json()


def get_bytes(url, headers=None):
    """GET `url` following redirects (a bucket's presigned URL among them): the body."""
    answer = requests.get(url, headers=headers, timeout=60)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return answer.content


def observe(server, d):
    """What the deployment answers through its APIs, with the old key and tokens: (answers normalized, bytes by name)."""
    key, seen, contents = d.key, {}, {}
    seen["account"] = get_json(server, "/api/account", auth(key))
    seen["projects"] = get_json(server, "/api/projects", auth(key))
    for project in seen["projects"]["data"]:
        pid = project["id"]
        seen[f"project {pid}"] = get_json(server, f"/api/projects/{pid}", auth(key))
        seen[f"dataset {pid}"] = get_json(server, f"/api/datasets/{pid}", auth(key))
        listed = get_json(server, f"/api/datasets/{pid}/images", auth(key), page_size=100)
        seen[f"images {pid}"] = listed
        for image in listed["data"]["images"]:
            contents[f"image {pid} {image['id']}"] = get_bytes(server.url + image["url"], auth(key))
            contents[f"thumbnail {pid} {image['id']}"] = get_bytes(server.url + image["thumbnail_url"], auth(key))
    seen["imports"] = get_json(server, f"/api/datasets/{d.studio_id}/imports", auth(key))
    seen["prelabeler"] = get_json(server, f"/api/projects/{d.colours_id}/prelabeler", auth(key))
    seen["experiments"] = get_json(server, f"/api/training/{d.colours_id}/experiments", auth(key))
    seen["runs"] = get_json(server, f"/api/training/{d.colours_id}/runs", auth(key))
    seen["run"] = get_json(server, f"/api/training/{d.colours_id}/runs/{d.run_id}", auth(key))
    seen["run metrics"] = get_json(server, f"/api/training/{d.colours_id}/runs/{d.run_id}/metrics", auth(key))
    seen["splits"] = get_json(server, f"/api/splits/{d.studio_id}", auth(key))
    seen["split 0"] = get_json(server, f"/api/splits/{d.studio_id}/0", auth(key))

    client = JThetaClient(api_key=key, base_url=server.url + "/api")
    seen["validate"] = client.validate_key()
    seen["status"] = client.check_annotation_status("Eyes")
    seen["annotators"] = client.get_annotators()
    seen["reviewers"] = client.get_reviewers()
    for name, token, role in [("alice", d.alice, "annotator"), ("bob", d.bob, "reviewer"), ("hitl annotator", d.hitl_annotator, "annotator")]:
        tasks = get_json(server, "/worker/tasks", auth(token), role=role)["tasks"]
        seen[f"worker tasks {name}"] = tasks
        for task in tasks:
            detail = get_json(server, f"/worker/tasks/{task['id']}", auth(token))
            seen[f"worker task {name} {task['id']}"] = detail
            for image in detail["images"]:
                contents[f"worker image {name} {image['id']}"] = get_bytes(server.url + image["url"], auth(token))
    # The coco export made on SQLite: asked for again, the same export (its id, its stored archive).
    export = client.download_dataset(str(d.dataset_id), "coco", "1.0")
    seen["export"] = {k: v for k, v in export.items() if k != "expires_at"}
    contents["export coco"] = get_bytes(export["download_url"])

    seen["hitl project"] = get_json(server, f"/v1/projects/{d.hitl_id}", key_header(key))
    seen["hitl jobs"] = get_json(server, f"/v1/jobs/{d.hitl_id}", key_header(key))
    for job_id, files in d.jobs:
        status = get_json(server, f"/v1/jobs/{d.hitl_id}/{job_id}", key_header(key))
        seen[f"hitl job {job_id}"] = status
        seen[f"hitl deliveries {job_id}"] = get_json(server, "/v1/webhooks/deliveries", key_header(key), job_id=job_id)
        if status["status"] != "canceled":
            for index in range(files):
                contents[f"hitl file {job_id} {index}"] = get_bytes(server.url + f"/v1/jobs/{d.hitl_id}/{job_id}/files/{index}",
                                                                    key_header(key))
    return normalized(seen, server), contents


def assert_answers_the_same(server, d):
    """`server` answers every recorded request as the SQLite server did: the differences named, each with both answers."""
    seen, contents = observe(server, d)
    differing = {k: {"recorded": d.answers.get(k), "now": seen.get(k)} for k in d.answers.keys() | seen.keys()
                 if d.answers.get(k) != seen.get(k)}
    assert not differing, json.dumps(differing, indent=1, sort_keys=True)[:6000]
    differing = sorted(k for k in d.contents.keys() | contents.keys() if d.contents.get(k) != contents.get(k))
    assert not differing, [(k, len(d.contents.get(k) or b""), len(contents.get(k) or b"")) for k in differing]


def imported(server, key, project_id, entries):
    """`entries` (name, bytes) imported into the Studio project from a ZIP, every one of them."""
    started = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("data.zip", zip_of(entries))},
                            headers=auth(key))
    assert started.status_code == 202, started.text
    job_url = server.url + f"/api/datasets/{project_id}/imports/{started.json()['data']['id']}"
    job = wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(job_url, headers=auth(key)).json()["data"]), 60, "the Studio import")
    assert job["status"] == "done" and job["imported"] == len(entries), job


def build(server, site, folder):
    """The deployment, made through the APIs of `server` (SQLite); what it needs to be observed."""
    d = Deployment(data=server.data)
    d.key = server.create_account("migrating")
    client = JThetaClient(api_key=d.key, base_url=server.url + "/api")

    # JTheta: a project, a dataset of one file blob and two inline ones, annotation, labels, an export.
    assert JTHETA_UPLOADS["big.png"].__len__() > INLINE_LIMIT
    d.eyes_id = client.create_project("Eyes", "Medical")["project_id"]
    paths = []
    for name, content in JTHETA_UPLOADS.items():
        (folder / name).write_bytes(content)
        paths.append(str(folder / name))
    dataset = client.create_dataset("Scans", "CC0", "Eyes", paths)
    d.dataset_id = dataset["dataset_id"]
    labels = [{"label": "Lesion", "type": "bounding_box"}, {"label": "Healthy", "type": "tag"}]
    assigned = client.request_annotation("Eyes", d.dataset_id, "alice@lab.org", "bob@lab.org", labels,
                                         allow_class_creation=True, auto_annotation=False)
    assert assigned["tasks_created"] == 3, assigned
    d.alice = assigned["workbench_links"]["alice@lab.org"].split("#token=")[1]
    d.bob = assigned["workbench_links"]["bob@lab.org"].split("#token=")[1]
    tasks = sorted(requests.get(server.url + "/worker/tasks", headers=auth(d.alice)).json()["tasks"], key=lambda t: t["image_ids"])
    # Three statuses: one done, one in review, one new.
    for task in tasks[:2]:
        detail = requests.get(server.url + f"/worker/tasks/{task['id']}", headers=auth(d.alice)).json()
        image = detail["images"][0]
        marks = [{"label": "Lesion", "type": "bounding_box", "bbox": [2, 3, 10, 12]}, {"label": "Healthy", "type": "tag"}]
        submitted = requests.post(server.url + f"/worker/tasks/{task['id']}/submit",
                                  json={"annotations": [{"image_id": image["id"], "labels": marks}]}, headers=auth(d.alice))
        assert submitted.status_code == 200 and submitted.json()["status"] == "review", submitted.text
    approved = requests.post(server.url + f"/worker/tasks/{tasks[0]['id']}/review", json={"decision": "approve"}, headers=auth(d.bob))
    assert approved.status_code == 200 and approved.json()["status"] == "done", approved.text
    export = client.download_dataset(str(d.dataset_id), "coco", "1.0")
    assert export["size"] > INLINE_LIMIT, export  # the archive holds big.png: a file blob too
    d.export_link = export["download_url"]
    assert requests.get(d.export_link).status_code == 200

    # HITL: a project with instructions, one job done (webhook delivered), one with a PDF left new, one canceled.
    site.files["/scan.jpg"] = (HITL_SCAN, "image/jpeg")
    site.files["/form.pdf"] = (PDF, "application/pdf")
    site.files["/frame.png"] = (HITL_FRAME, "image/png")
    d.hitl_id, d.hitl_annotator, d.hitl_reviewer = active_project(server, site, d.key, name="forms")
    jobs = {}
    for name, files, extra in [("done", ["/frame.png"], {"webhook_url": site.url + "/hook"}),
                               ("new", ["/scan.jpg", "/form.pdf"], {"predictions": {"boxes": [[1, 2, 3, 4]]}}),
                               ("canceled", ["/frame.png"], {})]:
        made = requests.post(server.url + "/v1/jobs", headers=key_header(d.key),
                             json={"project_id": d.hitl_id, "file_urls": [site.url + f for f in files], **extra})
        assert made.status_code == 200, made.text
        jobs[name] = made.json()["job_id"]
        d.jobs.append((jobs[name], len(files)))
    canceled = requests.delete(server.url + f"/v1/jobs/{d.hitl_id}/{jobs['canceled']}", headers=key_header(d.key))
    assert canceled.status_code == 200, canceled.text
    task = requests.get(server.url + f"/worker/tasks/{jobs['done']}", headers=auth(d.hitl_annotator)).json()
    marks = [{"image_id": task["images"][0]["id"], "labels": [{"label": "car", "type": "bounding_box", "bbox": [1, 1, 5, 5]}]}]
    submitted = requests.post(server.url + f"/worker/tasks/{jobs['done']}/submit", json={"annotations": marks},
                              headers=auth(d.hitl_annotator))
    assert submitted.status_code == 200, submitted.text
    approved = requests.post(server.url + f"/worker/tasks/{jobs['done']}/review", json={"decision": "approve"},
                             headers=auth(d.hitl_reviewer))
    assert approved.status_code == 200, approved.text
    # Nothing left in the outbox: the webhook delivered and recorded so.
    wait_for(lambda: [d_ for d_ in requests.get(server.url + "/v1/webhooks/deliveries", params={"job_id": jobs["done"]},
                                                  headers=key_header(d.key)).json()["deliveries"] if d_["status"] == "delivered"],
               15, "the webhook delivered")

    # Studio: a project from a class-per-folder ZIP, and a split of it.
    made = requests.post(server.url + "/api/projects", json={"name": "Pets", "task": "classification"}, headers=auth(d.key))
    assert made.status_code == 201, made.text
    d.studio_id = made.json()["data"]["id"]
    imported(server, d.key, d.studio_id, STUDIO_UPLOADS)
    split = requests.post(server.url + f"/api/splits/{d.studio_id}", json={"name": "halves", "ratios": {"train": 0.5, "val": 0.25, "test": 0.25},
                                                                        "seed": 3}, headers=auth(d.key))
    assert split.status_code == 201, split.text

    # Studio training: reds and blues, a small CNN trained on them and named the project's pre-labeler, so that a
    # project names a run that names the project (the foreign keys' cycle migrate must copy through).
    made = requests.post(server.url + "/api/projects", json={"name": "Colours", "task": "classification"}, headers=auth(d.key))
    assert made.status_code == 201, made.text
    d.colours_id = made.json()["data"]["id"]
    imported(server, d.key, d.colours_id, [(f"{c}/{c[0]}{i}.png", png(8, 8, colour(i))) for c, colour in
                                           [("red", lambda i: (200 + i, 10, 10)), ("blue", lambda i: (10, 10, 200 + i))] for i in range(12)])
    split = requests.post(server.url + f"/api/splits/{d.colours_id}", json={"name": "s", "ratios": {"train": 0.75, "val": 0.25, "test": 0},
                                                                         "seed": 1}, headers=auth(d.key))
    assert split.status_code == 201, split.text
    experiment = requests.post(server.url + f"/api/training/{d.colours_id}/experiments", headers=auth(d.key), json={
        "name": "cnn", "model": "small_cnn", "image_size": 8, "epochs": 2, "batch_size": 8, "optimizer": {"name": "adamw", "lr": 0.01},
        "scheduler": {"name": "none"}, "seed": 3})
    assert experiment.status_code == 201, experiment.text
    started = requests.post(server.url + f"/api/training/{d.colours_id}/experiments/{experiment.json()['data']['id']}/run", headers=auth(d.key))
    assert started.status_code == 201, started.text
    d.run_id = started.json()["data"]["run_id"]
    run_url = server.url + f"/api/training/{d.colours_id}/runs/{d.run_id}"
    run = wait_for(lambda: (lambda r: r if r["status"] not in ("pending", "running") else None)(
        requests.get(run_url, headers=auth(d.key)).json()["data"]), 120, "the training run")
    assert run["status"] == "completed", run
    named = requests.put(server.url + f"/api/projects/{d.colours_id}/prelabeler", json={"run_id": d.run_id}, headers=auth(d.key))
    assert named.status_code == 200 and named.json()["data"]["run_id"] == d.run_id, named.text

    # The last dataset made is deleted with its project: SQLite never hands its id out again.
    scratch = folder / "scratch.png"
    scratch.write_bytes(png(9, 7, (250, 1, 250)))
    client.create_project("Scratch", "Temporary")
    client.create_dataset("Gone", "CC0", "Scratch", [str(scratch)])
    deleted = requests.post(server.url + "/delete_project/", json={"project_title": "Scratch"}, headers=auth(d.key))
    assert deleted.status_code == 200, deleted.text

    d.answers, d.contents = observe(server, d)
    # Observed twice, the same: nothing in the answers moves by itself.
    assert observe(server, d) == (d.answers, d.contents)
    return d


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, module_site):
    """The SQLite deployment, built and recorded; its server stopped, a pristine copy of its data directory kept."""
    root = tmp_path_factory.mktemp("deployment")
    data = str(root / "data")
    with running(data=data, **FAST) as server:
        try:
            d = build(server, module_site, tmp_path_factory.mktemp("uploads"))
        except (AssertionError, requests.HTTPError) as error:
            raise AssertionError(f"{error}\nthe end of the server's log:\n{''.join(server.log[-15:])}") from error
    d.pristine = str(root / "pristine")
    shutil.copytree(data, d.pristine)
    # Sanity: the dataset holds one blob kept as a file and others kept inline.
    blobs = local_blobs(data)
    kinds = {name: blobs[sha256(content)][0] for name, content in JTHETA_UPLOADS.items()}
    assert kinds == {"big.png": "file", "left.png": "inline", "right.jpg": "inline"}, kinds
    assert referenced_blobs(data) <= set(blobs)
    return d


def copy_of(d, folder):
    """A copy of the deployment's data directory as the build left it, in `folder`."""
    shutil.copytree(d.pristine, folder)
    return str(folder)


# The whole deployment to PostgreSQL and a bucket.

@dataclass
class Migrated:
    url: str
    prefix: str
    done: subprocess.CompletedProcess
    tables: dict
    before: dict
    after: dict
    blobs_before: dict
    blobs_after: dict
    listing_before: list
    listing_after: list


def data_listing(data):
    """The data directory's folders and files, SQLite's own -wal and -shm files aside."""
    return sorted(os.path.relpath(os.path.join(directory, name), data)
                  for directory, folders, files in os.walk(data) for name in folders + files
                  if not name.startswith("quarry.sqlite-") and not name.startswith("inline.sqlite-"))


@pytest.fixture(scope="module")
def migrated(deployment, postgres, seaweed):
    data = deployment.data
    url = postgres.create_database()
    prefix = "migrated/copy"
    tables, before, blobs_before, listing_before = sqlite_tables(data), sqlite_dump(data), local_blobs(data), data_listing(data)
    started = time.monotonic()
    done = migrate(data, "--to-database", url, "--to-blobs", f"s3://{seaweed.bucket}/{prefix}", **s3_keys(seaweed))
    print(f"\nmigrate: {time.monotonic() - started:.2f} s")
    migrated_ok(done)
    return Migrated(url, prefix, done, tables, before, sqlite_dump(data), blobs_before, local_blobs(data),
                    listing_before, data_listing(data))


def test_migrate_copies_every_row_and_blob_and_leaves_the_source_as_it_was(deployment, migrated, postgres, seaweed):
    d, m = deployment, migrated
    lines = m.done.stdout.strip().splitlines()
    # Every table's rows, as SQLite counts them, and the closing line's sums.
    for table, rows in m.tables.items():
        assert f"{table}: {rows} rows" in lines, (table, rows, m.done.stdout)
    referenced = referenced_blobs(d.data)
    assert f"blobs: {len(referenced)} copied and read back" in lines, m.done.stdout
    final = FINAL_LINE.match(lines[-1])
    assert final, lines[-1]
    assert [int(n) for n in final.groups()] == [sum(m.tables.values()), len(m.tables), len(referenced)], (lines[-1], m.tables)
    assert all(rows > 0 for table, rows in m.tables.items() if table in ("accounts", "projects", "datasets", "images", "tasks",
                                                                         "task_images", "exports", "job_files", "thumbnails",
                                                                         "webhook_deliveries", "import_jobs", "splits", "experiments",
                                                                         "runs", "settings")), m.tables

    # The database: every table's rows, and the counts triggers keep counted once.
    for table, rows in m.tables.items():
        assert pg_count(postgres, m.url, table) == rows, table
    with sqlite_open(d.data) as db:
        counts = [f"{i}|{n}" for i, n in db.execute("SELECT id, image_count FROM datasets ORDER BY id")]
    assert postgres.psql("SELECT id, image_count FROM datasets ORDER BY id", url=m.url) == counts
    # The project that names its pre-labeler's run (which names the project) names it in the copy too.
    named = "SELECT id, prelabel_run_id FROM projects WHERE prelabel_run_id IS NOT NULL ORDER BY id"
    with sqlite_open(d.data) as db:
        expected = [f"{i}|{r}" for i, r in db.execute(named)]
    assert expected == [f"{d.colours_id}|{d.run_id}"] and postgres.psql(named, url=m.url) == expected

    # The bucket: one object per referenced blob, under the prefix, named by its SHA-256; an unreferenced blob
    # of the data directory (the deleted project's image) is not copied.
    objects = seaweed.keys(m.prefix + "/")
    assert objects == {f"{m.prefix}/{blob}": len(m.blobs_before[blob][1]) for blob in referenced}, sorted(objects)
    assert set(m.blobs_before) - referenced, "the deleted project's image should have left an unreferenced blob"
    for name in objects:
        assert sha256(seaweed.get(name)) == name.rsplit("/", 1)[1], name
    big = sha256(JTHETA_UPLOADS["big.png"])
    assert objects[f"{m.prefix}/{big}"] == len(JTHETA_UPLOADS["big.png"])

    # The source as it was: every row, every blob, no scratch folder left behind.
    assert m.after == m.before, [t for t in m.before if m.before[t] != m.after.get(t)]
    assert m.blobs_after == m.blobs_before
    assert m.listing_after == m.listing_before, sorted(set(m.listing_after) ^ set(m.listing_before))
    # And it still answers as before.
    with running(data=d.data, **FAST) as again:
        assert_answers_the_same(again, d)


def test_a_server_on_the_copy_answers_the_same_and_numbers_new_rows_past_the_copied_ones(deployment, migrated, seaweed, module_site,
                                                                                           tmp_path):
    d, m = deployment, migrated
    settings = {"QUARRY_DATABASE_URL": m.url, **seaweed.settings(m.prefix)}
    fresh = str(tmp_path / "fresh-data")
    with running(data=fresh, **FAST, **settings) as server:
        try:
            assert_answers_the_same(server, d)

            # Exports download from the bucket: the SDK's link is a 302 to the copied archive.
            client = JThetaClient(api_key=d.key, base_url=server.url + "/api")
            export = client.download_dataset(str(d.dataset_id), "coco", "1.0")
            assert export["export_id"] == d.answers["export"]["export_id"]
            first = requests.get(export["download_url"], allow_redirects=False)
            assert first.status_code == 302, (first.status_code, first.text[:300])
            location = first.headers["Location"]
            assert location.startswith(f"{seaweed.endpoint}/{seaweed.bucket}/{m.prefix}/"), location
            archive = requests.get(location)
            assert archive.status_code == 200 and archive.content == d.contents["export coco"]
            assert urlsplit(location).path.rsplit("/", 1)[1] == sha256(archive.content)
            entries = zip_entries(archive.content)
            assert sorted(v for k, v in entries.items() if k.startswith("images/")) == sorted(JTHETA_UPLOADS.values())
            # The link the SQLite server signed still works: the signing secret came along.
            old = urlsplit(d.export_link)
            relinked = requests.get(f"{server.url}{old.path}?{old.query}")
            assert relinked.status_code == 200 and relinked.content == d.contents["export coco"], relinked.status_code
            # Nothing came from the data directory: it is new, and holds no blobs of SQLite's.
            assert not os.path.exists(os.path.join(fresh, "blobs")) and not os.path.exists(os.path.join(fresh, "quarry.sqlite"))

            # New rows: numbered past every copied one, their blobs in the bucket, beside the copied ones.
            max_dataset = sqlite_scalar(d.data, "SELECT MAX(id) FROM datasets")
            max_image = sqlite_scalar(d.data, "SELECT MAX(id) FROM images")
            extra = tmp_path / "extra.png"
            extra.write_bytes(png(21, 13, (3, 141, 59)))
            more = client.create_dataset("More", "CC0", "Eyes", [str(extra)])
            assert more["dataset_id"] > max_dataset and all(i["id"] > max_image for i in more["images"]), (more, max_dataset, max_image)
            assert f"{m.prefix}/{sha256(extra.read_bytes())}" in seaweed.keys(m.prefix + "/")
            studio = requests.post(server.url + "/api/projects", json={"name": "After", "task": "detection"}, headers=auth(d.key))
            assert studio.status_code == 201, studio.text
            listed = requests.get(server.url + "/api/projects", headers=auth(d.key)).json()["data"]
            assert {p["name"] for p in listed} == {p["name"] for p in d.answers["projects"]["data"]} | {"After"}
            module_site.files["/later.png"] = (png(11, 11, (7, 7, 7)), "image/png")
            job = requests.post(server.url + "/v1/jobs", json={"project_id": d.hitl_id, "file_urls": [module_site.url + "/later.png"]},
                                headers=key_header(d.key))
            assert job.status_code == 200, job.text
            assert get_bytes(server.url + f"/v1/jobs/{d.hitl_id}/{job.json()['job_id']}/files/0", key_header(d.key)) == png(11, 11, (7, 7, 7))
            # A copied task taken up where it was: alice labels the one left new.
            left = [t for t in d.answers["worker tasks alice"] if t["status"] == "new"]
            assert len(left) == 1, d.answers["worker tasks alice"]
            detail = requests.get(server.url + f"/worker/tasks/{left[0]['id']}", headers=auth(d.alice)).json()
            submitted = requests.post(server.url + f"/worker/tasks/{left[0]['id']}/submit", headers=auth(d.alice), json={
                "annotations": [{"image_id": detail["images"][0]["id"], "labels": [{"label": "Healthy", "type": "tag"}]}]})
            assert submitted.status_code == 200 and submitted.json()["status"] == "review", submitted.text
            # A new account beside the copied one.
            newcomer = server.create_account("newcomer")
            assert requests.get(server.url + "/api/account", headers=auth(newcomer)).json()["data"]["name"] == "newcomer"
            assert requests.get(server.url + "/api/projects", headers=auth(newcomer)).json()["data"] == []
        except (AssertionError, requests.HTTPError) as error:
            raise AssertionError(f"{error}\nthe end of the server's log:\n{''.join(server.log[-15:])}") from error


# Refusals.

def test_migrating_into_a_database_that_has_rows_is_refused_and_copies_nothing(deployment, migrated, postgres, seaweed, tmp_path):
    data = copy_of(deployment, tmp_path / "data")
    counts = {table: pg_count(postgres, migrated.url, table) for table in ("accounts", "images", "blob_holds")}
    done = migrate(data, "--to-database", migrated.url, "--to-blobs", f"s3://{seaweed.bucket}/again", **s3_keys(seaweed))
    assert done.returncode != 0, done.stdout
    assert "the target database is not empty (accounts has rows); migrate into a new database" in done.stderr, done.stderr
    assert "copied" not in done.stdout and "Fatal error" not in done.stderr, (done.stdout, done.stderr)
    assert {table: pg_count(postgres, migrated.url, table) for table in counts} == counts
    assert seaweed.keys("again/") == {}


def test_migrate_without_a_target_or_with_one_it_cannot_use_is_refused(deployment, postgres, seaweed, tmp_path):
    data = copy_of(deployment, tmp_path / "data")
    before = sqlite_dump(data)
    cases = [
        ((), {}, ["--to-database postgres://", "--to-blobs s3://"]),
        (("--to-database", "mysql://x"), {}, ["--to-database must be a postgres:// or postgresql:// URL"]),
        (("--to-blobs", "file:///x"), s3_keys(seaweed), ["--to-blobs must be s3://bucket", "file:///x"]),
        (("--to-blobs", "s3://b"), {}, ["QUARRY_S3_ACCESS_KEY_ID"]),
        (("--to-blobs", "s3://b"), {"QUARRY_S3_SECRET_ACCESS_KEY": "x"}, ["QUARRY_S3_ACCESS_KEY_ID"]),
        (("--to-database",), {}, ["unexpected '--to-database'"]),
        (("--to-sqlite", "x"), {}, ["unexpected '--to-sqlite'"]),
    ]
    for words, settings, named in cases:
        done = migrate(data, *words, **settings)
        assert done.returncode != 0, (words, done.stdout)
        assert all(text in done.stderr for text in named), (words, named, done.stderr)
        assert "Fatal error" not in done.stderr and "copied" not in done.stdout, (words, done.stderr)
    # A deployment already on PostgreSQL is not what migrate copies.
    done = migrate(data, "--to-database", postgres.create_database(), "--to-blobs", f"s3://{seaweed.bucket}/from-pg",
                   QUARRY_DATABASE_URL=postgres.create_database(), **s3_keys(seaweed))
    assert done.returncode != 0, done.stdout
    assert "already on PostgreSQL; migrate copies a SQLite deployment" in done.stderr, done.stderr
    assert sqlite_dump(data) == before
    assert seaweed.keys("from-pg/") == {}


def test_a_bucket_migrate_cannot_use_stops_it_before_any_row_is_copied(deployment, postgres, seaweed, tmp_path):
    """Blobs go first: a bucket that cannot be used leaves the target database empty, so the same one takes the
    migrate once the bucket is right."""
    data = copy_of(deployment, tmp_path / "data")
    url = postgres.create_database()
    for target, change, named in [("s3://no-such-bucket/x", {}, "NoSuchBucket"),
                                  (f"s3://{seaweed.bucket}/wrong-secret", {"QUARRY_S3_SECRET_ACCESS_KEY": "not-the-secret"},
                                   "SignatureDoesNotMatch")]:
        done = migrate(data, "--to-database", url, "--to-blobs", target, **{**s3_keys(seaweed), **change})
        assert done.returncode != 0 and named in done.stderr, (target, done.returncode, done.stderr[:1500])
        assert "Fatal error" not in done.stderr and "copied" not in done.stdout, done.stderr[:1500]
        assert all(pg_count(postgres, url, table) == 0 for table in sqlite_tables(data)), target
    assert seaweed.keys("wrong-secret/") == {}
    done = migrated_ok(migrate(data, "--to-database", url, "--to-blobs", f"s3://{seaweed.bucket}/retried", **s3_keys(seaweed)))
    assert FINAL_LINE.match(done.stdout.strip().splitlines()[-1]), done.stdout
    assert pg_count(postgres, url, "images") == sqlite_tables(data)["images"]
    assert {name.rsplit("/", 1)[1] for name in seaweed.keys("retried/")} == referenced_blobs(data)


# `--to-blobs` alone: the database stays SQLite in the data directory, the blobs go to the bucket.

def test_to_blobs_alone_copies_the_blobs_and_the_sqlite_server_uses_the_bucket(deployment, seaweed, tmp_path):
    d = deployment
    data = copy_of(d, tmp_path / "data")
    prefix = "blobs-only"
    before = sqlite_dump(data)
    done = migrated_ok(migrate(data, "--to-blobs", f"s3://{seaweed.bucket}/{prefix}", **s3_keys(seaweed)))
    referenced = referenced_blobs(data)
    lines = done.stdout.strip().splitlines()
    assert f"blobs: {len(referenced)} copied and read back" in lines, done.stdout
    final = FINAL_LINE.match(lines[-1])
    assert final and [int(n) for n in final.groups()] == [0, 0, len(referenced)], lines[-1]
    objects = seaweed.keys(prefix + "/")
    assert {name.rsplit("/", 1)[1] for name in objects} == referenced
    # The database is the same one: only the holds of the blobs put into the bucket are new in it.
    after = sqlite_dump(data)
    assert {t: rows for t, rows in after.items() if t != "blob_holds"} == {t: rows for t, rows in before.items() if t != "blob_holds"}
    with running(data=data, **FAST, **seaweed.settings(prefix)) as server:
        assert_answers_the_same(server, d)
        export = JThetaClient(api_key=d.key, base_url=server.url + "/api").download_dataset(str(d.dataset_id), "coco", "1.0")
        first = requests.get(export["download_url"], allow_redirects=False)
        assert first.status_code == 302 and first.headers["Location"].startswith(f"{seaweed.endpoint}/{seaweed.bucket}/{prefix}/"), \
            (first.status_code, first.headers.get("Location"))


# `--to-database` alone: the blobs stay in the data directory.

@pytest.fixture(scope="module")
def database_only(deployment, postgres, tmp_path_factory):
    data = copy_of(deployment, tmp_path_factory.mktemp("database-only") / "data")
    url = postgres.create_database()
    blobs = local_blobs(data)
    done = migrated_ok(migrate(data, "--to-database", url))
    return data, url, done, blobs


def test_to_database_alone_copies_the_rows_and_the_server_uses_the_data_directorys_blobs(deployment, database_only, postgres, tmp_path):
    d = deployment
    data, url, done, blobs = database_only
    tables = sqlite_tables(data)
    lines = done.stdout.strip().splitlines()
    for table, rows in tables.items():
        assert f"{table}: {rows} rows" in lines and pg_count(postgres, url, table) == rows, (table, rows)
    assert not any(line.startswith("blobs:") for line in lines), done.stdout
    final = FINAL_LINE.match(lines[-1])
    assert final and [int(n) for n in final.groups()] == [sum(tables.values()), len(tables), 0], lines[-1]
    assert local_blobs(data) == blobs
    # On PostgreSQL, with the same data directory: its quarry.sqlite is not used, its blobs are.
    with running(data=data, QUARRY_DATABASE_URL=url, **FAST) as server:
        assert_answers_the_same(server, d)
        extra = tmp_path / "extra.jpg"
        extra.write_bytes(jpeg(17, 9, (1, 99, 1)))
        more = JThetaClient(api_key=d.key, base_url=server.url + "/api").create_dataset("Local more", "CC0", "Eyes", [str(extra)])
        assert more["dataset_id"] > sqlite_scalar(data, "SELECT MAX(id) FROM datasets"), more
        # What it makes goes to the same data directory's blobs, and into PostgreSQL, not the SQLite file.
        assert sha256(extra.read_bytes()) in local_blobs(data)
        assert pg_count(postgres, url, "datasets") == tables["datasets"] + 1
        assert sqlite_tables(data)["datasets"] == tables["datasets"]


def test_ids_the_source_gave_to_rows_since_deleted_are_not_given_again(deployment, postgres, tmp_path):
    """SQLite's AUTOINCREMENT never hands out an id again, a deleted row's included (JTheta's dataset ids are
    what clients hold): the copy must go on from SQLite's sequence, not from the largest id left."""
    data = copy_of(deployment, tmp_path / "data")
    given = sqlite_sequence(data)
    left = sqlite_scalar(data, "SELECT MAX(id) FROM datasets")
    assert given["datasets"] > left, (given, left)  # the deleted Scratch dataset was the last made
    url = postgres.create_database()
    migrated_ok(migrate(data, "--to-database", url))
    with running(data=data, QUARRY_DATABASE_URL=url, **FAST) as server:
        extra = tmp_path / "extra.png"
        extra.write_bytes(png(5, 5, (4, 4, 4)))
        more = JThetaClient(api_key=deployment.key, base_url=server.url + "/api").create_dataset("Next", "CC0", "Eyes", [str(extra)])
    with running(data=copy_of(deployment, tmp_path / "sqlite-data"), **FAST) as server:
        extra_sqlite = JThetaClient(api_key=deployment.key, base_url=server.url + "/api").create_dataset("Next", "CC0", "Eyes", [str(extra)])
    assert extra_sqlite["dataset_id"] == given["datasets"] + 1, extra_sqlite
    assert more["dataset_id"] > given["datasets"], (f"the copy gave dataset id {more['dataset_id']}, which SQLite had given to the "
                                                    f"deleted dataset; SQLite itself gives {extra_sqlite['dataset_id']}")
    assert all(i["id"] > given["images"] for i in more["images"]), (more["images"], given["images"])
