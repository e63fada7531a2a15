"""Absolute URLs are built one way (PublicURLs, JobLinks): from QUARRY_PUBLIC_URL when set, else from the
request's Host, with X-Forwarded-Proto and X-Forwarded-Host believed only from QUARRY_TRUSTED_PROXIES. A job's
`image` reads the same in its poll and its webhook, and `quarry admin worker link` prints a whole URL."""
import http.client
import os
import socket
import subprocess

import requests

from conftest import BINARY
from hitl_support import FAST, active_project, finish_job, key_header, wait_for
from images import png


def export_location(server, key, headers=None):
    """Where the JTheta export redirect points, asked with `headers` (Host among them)."""
    response = requests.get(server.url + "/api/export/download", params={"key": key}, headers=headers or {},
                            allow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def raw_export_location(server, key, request_line_and_fields):
    """The redirect for a request written by hand, so Host can be anything or absent."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request_line_and_fields.format(key=key).encode("latin-1") + b"\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
    head = answer.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    assert " 302 " in head[0], head
    return next(line.split(": ", 1)[1] for line in head if line.lower().startswith("location:"))


def job_image_in_poll_and_webhook(server, site, key, headers):
    """Creates a job with `headers` on the request, finishes it, and returns its `image` as a poll and
    as its webhook read it."""
    project_id, annotator, reviewer = active_project(server, site, key)
    site.files.setdefault("/frame.png", (png(32, 16), "image/png"))
    created = requests.post(server.url + "/v1/jobs", headers={**key_header(key), **headers},
                            json={"project_id": project_id, "file_urls": [site.url + "/frame.png"], "webhook_url": site.url + "/hook"})
    assert created.status_code == 200, created.text
    job_id = created.json()["job_id"]
    finish_job(server, job_id, annotator, reviewer)
    polled = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    hooked = wait_for(lambda: site.received("/hook"))[0][1]
    return job_id, project_id, polled["image"], hooked["image"]


def test_without_a_public_url_links_follow_the_host_and_a_job_keeps_the_one_it_was_made_at(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("hosts")
    assert export_location(server, key, {"Host": "Files.LAN:9999"}).startswith("http://files.lan:9999/downloads/")
    assert export_location(server, key).startswith(server.url + "/downloads/")
    job_id, project_id, polled, hooked = job_image_in_poll_and_webhook(server, site, key, {"Host": "quarry.lan:8080"})
    # Polled through another host name (server.url's), the job still shows the base it was made at: the same as its webhook.
    assert polled == hooked == f"http://quarry.lan:8080/v1/jobs/{project_id}/{job_id}/files/0"
    listed = requests.get(server.url + f"/v1/jobs/{project_id}", headers=key_header(key)).json()
    assert [job["image"] for job in listed] == [polled]


def test_a_public_url_is_the_base_of_every_link(make_server, site):
    server = make_server(QUARRY_PUBLIC_URL="https://Quarry.Example.com/base/", **FAST)
    key = server.create_account("public")
    location = export_location(server, key, {"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert location.startswith("https://quarry.example.com/base/downloads/")
    job_id, project_id, polled, hooked = job_image_in_poll_and_webhook(server, site, key, {"Host": "evil.example"})
    assert polled == hooked == f"https://quarry.example.com/base/v1/jobs/{project_id}/{job_id}/files/0"


def test_forwarded_fields_count_only_from_a_trusted_proxy(make_server):
    forwarded = {"Host": "10.0.0.5:8080", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "quarry.example.com"}
    trusted = make_server(QUARRY_TRUSTED_PROXIES="10.9.0.0/16, 127.0.0.1")
    key = trusted.create_account("proxied")
    assert export_location(trusted, key, forwarded).startswith("https://quarry.example.com/downloads/")
    # The nearest proxy's value is the last; one that is not plain is ignored rather than pasted.
    assert export_location(trusted, key, {**forwarded, "X-Forwarded-Host": "evil.example, quarry.example.com"}).startswith(
        "https://quarry.example.com/downloads/")
    assert export_location(trusted, key, {**forwarded, "X-Forwarded-Host": "evil.example/x?", "X-Forwarded-Proto": "gopher"}).startswith(
        "http://10.0.0.5:8080/downloads/")

    untrusted = make_server(QUARRY_TRUSTED_PROXIES="10.0.0.0/8")
    key = untrusted.create_account("direct")
    assert export_location(untrusted, key, forwarded).startswith("http://10.0.0.5:8080/downloads/")
    unset = make_server()
    key = unset.create_account("direct")
    assert export_location(unset, key, forwarded).startswith("http://10.0.0.5:8080/downloads/")


def test_a_malformed_or_missing_host_falls_back_to_the_address_the_connection_reached(make_server):
    server = make_server()
    key = server.create_account("malformed")
    fallback = f"http://127.0.0.1:{server.port}/downloads/"
    for host in ["evil.example/phish?x=", "user@evil.example", "evil.example:80@other", "javascript:alert(1)",
                 "evil.example:8080#frag", "[::1", "evil..example", "\\\\evil.example"]:
        location = raw_export_location(server, key, "GET /api/export/download?key={key} HTTP/1.1\r\nHost: " + host + "\r\n")
        assert location.startswith(fallback), (host, location)
    # HTTP/1.0 may leave Host out.
    assert raw_export_location(server, key, "GET /api/export/download?key={key} HTTP/1.0\r\n").startswith(fallback)
    # http.client sends what it is given, byte for byte.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("GET", f"/api/export/download?key={key}", skip_host=True)
    connection.putheader("Host", "evil.example/x")
    connection.endheaders()
    assert connection.getresponse().getheader("Location").startswith(fallback)
    connection.close()


def admin(data, *words, **settings):
    environment = {name: value for name, value in os.environ.items() if not name.startswith("QUARRY_")}
    return subprocess.run([BINARY, "admin", *words, "--data", data], capture_output=True, text=True, timeout=60,
                          env={**environment, **settings})


def test_the_admin_worker_link_is_a_whole_url_that_signs_in(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("links")
    active_project(server, site, key)
    for settings, base in [({"QUARRY_HOST": "0.0.0.0", "QUARRY_PORT": "8123"}, "http://127.0.0.1:8123"),
                           ({"QUARRY_HOST": "::", "QUARRY_PORT": "8124"}, "http://[::1]:8124"),
                           ({"QUARRY_HOST": "quarry.lan"}, "http://quarry.lan:8080"),
                           ({"QUARRY_PUBLIC_URL": "https://quarry.example.com/"}, "https://quarry.example.com")]:
        printed = admin(server.data, "worker", "link", "ann@hitl.io", **settings)
        assert printed.returncode == 0, printed.stderr
        lines = printed.stdout.strip().splitlines()
        token = lines[-1]
        assert lines[0].endswith(f": {base}/workbench/#token={token}"), lines
    # The last link printed is the one that works.
    signed_in = requests.post(server.url + "/workbench/session", json={"token": token})
    assert signed_in.status_code == 200, signed_in.text


def test_settings_that_cannot_make_a_url_stop_the_server_at_start():
    for name, value in [("QUARRY_PUBLIC_URL", "quarry.example.com"), ("QUARRY_PUBLIC_URL", "https://quarry.example.com/?x"),
                        ("QUARRY_TRUSTED_PROXIES", "10.0.0.1, proxy.lan"), ("QUARRY_CORS_ORIGINS", "*")]:
        started = subprocess.run([BINARY, "serve", "--port", "0", "--data", "/nonexistent/never-made"], capture_output=True, text=True,
                                 timeout=30, env={**os.environ, name: value})
        assert started.returncode != 0 and name in started.stderr, (name, started.stderr)
