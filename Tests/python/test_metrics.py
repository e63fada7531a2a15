"""Prometheus metrics at /metrics, admin-key protected: requests by method, route pattern and status, a
latency histogram per route, and the queues, runs and webhook figures read from the database. The text is
parsed by prometheus_client's own parser, which refuses anything malformed."""
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
    assert set(queues) == {"training", "evaluations", "exports", "imports", "webhooks", "labeling"}
    assert all(value == 0 for value in queues.values())
    assert families["quarry_webhook_failed_attempts"].samples[0].value == 0
