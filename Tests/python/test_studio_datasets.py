"""Studio datasets and splits over images uploaded through JTheta and classified through the worker API."""
import io

import requests
from PIL import Image

from hitl_support import wait_for
from images import distinct_pngs


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def labeled_project(server, key, classes):
    """A project whose images carry the given classes (None: unlabeled), classified by people."""
    requests.post(server.url + "/create_project/", json={"project_title": "Pets", "project_category": "x"}, headers=auth(key))
    files = [(f"img{i:02}.png", data) for i, data in enumerate(distinct_pngs(len(classes), 8 + len(classes), 8))]
    created = requests.post(server.url + "/create_dataset/", data={"dataset_name": "D", "project_name": "Pets"},
                            files=[("images", f) for f in files], headers=auth(key)).json()
    names = sorted({c for c in classes if c})
    links = requests.post(server.url + "/request_annotation/", headers=auth(key), json={
        "dataset_id": created["dataset_id"], "project_name": "Pets", "assigned_annotator": "a@x.io", "assigned_reviewer": "r@x.io",
        "labels": [{"label": n, "type": "tag"} for n in names]}).json()["workbench_links"]
    annotator = {"Authorization": "Bearer " + links["a@x.io"].split("=")[1]}
    reviewer = {"Authorization": "Bearer " + links["r@x.io"].split("=")[1]}
    by_image = {image["id"]: label for image, label in zip(created["images"], classes)}
    for task in requests.get(server.url + "/worker/tasks", headers=annotator).json()["tasks"]:
        image_id = task["image_ids"][0]
        if by_image[image_id] is None:
            continue
        labels = [{"image_id": image_id, "labels": [{"label": by_image[image_id], "type": "tag"}]}]
        requests.post(server.url + f"/worker/tasks/{task['id']}/submit", json={"annotations": labels}, headers=annotator)
        requests.post(server.url + f"/worker/tasks/{task['id']}/review", json={"decision": "approve"}, headers=reviewer)
    project_id = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"][0]["id"]
    return project_id, created


def test_dataset_stats_listing_and_images(server):
    key = server.create_account("datasets")
    classes = ["cat"] * 5 + ["dog"] * 3 + [None] * 2
    project_id, created = labeled_project(server, key, classes)
    stats = requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]
    assert stats["image_count"] == 10 and stats["unlabeled"] == 2
    assert stats["classes"] == [{"name": "cat", "count": 5}, {"name": "dog", "count": 3}]
    assert stats["size_bytes"] == sum(i["size"] for i in created["images"])

    page = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"page": 2, "page_size": 4}, headers=auth(key)).json()["data"]
    assert page["total"] == 10 and [i["original_name"] for i in page["images"]] == ["img04.png", "img05.png", "img06.png", "img07.png"]
    dogs = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"filter_class": "dog"}, headers=auth(key)).json()["data"]
    assert dogs["total"] == 3 and {i["class"] for i in dogs["images"]} == {"dog"}
    found = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"search": "img0"}, headers=auth(key)).json()["data"]
    assert found["total"] == 10
    by_class = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"sort_by": "class", "sort_order": "desc"},
                            headers=auth(key)).json()["data"]["images"]
    assert [i["class"] for i in by_class][:3] == ["dog", "dog", "dog"]
    for parameter, value in [("page_size", 501), ("sort_by", "color"), ("sort_order", "up")]:
        refused = requests.get(server.url + f"/api/datasets/{project_id}/images", params={parameter: value}, headers=auth(key))
        assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] == parameter, refused.text

    first = page["images"][0]
    image = requests.get(server.url + first["url"], headers=auth(key))
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png" and len(image.content) == first["size"]
    info = requests.get(server.url + first["url"] + "/info", headers=auth(key)).json()["data"]
    assert info["image"]["class"] == "cat" and info["labels"] == [{"label": "cat", "type": "tag"}]
    thumbnail = requests.get(server.url + first["thumbnail_url"], headers=auth(key))
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumbnail.content)) as decoded:
        assert decoded.format == "JPEG" and decoded.size == (first["width"], first["height"])
    assert requests.get(server.url + first["thumbnail_url"], headers=auth(key)).content == thumbnail.content
    missing = requests.get(server.url + f"/api/datasets/{project_id}/images/999999_nothing.png", headers=auth(key))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    stranger = server.create_account("stranger")
    assert requests.get(server.url + first["url"], headers=auth(stranger)).status_code == 404


def test_splits_are_stratified_deterministic_and_reindexed(server):
    key = server.create_account("splits")
    project_id, _ = labeled_project(server, key, ["a"] * 10 + ["b"] * 10)
    ratios = {"train": 0.8, "val": 0.1, "test": 0.1}
    preview = requests.get(server.url + f"/api/splits/{project_id}/preview", params={**ratios, "seed": 42}, headers=auth(key)).json()
    assert preview["data"]["stats"] == {"train": 16, "val": 2, "test": 2, "none": 0}
    # Stratified: each class splits 8/1/1, as the origin's own tests read the distribution.
    assert preview["data"]["class_distribution"] == {c: {"train": 8, "val": 1, "test": 1, "none": 0} for c in ["a", "b"]}
    created = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "80-10-10", "ratios": ratios, "seed": 42},
                            headers=auth(key))
    assert created.status_code == 201
    assert created.json()["data"]["split_index"] == 0 and created.json()["data"]["stats"] == {"train": 16, "val": 2, "test": 2}
    again = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "same seed", "ratios": ratios, "seed": 42},
                          headers=auth(key)).json()["data"]
    other = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "other seed", "ratios": ratios, "seed": 7},
                          headers=auth(key)).json()["data"]
    assert (again["split_index"], other["split_index"]) == (1, 2)
    details = [requests.get(server.url + f"/api/splits/{project_id}/{i}", headers=auth(key)).json()["data"] for i in range(3)]
    # Stratified: each class contributes 8/1/1.
    assert details[0]["classes"] == {"a": {"train": 8, "val": 1, "test": 1}, "b": {"train": 8, "val": 1, "test": 1}}

    assert sum(details[1]["stats"].values()) == 20 and details[1]["stats"]["none"] == 0

    deleted = requests.delete(server.url + f"/api/splits/{project_id}/0", headers=auth(key))
    assert deleted.status_code == 200
    remaining = requests.get(server.url + f"/api/splits/{project_id}", headers=auth(key)).json()["data"]
    assert [(s["split_index"], s["name"]) for s in remaining] == [(0, "same seed"), (1, "other seed")]
    gone = requests.get(server.url + f"/api/splits/{project_id}/2", headers=auth(key))
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "SPLIT_NOT_FOUND"

    for bad, field in [({"train": 0.8, "val": 0.1}, "ratios"), ({"train": 1.2, "val": -0.2}, "ratios.train"),
                       ({"train": 0.5, "holdout": 0.5}, "ratios")]:
        response = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "bad", "ratios": bad, "seed": 1}, headers=auth(key))
        assert response.status_code == 422 and response.json()["error"]["code"] == "VALIDATION_ERROR", bad
        assert response.json()["error"]["details"]["field"] == field, response.text


def test_a_split_of_a_project_without_images_asks_for_an_import(server):
    key = server.create_account("empty")
    project_id = requests.post(server.url + "/api/projects", json={"name": "empty"}, headers=auth(key)).json()["data"]["id"]
    ratios = {"train": 0.8, "val": 0.2}
    created = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": ratios}, headers=auth(key))
    preview = requests.get(server.url + f"/api/splits/{project_id}/preview", params=ratios, headers=auth(key))
    for response in (created, preview):
        assert response.status_code == 422 and response.json()["error"]["code"] == "DATASET_NOT_IMPORTED", response.text


def test_the_same_seed_gives_the_same_split_in_another_server(make_server):
    """Determinism across processes (and so machines): the assignment depends only on seed, classes and ids."""
    subsets = []
    for _ in range(2):
        server = make_server()
        key = server.create_account("repeat")
        project_id, _ = labeled_project(server, key, ["x"] * 7 + ["y"] * 6)
        requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": 0.5, "val": 0.25, "test": 0.25},
                                                                     "seed": 1234}, headers=auth(key))
        subsets.append(requests.get(server.url + f"/api/splits/{project_id}/0", headers=auth(key)).json()["data"]["classes"])
    assert subsets[0] == subsets[1]


def test_clearing_the_dataset_removes_images_and_their_blobs(make_server):
    server = make_server(QUARRY_BLOB_GRACE="0")
    key = server.create_account("clear")
    project_id, _ = labeled_project(server, key, ["a", "b", None])
    assert len(server.blobs()) == 3
    cleared = requests.delete(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]
    assert cleared["removed_images"] == 3
    assert requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"] == 0
    wait_for(lambda: server.blobs() == [])


def test_thumbnails_have_a_long_side_of_256(server):
    from images import jpeg
    key = server.create_account("thumbs")
    requests.post(server.url + "/create_project/", json={"project_title": "Wide", "project_category": "x"}, headers=auth(key))
    requests.post(server.url + "/create_dataset/", data={"dataset_name": "D", "project_name": "Wide"},
                  files=[("images", ("wide.jpg", jpeg(600, 300)))], headers=auth(key))
    project_id = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"][0]["id"]
    image = requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key)).json()["data"]["images"][0]
    with Image.open(io.BytesIO(requests.get(server.url + image["thumbnail_url"], headers=auth(key)).content)) as thumbnail:
        assert thumbnail.size == (256, 128)


def test_images_are_also_served_by_their_original_name_when_it_is_unique(server):
    """A client that imported `img03.png` asks for `img03.png`; Quarry's own `<id>_` names keep working,
    and a name two images share is a 409 naming the ones to choose from."""
    key = server.create_account("original-names")
    project_id, created = labeled_project(server, key, ["cat", "dog", None])
    listed = requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key)).json()["data"]["images"]
    first = next(i for i in listed if i["original_name"] == "img00.png")
    by_id = requests.get(server.url + first["url"], headers=auth(key))
    by_name = requests.get(server.url + f"/api/datasets/{project_id}/images/img00.png", headers=auth(key))
    assert by_name.status_code == 200 and by_name.content == by_id.content
    thumbnail = requests.get(server.url + f"/api/datasets/{project_id}/thumbnails/img00.png", headers=auth(key))
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    info = requests.get(server.url + f"/api/datasets/{project_id}/images/img00.png/info", headers=auth(key)).json()["data"]
    assert info["image"]["filename"] == first["filename"]

    # A second dataset of the same project brings another img00.png.
    again = distinct_pngs(1, 30, 9)[0]
    requests.post(server.url + "/create_dataset/", data={"dataset_name": "E", "project_name": "Pets"},
                  files=[("images", ("img00.png", again))], headers=auth(key))
    shared = requests.get(server.url + f"/api/datasets/{project_id}/images/img00.png", headers=auth(key))
    assert shared.status_code == 409 and first["filename"] in shared.json()["error"]["message"]
    assert requests.get(server.url + first["url"], headers=auth(key)).content == by_id.content
    assert requests.get(server.url + f"/api/datasets/{project_id}/images/nothing.png", headers=auth(key)).status_code == 404
