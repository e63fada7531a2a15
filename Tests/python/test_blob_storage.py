"""Blobs up to 128 KiB live in the blob store's SQLite database, larger ones as files: both kinds
must download, export and answer with the same headers."""
import io
import os
import zipfile

import requests
from PIL import Image

from images import jpeg

INLINE_LIMIT = 128 * 1024


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def noise_png(width=300, height=200):
    """Random pixels do not compress, so this PNG is larger than the inline limit."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, format="PNG")
    return out.getvalue()


def test_small_and_large_images_download_and_export_byte_for_byte(server):
    key = server.create_account("blobs")
    small, large = jpeg(64, 48), noise_png()
    assert len(small) <= INLINE_LIMIT < len(large)
    requests.post(server.url + "/create_project/", json={"project_title": "Kinds", "project_category": "x"}, headers=auth(key))
    created = requests.post(server.url + "/create_dataset/", data={"dataset_name": "D", "project_name": "Kinds"},
                            files=[("images", ("small.jpg", small)), ("images", ("large.png", large))], headers=auth(key))
    assert created.status_code == 201, created.text
    on_disk = [name for name in server.blobs() if os.path.exists(os.path.join(server.data, "blobs", name[:2], name[2:4], name))]
    assert len(server.blobs()) == 2 and len(on_disk) == 1

    project_id = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"][0]["id"]
    listed = requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key)).json()["data"]["images"]
    uploads = {"small.jpg": (small, "image/jpeg"), "large.png": (large, "image/png")}
    answers = []
    for image in listed:
        content, content_type = uploads[image["original_name"]]
        answer = requests.get(server.url + image["url"], headers=auth(key))
        assert answer.status_code == 200 and answer.content == content
        assert answer.headers["Content-Type"] == content_type and answer.headers["Content-Length"] == str(len(content))
        answers.append(answer)
    assert answers[0].headers["Cache-Control"] == answers[1].headers["Cache-Control"]

    archive = requests.get(server.url + "/api/export/download", params={"key": key, "project_title": "Kinds"})
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        exported = sorted(z.read(name) for name in z.namelist() if name.startswith("images/"))
    assert exported == sorted([small, large])
