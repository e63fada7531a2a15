"""The drawn shapes set imports as COCO with every shape's polygon, in the image where it was drawn: the
ground every detection and segmentation figure of issue 20 stands on."""
import requests

from shapes import CLASSES, coco_zip
from test_studio_imports import auth, finished, project, upload


def test_the_drawn_set_imports_with_its_polygons(server):
    data, truth = coco_zip(24, seed=5)
    again, _ = coco_zip(24, seed=5)
    assert data == again, "a seed draws the same set"
    key = server.create_account("shapes")
    project_id = project(server, key)
    job = finished(server, key, project_id, upload(server, key, project_id, data).json()["data"])
    assert job["status"] == "done" and job["imported"] == 24 and job["skipped"] == [], job
    listed = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"page_size": 100}, headers=auth(key)).json()["data"]
    assert listed["total"] == 24
    for image in listed["images"]:
        labels = requests.get(server.url + image["url"] + "/info", headers=auth(key)).json()["data"]["labels"]
        drawn = truth[image["original_name"]]
        assert sorted(l["label"] for l in labels) == sorted(kind for kind, _, _ in drawn)
        for label in labels:
            assert label["type"] == "polygon" and label["label"] in CLASSES
            xs, ys = [p[0] for p in label["points"]], [p[1] for p in label["points"]]
            boxes = [bbox for kind, _, bbox in drawn if kind == label["label"]]
            assert any(abs(min(xs) - b[0]) < 0.01 and abs(min(ys) - b[1]) < 0.01 and abs(max(xs) - min(xs) - b[2]) < 0.02
                       for b in boxes), (label, boxes)
