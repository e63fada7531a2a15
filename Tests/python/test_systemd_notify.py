"""Running under systemd without libsystemd. Readiness (Type=notify): with NOTIFY_SOCKET set, the server sends READY=1
(with a STATUS line) once it listens and STOPPING=1 when SIGTERM starts its shutdown; an abstract-namespace
socket (`@name`) works too. Logging: under the journal (JOURNAL_STREAM set) each line starts with its syslog
priority."""
import os
import socket
import subprocess
import tempfile

import requests

from conftest import BINARY, Server


def receive(sock):
    sock.settimeout(20)
    return sock.recv(4096).decode()


def test_ready_then_stopping_over_a_path_socket():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        server = Server(NOTIFY_SOCKET=path)
        try:
            ready = receive(sock)
            assert ready.startswith("READY=1\n") and f"STATUS=listening on 127.0.0.1:{server.port}" in ready
            assert requests.get(server.url + "/healthz").status_code == 200
        finally:
            server.stop()
        assert receive(sock) == "STOPPING=1"
        sock.close()


def test_an_abstract_socket_works_too():
    name = f"quarry-notify-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    server = Server(NOTIFY_SOCKET="@" + name)
    try:
        assert receive(sock).startswith("READY=1")
    finally:
        server.stop()
        sock.close()


def test_lines_carry_syslog_priorities_for_the_journal():
    server = Server(JOURNAL_STREAM="8:12345")
    try:
        assert any(line.startswith("<6>listening on") for line in server.log), server.log
    finally:
        server.stop()


def test_a_sigterm_right_after_ready_still_drains():
    """systemd may stop a unit the moment it is ready: the signal handlers are in place before READY=1."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        for _ in range(5):
            server = Server(NOTIFY_SOCKET=path)
            assert receive(sock).startswith("READY=1")
            server.process.terminate()
            assert server.process.wait(timeout=30) == 0
            assert receive(sock) == "STOPPING=1"
            server.stop()
        sock.close()


def test_a_failed_command_logs_at_error_priority():
    with tempfile.TemporaryDirectory() as directory:
        failed = subprocess.run([BINARY, "admin", "no-such-command", "--data", directory], capture_output=True, text=True,
                                env=dict(os.environ, JOURNAL_STREAM="8:12345"))
    assert failed.returncode == 2 and failed.stderr.startswith("<3>error: unknown admin command"), failed.stderr
