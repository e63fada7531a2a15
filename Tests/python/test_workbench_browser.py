"""The workbench in a real browser (headless Chromium driven by Selenium): an annotator opens the sign-in
link, draws a box and a polygon, tags the image and submits; the reviewer rejects once with a comment, the
annotator sees it, fixes the work and submits again, the reviewer approves. The HITL job turns `done`, its
webhook arrives with the annotations, and the export contains them. A class named like markup shows as
text. Screenshots of the annotator's and the reviewer's views go to .build/test-artifacts/."""
import io
import json
import os
import sqlite3
import zipfile

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from hitl_support import FAST, active_project, key_header, wait_for
from images import png
from test_jtheta import create_dataset

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".build", "test-artifacts")
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture
def browser():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def sign_in(driver, server, token):
    driver.delete_all_cookies()
    driver.get(server.url + "/workbench/#token=" + token)
    WebDriverWait(driver, 15).until(ready.visibility_of_element_located((By.ID, "app")))
    assert "token" not in driver.current_url  # the secret leaves the address bar


def click(driver, selector):
    """Clicks the element once it is there; the page re-renders lists, so a found element can go stale."""
    def clicked(d):
        try:
            d.find_element(By.CSS_SELECTOR, selector).click()
            return True
        except WebDriverException:
            return False
    WebDriverWait(driver, 15).until(clicked)


def open_task(driver, task_id):
    click(driver, f'.task[data-id="{task_id}"]')
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(
        "const c = document.getElementById('canvas'); return c && c.width > 0 && c.dataset.imageId !== undefined"))


def pick(driver, name):
    click(driver, f'#classes .class[data-name="{name}"]')


def status_says(driver, text):
    WebDriverWait(driver, 15).until(lambda d: text in d.find_element(By.ID, "status").text)


def drag(driver, start, end):
    canvas = driver.find_element(By.ID, "canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(canvas, start[0] - size["width"] // 2, start[1] - size["height"] // 2) \
        .click_and_hold().move_by_offset((end[0] - start[0]) // 2, (end[1] - start[1]) // 2) \
        .move_by_offset((end[0] - start[0]) - (end[0] - start[0]) // 2, (end[1] - start[1]) - (end[1] - start[1]) // 2).release().perform()


def click_at(driver, point):
    canvas = driver.find_element(By.ID, "canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(canvas, point[0] - size["width"] // 2, point[1] - size["height"] // 2).click().perform()


def press(driver, key):
    ActionChains(driver).send_keys(key).perform()


def labels_of(server, key, project_id, job_id):
    status = requests.get(server.url + f"/v1/jobs/{project_id}/{job_id}", headers=key_header(key)).json()
    return status, [label for image in status["annotations"].get("images", []) for label in image["labels"]]


def test_label_review_reject_fix_approve_in_a_browser(make_any_server, site, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    server = make_any_server(**FAST)
    key = server.create_account("browser")
    project_id, annotator, reviewer = active_project(server, site, key)
    # The project's classes, one of them named like markup, through a JTheta annotation request.
    dataset_id = create_dataset(server, key, "hitl-project", "seed", [("seed.png", png(16, 16, (0, 90, 0)))]).json()["dataset_id"]
    classes = [{"label": "car", "type": "bounding_box"}, {"label": "lake", "type": "polygon"}, {"label": "sunny", "type": "tag"},
               {"label": "eye", "type": "point"}, {"label": MARKUP, "type": "tag"}]
    requested = requests.post(server.url + "/request_annotation/", headers={"Authorization": f"Bearer {key}"}, json={
        "dataset_id": dataset_id, "project_name": "hitl-project", "assigned_annotator": "ann@hitl.io",
        "assigned_reviewer": "rev@hitl.io", "labels": classes})
    assert requested.status_code == 200, requested.text
    site.files["/street.png"] = (png(64, 48, (120, 130, 140)), "image/png")
    job_id = requests.post(server.url + "/v1/jobs", headers=key_header(key), json={
        "project_id": project_id, "file_urls": [site.url + "/street.png"], "webhook_url": site.url + "/hook"}).json()["job_id"]

    sign_in(browser, server, annotator)
    open_task(browser, job_id)
    names = [button.text for button in browser.find_elements(By.CSS_SELECTOR, "#classes .class")]
    assert any(MARKUP in name for name in names), names  # the markup is text, shown as written
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    canvas = browser.find_element(By.ID, "canvas").size
    middle = (canvas["width"] // 2, canvas["height"] // 2)
    pick(browser, "car")
    press(browser, "b")
    drag(browser, (middle[0] - 60, middle[1] - 40), (middle[0] + 20, middle[1] + 30))
    pick(browser, "lake")
    press(browser, "p")
    for point in [(middle[0] - 100, middle[1] + 50), (middle[0] - 40, middle[1] + 60), (middle[0] - 70, middle[1] + 90)]:
        click_at(browser, point)
    press(browser, Keys.ENTER)
    pick(browser, "sunny")
    press(browser, "t")
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#labels .label")) == 3)

    def labels_become(count):
        WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#labels .label")) == count)

    # Undo and redo, by button and by key: the tag goes and comes back, twice.
    browser.find_element(By.ID, "undo").click()
    labels_become(2)
    browser.find_element(By.ID, "redo").click()
    labels_become(3)
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
    labels_become(2)
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("y").key_up(Keys.CONTROL).perform()
    labels_become(3)
    status_says(browser, "saved")
    browser.save_screenshot(os.path.join(ARTIFACTS, "workbench-annotator.png"))
    browser.find_element(By.ID, "submit").click()
    status_says(browser, "Submitted")

    sign_in(browser, server, reviewer)
    browser.find_element(By.ID, "tab-review").click()
    open_task(browser, job_id)
    browser.save_screenshot(os.path.join(ARTIFACTS, "workbench-reviewer.png"))
    browser.find_element(By.ID, "comment").send_keys("the box misses the bumper <b>")
    browser.find_element(By.ID, "reject").click()
    status_says(browser, "Rejected")

    sign_in(browser, server, annotator)
    open_task(browser, job_id)
    assert browser.find_element(By.ID, "review-comment").text == "the box misses the bumper <b>"
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#labels .label")) == 3)
    pick(browser, "eye")
    press(browser, "o")
    click_at(browser, (middle[0] + 40, middle[1] - 20))
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#labels .label")) == 4)
    browser.find_element(By.ID, "submit").click()
    status_says(browser, "Submitted")

    sign_in(browser, server, reviewer)
    browser.find_element(By.ID, "tab-review").click()
    open_task(browser, job_id)
    browser.find_element(By.ID, "approve").click()
    status_says(browser, "Approved")

    status, labels = labels_of(server, key, project_id, job_id)
    assert status["status"] == "done"
    assert sorted((label["label"], label["type"]) for label in labels) == [
        ("car", "bounding_box"), ("eye", "point"), ("lake", "polygon"), ("sunny", "tag")]
    box = next(label for label in labels if label["type"] == "bounding_box")
    assert box["bbox"][2] > 0 and box["bbox"][3] > 0 and box["bbox"][0] >= 0 and box["bbox"][0] + box["bbox"][2] <= 64
    hook = wait_for(lambda: next((h for h in site.hooks if h[0] == "/hook"), None), timeout=20)
    delivered = json.loads(hook[2])
    assert delivered["job_id"] == job_id and delivered["status"] == "done"
    assert sorted(label["label"] for image in delivered["annotations"]["images"] for label in image["labels"]) == ["car", "eye", "lake", "sunny"]
    export = requests.get(server.url + "/api/export/download", params={"key": key, "project_title": "hitl-project"})
    with zipfile.ZipFile(io.BytesIO(export.content)) as z:
        document = json.loads(z.read("annotations.json"))
    names = {category["id"]: category["name"] for category in document["categories"]}
    exported = {names[annotation["category_id"]] for annotation in document["annotations"]}
    assert {"car", "lake", "eye"} <= exported
    assert any("sunny" in image.get("tags", []) for image in document["images"])


def test_a_models_box_suggestions_are_accepted_one_or_all_and_hidden_by_confidence(make_server, site, browser):
    """A detector's boxes arrive as the task's predictions (written here as the pre-labeler writes them): the
    workbench shows them as dashed suggestions with their confidence; the slider hides those under it, a
    tick accepts one, "Accept all shown" accepts the rest shown and drops the hidden, and only the accepted
    boxes are submitted, as plain labels."""
    server = make_server(**FAST)
    key = server.create_account("suggestions")
    project_id, annotator, _ = active_project(server, site, key)
    dataset_id = create_dataset(server, key, "hitl-project", "seed", [("seed.png", png(16, 16, (0, 90, 0)))]).json()["dataset_id"]
    requested = requests.post(server.url + "/request_annotation/", headers={"Authorization": f"Bearer {key}"}, json={
        "dataset_id": dataset_id, "project_name": "hitl-project", "assigned_annotator": "ann@hitl.io",
        "assigned_reviewer": "rev@hitl.io", "labels": [{"label": "car", "type": "bounding_box"}]})
    assert requested.status_code == 200, requested.text
    site.files["/road.png"] = (png(64, 48, (120, 130, 140)), "image/png")
    job_id = requests.post(server.url + "/v1/jobs", headers=key_header(key), json={
        "project_id": project_id, "file_urls": [site.url + "/road.png"]}).json()["job_id"]
    worker = {"Authorization": f"Bearer {annotator}"}
    image_id = requests.get(server.url + f"/worker/tasks/{job_id}", headers=worker).json()["images"][0]["id"]
    boxes = [(0.9, [2, 2, 20, 14]), (0.6, [30, 4, 16, 16]), (0.2, [10, 30, 12, 10])]
    predictions = [{"image_id": image_id, "labels": [{"label": "car", "type": "bounding_box", "bbox": bbox, "confidence": score}
                                                     for score, bbox in boxes]}]
    with sqlite3.connect(os.path.join(server.data, "quarry.sqlite"), timeout=10) as db:
        db.execute("UPDATE tasks SET predictions = ? WHERE id = ?", (json.dumps(predictions), job_id))

    sign_in(browser, server, annotator)
    open_task(browser, job_id)

    def shown():
        items = browser.find_elements(By.CSS_SELECTOR, "#labels .label")
        return [(item.find_element(By.CSS_SELECTOR, ".label-name").text, "prediction" in item.get_attribute("class")) for item in items]

    WebDriverWait(browser, 10).until(lambda d: len(shown()) == 3)
    assert all(prediction for _, prediction in shown())
    assert browser.find_element(By.ID, "suggestions").is_displayed()
    browser.execute_script("const s = document.getElementById('threshold'); s.value = '0.5'; s.dispatchEvent(new Event('input'));")
    WebDriverWait(browser, 10).until(lambda d: len(shown()) == 2)
    assert browser.find_element(By.ID, "threshold-value").text == "50%"
    click(browser, '#labels .label[data-index="0"] .accept')
    WebDriverWait(browser, 10).until(lambda d: [p for _, p in shown()] == [False, True])
    browser.find_element(By.ID, "accept-all").click()
    WebDriverWait(browser, 10).until(lambda d: [p for _, p in shown()] == [False, False])
    assert not browser.find_element(By.ID, "suggestions").is_displayed()
    status_says(browser, "saved")
    browser.find_element(By.ID, "submit").click()
    status_says(browser, "Submitted")
    task = requests.get(server.url + f"/worker/tasks/{job_id}", headers=worker).json()
    (image,) = task["annotations"]
    assert image["labels"] == [{"label": "car", "type": "bounding_box", "bbox": bbox} for _, bbox in boxes[:2]]
