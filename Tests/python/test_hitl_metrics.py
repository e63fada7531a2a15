"""GET /v1/metrics against hand-computed figures on seeded jobs with known dates."""
import sqlite3

import requests

from hitl_support import FAST, active_project, create_job, key_header


def seed(server, job_id, status, created, started=None, finished=None):
    db = sqlite3.connect(server.data + "/quarry.sqlite", timeout=10)
    db.execute("UPDATE tasks SET status = ?, created_at = ?, started_at = ?, finished_at = ? WHERE id = ?",
               (status, created, started, finished, job_id))
    db.commit()
    db.close()


def test_metrics_match_hand_computed_figures(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("metrics")
    project_id, _, _ = active_project(server, site, key, name="seeded")
    other_id, _, _ = active_project(server, site, key, name="empty")
    jobs = [create_job(server, site, key, project_id) for _ in range(6)]
    # January 2023: two done jobs, one new, one canceled.
    seed(server, jobs[0], "done", "2023-01-02T00:00:00.000Z", "2023-01-02T00:00:10.000Z", "2023-01-02T00:01:10.000Z")
    seed(server, jobs[1], "done", "2023-01-20T12:00:00.000Z", "2023-01-20T12:00:00.000Z", "2023-01-20T12:02:00.000Z")
    seed(server, jobs[2], "new", "2023-01-31T23:59:59.000Z")
    seed(server, jobs[3], "canceled", "2023-01-15T08:00:00.000Z", None, "2023-01-15T09:00:00.000Z")
    # February: one in review (reported as progress); March: outside the period asked for.
    seed(server, jobs[4], "review", "2023-02-01T00:00:00.000Z", "2023-02-01T00:05:00.000Z")
    seed(server, jobs[5], "expired", "2023-03-01T00:00:00.000Z")

    response = requests.get(server.url + "/v1/metrics", headers=key_header(key), params={
        "period_start_date": "2023-01-01", "period_end_date": "2023-03-01", "period_group_level": "month",
        "project_ids": f"{project_id},{other_id}"})
    assert response.status_code == 200, response.text
    seeded, empty = response.json()
    assert empty["project_id"] == other_id and empty["metrics"] == []
    assert seeded["project_name"] == "seeded" and seeded["period_group_level"] == "month"
    assert seeded["period_start_date"] == "2023-01-01" and seeded["period_end_date"] == "2023-03-01"
    january, february = seeded["metrics"]
    # Done jobs: finish - start = 60 s and 120 s; finish - create = 70 s and 120 s.
    assert january == {
        "period_group_start": "2023-01-01", "jobs_all": 4, "jobs_done": 2, "jobs_new": 1, "jobs_progress": 0,
        "jobs_error": 0, "jobs_expired": 0, "jobs_canceled": 1,
        "min_seconds_to_finish_job": 60, "max_seconds_to_finish_job": 120, "avg_seconds_to_finish_job": 90,
        "min_job_lifespan_seconds": 70, "max_job_lifespan_seconds": 120, "avg_job_lifespan_seconds": 95}
    assert february["period_group_start"] == "2023-02-01" and february["jobs_all"] == 1 and february["jobs_progress"] == 1
    assert february["avg_seconds_to_finish_job"] is None

    weekly = requests.get(server.url + "/v1/metrics", headers=key_header(key), params={
        "period_group_level": "week", "project_ids": project_id}).json()[0]
    # 2023-01-02 is a Monday; 2023-01-15 (Sunday) belongs to the week of 2023-01-09.
    assert [m["period_group_start"] for m in weekly["metrics"]] == [
        "2023-01-02", "2023-01-09", "2023-01-16", "2023-01-30", "2023-02-27"]
    # An empty list is no list: every project, as when the parameter is left out.
    everything = requests.get(server.url + "/v1/metrics", headers=key_header(key), params={"project_ids": ""})
    assert everything.status_code == 200 and {p["project_id"] for p in everything.json()} == {project_id, other_id}
    assert everything.json() == requests.get(server.url + "/v1/metrics", headers=key_header(key)).json()
    assert requests.get(server.url + "/v1/metrics", headers=key_header(key), params={"period_group_level": "fortnight"}).status_code == 400
    assert requests.get(server.url + "/v1/metrics", headers=key_header(key), params={"project_ids": "proj-000000000000"}).status_code == 404
