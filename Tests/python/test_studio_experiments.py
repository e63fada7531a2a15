"""Experiments: the body scripts rely on is accepted as written, defaults are filled in, and every
unknown key or bad value is refused naming the field."""
import requests


def auth(key):
    return {"Authorization": f"Bearer {key}"}


SCRIPT_BODY = {"name": "digits-cnn", "split_index": 0, "model": "small_cnn", "image_size": 16, "epochs": 15, "batch_size": 64,
               "optimizer": {"name": "adamw", "lr": 0.002, "weight_decay": 0.0001}, "scheduler": {"name": "cosine", "warmup_epochs": 1},
               "augmentations": {"hflip": False}, "device": "cpu", "seed": 0}


def project(server, key):
    return requests.post(server.url + "/api/projects", json={"name": "train"}, headers=auth(key)).json()["data"]["id"]


def test_the_scripted_body_is_accepted_and_defaults_are_filled(server):
    key = server.create_account("experiments")
    project_id = project(server, key)
    url = server.url + f"/api/training/{project_id}/experiments"
    created = requests.post(url, json=SCRIPT_BODY, headers=auth(key))
    assert created.status_code == 201, created.text
    experiment = created.json()["data"]
    assert experiment["id"].startswith("exp-")
    config = experiment["config"]
    for field, value in SCRIPT_BODY.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                assert config[field][inner] == inner_value, (field, inner)
        else:
            assert config[field] == value, field
    assert config["scheduler"]["gamma"] == 0.1 and config["augmentations"]["random_resized_crop"] is False
    assert config["train_subset"] == "train" and config["val_subset"] == "val"

    minimal = requests.post(url, json={"name": "defaults"}, headers=auth(key)).json()["data"]["config"]
    assert minimal["model"] == "small_cnn" and minimal["optimizer"]["name"] == "adamw" and minimal["epochs"] == 10
    assert minimal["stem"] == "auto"

    patched = requests.patch(url + f"/{experiment['id']}", json={"epochs": 20, "optimizer": {"lr": 0.01}}, headers=auth(key))
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["config"]["epochs"] == 20
    assert patched.json()["data"]["config"]["optimizer"] == {**SCRIPT_BODY["optimizer"], "lr": 0.01, "momentum": 0.9, "nesterov": False}
    assert [e["config"]["name"] for e in requests.get(url, headers=auth(key)).json()["data"]] == ["digits-cnn", "defaults"]
    assert requests.post(url, json={"name": "digits-cnn"}, headers=auth(key)).status_code == 409
    assert requests.delete(url + f"/{experiment['id']}", headers=auth(key)).json()["data"]["deleted"] is True
    assert requests.get(url + f"/{experiment['id']}", headers=auth(key)).status_code == 404


def test_bad_settings_are_refused_naming_the_field(server):
    key = server.create_account("strict")
    url = server.url + f"/api/training/{project(server, key)}/experiments"
    cases = [({"name": "x", "learning_rate": 1}, "learning_rate"), ({"name": "x", "model": "vgg"}, "model"),
             ({"name": "x", "epochs": 0}, "epochs"), ({"name": "x", "batch_size": "64"}, "batch_size"),
             ({"name": "x", "optimizer": {"name": "rmsprop"}}, "optimizer.name"), ({"name": "x", "optimizer": {"lr": -1}}, "optimizer.lr"),
             ({"name": "x", "optimizer": {"betas": [0.9, 0.99]}}, "optimizer.betas"),
             ({"name": "x", "scheduler": {"name": "cosine", "warmup_epochs": 10}}, "scheduler.warmup_epochs"),
             ({"name": "x", "optimizer": {"name": "sgd", "momentum": 0, "nesterov": True}}, "optimizer.nesterov"),
             ({"name": "x", "device": "tpu"}, "device"), ({"name": "x", "image_size": 4}, "image_size"),
             ({"name": "x", "stem": "vgg"}, "stem"), ({"epochs": 3}, "name")]
    for body, field in cases:
        response = requests.post(url, json=body, headers=auth(key))
        error = response.json()["error"]
        assert response.status_code == 422 and error["code"] == "VALIDATION_ERROR", (body, error)
        assert error["message"].startswith(field) and error["details"]["field"] == field, (body, error)
