"""The JTheta API end to end over sockets, with requests as the client: every endpoint of
../shared/specs/jtheta-api.md and its error cases."""
import requests

from hitl_support import wait_for
from images import distinct_pngs, jpeg, png


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def create_project(server, key, title="Retinal Dataset", category="Medical Imaging"):
    return requests.post(server.url + "/create_project/", json={"project_title": title, "project_category": category},
                         headers=auth(key))


def create_dataset(server, key, project, name, files, license=None):
    data = {"dataset_name": name, "project_name": project}
    if license is not None:
        data["license"] = license
    return requests.post(server.url + "/create_dataset/", data=data, files=[("images", f) for f in files], headers=auth(key))


def test_validate_key(server):
    key = server.create_account("validators")
    ok = requests.get(server.url + "/validate_key/", headers=auth(key))
    assert ok.status_code == 200 and ok.json()["valid"] is True
    missing = requests.get(server.url + "/validate_key/")
    assert missing.status_code == 401 and "detail" in missing.json()
    wrong = requests.get(server.url + "/validate_key/", headers=auth("qk_" + "0" * 64))
    assert wrong.status_code == 401


def test_create_project_and_its_errors(server):
    key = server.create_account("projects")
    created = create_project(server, key)
    assert created.status_code == 201
    assert created.json()["project_id"].startswith("proj-")
    assert created.json()["project_title"] == "Retinal Dataset"
    assert create_project(server, key).status_code == 409
    missing = requests.post(server.url + "/create_project/", json={"project_category": "x"}, headers=auth(key))
    assert missing.status_code == 400 and "project_title" in missing.json()["detail"]
    assert requests.post(server.url + "/create_project/", data="not json", headers=auth(key)).status_code == 400
    assert requests.post(server.url + "/create_project/", json={"project_title": "x"}).status_code == 401


def test_create_dataset_records_each_image(server):
    key = server.create_account("uploader")
    create_project(server, key, "RetinalResearch")
    response = create_dataset(server, key, "RetinalResearch", "TumorSlides",
                              [("slide1.png", png(64, 48)), ("slide2.jpg", jpeg(40, 30))], license="CC-BY-4.0")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["image_count"] == 2 and isinstance(body["dataset_id"], int) and body["id"] == body["dataset_id"]
    assert [(i["file_name"], i["width"], i["height"], i["format"]) for i in body["images"]] == [
        ("slide1.png", 64, 48, "png"), ("slide2.jpg", 40, 30, "jpeg")]


def test_a_corrupt_image_fails_the_whole_upload_and_stores_nothing(server):
    key = server.create_account("careful")
    create_project(server, key, "P")
    before = server.blobs()
    truncated = png(64, 64)[:-30]
    response = create_dataset(server, key, "P", "D", [("good1.png", png()), ("broken.png", truncated), ("good2.jpg", jpeg())])
    assert response.status_code == 400
    assert "broken.png" in response.json()["detail"]
    assert server.blobs() == before
    # Nothing of that request exists: the same dataset name is still free.
    assert create_dataset(server, key, "P", "D", [("good1.png", png())]).status_code == 201
    # A text file named like an image is judged by its bytes.
    fake = create_dataset(server, key, "P", "E", [("photo.jpg", b"just some text, not a jpeg")])
    assert fake.status_code == 400 and "photo.jpg" in fake.json()["detail"]


def test_two_hundred_images_in_one_upload(server):
    key = server.create_account("bulk")
    create_project(server, key, "Bulk")
    files = [(f"img{i:03}.png", data) for i, data in enumerate(distinct_pngs(200))]
    response = create_dataset(server, key, "Bulk", "All", files)
    assert response.status_code == 201, response.text
    assert response.json()["image_count"] == 200
    assert len(server.blobs()) == 200


def test_upload_images_to_dataset(server):
    key = server.create_account("adder")
    create_project(server, key, "A")
    create_project(server, key, "B")
    dataset_id = create_dataset(server, key, "A", "D", [("one.png", png())]).json()["dataset_id"]
    more = requests.post(server.url + "/upload_images_to_dataset/",
                         data={"dataset_id": str(dataset_id), "project_name": "A"},
                         files=[("images", ("two.png", png(10, 10))), ("images", ("three.jpg", jpeg()))], headers=auth(key))
    assert more.status_code == 201, more.text
    assert more.json()["uploaded"] == 2 and more.json()["image_count"] == 3
    wrong_project = requests.post(server.url + "/upload_images_to_dataset/", data={"dataset_id": str(dataset_id), "project_name": "B"},
                                  files=[("images", ("x.png", png()))], headers=auth(key))
    assert wrong_project.status_code == 404
    missing = requests.post(server.url + "/upload_images_to_dataset/", data={"dataset_id": "999999", "project_name": "A"},
                            files=[("images", ("x.png", png()))], headers=auth(key))
    assert missing.status_code == 404
    bad_id = requests.post(server.url + "/upload_images_to_dataset/", data={"dataset_id": "abc", "project_name": "A"},
                           files=[("images", ("x.png", png()))], headers=auth(key))
    assert bad_id.status_code == 400


def test_uploads_must_be_multipart_and_fit_the_limit(make_server):
    server = make_server(QUARRY_MAX_UPLOAD_BYTES="20000")
    key = server.create_account("limited")
    create_project(server, key, "P")
    not_multipart = requests.post(server.url + "/create_dataset/", json={"dataset_name": "D", "project_name": "P"}, headers=auth(key))
    assert not_multipart.status_code == 415 and "detail" in not_multipart.json()
    big = create_dataset(server, key, "P", "D", [("big.png", bytes(30000))])
    assert big.status_code == 413 and "detail" in big.json()


def test_accounts_cannot_see_or_touch_each_others_projects(server):
    alice = server.create_account("alice")
    bob = server.create_account("bob")
    create_project(server, alice, "Secret")
    dataset_id = create_dataset(server, alice, "Secret", "D", [("a.png", png())]).json()["dataset_id"]

    assert requests.get(server.url + "/get_annotation_status/Secret/", headers=auth(bob)).status_code == 404
    assert create_dataset(server, bob, "Secret", "Mine", [("b.png", png())]).status_code == 404
    upload = requests.post(server.url + "/upload_images_to_dataset/", data={"dataset_id": str(dataset_id), "project_name": "Secret"},
                           files=[("images", ("b.png", png()))], headers=auth(bob))
    assert upload.status_code == 404
    request = requests.post(server.url + "/request_annotation/", headers=auth(bob), json={
        "dataset_id": dataset_id, "project_name": "Secret", "assigned_annotator": "x@y.io", "assigned_reviewer": "z@y.io",
        "labels": [{"label": "T", "type": "tag"}]})
    assert request.status_code == 404
    assert requests.post(server.url + "/delete_project/", json={"project_title": "Secret"}, headers=auth(bob)).status_code == 404
    export = requests.get(server.url + "/api/export/download", params={"key": bob, "dataset_id": dataset_id}, allow_redirects=False)
    assert export.status_code == 404
    # Bob may use the same title for his own project.
    assert create_project(server, bob, "Secret").status_code == 201
    assert requests.get(server.url + "/get_annotation_status/Secret/", headers=auth(alice)).json()["total_tasks"] == 0


def test_request_annotation_creates_one_task_per_image_once(server):
    key = server.create_account("requester")
    create_project(server, key, "Tumor Study")
    dataset_id = create_dataset(server, key, "Tumor Study", "D", [(f"{i}.png", d) for i, d in enumerate(distinct_pngs(3))]).json()["dataset_id"]
    body = {"dataset_id": dataset_id, "project_name": "Tumor Study", "assigned_annotator": "alice@domain.com",
            "assigned_reviewer": "bob@domain.com",
            "labels": [{"label": "Tumor", "type": "polygon"}, {"label": "Blood Vessel", "type": "bounding_box"}]}
    first = requests.post(server.url + "/request_annotation/", json=body, headers=auth(key))
    assert first.status_code == 200, first.text
    assert first.json()["tasks_created"] == 3 and first.json()["task_count"] == 3
    assert set(first.json()["workbench_links"]) == {"alice@domain.com", "bob@domain.com"}
    again = requests.post(server.url + "/request_annotation/", json=body, headers=auth(key))
    assert again.json()["tasks_created"] == 0 and again.json()["task_count"] == 3
    assert again.json()["workbench_links"] == {}
    bad_type = dict(body, labels=[{"label": "X", "type": "circle"}])
    refused = requests.post(server.url + "/request_annotation/", json=bad_type, headers=auth(key))
    assert refused.status_code == 400 and "Bounding Boxes, Polygons, Points" in refused.json()["detail"]
    product = dict(body, labels=[{"label": "Cell", "type": "instance segmentation"}, {"label": "Dot", "type": "Points"}])
    named = requests.post(server.url + "/request_annotation/", json=product, headers=auth(key)).json()["labels"]
    assert named[2:] == [{"name": "Cell", "type": "polygon"}, {"name": "Dot", "type": "point"}]
    conflict = dict(body, labels=[{"label": "Tumor", "type": "point"}])
    assert requests.post(server.url + "/request_annotation/", json=conflict, headers=auth(key)).status_code == 409
    bad_email = dict(body, assigned_annotator="not-an-email")
    assert requests.post(server.url + "/request_annotation/", json=bad_email, headers=auth(key)).status_code == 400
    status = requests.get(server.url + "/get_annotation_status/Tumor Study/", headers=auth(key)).json()
    assert status["total_tasks"] == 3 and status["status_counts"]["new"] == 3 and status["percent_done"] == 0


def test_delete_project_removes_everything_and_collects_its_images(make_server):
    server = make_server(QUARRY_BLOB_GRACE="0")
    key = server.create_account("deleter")
    create_project(server, key, "Old Medical Study")
    create_project(server, key, "Keeper")
    shared = png(20, 20, (1, 2, 3))
    create_dataset(server, key, "Old Medical Study", "D", [("only-here.png", png(30, 30, (9, 9, 9))), ("shared.png", shared)])
    create_dataset(server, key, "Keeper", "K", [("shared.png", shared)])
    assert len(server.blobs()) == 2
    deleted = requests.post(server.url + "/delete_project/", json={"project_title": "Old Medical Study"}, headers=auth(key))
    assert deleted.status_code == 200
    assert requests.get(server.url + "/get_annotation_status/Old Medical Study/", headers=auth(key)).status_code == 404
    # The image only that project used goes (collected in the background); the one another project shares stays.
    wait_for(lambda: len(server.blobs()) == 1)
    assert requests.post(server.url + "/delete_project/", json={"project_title": "Old Medical Study"}, headers=auth(key)).status_code == 404
