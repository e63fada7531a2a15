"""The whole loop through JTheta and the worker API: create, upload, request annotation, label and
review as workers, status at 100%, export, and the exported COCO judged by pycocotools."""
import io
import json
import tempfile
import zipfile

import requests
from pycocotools.coco import COCO

from images import jpeg, png


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def token_of(link):
    return link.split("#token=")[1]


def setup_project(server, key):
    requests.post(server.url + "/create_project/", json={"project_title": "Eyes", "project_category": "Medical"}, headers=auth(key))
    uploads = {"left.png": png(64, 48), "right.jpg": jpeg(40, 30)}
    created = requests.post(server.url + "/create_dataset/", data={"dataset_name": "Scans", "project_name": "Eyes"},
                            files=[("images", (name, data)) for name, data in uploads.items()], headers=auth(key)).json()
    assigned = requests.post(server.url + "/request_annotation/", headers=auth(key), json={
        "dataset_id": created["dataset_id"], "project_name": "Eyes",
        "assigned_annotator": "alice@lab.org", "assigned_reviewer": "bob@lab.org",
        "labels": [{"label": "Lesion", "type": "polygon"}, {"label": "Vessel", "type": "bounding_box"},
                   {"label": "Healthy", "type": "tag"}, {"label": "Fovea", "type": "point"}]}).json()
    links = assigned["workbench_links"]
    return created, uploads, token_of(links["alice@lab.org"]), token_of(links["bob@lab.org"])


def labels_for(image):
    if image["width"] == 64:
        return [{"label": "Lesion", "type": "polygon", "points": [[1, 1], [30, 2], [20, 40]]},
                {"label": "Vessel", "type": "bounding_box", "bbox": [2, 3, 10, 12]},
                {"label": "Fovea", "type": "point", "point": [32, 24]}]
    return [{"label": "Healthy", "type": "tag"}]


def test_create_label_review_export(server):
    key = server.create_account("clinic")
    dataset, uploads, alice, bob = setup_project(server, key)

    tasks = requests.get(server.url + "/worker/tasks", headers=auth(alice)).json()["tasks"]
    assert len(tasks) == 2
    assert requests.get(server.url + "/worker/tasks", params={"role": "reviewer"}, headers=auth(bob)).json()["tasks"] == []

    for summary in tasks:
        task = requests.get(server.url + f"/worker/tasks/{summary['id']}", headers=auth(alice)).json()
        assert task["roles"] == ["annotator"] and {c["name"] for c in task["classes"]} == {"Lesion", "Vessel", "Healthy", "Fovea"}
        image = task["images"][0]
        served = requests.get(server.url + image["url"], headers=auth(alice))
        assert served.status_code == 200 and served.content == uploads[image["file_name"]]
        labels = [{"image_id": image["id"], "labels": labels_for(image)}]
        outside = [{"image_id": image["id"], "labels": [{"label": "Vessel", "type": "bounding_box", "bbox": [0, 0, 500, 5]}]}]
        assert requests.post(server.url + f"/worker/tasks/{task['id']}/submit", json={"annotations": outside}, headers=auth(alice)).status_code == 422
        draft = requests.put(server.url + f"/worker/tasks/{task['id']}/draft", json={"annotations": labels}, headers=auth(alice))
        assert draft.status_code == 200 and draft.json()["status"] == "progress" and draft.json()["draft"] == labels
        early = requests.post(server.url + f"/worker/tasks/{task['id']}/review", json={"decision": "approve"}, headers=auth(bob))
        assert early.status_code == 409
        assert requests.post(server.url + f"/worker/tasks/{task['id']}/submit", json={"annotations": labels}, headers=auth(bob)).status_code == 403
        submitted = requests.post(server.url + f"/worker/tasks/{task['id']}/submit", json={"annotations": labels}, headers=auth(alice))
        assert submitted.status_code == 200 and submitted.json()["status"] == "review"

    queue = requests.get(server.url + "/worker/tasks", params={"role": "reviewer"}, headers=auth(bob)).json()["tasks"]
    assert len(queue) == 2
    rejected = requests.post(server.url + f"/worker/tasks/{queue[0]['id']}/review",
                             json={"decision": "reject", "comment": "redo <b>this</b>"}, headers=auth(bob)).json()
    assert rejected["status"] == "progress"
    back = requests.get(server.url + "/worker/tasks", headers=auth(alice)).json()["tasks"]
    assert [t["review_comment"] for t in back] == ["redo <b>this</b>"]
    task = requests.get(server.url + f"/worker/tasks/{queue[0]['id']}", headers=auth(alice)).json()
    requests.post(server.url + f"/worker/tasks/{task['id']}/submit", json={"annotations": task["annotations"]}, headers=auth(alice))
    for item in queue:
        approved = requests.post(server.url + f"/worker/tasks/{item['id']}/review", json={"decision": "approve"}, headers=auth(bob))
        assert approved.status_code == 200 and approved.json()["status"] == "done"

    status = requests.get(server.url + "/get_annotation_status/Eyes/", headers=auth(key)).json()
    assert status["percent_done"] == 100 and status["status_counts"]["done"] == 2
    assert status["annotators"][0]["annotator"] == "alice@lab.org" and status["annotators"][0]["percent_done"] == 100
    assert status["datasets"][0]["dataset_id"] == dataset["dataset_id"]

    redirect = requests.get(server.url + "/api/export/download", params={"key": key, "project_title": "Eyes"}, allow_redirects=False)
    assert redirect.status_code == 302
    archive = requests.get(redirect.headers["Location"])
    assert archive.status_code == 200 and archive.headers["Content-Type"] == "application/zip"
    assert "attachment" in archive.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert z.testzip() is None
        names = z.namelist()
        document = json.loads(z.read("annotations.json"))
        for image in document["images"]:
            original = uploads[image["file_name"].split("_", 1)[1]]
            assert z.read(image["file_name"]) == original
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(document, f)
            f.flush()
            coco = COCO(f.name)
    assert len(coco.getImgIds()) == 2
    assert sorted(c["name"] for c in coco.loadCats(coco.getCatIds())) == ["Fovea", "Healthy", "Lesion", "Vessel"]
    annotations = coco.loadAnns(coco.getAnnIds())
    assert len(annotations) == 3
    box = next(a for a in annotations if coco.loadCats(a["category_id"])[0]["name"] == "Vessel")
    assert box["bbox"] == [2, 3, 10, 12] and box["area"] == 120
    assert any(image.get("tags") == ["Healthy"] for image in document["images"])
    assert len([n for n in names if n.startswith("images/")]) == 2

    # Unchanged content: the same archive is handed out again.
    again = requests.get(server.url + "/api/export/download", params={"key": key, "project_title": "Eyes"}, allow_redirects=False)
    assert again.json()["export_id"] == redirect.json()["export_id"]
    for fmt in ["yolo", "voc", "csv"]:
        other = requests.get(server.url + "/api/export/download", params={"key": key, "format": fmt}, allow_redirects=True)
        assert other.status_code == 200 and zipfile.ZipFile(io.BytesIO(other.content)).testzip() is None
    assert requests.get(server.url + "/api/export/download", params={"key": key, "format": "xml"}).status_code == 400
    forged = redirect.headers["Location"].replace("signature=", "signature=00")
    assert requests.get(forged).status_code == 403


def test_workers_only_reach_their_own_tasks(server):
    key = server.create_account("lab-one")
    _, _, alice, _ = setup_project(server, key)
    other = server.create_account("lab-two")
    _, _, stranger, _ = setup_project(server, other)
    task_id = requests.get(server.url + "/worker/tasks", headers=auth(alice)).json()["tasks"][0]["id"]
    assert requests.get(server.url + f"/worker/tasks/{task_id}", headers=auth(stranger)).status_code == 404
    assert requests.get(server.url + f"/worker/tasks/{task_id}", headers=auth("wk_" + "1" * 64)).status_code == 401
    assert requests.get(server.url + f"/worker/tasks/{task_id}", headers=auth(key)).status_code == 401
    assert requests.get(server.url + "/worker/me", headers=auth(alice)).json()["email"] == "alice@lab.org"
