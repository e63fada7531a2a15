"""What the detection and segmentation tests share: a model trained on the drawn shapes through the Studio API,
new images pre-labeled by it through JTheta, and its ONNX export in onnxruntime."""
import io
import json
import random

import numpy as np
import onnx
import onnxruntime as ort
import requests

from conftest import Server
from hitl_support import wait_for
from shapes import CLASSES, coco_zip, draw_image
from test_jtheta import create_dataset
from test_studio_imports import auth, finished as imported, upload
from test_studio_model_export import exported
from test_studio_runs import finished

MEAN, STD = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)


def served_and_trained(task, config, count, seed):
    """For a module's fixture: a server of its own and (server, key, project id, experiment id, run) of `config` trained
    on `count` drawn images; the server stops when the module is done."""
    server = Server()
    try:
        yield (server, *trained_on_shapes(server, task, config, count, seed)[:4])
    finally:
        server.stop()


def trained_on_shapes(server, task, config, count, seed):
    """(key, project id, experiment id, finished run, truth) of `config` trained on `count` drawn images split 70/10/20."""
    key = server.create_account(task)
    project_id = requests.post(server.url + "/api/projects", json={"name": "shapes", "task": task}, headers=auth(key)).json()["data"]["id"]
    data, truth = coco_zip(count, seed=seed)
    job = imported(server, key, project_id, upload(server, key, project_id, data).json()["data"])
    assert job["status"] == "done" and job["imported"] == count, job
    split = requests.post(server.url + f"/api/splits/{project_id}", headers=auth(key),
                          json={"name": "s", "ratios": {"train": 0.7, "val": 0.1, "test": 0.2}, "seed": 1})
    assert split.status_code == 201, split.text
    created = requests.post(server.url + f"/api/training/{project_id}/experiments", json=config, headers=auth(key))
    assert created.status_code == 201, created.text
    exp_id = created.json()["data"]["id"]
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run",
                           headers=auth(key)).json()["data"]["run_id"]
    return key, project_id, exp_id, finished(server, key, project_id, run_id, timeout=1200), truth


def evaluated(server, key, project_id, exp_id, run_id):
    """(url, evaluation) of the run's best checkpoint on the test subset, completed."""
    created = requests.post(server.url + f"/api/evaluation/{project_id}", headers=auth(key),
                            json={"experiment_id": exp_id, "run_id": run_id, "split_subset": "test", "batch_size": 16})
    assert created.status_code == 201, created.text
    url = server.url + f"/api/evaluation/{project_id}/{created.json()['data']['eval_id']}"
    evaluation = wait_for(lambda: (lambda e: e if e["status"] not in ("pending", "running") else None)(
        requests.get(url, headers=auth(key)).json()["data"]), timeout=300)
    assert evaluation["status"] == "completed", evaluation
    return url, evaluation


def prelabeled_new_images(server, key, project_id, run_id, count, seed):
    """Names the run the project's pre-labeler, draws `count` new 128-pixel images (the model's own size, so no
    resampling stands between Quarry's input and onnxruntime's), sends them to JTheta as an annotation request and
    waits for their tasks' predictions: ([(name, PNG bytes, shapes)], {name: suggested labels})."""
    named = requests.put(server.url + f"/api/projects/{project_id}/prelabeler", json={"run_id": run_id}, headers=auth(key))
    assert named.status_code == 200, named.text
    rng = random.Random(seed)
    drawn = []
    for index in range(count):
        image, shapes = draw_image(rng, 128)
        data = io.BytesIO()
        image.save(data, format="PNG")
        drawn.append((f"new{index}.png", data.getvalue(), shapes))
    dataset = create_dataset(server, key, "shapes", "new", [(name, data) for name, data, _ in drawn])
    assert dataset.status_code == 201, dataset.text
    # The imported classes are polygons: the request names them so.
    requested = requests.post(server.url + "/request_annotation/", headers=auth(key), json={
        "dataset_id": dataset.json()["dataset_id"], "project_name": "shapes", "assigned_annotator": "a@shapes.test",
        "assigned_reviewer": "r@shapes.test", "labels": [{"label": name, "type": "polygon"} for name in CLASSES]})
    assert requested.status_code == 200 and requested.json()["tasks_created"] == count, requested.text
    worker = {"Authorization": f"Bearer {requested.json()['workbench_links']['a@shapes.test'].rsplit('token=', 1)[-1]}"}
    queued = requests.get(server.url + "/worker/tasks", params={"role": "annotator"}, headers=worker).json()["tasks"]

    def prelabeled():
        tasks = [requests.get(server.url + f"/worker/tasks/{t['id']}", headers=worker).json() for t in queued]
        return tasks if all(task["predictions"] for task in tasks) else None
    suggested = {}
    for task in wait_for(prelabeled, timeout=60):
        (image,) = task["predictions"]
        suggested[next(i["file_name"] for i in task["images"] if i["id"] == image["image_id"])] = image["labels"]
    return drawn, suggested


def onnx_session(server, key, project_id, exp_id, run_id):
    """(onnxruntime session, metadata) of the run's ONNX export, which onnx.checker accepts."""
    export = exported(server, key, project_id, {"experiment_id": exp_id, "run_id": run_id, "format": "onnx",
                                                "options": {"opset_version": 17, "simplify": True}})
    assert export["status"] == "completed", export
    model = onnx.load_from_string(requests.get(server.url + export["download_url"], headers=auth(key)).content)
    onnx.checker.check_model(model, full_check=True)
    metadata = {p.key: p.value for p in model.metadata_props}
    assert json.loads(metadata["classes"]) == sorted(CLASSES) and metadata["input_size"] == "128"
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]), metadata


def model_input(png):
    """A PNG as the model takes it: (1, 3, H, W) float32, normalized with ImageTensor.normalized's arithmetic."""
    from PIL import Image
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), np.float32)
    return np.ascontiguousarray((pixels * (1 / (255 * STD)) + (-MEAN / STD)).astype(np.float32).transpose(2, 0, 1)[None])
