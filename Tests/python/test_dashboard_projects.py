"""The dashboard's projects, driven from the page in headless Chromium at 1280×800: a detection project is created
from the form and listed with its task; it is renamed to a name that looks like markup, which shows as text; a
duplicate and an empty name bring the server's own message into the dialog; a reload keeps the selected project;
deleting asks for the exact name, typed, before its button enables. The list shows each project's images, labeled
share and its last run's best figure (a trained classifier, and a detector's partly labeled COCO import, both set up
through the API). The test makes no API call for what it checks. Screenshots go to .build/test-artifacts/."""
import io
import json
import os
import zipfile

import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from images import png
from test_studio_imports import finished as imported, upload
from test_studio_runs import auth, colour_project, experiment, finished
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)

# What the page's list shows, read from the DOM: one dict per project entry.
ENTRIES = """return [...document.querySelectorAll('#projects .project')].map(li => {
  const text = (selector) => { const node = li.querySelector(selector); return node ? node.textContent : null; };
  return {id: li.dataset.id, active: li.classList.contains('active'), title: text('.project-title'), task: text('.project-task'),
          images: text('.project-images'), labeled: text('.project-labeled'), run: text('.project-run'), error: text('.item-error')};
})"""


def entries(driver):
    return driver.execute_script(ENTRIES)


def entry(driver, title):
    return next((e for e in entries(driver) if e["title"] == title), None)


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def dialog_open(driver, dialog_id):
    return driver.execute_script("return document.getElementById(arguments[0]).open", dialog_id)


def focused(driver):
    return driver.execute_script("return document.activeElement && document.activeElement.id")


def press(driver, key):
    driver.switch_to.active_element.send_keys(key)


def detection_import(server, key):
    """A detection project of four images, three of them with a box in a COCO file: 75 % labeled."""
    project_id = requests.post(server.url + "/api/projects", json={"name": "boxes", "task": "detection"}, headers=auth(key)).json()["data"]["id"]
    coco = {"images": [], "annotations": [], "categories": [{"id": 1, "name": "square"}]}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(4):
            archive.writestr(f"images/b{index}.png", png(16, 16, (40 * index, 90, 30)))
            coco["images"].append({"id": index + 1, "file_name": f"images/b{index}.png", "width": 16, "height": 16})
            if index < 3:
                coco["annotations"].append({"id": index + 1, "image_id": index + 1, "category_id": 1, "iscrowd": 0,
                                            "bbox": [2, 2, 8, 8], "area": 64})
        archive.writestr("annotations.json", json.dumps(coco))
    job = imported(server, key, project_id, upload(server, key, project_id, out.getvalue()).json()["data"])
    assert job["status"] == "done" and job["imported"] == 4, job


def sign_in(driver, server, key):
    driver.get(server.url + "/dashboard/")
    wait(driver, ready.visibility_of_element_located((By.ID, "api-key"))).send_keys(key)
    driver.find_element(By.ID, "signin-button").click()
    wait(driver, ready.visibility_of_element_located((By.ID, "dashboard")))


def test_projects_are_created_renamed_and_deleted_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-projects")
    # Set-up through the API: a classifier trained on 48 labeled images, and a partly labeled detection import.
    colours = colour_project(server, key)
    exp_id = experiment(server, key, colours)
    run_id = requests.post(server.url + f"/api/training/{colours}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    run = finished(server, key, colours, run_id)
    assert run["status"] == "completed" and run["best_val_accuracy"] is not None, run
    detection_import(server, key)

    sign_in(browser, server, key)
    # The list: task, images, labeled share, and the last run with its best figure by the task.
    wait(browser, lambda d: (entry(d, "colours") or {}).get("labeled") and (entry(d, "boxes") or {}).get("labeled"))
    listed = entry(browser, "colours")
    assert (listed["task"], listed["images"], listed["labeled"]) == ("classification", "48 images", "100.0% labeled"), listed
    assert "last run" in listed["run"] and "completed" in listed["run"], listed
    assert f"accuracy {run['best_val_accuracy'] * 100:.1f}%" in listed["run"], listed
    boxes = entry(browser, "boxes")
    assert (boxes["task"], boxes["images"], boxes["labeled"], boxes["run"]) == ("detection", "4 images", "75.0% labeled", "no runs yet"), boxes
    assert not listed["error"] and not boxes["error"]

    # Create, by keyboard: the dialog opens on the name, Tab reaches the task, Enter submits.
    browser.find_element(By.ID, "new-project").click()
    wait(browser, lambda d: dialog_open(d, "create-dialog") and focused(d) == "create-name")
    browser.find_element(By.ID, "create-name").send_keys("street scenes")
    press(browser, Keys.TAB)
    assert focused(browser) == "create-task"
    Select(browser.find_element(By.ID, "create-task")).select_by_value("detection")
    browser.find_element(By.ID, "create-name").send_keys(Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "create-dialog") and entry(d, "street scenes"))
    created = wait(browser, lambda d: (lambda e: e if e and e["run"] == "no runs yet" else None)(entry(d, "street scenes")))
    assert (created["task"], created["images"], created["labeled"], created["active"]) == ("detection", "0 images", None, True), created
    assert browser.find_element(By.ID, "project-name").text == "street scenes"
    assert "project=" + created["id"] in browser.current_url
    # Focus lands on the new project's entry.
    assert browser.execute_script("return document.activeElement.dataset.id") == created["id"]

    # A name in use, then an empty one: the server's message, in the dialog, which stays open; Escape cancels.
    count = len(entries(browser))
    browser.find_element(By.ID, "new-project").click()
    wait(browser, lambda d: focused(d) == "create-name")
    browser.find_element(By.ID, "create-name").send_keys("colours", Keys.ENTER)
    error = wait(browser, ready.visibility_of_element_located((By.ID, "create-error")))
    assert error.text == "a project named 'colours' already exists"
    assert dialog_open(browser, "create-dialog") and browser.find_element(By.ID, "create-name").get_attribute("aria-invalid") == "true"
    name = browser.find_element(By.ID, "create-name")
    name.clear()
    name.send_keys("   ", Keys.ENTER)
    wait(browser, lambda d: d.find_element(By.ID, "create-error").text == "project name must not be empty")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-projects-refused.png"))
    press(browser, Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "create-dialog"))
    assert len(entries(browser)) == count

    # Rename to markup: text in the list, the top bar and the status line, and no element made of it.
    browser.find_element(By.ID, "rename-project").click()
    wait(browser, lambda d: focused(d) == "rename-name")
    assert browser.find_element(By.ID, "rename-name").get_attribute("value") == "street scenes"
    name = browser.find_element(By.ID, "rename-name")
    name.clear()
    name.send_keys(MARKUP, Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "rename-dialog") and entry(d, MARKUP))
    assert entry(browser, MARKUP)["id"] == created["id"]
    assert browser.find_element(By.ID, "project-name").text == MARKUP
    assert MARKUP in browser.find_element(By.ID, "status").text
    assert browser.execute_script("return document.querySelectorAll('#projects img, .topbar img, #status img, dialog img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    # A rename to a name in use is refused in place too, and Escape leaves the name as it was.
    browser.find_element(By.ID, "rename-project").click()
    wait(browser, lambda d: focused(d) == "rename-name")
    name = browser.find_element(By.ID, "rename-name")
    name.clear()
    name.send_keys("boxes", Keys.ENTER)
    wait(browser, lambda d: d.find_element(By.ID, "rename-error").text == "a project named 'boxes' already exists")
    press(browser, Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "rename-dialog"))
    assert entry(browser, MARKUP) and browser.find_element(By.ID, "project-name").text == MARKUP

    # A reload keeps the selected project.
    browser.refresh()
    wait(browser, lambda d: (entry(d, MARKUP) or {}).get("active") and d.find_element(By.ID, "project-name").text == MARKUP)
    wait(browser, lambda d: (entry(d, "colours") or {}).get("labeled"))
    # Usable at 1280×800: nothing in the list runs off its column.
    assert browser.execute_script("const p = document.querySelector('.projects-panel'); return p.scrollWidth <= p.clientWidth")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-projects.png"))

    # Delete: the button waits for the exact name; Escape first leaves everything as it was.
    browser.find_element(By.ID, "delete-project").click()
    wait(browser, lambda d: dialog_open(d, "delete-dialog") and focused(d) == "delete-confirm")
    press(browser, Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "delete-dialog"))
    assert entry(browser, MARKUP) and focused(browser) == "delete-project"  # focus goes back where it was
    browser.find_element(By.ID, "delete-project").click()
    wait(browser, lambda d: focused(d) == "delete-confirm")
    assert browser.find_element(By.ID, "delete-target").text == MARKUP
    submit = browser.find_element(By.ID, "delete-submit")
    confirm = browser.find_element(By.ID, "delete-confirm")
    assert not submit.is_enabled()
    confirm.send_keys(MARKUP[:-1])
    assert not submit.is_enabled()
    confirm.send_keys(Keys.ENTER)  # Enter does nothing while the name is not there
    assert dialog_open(browser, "delete-dialog") and entry(browser, MARKUP)
    confirm.send_keys(MARKUP[-1] + " ")
    assert not submit.is_enabled()
    confirm.send_keys(Keys.BACKSPACE)
    assert submit.is_enabled()
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-projects-delete.png"))
    confirm.send_keys(Keys.ENTER)
    wait(browser, lambda d: not dialog_open(d, "delete-dialog") and entry(d, MARKUP) is None)
    assert [e["title"] for e in entries(browser)] == ["colours", "boxes"]
    wait(browser, lambda d: (entry(d, "colours") or {}).get("active"))
    assert browser.find_element(By.ID, "project-name").text == "colours"
    assert "Deleted project " + MARKUP in browser.find_element(By.ID, "status").text
    assert "project=" + created["id"] not in browser.current_url
