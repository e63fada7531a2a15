"""Verified keys are cached for a moment (VerifiedKeys), so a key rotated by the admin command beside a
running server, another process, must still stop working within one second."""
import time

import requests

from conftest import Server
from test_backup import admin


def test_a_key_rotated_beside_a_live_server_stops_working_within_a_second(tmp_path):
    server = Server(data=str(tmp_path / "data"))
    try:
        key = server.create_account("rotating")
        headers = {"Authorization": f"api_key {key}"}
        # Verified, and so cached; the health check with a key is answered on the event loop from now on.
        for _ in range(3):
            assert requests.get(server.url + "/v1/health", headers=headers).status_code == 200
        rotated = admin(server.data, "key", "rotate", "rotating")
        assert rotated.returncode == 0, rotated.stderr
        done = time.monotonic()
        new_key = rotated.stdout.strip().splitlines()[-1]
        while requests.get(server.url + "/v1/health", headers=headers).status_code == 200:
            assert time.monotonic() - done < 1.0, "the old key still works a second after its rotation"
        assert requests.get(server.url + "/v1/projects/none", headers=headers).status_code == 401
        assert requests.get(server.url + "/v1/health", headers={"Authorization": f"api_key {new_key}"}).status_code == 200
    finally:
        server.stop()
