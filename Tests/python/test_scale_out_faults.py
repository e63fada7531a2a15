"""Faults in a deployment past one box (three `quarry serve` processes and a `quarry worker` on PostgreSQL and a
bucket, behind a round-robin balancer: balancer.py): a process SIGKILLed while uploads go on loses no upload it
acknowledged, and one killed while it delivers a webhook has the delivery made again by another process, with
the same delivery id. (Runs and imports taken over: test_scale_out.py; PostgreSQL restarted under load and a
wrong S3 secret: test_postgres_deployment.py and test_s3_blob_store.py.)"""
import threading

import requests

from balancer import Deployment
from hitl_support import FAST, active_project, create_job, finish_job, key_header, wait_for
from images import distinct_pngs
from test_jtheta import auth, create_dataset, create_project


def pid_of(deployment, process_id):
    """The pid of the process whose `processes` row is `process_id`."""
    rows = deployment.postgres.psql(f"SELECT pid FROM processes WHERE id = '{process_id}'", url=deployment.settings["QUARRY_DATABASE_URL"])
    return int(rows[0]) if rows else None


def test_uploads_while_a_process_is_killed_lose_nothing_acknowledged(postgres, seaweed):
    deployment = Deployment(postgres, seaweed, "faults-uploads")
    try:
        key = deployment.create_account("uploads")
        assert create_project(deployment, key, "Frames").status_code == 201
        images = distinct_pngs(60)
        acknowledged, refused = {}, []
        killed = threading.Event()

        def upload():
            for i, image in enumerate(images):
                if i == 20:
                    deployment.servers[1].kill()
                    killed.set()
                try:
                    answer = create_dataset(deployment, key, "Frames", f"d{i}", [(f"{i}.png", image)])
                except requests.ConnectionError:
                    refused.append(i)
                    continue
                if answer.status_code == 201:
                    acknowledged[answer.json()["dataset_id"]] = image
                else:
                    assert answer.status_code in (502, 503), answer.text
                    refused.append(i)

        upload()
        assert killed.is_set() and len(acknowledged) >= 40 and refused, (len(acknowledged), refused)
        # Every acknowledged image is there, whole, from each live process.
        survivors = [server for server in deployment.servers if server is not deployment.servers[1]]
        for server in survivors:
            listed = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"]
            (project,) = [p for p in listed if p["name"] == "Frames"]
            stored = requests.get(server.url + f"/api/datasets/{project['id']}/images", params={"page_size": 500},
                                  headers=auth(key)).json()["data"]["images"]
            served = {requests.get(server.url + image["url"], headers=auth(key)).content for image in stored}
            assert set(acknowledged.values()) <= served
            assert len(stored) == len(acknowledged) + len([i for i in refused if images[i] in served])
    finally:
        deployment.stop()


def test_a_webhook_whose_process_is_killed_mid_delivery_is_delivered_again_with_its_id(postgres, seaweed, site):
    deployment = Deployment(postgres, seaweed, "faults-webhook", **FAST)
    try:
        key = deployment.create_account("webhook")
        project_id, annotator, reviewer = active_project(deployment, site, key)
        site.hold["/slow"] = threading.Event()
        job_id = create_job(deployment, site, key, project_id, webhook_url=site.url + "/slow")
        finish_job(deployment, job_id, annotator, reviewer)
        wait_for(lambda: "/slow" in site.requests, timeout=30, what="the first attempt")
        url = deployment.settings["QUARRY_DATABASE_URL"]
        (claimer,) = deployment.postgres.psql(f"SELECT claimed_by FROM webhook_deliveries WHERE task_id = '{job_id}'", url=url)
        victim = next(server for server in deployment.servers if server.process.pid == pid_of(deployment, claimer))
        victim.kill()
        # The receiver answers the first attempt only now, to a sender that is gone.
        site.hold.pop("/slow").set()
        wait_for(lambda: site.requests.count("/slow") >= 2, timeout=60, what="the attempt made again")
        deliveries = wait_for(lambda: site.received("/slow"), what="a delivery received")
        assert {headers["X-Quarry-Delivery"] for headers, _ in deliveries} == {deliveries[0][0]["X-Quarry-Delivery"]}
        assert all(body["job_id"] == job_id and body["status"] == "done" for _, body in deliveries)
        survivor = next(server for server in deployment.servers if server is not victim)
        recorded = wait_for(lambda: [d for d in requests.get(survivor.url + "/v1/webhooks/deliveries", params={"job_id": job_id},
                                                             headers=key_header(key)).json()["deliveries"] if d["status"] == "delivered"],
                            timeout=30, what="the delivery recorded")
        assert recorded[0]["id"] == deliveries[0][0]["X-Quarry-Delivery"]
    finally:
        deployment.stop()
