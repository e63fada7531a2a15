"""Model export through the Studio API: a small CNN trained here, exported as ONNX at two opsets,
with and without simplification, judged by onnx.checker, run by onnxruntime on the project's own
images to the same predictions and confidences as Quarry's evaluation; the checkpoint format; errors."""
import io
import json

import numpy as np
import onnx
import onnxruntime as ort
import requests
from PIL import Image

from hitl_support import wait_for
from test_studio_runs import auth, colour_project, experiment, trained
from test_studio_evaluation import all_results, evaluated


def exported(server, key, project_id, body):
    response = requests.post(server.url + f"/api/export/{project_id}", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    url = server.url + f"/api/export/{project_id}/{response.json()['data']['export_id']}"
    return wait_for(lambda: (lambda e: e if e["status"] not in ("pending", "running") else None)(
        requests.get(url, headers=auth(key)).json()["data"]), timeout=120)


def test_formats_are_listed_with_their_options(server):
    key = server.create_account("formats")
    formats = {f["format"]: f for f in requests.get(server.url + "/api/export/formats", headers=auth(key)).json()["data"]}
    assert set(formats) == {"onnx", "quarry", "pytorch", "safetensors"}
    assert set(formats["onnx"]["options"]) == {"opset_version", "input_shape", "dynamic_axes", "simplify"}
    assert formats["pytorch"]["file_extension"] == "pth" and formats["safetensors"]["options"] == {}
    assert "13 to 17" in formats["onnx"]["options"]["opset_version"]["description"]


def test_onnx_exports_run_in_onnxruntime_as_quarry_evaluates(server):
    key = server.create_account("export")
    project_id = colour_project(server, key)
    exp_id, run_id = trained(server, key, project_id)
    evaluation_id = requests.post(server.url + f"/api/evaluation/{project_id}",
                                  json={"experiment_id": exp_id, "run_id": run_id, "split_subset": "train"}, headers=auth(key)).json()["data"]["eval_id"]
    assert evaluated(server, key, project_id, evaluation_id)["status"] == "completed"
    ours = all_results(server, key, project_id, evaluation_id)["results"]
    mean, std = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)
    pixels = []
    for row in ours:
        data = requests.get(server.url + f"/api/datasets/{project_id}/images/{row['filename']}", headers=auth(key)).content
        image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float32) / 255
        pixels.append(((image - mean) / std).transpose(2, 0, 1))
    batch = np.stack(pixels).astype(np.float32)
    for opset, simplify, axes in [(13, True, {"input": {"0": "n"}, "output": {"0": "n"}}), (17, False, None)]:
        options = {"opset_version": opset, "simplify": simplify, **({"dynamic_axes": axes} if axes else {"input_shape": [len(ours), 3, 8, 8]})}
        export = exported(server, key, project_id, {"experiment_id": exp_id, "run_id": run_id, "format": "onnx", "options": options})
        assert export["status"] == "completed", export
        download = requests.get(server.url + export["download_url"], headers=auth(key))
        assert download.status_code == 200 and len(download.content) == export["size"]
        assert f'filename="{export["file_name"]}"' in download.headers["Content-Disposition"] and export["file_name"].endswith(".onnx")
        model = onnx.load_from_string(download.content)
        onnx.checker.check_model(model, full_check=True)
        assert model.opset_import[0].version == opset
        metadata = {p.key: p.value for p in model.metadata_props}
        assert json.loads(metadata["classes"]) == ["blue", "red"] and metadata["input_size"] == "8"
        assert json.loads(metadata["normalization"]) == {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
        ops = {node.op_type for node in model.graph.node}
        assert ("BatchNormalization" in ops) != simplify and ("Dropout" in ops) != simplify
        session = ort.InferenceSession(download.content, providers=["CPUExecutionProvider"])
        # A symbolic batch takes batches of 1 and 7 and the rest; a fixed one exactly its own.
        inputs = [batch] if not axes else [batch[:1], batch[1:8], batch[8:]]
        logits = np.concatenate([session.run(["output"], {"input": x})[0] for x in inputs])
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        for row, p in zip(ours, probabilities):
            assert ["blue", "red"][int(p.argmax())] == row["prediction"]
            assert abs(float(p.max()) - row["confidence"]) < 1e-4, (row, p)


def test_the_quarry_format_is_the_checkpoint_and_errors_name_the_field(server):
    key = server.create_account("export-errors")
    project_id = colour_project(server, key)
    exp_id, run_id = trained(server, key, project_id)
    checkpoint = exported(server, key, project_id, {"experiment_id": exp_id, "run_id": run_id, "format": "quarry", "checkpoint": "last"})
    assert checkpoint["status"] == "completed" and checkpoint["file_name"].endswith("-last.ckpt") and checkpoint.get("options") is None
    assert len(requests.get(server.url + checkpoint["download_url"], headers=auth(key)).content) == checkpoint["size"] > 0
    url = server.url + f"/api/export/{project_id}"
    good = {"experiment_id": exp_id, "run_id": run_id, "format": "onnx"}
    for body, status, field in [
        ({**good, "options": {"opset_version": 12}}, 422, "options.opset_version"),
        ({**good, "options": {"opset_version": 18}}, 422, "options.opset_version"),
        ({**good, "options": {"opset_version": "17"}}, 422, "options.opset_version"),
        ({**good, "options": {"input_shape": [1, 4, 8, 8]}}, 422, "options.input_shape"),
        ({**good, "options": {"input_shape": [1, 3, 1, 1]}}, 422, "options.input_shape"),
        ({**good, "options": {"input_shape": [1, 3, 8]}}, 422, "options.input_shape"),
        ({**good, "options": {"dynamic_axes": {"input": {"2": "h"}}}}, 422, "options.dynamic_axes.input"),
        ({**good, "options": {"simplify": 1}}, 422, "options.simplify"),
        ({**good, "options": {"quantize": True}}, 422, "options.quantize"),
        ({**good, "format": "tflite"}, 422, "format"),
        ({**good, "format": "torchscript"}, 422, "format"),
        ({**good, "format": "quarry", "options": {"simplify": True}}, 422, "options"),
        ({**good, "checkpoint": "first"}, 422, "checkpoint"),
        ({"experiment_id": exp_id, "run_id": "run-nope"}, 404, "run-nope"),
    ]:
        response = requests.post(url, json=body, headers=auth(key))
        error = response.json()["error"]
        assert response.status_code == status and field in error["message"], (body, response.text)
        # A format Quarry does not make has the spec's own code; other refusals are validation errors naming the field.
        code = "RUN_NOT_FOUND" if status == 404 else "EXPORT_FORMAT_UNAVAILABLE" if field == "format" else "VALIDATION_ERROR"
        assert error["code"] == code and (status == 404 or error["details"]["field"] == field), (body, response.text)
    slow_exp = experiment(server, key, project_id, name="slow", epochs=30)
    slow_run = requests.post(server.url + f"/api/training/{project_id}/experiments/{slow_exp}/run", headers=auth(key)).json()["data"]["run_id"]
    response = requests.post(url, json={"experiment_id": slow_exp, "run_id": slow_run}, headers=auth(key))
    assert response.status_code == 409 and response.json()["error"]["code"] == "CONFLICT", response.text
    requests.post(server.url + f"/api/training/{project_id}/runs/{slow_run}/stop", headers=auth(key))
    listed = requests.get(url, headers=auth(key)).json()["data"]
    assert [e["export_id"] for e in listed] == [checkpoint["export_id"]]
    assert requests.delete(f"{url}/{checkpoint['export_id']}", headers=auth(key)).json()["data"]["deleted"] is True
    assert requests.get(server.url + checkpoint["download_url"], headers=auth(key)).status_code == 404
    stranger = server.create_account("export-stranger")
    assert requests.get(url, headers=auth(stranger)).status_code == 404
