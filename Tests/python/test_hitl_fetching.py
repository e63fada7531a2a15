"""User-given URLs cannot reach internal addresses unless QUARRY_ALLOW_PRIVATE_URLS says so, in any
spelling and through redirects, and the refusal happens before any connection."""
import requests

from hitl_support import PDF, key_header
from site_server import Site


def refused(server, key, url):
    response = requests.post(server.url + "/v1/projects", json={"name": "ssrf", "instructions_file_url": url}, headers=key_header(key))
    return response.status_code == 400 and url in response.json()["error"], response.json()


def test_internal_addresses_are_refused_before_connecting(make_server, site):
    server = make_server()
    key = server.create_account("ssrf")
    site.files["/instructions.pdf"] = (PDF, "application/pdf")
    port = site.port
    for url in [f"http://127.0.0.1:{port}/instructions.pdf", f"http://[::1]:{port}/instructions.pdf",
                "http://169.254.169.254/latest/meta-data/x.pdf", "http://10.0.0.1/instructions.pdf",
                f"http://0x7f000001:{port}/instructions.pdf", f"http://2130706433:{port}/instructions.pdf",
                f"http://localhost:{port}/instructions.pdf", f"http://[::ffff:127.0.0.1]:{port}/instructions.pdf"]:
        ok, body = refused(server, key, url)
        assert ok, (url, body)
    assert site.requests == []
    ok, body = refused(server, key, "file:///etc/passwd.pdf")
    assert ok, body


def test_a_redirect_to_loopback_is_refused(make_server, site):
    """The first hop is allowed (127.0.0.2 is on the allow-list); its redirect to 127.0.0.1 is not."""
    outer = Site(host="127.0.0.2")
    try:
        server = make_server(QUARRY_ALLOW_PRIVATE_URLS="127.0.0.2/32")
        key = server.create_account("redirects")
        outer.files["/direct.pdf"] = (PDF, "application/pdf")
        direct = requests.post(server.url + "/v1/projects", json={"name": "ok", "instructions_file_url": outer.url + "/direct.pdf"},
                               headers=key_header(key))
        assert direct.status_code == 200, direct.text
        site.files["/secret.pdf"] = (PDF, "application/pdf")
        outer.redirects["/bounce.pdf"] = site.url + "/secret.pdf"
        ok, body = refused(server, key, outer.url + "/bounce.pdf")
        assert ok and "127.0.0.1" in body["error"], body
        assert site.requests == []
    finally:
        outer.stop()
