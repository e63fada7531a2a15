"""Studio imports: ZIP uploads (hostile ones included) and folders under QUARRY_IMPORT_ROOT."""
import io
import os
import tempfile
import zipfile

import requests

from hitl_support import wait_for
from images import distinct_pngs, jpeg, png


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def project(server, key, name="Imports"):
    return requests.post(server.url + "/api/projects", json={"name": name}, headers=auth(key)).json()["data"]["id"]


def finished(server, key, project_id, job):
    url = server.url + f"/api/datasets/{project_id}/imports/{job['id']}"
    return wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        requests.get(url, headers=auth(key)).json()["data"]), timeout=60)


def archive(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


def upload(server, key, project_id, data):
    return requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("data.zip", data)}, headers=auth(key))


def test_a_class_per_folder_zip_is_imported_with_reports(server):
    key = server.create_account("zip")
    project_id = project(server, key)
    cats = distinct_pngs(3)
    data = archive([("pets/cat/1.png", cats[0]), ("pets/cat/2.png", cats[1]), ("pets/dog/1.jpg", jpeg(50, 40)),
                    ("pets/dog/copy.png", cats[0]), ("pets/readme.txt", b"hello"), ("pets/dog/broken.jpg", jpeg()[:100])])
    response = upload(server, key, project_id, data)
    assert response.status_code == 202, response.text
    job = finished(server, key, project_id, response.json()["data"])
    assert job["status"] == "done" and job["imported"] == 3 and job["total"] == 6
    assert job["duplicates"] == [{"name": "pets/dog/copy.png", "duplicate_of": "pets/cat/1.png"}]
    assert sorted(s["name"] for s in job["skipped"]) == ["pets/dog/broken.jpg", "pets/readme.txt"]
    stats = requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]
    assert stats["classes"] == [{"name": "cat", "count": 2}, {"name": "dog", "count": 1}]
    assert [c["name"] for c in requests.get(server.url + f"/api/projects/{project_id}", headers=auth(key)).json()["data"]["classes"]] == ["cat", "dog"]
    image = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"filter_class": "dog"}, headers=auth(key)).json()["data"]["images"][0]
    assert requests.get(server.url + image["thumbnail_url"], headers=auth(key)).headers["Content-Type"] == "image/jpeg"
    # The raw body works too, and importing the same files again finds them all duplicates.
    again = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", data=data,
                          headers={**auth(key), "Content-Type": "application/zip"})
    assert finished(server, key, project_id, again.json()["data"])["imported"] == 0
    assert len(requests.get(server.url + f"/api/datasets/{project_id}/imports", headers=auth(key)).json()["data"]) == 2


def test_hostile_archives_are_refused_before_anything_is_imported(server):
    key = server.create_account("hostile")
    project_id = project(server, key)
    slip = archive([("../evil.png", png())])
    absolute = archive([("/etc/evil.png", png())])
    link = io.BytesIO()
    with zipfile.ZipFile(link, "w") as z:
        info = zipfile.ZipInfo("link.png")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        z.writestr(info, "/etc/passwd")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.png", b"\0" * (50 << 20))
    assert len(bomb.getvalue()) < 200_000
    truncated = archive([("a.png", png()), ("b.png", png(9, 9))])[:-30]
    for name, data in [("zip-slip", slip), ("absolute", absolute), ("symlink", link.getvalue()), ("bomb", bomb.getvalue()),
                       ("truncated", truncated), ("not a zip", b"definitely not a zip")]:
        response = upload(server, key, project_id, data)
        assert response.status_code == 422, name
        assert response.json()["error"]["code"] == "VALIDATION_ERROR", name
    assert requests.get(server.url + f"/api/datasets/{project_id}/imports", headers=auth(key)).json()["data"] == []
    assert requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["image_count"] == 0


def test_a_zip_of_no_images_imports_nothing_and_says_why(server):
    key = server.create_account("empty")
    project_id = project(server, key)
    job = finished(server, key, project_id, upload(server, key, project_id, archive([("notes.txt", b"x"), ("docs/", b"")])).json()["data"])
    assert job["status"] == "done" and job["imported"] == 0 and job["dataset_id"] is None
    assert [s["name"] for s in job["skipped"]] == ["notes.txt"]


def test_local_imports_stay_inside_the_import_root(make_server):
    root = tempfile.mkdtemp(prefix="quarry-import-root-")
    outside = tempfile.mkdtemp(prefix="quarry-outside-")
    for folder, data in [("set/bird", png(11, 11)), ("set/fish", jpeg(12, 12))]:
        os.makedirs(os.path.join(root, folder))
        with open(os.path.join(root, folder, "a" + (".png" if "bird" in folder else ".jpg")), "wb") as f:
            f.write(data)
    with open(os.path.join(outside, "secret.png"), "wb") as f:
        f.write(png(13, 13))
    os.symlink(os.path.join(outside, "secret.png"), os.path.join(root, "set", "bird", "link.png"))
    os.symlink(outside, os.path.join(root, "escape"))

    server = make_server(QUARRY_IMPORT_ROOT=root)
    key = server.create_account("local")
    project_id = project(server, key)
    started = requests.post(server.url + f"/api/datasets/{project_id}/import/local", json={"path": "set"}, headers=auth(key))
    assert started.status_code == 202, started.text
    job = finished(server, key, project_id, started.json()["data"])
    assert job["status"] == "done" and job["imported"] == 2
    assert job["skipped"] == [{"name": "bird/link.png", "reason": "a symbolic link (not followed)"}]
    classes = requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["classes"]
    assert classes == [{"name": "bird", "count": 1}, {"name": "fish", "count": 1}]
    for path in ["../", outside, "escape", "set/../../"]:
        refused = requests.post(server.url + f"/api/datasets/{project_id}/import/local", json={"path": path}, headers=auth(key))
        assert refused.status_code == 403, path
    assert requests.post(server.url + f"/api/datasets/{project_id}/import/local", json={"path": "nope"}, headers=auth(key)).status_code == 404

    disabled = make_server()
    other = disabled.create_account("off")
    response = requests.post(disabled.url + f"/api/datasets/{project(disabled, other)}/import/local", json={"path": "set"}, headers=auth(other))
    assert response.status_code == 403 and "QUARRY_IMPORT_ROOT" in response.json()["error"]["message"]


def test_a_coco_layout_brings_its_boxes_and_polygons(server):
    import json
    key = server.create_account("coco")
    project_id = project(server, key)
    coco = {"images": [{"id": 1, "file_name": "images/street.jpg", "width": 64, "height": 48},
                       {"id": 2, "file_name": "park.png", "width": 30, "height": 20}],
            "categories": [{"id": 7, "name": "car"}, {"id": 8, "name": "lake"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [4, 5, 20, 10], "iscrowd": 0},
                            {"id": 2, "image_id": 2, "category_id": 8, "segmentation": [[1, 1, 20, 2, 10, 15]], "bbox": [1, 1, 19, 14]},
                            {"id": 3, "image_id": 1, "category_id": 7, "segmentation": {"counts": "abc", "size": [48, 64]}, "iscrowd": 1},
                            {"id": 4, "image_id": 1, "category_id": 7, "bbox": [60, 40, 30, 30]}]}
    data = archive([("ds/annotations.json", json.dumps(coco).encode()), ("ds/images/street.jpg", jpeg(64, 48)),
                    ("ds/images/park.png", png(30, 20))])
    job = finished(server, key, project_id, upload(server, key, project_id, data).json()["data"])
    assert job["status"] == "done" and job["imported"] == 2 and job["skipped"] == []
    images = {i["original_name"]: i for i in requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key)).json()["data"]["images"]}
    street = requests.get(server.url + images["street.jpg"]["url"] + "/info", headers=auth(key)).json()["data"]["labels"]
    # The crowd mask is skipped, and the box hanging off the image is left out as undrawable.
    assert street == [{"label": "car", "type": "bounding_box", "bbox": [4, 5, 20, 10]}]
    park = requests.get(server.url + images["park.png"]["url"] + "/info", headers=auth(key)).json()["data"]["labels"]
    assert park == [{"label": "lake", "type": "polygon", "points": [[1, 1], [20, 2], [10, 15]]}]
    classes = requests.get(server.url + f"/api/projects/{project_id}", headers=auth(key)).json()["data"]["classes"]
    assert classes == [{"name": "car", "type": "bounding_box"}, {"name": "lake", "type": "polygon"}]


def test_a_yolo_layout_brings_its_labels_in_pixels(make_server):
    root = tempfile.mkdtemp(prefix="quarry-yolo-")
    os.makedirs(os.path.join(root, "set", "images"))
    os.makedirs(os.path.join(root, "set", "labels"))
    with open(os.path.join(root, "set", "data.yaml"), "w") as f:
        f.write("path: .\ntrain: images\nnames:\n  0: car\n  1: person\n")
    with open(os.path.join(root, "set", "images", "a.jpg"), "wb") as f:
        f.write(jpeg(100, 50))
    with open(os.path.join(root, "set", "labels", "a.txt"), "w") as f:
        f.write("0 0.5 0.5 0.2 0.4\n1 0.1 0.1 0.5 0.1 0.3 0.9\nnot a label\n")
    server = make_server(QUARRY_IMPORT_ROOT=root)
    key = server.create_account("yolo")
    project_id = project(server, key)
    started = requests.post(server.url + f"/api/datasets/{project_id}/import/local", json={"path": "set"}, headers=auth(key))
    job = finished(server, key, project_id, started.json()["data"])
    assert job["imported"] == 1, job
    image = requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key)).json()["data"]["images"][0]
    labels = requests.get(server.url + image["url"] + "/info", headers=auth(key)).json()["data"]["labels"]
    assert labels == [{"label": "car", "type": "bounding_box", "bbox": [40, 15, 20, 20]},
                      {"label": "person", "type": "polygon", "points": [[10, 5], [50, 5], [30, 45]]}]


def test_the_spec_fields_name_the_folder_and_the_layout(make_server):
    """studio-api-related.md: local imports take `source_path` and `format`, uploads a `format` field;
    a CSV names each image's class; a layout the files do not fit fails the import saying why."""
    root = tempfile.mkdtemp(prefix="quarry-import-root-")
    os.makedirs(os.path.join(root, "table", "pics"))
    for name, seed in [("a.png", 21), ("b.png", 22), ("c.png", 23)]:
        with open(os.path.join(root, "table", "pics", name), "wb") as f:
            f.write(png(seed, seed))
    with open(os.path.join(root, "table", "classes.csv"), "w") as f:
        f.write('filename,label\npics/a.png,cat\nb.png,"dog"\n')
    server = make_server(QUARRY_IMPORT_ROOT=root)
    key = server.create_account("spec-fields")
    project_id = project(server, key)
    url = server.url + f"/api/datasets/{project_id}/import/local"
    started = requests.post(url, json={"source_path": "table", "format": "csv"}, headers=auth(key))
    assert started.status_code == 202, started.text
    job = finished(server, key, project_id, started.json()["data"])
    assert job["status"] == "done" and job["imported"] == 3, job
    classes = requests.get(server.url + f"/api/datasets/{project_id}", headers=auth(key)).json()["data"]["classes"]
    assert classes == [{"name": "cat", "count": 1}, {"name": "dog", "count": 1}]

    wrong = requests.post(url, json={"source_path": "table", "format": "yolo"}, headers=auth(key))
    failed = finished(server, key, project_id, wrong.json()["data"])
    assert failed["status"] == "failed" and "yolo" in failed["error"] and "images/ and labels/" in failed["error"]
    for body, field in [({"source_path": "table", "format": "parquet"}, "format"), ({"format": "csv"}, "source_path"),
                        ({"source_path": "table", "path": "other"}, "path")]:
        refused = requests.post(url, json=body, headers=auth(key))
        error = refused.json()["error"]
        assert refused.status_code == 422 and error["code"] == "VALIDATION_ERROR" and error["details"]["field"] == field, (body, refused.text)

    zipped = archive([("classes.csv", "image,class\n1.png,red\n"), ("1.png", png(31, 31)), ("2.png", png(32, 32))])
    uploaded = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("data.zip", zipped)},
                             data={"format": "CSV"}, headers=auth(key))
    assert uploaded.status_code == 202, uploaded.text
    assert finished(server, key, project_id, uploaded.json()["data"])["imported"] == 2
    as_folders = requests.post(server.url + f"/api/datasets/{project_id}/import/upload?format=coco", data=zipped,
                               headers={**auth(key), "Content-Type": "application/zip"})
    assert finished(server, key, project_id, as_folders.json()["data"])["status"] == "failed"
