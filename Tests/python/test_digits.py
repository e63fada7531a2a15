"""The closed loop on real data no one here made: scikit-learn's 8×8 digits (1,797 images), exported to
PNG, imported through the API, split 80/10/10 with a seed, and trained through the API with the
small CNN and the scripted experiment body. The held-out test subset must reach 97% accuracy."""
import io
import time
import zipfile

import numpy
import requests
from PIL import Image
from sklearn.datasets import load_digits

from hitl_support import wait_for


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def digits_zip():
    digits = load_digits()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for index, (image, label) in enumerate(zip(digits.images, digits.target)):
            pixels = (image * (255 / 16)).clip(0, 255).astype(numpy.uint8)
            buffer = io.BytesIO()
            Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
            z.writestr(f"digits/{label}/{index:04}.png", buffer.getvalue())
    return out.getvalue()


def test_digits_reach_97_percent(server):
    key = server.create_account("digits")
    project_id = requests.post(server.url + "/api/projects", json={"name": "digits"}, headers=auth(key)).json()["data"]["id"]
    job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("digits.zip", digits_zip())},
                        headers=auth(key)).json()["data"]
    job = wait_for(lambda: (lambda j: j if j["status"] == "done" else None)(
        requests.get(server.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]), timeout=120)
    assert job["imported"] + len(job["duplicates"]) == 1797
    requests.post(server.url + f"/api/splits/{project_id}", json={"name": "80-10-10", "ratios": {"train": 0.8, "val": 0.1, "test": 0.1},
                                                                 "seed": 42}, headers=auth(key))
    body = {"name": "digits-cnn", "split_index": 0, "model": "small_cnn", "image_size": 16, "epochs": 15, "batch_size": 64,
            "optimizer": {"name": "adamw", "lr": 0.002, "weight_decay": 0.0001}, "scheduler": {"name": "cosine", "warmup_epochs": 1},
            "augmentations": {"hflip": False}, "device": "cpu", "seed": 0, "val_subset": "test"}
    exp_id = requests.post(server.url + f"/api/training/{project_id}/experiments", json=body, headers=auth(key)).json()["data"]["id"]
    started = time.time()
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    run = wait_for(lambda: (lambda r: r if r["status"] not in ("pending", "running") else None)(
        requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).json()["data"]), timeout=600)
    elapsed = time.time() - started
    assert run["status"] == "completed", run
    accuracy = run["metrics"][-1]["val_accuracy"]
    print(f"digits: test accuracy {accuracy:.4f} in {elapsed:.0f} s")
    assert accuracy >= 0.97, run["metrics"]
