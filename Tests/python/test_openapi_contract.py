"""The OpenAPI documents against the live server, judged by schemathesis: for every operation of every
surface, generated requests (bounded, with a fixed seed) must never get a 5xx, and every response must
have a documented status, content type and a body that matches its schema. The documents are also served
at /openapi/{name} as they are in Resources/openapi/."""
import json
import os
import subprocess

import pytest
import requests

from conftest import ADMIN_KEY, ROOT, Server
from test_workbench_session import worker_link_token

DOCUMENTS = ["jtheta", "hitl", "studio", "worker", "admin"]


@pytest.fixture(scope="module")
def live():
    """One server for the module: an account with a JTheta project (so there is a worker to sign in as)."""
    server = Server()
    key = server.create_account("contract")
    worker = worker_link_token(server, key)
    headers = {"jtheta": f"Bearer {key}", "hitl": f"api_key {key}", "studio": f"Bearer {key}", "worker": f"Bearer {worker}",
               "admin": f"Bearer {ADMIN_KEY}"}
    yield server, headers
    server.stop()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_documents_are_served_as_kept(live, name):
    server, _ = live
    served = requests.get(server.url + f"/openapi/{name}.json")
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/json")
    with open(os.path.join(ROOT, "Resources", "openapi", f"{name}.json")) as file:
        assert served.json() == json.load(file)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_server_keeps_to_its_document(live, name):
    server, headers = live
    result = subprocess.run(
        ["schemathesis", "run", os.path.join(ROOT, "Resources", "openapi", f"{name}.json"), "--url", server.url,
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
         "--phases", "examples,fuzzing", "--max-examples", "6", "--seed", "20261123", "--generation-deterministic",
         "-H", f"Authorization: {headers[name]}"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
