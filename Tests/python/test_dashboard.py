"""The account dashboard: sign-in with the API key exchanged for a session cookie that the APIs accept,
the endpoints it reads (progress, runs), and the page itself in headless Chromium with a project that has a
dataset, a training run, an evaluation and an export. A project named like markup shows as text; a
screenshot of the dashboard goes to .build/test-artifacts/."""
import contextlib
import os
import re
import sqlite3

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from hitl_support import admin_header
from test_studio_evaluation import evaluated
from test_studio_model_export import exported
from test_studio_runs import auth, colour_project, experiment, trained
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)


def expire_sessions(server, table):
    """Moves every session of `table` past its expiry, as twelve hours would."""
    with contextlib.closing(sqlite3.connect(os.path.join(server.data, "quarry.sqlite"), timeout=10)) as db, db:
        db.execute(f"UPDATE {table} SET expires_at = '2000-01-01T00:00:00Z'")


def test_the_api_key_signs_in_a_cookie_that_rotation_ends(server):
    key = server.create_account("dash")
    browser_session = requests.Session()
    assert browser_session.get(server.url + "/api/account").status_code == 401
    assert browser_session.post(server.url + "/dashboard/session", json={"api_key": "qk_" + "1" * 64}).status_code == 401
    signed = browser_session.post(server.url + "/dashboard/session", json={"api_key": key})
    assert signed.status_code == 200 and signed.json()["account"] == "dash"
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("quarry_account=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert browser_session.get(server.url + "/api/account").json()["data"]["name"] == "dash"
    assert browser_session.get(server.url + "/api/projects").status_code == 200
    # Rotating the key (what an administrator does after a leak) ends the sessions it opened.
    requests.post(server.url + "/admin/accounts/dash/keys/rotate", headers=admin_header())
    assert browser_session.get(server.url + "/api/account").status_code == 401


def test_signing_out_and_expiry_end_a_dashboard_session(server):
    key = server.create_account("dash-end")
    for ending in ["sign out", "expiry"]:
        browser_session = requests.Session()
        assert browser_session.post(server.url + "/dashboard/session", json={"api_key": key}).status_code == 200
        secret = browser_session.cookies["quarry_account"]
        assert requests.get(server.url + "/api/account", cookies={"quarry_account": secret}).status_code == 200
        if ending == "sign out":
            assert browser_session.post(server.url + "/dashboard/signout").status_code == 200
        else:
            expire_sessions(server, "account_sessions")
        # The secret itself is dead on the server, whatever a browser still holds.
        assert requests.get(server.url + "/api/account", cookies={"quarry_account": secret}).status_code == 401, ending


def test_progress_counts_tasks_per_status_and_worker(server):
    key = server.create_account("dash-progress")
    project_id = colour_project(server, key)
    project_name = requests.get(server.url + f"/api/projects/{project_id}", headers=auth(key)).json()["data"]["name"]
    images = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"page_size": 5}, headers=auth(key)).json()["data"]["images"]
    requests.post(server.url + "/request_annotation/", headers=auth(key), json={
        "dataset_id": images[0]["dataset_id"], "project_name": project_name, "assigned_annotator": "a@dash.test",
        "assigned_reviewer": "r@dash.test", "labels": [{"label": "red", "type": "tag"}]})
    progress = requests.get(server.url + f"/api/projects/{project_id}/progress", headers=auth(key)).json()["data"]
    assert progress["total"] == 48 and progress["by_status"]["new"] == 48 and progress["by_status"]["done"] == 0
    assert {(w["email"], w["role"], w["new"]) for w in progress["by_worker"]} == {("a@dash.test", "annotator", 48), ("r@dash.test", "reviewer", 48)}


def test_the_dashboard_shows_a_projects_work(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    key = server.create_account("dash-browser")
    project_id = colour_project(server, key)
    requests.post(server.url + "/api/projects", json={"name": MARKUP}, headers=auth(key))
    exp_id, run_id = trained(server, key, project_id)
    evaluation_id = requests.post(server.url + f"/api/evaluation/{project_id}", json={"experiment_id": exp_id, "run_id": run_id, "split_subset": "train"},
                                  headers=auth(key)).json()["data"]["eval_id"]
    assert evaluated(server, key, project_id, evaluation_id)["status"] == "completed"
    export = exported(server, key, project_id, {"experiment_id": exp_id, "run_id": run_id, "format": "onnx"})

    browser.get(server.url + "/dashboard/")
    WebDriverWait(browser, 15).until(ready.visibility_of_element_located((By.ID, "api-key"))).send_keys(key)
    browser.find_element(By.ID, "signin-button").click()
    WebDriverWait(browser, 15).until(ready.visibility_of_element_located((By.ID, "dashboard")))
    assert browser.find_element(By.ID, "api-key").get_attribute("value") == ""
    names = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#projects .project")]
    assert any(MARKUP in name for name in names), names
    WebDriverWait(browser, 15).until(ready.element_to_be_clickable((By.CSS_SELECTOR, f'#projects .project[data-id="{project_id}"]'))).click()
    # The dataset grid, with thumbnails that really load through the cookie.
    WebDriverWait(browser, 15).until(lambda d: d.execute_script(
        "const images = [...document.querySelectorAll('#grid figure.thumb img')];"
        "return images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0)"))
    # The run's curves, the evaluation's confusion matrix, the export's download.
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, f'#runs .run[data-id="{run_id}"]')))
    assert browser.find_element(By.ID, "run-chart").size["width"] > 0
    WebDriverWait(browser, 15).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#confusion td")) >= 4)
    link = WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, f'#exports .export[data-id="{export["export_id"]}"] a.download')))
    assert link.get_attribute("href").endswith(export["download_url"])
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard.png"))
    browser.execute_script("document.getElementById('runs').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-training.png"))
    # What the page shows is what the API says.
    matrix = requests.get(server.url + f"/api/evaluation/{project_id}/{evaluation_id}", headers=auth(key)).json()["data"]["results"]["confusion_matrix"]
    cells = [int(cell.text) for cell in browser.find_elements(By.CSS_SELECTOR, "#confusion td") if cell.text.strip().isdigit()]
    assert cells == [count for row in matrix for count in row]


def test_a_live_run_streams_its_epochs_into_the_dashboard_until_it_ends(server, browser):
    """The page follows a running run over the event stream (`epoch_end`), and `complete` ends it."""
    key = server.create_account("dash-live")
    project_id = colour_project(server, key)
    exp_id = experiment(server, key, project_id, epochs=1000)
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    browser.get(server.url + "/dashboard/")
    WebDriverWait(browser, 15).until(ready.visibility_of_element_located((By.ID, "api-key"))).send_keys(key)
    browser.find_element(By.ID, "signin-button").click()
    WebDriverWait(browser, 15).until(ready.element_to_be_clickable((By.CSS_SELECTOR, f'#projects .project[data-id="{project_id}"]'))).click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, f'#runs .run[data-id="{run_id}"]')))

    def epochs_shown(driver):
        match = re.search(r"(\d+) epochs?", driver.find_element(By.ID, "run-status").text)
        return int(match.group(1)) if match else 0

    # The list the page loaded had at most a few epochs; more arrive only over the stream.
    start = epochs_shown(browser)
    WebDriverWait(browser, 60).until(lambda d: epochs_shown(d) >= start + 3)
    assert "running" in browser.find_element(By.ID, "run-status").text
    requests.post(server.url + f"/api/training/{project_id}/runs/{run_id}/stop", headers=auth(key))
    WebDriverWait(browser, 60).until(lambda d: "stopped" in d.find_element(By.ID, "run-status").text)
