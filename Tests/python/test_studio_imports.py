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
        assert response.status_code == 400, name
        assert response.json()["error"]["code"] == "bad_request", name
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
