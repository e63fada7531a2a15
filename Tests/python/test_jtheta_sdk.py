"""JTheta's own Python SDK (the `jtheta` package), pointed at Quarry: every method, and its README's
example as PyPI publishes it."""
import contextlib
import importlib.metadata
import io
import os
import re
import tempfile
import traceback

import jtheta
import pytest
import requests
from jtheta import JThetaClient

from images import jpeg, png


def test_every_sdk_method_works_against_quarry(server):
    key = server.create_account("sdk-user")
    client = JThetaClient(api_key=key, base_url=server.url + "/api")
    assert client.validate_key()["valid"] is True
    assert client.create_project("SDK Project", "Testing")["project_title"] == "SDK Project"

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in [("a.png", png(20, 10)), ("b.jpg", jpeg(12, 8))]:
            path = os.path.join(folder, name)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        dataset = client.create_dataset("SDK Data", "CC0", "SDK Project", paths)
        assert dataset["image_count"] == 2
        more = os.path.join(folder, "c.png")
        with open(more, "wb") as f:
            f.write(png(5, 5))
        assert client.upload_images(str(dataset["dataset_id"]), "SDK Project", more)["image_count"] == 3

    assigned = client.request_annotation("SDK Project", dataset["dataset_id"], "ann@sdk.io", "rev@sdk.io",
                                         [{"label": "Cat", "type": "tag"}], allow_class_creation=True, auto_annotation=False)
    assert assigned["task_count"] == 3
    status = client.check_annotation_status("SDK Project")
    assert status["total_tasks"] == 3 and status["percent_done"] == 0
    assert [w["email"] for w in client.get_annotators()["annotators"]] == ["ann@sdk.io"]
    assert [w["email"] for w in client.get_reviewers()["reviewers"]] == ["rev@sdk.io"]

    export = client.download_dataset(str(dataset["dataset_id"]), "coco", "1.0")
    assert export["dataset_id"] == dataset["dataset_id"] and export["version"] == "1.0"
    archive = requests.get(export["download_url"])
    assert archive.status_code == 200 and archive.content[:2] == b"PK"
    csv_export = client.download_dataset(str(dataset["dataset_id"]), "csv", "1.0")
    assert csv_export["format"] == "csv"


def readme_examples():
    """The Python blocks of the SDK's README: the installed package's long description, as PyPI shows it."""
    metadata = importlib.metadata.metadata("jtheta")
    description = metadata.get_payload() or metadata["Description"]
    blocks = re.findall(r"```python\n(.*?)```", description, re.S)
    return blocks


def test_the_readme_example_runs_against_quarry(server, tmp_path, monkeypatch):
    """The README's code, unchanged but for its key and the SDK's base URL. It uploads to dataset 231 by number,
    the id its reader's dataset has on JTheta: here other accounts' datasets come first, so the README's own
    is the 231st the server makes. Its last line cannot run anywhere: the SDK's module-level download_dataset
    passes save_path, which the client method does not take, so it fails in the SDK before any request."""
    others = server.create_account("others")
    headers = {"Authorization": f"Bearer {others}"}
    assert requests.post(server.url + "/create_project/", json={"project_title": "Others"}, headers=headers).status_code == 201
    for number in range(230):
        made = requests.post(server.url + "/create_dataset/", data={"dataset_name": f"d{number}", "project_name": "Others"},
                             files=[("images", ("x.png", png(4, 4), "image/png"))], headers=headers)
        assert made.status_code == 201, made.text
    key = server.create_account("readme")
    for name in ["image1.jpg", "image2.jpg"]:
        (tmp_path / name).write_bytes(jpeg(24, 16))
    monkeypatch.chdir(tmp_path)
    # jtheta.init makes a client with the default base URL, the SDK's only way to name a server.
    monkeypatch.setattr(JThetaClient.__init__, "__defaults__", (server.url + "/api",))

    (block,) = readme_examples()
    assert block.count('"your_api_key_here"') == 1
    code = block.replace('"your_api_key_here"', repr(key))
    names = {}
    printed = io.StringIO()
    with pytest.raises(TypeError, match=r"download_dataset\(\) takes 4 positional arguments but 5 were given") as failure, \
            contextlib.redirect_stdout(printed):
        exec(compile(code, "README", "exec"), names)
    failed_at = [frame.lineno for frame in traceback.extract_tb(failure.tb) if frame.filename == "README"]
    assert code.splitlines()[failed_at[-1] - 1].startswith("jtheta.download_dataset(")

    assert printed.getvalue() == "{'account': 'readme', 'valid': True}\n"
    assert names["project"]["project_title"] == "My Project"
    assert names["dataset"]["id"] == names["dataset"]["dataset_id"] == 231 and names["dataset"]["image_count"] == 2
    assert names["upload_image"]["dataset_id"] == 231 and names["upload_image"]["image_count"] == 3
    status = jtheta.check_annotation_status("My Project")
    assert status["total_tasks"] == 3 and status["annotators"][0]["annotator"] == "annotator@example.com"
    # What the last line asks for, as the SDK's client can send it.
    export = jtheta._client.download_dataset(names["dataset"]["id"], "csv", "1.0")
    assert export["format"] == "csv" and requests.get(export["download_url"]).content[:2] == b"PK"

    # The README's "Bounding Boxes" and "Polygons" became the project's classes; asking again adds none.
    again = requests.post(server.url + "/api/annotation/request", headers={"Authorization": f"Bearer {key}"}, json={
        "dataset_id": 231, "project_name": "My Project", "assigned_annotator": "annotator@example.com",
        "assigned_reviewer": "reviewer@example.com", "labels": [], "allow_class_creation": True})
    assert again.json()["labels"] == [{"name": "car", "type": "bounding_box"}, {"name": "truck", "type": "polygon"}], again.text
