"""Fixtures for test_spec_clients.py: the things the specs leave outside themselves (a dataset folder on
the server's disk, a ZIP, a HITL project's activation and its human workers), kept apart from the spec
clients so those stay written from the specs alone."""
import datetime
import io
import os
import tempfile
import zipfile

import pytest
import requests

from conftest import ADMIN_KEY
from images import png
from spec_clients.studio_client import StudioError

# Two classes of tiny, distinct images: enough for a split with something in every subset.
CLASSES = {"cat": (200, 40, 40), "dog": (40, 40, 200)}
PER_CLASS = 6
IMAGE_COUNT = PER_CLASS * len(CLASSES)
NOT_FOUND_CODES = {"NOT_FOUND", "SPLIT_NOT_FOUND", "EXPERIMENT_NOT_FOUND", "RUN_NOT_FOUND", "CHECKPOINT_NOT_FOUND"}


def dataset_files(prefix=""):
    """{relative path: PNG bytes} in the one-folder-per-class layout. The spec names the `folder` format
    without describing it; class-named folders of images is what that name means in every trainer."""
    files = {}
    for name, (red, green, blue) in CLASSES.items():
        for i in range(PER_CLASS):
            files[f"{name}/{prefix}{name}{i}.png"] = png(16, 16, (red, green + 20 * i, blue))
    return files


def write_folder(root, files):
    for relative, data in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return root


def zip_of(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for relative, data in files.items():
            archive.writestr(relative, data)
    return out.getvalue()


def expect_error(status, codes, call, *args, **kwargs):
    """The StudioError `call` raises, checked against the status and one of the codes the related page
    gives for the situation."""
    with pytest.raises(StudioError) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert (error.status, error.code) in {(status, code) for code in codes}, \
        f"wanted {status} {sorted(codes)}, got {error.status} {error.code}: {error.message}"
    assert isinstance(error.message, str) and error.message
    return error


def gone(call, *args):
    """A deleted object answers 404; its error code is checked in test_spec_client_errors.py, so a wrong
    code does not hide the rest of a flow."""
    with pytest.raises(StudioError) as caught:
        call(*args)
    assert caught.value.status == 404, caught.value


def ident(data, *names):
    """The id of a created object. The spec shows `id` for a project and `run_id` for a run and is silent
    for the others, so the first of the likely names that is present is taken."""
    for name in names + ("id",):
        if data.get(name):
            return data[name]
    raise AssertionError(f"no id among {names + ('id',)} in {data}")


def rows(page, *names):
    """The rows of a paginated answer: the list itself, or the list under one of the likely names (the
    spec says "paginated" and names no field)."""
    if isinstance(page, list):
        return page
    for name in names + ("items", "results", "data"):
        if isinstance(page.get(name), list):
            return page[name]
    raise AssertionError(f"no list among {names} in {page}")


def all_rows(fetch, *names):
    """Every row of a paginated route, page by page until a short page (page_size is the spec's)."""
    found, page = [], 1
    while True:
        batch = rows(fetch(page=page, page_size=50), *names)
        found += batch
        if len(batch) < 50:
            return found
        page += 1


def activate_hitl_project(server, project_id, annotator="ann@spec.io", reviewer="rev@spec.io"):
    """What the spec leaves to a Humans in the Loop administrator: activating the project and giving its
    workers their links. Returns the two workers' tokens."""
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    activated = requests.post(server.url + f"/admin/projects/{project_id}/activate",
                              json={"annotator": annotator, "reviewer": reviewer}, headers=admin)
    assert activated.status_code == 200, activated.text
    tokens = []
    for email in (annotator, reviewer):
        link = requests.post(server.url + "/admin/workers/link", json={"email": email}, headers=admin)
        assert link.status_code == 200, link.text
        tokens.append(link.json()["token"])
    return tokens


def utc_day(offset_days=0):
    """An ISO date offset from today (UTC); tests stay two days from today so midnight cannot flip them."""
    return (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=offset_days)).isoformat()


def imported_project(client, root, name="spec project"):
    """A classification project holding the two-class dataset, imported from a folder on the server."""
    project = client.create_project(name, "classification")
    source = write_folder(tempfile.mkdtemp(dir=root), dataset_files())
    client.import_local(project["id"], source, "folder")
    client.wait_for_images(project["id"], IMAGE_COUNT)
    return project["id"]


def trained_run(client, root, epochs=2):
    """A project with a split and an experiment, and a run of it that the stream saw to its end."""
    project_id = imported_project(client, root)
    client.create_split(project_id, "50-25-25", {"train": 0.5, "val": 0.25, "test": 0.25}, seed=42)
    # The spec gives no experiment body: these are the settings GET .../experiments/{id} answers.
    experiment = client.create_experiment(project_id, name="tiny", epochs=epochs, image_size=16, batch_size=4)
    experiment_id = ident(experiment, "experiment_id", "exp_id")
    run_id = client.start_run(project_id, experiment_id)["run_id"]
    return project_id, experiment_id, run_id, client.stream_run(project_id, run_id)
