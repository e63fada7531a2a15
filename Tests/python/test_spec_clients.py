"""Each spec's own client (Tests/python/spec_clients, written from ../shared/specs alone) driven through
its spec's whole flow against the real server. Only the base URL and the credentials are Quarry's; the
Studio spec has no credentials, so the Studio server runs in single-user mode and the client sends none.

Every flow runs twice: against one server on SQLite, and against a deployment "past one box" (three `quarry
serve` processes and a `quarry worker` on PostgreSQL and a bucket, each request to the next process in turn
through a load balancer: balancer.py)."""
import io

import onnx
import pytest
import requests
from PIL import Image

from hitl_support import FAST, PDF, finish_job, wait_for
from images import jpeg, png
from spec_clients.hitl_client import GROUP_LEVELS, JOB_STATUSES, HitlClient
from spec_clients.jtheta_client import JThetaClient, JThetaError
from spec_clients.studio_client import UNFINISHED, StudioClient, StudioError, image_rows
from spec_support import (IMAGE_COUNT, activate_hitl_project, all_rows, dataset_files, expect_error, gone, ident,
                          imported_project, rows, trained_run, utc_day, zip_of)


@pytest.fixture
def make_server(make_any_server):
    return make_any_server


@pytest.fixture
def server(make_server):
    return make_server()


# ---- Studio ---------------------------------------------------------------------------------------

@pytest.fixture
def studio(make_server, tmp_path):
    """A Studio client on a single-user server, and the folder local imports may read."""
    root = str(tmp_path)
    server = make_server(QUARRY_STUDIO_ACCOUNT="spec", QUARRY_IMPORT_ROOT=root)
    return StudioClient(server.url), root


def test_studio_system_routes(studio):
    client, _ = studio
    client.health()
    devices = client.devices()
    assert {"id": "cpu", "name": "CPU", "type": "cpu"}.items() <= devices["devices"][0].items()
    assert isinstance(devices["cuda_available"], bool)
    gpus = [d for d in devices["devices"] if d["type"] == "gpu"]
    assert devices["default_selected"] == (["gpu:0"] if gpus else ["cpu"])
    client.workspace()


def test_studio_projects(studio):
    client, _ = studio
    created = client.create_project("My Classification Project", "classification")
    assert {"name": "My Classification Project", "task": "classification"}.items() <= created.items()
    assert created["id"] and created["created_at"]
    assert created["id"] in [p["id"] for p in client.list_projects()]
    assert client.get_project(created["id"])["name"] == "My Classification Project"
    assert client.update_project(created["id"], name="Renamed")["name"] == "Renamed"
    assert client.get_project(created["id"])["name"] == "Renamed"
    client.delete_project(created["id"])  # "Delete project and all its data"
    gone(client.get_project, created["id"])
    gone(client.get_dataset, created["id"])


def test_studio_local_import_and_the_image_routes(studio):
    client, root = studio
    project_id = imported_project(client, root)
    classes = client.get_dataset(project_id)["classes"]  # the spec's "class list"; its field name is assumed
    assert {c if isinstance(c, str) else c["name"] for c in classes} == {"cat", "dog"}
    # Images are served by file name from the dataset: the name the file had in it.
    assert client.get_image(project_id, "cat0.png") == dataset_files()["cat/cat0.png"]
    with Image.open(io.BytesIO(client.get_thumbnail(project_id, "dog1.png"))) as thumbnail:
        thumbnail.verify()  # a real image file
    assert "cat" in str(client.get_image_info(project_id, "cat3.png"))
    client.clear_dataset(project_id)
    assert image_rows(client.list_images(project_id)) == []


def test_studio_image_listing_parameters(studio):
    client, root = studio
    project_id = imported_project(client, root)
    names = [r["filename"] for r in image_rows(client.list_images(project_id))]
    assert len(names) == IMAGE_COUNT
    down = image_rows(client.list_images(project_id, sort_by="filename", sort_order="desc"))
    assert [r["filename"] for r in down] == names[::-1]
    first, second = (image_rows(client.list_images(project_id, page=p, page_size=5)) for p in (1, 2))
    assert [r["filename"] for r in first + second] == names[:10]
    assert len(image_rows(client.list_images(project_id, filter_class="dog"))) == IMAGE_COUNT // 2
    assert [r["filename"] for r in image_rows(client.list_images(project_id, search="cat4"))] == \
        [n for n in names if "cat4" in n]
    for field in ("class", "size"):
        assert len(image_rows(client.list_images(project_id, sort_by=field))) == IMAGE_COUNT
    # The default order: sort_by "filename", sort_order "asc". Quarry's `filename` is `<id>_<name>` so that
    # two images may share a name, and it sorts by the name the image came with (docs/decisions.md).
    original = [name.split("_", 1)[1] for name in names]
    assert original == sorted(original)


def test_studio_upload_import(studio):
    client, root = studio
    project_id = client.create_project("uploaded", "classification")["id"]
    client.import_upload(project_id, zip_of(dataset_files("up_")), "folder")
    assert len(client.wait_for_images(project_id, IMAGE_COUNT)) == IMAGE_COUNT
    assert client.get_image(project_id, "up_dog5.png") == dataset_files("up_")["dog/up_dog5.png"]


def test_studio_splits(studio):
    client, root = studio
    project_id = imported_project(client, root)
    ratios = {"train": 0.5, "val": 0.25, "test": 0.25}
    preview = client.preview_split(project_id, 0.5, 0.25, 0.25, seed=42)
    created = client.create_split(project_id, "50-25-25", ratios, seed=42)
    assert {"split_index": 0, "name": "50-25-25"}.items() <= created.items()
    counts = {k: created["stats"][k] for k in ("train", "val", "test")}
    assert sum(counts.values()) == IMAGE_COUNT and min(counts.values()) > 0
    assert {k: preview["stats"][k] for k in counts} == counts  # same seed, same split
    assert [s["name"] for s in client.list_splits(project_id)] == ["50-25-25"]
    assert {k: client.get_split(project_id, 0)["stats"][k] for k in counts} == counts
    client.create_split(project_id, "second", {"train": 0.8, "val": 0.2, "test": 0.0}, seed=1)
    client.delete_split(project_id, 0)
    remaining = client.list_splits(project_id)
    assert [(s["split_index"], s["name"]) for s in remaining] == [(0, "second")]  # re-indexed
    gone(client.get_split, project_id, 1)


def test_studio_training_run_and_its_stream(studio):
    client, root = studio
    project_id, experiment_id, run_id, events = trained_run(client, root, epochs=2)
    assert [e for e, _ in events].count("epoch_end") == 2
    assert all(isinstance(d, dict) and d for e, d in events if e == "epoch_end")  # that epoch's metrics
    assert all(isinstance(d, (dict, list)) for _, d in events)  # each message: `event: TYPE` + `data: JSON`
    assert events[-1][0] == "complete"
    assert client.get_run(project_id, run_id)["status"] not in UNFINISHED
    metrics = client.get_run_metrics(project_id, run_id)
    assert len(rows(metrics, "epochs", "metrics")) == 2  # assumed: one entry per epoch
    again = client.stream_run(project_id, run_id, read_timeout=30)  # a finished run's stream ends too
    assert again and again[-1][0] == "complete"
    assert [ident(e, "experiment_id", "exp_id") for e in client.list_experiments(project_id)] == [experiment_id]
    client.delete_experiment(project_id, experiment_id)  # "Delete experiment + runs"
    gone(client.get_experiment, project_id, experiment_id)
    gone(client.get_run, project_id, run_id)


def test_studio_experiment_config_and_gpu_request(studio):
    client, root = studio
    project_id = imported_project(client, root)
    experiment_id = ident(client.create_experiment(project_id, name="cfg", epochs=1), "experiment_id", "exp_id")
    client.update_experiment(project_id, experiment_id, epochs=3)
    config = client.get_experiment(project_id, experiment_id)
    assert config.get("config", config)["epochs"] == 3
    if client.devices()["cuda_available"]:
        return
    # The device setting takes an id from /api/system/devices; the config's `device` field is assumed.
    try:
        client.update_experiment(project_id, experiment_id, device="gpu:0")
    except StudioError as error:
        assert (error.status, error.code) == (422, "GPU_NOT_AVAILABLE"), error
        return
    client.create_split(project_id, "s", {"train": 0.5, "val": 0.25, "test": 0.25})
    expect_error(422, {"GPU_NOT_AVAILABLE"}, client.start_run, project_id, experiment_id)


def test_studio_stop_resume_and_delete_a_run(studio):
    client, root = studio
    project_id = imported_project(client, root)
    client.create_split(project_id, "s", {"train": 0.5, "val": 0.25, "test": 0.25}, seed=3)
    experiment_id = ident(client.create_experiment(project_id, name="long", epochs=200, image_size=16,
                                                   batch_size=4), "experiment_id", "exp_id")
    run_id = client.start_run(project_id, experiment_id)["run_id"]
    try:  # the related page allows either answer while training capacity is taken
        second = client.start_run(project_id, experiment_id)
        assert second["status"] == "pending"
        client.stop_run(project_id, second["run_id"])
    except StudioError as error:
        assert (error.status, error.code) == (409, "TRAINING_IN_PROGRESS"), error
    client.stop_run(project_id, run_id)
    assert client.stream_run(project_id, run_id)[-1][0] == "complete"
    assert client.get_run(project_id, run_id)["status"] not in UNFINISHED
    client.resume_run(project_id, run_id)
    client.stop_run(project_id, run_id)
    assert client.stream_run(project_id, run_id)[-1][0] == "complete"
    client.delete_run(project_id, run_id)
    gone(client.get_run, project_id, run_id)


def test_studio_evaluation(studio):
    client, root = studio
    project_id, experiment_id, run_id, _ = trained_run(client, root)
    created = client.create_evaluation(project_id, experiment_id, run_id, "best", 0, "test", 32)
    eval_id = ident(created, "eval_id", "evaluation_id")
    client.wait_finished(lambda: client.get_evaluation(project_id, eval_id))
    assert eval_id in [ident(e, "eval_id", "evaluation_id") for e in client.list_evaluations(project_id)]

    def results(**filters):
        return all_rows(lambda **page: client.evaluation_results(project_id, eval_id, **page, **filters), "results")

    everything = results()
    assert everything and len(everything) == len(results(sort_by="confidence"))
    assert len(results(filter_class="cat")) + len(results(filter_class="dog")) == len(everything)
    client.delete_evaluation(project_id, eval_id)
    gone(client.get_evaluation, project_id, eval_id)


def test_studio_export(studio):
    client, root = studio
    project_id, experiment_id, run_id, _ = trained_run(client, root)
    formats = {f if isinstance(f, str) else f.get("format") or f.get("name") for f in client.export_formats()}
    assert "onnx" in formats
    options = {"opset_version": 17, "input_shape": [1, 3, 16, 16],
               "dynamic_axes": {"input": {"0": "batch_size"}, "output": {"0": "batch_size"}}, "simplify": True}
    export_id = ident(client.create_export(project_id, experiment_id, run_id, "onnx", "best", options), "export_id")
    client.wait_finished(lambda: client.get_export(project_id, export_id))
    model = onnx.load_from_string(client.download_export(project_id, export_id))
    assert model.opset_import[0].version == 17
    assert export_id in [ident(e, "export_id") for e in client.list_exports(project_id)]
    client.delete_export(project_id, export_id)
    gone(client.get_export, project_id, export_id)


# ---- Humans in the Loop ---------------------------------------------------------------------------

@pytest.fixture
def hitl(make_server, site):
    """A HITL client with a fresh account's key; the site serves the instructions and the job images."""
    server = make_server(**FAST)
    site.files["/instructions.pdf"] = (PDF, "application/pdf")
    site.files["/frame.png"] = (png(32, 16), "image/png")
    return server, site, HitlClient(server.url, server.create_account("spec-hitl"))


def active_project(server, site, client, name="spec project"):
    """A project made through the spec, activated by the administrator (outside the spec)."""
    project_id = client.create_project(name, site.url + "/instructions.pdf")
    annotator, reviewer = activate_hitl_project(server, project_id)
    return project_id, annotator, reviewer


def test_hitl_health_and_egress_ip(hitl):
    server, _, client = hitl
    assert client.health() == "UP"
    assert client.ip() == FAST["QUARRY_EGRESS_IP"]


def test_hitl_project_is_new_until_an_administrator_activates_it(hitl):
    server, site, client = hitl
    project_id = client.create_project("test_project", site.url + "/instructions.pdf")
    assert client.project_status(project_id) == "new"
    activate_hitl_project(server, project_id)
    assert client.project_status(project_id) == "active"


def test_hitl_job_is_done_and_its_webhook_carries_the_job_status(hitl):
    server, site, client = hitl
    project_id, annotator, reviewer = active_project(server, site, client)
    predictions = {"boxes": [{"label": "car", "bbox": [1, 1, 5, 5]}]}
    job_id = client.create_job(project_id, [site.url + "/frame.png"], predictions=predictions,
                               webhook_url=site.url + "/hook", webhook_headers={"X-Hook-Token": "s3cret"},
                               expiration_minutes=60)
    job = client.job_status(project_id, job_id)
    assert {"project_id": project_id, "job_id": job_id, "status": "new"}.items() <= job.items()
    assert job["create_date"]
    assert job["image"].startswith(("http://", "https://"))  # a URL the spec's curl example can fetch
    assert client.download_image(job["image"]) == site.files["/frame.png"][0]
    finish_job(server, job_id, annotator, reviewer)  # the human workers' part, outside the spec
    done = client.job_status(project_id, job_id)
    assert done["status"] == "done" and done["annotations"]
    assert done["start_date"] and done["finish_date"] and done["create_date"] <= done["finish_date"]
    # The webhook is sent in the background: poll the receiving site with a deadline.
    headers, body = wait_for(lambda: site.received("/hook"))[0]
    assert headers.get("X-Hook-Token") == "s3cret"
    assert body == done  # "The results will be the same as in the response of the Job Status endpoint."


def test_hitl_job_cancel(hitl):
    server, site, client = hitl
    project_id, _, _ = active_project(server, site, client)
    job_id = client.create_job(project_id, [site.url + "/frame.png"])
    answer = client.cancel_job(project_id, job_id)
    assert [(j["job_id"], j["status"]) for j in answer] == [(job_id, "canceled")]
    assert client.job_status(project_id, job_id)["status"] == "canceled"


def test_hitl_bulk_status_lists_every_job(hitl):
    """150 jobs: more than one page of any usual default page size, and the spec pages nothing."""
    server, site, client = hitl
    project_id, _, _ = active_project(server, site, client)
    made = {client.create_job(project_id, [site.url + "/frame.png"]) for _ in range(150)}
    listed = client.jobs(project_id)
    assert isinstance(listed, list) and {j["job_id"] for j in listed} == made
    assert all(j["status"] in JOB_STATUSES and j["project_id"] == project_id for j in listed)


def metric_totals(answer, project_id):
    """The project's counts summed over its period groups (a project left out counts nothing)."""
    totals = {}
    for entry in answer:
        if entry["project_id"] == project_id:
            for group in entry["metrics"]:
                for name, value in group.items():
                    if name.startswith("jobs_"):
                        totals[name] = totals.get(name, 0) + value
    return totals


def test_hitl_metrics(hitl):
    server, site, client = hitl
    project_id, annotator, reviewer = active_project(server, site, client, "measured")
    jobs = [client.create_job(project_id, [site.url + "/frame.png"]) for _ in range(4)]
    finish_job(server, jobs[0], annotator, reviewer)
    client.cancel_job(project_id, jobs[1])
    idle_id = client.create_project("idle", site.url + "/instructions.pdf")

    by_day = client.metrics(period_group_level="day", project_ids=[project_id])
    assert [(e["project_id"], e["project_name"], e["period_group_level"]) for e in by_day] == \
        [(project_id, "measured", "day")]
    assert metric_totals(by_day, project_id) == {"jobs_all": 4, "jobs_done": 1, "jobs_new": 2, "jobs_progress": 0,
                                                 "jobs_error": 0, "jobs_expired": 0, "jobs_canceled": 1}
    group = by_day[0]["metrics"][0]
    timings = [group[f"{kind}_{name}"] for name in ("seconds_to_finish_job", "job_lifespan_seconds")
               for kind in ("min", "avg", "max")]
    assert all(isinstance(t, int) for t in timings), timings  # the spec: int, for the "done" job

    default = client.metrics()  # every project of the account, grouped by month
    assert {e["project_id"] for e in default} == {project_id, idle_id}
    assert all(e["period_group_level"] == "month" for e in default)
    assert all(g["period_group_start"].endswith("-01") for e in default for g in e["metrics"])

    window = {"period_start_date": utc_day(-2), "period_end_date": utc_day(2)}
    assert metric_totals(client.metrics(**window), project_id)["jobs_all"] == 4
    for outside in ({"period_start_date": utc_day(2)}, {"period_end_date": utc_day(-2)}):
        assert metric_totals(client.metrics(**outside), project_id).get("jobs_all", 0) == 0
    assert {"day", "week", "month", "year"} == GROUP_LEVELS
    for level in sorted(GROUP_LEVELS):
        assert metric_totals(client.metrics(period_group_level=level), project_id)["jobs_all"] == 4
    # "If not provided, all projects": an empty list is not providing one.
    assert {e["project_id"] for e in client.metrics(project_ids="")} == {project_id, idle_id}


# ---- JTheta (the routes as jtheta-api.md spells them; the SDK's own paths are in test_jtheta_sdk.py) --

def test_jtheta_spec_routes(server):
    key = server.create_account("spec-jtheta")
    client = JThetaClient(server.url, key)
    client.validate_key()
    assert client.last_status == 200
    client.create_project("Retinal Dataset", "Medical Imaging")
    assert client.last_status == 201
    dataset = client.create_dataset("TumorSlides", "Retinal Dataset", [("slide1.png", png(20, 10)),
                                                                       ("slide2.jpg", jpeg(12, 8))], license="CC0")
    assert client.last_status == 201
    dataset_id = ident(dataset, "dataset_id")  # "dataset_id: numeric ID" is what the upload asks for
    assert isinstance(dataset_id, int)
    client.upload_images_to_dataset(dataset_id, "Retinal Dataset", [("slide3.png", png(8, 8))])
    labels = [{"label": "Tumor", "type": "polygon"}, {"label": "Blood Vessel", "type": "bounding_box"}]
    client.request_annotation(dataset_id, "Retinal Dataset", "alice@domain.com", "bob@domain.com", labels)
    assert client.last_status == 200
    assert isinstance(client.get_annotation_status("Retinal Dataset"), dict)
    location = client.export_download_url()
    assert location.startswith(("http://", "https://"))  # a redirect a plain curl can follow
    assert requests.get(location, timeout=30).content
    client.delete_project("Retinal Dataset")
    with pytest.raises(JThetaError) as caught:
        client.get_annotation_status("Retinal Dataset")
    assert caught.value.status == 404


def test_jtheta_spec_statuses(server):
    """The page's documented failures: 401 for a missing or invalid key, 400 for missing fields."""
    key = server.create_account("spec-jtheta-errors")
    for call in (lambda c: c.validate_key(), lambda c: c.create_project("P", "C")):
        with pytest.raises(JThetaError) as caught:
            call(JThetaClient(server.url, "not-a-key"))
        assert caught.value.status == 401
    with pytest.raises(JThetaError) as caught:
        JThetaClient(server.url, key).create_project("", "")
    assert caught.value.status == 400
