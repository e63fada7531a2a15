"""Scale: load_bench's mixed load (authenticated reads, HITL jobs created from URLs on a local file server, JTheta
uploads; no training) against 1, 2 and 3 `quarry serve` processes sharing one PostgreSQL database and one S3
bucket (SeaweedFS), each process on its own port with the client's connections spread evenly over the ports as a
load balancer would, beside one process on SQLite with its blobs in its data directory (the reference).

PostgreSQL and SeaweedFS are the tests' own harnesses (Tests/python/postgres_server.py and seaweedfs.py): one
private server of each for the whole group, and each configuration a fresh database and bucket prefix of its own,
so none starts on what another wrote. All four configurations are up together, and each round runs the same
requests against every one of them in turn (the order rotated round by round), so a slow moment of the machine
falls on all of them alike. Requests per second and p99 latency are reported per round; the figures are the
medians over the rounds, with the rounds' range beside them and beside the SQLite process's."""
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from figure import Figure, readable
from http_bench import QUARRY, free_port, wait_for_port
from load_bench import (BLOCK, MIX, REQUESTS as LOAD_REQUESTS, WARM_UP_REQUESTS, FileServer, Target, job_files, load_round,
                        log_tail, percentile, prepare_hitl, prepare_jtheta, prepare_studio, stop_server)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "python"))

from postgres_server import PostgresServer  # noqa: E402
from seaweedfs import SeaweedFS  # noqa: E402

# Six connections divide evenly over 1, 2 and 3 processes (6, 3 and 2 each).
CONNECTIONS = 6
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "3600"))  # per round and configuration, over all connections
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "5"))
PROCESS_COUNTS = (1, 2, 3)
WRITES = sum(count for kind, count in MIX if kind in ("create_job", "upload"))  # of every BLOCK requests
BUCKET = "quarry-bench"
REFERENCE = "SQLite, 1 process"
if REQUESTS % (CONNECTIONS * BLOCK) or REQUESTS > LOAD_REQUESTS or ROUNDS < 1:
    raise SystemExit(f"BENCH_SCALE_REQUESTS must be a multiple of {CONNECTIONS * BLOCK} (connections × the mix's block) "
                     f"and at most {LOAD_REQUESTS} (BENCH_LOAD_REQUESTS: load_bench numbers each round's uploads from there), "
                     "and BENCH_SCALE_ROUNDS at least 1")


@dataclass
class RangeFigure(Figure):
    """A figure that is the median over rounds, with the rounds' range of it and of the reference."""
    low: float = 0.0
    high: float = 0.0
    reference_low: float = 0.0
    reference_high: float = 0.0
    rounds: int = 0

    def line(self):
        return (super().line() + f"; {self.rounds} rounds {readable(self.low)} – {readable(self.high)} {self.unit}"
                f" ({self.reference}: {readable(self.reference_low)} – {readable(self.reference_high)} {self.unit})")

    def as_json(self):
        return {**super().as_json(), "statistic": "median over rounds", "rounds": self.rounds, "range": [self.low, self.high],
                "reference_range": [self.reference_low, self.reference_high]}


class Deployment:
    """One configuration: `processes` servers sharing `settings` (empty: SQLite in the one process's data
    directory), an account made by `quarry admin account create` on the same settings, and the mix's projects."""

    def __init__(self, name, root, admin_key, settings, processes):
        self.name = name
        self.work = os.path.join(root, name)
        self.database = settings.get("QUARRY_DATABASE_URL", "").split("?")[0].rsplit("/", 1)[-1] or None
        self.failures = []  # "round: request: answer", over every round
        self.servers = []  # (process, port, work folder)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("QUARRY_DATABASE", "QUARRY_BLOB_STORE", "QUARRY_S3_"))}
        base = dict(inherited, QUARRY_ACCESS_LOG="0", QUARRY_ADMIN_KEY=admin_key, QUARRY_ALLOW_PRIVATE_URLS="1", **settings)
        self.env = [dict(base, QUARRY_DATA_DIR=os.path.join(self.work, f"process-{i}", "data"), QUARRY_PORT=str(free_port()))
                    for i in range(processes)]
        for env in self.env:
            os.makedirs(env["QUARRY_DATA_DIR"])
        # With no shared settings, the CLI must share the one process's data directory; otherwise it gets its own.
        cli = dict(base, QUARRY_DATA_DIR=os.path.join(self.work, "admin-data")) if settings else self.env[0]
        created = subprocess.run([QUARRY, "admin", "account", "create", "bench"], env=cli, capture_output=True, text=True)
        if created.returncode != 0:
            raise RuntimeError(f"{name}: quarry admin account create: {created.returncode} {created.stderr[-2000:]}")
        self.key = created.stdout.strip().splitlines()[-1]

    def start(self):
        """The processes one after another, each listening before the next starts."""
        for i, env in enumerate(self.env):
            folder = os.path.dirname(env["QUARRY_DATA_DIR"])
            with open(os.path.join(folder, "quarry.log"), "w") as log:
                process = subprocess.Popen([QUARRY, "serve"], env=env, stdout=log, stderr=log)
            self.servers.append((process, int(env["QUARRY_PORT"]), folder))
            wait_for_port(int(env["QUARRY_PORT"]), timeout=60)

    @property
    def ports(self):
        return [port for _, port, _ in self.servers]

    def prepare(self, admin_key, files):
        """The mix's HITL project and jobs, Studio project and JTheta dataset, made through the first process."""
        url = f"http://127.0.0.1:{self.ports[0]}"
        hitl_project, job_ids, file_urls = prepare_hitl(url, self.key, admin_key, files)
        studio_project, _ = prepare_studio(url, self.key)
        self.target = Target(self.ports[0], self.key, hitl_project, job_ids, file_urls, studio_project, prepare_jtheta(url, self.key))

    def round(self, count, round_index):
        return load_round(self.target, count, round_index, ports=self.ports, connections=CONNECTIONS)

    def log_tails(self):
        return "".join(f"{self.name} process {i + 1} ({folder}) log ends:\n{log_tail(folder)}\n"
                       for i, (_, _, folder) in enumerate(self.servers))

    def stop(self):
        problems = []
        for process, _, _ in self.servers:
            try:
                stop_server(process)
            except RuntimeError as error:
                problems.append(f"{self.name}: {error}")
        self.servers = []
        return problems


def counted_round(deployment, label, result):
    """Prints one round and the first few of its errors, which are kept: the rounds go on, so that one run shows
    every configuration's figures, and the group fails at the end (see `run`)."""
    errors = f", {len(result.failures)} ERRORS" if result.failures else ""
    print(f"  scale {deployment.name} {label}: {result.requests} requests in {result.seconds:.1f} s, {result.rate:.0f} req/s, "
          f"p50 {percentile(result.latencies, 0.5):.1f} ms, p99 {percentile(result.latencies, 0.99):.1f} ms{errors}", flush=True)
    for failure in result.failures[:3]:
        print("    " + failure)
    deployment.failures += [f"{label}: {failure}" for failure in result.failures]
    return result


def rollbacks(postgres):
    """Transactions rolled back so far, by database: on these write paths, serialization conflicts (retried, up to
    10 attempts). PostgreSQL's statistics reach the view within a second or so of a transaction's end."""
    time.sleep(1.5)
    return {name: int(count) for name, count in (line.split("|") for line in postgres.psql(
        "SELECT datname, xact_rollback FROM pg_stat_database WHERE datname IS NOT NULL"))}


def measure(deployments, postgres):
    """A warm-up on each, then ROUNDS rounds, each running the same requests on every deployment in turn, the
    order rotated by one each round; returns {name: [(requests/s, p99 ms) per round]}."""
    for deployment in deployments:
        counted_round(deployment, "warm-up", deployment.round(WARM_UP_REQUESTS, 0))
    before = rollbacks(postgres)
    measured = {deployment.name: [] for deployment in deployments}
    for r in range(ROUNDS):
        shift = r % len(deployments)
        for deployment in deployments[shift:] + deployments[:shift]:
            result = counted_round(deployment, f"round {r + 1}", deployment.round(REQUESTS, 1 + r))
            measured[deployment.name].append((result.rate, percentile(result.latencies, 0.99)))
    after = rollbacks(postgres)
    for deployment in deployments:
        if deployment.database:
            print(f"  scale {deployment.name}: PostgreSQL rolled back {after[deployment.database] - before[deployment.database]} "
                  f"transactions over the {ROUNDS} rounds ({ROUNDS * REQUESTS * WRITES // BLOCK} of the requests write)", flush=True)
    return measured


def figures(measured):
    reference = measured["sqlite"]
    out = []
    for n in PROCESS_COUNTS:
        rounds = measured[f"postgres-s3-{n}"]
        label = f"scale_postgres_s3_{n}_process{'es' if n > 1 else ''}"
        for column, suffix, unit, higher in [(0, "requests_per_second", "req/s", True), (1, "p99_latency", "ms", False)]:
            values, ref = [r[column] for r in rounds], [r[column] for r in reference]
            out.append(RangeFigure(f"{label}_{suffix}", statistics.median(values), unit, REFERENCE, statistics.median(ref), higher,
                                   min(values), max(values), min(ref), max(ref), len(values)))
    return out


def run():
    root = tempfile.mkdtemp(prefix="quarry-bench-scale-")
    admin_key = secrets.token_hex(16)
    files = FileServer(job_files())
    postgres = seaweed = None
    deployments = []
    try:
        postgres = PostgresServer()
        seaweed = SeaweedFS(bucket=BUCKET)
        deployments.append(Deployment("sqlite", root, admin_key, {}, 1))
        for n in PROCESS_COUNTS:
            settings = {"QUARRY_DATABASE_URL": postgres.create_database(), **seaweed.settings(f"scale-{n}")}
            deployments.append(Deployment(f"postgres-s3-{n}", root, admin_key, settings, n))
        for deployment in deployments:
            deployment.start()
            deployment.prepare(admin_key, files)
        print(f"  scale: {REQUESTS} requests a round over {CONNECTIONS} connections, {ROUNDS} rounds, "
              f"configurations: {', '.join(d.name for d in deployments)}", flush=True)
        measured = measure(deployments, postgres)
        failed = [deployment for deployment in deployments if deployment.failures]
        for deployment in failed:
            print(deployment.log_tails())
    except Exception:
        for deployment in deployments:
            if deployment.servers:
                print(deployment.log_tails())
        if postgres is not None:
            print("PostgreSQL's log ends:\n" + postgres.log_tail(2000))
        if seaweed is not None:
            print("SeaweedFS's log ends:\n" + seaweed.log_tail(2000))
        raise
    finally:
        problems = [problem for deployment in deployments for problem in deployment.stop()]
        if seaweed is not None:
            seaweed.stop()
        if postgres is not None:
            postgres.remove()
        files.stop()
        shutil.rmtree(root, ignore_errors=True)
    result = figures(measured)
    if failed or problems:
        for figure in result:
            print("  not written: " + figure.line())
        raise RuntimeError("; ".join(problems + [f"scale {d.name}: {len(d.failures)} failed requests" for d in failed]))
    return result
