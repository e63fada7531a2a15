"""Training, evaluation and export on a GPU through the Studio API, against the real binary with the
emulated device (`make emulated-gpu`) in place of NVIDIA's driver and NVML: Quarry loads the committed
PTX through it and the kernels' host build runs each launch. The run trains as the CPU run of the
same experiment does, its evaluation runs on the run's device, and onnxruntime on its export gives the
evaluation's predictions; two GPUs train data-parallel as one does. Then what goes wrong: an absent
GPU, device memory running out, a device lost mid-run."""
import io

import numpy as np
import onnxruntime as ort
import pytest
import requests
from PIL import Image

from conftest import Server
from hitl_support import wait_for
from test_studio_evaluation import all_results, evaluated
from test_prelabeling import colours_prelabeled_through_jtheta
from test_studio_model_export import exported
from test_studio_runs import auth, colour_project, experiment, finished
from emulated_gpu import emulated_gpu

def run(server, key, project_id, exp_id):
    response = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key))
    assert response.status_code == 201, response.text
    return finished(server, key, project_id, response.json()["data"]["run_id"], timeout=300)


def test_the_gpu_is_listed_and_selected_by_default(make_server):
    server = make_server(**emulated_gpu())
    key = server.create_account("devices")
    data = requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]
    assert data["cuda_available"] and data["cuda_version"] == "12.4" and data["default_selected"] == ["gpu:0"]
    gpu = data["devices"][1]
    assert gpu["id"] == "gpu:0" and gpu["name"] == "Quarry Emulated GPU" and gpu["memory_total_mb"] == 256
    assert 0 < gpu["memory_free_mb"] <= 256


def test_a_gpu_run_trains_evaluates_and_exports_as_the_cpu_does(make_server):
    server = make_server(**emulated_gpu())
    key = server.create_account("gpu-run")
    project_id = colour_project(server, key)
    on_gpu = experiment(server, key, project_id, name="gpu", device="gpu:0", optimizer={"name": "sgd", "lr": 0.05, "momentum": 0.9})
    on_cpu = experiment(server, key, project_id, name="cpu", device="cpu", optimizer={"name": "sgd", "lr": 0.05, "momentum": 0.9})
    gpu_run, cpu_run = run(server, key, project_id, on_gpu), run(server, key, project_id, on_cpu)
    assert gpu_run["status"] == "completed" and cpu_run["status"] == "completed", (gpu_run, cpu_run)
    # The same seed, data and steps: the model starts from the same weights and takes the same steps.
    for ours, theirs in zip(gpu_run["metrics"], cpu_run["metrics"]):
        for name in ("train_loss", "val_loss"):
            assert abs(ours[name] - theirs[name]) <= 1e-3 * max(1, abs(theirs[name])), (name, ours, theirs)
        assert ours["val_accuracy"] == theirs["val_accuracy"]
        assert 0 < ours["gpu_memory_mb"] <= ours["gpu_memory_peak_mb"] <= 256 and "gpu_memory_mb" not in theirs

    evaluation = requests.post(server.url + f"/api/evaluation/{project_id}", headers=auth(key),
                               json={"experiment_id": on_gpu, "run_id": gpu_run["run_id"], "split_subset": "train"}).json()["data"]
    assert evaluation["device"] == "gpu:0", evaluation
    assert evaluated(server, key, project_id, evaluation["eval_id"])["status"] == "completed"
    ours = all_results(server, key, project_id, evaluation["eval_id"])["results"]

    export = exported(server, key, project_id, {"experiment_id": on_gpu, "run_id": gpu_run["run_id"], "format": "onnx",
                                                "options": {"dynamic_axes": {"input": {"0": "n"}, "output": {"0": "n"}}}})
    assert export["status"] == "completed", export
    session = ort.InferenceSession(requests.get(server.url + export["download_url"], headers=auth(key)).content,
                                   providers=["CPUExecutionProvider"])
    mean, std = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)
    for row in ours:
        data = requests.get(server.url + f"/api/datasets/{project_id}/images/{row['filename']}", headers=auth(key)).content
        image = (np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float32) / 255 - mean) / std
        logits = session.run(["output"], {"input": image.transpose(2, 0, 1)[None].astype(np.float32)})[0][0]
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        assert ["blue", "red"][int(probabilities.argmax())] == row["prediction"]
        assert abs(float(probabilities.max()) - row["confidence"]) < 1e-4, (row, probabilities)

    # The run pre-labels new tasks, on its device: JTheta's annotation request over the project's images.
    prelabeler = requests.put(server.url + f"/api/projects/{project_id}/prelabeler", json={"run_id": gpu_run["run_id"]},
                              headers=auth(key)).json()["data"]
    assert prelabeler["device"] == "gpu:0", prelabeler
    colours_prelabeled_through_jtheta(server, key, project_id, "colours", timeout=120)


def test_a_gpu_that_is_not_here_is_refused_when_saved_and_when_started(make_server, tmp_path):
    data = str(tmp_path / "data")
    server = Server(data=data, **emulated_gpu())
    try:
        key = server.create_account("absent")
        project_id = colour_project(server, key)
        response = requests.post(server.url + f"/api/training/{project_id}/experiments", headers=auth(key),
                                 json={"name": "gpu3", "model": "small_cnn", "image_size": 8, "device": "gpu:3"})
        assert response.status_code == 422 and response.json()["error"]["code"] == "GPU_NOT_AVAILABLE", response.text
        assert "gpu:3 is not available" in response.json()["error"]["message"] and "gpu:0" in response.json()["error"]["message"]
        exp_id = experiment(server, key, project_id, name="gpu0", device="gpu:0", epochs=1)
        # Evaluations and the pre-labeler are refused a GPU that is not here too, and a device that is no device.
        cpu_exp = experiment(server, key, project_id, name="cpu", device="cpu", epochs=1)
        cpu_run = run(server, key, project_id, cpu_exp)
        assert cpu_run["status"] == "completed", cpu_run
        for device, code, words in [("gpu:5", "GPU_NOT_AVAILABLE", "gpu:5 is not available"), ("tpu", "VALIDATION_ERROR", "must be cpu or gpu:N")]:
            evaluation = requests.post(server.url + f"/api/evaluation/{project_id}", headers=auth(key), json={
                "experiment_id": cpu_exp, "run_id": cpu_run["run_id"], "device": device})
            prelabeler = requests.put(server.url + f"/api/projects/{project_id}/prelabeler", headers=auth(key),
                                      json={"run_id": cpu_run["run_id"], "device": device})
            for response in (evaluation, prelabeler):
                error = response.json()["error"]
                assert response.status_code == 422 and error["code"] == code and words in error["message"], response.text
                assert error["details"]["field"] == "device", response.text
    finally:
        server.stop()
    # The same data served where there is no GPU: the saved experiment cannot start.
    server = make_server(data=data, QUARRY_CUDA_LIBRARY="libcuda-not-installed.so.1")
    response = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key))
    assert response.status_code == 422 and response.json()["error"]["code"] == "GPU_NOT_AVAILABLE", response.text
    assert "gpu:0 is not available" in response.json()["error"]["message"], response.text


def test_running_out_of_device_memory_fails_the_run_and_the_next_run_trains(make_server):
    server = make_server(**emulated_gpu(QUARRY_EMULATED_GPU_MEMORY_MB="4"))
    key = server.create_account("oom")
    project_id = colour_project(server, key)
    large = experiment(server, key, project_id, name="large", device="gpu:0", model="resnet18", image_size=32, batch_size=16)
    failed = run(server, key, project_id, large)
    assert failed["status"] == "failed" and failed["error"]["type"] == "out_of_memory", failed
    for words in ("out of memory", "asked for", "free of 4.0 MiB", "smaller batch_size"):
        assert words in failed["error"]["message"], failed["error"]
    devices = requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]["devices"]
    assert devices[1]["memory_free_mb"] == 4, "the failed run's memory went back to the driver"
    small = experiment(server, key, project_id, name="small", device="gpu:0", epochs=1)
    assert run(server, key, project_id, small)["status"] == "completed"


def test_two_gpus_train_data_parallel_as_one_does(make_server):
    server = make_server(**emulated_gpu(QUARRY_EMULATED_GPUS="2"))
    key = server.create_account("two")
    project_id = colour_project(server, key)
    # In TensorFloat-32 (our SGEMM's mma.sync path, as no cuBLAS is here): both round alike.
    sgd = {"name": "sgd", "lr": 0.05, "momentum": 0.9}
    one = run(server, key, project_id, experiment(server, key, project_id, name="one", device="gpu:0", optimizer=sgd, tf32=True))
    two_id = experiment(server, key, project_id, name="two", device=["gpu:0", "gpu:1"], optimizer=sgd, tf32=True)
    two = run(server, key, project_id, two_id)
    assert one["status"] == "completed" and two["status"] == "completed", (one, two)
    assert two["config"]["device"] == ["gpu:0", "gpu:1"] and two["config"]["tf32"] is True
    # Each GPU trains half of every batch, and their sums make it the one-GPU step on the whole batch.
    for ours, theirs in zip(two["metrics"], one["metrics"]):
        for name in ("train_loss", "val_loss"):
            assert abs(ours[name] - theirs[name]) <= 1e-3 * max(1, abs(theirs[name])), (name, ours, theirs)
        assert ours["val_accuracy"] == theirs["val_accuracy"] and ours["gpu_memory_peak_mb"] > 0
    evaluation = requests.post(server.url + f"/api/evaluation/{project_id}", headers=auth(key),
                               json={"experiment_id": two_id, "run_id": two["run_id"]}).json()["data"]
    assert evaluation["device"] == "gpu:0", "the first of the run's devices evaluates"
    # A list names GPUs that are here, each once.
    for device, code, words in [(["gpu:0", "gpu:2"], "GPU_NOT_AVAILABLE", "gpu:2 is not available"),
                                (["gpu:1", "gpu:1"], "VALIDATION_ERROR", "names a GPU twice")]:
        response = requests.post(server.url + f"/api/training/{project_id}/experiments", headers=auth(key),
                                 json={"name": "bad", "device": device})
        error = response.json()["error"]
        assert response.status_code == 422 and error["code"] == code and words in error["message"], response.text


@pytest.mark.parametrize("device", ["gpu:0", ["gpu:0", "gpu:1"]])
def test_a_device_lost_mid_run_fails_the_run_and_the_server_lives_on(make_server, device):
    server = make_server(**emulated_gpu(QUARRY_EMULATED_GPUS="2", QUARRY_EMULATED_GPU_FAIL_AFTER="40"))
    key = server.create_account("lost")
    project_id = colour_project(server, key)
    failed = run(server, key, project_id, experiment(server, key, project_id, name="lost", device=device))
    assert failed["status"] == "failed" and failed["error"]["type"] == "device_error", failed
    assert "CUDA_ERROR_LAUNCH_FAILED" in failed["error"]["message"], failed
    assert requests.get(server.url + "/v1/health").status_code == 200
    assert run(server, key, project_id, experiment(server, key, project_id, name="cpu", device="cpu", epochs=1))["status"] == "completed"


def test_a_busy_gpu_says_so_and_a_stopped_gpu_run_goes_on_on_the_cpu(make_server):
    server = make_server(**emulated_gpu())
    key = server.create_account("busy")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id, name="long", device="gpu:0", epochs=40)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    url = server.url + f"/api/training/{project_id}/runs/{run_id}"

    def gpu_busy():
        return requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]["devices"][1]["busy"]

    wait_for(lambda: len(requests.get(url, headers=auth(key)).json()["data"]["metrics"]) >= 1, timeout=120)
    assert gpu_busy()
    assert requests.post(url + "/stop", headers=auth(key)).status_code == 200
    stopped = finished(server, key, project_id, run_id)
    assert stopped["status"] == "stopped" and not gpu_busy()

    for body, code, words in [({"device": "gpu:7"}, "GPU_NOT_AVAILABLE", "gpu:7 is not available"),
                              ({"device": 5}, "VALIDATION_ERROR", "device has the wrong type")]:
        response = requests.post(url + "/resume", json=body, headers=auth(key))
        error = response.json()["error"]
        assert response.status_code == 422 and error["code"] == code and words in error["message"], response.text
    assert requests.post(url + "/resume", json={"device": "cpu"}, headers=auth(key)).status_code == 200
    resumed = finished(server, key, project_id, run_id, timeout=300)
    assert resumed["status"] == "completed", resumed
    assert [m["epoch"] for m in resumed["metrics"]] == list(range(40))
    assert "gpu_memory_mb" in resumed["metrics"][0] and "gpu_memory_mb" not in resumed["metrics"][-1]
