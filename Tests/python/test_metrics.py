"""Prometheus metrics at /metrics, admin-key protected: requests by method, route pattern and status, a
latency histogram per route, and the queues, runs and webhook figures read from the database. The text is
parsed by prometheus_client's own parser, which refuses anything malformed."""
import contextlib
import os
import sqlite3

import requests
from prometheus_client.parser import text_string_to_metric_families

from hitl_support import admin_header


def scrape(server):
    response = requests.get(server.url + "/metrics", headers=admin_header())
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def samples(family, **labels):
    return [s for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]


def test_requests_latencies_and_queues_are_reported(server):
    assert requests.get(server.url + "/metrics").status_code == 401
    assert requests.get(server.url + "/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    key = server.create_account("metrics")
    for _ in range(3):
        assert requests.get(server.url + "/healthz").status_code == 200
    requests.get(server.url + "/no/such/path")
    requests.get(server.url + "/api/projects/proj-x", headers={"Authorization": f"Bearer {key}"})
    families = scrape(server)
    requests_total = families["quarry_http_requests"]  # the parser drops _total from counter names
    healthz = samples(requests_total, route="/healthz", method="GET", status="200")
    assert healthz and healthz[0].value >= 3
    assert samples(requests_total, route="unmatched", status="404")
    # One series per pattern, whatever the id in the path.
    assert samples(requests_total, route="/api/projects/{project_id}", status="404")
    histogram = families["quarry_http_request_duration_seconds"]
    buckets = [s for s in samples(histogram, route="/healthz") if s.name.endswith("_bucket")]
    values = [s.value for s in buckets]
    assert values == sorted(values) and buckets[-1].labels["le"] == "+Inf"
    count = next(s.value for s in samples(histogram, route="/healthz") if s.name.endswith("_count"))
    assert buckets[-1].value == count >= 3
    queues = {s.labels["queue"]: s.value for s in families["quarry_queue_depth"].samples}
    assert set(queues) == {"training", "evaluations", "exports", "imports", "prelabels", "webhooks", "labeling"}
    assert all(value == 0 for value in queues.values())
    assert families["quarry_webhook_failed_attempts"].samples[0].value == 0


def test_queue_depths_count_the_work_waiting(server):
    """Each queue's gauge reads its own table's waiting statuses: an import waits as `queued`, a run as
    `pending` (rows written straight into the live database, so nothing picks them up meanwhile)."""
    key = server.create_account("depths")
    project = requests.post(server.url + "/api/projects", json={"name": "depths"}, headers={"Authorization": f"Bearer {key}"})
    project_id = project.json()["data"]["id"]
    with contextlib.closing(sqlite3.connect(os.path.join(server.data, "quarry.sqlite"), timeout=10)) as db, db:
        account_id = db.execute("SELECT id FROM accounts WHERE name = 'depths'").fetchone()[0]
        for index, status in enumerate(["pending", "running", "completed", "failed"]):
            db.execute("INSERT INTO import_jobs (id, account_id, project_id, source, status, created_at) VALUES (?, ?, ?, 'zip', ?, '2026-11-23T00:00:00Z')",
                       (f"import-{index}", account_id, project_id, status))
    queues = {s.labels["queue"]: s.value for s in scrape(server)["quarry_queue_depth"].samples}
    assert queues["imports"] == 2 and queues["training"] == 0


def test_methods_clients_make_up_share_one_series(server):
    """Any token is a method to HTTP; counted one series each, a client could grow /metrics without end."""
    for index in range(20):
        assert requests.request(f"BREW{index}", server.url + "/healthz").status_code == 405
    requests_total = scrape(server)["quarry_http_requests"]
    methods = {s.labels["method"] for s in requests_total.samples}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods
    assert samples(requests_total, method="other", route="unmatched", status="405")[0].value == 20
