"""Issue 20's detection loop through the Studio API: the drawn shapes set imported as COCO into a detection
project trains an FCOS detector on the CPU, which then reaches the quality bars on the held-out test subset
(AP50 >= 0.90, COCO mAP >= 0.60) in an evaluation whose per-image results list each image's true positives,
false positives and misses. The run, named the project's pre-labeler, suggests boxes for new JTheta tasks, and
its ONNX export run in onnxruntime finds those same boxes. One run serves every check, so the suite pays for its
training once."""
import json

import pytest
import requests

from shape_runs import evaluated, model_input, onnx_session, prelabeled_new_images, served_and_trained
from shapes import CLASSES
from test_studio_imports import auth

# Small images, few epochs: the run takes about three minutes of a debug build on two cores.
CONFIG = {"name": "shapes", "model": "fcos_resnet18", "image_size": 128, "width": 0.25, "epochs": 30, "batch_size": 16,
          "optimizer": {"name": "adamw", "lr": 0.005}, "scheduler": {"name": "cosine", "warmup_epochs": 2}, "seed": 3}


@pytest.fixture(scope="module")
def trained():
    """(server, key, project id, experiment id, run) of a detector trained on 384 drawn images, split 70/10/20."""
    yield from served_and_trained("detection", CONFIG, 384, seed=11)


def test_the_detector_trains_and_records_its_data(trained):
    _, _, _, _, run = trained
    assert run["status"] == "completed", run
    assert run["classes"] == sorted(CLASSES)
    data = run["data"]
    assert data["train_images"] + data["val_images"] == data["shapes"]["images"] and data["val_images"] > 0
    assert data["shapes"]["boxes"] == data["shapes"]["polygons"] > data["shapes"]["images"]
    assert data["shapes"]["clipped"] == data["shapes"]["skipped"] == data["shapes"]["unlisted"] == 0
    assert len(data["snapshot"]) == 64
    assert len(run["metrics"]) == CONFIG["epochs"]
    for epoch in run["metrics"]:
        assert "train_accuracy" not in epoch and "val_accuracy" not in epoch and 0 <= epoch["val_map"] <= 1
    assert run["metrics"][-1]["train_loss"] < run["metrics"][0]["train_loss"] / 2
    assert run["best_val_map"] == max(epoch["val_map"] for epoch in run["metrics"])


def test_the_held_out_subset_reaches_the_quality_bars(trained):
    server, key, project_id, exp_id, run = trained
    url, evaluation = evaluated(server, key, project_id, exp_id, run["run_id"])
    report = evaluation["results"]
    print("test subset:", {k: report[k] for k in ("map", "ap50", "ap75", "ar100")}, report["ap"])
    assert report["ap50"] >= 0.90 and report["map"] >= 0.60, report
    assert report["ap75"] <= report["ap50"] and 0 < report["ar100"] <= 1
    assert set(report["ap"]) == set(CLASSES) and all(0 <= value <= 1 for value in report["ap"].values())
    assert len(evaluation["data_snapshot"]) == 64 and evaluation["skipped"] == 0

    page = requests.get(url + "/results", params={"sort_by": "error", "page_size": 500}, headers=auth(key)).json()["data"]
    results = page["results"]
    assert page["total"] == len(results) > 0
    errors = [len(r["false_positives"]) + len(r["misses"]) for r in results]
    assert errors == sorted(errors, reverse=True) and [r["loss"] for r in results] == errors
    assert sum(len(r["true_positives"]) for r in results) > sum(errors)
    for result in results:
        assert result["correct"] == (len(result["false_positives"]) + len(result["misses"]) == 0)
        for found in result["true_positives"]:
            assert found["iou"] >= 0.5 and found["score"] >= 0.3 and len(found["box"]) == 4
        for found in result["false_positives"]:
            assert 0 <= found["iou"] and found["score"] >= 0.3
    circles = requests.get(url + "/results", params={"filter_class": "circle", "page_size": 500}, headers=auth(key)).json()["data"]
    assert 0 < circles["total"] < page["total"]
    for result in circles["results"]:
        named = [b["class_name"] for b in result["true_positives"] + result["false_positives"] + result["misses"]]
        assert "circle" in named
    wrong = requests.get(url + "/results", params={"filter_correct": "false", "page_size": 500}, headers=auth(key)).json()["data"]
    assert wrong["total"] == sum(1 for e in errors if e > 0)


def test_the_detector_prelabels_new_tasks_with_the_boxes_its_onnx_export_finds(trained):
    server, key, project_id, exp_id, run = trained
    drawn, suggested = prelabeled_new_images(server, key, project_id, run["run_id"], 4, seed=99)
    session, metadata = onnx_session(server, key, project_id, exp_id, run["run_id"])
    assert metadata["task"] == "detection" and "boxes" in metadata["outputs"]
    found_shapes = 0
    for name, data, shapes in drawn:
        boxes, scores, labels, _ = session.run(None, {"input": model_input(data)})
        theirs = sorted((float(s), sorted(CLASSES)[int(l)], [float(v) for v in b]) for b, s, l in zip(boxes, scores, labels) if s >= 0.25)
        # The imported classes are polygons, so each box comes as its four corners.
        assert all(l["type"] == "polygon" and len(l["points"]) == 4 for l in suggested[name])
        ours = sorted((l["confidence"], l["label"], [l["points"][0][0], l["points"][0][1], l["points"][2][0], l["points"][2][1]])
                      for l in suggested[name])
        assert len(theirs) == len(ours), (name, theirs, ours)
        for (their_score, their_label, their_box), (score, label, box) in zip(theirs, ours):
            assert their_label == label and abs(their_score - score) <= 1e-4
            assert all(abs(a - b) <= 1e-3 * 128 for a, b in zip(their_box, box)), (their_box, box)
        for kind, _, bbox in shapes:
            found_shapes += any(label == kind and iou(bbox, [box[0], box[1], box[2] - box[0], box[3] - box[1]]) >= 0.5
                                for _, label, box in ours)
    assert found_shapes >= 0.8 * sum(len(shapes) for _, _, shapes in drawn)
    assert json.loads(metadata["classes"]) == sorted(CLASSES)


def iou(a, b):
    """Two [x, y, width, height] boxes' intersection over union."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return 0 if w <= 0 or h <= 0 else w * h / (a[2] * a[3] + b[2] * b[3] - w * h)
