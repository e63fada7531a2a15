"""Experiments and runs in the dashboard, driven from the page in headless Chromium at 1280×800 on a small
two-class project set up through the API (with one finished run of an experiment named like markup): the
form lists the project's task's models and preselects the default device; a refused setting shows the
server's message beside its field (on create and on edit); an experiment made from the form starts a run whose
epoch table grows live; a reload mid-run finds the run and follows it on; stop and resume; a second run drawn
on the same axes; a run and an experiment deleted through the confirmation. The test makes no API call for
what it checks. Screenshots go to .build/test-artifacts/."""
import os


import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select

from test_dashboard_projects import dialog_open, entries, focused, press, sign_in, wait
from test_studio_runs import auth, colour_project, trained
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)

EXPERIMENTS = """return [...document.querySelectorAll('#experiment-list .experiment')].map(li => ({
  id: li.dataset.id, name: li.querySelector('.experiment-name').textContent, meta: li.querySelector('.item-meta').textContent,
  error: (li.querySelector('.item-error') || {}).textContent || null}))"""
EPOCHS = "return [...document.querySelectorAll('#epoch-table tbody tr')].map(tr => Number(tr.dataset.epoch))"
ACTIVE_RUN = "const li = document.querySelector('#run-list .run.active'); return li ? li.dataset.id : null"
# The next read of the models is answered 1.5 s late (the first opening's choices arriving after a second opening's).
SLOW_MODELS = """if (!window.realFetch) window.realFetch = window.fetch;
window.slowModels = true;
window.fetch = (path, options) => {
  if (window.slowModels && String(path).startsWith('/api/training/models')) {
    window.slowModels = false;
    return new Promise(resolve => setTimeout(resolve, 1500)).then(() => window.realFetch(path, options))
      .then(response => { window.slowModelsAnswered = true; return response; });
  }
  return window.realFetch(path, options);
}"""
LEGEND = """return [...document.querySelectorAll('#chart-legend .legend-item')].map(li => ({
  run: li.dataset.run, points: Number(li.dataset.points), label: li.textContent}))"""


def run_badge(driver, run_id):
    return driver.find_element(By.CSS_SELECTOR, f'#run-list .run[data-id="{run_id}"] .badge').text


def project_run_line(driver):
    return next(e["run"] for e in entries(driver) if e["active"])


def compare_choice(driver, run_id):
    return next((o.text for o in Select(driver.find_element(By.ID, "compare-run")).options if o.get_attribute("value") == run_id), None)


def experiments(driver):
    return driver.execute_script(EXPERIMENTS)


def experiment_item(driver, name):
    return next((e for e in experiments(driver) if e["name"] == name), None)


def epochs(driver):
    return driver.execute_script(EPOCHS)


def run_status(driver):
    return driver.find_element(By.ID, "run-status").text


def field_error(driver, key):
    node = driver.find_element(By.ID, "exp-" + key.replace(".", "-").replace("_", "-") + "-error")
    return node.text if node.is_displayed() else ""


def set_field(driver, key, value):
    node = driver.find_element(By.ID, "exp-" + key.replace(".", "-").replace("_", "-"))
    node.clear()
    node.send_keys(str(value))
    return node


def open_form(driver, opener):
    opener.click()
    wait(driver, lambda d: dialog_open(d, "experiment-dialog") and focused(d) == "exp-name")
    wait(driver, lambda d: not d.find_element(By.ID, "experiment-loading").is_displayed())


def click_in(driver, experiment_name, selector):
    item = experiment_item(driver, experiment_name)
    driver.find_element(By.CSS_SELECTOR, f'#experiment-list .experiment[data-id="{item["id"]}"] {selector}').click()


def test_experiments_and_runs_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-training")
    project_id = colour_project(server, key)
    _, markup_run = trained(server, key, project_id, name=MARKUP)

    sign_in(browser, server, key)
    # The experiment named like markup, and its run's entry, show the name as text.
    wait(browser, lambda d: [e["name"] for e in experiments(d)] == [MARKUP])
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, f'#run-list .run[data-id="{markup_run}"] .run-experiment').text == MARKUP)
    assert browser.execute_script("return document.querySelectorAll('#runs img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text

    # The form: the classification models only, the server's default device preselected.
    open_form(browser, browser.find_element(By.ID, "new-experiment"))
    model = Select(browser.find_element(By.ID, "exp-model"))
    assert [o.get_attribute("value") for o in model.options] == ["small_cnn", "resnet18", "mobilenet_v2"]
    assert [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "exp-device")).all_selected_options] == ["cpu"]
    assert browser.find_element(By.ID, "exp-split-index").get_attribute("value") == "0"
    browser.find_element(By.ID, "exp-name").send_keys("page run")
    model.select_by_value("small_cnn")
    set_field(browser, "image_size", 8)
    set_field(browser, "batch_size", 8)
    set_field(browser, "optimizer.lr", 0.01)
    Select(browser.find_element(By.ID, "exp-scheduler-name")).select_by_value("none")
    set_field(browser, "epochs", 0).send_keys(Keys.ENTER)
    # Refused: the server's message beside the epochs field, which is marked and focused; the dialog stays.
    wait(browser, lambda d: field_error(d, "epochs") == "epochs must be from 1 to 1000")
    assert dialog_open(browser, "experiment-dialog") and focused(browser) == "exp-epochs"
    assert browser.find_element(By.ID, "exp-epochs").get_attribute("aria-invalid") == "true"
    assert field_error(browser, "name") == ""
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-training-refused.png"))
    set_field(browser, "epochs", 1000).send_keys(Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "experiment-dialog") and experiment_item(d, "page run"))
    assert "small_cnn · 8 px · 1000 epochs · batch 8 · cpu" == experiment_item(browser, "page run")["meta"]

    # Edit: a refused learning rate beside its field, then a saved change.
    click_in(browser, "page run", ".experiment-edit")
    wait(browser, lambda d: dialog_open(d, "experiment-dialog") and focused(d) == "exp-name")
    assert browser.find_element(By.ID, "exp-epochs").get_attribute("value") == "1000"
    set_field(browser, "optimizer.lr", 0).send_keys(Keys.ENTER)
    wait(browser, lambda d: field_error(d, "optimizer.lr") == "optimizer.lr must be above 0 and at most 10")
    set_field(browser, "optimizer.lr", 0.01)
    set_field(browser, "batch_size", 12).send_keys(Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "experiment-dialog") and "batch 12" in experiment_item(d, "page run")["meta"])

    # A new form closed before its choices came, then the edit form: the late choices of the first opening
    # leave the edit's values alone (a new form would take the model's own image size).
    browser.execute_script(SLOW_MODELS)
    browser.find_element(By.ID, "new-experiment").click()
    wait(browser, lambda d: dialog_open(d, "experiment-dialog") and focused(d) == "exp-name")
    press(browser, Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "experiment-dialog") and focused(d) == "new-experiment")
    open_form(browser, browser.find_element(By.CSS_SELECTOR, f'#experiment-list .experiment[data-id="{experiment_item(browser, "page run")["id"]}"] .experiment-edit'))
    # The first opening's late answer has come; its handling (a few promise steps on) has run once a task
    # scheduled after it has.
    wait(browser, lambda d: d.execute_script("return window.slowModelsAnswered === true"))
    browser.execute_async_script("const done = arguments[arguments.length - 1]; setTimeout(() => setTimeout(done, 0), 0)")
    assert browser.find_element(By.ID, "experiment-title").text == "Edit experiment"
    assert browser.find_element(By.ID, "exp-image-size").get_attribute("value") == "8"
    assert browser.find_element(By.ID, "exp-batch-size").get_attribute("value") == "12"
    press(browser, Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "experiment-dialog") and "experiment-edit" in d.switch_to.active_element.get_attribute("class"))

    # Start a run: it is selected, and its epoch table grows while it trains.
    click_in(browser, "page run", ".experiment-run")
    run_id = wait(browser, lambda d: (lambda active: active if active and active != markup_run else None)(d.execute_script(ACTIVE_RUN)))
    wait(browser, lambda d: len(epochs(d)) >= 2, timeout=60)
    seen = len(epochs(browser))
    wait(browser, lambda d: len(epochs(d)) > seen, timeout=60)
    assert "running" in run_status(browser)
    browser.execute_script("document.getElementById('run-detail').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-training-live.png"))

    # A reload mid-run finds the running run again and follows it on.
    before = max(epochs(browser))
    browser.refresh()
    wait(browser, lambda d: d.execute_script(ACTIVE_RUN) == run_id and "running" in run_status(d))
    wait(browser, lambda d: epochs(d) and max(epochs(d)) > before + 1, timeout=60)

    # Stop, then resume: the epochs go on from the checkpoint.
    wait(browser, ready.element_to_be_clickable((By.ID, "run-stop"))).click()
    wait(browser, lambda d: "stopped" in run_status(d), timeout=60)
    assert not browser.find_element(By.ID, "run-stop").is_enabled()
    stopped = epochs(browser)
    assert stopped == list(range(len(stopped)))
    wait(browser, ready.element_to_be_clickable((By.ID, "run-resume"))).click()
    wait(browser, lambda d: len(epochs(d)) > len(stopped) + 1 and "running" in run_status(d), timeout=60)
    resumed = epochs(browser)
    assert resumed == list(range(len(resumed))), resumed
    # Refresh reads the runs again (new entries); the stream goes on into them, and the project's entry follows.
    browser.execute_script("document.querySelector('#run-list .run.active').dataset.old = 'yes'")
    browser.find_element(By.ID, "refresh").click()
    wait(browser, lambda d: d.execute_script(ACTIVE_RUN) == run_id and not d.find_elements(By.CSS_SELECTOR, "#run-list .run[data-old]"))
    wait(browser, lambda d: "running" in (project_run_line(d) or ""))
    wait(browser, ready.element_to_be_clickable((By.ID, "run-stop"))).click()
    wait(browser, lambda d: "stopped" in run_status(d), timeout=60)
    wait(browser, lambda d: "stopped" in project_run_line(d) and run_badge(d, run_id) == "stopped")
    assert not browser.find_element(By.ID, "run-stop").is_enabled()

    # A run that ends while another is selected (no stream follows it): its entry, the comparison's choice
    # and the project's entry say so.
    wait(browser, ready.element_to_be_clickable((By.ID, "run-resume"))).click()
    wait(browser, lambda d: "running" in run_status(d) and "running" in project_run_line(d), timeout=60)
    browser.find_element(By.CSS_SELECTOR, f'#run-list .run[data-id="{markup_run}"]').click()
    wait(browser, lambda d: d.execute_script(ACTIVE_RUN) == markup_run and "running" in (compare_choice(d, run_id) or ""))
    requests.post(server.url + f"/api/training/{project_id}/runs/{run_id}/stop", headers=auth(key)).raise_for_status()
    wait(browser, lambda d: run_badge(d, run_id) == "stopped" and "stopped" in compare_choice(d, run_id) and "stopped" in project_run_line(d), timeout=30)
    browser.find_element(By.CSS_SELECTOR, f'#run-list .run[data-id="{run_id}"]').click()
    wait(browser, lambda d: d.execute_script(ACTIVE_RUN) == run_id and "stopped" in run_status(d))

    # Compare with the finished run: both runs' curves, named in the legend, on the same axes.
    Select(browser.find_element(By.ID, "compare-run")).select_by_value(markup_run)
    legend = wait(browser, lambda d: (lambda items: items if {i["run"] for i in items} == {run_id, markup_run} else None)(d.execute_script(LEGEND)))
    assert all(i["points"] > 0 for i in legend if "loss" in i["label"] or "learning rate" in i["label"]), legend
    assert {i["label"] for i in legend} >= {f"{run_id} · training loss", f"{markup_run} · training loss", f"{markup_run} · validation accuracy"}
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-training-compare.png"))

    # Delete the finished run through the confirmation (Enter confirms), then its experiment.
    browser.find_element(By.CSS_SELECTOR, f'#run-list .run[data-id="{markup_run}"]').click()
    wait(browser, lambda d: d.execute_script(ACTIVE_RUN) == markup_run)
    browser.find_element(By.ID, "run-delete").click()
    wait(browser, lambda d: dialog_open(d, "training-confirm") and focused(d) == "confirm-submit")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-training-delete.png"))
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "training-confirm") and not d.find_elements(By.CSS_SELECTOR, f'#run-list .run[data-id="{markup_run}"]'))
    assert browser.execute_script(ACTIVE_RUN) == run_id
    click_in(browser, MARKUP, ".experiment-delete")
    wait(browser, lambda d: dialog_open(d, "training-confirm") and MARKUP in d.find_element(By.ID, "confirm-text").text)
    browser.find_element(By.ID, "confirm-submit").click()
    wait(browser, lambda d: [e["name"] for e in experiments(d)] == ["page run"])
