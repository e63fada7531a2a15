"""Real HTTP clients other than our own talk to the real server: requests and http.client."""
import http.client
import json

import requests
import urllib3

from conftest import ADMIN_KEY


def admin_headers():
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


def test_requests_session_keeps_alive(server):
    with requests.Session() as session:
        for _ in range(20):
            response = session.get(server.url + "/healthz")
            assert response.status_code == 200
            assert response.json() == {"status": "ok"}
            assert response.headers["X-Request-Id"]
            assert "close" not in response.headers.get("Connection", "")


def test_urllib3_pool_reuses_one_connection(server):
    pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=1)
    for _ in range(20):
        assert pool.request("GET", "/healthz").status == 200
    assert pool.num_connections == 1
    assert pool.num_requests == 20


def test_account_flow_with_requests(server):
    created = requests.post(server.url + "/admin/accounts", json={"name": "py-team"}, headers=admin_headers())
    assert created.status_code == 201
    key = created.json()["api_key"]
    assert requests.get(server.url + "/v1/health", headers={"Authorization": f"api_key {key}"}).json() == {"status": "UP"}
    assert requests.get(server.url + "/v1/health", headers={"Authorization": "api_key qk_bad"}).status_code == 401
    listed = requests.get(server.url + "/admin/accounts", headers=admin_headers()).json()
    assert [a["name"] for a in listed["accounts"]] == ["py-team"]


def test_chunked_upload_from_a_generator(server):
    def body():
        yield b'{"name":'
        yield b'"streamed"}'

    response = requests.post(server.url + "/admin/accounts", data=body(),
                             headers={**admin_headers(), "Content-Type": "application/json"})
    assert response.status_code == 201
    assert response.json()["account"]["name"] == "streamed"


def test_http_client_expect_continue_and_head(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("HEAD", "/healthz")
    head = conn.getresponse()
    assert head.status == 200 and head.read() == b"" and head.getheader("Content-Length") == "15"
    payload = json.dumps({"name": "continued"}).encode()
    conn.request("POST", "/admin/accounts", body=payload,
                 headers={**admin_headers(), "Content-Type": "application/json", "Expect": "100-continue"})
    response = conn.getresponse()
    assert response.status == 201
    assert json.loads(response.read())["account"]["name"] == "continued"
    conn.close()


def test_errors_come_in_each_api_shape(server):
    plain = requests.get(server.url + "/v1/nothing")
    assert plain.status_code == 404 and "error" in plain.json()
    studio = requests.get(server.url + "/api/nothing")
    assert studio.status_code == 404
    assert studio.json()["status"] == "error" and studio.json()["error"]["code"] == "NOT_FOUND"
    wrong = requests.put(server.url + "/healthz")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, HEAD"
