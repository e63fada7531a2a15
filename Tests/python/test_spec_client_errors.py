"""The spec clients' error cases, one test per case so each wrong status or code is its own failure:
Studio's from the table in studio-api-related.md, HITL's from the rules its spec states. Each table runs
on one server per module, set up through the clients themselves."""
import types

import pytest

from conftest import Server
from hitl_support import FAST, PDF, finish_job
from images import png
from site_server import Site
from spec_clients.hitl_client import HitlClient, HitlError
from spec_clients.studio_client import StudioClient
from spec_support import (NOT_FOUND_CODES as NF, activate_hitl_project, all_rows, dataset_files, expect_error,
                          ident, trained_run, zip_of)

V = {"VALIDATION_ERROR"}
RATIOS = {"train": 0.5, "val": 0.25, "test": 0.25}
GONE = "proj-00000000"


@pytest.fixture(scope="module")
def studio_world(tmp_path_factory):
    """A single-user Studio server holding a trained run with a finished evaluation, and an empty project."""
    root = str(tmp_path_factory.mktemp("spec-errors"))
    server = Server(QUARRY_STUDIO_ACCOUNT="spec", QUARRY_IMPORT_ROOT=root)
    try:
        client = StudioClient(server.url)
        project, experiment, run, _ = trained_run(client, root)
        evaluation = ident(client.create_evaluation(project, experiment, run), "eval_id", "evaluation_id")
        client.wait_finished(lambda: client.get_evaluation(project, evaluation))
        empty = client.create_project("empty", "classification")["id"]
        yield types.SimpleNamespace(client=client, root=root, project=project, experiment=experiment, run=run,
                                    evaluation=evaluation, empty=empty)
    finally:
        server.stop()


STUDIO_ERRORS = {
    # a project, split, experiment, run, evaluation or export that is not there: 404 NOT_FOUND (or precise)
    "project": (404, NF, lambda w: w.client.get_project(GONE)),
    "project-update": (404, NF, lambda w: w.client.update_project(GONE, name="x")),
    "project-delete": (404, NF, lambda w: w.client.delete_project(GONE)),
    "dataset": (404, NF, lambda w: w.client.get_dataset(GONE)),
    "image": (404, NF, lambda w: w.client.get_image(w.project, "no-such.png")),
    "thumbnail": (404, NF, lambda w: w.client.get_thumbnail(w.project, "no-such.png")),
    "image-info": (404, NF, lambda w: w.client.get_image_info(w.project, "no-such.png")),
    "split": (404, NF, lambda w: w.client.get_split(w.project, 9)),
    "split-delete": (404, NF, lambda w: w.client.delete_split(w.project, 9)),
    "split-of-unknown-project": (404, NF, lambda w: w.client.create_split(GONE, "s", RATIOS)),
    "experiment": (404, NF, lambda w: w.client.get_experiment(w.project, "exp-00000000")),
    "experiment-update": (404, NF, lambda w: w.client.update_experiment(w.project, "exp-00000000", epochs=1)),
    "experiment-delete": (404, NF, lambda w: w.client.delete_experiment(w.project, "exp-00000000")),
    "run-of-unknown-experiment": (404, NF, lambda w: w.client.start_run(w.project, "exp-00000000")),
    "run": (404, NF, lambda w: w.client.get_run(w.project, "run-00000000")),
    "run-stop": (404, NF, lambda w: w.client.stop_run(w.project, "run-00000000")),
    "run-resume": (404, NF, lambda w: w.client.resume_run(w.project, "run-00000000")),
    "run-delete": (404, NF, lambda w: w.client.delete_run(w.project, "run-00000000")),
    "run-metrics": (404, NF, lambda w: w.client.get_run_metrics(w.project, "run-00000000")),
    "run-stream": (404, NF, lambda w: w.client.stream_run(w.project, "run-00000000")),
    "evaluation": (404, NF, lambda w: w.client.get_evaluation(w.project, "eval-00000000")),
    "evaluation-delete": (404, NF, lambda w: w.client.delete_evaluation(w.project, "eval-00000000")),
    "evaluation-results": (404, NF, lambda w: w.client.evaluation_results(w.project, "eval-00000000")),
    "evaluation-of-unknown-run": (404, NF, lambda w: w.client.create_evaluation(w.project, w.experiment,
                                                                                 "run-00000000")),
    "evaluation-of-unknown-split": (404, NF, lambda w: w.client.create_evaluation(w.project, w.experiment, w.run,
                                                                                   split_index=9)),
    "export": (404, NF, lambda w: w.client.get_export(w.project, "export-00000000")),
    "export-delete": (404, NF, lambda w: w.client.delete_export(w.project, "export-00000000")),
    "export-download": (404, NF, lambda w: w.client.download_export(w.project, "export-00000000")),
    "export-of-unknown-run": (404, NF, lambda w: w.client.create_export(w.project, w.experiment, "run-00000000",
                                                                         "onnx")),
    # an invalid body or parameter: 422 VALIDATION_ERROR
    "project-without-name": (422, V, lambda w: w.client.create_project("", "classification")),
    "project-unknown-task": (422, V, lambda w: w.client.create_project("x", "juggling")),
    "project-update-unknown-task": (422, V, lambda w: w.client.update_project(w.project, task="juggling")),
    "images-sort-order": (422, V, lambda w: w.client.list_images(w.project, sort_order="sideways")),
    "images-sort-by": (422, V, lambda w: w.client.list_images(w.project, sort_by="colour")),
    "images-page": (422, V, lambda w: w.client.list_images(w.project, page="first")),
    "import-local-format": (422, V, lambda w: w.client.import_local(w.empty, w.root, "pascal_voc")),
    "import-local-without-source": (422, V, lambda w: w.client.import_local(w.empty, None, "folder")),
    "import-upload-format": (422, V, lambda w: w.client.import_upload(w.empty, zip_of(dataset_files()),
                                                                      "pascal_voc")),
    "split-ratios-over-1": (422, V, lambda w: w.client.create_split(w.project, "s", {**RATIOS, "test": 0.5})),
    "split-ratios-under-1": (422, V, lambda w: w.client.create_split(w.project, "s", {**RATIOS, "test": 0.1})),
    "split-without-val": (422, V, lambda w: w.client.create_split(w.project, "s", {"train": 1.0})),
    "split-without-train": (422, V, lambda w: w.client.create_split(w.project, "s", {"val": 0.5, "test": 0.5})),
    "split-preview-ratios": (422, V, lambda w: w.client.preview_split(w.project, 0.5, 0.5, 0.5)),
    "experiment-epochs": (422, V, lambda w: w.client.create_experiment(w.project, name="x", epochs="many")),
    "evaluation-subset": (422, V, lambda w: w.client.create_evaluation(w.project, w.experiment, w.run,
                                                                        split_subset="holdout")),
    "evaluation-results-page": (422, V, lambda w: w.client.evaluation_results(w.project, w.evaluation,
                                                                               page_size="all")),
    # the situations with codes of their own
    "split-without-dataset": (422, {"DATASET_NOT_IMPORTED"}, lambda w: w.client.create_split(w.empty, "s", RATIOS)),
    "export-format": (422, {"EXPORT_FORMAT_UNAVAILABLE"},
                      lambda w: w.client.create_export(w.project, w.experiment, w.run, "no-such-format")),
}


@pytest.mark.parametrize("case", sorted(STUDIO_ERRORS))
def test_studio_error(studio_world, case):
    status, codes, call = STUDIO_ERRORS[case]
    expect_error(status, codes, call, studio_world)


@pytest.mark.parametrize("spelling", [(True, False), ("true", "false")], ids=["python-bool", "spec-text"])
def test_studio_filter_correct_is_a_bool(studio_world, spelling):
    """`filter_correct`: "`true` for correct only, `false` for errors"; a Python client sends True/False."""
    w = studio_world

    def count(**filters):
        return len(all_rows(lambda **page: w.client.evaluation_results(w.project, w.evaluation, **page, **filters),
                            "results"))

    correct, wrong = (count(filter_correct=value) for value in spelling)
    assert correct + wrong == count()


@pytest.fixture(scope="module")
def hitl_world():
    """A HITL server with an active project (one done job, one canceled) and a project still `new`."""
    server, site = Server(**FAST), Site()
    try:
        site.files["/instructions.pdf"] = (PDF, "application/pdf")
        site.files["/frame.png"] = (png(32, 16), "image/png")
        site.files["/frame.gif"] = (b"GIF89a", "image/gif")
        site.files["/instructions.txt"] = (b"label the cars", "text/plain")
        client = HitlClient(server.url, server.create_account("spec-errors"))
        project = client.create_project("active", site.url + "/instructions.pdf")
        annotator, reviewer = activate_hitl_project(server, project)
        done, canceled = (client.create_job(project, [site.url + "/frame.png"]) for _ in range(2))
        finish_job(server, done, annotator, reviewer)
        client.cancel_job(project, canceled)
        new_project = client.create_project("new", site.url + "/instructions.pdf")
        yield types.SimpleNamespace(server=server, site=site, client=client, project=project, done=done,
                                    canceled=canceled, new_project=new_project, frame=site.url + "/frame.png")
    finally:
        site.stop()
        server.stop()


CLIENT_ERROR = range(400, 500)
UNKNOWN = {404}
UNAUTHORIZED = {401, 403}
HITL_ERRORS = {
    # The spec documents no error statuses: an unknown object is a 404, a refused request some 4xx.
    "project-status-unknown": (UNKNOWN, lambda w: w.client.project_status(GONE)),
    "job-status-unknown": (UNKNOWN, lambda w: w.client.job_status(w.project, "job-00000000")),
    "job-cancel-unknown": (UNKNOWN, lambda w: w.client.cancel_job(w.project, "job-00000000")),
    "jobs-of-unknown-project": (UNKNOWN, lambda w: w.client.jobs(GONE)),
    "job-in-unknown-project": (CLIENT_ERROR, lambda w: w.client.create_job(GONE, [w.frame])),
    # "The extension of the instructions file can be one of the following: pdf, docx, png, jpg, jpeg."
    "instructions-extension": (CLIENT_ERROR, lambda w: w.client.create_project(
        "x", w.site.url + "/instructions.txt")),
    # "The extension of the files can be one of the following: pdf, png, jpg, jpeg."
    "job-file-extension": (CLIENT_ERROR, lambda w: w.client.create_job(w.project, [w.site.url + "/frame.gif"])),
    "job-without-files": (CLIENT_ERROR, lambda w: w.client.create_job(w.project, [])),
    # new: "cannot accept new jobs"
    "job-in-new-project": (CLIENT_ERROR, lambda w: w.client.create_job(w.new_project, [w.frame])),
    # "Must be an integer between 1 and 1440 (24 hours)."
    "expiration-0": (CLIENT_ERROR, lambda w: w.client.create_job(w.project, [w.frame], expiration_minutes=0)),
    "expiration-1441": (CLIENT_ERROR, lambda w: w.client.create_job(w.project, [w.frame], expiration_minutes=1441)),
    "expiration-fraction": (CLIENT_ERROR, lambda w: w.client.create_job(w.project, [w.frame],
                                                                        expiration_minutes=1.5)),
    # "The job can be canceled only if its status is new or progress."
    "cancel-done-job": (CLIENT_ERROR, lambda w: w.client.cancel_job(w.project, w.done)),
    "cancel-canceled-job": (CLIENT_ERROR, lambda w: w.client.cancel_job(w.project, w.canceled)),
    # "Can be day, week, month, or year."
    "metrics-group-level": (CLIENT_ERROR, lambda w: w.client.metrics(period_group_level="hour")),
    "metrics-date": (CLIENT_ERROR, lambda w: w.client.metrics(period_start_date="yesterday")),
    # a key that is not accepted, on every kind of route
    "health-bad-key": (UNAUTHORIZED, lambda w: HitlClient(w.server.url, "not-a-key").health()),
    "project-bad-key": (UNAUTHORIZED, lambda w: HitlClient(w.server.url, "not-a-key").project_status(w.project)),
    "jobs-bad-key": (UNAUTHORIZED, lambda w: HitlClient(w.server.url, "not-a-key").jobs(w.project)),
    "metrics-bad-key": (UNAUTHORIZED, lambda w: HitlClient(w.server.url, "not-a-key").metrics()),
    "ip-bad-key": (UNAUTHORIZED, lambda w: HitlClient(w.server.url, "not-a-key").ip()),
}


@pytest.mark.parametrize("case", sorted(HITL_ERRORS))
def test_hitl_error(hitl_world, case):
    statuses, call = HITL_ERRORS[case]
    with pytest.raises(HitlError) as caught:
        call(hitl_world)
    assert caught.value.status in statuses, caught.value
    assert caught.value.message
