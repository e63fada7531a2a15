"""Imaging: importing a ZIP of 2,000 small JPEGs (checked, hashed, stored, thumbnailed, committed)
through the Studio API, beside Pillow decoding and thumbnailing the same files on every core."""
import io
import multiprocessing
import os
import random
import shutil
import subprocess
import tempfile
import time
import zipfile

import requests
from PIL import Image

from figure import Figure
from http_bench import QUARRY, free_port, wait_for_port

COUNT = int(os.environ.get("BENCH_IMPORT_COUNT", "2000"))


def make_jpegs(count):
    """Small photos with texture (flat colour would flatter every codec)."""
    rng = random.Random(0)
    images = []
    base = Image.effect_noise((320, 240), 64).convert("RGB")
    for i in range(count):
        tinted = Image.blend(base, Image.new("RGB", base.size, (rng.randrange(256), rng.randrange(256), rng.randrange(256))), 0.5)
        out = io.BytesIO()
        tinted.rotate(i % 360).save(out, format="JPEG", quality=85)
        images.append(out.getvalue())
    return images


def pillow_thumbnail(data):
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (256, 256))
        image = image.convert("RGB")
        image.thumbnail((256, 256))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
    return len(out.getvalue())


def measure_pillow(images):
    with multiprocessing.Pool(os.cpu_count()) as pool:
        pool.map(pillow_thumbnail, images[:50])
        started = time.perf_counter()
        pool.map(pillow_thumbnail, images, chunksize=50)
        return len(images) / (time.perf_counter() - started)


def measure_quarry(work, archive):
    port = free_port()
    env = dict(os.environ, QUARRY_DATA_DIR=os.path.join(work, "data"), QUARRY_PORT=str(port), QUARRY_ACCESS_LOG="0")
    created = subprocess.run([QUARRY, "admin", "account", "create", "bench"], env=env, capture_output=True, text=True, check=True)
    key = created.stdout.strip().splitlines()[-1]
    server = subprocess.Popen([QUARRY, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}
        project = requests.post(url + "/api/projects", json={"name": "bench"}, headers=headers).json()["data"]["id"]
        started = time.perf_counter()
        job = requests.post(url + f"/api/datasets/{project}/import/upload", data=archive,
                            headers={**headers, "Content-Type": "application/zip"}).json()["data"]
        while job["status"] not in ("done", "failed"):
            time.sleep(0.02)
            job = requests.get(url + f"/api/datasets/{project}/imports/{job['id']}", headers=headers).json()["data"]
        elapsed = time.perf_counter() - started
        if job["status"] != "done" or job["imported"] != len(archive_names(archive)):
            raise RuntimeError(f"import did not complete: {job}")
        return job["imported"] / elapsed
    finally:
        server.terminate()
        server.wait(timeout=30)


def archive_names(archive):
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return z.namelist()


def run():
    work = tempfile.mkdtemp(prefix="quarry-bench-imaging-")
    try:
        images = make_jpegs(COUNT)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
            for i, data in enumerate(images):
                z.writestr(f"photos/class{i % 10}/{i:05}.jpg", data)
        quarry = measure_quarry(work, out.getvalue())
        pillow = measure_pillow(images)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [Figure("imaging_zip_import_images_per_second", quarry, "images/s", "Pillow decode+thumbnail", pillow, True)]
