"""A round-robin HTTP load balancer on loopback, for tests of several Quarry processes behind one URL: each
request goes to the next process in turn, headers (Host included) and body as they came, and the answer
streams back as it arrives (server-sent events included); a process that does not answer is a 502. `Deployment` starts three `quarry serve` processes
and a `quarry worker` on one PostgreSQL database and one bucket behind it, and stands in for a `Server`."""
import http.client
import itertools
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import requests

from conftest import ADMIN_KEY, BINARY, Server
from emulated_gpu import emulated_gpu
from hitl_support import wait_for

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Balancer:
    def __init__(self, backends):
        """backends: the processes' base URLs, taken in turn."""
        turns = itertools.cycle([urlsplit(url) for url in backends])
        lock = threading.Lock()

        class Forward(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *arguments):
                pass

            def forward(self):
                with lock:
                    target = next(turns)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
                try:
                    try:
                        upstream.request(self.command, self.path, body=body, headers=headers)
                        answer = upstream.getresponse()
                    except OSError:
                        # A process that is gone, as a load balancer answers for it (this one checks no health).
                        self.send_response(502)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response_only(answer.status, answer.reason)
                    sized = answer.getheader("Content-Length") is not None
                    for name, value in answer.getheaders():
                        if name.lower() not in HOP_BY_HOP:
                            self.send_header(name, value)
                    if not sized:
                        # Streamed (chunked upstream): sent as it comes, the end told by closing.
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    while chunk := answer.read1(65536) if self.command != "HEAD" else b"":
                        self.wfile.write(chunk)
                        self.wfile.flush()
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Deployment:
    """Three `quarry serve` processes and one `quarry worker` (the emulated GPU's gpu:0 and the CPU) sharing a
    new PostgreSQL database and a bucket prefix, behind a `Balancer`: what a test of one `Server` needs (`url`,
    `data`, `log`, `create_account`, `stop`), answered by all of them."""

    def __init__(self, postgres, seaweed, prefix, **settings):
        self.postgres = postgres
        self.settings = {"QUARRY_DATABASE_URL": postgres.create_database(), **seaweed.settings(prefix), **settings}
        self.servers = [Server(**self.settings) for _ in range(3)]
        self.worker, self.worker_log = start_worker(self.settings, "gpu:0", "cpu", **emulated_gpu())
        self.balancer = Balancer([server.url for server in self.servers])
        self.url = self.balancer.url
        self.data = self.servers[0].data

    @property
    def log(self):
        return [line for server in self.servers for line in server.log] + self.worker_log

    def create_account(self, name):
        response = requests.post(self.url + "/admin/accounts", json={"name": name}, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        response.raise_for_status()
        return response.json()["api_key"]

    def stop(self):
        self.balancer.stop()
        self.worker.terminate()
        self.worker.wait(timeout=60)
        for server in self.servers:
            server.stop()


def start_worker(settings, *devices, **extra):
    """`quarry worker --device …` on a deployment's settings, started: the process and its log."""
    data = tempfile.mkdtemp(prefix="quarry-worker-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUARRY_")}
    env.update(QUARRY_DATA_DIR=data, **settings, **extra)
    words = [word for device in devices for word in ("--device", device)]
    process = subprocess.Popen([BINARY, "worker", *words], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = []
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    wait_for(lambda: any("worker taking work for" in line for line in log) or process.poll() is not None, timeout=30,
             what="the worker to start")
    assert process.poll() is None, log
    return process, log
