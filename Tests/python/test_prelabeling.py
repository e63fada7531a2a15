"""The closed loop's last step: a model trained in Quarry pre-labels the project's next HITL jobs. A HITL
project gets a Studio dataset of reds and blues by ZIP, a small CNN is trained on it and named the project's
pre-labeler; a job sent without predictions then gets the model's class and confidence as its predictions,
in the worker's task and in the job status, while a client's own predictions are left alone."""
import requests

from hitl_support import FAST, active_project, key_header, wait_for
from images import png
from test_studio_runs import auth, experiment, finished, import_colours


def train_on_colours(server, key, project_id):
    import_colours(server, key, project_id, ratios=(0.8, 0.2, 0))
    exp_id = experiment(server, key, project_id, epochs=4)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    run = finished(server, key, project_id, run_id)
    assert run["status"] == "completed" and run["best_val_accuracy"] == 1, run
    return run_id


def colours_prelabeled_through_jtheta(server, key, project_id, project_name, timeout=30):
    """JTheta's annotation request over the project's colours (the one dataset of 24 reds and 24 blues):
    checks every task it makes gets the pre-labeler's right colour as its one tag."""
    images = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"page_size": 500}, headers=auth(key)).json()["data"]["images"]
    dataset_id = next(image["dataset_id"] for image in images if image["original_name"].startswith("r"))
    request = requests.post(server.url + "/request_annotation/", headers=auth(key), json={
        "dataset_id": dataset_id, "project_name": project_name, "assigned_annotator": "jt@quarry.test",
        "assigned_reviewer": "jr@quarry.test", "labels": [{"label": "red", "type": "tag"}, {"label": "blue", "type": "tag"}]})
    assert request.status_code == 200 and request.json()["tasks_created"] == 48, request.text
    worker = {"Authorization": f"Bearer {request.json()['workbench_links']['jt@quarry.test'].rsplit('token=', 1)[-1]}"}
    queued = requests.get(server.url + "/worker/tasks", params={"role": "annotator"}, headers=worker).json()["tasks"]
    assert len(queued) == 48

    def opened():
        tasks = [requests.get(server.url + f"/worker/tasks/{t['id']}", headers=worker).json() for t in queued]
        return tasks if all(task["predictions"] for task in tasks) else None
    names = {image["id"]: image["original_name"] for image in images}
    for task in wait_for(opened, timeout=timeout):
        (image,) = task["predictions"]
        assert image["labels"][0]["label"] == ("red" if names[image["image_id"]].startswith("r") else "blue")


def test_a_trained_model_pre_labels_new_jobs(make_server, site):
    server = make_server(**FAST)
    key = server.create_account("loop")
    project_id, annotator, _ = active_project(server, site, key)
    url = server.url + f"/api/projects/{project_id}/prelabeler"
    assert requests.get(url, headers=auth(key)).json()["data"] == {"run_id": None, "checkpoint": None, "device": None}
    run_id = train_on_colours(server, key, project_id)
    unknown = requests.put(url, json={"run_id": "run-nope"}, headers=auth(key))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "RUN_NOT_FOUND", unknown.text
    for body, field in [({}, "run_id"), ({"run_id": run_id, "checkpoint": 5}, "checkpoint"), ({"run_id": run_id, "checkpoint": "middle"}, "checkpoint")]:
        refused = requests.put(url, json=body, headers=auth(key))
        error = refused.json()["error"]
        assert refused.status_code == 422 and error["code"] == "VALIDATION_ERROR" and error["details"]["field"] == field, refused.text
    named = requests.put(url, json={"run_id": run_id}, headers=auth(key))
    assert named.status_code == 200 and named.json()["data"] == {"run_id": run_id, "checkpoint": "best", "device": "cpu"}

    site.files["/red.png"] = (png(8, 8, (220, 20, 20)), "image/png")
    site.files["/blue.png"] = (png(8, 8, (20, 20, 220)), "image/png")
    job_id = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/red.png", site.url + "/blue.png"]},
                           headers=key_header(key)).json()["job_id"]
    status = wait_for(lambda: (lambda s: s if "predictions" in s else None)(
        requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()), timeout=30)
    labels = [image["labels"] for image in status["predictions"]]
    assert [[label["label"] for label in image] for image in labels] == [["red"], ["blue"]]
    assert all(label["type"] == "tag" and 0.5 < label["confidence"] <= 1 for image in labels for label in image)
    task = requests.get(server.url + f"/worker/tasks/{job_id}", headers={"Authorization": f"Bearer {annotator}"}).json()
    assert task["predictions"] == status["predictions"]

    # JTheta's annotation requests make tasks that are pre-labeled the same way.
    colours_prelabeled_through_jtheta(server, key, project_id, "hitl-project")

    # A client's own predictions are theirs, and with the pre-labeler cleared a job waits for a person alone.
    own = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/red.png"],
                                                         "predictions": {"hint": "mine"}}, headers=key_header(key)).json()["job_id"]
    assert requests.delete(url, headers=auth(key)).json()["data"] == {"run_id": None, "checkpoint": None, "device": None}
    plain = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/blue.png"]},
                          headers=key_header(key)).json()["job_id"]
    # Named again, a last job is pre-labeled; the queue keeps order, so anything queued for the two before is done by then.
    requests.put(url, json={"run_id": run_id, "checkpoint": "last"}, headers=auth(key))
    last = requests.post(server.url + "/v1/jobs", json={"project_id": project_id, "file_urls": [site.url + "/blue.png"]},
                         headers=key_header(key)).json()["job_id"]
    wait_for(lambda: "predictions" in requests.get(server.url + f"/v1/jobs/{project_id}/{last}", headers=key_header(key)).json(), timeout=30)
    for job in [own, plain]:
        assert "predictions" not in requests.get(server.url + f"/v1/jobs/{project_id}/{job}", headers=key_header(key)).json()
