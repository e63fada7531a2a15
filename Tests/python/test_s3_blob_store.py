"""Blobs in an S3-compatible bucket (QUARRY_BLOB_STORE=s3://bucket/prefix), end to end against the real
binary and a real SeaweedFS: uploads land in the bucket under their SHA-256, images are served by Quarry
from its checked local copy, attachment downloads are 302s to presigned URLs that work with no
credentials, local copies are fetched back (and checked) when lost, and a bucket Quarry cannot use stops
`quarry serve` at start-up with the problem named. SeaweedFS missing is a failure, never a skip."""
import hashlib
import io
import json
import os
import shutil
import subprocess
import time
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from PIL import Image
from jtheta import JThetaClient

from conftest import ADMIN_KEY, BINARY
from hitl_support import FAST, PDF, active_project, create_job, key_header, wait_for
from images import jpeg, png
from seaweedfs import BUCKET


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def noise_png(width, height, seed):
    """Pseudo-random pixels (from `seed`, so each call's bytes are its own) do not compress: a PNG
    about width * height * 3 bytes."""
    pixels = b"".join(hashlib.sha256(b"%d-%d" % (seed, i)).digest() for i in range(width * height * 3 // 32 + 1))
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels[:width * height * 3]).save(out, format="PNG")
    return out.getvalue()


def upload_dataset(server, key, project, uploads):
    """A JTheta project with one dataset of `uploads` (name -> bytes); returns the images as listed."""
    made = requests.post(server.url + "/create_project/", json={"project_title": project, "project_category": "x"}, headers=auth(key))
    assert made.status_code == 201, made.text
    created = requests.post(server.url + "/create_dataset/", data={"dataset_name": "D", "project_name": project},
                            files=[("images", (name, data)) for name, data in uploads.items()], headers=auth(key))
    assert created.status_code == 201, created.text
    (project,) = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"]
    project_id = project["id"]
    listed = requests.get(server.url + f"/api/datasets/{project_id}/images", headers=auth(key))
    assert listed.status_code == 200, listed.text
    images = listed.json()["data"]["images"]
    assert sorted(i["original_name"] for i in images) == sorted(uploads)
    return images


def assert_images_served(server, key, images, uploads):
    """Each image comes from Quarry itself (no redirect), byte for byte."""
    for image in images:
        answer = requests.get(server.url + image["url"], headers=auth(key), allow_redirects=False)
        assert answer.status_code == 200, (image, answer.status_code, answer.text[:300])
        assert answer.content == uploads[image["original_name"]]
        assert answer.headers["Content-Length"] == str(len(answer.content))


def follow_to_bucket(seaweed, response, prefix):
    """`response` is a 302 to a presigned URL of the bucket: the URL, checked to name the object by its key."""
    assert response.status_code == 302, (response.status_code, response.text[:300])
    assert response.headers["Cache-Control"] == "private, no-store"
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == seaweed.endpoint, location
    assert parts.path.startswith(f"/{BUCKET}/{prefix}/"), location
    query = parse_qs(parts.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Signature"], location
    assert query["X-Amz-Expires"] == ["900"], location
    return location


def fetch_presigned(seaweed, location):
    """GET with no credentials at all; the object's key is the SHA-256 of what comes back."""
    fetched = requests.get(location, allow_redirects=False)
    assert fetched.status_code == 200, (fetched.status_code, fetched.text[:300])
    assert urlsplit(location).path.rsplit("/", 1)[1] == sha256(fetched.content)
    # The signature covers the URL: any change is refused by the store.
    forged = location.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert requests.get(forged).status_code == 403
    return fetched


def exported_images(archive):
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert z.testzip() is None
        return sorted(z.read(name) for name in z.namelist() if name.startswith("images/"))


def export_through_bucket(server, seaweed, key, prefix, **params):
    """`/api/export/download` -> 302 to Quarry's signed link -> 302 to the bucket -> the ZIP."""
    first = requests.get(server.url + "/api/export/download", params={"key": key, **params}, allow_redirects=False)
    assert first.status_code == 302, first.text
    link = first.headers["Location"]
    assert link.startswith(server.url + "/downloads/"), link
    second = requests.get(link, allow_redirects=False)
    location = follow_to_bucket(seaweed, second, prefix)
    archive = fetch_presigned(seaweed, location)
    assert archive.content[:2] == b"PK"
    return location, archive


def test_blobs_live_in_the_bucket_images_are_served_and_exports_redirect_to_it(seaweed, make_server, tmp_path):
    prefix = "quarry-e2e"
    data = str(tmp_path / "data")
    server = make_server(data=data, **seaweed.settings(prefix))
    key = server.create_account("s3-user")
    # Small ones, and one over 1 MiB (the store asks whether the object exists before it puts it).
    uploads = {"red.png": png(64, 48), "blue.jpg": jpeg(40, 30), "noise.png": noise_png(700, 600, seed=1)}
    assert len(uploads["noise.png"]) > 1 << 20
    images = upload_dataset(server, key, "Bucketed", uploads)

    objects = seaweed.keys(prefix + "/")
    for data_bytes in uploads.values():
        assert objects.get(f"{prefix}/{sha256(data_bytes)}") == len(data_bytes), sorted(objects)
    assert all(name.startswith(prefix + "/") and len(name) == len(prefix) + 1 + 64 for name in objects), sorted(objects)

    assert_images_served(server, key, images, uploads)

    location, archive = export_through_bucket(server, seaweed, key, prefix, project_title="Bucketed")
    assert exported_images(archive.content) == sorted(uploads.values())
    assert archive.headers["Content-Type"] == "application/zip"
    assert archive.headers["Content-Disposition"].startswith("attachment")
    assert f"{prefix}/{sha256(archive.content)}" in seaweed.keys(prefix + "/")
    # Other formats the same way, with requests following both redirects as any client would.
    for fmt in ["yolo", "csv"]:
        other = requests.get(server.url + "/api/export/download", params={"key": key, "format": fmt})
        assert other.status_code == 200 and [r.status_code for r in other.history] == [302, 302]
        assert other.url.startswith(seaweed.endpoint) and exported_images(other.content) == sorted(uploads.values())

    assert not os.path.exists(os.path.join(data, "blobs"))
    assert os.path.isdir(os.path.join(data, "blob-cache"))
    assert os.path.isdir(os.path.join(data, "blob-cache", "cache"))
    # Uploads pass through the spool and leave nothing there.
    assert os.listdir(os.path.join(data, "blob-cache", "tmp")) == []


def test_images_are_fetched_back_from_the_bucket_and_checked_when_the_local_copies_are_gone(seaweed, make_server, tmp_path):
    prefix = "quarry-e2e-restart"
    data = str(tmp_path / "data")
    settings = seaweed.settings(prefix)
    uploads = {"green.png": png(30, 20, (10, 200, 10)), "grey.jpg": jpeg(24, 16, (90, 90, 90)),
               "noise.png": noise_png(200, 150, seed=2)}
    first = make_server(data=data, **settings)
    key = first.create_account("restarts")
    images = upload_dataset(first, key, "Restarted", uploads)
    assert_images_served(first, key, images, uploads)
    first.stop()

    cache = os.path.join(data, "blob-cache", "cache")
    shutil.rmtree(cache)
    second = make_server(data=data, **settings)
    assert_images_served(second, key, images, uploads)
    # The copies were made again, from the bucket.
    for content in uploads.values():
        with open(os.path.join(cache, sha256(content)[:2], sha256(content)), "rb") as f:
            assert f.read() == content
    # An export made now reads every image back through the store.
    _, archive = export_through_bucket(second, seaweed, key, prefix, project_title="Restarted", format="voc")
    assert exported_images(archive.content) == sorted(uploads.values())
    second.stop()

    # An object that no longer holds its blob's bytes is never served as that blob.
    damaged = next(i for i in images if i["original_name"] == "green.png")
    seaweed.put(f"{prefix}/{sha256(uploads['green.png'])}", b"not the image that was uploaded")
    shutil.rmtree(cache)
    third = make_server(data=data, **settings)
    refused = requests.get(third.url + damaged["url"], headers=auth(key))
    assert refused.status_code >= 500, (refused.status_code, refused.text[:300])
    assert refused.content != b"not the image that was uploaded"
    assert any(f"blob {sha256(uploads['green.png'])} as the store answered it hashes to" in line for line in third.log), third.log
    intact = [i for i in images if i is not damaged]
    assert_images_served(third, key, intact, uploads)


def test_a_deleted_projects_images_are_collected_from_the_bucket_and_shared_ones_kept(seaweed, make_server, tmp_path):
    prefix = "quarry-e2e-collect"
    data = str(tmp_path / "data")
    server = make_server(data=data, QUARRY_BLOB_GRACE="0", **seaweed.settings(prefix))
    key = server.create_account("collector")
    only, shared = png(30, 30, (9, 9, 9)), png(20, 20, (1, 2, 3))
    upload_dataset(server, key, "Old", {"only-here.png": only, "shared.png": shared})
    made = requests.post(server.url + "/create_project/", json={"project_title": "Keeper"}, headers=auth(key))
    assert made.status_code == 201, made.text
    kept = requests.post(server.url + "/create_dataset/", data={"dataset_name": "K", "project_name": "Keeper"},
                         files=[("images", ("shared.png", shared))], headers=auth(key))
    assert kept.status_code == 201, kept.text
    assert set(seaweed.keys(prefix + "/")) == {f"{prefix}/{sha256(only)}", f"{prefix}/{sha256(shared)}"}

    deleted = requests.post(server.url + "/delete_project/", json={"project_title": "Old"}, headers=auth(key))
    assert deleted.status_code == 200, deleted.text
    # Collected in the background: the object only that project used goes, and its local copy with it.
    wait_for(lambda: set(seaweed.keys(prefix + "/")) == {f"{prefix}/{sha256(shared)}"})
    cache = os.path.join(data, "blob-cache", "cache")
    wait_for(lambda: not os.path.exists(os.path.join(cache, sha256(only)[:2], sha256(only))))
    (project,) = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"]
    (image,) = requests.get(server.url + f"/api/datasets/{project['id']}/images", headers=auth(key)).json()["data"]["images"]
    assert_images_served(server, key, [image], {"shared.png": shared})
    # Served from the bucket too, not only from the local copy.
    server.stop()
    shutil.rmtree(cache)
    again = make_server(data=data, QUARRY_BLOB_GRACE="0", **seaweed.settings(prefix))
    assert_images_served(again, key, [image], {"shared.png": shared})


def test_hitl_job_files_download_from_the_bucket_and_their_images_from_quarry(seaweed, make_server, site):
    prefix = "quarry-e2e-hitl"
    server = make_server(**FAST, **seaweed.settings(prefix))
    key = server.create_account("hitl-s3")
    project_id, annotator, _ = active_project(server, site, key)
    scan = jpeg(20, 10, (200, 100, 0))
    # Over the store's 16 MiB part size: uploaded to the bucket in parts.
    big_pdf = PDF[:-6] + b"%" + os.urandom(17 << 20).hex().encode()[:17 << 20] + b"\n%%EOF\n"
    site.files["/scan.jpg"] = (scan, "image/jpeg")
    site.files["/form.pdf"] = (big_pdf, "application/pdf")
    job_id = create_job(server, site, key, project_id, file_urls=[site.url + "/scan.jpg", site.url + "/form.pdf"])
    objects = seaweed.keys(prefix + "/")
    assert objects.get(f"{prefix}/{sha256(big_pdf)}") == len(big_pdf) and objects.get(f"{prefix}/{sha256(scan)}") == len(scan)
    # A multipart upload's ETag is its parts' digest and their count.
    assert seaweed.request("HEAD", f"{prefix}/{sha256(big_pdf)}").headers["ETag"].strip('"').endswith("-2")

    status = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    for url, content, content_type in [(status["image"], scan, "image/jpeg"),
                                       (server.url + f"/v1/jobs/{project_id}/{job_id}/files/1", big_pdf, "application/pdf")]:
        assert requests.get(url, allow_redirects=False).status_code == 401
        redirect = requests.get(url, headers=key_header(key), allow_redirects=False)
        fetched = fetch_presigned(seaweed, follow_to_bucket(seaweed, redirect, prefix))
        assert fetched.content == content
        assert fetched.headers["Content-Type"] == content_type
        assert fetched.headers["Content-Disposition"].startswith("attachment")

    # The worker sees the image itself, served by Quarry.
    task = requests.get(server.url + f"/worker/tasks/{job_id}", headers=auth(annotator)).json()
    image = requests.get(server.url + task["images"][0]["url"], headers=auth(annotator), allow_redirects=False)
    assert image.status_code == 200 and image.content == scan


def test_the_jtheta_sdk_downloads_an_export_from_the_bucket(seaweed, make_server, tmp_path):
    prefix = "quarry-e2e-sdk"
    server = make_server(**seaweed.settings(prefix))
    client = JThetaClient(api_key=server.create_account("sdk-s3"), base_url=server.url + "/api")
    assert client.create_project("SDK S3", "Testing")["project_title"] == "SDK S3"
    uploads = {"a.png": png(20, 10, (1, 2, 3)), "b.jpg": jpeg(12, 8, (4, 5, 6))}
    paths = []
    for name, content in uploads.items():
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    dataset = client.create_dataset("SDK S3 Data", "CC0", "SDK S3", paths)
    assert dataset["image_count"] == 2
    assert {f"{prefix}/{sha256(b)}" for b in uploads.values()} <= set(seaweed.keys(prefix + "/"))

    export = client.download_dataset(str(dataset["dataset_id"]), "coco", "1.0")
    archive = requests.get(export["download_url"])
    assert archive.status_code == 200 and [r.status_code for r in archive.history] == [302]
    assert archive.history[0].url == export["download_url"] and archive.url.startswith(seaweed.endpoint + f"/{BUCKET}/{prefix}/")
    assert archive.headers["Content-Type"] == "application/zip"
    assert exported_images(archive.content) == sorted(uploads.values())
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert len(json.loads(z.read("annotations.json"))["images"]) == 2


def run_serve(tmp_path, settings, timeout=30):
    """`quarry serve` that is expected to stop: its exit status, stderr and how long it ran."""
    data = tmp_path / f"data-{len(list(tmp_path.iterdir()))}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARRY_BLOB_STORE", "QUARRY_S3_"))}
    env.update(QUARRY_ADMIN_KEY=ADMIN_KEY, QUARRY_DATA_DIR=str(data), **settings)
    started = time.monotonic()
    try:
        done = subprocess.run([BINARY, "serve", "--port", "0"], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"quarry serve was still running after {timeout} s; stderr: {expired.stderr!r}")
    return done.returncode, done.stderr, time.monotonic() - started


@pytest.mark.parametrize("change, code, hint", [
    ({"QUARRY_S3_SECRET_ACCESS_KEY": "not-the-secret"}, "SignatureDoesNotMatch", "check QUARRY_S3_SECRET_ACCESS_KEY"),
    ({"QUARRY_S3_ACCESS_KEY_ID": "NOTTHEACCESSKEY"}, "InvalidAccessKeyId", "check QUARRY_S3_ACCESS_KEY_ID"),
    ({"QUARRY_BLOB_STORE": "s3://no-such-bucket/quarry-e2e"}, "NoSuchBucket", "create the bucket, or check QUARRY_BLOB_STORE"),
], ids=["wrong-secret", "wrong-access-key", "missing-bucket"])
def test_a_bucket_quarry_cannot_use_stops_serve_at_start_up(seaweed, tmp_path, change, code, hint):
    status, stderr, seconds = run_serve(tmp_path, seaweed.settings("quarry-e2e", **change))
    assert status != 0 and seconds < 10, (status, seconds, stderr)
    assert code in stderr and hint in stderr, stderr
    assert "listening on" not in stderr


def test_blob_store_settings_are_checked_before_anything_starts(tmp_path):
    status, stderr, _ = run_serve(tmp_path, {"QUARRY_BLOB_STORE": "s3://bucket"})
    assert status != 0 and "QUARRY_S3_ACCESS_KEY_ID" in stderr and "QUARRY_S3_SECRET_ACCESS_KEY" in stderr, stderr
    status, stderr, _ = run_serve(tmp_path, {"QUARRY_BLOB_STORE": "s3://bucket", "QUARRY_S3_SECRET_ACCESS_KEY": "x"})
    assert status != 0 and "QUARRY_S3_ACCESS_KEY_ID" in stderr and "QUARRY_S3_SECRET_ACCESS_KEY" not in stderr, stderr
    status, stderr, _ = run_serve(tmp_path, {"QUARRY_BLOB_STORE": "file:///x"})
    assert status != 0 and "QUARRY_BLOB_STORE" in stderr and "file:///x" in stderr and "s3://bucket" in stderr, stderr
    status, stderr, _ = run_serve(tmp_path, {"QUARRY_S3_ACCESS_KEY_ID": "k"})
    assert status != 0 and "QUARRY_BLOB_STORE is not" in stderr, stderr
