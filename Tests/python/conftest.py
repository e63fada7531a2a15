"""Starts the real quarry binary (the debug build `swift build` made) on an ephemeral port."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("QUARRY_BINARY", os.path.join(ROOT, ".build", "debug", "quarry"))
ADMIN_KEY = "python-admin-key"


class Server:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="quarry-py-")
        env = dict(os.environ, QUARRY_ADMIN_KEY=ADMIN_KEY, QUARRY_DATA_DIR=os.path.join(self.work, "data"))
        self.process = subprocess.Popen([BINARY, "serve", "--port", "0"], env=env,
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
