"""Resources/quarry.service, judged by systemd's own tools: `systemd-analyze verify` accepts it, its exposure
score stays low, and every system call the server makes while it serves all three APIs, trains, evaluates,
exports and delivers a webhook is one its SystemCallFilter allows (traced with strace)."""
import os
import re
import signal
import subprocess

import pytest
import requests

from conftest import BINARY, ROOT, Server
from hitl_support import FAST, active_project, admin_header, create_job, finish_job, wait_for
from images import png
from test_jtheta import create_dataset, create_project
from test_studio_evaluation import evaluated
from test_studio_model_export import exported
from test_studio_runs import auth, colour_project, trained

UNIT = os.path.join(ROOT, "Resources", "quarry.service")
# `quarry worker`'s unit (docs/scale-out.md), held to the same checks of systemd's.
UNITS = [UNIT, os.path.join(ROOT, "Resources", "quarry-worker.service")]
# systemd-analyze scores exposure from 0 (locked down) to 10; the unit keeps what CUDA needs (device nodes,
# /proc/driver/nvidia, W+X pages for the driver's JIT), so it stops short of the minimum.
MOST_EXPOSURE = 2.0


def unit_with_built_binary(tmp_path, unit=UNIT):
    """The unit, with ExecStart pointing at the binary this checkout built (verify checks that it exists) and
    the environment file it may name made (verify checks that too)."""
    path = tmp_path / os.path.basename(unit)
    environment = tmp_path / "quarry.env"
    environment.write_text("")
    path.write_text(open(unit).read().replace("/usr/local/bin/quarry", BINARY).replace("/etc/quarry/quarry.env", str(environment)))
    return str(path)


def directives(name, unit=UNIT):
    return [line.split("=", 1)[1] for line in open(unit).read().splitlines() if line.startswith(name + "=")]


def expanded(group, seen):
    """The system call names a filter group stands for, its nested groups included."""
    listing = subprocess.run(["systemd-analyze", "syscall-filter", group], capture_output=True, text=True, check=True)
    names = set()
    for line in listing.stdout.splitlines()[1:]:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("@"):
            if entry not in seen:
                seen.add(entry)
                names |= expanded(entry, seen)
        else:
            names.add(entry)
    return names


def allowed_calls():
    allowed = set()
    for value in directives("SystemCallFilter"):
        assert not value.startswith("~"), "the test reads allow lists only"
        for entry in value.split():
            allowed |= expanded(entry, set()) if entry.startswith("@") else {entry}
    return allowed


@pytest.mark.parametrize("unit", UNITS, ids=os.path.basename)
def test_systemd_accepts_the_unit(tmp_path, unit):
    verify = subprocess.run(["systemd-analyze", "verify", unit_with_built_binary(tmp_path, unit)], capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stderr.strip() == "", verify.stderr


@pytest.mark.parametrize("unit", UNITS, ids=os.path.basename)
def test_the_unit_is_locked_down(tmp_path, unit):
    security = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit_with_built_binary(tmp_path, unit)],
                              capture_output=True, text=True)
    score = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout).group(1))
    assert score <= MOST_EXPOSURE, security.stdout
    for directive in ["NoNewPrivileges", "ProtectSystem", "ReadWritePaths", "CapabilityBoundingSet"]:
        assert directives(directive, unit), directive
    assert directives("ProtectSystem", unit) == ["strict"] and directives("User", unit) == ["quarry"]


def traced_pid(tracer):
    """The server strace started: the tracer's only child."""
    children = wait_for(lambda: open(f"/proc/{tracer}/task/{tracer}/children").read().split(), timeout=10)
    return int(children[0])


def serve_everything(server, site):
    """One pass over what a production server does: the HITL loop with its webhook, a JTheta upload, and a
    Studio project trained, evaluated and exported to ONNX, with the admin metrics scraped."""
    key = server.create_account("syscalls")
    project_id, annotator, reviewer = active_project(server, site, key)
    job_id = create_job(server, site, key, project_id, webhook_url=site.url + "/hook")
    finish_job(server, job_id, annotator, reviewer)
    wait_for(lambda: site.received("/hook"), timeout=60)
    assert create_project(server, key, "Frames").status_code == 201
    assert create_dataset(server, key, "Frames", "All", [("a.png", png())]).status_code == 201
    studio = colour_project(server, key)
    exp_id, run_id = trained(server, key, studio)
    body = {"experiment_id": exp_id, "run_id": run_id}
    evaluation = requests.post(server.url + f"/api/evaluation/{studio}", json=body, headers=auth(key))
    assert evaluation.status_code == 201, evaluation.text
    assert evaluated(server, key, studio, evaluation.json()["data"]["eval_id"])["status"] == "completed"
    assert exported(server, key, studio, {**body, "format": "onnx"})["status"] == "completed"
    assert requests.get(server.url + "/metrics", headers=admin_header()).status_code == 200


def test_every_system_call_the_server_makes_is_one_the_unit_allows(tmp_path, site):
    if subprocess.run(["strace", "-o", os.devnull, "true"], capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow ptrace, so strace cannot trace the server")
    summary = tmp_path / "calls"
    server = Server(launcher=["strace", "-f", "-qq", "-c", "-o", str(summary)], **FAST)
    try:
        serve_everything(server, site)
        os.kill(traced_pid(server.process.pid), signal.SIGTERM)
        server.process.wait(timeout=60)
    finally:
        server.stop()
    made = {line.split()[-1] for line in summary.read_text().splitlines()
            if re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+", line)} - {"total"}
    assert len(made) > 30, summary.read_text()
    assert made <= allowed_calls(), sorted(made - allowed_calls())
