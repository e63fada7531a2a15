"""Issue 21 through the Studio API, with PyTorch as the judge: weights files uploaded, listed and refused; a
run's export as a PyTorch state dict loads into torchvision's network of the same name and gives what Quarry's
own ONNX export gives; and fine-tuning from one's own exported weights beats training from scratch.

The fine-tuning check: scikit-learn's digits 0-4 train a MobileNetV2 from scratch; its export, uploaded as
weights, starts a MobileNetV2 on the digits 5-9 with the backbone frozen for the first epoch; after one epoch it
is ahead of the same run from random weights (figures in docs/training.md)."""
import io
import pickle
import zipfile

import numpy
import pytest
import requests
from PIL import Image
from sklearn.datasets import load_digits

from conftest import Server
from hitl_support import wait_for
from test_studio_imports import auth

torch = pytest.importorskip("torch")
for _name in ("nms", "qnms"):
    # PyPI's torchvision links its C++ operators against CUDA, which the CPU torch lacks; its networks are
    # plain Python and import once the two operator names it checks exist.
    try:
        torch.library.define(f"torchvision::{_name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    except RuntimeError:
        pass
torchvision = pytest.importorskip("torchvision")
onnxruntime = pytest.importorskip("onnxruntime")


def digits_zip(classes):
    digits = load_digits()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index, (image, label) in enumerate(zip(digits.images, digits.target)):
            if label in classes:
                buffer = io.BytesIO()
                Image.fromarray((image * (255 / 16)).clip(0, 255).astype(numpy.uint8), mode="L").save(buffer, format="PNG")
                archive.writestr(f"digits/{label}/{index:04}.png", buffer.getvalue())
    return out.getvalue()


def project_of(server, key, classes):
    """A classification project of the digits `classes`, imported and split 80/20."""
    project_id = requests.post(server.url + "/api/projects", json={"name": f"digits {min(classes)}"}, headers=auth(key)).json()["data"]["id"]
    job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("digits.zip", digits_zip(classes))},
                        headers=auth(key)).json()["data"]
    wait_for(lambda: requests.get(server.url + f"/api/datasets/{project_id}/imports/{job['id']}",
                                  headers=auth(key)).json()["data"]["status"] == "done", timeout=120)
    split = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": 0.8, "val": 0.2, "test": 0},
                                                                         "seed": 3}, headers=auth(key))
    assert split.status_code == 201, split.text
    return project_id


def trained(server, key, project_id, **config):
    body = {"name": f"e{len(config)}", "model": "mobilenet_v2", "image_size": 32, "epochs": 1, "batch_size": 32,
            "optimizer": {"name": "adamw", "lr": 0.003}, "scheduler": {"name": "none"}, "augmentations": {"hflip": False}, "seed": 5}
    body.update(config)
    created = requests.post(server.url + f"/api/training/{project_id}/experiments", json=body, headers=auth(key))
    assert created.status_code == 201, created.text
    exp_id = created.json()["data"]["id"]
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    run = wait_for(lambda: (lambda r: r if r["status"] not in ("pending", "running") else None)(
        requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).json()["data"]), timeout=900)
    assert run["status"] == "completed", run
    return exp_id, run


def exported(server, key, project_id, exp_id, run_id, format):
    created = requests.post(server.url + f"/api/export/{project_id}", headers=auth(key),
                            json={"experiment_id": exp_id, "run_id": run_id, "format": format})
    assert created.status_code == 201, created.text
    export_id = created.json()["data"]["export_id"]
    url = server.url + f"/api/export/{project_id}/{export_id}"
    wait_for(lambda: requests.get(url, headers=auth(key)).json()["data"]["status"] == "completed", timeout=300)
    download = requests.get(url + "/download", headers=auth(key))
    assert download.status_code == 200
    return download.content


def upload(server, key, name, filename, data):
    return requests.post(server.url + "/api/models/weights", files={"file": (filename, data)}, data={"name": name}, headers=auth(key))


@pytest.fixture(scope="module")
def source():
    """(server, key, project, experiment id, run) of a MobileNetV2 trained from scratch on the digits 0-4."""
    server = Server()
    try:
        key = server.create_account("pretrained")
        project_id = project_of(server, key, {0, 1, 2, 3, 4})
        exp_id, run = trained(server, key, project_id, epochs=3)
        yield server, key, project_id, exp_id, run
    finally:
        server.stop()


def test_torchvision_files_are_listed_with_the_network_they_fit(source):
    server, key, _, _, _ = source
    torch.manual_seed(0)
    net = torchvision.models.resnet18()
    buffer = io.BytesIO()
    torch.save(net.state_dict(), buffer)
    response = upload(server, key, "resnet18-random", "resnet18.pth", buffer.getvalue())
    assert response.status_code == 201, response.text
    document = response.json()["data"]
    assert (document["format"], document["model"], document["naming"]) == ("pytorch", "resnet18", "torchvision")
    assert document["tensors"] == len(net.state_dict()) and document["parameters"] == sum(t.numel() for t in net.state_dict().values())
    listed = requests.get(server.url + "/api/models/weights", headers=auth(key)).json()["data"]["weights"]
    assert "resnet18-random" in [w["name"] for w in listed]


class Evil:
    """Its pickle names __main__-less test_pretrained.Evil and os.system through __reduce__: never to be run."""

    def __reduce__(self):
        import os
        return (os.system, ("touch /tmp/quarry-pwned",))


def test_a_pickle_that_names_another_global_is_refused_and_nothing_runs(source):
    server, key, _, _, _ = source
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"weight": Evil()}, protocol=2))
        archive.writestr("archive/version", "3\n")
    response = upload(server, key, "evil", "evil.pth", out.getvalue())
    assert response.status_code == 422, response.text
    assert "posix.system" in response.json()["error"]["message"] or "os.system" in response.json()["error"]["message"]
    listed = requests.get(server.url + "/api/models/weights", headers=auth(key)).json()["data"]["weights"]
    assert "evil" not in [w["name"] for w in listed]
    import os
    assert not os.path.exists("/tmp/quarry-pwned")


@pytest.mark.parametrize("format", ["pytorch", "safetensors"])
def test_a_state_dict_export_loads_into_torchvision_and_agrees_with_the_onnx_export(source, format):
    from safetensors.torch import load as load_safetensors
    server, key, project_id, exp_id, run = source
    data = exported(server, key, project_id, exp_id, run["run_id"], format)
    state = torch.load(io.BytesIO(data), weights_only=True) if format == "pytorch" else load_safetensors(data)
    net = torchvision.models.mobilenet_v2(num_classes=5)
    # The digits train at 32 pixels with CIFAR's stem: MobileNetV2's first convolution at stride 1.
    net.features[0][0].stride = (1, 1)
    net.load_state_dict(state, strict=True)
    net.eval()
    session = onnxruntime.InferenceSession(exported(server, key, project_id, exp_id, run["run_id"], "onnx"))
    x = numpy.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(numpy.float32)
    (expected,) = session.run(None, {"input": x})
    with torch.no_grad():
        ours = net(torch.from_numpy(x)).numpy()
    assert numpy.abs(ours - expected).max() <= 1e-4 * max(1, numpy.abs(expected).max()), (ours, expected)


def test_fine_tuning_from_exported_weights_beats_training_from_scratch(source):
    server, key, project_id, exp_id, run = source
    weights = exported(server, key, project_id, exp_id, run["run_id"], "safetensors")
    response = upload(server, key, "digits-0-4", "digits.safetensors", weights)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["model"] == "mobilenet_v2"
    other = project_of(server, key, {5, 6, 7, 8, 9})
    _, scratch = trained(server, key, other)
    _, tuned = trained(server, key, other, pretrained="digits-0-4", freeze_backbone_epochs=1)
    figures = scratch["metrics"][-1]["val_accuracy"], tuned["metrics"][-1]["val_accuracy"]
    print("digits 5-9 after one epoch: from scratch %.3f, from the digits 0-4's weights %.3f" % figures)
    assert figures[1] > figures[0] + 0.05, figures


def test_pretrained_settings_that_do_not_fit_are_refused_by_name(source):
    server, key, project_id, exp_id, run = source
    base = {"model": "mobilenet_v2", "image_size": 32, "epochs": 2}
    unknown = requests.post(server.url + f"/api/training/{project_id}/experiments", headers=auth(key),
                            json={**base, "name": "unknown", "pretrained": "no-such-weights"})
    assert unknown.status_code == 422 and unknown.json()["error"]["details"]["field"] == "pretrained", unknown.text
    assert "no weights are named no-such-weights" in unknown.json()["error"]["message"]
    # A saved experiment changed to weights of another network: the PATCH is refused and the experiment kept.
    torch.manual_seed(1)
    buffer = io.BytesIO()
    torch.save(torchvision.models.resnet18().state_dict(), buffer)
    assert upload(server, key, "resnet18-other", "resnet18.pth", buffer.getvalue()).status_code == 201
    created = requests.post(server.url + f"/api/training/{project_id}/experiments", headers=auth(key), json={**base, "name": "patched"})
    url = server.url + f"/api/training/{project_id}/experiments/{created.json()['data']['id']}"
    patched = requests.patch(url, headers=auth(key), json={"pretrained": "resnet18-other", "freeze_backbone_epochs": 1})
    assert patched.status_code == 422 and patched.json()["error"]["details"]["field"] == "pretrained", patched.text
    assert "holds resnet18's weights, not mobilenet_v2's" in patched.json()["error"]["message"]
    assert requests.get(url, headers=auth(key)).json()["data"]["config"]["pretrained"] is None
    # A run of a network torchvision has no namesake of cannot be written as its state dict.
    small, small_run = trained(server, key, project_id, model="small_cnn", image_size=16)
    refused = requests.post(server.url + f"/api/export/{project_id}", headers=auth(key),
                            json={"experiment_id": small, "run_id": small_run["run_id"], "format": "safetensors"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "EXPORT_FORMAT_UNAVAILABLE", refused.text
