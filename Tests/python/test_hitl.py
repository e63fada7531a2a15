"""The Humans-in-the-Loop v1 API end to end, with a local site serving files and receiving webhooks."""
import hashlib
import hmac
import sqlite3

import requests

from hitl_support import FAST, PDF, active_project, admin_header, create_job, finish_job, key_header, wait_for
from images import jpeg, png


def test_health_and_egress_ip(make_server):
    server = make_server(**FAST)
    key = server.create_account("h")
    assert requests.get(server.url + "/v1/health").json() == {"status": "UP"}
    assert requests.get(server.url + "/v1/health", headers=key_header(key)).json() == {"status": "UP"}
    assert requests.get(server.url + "/v1/health", headers=key_header("qk_" + "f" * 64)).status_code == 401
    ip = requests.get(server.url + "/v1/ip", headers=key_header(key))
    assert ip.status_code == 200 and ip.text == "203.0.113.7" and ip.headers["Content-Type"].startswith("text/plain")


def test_health_is_down_while_the_database_cannot_be_written(server):
    """Another process holds the database's write lock: the health probe's write waits out SQLite's busy
    timeout (5 s), and the answer is the spec's DOWN, with 503. Once the lock is let go, UP again."""
    holder = sqlite3.connect(server.data + "/quarry.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        down = requests.get(server.url + "/v1/health")
        assert down.status_code == 503 and down.json() == {"status": "DOWN"}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert requests.get(server.url + "/v1/health").json() == {"status": "UP"}


def test_projects_start_new_and_take_jobs_only_once_active(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("p")
    site.files["/guide.docx"] = (b"PK\x03\x04" + b"\0" * 60, "application/octet-stream")
    created = requests.post(server.url + "/v1/projects", json={"name": "docs", "instructions_file_url": site.url + "/guide.docx"},
                            headers=key_header(key))
    project_id = created.json()["id"]
    assert requests.get(server.url + f"/v1/projects/{project_id}", headers=key_header(key)).json() == {"status": "new"}
    site.files["/frame.png"] = (png(), "image/png")
    refused = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/frame.png"]},
                            headers=key_header(key))
    assert refused.status_code == 409 and "activate" in refused.json()["error"]
    requests.post(server.url + f"/admin/projects/{project_id}/activate", headers=admin_header())
    assert requests.get(server.url + f"/v1/projects/{project_id}", headers=key_header(key)).json() == {"status": "active"}
    assert create_job(server, site, key, project_id).startswith("job-")
    requests.post(server.url + f"/admin/projects/{project_id}/deactivate", headers=admin_header())
    assert requests.get(server.url + f"/v1/projects/{project_id}", headers=key_header(key)).json() == {"status": "inactive"}
    again = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/frame.png"]},
                          headers=key_header(key))
    assert again.status_code == 409


def test_instruction_and_job_files_are_checked_by_extension_and_bytes(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("files")
    site.files["/fake.pdf"] = (b"<html>not a pdf</html>", "application/pdf")
    site.files["/notes.txt"] = (b"hello", "text/plain")
    for url, reason in [(site.url + "/fake.pdf", "not a PDF"), (site.url + "/notes.txt", "must end in"),
                        (site.url + "/missing.pdf", "404")]:
        response = requests.post(server.url + "/v1/projects", json={"name": "x", "instructions_file_url": url}, headers=key_header(key))
        assert response.status_code == 400, url
        assert url in response.json()["error"] and reason in response.json()["error"], response.json()
    project_id, _, _ = active_project(server, site, key)
    site.files["/truncated.png"] = (png(64, 64)[:-20], "image/png")
    bad = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/truncated.png"]},
                        headers=key_header(key))
    assert bad.status_code == 400 and "truncated.png" in bad.json()["error"]
    assert requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": []}, headers=key_header(key)).status_code == 400


def test_expiration_minutes_must_be_an_integer_from_1_to_1440(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("expiry")
    project_id, _, _ = active_project(server, site, key)
    site.files["/frame.png"] = (png(), "image/png")
    for value in [0, 1441, 1.5, "60", True, -5]:
        response = requests.post(server.url + "/v1/jobs", headers=key_header(key),
                                 json={"project_id": project_id, "file_urls": [site.url + "/frame.png"], "expiration_minutes": value})
        assert response.status_code == 400, value
        assert "expiration_minutes" in response.json()["error"]
    assert create_job(server, site, key, project_id, expiration_minutes=1440)


def test_job_status_object_and_its_files(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("status")
    project_id, annotator, reviewer = active_project(server, site, key)
    site.files["/scan.jpg"] = (jpeg(20, 10), "image/jpeg")
    site.files["/form.pdf"] = (PDF, "application/pdf")
    job_id = create_job(server, site, key, project_id, file_urls=[site.url + "/scan.jpg", site.url + "/form.pdf"],
                        predictions={"boxes": [[1, 2, 3, 4]], "model": "v2"})
    status = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    assert set(status) == {"project_id", "job_id", "create_date", "start_date", "finish_date", "status", "annotations", "image"}
    assert status["status"] == "new" and status["start_date"] is None and status["annotations"] == {}
    image = requests.get(status["image"], headers=key_header(key))
    assert image.status_code == 200 and image.content == site.files["/scan.jpg"][0]
    assert requests.get(status["image"]).status_code == 401
    pdf = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}/files/1", headers=key_header(key))
    assert pdf.content == PDF and pdf.headers["Content-Type"] == "application/pdf"

    task = requests.get(server.url + f"/worker/tasks/{job_id}", headers={"Authorization": f"Bearer {annotator}"}).json()
    assert len(task["images"]) == 1 and task["job_predictions"] == {"boxes": [[1, 2, 3, 4]], "model": "v2"}
    labels = finish_job(server, job_id, annotator, reviewer)
    done = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    assert done["status"] == "done" and done["start_date"] and done["finish_date"]
    assert done["annotations"] == {"images": labels}
    other = server.create_account("other")
    assert requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(other)).status_code == 404


def test_cancel_only_new_or_progress_and_list_jobs_in_pages(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("cancel")
    project_id, annotator, reviewer = active_project(server, site, key)
    jobs = [create_job(server, site, key, project_id) for _ in range(3)]
    canceled = requests.delete(server.url + f"/v1/jobs/{project_id}/{jobs[0]}", headers=key_header(key))
    assert canceled.status_code == 200
    assert [j["status"] for j in canceled.json()] == ["canceled"]
    again = requests.delete(server.url + f"/v1/jobs/{project_id}/{jobs[0]}", headers=key_header(key))
    assert again.status_code == 409 and "canceled" in again.json()["error"]
    finish_job(server, jobs[1], annotator, reviewer)
    assert requests.delete(server.url + f"/v1/jobs/{project_id}/{jobs[1]}", headers=key_header(key)).status_code == 409
    page = requests.get(server.url + f"/v1/jobs/{project_id}", params={"page": 2, "page_size": 2}, headers=key_header(key))
    assert page.headers["X-Total-Count"] == "3" and [j["job_id"] for j in page.json()] == [jobs[2]]
    assert page.headers["X-Page"] == "2" and page.headers["X-Page-Size"] == "2"
    everything = requests.get(server.url + f"/v1/jobs/{project_id}", headers=key_header(key))
    assert [j["status"] for j in everything.json()] == ["canceled", "done", "new"]
    assert everything.headers["Transfer-Encoding"] == "chunked" and "X-Page" not in everything.headers
    assert requests.get(server.url + f"/v1/jobs/{project_id}", params={"page": "", "page_size": ""},
                        headers=key_header(key)).json() == everything.json()
    assert requests.get(server.url + f"/v1/jobs/{project_id}", params={"page_size": 5000}, headers=key_header(key)).status_code == 400


def test_the_job_list_is_whole_unless_paging_is_asked_for(make_server, site):
    """More jobs than a default page held: the spec's list has them all; a page is what was asked for."""
    server = make_server(**FAST)
    key = server.create_account("bulk")
    project_id, _, _ = active_project(server, site, key)
    jobs = [create_job(server, site, key, project_id) for _ in range(101)]
    listed = requests.get(server.url + f"/v1/jobs/{project_id}", headers=key_header(key))
    order = [(j["create_date"], j["job_id"]) for j in listed.json()]
    # Oldest first; jobs made in the same millisecond go by id.
    assert sorted(order) == order and {job for _, job in order} == set(jobs) and listed.headers["X-Total-Count"] == "101"
    first = requests.get(server.url + f"/v1/jobs/{project_id}", params={"page": 1}, headers=key_header(key))
    assert first.json() == listed.json()[:100] and first.headers["X-Page-Size"] == "100"
    head = requests.head(server.url + f"/v1/jobs/{project_id}", headers=key_header(key))
    assert head.status_code == 200 and head.content == b""


def test_webhook_fires_on_approval_signed_and_retried_until_accepted(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("hooks")
    project_id, annotator, reviewer = active_project(server, site, key)
    site.fail_next["/hook"] = 2
    job_id = create_job(server, site, key, project_id, webhook_url=site.url + "/hook", webhook_headers={"X-Token": "s3cret"})
    finish_job(server, job_id, annotator, reviewer)
    accepted = wait_for(lambda: site.received("/hook"))
    headers, body = accepted[0]
    assert len(accepted) == 1 and site.requests.count("/hook") == 3
    assert body["job_id"] == job_id and body["status"] == "done"
    assert headers["X-Token"] == "s3cret" and headers["X-Quarry-Event"] == "job.done"
    secret = bytes.fromhex(requests.get(server.url + "/v1/webhooks/secret", headers=key_header(key)).json()["secret"])
    raw = next(b for p, _, b in site.hooks if p == "/hook")
    assert headers["X-Quarry-Signature"] == "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
    deliveries = wait_for(lambda: [d for d in requests.get(server.url + "/v1/webhooks/deliveries", params={"job_id": job_id},
                                                           headers=key_header(key)).json()["deliveries"] if d["status"] == "delivered"])
    assert deliveries[0]["id"] == headers["X-Quarry-Delivery"]
    assert [a["status_code"] for a in deliveries[0]["attempts"]] == [500, 500, 200]


def test_expired_jobs_turn_expired_and_fire_their_webhook(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("expire")
    project_id, _, _ = active_project(server, site, key)
    job_id = create_job(server, site, key, project_id, expiration_minutes=1, webhook_url=site.url + "/expired")
    # Move the deadline into the past rather than wait a minute; the sweep must find it.
    import sqlite3
    db = sqlite3.connect(server.data + "/quarry.sqlite", timeout=10)
    db.execute("UPDATE tasks SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (job_id,))
    db.commit()
    db.close()
    wait_for(lambda: requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()["status"] == "expired")
    _, body = wait_for(lambda: site.received("/expired"))[0]
    assert body["status"] == "expired" and body["job_id"] == job_id


def test_pending_deliveries_survive_sigkill(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("crash")
    project_id, annotator, reviewer = active_project(server, site, key)
    site.fail_next["/late"] = 10 ** 6
    job_id = create_job(server, site, key, project_id, webhook_url=site.url + "/late")
    finish_job(server, job_id, annotator, reviewer)
    wait_for(lambda: "/late" in site.requests)
    server.kill()
    site.fail_next["/late"] = 0
    restarted = make_server(data=server.data, **FAST)
    _, body = wait_for(lambda: site.received("/late"), timeout=30)[0]
    assert body["job_id"] == job_id and body["status"] == "done"
    assert requests.get(restarted.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()["status"] == "done"


def test_webhook_targets_are_checked_when_the_job_is_made(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("targets")
    project_id, _, _ = active_project(server, site, key)
    site.files["/frame.png"] = (png(), "image/png")
    base = {"project_id": project_id, "file_urls": [site.url + "/frame.png"]}
    for extra, field in [({"webhook_url": "ftp://example.test/hook"}, "webhook_url"),
                         ({"webhook_headers": {"X-A": "b"}}, "webhook_headers"),
                         ({"webhook_url": site.url + "/h", "webhook_headers": {"Content-Length": "1"}}, "webhook_headers"),
                         ({"webhook_url": site.url + "/h", "webhook_headers": {"Bad Name": "1"}}, "webhook_headers"),
                         ({"webhook_url": site.url + "/h", "webhook_headers": {"X-Quarry-Signature": "forged"}}, "webhook_headers"),
                         ({"webhook_url": site.url + "/h", "webhook_headers": {"X-A": "line\r\nInjected: 1"}}, "webhook_headers")]:
        response = requests.post(server.url + "/v1/jobs", json={**base, **extra}, headers=key_header(key))
        assert response.status_code == 400, extra
        assert field in response.json()["error"], (extra, response.json())
    assert site.requests.count("/frame.png") == 0
