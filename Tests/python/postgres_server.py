"""A private PostgreSQL server for the end-to-end tests, set up as the Swift tests' harness does
(Tests/StorageTests/PostgresServer.swift): Debian's server binaries (`make test-deps` installs the postgresql
package), a cluster made by initdb in a temporary folder, password (SCRAM) authentication, listening on a
free loopback port with its socket in that folder, durability off (the data dies with the folder).

initdb and postgres refuse to run as root; when the tests run as root, both run as the `postgres` account
the Debian package creates, through `setpriv` (util-linux), which switches user and then execs, so the pid
held here is the server's own. Missing binaries are an error naming `make test-deps`, never a skip.

The tests' own statements (creating databases, counting rows) go through the cluster's `psql`."""
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from urllib.parse import quote

USER = "quarry_test"


class PostgresServerError(Exception):
    pass


def locate_binaries():
    """`QUARRY_PG_BIN` if set; else `pg_config --bindir` where it holds the server; else the newest
    /usr/lib/postgresql/*/bin."""
    def has_server(folder):
        return all(os.access(os.path.join(folder, name), os.X_OK) for name in ("initdb", "postgres", "psql"))

    configured = os.environ.get("QUARRY_PG_BIN")
    if configured:
        if not has_server(configured):
            raise PostgresServerError(f"QUARRY_PG_BIN={configured} holds no initdb, postgres and psql")
        return configured
    try:
        answer = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
        if answer.returncode == 0 and answer.stdout.strip() and has_server(answer.stdout.strip()):
            return answer.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    versions = []
    for folder in glob.glob("/usr/lib/postgresql/*/bin"):
        version = os.path.basename(os.path.dirname(folder))
        if version.isdigit() and has_server(folder):
            versions.append((int(version), folder))
    if versions:
        return max(versions)[1]
    raise PostgresServerError("PostgreSQL's server binaries (initdb, postgres, psql) were not found (looked in QUARRY_PG_BIN, "
                              "`pg_config --bindir` and /usr/lib/postgresql/*/bin): `make test-deps` installs them "
                              "(Debian's postgresql package)")


def server_account():
    """(name, uid, gid) of the `postgres` account when running as root, else None."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresServerError("the tests run as root, and PostgreSQL refuses to: they run it as the `postgres` account, "
                                  "which does not exist; `make test-deps` creates it (Debian's postgresql package)") from None
    if not os.access("/usr/bin/setpriv", os.X_OK):
        raise PostgresServerError("the tests run as root and need /usr/bin/setpriv (util-linux) to run PostgreSQL as `postgres`")
    return entry.pw_name, entry.pw_uid, entry.pw_gid


def free_port():
    """A port the kernel calls free on 127.0.0.1, released for the server to bind."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """The constructor makes the cluster and starts the server, returning once it accepts connections;
    `stop` (fast shutdown), `start` and `restart` for faults; `remove` stops it and deletes the folder."""

    def __init__(self, timeout=30):
        self.binaries = locate_binaries()
        self.account = server_account()
        # The server's account must reach the folder: /tmp rather than a TMPDIR that may sit in root's home.
        self.directory = tempfile.mkdtemp(prefix="quarry-py-postgres-", dir="/tmp" if self.account else None)
        self.password = uuid.uuid4().hex
        self.port = free_port()
        self.process = None
        self.log_path = os.path.join(self.directory, "server.log")
        try:
            os.chmod(self.directory, 0o700)
            with open(os.path.join(self.directory, "password"), "w") as f:
                f.write(self.password)
            if self.account:
                for path in (self.directory, os.path.join(self.directory, "password")):
                    os.chown(path, self.account[1], self.account[2])
            self._initdb()
            self.start(timeout)
        except BaseException:
            self.remove()
            raise

    def _command(self, executable, *arguments):
        command = [os.path.join(self.binaries, executable), *arguments]
        if self.account:
            command = ["/usr/bin/setpriv", f"--reuid={self.account[1]}", f"--regid={self.account[2]}", "--clear-groups", "--", *command]
        return command

    def _initdb(self):
        log_path = os.path.join(self.directory, "initdb.log")
        with open(log_path, "wb") as log:
            done = subprocess.run(self._command("initdb", "-D", os.path.join(self.directory, "data"), "--locale=C", "--encoding=UTF8",
                                                "--auth=scram-sha-256", f"--username={USER}",
                                                f"--pwfile={os.path.join(self.directory, 'password')}", "--no-sync"),
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise PostgresServerError(f"initdb failed (status {done.returncode}); its log:\n{self._tail(log_path)}")

    def url(self, database="postgres", password=None, port=None):
        """A URL for `database` as the cluster's superuser (another password or port for the tests that need a wrong one)."""
        secret = self.password if password is None else password
        return f"postgres://{USER}:{quote(secret, safe='')}@127.0.0.1:{port or self.port}/{database}?sslmode=disable"

    def create_database(self):
        """The URL of a new, empty database of its own."""
        name = "test_" + uuid.uuid4().hex
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql, url=None, timeout=30):
        """Runs `sql` through psql on `url` (the `postgres` database by default); the rows, one a line, columns
        separated by `|`. Raises PostgresServerError when psql fails."""
        done = subprocess.run([os.path.join(self.binaries, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-d", url or self.url(), "-c", sql],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ, PGCONNECT_TIMEOUT="5"))
        if done.returncode != 0:
            raise PostgresServerError(f"psql {sql!r}: status {done.returncode}: {done.stderr.strip()}")
        return [line for line in done.stdout.splitlines() if line]

    def accepts_connections(self):
        try:
            return self.psql("SELECT 1", timeout=10) == ["1"]
        except (PostgresServerError, subprocess.TimeoutExpired):
            return False

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self, timeout=30):
        """Starts the server on the cluster and waits until it accepts connections (polled, no fixed wait)."""
        assert not self.running, "the server is already running"
        arguments = ["-D", os.path.join(self.directory, "data"), "-p", str(self.port), "-k", self.directory,
                     "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self._command("postgres", *arguments), stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.accepts_connections():
            if self.process.poll() is not None:
                status = self.process.returncode
                self.process = None
                raise PostgresServerError(f"postgres exited ({status}) while starting; its log:\n{self._tail(self.log_path)}")
            if time.monotonic() > deadline:
                self.stop()
                raise PostgresServerError(f"postgres did not accept connections within {timeout} s; its log:\n{self._tail(self.log_path)}")
            time.sleep(0.05)

    def stop(self):
        """Fast shutdown (SIGINT): sessions are ended with 57P01 and the server exits; immediate shutdown
        (SIGQUIT) if that takes more than 10 s. Returns once the server has exited."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGQUIT)
                process.wait()

    def restart(self):
        self.stop()
        self.start()

    def remove(self):
        """Stops the server and removes the cluster."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def log_tail(self, size=4000):
        return self._tail(self.log_path, size)

    @staticmethod
    def _tail(path, size=4000):
        try:
            with open(path, "rb") as f:
                return f.read().decode(errors="replace")[-size:]
        except OSError:
            return ""
