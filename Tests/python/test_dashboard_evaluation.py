"""The dashboard's evaluations, driven from the page in headless Chromium at 1280×800: a classifier trained briefly
(through the API) on three noisy colour classes, one named like markup, so that it makes mistakes. From the New
evaluation dialog, by keyboard, the page gets the server's own refusals in place (a batch size of 0, a run still
training), then starts an evaluation; a reload while it waits its turn (behind a large evaluation of another
project) finds it again from the list and follows it to the end. The confusion matrix equals the API's; an
off-diagonal cell, opened by keyboard, shows exactly that cell's images; the error gallery sorts by confidence and
marks the wrong predictions; the markup-named class is text. The API is read only to judge what the page shows.
A detector's evaluation shows its mAP, each class's AP, and its boxes drawn over each image of the gallery.
Screenshots go to .build/test-artifacts/ (dashboard-evaluation-*.png)."""
import io
import os
import random
import zipfile

import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from hitl_support import wait_for
from images import png
from test_dashboard_projects import detection_import, dialog_open, focused, sign_in, wait
from test_studio_evaluation import all_results, evaluated
from test_studio_runs import auth, experiment, trained
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)

GALLERY = """return [...document.querySelectorAll('#gallery figure.result')].map(f => ({
  filename: f.dataset.filename, truth: f.dataset.truth, prediction: f.dataset.prediction,
  correct: f.dataset.correct === 'true', confidence: Number(f.dataset.confidence), wrong: f.classList.contains('wrong'),
  marked: !!f.querySelector('.result-mark'), drawn: f.querySelector('canvas').dataset.drawn || null}))"""


def imported(server, key, name, folders, ratios):
    """A classification project from a ZIP of class folders ({class: [png bytes]}), split by `ratios`."""
    project_id = requests.post(server.url + "/api/projects", json={"name": name}, headers=auth(key)).json()["data"]["id"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for folder, images in folders.items():
            for i, data in enumerate(images):
                z.writestr(f"{folder}/{folder[:3]}-{i:04}.png", data)
    job = requests.post(server.url + f"/api/datasets/{project_id}/import/upload", files={"file": ("c.zip", out.getvalue())},
                        headers=auth(key)).json()["data"]
    wait_for(lambda: requests.get(server.url + f"/api/datasets/{project_id}/imports/{job['id']}", headers=auth(key)).json()["data"]["status"]
             == "done", timeout=120)
    train, val, test = ratios
    split = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": train, "val": val, "test": test},
                                                                         "seed": 1}, headers=auth(key))
    assert split.status_code == 201, split.text
    return project_id


def noisy_colours(server, key):
    """Reds, oranges and blues (the blues' folder named like markup) with noise: a briefly trained model errs."""
    rng = random.Random(7)
    folders = {}
    for name, colour in [("red", (200, 40, 30)), ("orange", (210, 110, 30)), (MARKUP, (30, 40, 200))]:
        folders[name] = [png(8, 8, tuple(min(255, max(0, c + rng.randint(-70, 70))) for c in colour)) for _ in range(30)]
    return imported(server, key, "noisy", folders, (0.6, 0.2, 0.2))


def large_queue(server, key):
    """1,500 distinct images under a model at 40×40: an evaluation of it takes seconds, and evaluations run one at a time."""
    images = [png(8, 8, (i % 256, i // 256, 90)) for i in range(1500)]
    project_id = imported(server, key, "queue", {"a": images[::2], "b": images[1::2]}, (0.02, 0.02, 0.96))
    return project_id, trained(server, key, project_id, epochs=1, image_size=40)


# Until restored, the page's fetch answers every read of one evaluation of project arguments[0] (not the list, not
# its results) with the server's error envelope, as a server failing mid-evaluation would.
FAIL_POLLS = """const pid = arguments[0];
window.realFetch = window.realFetch || window.fetch;
window.fetch = (path, options) => {
  if ((!options || options.method === 'GET') && new RegExp('^/api/evaluation/' + pid + '/[^/?]+$').test(String(path)))
    return Promise.resolve(new Response(JSON.stringify({status: 'error', error: {message: 'poll refused by the test'}}),
      {status: 503, headers: {'Content-Type': 'application/json'}}));
  return window.realFetch(path, options);
};"""


def shown_text(driver, element_id):
    element = driver.find_element(By.ID, element_id)
    return element.text if element.is_displayed() else ""


def open_dialog(driver):
    driver.find_element(By.ID, "new-evaluation").click()
    wait(driver, lambda d: dialog_open(d, "evaluation-dialog") and focused(d) == "evaluation-run")
    wait(driver, lambda d: d.find_element(By.ID, "evaluation-submit").is_enabled())


def submit_refused(driver, expected):
    driver.find_element(By.ID, "evaluation-batch").send_keys(Keys.ENTER)
    error = wait(driver, lambda d: (lambda e: e if e.is_displayed() and e.text else None)(d.find_element(By.ID, "evaluation-error-message")))
    assert expected(error.text), error.text
    assert dialog_open(driver, "evaluation-dialog")
    return error.text


def cells(driver):
    return driver.execute_script("return [...document.querySelectorAll('#confusion tbody tr')].map(tr => "
                                 "[...tr.querySelectorAll('td button.cell')].map(b => Number(b.textContent)))")


def test_an_evaluation_is_made_followed_and_read_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-evaluation")
    project_id = noisy_colours(server, key)
    exp_id, run_id = trained(server, key, project_id, epochs=1, optimizer={"name": "sgd", "lr": 0.002})
    queue_id, (queue_exp, queue_run) = large_queue(server, key)

    sign_in(browser, server, key)
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, f'#projects .project[data-id="{project_id}"]')).click()
    wait(browser, lambda d: d.find_element(By.ID, "evaluations-empty").is_displayed())

    # Refusals, in the dialog, in the server's words: a batch size of 0, then a run still training.
    open_dialog(browser)
    assert [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "evaluation-run")).options] == [run_id]
    assert Select(browser.find_element(By.ID, "evaluation-subset")).first_selected_option.text == "test (18 images)"
    batch = browser.find_element(By.ID, "evaluation-batch")
    batch.clear()
    batch.send_keys("0")
    submit_refused(browser, lambda text: text.startswith("batch_size") and "1024" in text.replace(",", ""))
    assert browser.find_element(By.ID, "evaluation-batch").get_attribute("aria-invalid") == "true"
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation-refused.png"))
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "evaluation-dialog") and focused(d) == "new-evaluation")
    slow_exp = experiment(server, key, project_id, name="slow", epochs=1000)
    slow_run = requests.post(server.url + f"/api/training/{project_id}/experiments/{slow_exp}/run", headers=auth(key)).json()["data"]["run_id"]
    try:
        open_dialog(browser)
        Select(browser.find_element(By.ID, "evaluation-run")).select_by_value(slow_run)
        submit_refused(browser, lambda text: "still" in text and slow_run in text)
    finally:
        requests.post(server.url + f"/api/training/{project_id}/runs/{slow_run}/stop", headers=auth(key))
    assert not browser.find_elements(By.CSS_SELECTOR, "#evaluation-list li")

    # A large evaluation of another project holds the queue; this one, started from the page, waits its turn.
    blocker = requests.post(server.url + f"/api/evaluation/{queue_id}", json={"experiment_id": queue_exp, "run_id": queue_run, "batch_size": 1},
                            headers=auth(key))
    assert blocker.status_code == 201, blocker.text
    Select(browser.find_element(By.ID, "evaluation-run")).select_by_value(run_id)
    Select(browser.find_element(By.ID, "evaluation-checkpoint")).select_by_value("last")
    batch = browser.find_element(By.ID, "evaluation-batch")
    batch.clear()
    batch.send_keys("16", Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "evaluation-dialog") and d.find_elements(By.CSS_SELECTOR, "#evaluation-list li.evaluation"))
    eval_id = browser.find_element(By.CSS_SELECTOR, "#evaluation-list li.evaluation").get_attribute("data-id")
    assert browser.execute_script("return document.activeElement.dataset.id") == eval_id
    browser.refresh()
    progress = wait(browser, lambda d: (lambda p: p if p.is_displayed() and ("turn" in p.text or "Evaluating" in p.text) else None)(
        d.find_element(By.ID, "evaluation-progress-text")))
    assert browser.find_element(By.CSS_SELECTOR, "#evaluation-list li.active").get_attribute("data-id") == eval_id, progress.text
    browser.execute_script("document.getElementById('evaluations').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation-progress.png"))
    wait(browser, lambda d: d.find_element(By.ID, "evaluation-report").is_displayed(), timeout=120)
    assert not browser.find_element(By.ID, "evaluation-progress").is_displayed()

    # What the page shows is what the API says (read here only to judge it).
    evaluation = requests.get(server.url + f"/api/evaluation/{project_id}/{eval_id}", headers=auth(key)).json()["data"]
    assert (evaluation["status"], evaluation["checkpoint"], evaluation["batch_size"], evaluation["split_subset"]) == ("completed", "last", 16, "test")
    report = evaluation["results"]
    assert cells(browser) == report["confusion_matrix"]
    assert f"accuracy {report['accuracy'] * 100:.1f}%" in browser.find_element(By.ID, "evaluation-summary").text
    rows = all_results(server, key, project_id, eval_id)["results"]
    classes = [c["class_name"] for c in report["per_class"]]
    assert MARKUP in classes
    # The markup-named class is text in the matrix, the table and the gallery; no element was made of it.
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#confusion thead th")][1:]
    assert headers == classes
    assert browser.execute_script("return document.querySelectorAll('#evaluations img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text

    # An off-diagonal cell, by keyboard, opens exactly its images.
    wrong = [(i, j) for i, row in enumerate(report["confusion_matrix"]) for j, n in enumerate(row) if i != j and n > 0]
    assert wrong, report["confusion_matrix"]
    i, j = max(wrong, key=lambda cell: report["confusion_matrix"][cell[0]][cell[1]])
    button = browser.find_elements(By.CSS_SELECTOR, "#confusion tbody tr")[i].find_elements(By.CSS_SELECTOR, "td button.cell")[j]
    browser.execute_script("arguments[0].focus()", button)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    expected = sorted(r["filename"] for r in rows if r["ground_truth"] == classes[i] and r["prediction"] == classes[j])
    shown = wait(browser, lambda d: (lambda g: g if sorted(f["filename"] for f in g) == expected else None)(d.execute_script(GALLERY)))
    assert all(f["truth"] == classes[i] and f["prediction"] == classes[j] and f["wrong"] and f["marked"] for f in shown)
    assert focused(browser) == "gallery-title"
    assert browser.find_element(By.ID, "gallery-cell-text").text == f"True {classes[i]}, predicted {classes[j]}"
    wait(browser, lambda d: all(f["drawn"] == "true" for f in d.execute_script(GALLERY)))
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation-cell.png"))

    # Every image again, sorted by confidence: the API's order, the wrong ones marked.
    browser.find_element(By.ID, "gallery-cell-clear").click()
    Select(browser.find_element(By.ID, "gallery-sort")).select_by_value("confidence")
    by_confidence = all_results(server, key, project_id, eval_id, sort_by="confidence")["results"][:24]
    shown = wait(browser, lambda d: (lambda g: g if [f["filename"] for f in g] == [r["filename"] for r in by_confidence] else None)(
        d.execute_script(GALLERY)))
    assert [f["confidence"] for f in shown] == sorted((f["confidence"] for f in shown), reverse=True)
    assert all(f["wrong"] == f["marked"] == (not f["correct"]) for f in shown)
    assert any(f["wrong"] for f in shown) or all(r["correct"] for r in by_confidence)
    assert browser.find_element(By.ID, "gallery-count").text.endswith(f"{len(rows)} images, {sum(not r['correct'] for r in rows)} wrong")
    browser.execute_script("document.getElementById('evaluation-summary').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation.png"))
    browser.execute_script("document.getElementById('error-gallery').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation-gallery.png"))

    # A failed poll's message stays with the evaluation it was about: a second evaluation whose reads fail shows the
    # server's words under it, and the completed one selected meanwhile shows neither them nor a progress bar.
    browser.execute_script(FAIL_POLLS, project_id)
    open_dialog(browser)
    Select(browser.find_element(By.ID, "evaluation-run")).select_by_value(run_id)
    browser.find_element(By.ID, "evaluation-batch").send_keys(Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "evaluation-dialog") and len(d.find_elements(By.CSS_SELECTOR, "#evaluation-list li")) == 2)
    second = browser.find_element(By.CSS_SELECTOR, "#evaluation-list li.active").get_attribute("data-id")
    assert second != eval_id
    wait(browser, lambda d: "poll refused by the test" in shown_text(d, "evaluation-progress-text"))
    assert browser.find_element(By.ID, "evaluation-progress-bar").is_displayed()
    browser.find_element(By.CSS_SELECTOR, f'#evaluation-list li[data-id="{eval_id}"]').click()
    wait(browser, lambda d: d.find_element(By.ID, "evaluation-report").is_displayed())
    browser.execute_script("return new Promise(r => setTimeout(r, 2500))")  # polls of the second one fail meanwhile
    assert not browser.find_element(By.ID, "evaluation-progress").is_displayed()
    assert "poll refused" not in browser.find_element(By.ID, "evaluation-detail").text
    browser.find_element(By.CSS_SELECTOR, f'#evaluation-list li[data-id="{second}"]').click()
    wait(browser, lambda d: "poll refused by the test" in shown_text(d, "evaluation-progress-text"))
    # Once its reads succeed again, it is followed to its end and the message goes with the bar.
    browser.execute_script("window.fetch = window.realFetch")
    wait(browser, lambda d: d.find_element(By.ID, "evaluation-report").is_displayed(), timeout=60)
    assert not browser.find_element(By.ID, "evaluation-progress").is_displayed()
    assert "poll refused" not in browser.find_element(By.ID, "evaluation-detail").text


def test_a_detectors_evaluation_shows_its_boxes(server, browser):
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-evaluation-boxes")
    detection_import(server, key)
    project_id = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"][0]["id"]
    split = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": 0.5, "val": 0.5}, "seed": 1},
                          headers=auth(key))
    assert split.status_code == 201, split.text
    exp_id, run_id = trained(server, key, project_id, model="fcos_resnet18", width=0.25, image_size=64, epochs=1, batch_size=2)
    created = requests.post(server.url + f"/api/evaluation/{project_id}", json={"experiment_id": exp_id, "run_id": run_id, "split_subset": "train"},
                            headers=auth(key)).json()["data"]
    report = evaluated(server, key, project_id, created["eval_id"])["results"]
    rows = all_results(server, key, project_id, created["eval_id"])["results"]

    sign_in(browser, server, key)
    wait(browser, lambda d: d.find_element(By.ID, "evaluation-report").is_displayed())
    assert f"mAP {report['map'] * 100:.1f}%" in browser.find_element(By.ID, "evaluation-summary").text
    assert not browser.find_element(By.ID, "confusion-part").is_displayed()
    per_class = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in browser.find_elements(By.CSS_SELECTOR, "#per-class tbody tr")]
    assert per_class == [["square", f"{report['ap']['square']:.3f}"]]
    assert browser.find_element(By.ID, "gallery-legend").is_displayed()
    # Each image's boxes (its hits, false detections and misses) are drawn over it.
    boxes = "return Object.fromEntries([...document.querySelectorAll('#gallery figure.result')].map(f => [f.dataset.filename, f.querySelector('canvas').dataset.boxes]))"
    drawn = wait(browser, lambda d: (lambda b: b if len(b) == len(rows) and all(b.values()) else None)(d.execute_script(boxes)))
    assert drawn == {r["filename"]: str(len(r["true_positives"]) + len(r["false_positives"]) + len(r["misses"])) for r in rows}
    assert sum(int(n) for n in drawn.values()) > 0
    browser.execute_script("document.getElementById('error-gallery').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation-boxes.png"))
