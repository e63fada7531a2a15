"""Export and the loop, driven from the dashboard in headless Chromium at 1280×800. Set up through the API: a project
of 24 reds and 24 blues and a small CNN trained on it by an experiment named like markup. From the page alone: a
state-dict format the small CNN cannot take is refused with the server's message under the form; an ONNX export at
opset 13 with a dynamic batch and simplification is followed to its download link (file name and size), and the file,
fetched with the page's cookie, runs in onnxruntime on a batch of two; an export queued behind others survives a
reload mid-way and is followed to its file, the list updated in place (a focused download link keeps its focus);
the form and the pre-labeler offer the runs the runs list read (no read of their own); the run is named the project's pre-labeler, and the tasks of a JTheta
annotation request (sent through the API) are listed with the model's class for each image, read again in place and
not at all while the tab is in the background. The experiment's name
shows as text everywhere. Screenshots go to .build/test-artifacts/dashboard-export-*.png."""
import contextlib
import io
import json
import os
import sqlite3
import threading

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import requests
from PIL import Image
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from images import png
from test_dashboard_projects import sign_in
from test_studio_runs import auth, experiment, finished, import_colours
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)

# The exports as the page lists them, read from the DOM.
EXPORTS = """return [...document.querySelectorAll('#export-list > li')].map(li => {
  const link = li.querySelector('a.download'), text = (s) => { const n = li.querySelector(s); return n ? n.textContent : null; };
  return {id: li.dataset.id, status: li.dataset.status, format: text('.item-id'), size: text('.item-figure'), meta: text('.item-meta'),
          progress: !!li.querySelector('progress'), link: link && link.textContent, href: link && link.href, error: text('.item-error')};
})"""

# The pre-labeled tasks as the page lists them: each with its images' file names and labels.
JOBS = """return [...document.querySelectorAll('#prelabel-jobs > li')].map(li => ({task: li.dataset.task, status: li.dataset.status,
  images: [...li.querySelectorAll('.prelabel-image')].map(r => [r.querySelector('.prelabel-file').textContent,
                                                              r.querySelector('.prelabel-labels').textContent])}))"""

REFUSAL = "format pytorch is not available: only resnet18 and mobilenet_v2 runs have a torchvision network of the same name, not small_cnn"


def wait(driver, condition, timeout=20):
    return WebDriverWait(driver, timeout).until(condition)


def exports(driver):
    return driver.execute_script(EXPORTS)


# poll.js's own poller in the page: rounds counted while shown, while hidden (at most the one already under
# way), and after showing again; each phase ends on a count or a bound 20 rounds long.
POLL_IN_BACKGROUND = """const done = arguments[arguments.length - 1];
import('/dashboard/poll.js').then(async ({ createPoller }) => {
  const tick = () => new Promise(r => setTimeout(r, 10));
  let rounds = 0;
  const poller = createPoller(async () => { rounds++; return 10; });
  poller.start();
  while (rounds < 3) await tick();
  const before = rounds;
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
  for (let i = 0; i < 20; i++) await tick();
  const hidden = rounds - before;
  delete document.hidden;
  document.dispatchEvent(new Event('visibilitychange'));
  const shown = rounds;
  while (rounds === shown) await tick();
  poller.stop();
  done({ before, hidden, after: rounds - shown });
});"""


def reads(driver, path):
    """How many requests for `path` the page has made since its resource timings were last cleared."""
    return driver.execute_script("return performance.getEntriesByType('resource')"
                                 ".filter(e => new URL(e.name).pathname === arguments[0]).length", path)


def shot(driver, element_id, name):
    driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'start'})", element_id)
    driver.save_screenshot(os.path.join(ARTIFACTS, f"dashboard-export-{name}.png"))


def choose(driver, select_id, value):
    Select(driver.find_element(By.ID, select_id)).select_by_value(value)


def trained_colours(server, key):
    """A classification project of reds and blues and a completed small CNN run whose experiment is named MARKUP."""
    project_id = requests.post(server.url + "/api/projects", json={"name": "colours"}, headers=auth(key)).json()["data"]["id"]
    import_colours(server, key, project_id, ratios=(0.8, 0.2, 0))
    exp_id = experiment(server, key, project_id, name=MARKUP, epochs=4)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    run = finished(server, key, project_id, run_id)
    assert run["status"] == "completed" and run["best_val_accuracy"] == 1, run
    return project_id, exp_id, run_id


def blob_bytes(data, blob):
    """A blob of the server's local store: a row of blobs/inline.sqlite, or a file named by its id."""
    with contextlib.closing(sqlite3.connect(os.path.join(data, "blobs", "inline.sqlite"), timeout=10)) as db:
        row = db.execute("SELECT data FROM inline_blobs WHERE id = ?", (blob,)).fetchone()
    if row:
        return bytes(row[0])
    (path,) = [os.path.join(folder, blob) for folder, _, files in os.walk(os.path.join(data, "blobs")) if blob in files]
    with open(path, "rb") as f:
        return f.read()


class stalled_checkpoint:
    """The run's last checkpoint as a named pipe: whatever reads it waits until `release` writes the bytes in
    (from a thread, as opening a pipe to write waits for its reader), then the file is put back whole. The
    checkpoint is a blob, which no pipe can stand in for, so it is moved to where a Quarry from before kept
    checkpoints, a file of the run's folder, which Quarry reads when the run's row names no blob."""

    def __init__(self, server, run_id):
        with contextlib.closing(sqlite3.connect(os.path.join(server.data, "quarry.sqlite"), timeout=10)) as db, db:
            (blob,) = db.execute("SELECT last_checkpoint_blob FROM runs WHERE id = ?", (run_id,)).fetchone()
            db.execute("UPDATE runs SET last_checkpoint_blob = NULL WHERE id = ?", (run_id,))
        self.data = blob_bytes(server.data, blob)
        self.path = os.path.join(server.data, "runs", run_id, "last.ckpt")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        os.mkfifo(self.path)

    def release(self):
        def write():
            with open(self.path, "wb") as pipe:
                pipe.write(self.data)
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=30)
        restored = self.path + ".restored"
        with open(restored, "wb") as f:
            f.write(self.data)
        os.replace(restored, self.path)


def runs_in_onnxruntime(data, size_text, entry):
    """The downloaded file: opset 13, a symbolic batch, and the right colour for a red and a blue."""
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 13
    metadata = {p.key: p.value for p in model.metadata_props}
    classes, norm = json.loads(metadata["classes"]), json.loads(metadata["normalization"])
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert isinstance(session.get_inputs()[0].shape[0], str)  # the dynamic batch
    mean, std = np.array(norm["mean"], np.float32), np.array(norm["std"], np.float32)
    batch = []
    for colour in [(220, 20, 20), (20, 20, 220)]:
        image = np.asarray(Image.open(io.BytesIO(png(8, 8, colour))).convert("RGB"), np.float32) / 255
        batch.append(((image - mean) / std).transpose(2, 0, 1))
    (logits,) = session.run(None, {"input": np.stack(batch).astype(np.float32)})
    assert [classes[i] for i in logits.argmax(1)] == ["red", "blue"], (classes, logits)
    assert entry["size"] in size_text


def test_export_and_the_loop_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-export")
    project_id, exp_id, run_id = trained_colours(server, key)

    sign_in(browser, server, key)
    # The run is offered by its experiment's name, as text: no element is made of it.
    wait(browser, lambda d: any(MARKUP in o.text for o in Select(d.find_element(By.ID, "export-run")).options))
    wait(browser, lambda d: len(Select(d.find_element(By.ID, "export-format")).options) == 4)
    assert [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "export-format")).options] == \
        ["onnx", "quarry", "pytorch", "safetensors"]
    assert Select(browser.find_element(By.ID, "export-run")).first_selected_option.text == f"{run_id} · {MARKUP} · completed · best accuracy 100.0%"
    # The export form and the pre-labeler offer the runs the runs list read: the project's runs were read twice,
    # by the project list's summary and by the runs list, not once more per section.
    wait(browser, lambda d: len(Select(d.find_element(By.ID, "prelabeler-run")).options) == 1 and d.find_element(By.ID, "prelabeler-current").text)
    assert 1 <= reads(browser, f"/api/training/{project_id}/runs") <= 2
    assert browser.execute_script("return document.querySelectorAll('#exports img, #prelabeler img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text

    # A state dict of a small CNN: the server's refusal, under the form; the options are ONNX's alone.
    choose(browser, "export-format", "pytorch")
    assert not browser.find_element(By.ID, "export-options").is_displayed()
    browser.find_element(By.ID, "export-submit").click()
    error = wait(browser, lambda d: (lambda e: e if e.is_displayed() and e.text else None)(d.find_element(By.ID, "export-form-error")))
    assert error.text == REFUSAL
    assert exports(browser) == []
    # Refused, the form can be sent again: the button follows the same rule as when the form was filled.
    wait(browser, lambda d: d.find_element(By.ID, "export-submit").is_enabled())
    shot(browser, "exports", "refused")

    # ONNX at opset 13 with a dynamic batch, simplified: Enter in the opset field submits.
    choose(browser, "export-format", "onnx")
    wait(browser, lambda d: d.find_element(By.ID, "export-options").is_displayed())
    assert "ONNX" in browser.find_element(By.ID, "export-format-note").text
    browser.find_element(By.ID, "export-dynamic").click()
    browser.find_element(By.ID, "export-simplify").click()
    browser.find_element(By.ID, "export-opset").send_keys("13", Keys.ENTER)
    done = wait(browser, lambda d: (lambda xs: xs[0] if xs and xs[0]["link"] else None)(exports(d)), timeout=60)
    assert not browser.find_element(By.ID, "export-form-error").is_displayed()
    assert (done["status"], done["format"], done["progress"]) == ("completed", "onnx", False), done
    assert run_id in done["meta"] and "opset 13" in done["meta"] and "dynamic batch" in done["meta"] and "simplified" in done["meta"]
    assert done["link"].endswith(f"-{run_id}-best.onnx") and done["size"].endswith("KB"), done
    shot(browser, "exports", "completed")
    # The link, fetched with the page's own cookie.
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    download = requests.get(done["href"], cookies=cookies)
    assert download.status_code == 200 and done["link"] in download.headers["Content-Disposition"]
    runs_in_onnxruntime(download.content, f"{len(download.content) / 1024:.1f} KB", done)

    # A reload mid-export. The run's last checkpoint is swapped for a named pipe, so the export that copies it
    # (an ONNX file of it) stays running until the test writes the bytes in: the page is reloaded meanwhile,
    # finds the export in the list, shows its progress, and follows it to its file once the pipe delivers.
    checkpoint = stalled_checkpoint(server, run_id)
    choose(browser, "export-checkpoint", "last")
    browser.find_element(By.ID, "export-submit").click()
    wait(browser, lambda d: len(exports(d)) == 2 and exports(d)[-1]["progress"])
    browser.refresh()
    waiting = wait(browser, lambda d: (lambda xs: xs[-1] if len(xs) == 2 and xs[-1]["progress"] else None)(exports(d)))
    assert waiting["format"] == "onnx" and waiting["status"] == "running", waiting
    shot(browser, "exports", "progress")
    # The list is read every second meanwhile, and updated in place: the finished export's download link,
    # focused from the keyboard's point of view, keeps its focus (and its entry stays the same node).
    browser.execute_script("const a = document.querySelector('#export-list > li a.download'); a.focus(); "
                           "a.closest('li').quarryMark = 1; performance.clearResourceTimings();")
    wait(browser, lambda d: reads(d, f"/api/export/{project_id}") >= 2, timeout=10)
    focused = ("const a = document.activeElement; return !!a && a.matches('#export-list > li a.download') "
               "&& a.closest('li').quarryMark === 1 && a.closest('li') === document.querySelector('#export-list > li');")
    assert browser.execute_script(focused)
    checkpoint.release()
    last = wait(browser, lambda d: (lambda xs: xs[-1] if len(xs) == 2 and xs[-1]["link"] else None)(exports(d)), timeout=30)
    assert last["id"] == waiting["id"] and last["link"].endswith(f"-{run_id}-last.onnx") and not last["progress"], last
    assert browser.execute_script(focused)

    # The loop: the run named the pre-labeler from the page.
    prelabeler = browser.find_element(By.ID, "prelabeler-current")
    wait(browser, lambda d: prelabeler.text == "No pre-labeler: new tasks wait for a person.")
    wait(browser, lambda d: any(MARKUP in o.text for o in Select(d.find_element(By.ID, "prelabeler-run")).options))
    choose(browser, "prelabeler-run", run_id)
    browser.find_element(By.ID, "prelabeler-set").click()
    wait(browser, lambda d: prelabeler.text == f"New tasks are pre-labeled by run {run_id} (best checkpoint, on cpu).")
    assert browser.find_element(By.ID, "prelabeler-clear").is_enabled()
    assert browser.find_element(By.ID, "prelabel-jobs-empty").is_displayed()

    # Set-up through the API: a JTheta annotation request over the project's 48 images.
    images = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"page_size": 500}, headers=auth(key)).json()["data"]["images"]
    request = requests.post(server.url + "/request_annotation/", headers=auth(key), json={
        "dataset_id": images[0]["dataset_id"], "project_name": "colours", "assigned_annotator": "a@quarry.test",
        "assigned_reviewer": "r@quarry.test", "labels": [{"label": "red", "type": "tag"}, {"label": "blue", "type": "tag"}]})
    assert request.status_code == 200 and request.json()["tasks_created"] == 48, request.text

    # The page lists every new task with the model's colour for its image, without a reload.
    jobs = wait(browser, lambda d: (lambda js: js if len(js) == 48 and all(j["status"] == "completed" for j in js) else None)(
        d.execute_script(JOBS)), timeout=60)
    for job in jobs:
        ((name, labels),) = job["images"]
        assert labels.startswith("red " if name.startswith("r") else "blue ") and labels.endswith("%"), job
    assert browser.find_element(By.ID, "prelabel-summary").text == "48 completed · 48 images pre-labeled"
    shot(browser, "prelabeler", "prelabeler")

    # While the pre-labeler is named the list is read every five seconds (poll.js), but not in a background
    # tab: the poller itself, driven at a 10 ms cadence, makes no round while the page is hidden and one at once
    # when it shows again. Back in front, the list is read in place: an unchanged task's entry stays the same node.
    paused = browser.execute_async_script(POLL_IN_BACKGROUND)
    assert paused["before"] >= 3 and paused["hidden"] <= 1 and paused["after"] >= 1, paused
    jobs_path = f"/api/projects/{project_id}/prelabeler/jobs"
    browser.execute_script("document.querySelector('#prelabel-jobs > li').quarryMark = 1; performance.clearResourceTimings(); "
                           "document.dispatchEvent(new Event('visibilitychange'))")
    wait(browser, lambda d: reads(d, jobs_path) >= 1, timeout=8)
    assert browser.execute_script("return document.querySelector('#prelabel-jobs > li').quarryMark === 1")
    assert len(browser.execute_script(JOBS)) == 48

    # A reload shows the same; stopping is one button, and the page says so.
    browser.refresh()
    wait(browser, lambda d: len(d.execute_script(JOBS)) == 48 and d.find_element(By.ID, "prelabeler-current").text.startswith("New tasks"))
    browser.find_element(By.ID, "prelabeler-clear").click()
    wait(browser, lambda d: d.find_element(By.ID, "prelabeler-current").text == "No pre-labeler: new tasks wait for a person.")
    assert browser.find_element(By.ID, "status").text == "Pre-labeling stopped."
    # Usable at 1280×800: the cards' content stays inside them.
    assert browser.execute_script("return ['exports', 'prelabeler'].every(id => { const c = document.getElementById(id); "
                                  "return c.scrollWidth <= c.clientWidth; })")
