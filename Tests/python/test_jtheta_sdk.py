"""JTheta's own Python SDK (the `jtheta` package), pointed at Quarry, every method."""
import os
import tempfile

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
