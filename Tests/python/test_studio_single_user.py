"""The Studio's single-user mode (QUARRY_STUDIO_ACCOUNT): a Studio client written against the spec sends no
credentials, and on a workstation it should not need to. Keys still work and are still checked, the other
APIs are unaffected, and the mode refuses what a web page or a rebinding name could send."""
import os
import subprocess
import tempfile

import requests

from conftest import BINARY


def test_requests_without_credentials_act_as_the_named_account(make_server):
    server = make_server(QUARRY_STUDIO_ACCOUNT="workstation")
    assert any("single-user mode" in line and "'workstation'" in line for line in server.log)
    me = requests.get(server.url + "/api/account")
    assert me.status_code == 200 and me.json()["data"]["name"] == "workstation"
    created = requests.post(server.url + "/api/projects", json={"name": "Birds", "task": "classification"})
    assert created.status_code == 201
    assert [p["name"] for p in requests.get(server.url + "/api/projects").json()["data"]] == ["Birds"]

    # Credentials that are sent are checked as always, and act as their own account.
    assert requests.get(server.url + "/api/projects", headers={"Authorization": "Bearer qk_" + "0" * 64}).status_code == 401
    other = server.create_account("other")
    assert requests.get(server.url + "/api/projects", headers={"Authorization": f"Bearer {other}"}).json()["data"] == []
    # The other APIs still want their keys.
    assert requests.get(server.url + "/v1/metrics").status_code == 401
    assert requests.post(server.url + "/create_project/", json={"project_title": "Birds", "project_category": "x"}).status_code == 401


def test_a_browser_page_of_another_site_or_name_is_not_the_workstation(make_server):
    server = make_server(QUARRY_STUDIO_ACCOUNT="workstation")
    url = server.url + "/api/projects"
    for headers in [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Host": "evil.example"},
                    {"Host": f"rebound.example:{server.port}"}]:
        response = requests.post(url, json={"name": "Planted", "task": "classification"}, headers=headers)
        assert response.status_code == 401, headers
    same = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    assert requests.get(url, headers=same).status_code == 200
    assert requests.get(url, headers={"Host": f"localhost:{server.port}"}).status_code == 200


def test_it_listens_beyond_loopback_only_when_told_to(make_server):
    data = tempfile.mkdtemp(prefix="quarry-single-user-")
    env = dict(os.environ, QUARRY_DATA_DIR=os.path.join(data, "d"), QUARRY_STUDIO_ACCOUNT="workstation", QUARRY_HOST="0.0.0.0")
    refused = subprocess.run([BINARY, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "QUARRY_STUDIO_ACCOUNT_ANY_ADDRESS" in refused.stderr
    # With the switch it starts; anonymous requests are then not limited to loopback names.
    server = make_server(QUARRY_STUDIO_ACCOUNT="workstation", QUARRY_STUDIO_ACCOUNT_ANY_ADDRESS="1")
    assert requests.get(server.url + "/api/projects", headers={"Host": f"studio.lan:{server.port}"}).status_code == 200
