"""Starts the real quarry binary (the debug build `swift build` made) on an ephemeral port."""
import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading

import pytest
import requests

from postgres_server import PostgresServer, PostgresServerError
from seaweedfs import SeaweedFS, SeaweedFSError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("QUARRY_BINARY", os.path.join(ROOT, ".build", "debug", "quarry"))
ADMIN_KEY = "python-admin-key"


class Server:
    def __init__(self, data=None, launcher=(), **settings):
        """launcher: a command the binary runs under (strace, say)."""
        self.work = tempfile.mkdtemp(prefix="quarry-py-")
        self.data = data or os.path.join(self.work, "data")
        env = dict(os.environ, QUARRY_ADMIN_KEY=ADMIN_KEY, QUARRY_DATA_DIR=self.data, **settings)
        self.process = subprocess.Popen([*launcher, BINARY, "serve", "--port", "0"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log = []
        ready = threading.Event()
        self.port = None

        def drain():
            for line in self.process.stderr:
                self.log.append(line)
                match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if match:
                    self.port = int(match.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(30) or self.port is None:
            self.stop()
            raise RuntimeError("quarry did not start: " + "".join(self.log))
        self.url = f"http://127.0.0.1:{self.port}"

    def create_account(self, name):
        """A new account's API key, made through the admin API."""
        response = requests.post(self.url + "/admin/accounts", json={"name": name},
                                 headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        response.raise_for_status()
        return response.json()["api_key"]

    def blobs(self):
        """The ids of every stored blob: files under the shard directories, and the small blobs the
        store keeps in blobs/inline.sqlite."""
        root = os.path.join(self.data, "blobs")
        found = []
        for directory, _, files in os.walk(root):
            if directory != root and os.path.basename(directory) != "tmp":
                found += files
        database = os.path.join(root, "inline.sqlite")
        if os.path.exists(database):
            with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
                found += [row[0] for row in db.execute("SELECT id FROM inline_blobs")]
        return sorted(found)

    def kill(self):
        """SIGKILL: no drain, no clean close, as a crash or power cut would leave things."""
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.work, ignore_errors=True)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def make_server():
    """A factory for servers with their own settings (QUARRY_* variables as keyword arguments)."""
    started = []

    def make(**settings):
        s = Server(**settings)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(params=["one server", "three servers and a worker"])
def make_any_server(request, tmp_path):
    """`make_server`, twice: a server on SQLite, and a deployment past one box (three servers and a worker on
    PostgreSQL and a bucket, behind a round-robin balancer: balancer.py) that stands in for one."""
    from balancer import Deployment
    started = []

    def make(**settings):
        if request.param == "one server":
            started.append(Server(**settings))
        else:
            prefix = f"deployment-{len(started)}-{os.path.basename(tmp_path)}"
            started.append(Deployment(request.getfixturevalue("postgres"), request.getfixturevalue("seaweed"), prefix, **settings))
        return started[-1]

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def site():
    from site_server import Site
    s = Site()
    yield s
    s.stop()


# A private PostgreSQL server and a SeaweedFS S3 store, one of each per test module that asks. Either
# missing is a failure that names `make test-deps`, never a skip.

@pytest.fixture(scope="module")
def postgres():
    problem = None
    try:
        server = PostgresServer()
    except PostgresServerError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield server
    server.remove()


@pytest.fixture(scope="module")
def seaweed():
    problem = None
    try:
        store = SeaweedFS()
    except SeaweedFSError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield store
    store.stop()
