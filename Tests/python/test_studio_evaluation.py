"""Evaluation through the Studio API: a small CNN trained here on three noisy colour classes, its
checkpoint evaluated, and every figure of the report checked against scikit-learn on the per-image
predictions the API returns; then paging, sorting, filters and the errors."""
import io
import math
import random
import zipfile

import requests
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

from hitl_support import wait_for
from images import png
from test_studio_runs import auth, experiment, trained


def noisy_project(server, key):
    """Reds, oranges and blues with noise, so that a briefly trained model still makes mistakes."""
    rng = random.Random(7)
    project_id = requests.post(server.url + "/api/projects", json={"name": "noisy"}, headers=auth(key)).json()["data"]["id"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, colour in [("red", (200, 40, 30)), ("orange", (210, 110, 30)), ("blue", (30, 40, 200))]:
            for i in range(30):
                jitter = tuple(min(255, max(0, c + rng.randint(-70, 70))) for c in colour)
                z.writestr(f"{name}/{name}-{i:02}.png", png(8, 8, jitter))
    job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("c.zip", out.getvalue())},
                        headers=auth(key)).json()["data"]
    wait_for(lambda: requests.get(server.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]["status"] == "done")
    requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": 0.6, "val": 0.2, "test": 0.2}, "seed": 1},
                  headers=auth(key))
    return project_id


def evaluated(server, key, project_id, evaluation_id):
    url = server.url + f"/api/evaluation/{project_id}/{evaluation_id}"
    return wait_for(lambda: (lambda e: e if e["status"] not in ("pending", "running") else None)(
        requests.get(url, headers=auth(key)).json()["data"]), timeout=120)


def all_results(server, key, project_id, evaluation_id, **query):
    url = server.url + f"/api/evaluation/{project_id}/{evaluation_id}/results"
    return requests.get(url, params={"page_size": 500, **query}, headers=auth(key)).json()["data"]


def test_the_report_is_scikit_learns(server):
    key = server.create_account("evaluation")
    project_id = noisy_project(server, key)
    exp_id, run_id = trained(server, key, project_id, epochs=1, optimizer={"name": "sgd", "lr": 0.002})
    created = requests.post(server.url + f"/api/evaluation/{project_id}",
                            json={"experiment_id": exp_id, "run_id": run_id, "checkpoint": "last", "split_subset": "train", "batch_size": 7},
                            headers=auth(key))
    assert created.status_code == 201, created.text
    assert created.json()["data"]["status"] == "pending" and created.json()["data"]["split_index"] == 0
    evaluation = evaluated(server, key, project_id, created.json()["data"]["eval_id"])
    assert evaluation["status"] == "completed", evaluation
    report = evaluation["results"]
    page = all_results(server, key, project_id, evaluation["eval_id"])
    rows = page["results"]
    assert page["total"] == len(rows) == report["count"] == 54 and evaluation["skipped"] == 0
    classes = [figures["class_name"] for figures in report["per_class"]]
    assert classes == ["blue", "orange", "red"]
    truth, predicted = [r["ground_truth"] for r in rows], [r["prediction"] for r in rows]
    assert math.isclose(report["accuracy"], accuracy_score(truth, predicted))
    expected = classification_report(truth, predicted, labels=classes, zero_division=0, output_dict=True)
    for figures in report["per_class"]:
        theirs = expected[figures["class_name"]]
        for ours, name in [("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")]:
            assert math.isclose(figures[ours], theirs[name], abs_tol=1e-12), (figures, theirs)
        assert figures["support"] == theirs["support"]
    for ours, theirs in [("macro_avg", "macro avg"), ("weighted_avg", "weighted avg")]:
        for field, name in [("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")]:
            assert math.isclose(report[ours][field], expected[theirs][name], abs_tol=1e-12), (ours, field)
    assert report["confusion_matrix"] == confusion_matrix(truth, predicted, labels=classes).tolist()
    assert math.isclose(report["mean_loss"], sum(r["loss"] for r in rows) / len(rows), rel_tol=1e-9)
    assert report["top5_accuracy"] is None  # three classes: top 5 is every class
    for r in rows:
        assert r["correct"] == (r["ground_truth"] == r["prediction"])
        assert 1 / 3 <= r["confidence"] <= 1
        if r["correct"]:
            assert math.isclose(r["loss"], -math.log(r["confidence"]), rel_tol=1e-6)
        else:
            assert r["loss"] > -math.log(r["confidence"])


def test_results_page_sort_and_filter(server):
    key = server.create_account("evaluation-pages")
    project_id = noisy_project(server, key)
    exp_id, run_id = trained(server, key, project_id, epochs=1, optimizer={"name": "sgd", "lr": 0.002})
    evaluation_id = requests.post(server.url + f"/api/evaluation/{project_id}", json={"experiment_id": exp_id, "run_id": run_id},
                                  headers=auth(key)).json()["data"]["eval_id"]
    evaluation = evaluated(server, key, project_id, evaluation_id)
    assert evaluation["status"] == "completed" and evaluation["checkpoint"] == "best" and evaluation["split_subset"] == "test"
    everything = all_results(server, key, project_id, evaluation_id)["results"]
    assert [r["filename"] for r in everything] == sorted(r["filename"] for r in everything)
    by_confidence = all_results(server, key, project_id, evaluation_id, sort_by="confidence")["results"]
    assert [r["confidence"] for r in by_confidence] == sorted((r["confidence"] for r in everything), reverse=True)
    by_error = all_results(server, key, project_id, evaluation_id, sort_by="error")["results"]
    assert [r["loss"] for r in by_error] == sorted((r["loss"] for r in everything), reverse=True)
    wrong = all_results(server, key, project_id, evaluation_id, filter_correct="false")
    assert wrong["total"] == sum(not r["correct"] for r in everything) and not any(r["correct"] for r in wrong["results"])
    # Booleans as Python clients send them (requests writes True as "True"), and the other usual spellings.
    right = all_results(server, key, project_id, evaluation_id, filter_correct="true")
    for spelling in [True, "TRUE", "1", "yes", "On"]:
        assert all_results(server, key, project_id, evaluation_id, filter_correct=spelling) == right, spelling
    for spelling in [False, "False", "0", "NO", "off"]:
        assert all_results(server, key, project_id, evaluation_id, filter_correct=spelling) == wrong, spelling
    reds = all_results(server, key, project_id, evaluation_id, filter_class="red")["results"]
    assert reds and all(r["ground_truth"] == "red" for r in reds)
    first = requests.get(server.url + f"/api/evaluation/{project_id}/{evaluation_id}/results", params={"page_size": 5, "page": 2},
                         headers=auth(key)).json()["data"]
    assert first["results"] == everything[5:10] and first["page"] == 2 and first["page_size"] == 5
    listed = requests.get(server.url + f"/api/evaluation/{project_id}", headers=auth(key)).json()["data"]
    assert [e["eval_id"] for e in listed] == [evaluation_id]
    for params, field in [({"sort_by": "size"}, "sort_by"), ({"filter_correct": "maybe"}, "filter_correct"), ({"page_size": 501}, "page_size")]:
        response = requests.get(server.url + f"/api/evaluation/{project_id}/{evaluation_id}/results", params=params, headers=auth(key))
        error = response.json()["error"]
        assert response.status_code == 422 and error["code"] == "VALIDATION_ERROR" and error["details"]["field"] == field, response.text
    assert requests.delete(server.url + f"/api/evaluation/{project_id}/{evaluation_id}", headers=auth(key)).json()["data"]["deleted"] is True
    assert requests.get(server.url + f"/api/evaluation/{project_id}/{evaluation_id}", headers=auth(key)).status_code == 404


def test_bad_requests_name_the_field(server):
    key = server.create_account("evaluation-errors")
    project_id = noisy_project(server, key)
    exp_id, run_id = trained(server, key, project_id, epochs=1)
    other_exp = experiment(server, key, project_id, name="other")
    url = server.url + f"/api/evaluation/{project_id}"
    good = {"experiment_id": exp_id, "run_id": run_id}
    for body, status, code, field in [
        ({"experiment_id": exp_id}, 422, "VALIDATION_ERROR", "run_id"),
        ({**good, "checkpoint": "middle"}, 422, "VALIDATION_ERROR", "checkpoint"),
        ({**good, "split_subset": "holdout"}, 422, "VALIDATION_ERROR", "split_subset"),
        ({**good, "batch_size": 0}, 422, "VALIDATION_ERROR", "batch_size"),
        ({**good, "batch_size": "8"}, 422, "VALIDATION_ERROR", "batch_size"),
        ({**good, "colour": "red"}, 422, "VALIDATION_ERROR", "colour"),
        ({"experiment_id": other_exp, "run_id": run_id}, 422, "VALIDATION_ERROR", "run_id"),
        ({**good, "split_index": 4}, 404, "SPLIT_NOT_FOUND", None),
        ({"experiment_id": exp_id, "run_id": "run-nope"}, 404, "RUN_NOT_FOUND", None),
    ]:
        response = requests.post(url, json=body, headers=auth(key))
        error = response.json()["error"]
        assert response.status_code == status and error["code"] == code, (body, response.text)
        assert error.get("details", {}).get("field") == field and (field is None or error["message"].startswith(field)), response.text
    assert requests.post(url, data=b"[1]", headers={**auth(key), "Content-Type": "application/json"}).status_code == 422
    # A run still training cannot be evaluated yet.
    slow_exp = experiment(server, key, project_id, name="slow", epochs=30)
    slow_run = requests.post(server.url + f"/api/training/{project_id}/experiments/{slow_exp}/run", headers=auth(key)).json()["data"]["run_id"]
    response = requests.post(url, json={"experiment_id": slow_exp, "run_id": slow_run}, headers=auth(key))
    assert response.status_code == 409 and "still" in response.json()["error"]["message"], response.text
    requests.post(server.url + f"/api/training/{project_id}/runs/{slow_run}/stop", headers=auth(key))
    # Another account sees nothing.
    stranger = server.create_account("evaluation-stranger")
    assert requests.post(url, json=good, headers=auth(stranger)).status_code == 404
    assert requests.get(url, headers=auth(stranger)).status_code == 404
