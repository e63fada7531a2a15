"""HTTP: wrk against Quarry's GET /healthz and against nginx serving a small static file, both on
loopback, keep-alive, 64 connections. Client and servers share the machine's cores, as they would
in any single-box measurement; both servers get the same conditions."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from figure import Figure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUARRY = os.path.join(ROOT, ".build", "release", "quarry")
DURATION = os.environ.get("BENCH_HTTP_DURATION", "10s")
CONNECTIONS = 64
THREADS = 2


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on port {port}")


def wrk(url, headers=()):
    """Runs wrk and returns (requests per second, p99 latency in ms)."""
    flags = ["-t", str(THREADS), "-c", str(CONNECTIONS)]
    for header in headers:
        flags += ["-H", header]
    # A short warm-up so neither server is measured cold.
    subprocess.run(["wrk", *flags, "-d", "2s", url], capture_output=True, check=True)
    out = subprocess.run(["wrk", *flags, "-d", DURATION, "--latency", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses during the benchmark")
    return rps, float(p99.group(1)) * scale


def measure_quarry(work):
    """/healthz (answered on the event loop) and an authenticated /v1/health (handler pool, key check in SQLite)."""
    port = free_port()
    env = dict(os.environ, QUARRY_DATA_DIR=os.path.join(work, "data"), QUARRY_PORT=str(port))
    created = subprocess.run([QUARRY, "admin", "account", "create", "bench"], env=env, capture_output=True, text=True, check=True)
    key = created.stdout.strip().splitlines()[-1]
    with open(os.path.join(work, "quarry.log"), "w") as log:
        server = subprocess.Popen([QUARRY, "serve"], env=env, stdout=log, stderr=log)
    try:
        wait_for_port(port)
        healthz = wrk(f"http://127.0.0.1:{port}/healthz")
        authenticated = wrk(f"http://127.0.0.1:{port}/v1/health", headers=[f"Authorization: api_key {key}"])
        return healthz, authenticated
    finally:
        server.terminate()
        server.wait(timeout=30)


NGINX_CONF = """
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/tmp;
    proxy_temp_path {work}/tmp;
    fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp;
    scgi_temp_path {work}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location / {{ root {work}/www; default_type application/json; }}
    }}
}}
"""


def measure_nginx(work):
    port = free_port()
    os.makedirs(os.path.join(work, "www"), exist_ok=True)
    os.makedirs(os.path.join(work, "tmp"), exist_ok=True)
    # The same 15 bytes /healthz answers with.
    with open(os.path.join(work, "www", "healthz"), "w") as f:
        f.write('{"status":"ok"}')
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(work=work, port=port))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    server = subprocess.Popen([nginx, "-c", conf, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        return wrk(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        server.wait(timeout=30)


def run():
    work = tempfile.mkdtemp(prefix="quarry-bench-http-")
    # nginx's workers drop to an unprivileged user, who must be able to read the static file.
    os.chmod(work, 0o755)
    try:
        (healthz_rps, healthz_p99), (auth_rps, auth_p99) = measure_quarry(work)
        nginx_rps, nginx_p99 = measure_nginx(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [
        Figure("http_healthz_requests_per_second", healthz_rps, "req/s", "nginx static file", nginx_rps, True),
        Figure("http_healthz_p99_latency", healthz_p99, "ms", "nginx static file", nginx_p99, False),
        Figure("http_authenticated_requests_per_second", auth_rps, "req/s", "nginx static file", nginx_rps, True),
        Figure("http_authenticated_p99_latency", auth_p99, "ms", "nginx static file", nginx_p99, False),
    ]
