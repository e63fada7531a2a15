"""The dashboard's Splits section, driven from the page in headless Chromium at 1280×800: the three ratios always
sum to 100 while the range inputs are moved by keyboard and the number fields are typed in, by the documented rule
(the next subset in train → val → test → train takes up the difference); the live preview counts each class
(one named like markup, shown as text) and matches what the created split then lists; a seed the server refuses
and a project without images bring the server's own messages in place; a reload finds the split again, and
Delete removes it. Set-up is through the API; what is checked is done through the page alone. Screenshots go to
.build/test-artifacts/."""
import os

import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from images import png
from test_dashboard_projects import sign_in
from test_studio_imports import archive, finished, upload
from test_studio_runs import auth
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)

CLASSES = {"red": 10, "blue": 6, MARKUP: 4}

# A counts table (the preview's or a split's) as {class: {subset: n}}, the totals row under None.
TABLE = """const table = arguments[0] ? document.querySelector(arguments[0]) : null;
if (!table) return null;
const rows = {};
for (const tr of table.tBodies[0].rows) {
  const cells = {};
  for (const td of tr.querySelectorAll('td')) cells[td.dataset.subset] = Number(td.textContent.replace(/[^0-9]/g, ''));
  rows[tr.classList.contains('summary') ? '*' : tr.dataset.class] = cells;
}
return rows;"""


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def table(driver, selector):
    return driver.execute_script(TABLE, selector)


def ratios(driver):
    return [int(driver.find_element(By.ID, f"split-{s}").get_attribute("value")) for s in ("train", "val", "test")]


def ranges(driver):
    return [int(driver.find_element(By.ID, f"split-{s}-range").get_attribute("value")) for s in ("train", "val", "test")]


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def select_project(driver, name):
    for li in driver.find_elements(By.CSS_SELECTOR, "#projects .project"):
        if li.find_element(By.CSS_SELECTOR, ".project-title").text == name:
            li.click()
            return
    raise AssertionError(f"no project {name!r} listed")


def preview_settled(driver):
    """The preview table once its answer is in for the ratios on screen."""
    state = text(driver, "split-preview-state")
    shares = " / ".join(f"{r}%" for r in ratios(driver))
    return table(driver, ".split-preview-table") if state.startswith("(" + shares) else None


def show(driver, section_id):
    """Scrolls the main column to the section for a screenshot; the page itself stays where it is."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollTo(0, 0)", driver.find_element(By.ID, section_id))


def shapes_project(server, key):
    """A classifier's project: 10 red, 6 blue and 4 images of a class named like markup, by class folder."""
    project_id = requests.post(server.url + "/api/projects", json={"name": "shapes"}, headers=auth(key)).json()["data"]["id"]
    entries, shade = [], 0
    for name, n in CLASSES.items():
        for i in range(n):
            shade += 1
            entries.append((f"{name}/{i}.png", png(8, 8, (shade * 9, 255 - shade * 9, 40))))
    job = finished(server, key, project_id, upload(server, key, project_id, archive(entries)).json()["data"])
    assert job["status"] == "done" and job["imported"] == 20, job
    return project_id


def test_splits_are_previewed_created_and_deleted_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-splits")
    shapes_project(server, key)
    requests.post(server.url + "/api/projects", json={"name": "empty"}, headers=auth(key))

    sign_in(browser, server, key)
    wait(browser, lambda d: d.find_element(By.ID, "project-name").text == "shapes")
    # The preview at the default 80/10/10: every image counted, per class too, the markup class as text.
    preview = wait(browser, preview_settled)
    assert ratios(browser) == [80, 10, 10] and text(browser, "split-sum") == "= 100%"
    assert sum(preview["*"].values()) == 20 and set(preview) == {"*", *CLASSES}, preview
    for name, n in CLASSES.items():
        assert sum(preview[name].values()) == n, (name, preview)
    assert MARKUP in text(browser, "split-preview")
    assert browser.execute_script("return document.querySelectorAll('#splits img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text

    # The range inputs by keyboard: train up takes from val (the next one), then from test once val is at 0.
    train = browser.find_element(By.ID, "split-train-range")
    seen = [ratios(browser)]
    for _ in range(15):
        train.send_keys(Keys.ARROW_RIGHT)
        seen.append(ratios(browser))
    assert all(sum(r) == 100 for r in seen), seen
    assert seen[-1] == [95, 0, 5] and ranges(browser) == [95, 0, 5], seen[-1]
    # Test down gives to train (test's next), which is already near the top; Home takes test to 0.
    test_range = browser.find_element(By.ID, "split-test-range")
    test_range.send_keys(Keys.HOME)
    assert ratios(browser) == [100, 0, 0]
    for _ in range(3):
        browser.find_element(By.ID, "split-val-range").send_keys(Keys.ARROW_RIGHT)
        assert sum(ratios(browser)) == 100
    assert ratios(browser) == [97, 3, 0]  # val up takes from test, and train once test is at 0

    # The number fields, typed in: the sum holds after every key.
    def type_into(subset, value):
        field = browser.find_element(By.ID, f"split-{subset}")
        field.send_keys(Keys.CONTROL, "a")
        for ch in value:
            field.send_keys(ch)
            assert sum(ratios(browser)) == 100, (subset, value, ratios(browser))
        field.send_keys(Keys.TAB)

    type_into("val", "20")    # val 20; test (next) at 0 already, so train gives way: 80/20/0
    assert ratios(browser) == [80, 20, 0]
    type_into("test", "15")   # test 15 takes from train (next), val kept: 65/20/15
    assert ratios(browser) == [65, 20, 15] and ranges(browser) == [65, 20, 15]
    type_into("train", "150")  # clamped to 100
    assert ratios(browser) == [100, 0, 0]
    type_into("train", "60")  # val (next) takes the 40 back, test stays at 0
    assert ratios(browser) == [60, 40, 0]
    type_into("test", "20")
    assert ratios(browser) == [40, 40, 20]

    # A seed the server refuses: its message in place, beside the preview and the Create button.
    seed = browser.find_element(By.ID, "split-seed")
    seed.send_keys(Keys.CONTROL, "a")
    seed.send_keys("-3")
    wait(browser, lambda d: d.find_element(By.ID, "split-preview-error").text == "seed must be a non-negative integer")
    assert seed.get_attribute("aria-invalid") == "true"
    browser.find_element(By.ID, "split-create").click()
    refused = wait(browser, lambda d: d.find_element(By.ID, "split-create-error").text)
    assert "seed" in refused, refused
    assert browser.find_elements(By.CSS_SELECTOR, "#split-list .split-item") == []
    show(browser, "splits")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-splits-refused.png"))
    # A cleared seed is left out of the preview (as Create leaves it out): the server's default, no refusal.
    seed.send_keys(Keys.CONTROL, "a")
    seed.send_keys(Keys.BACKSPACE)
    blank = wait(browser, preview_settled)
    assert seed.get_attribute("value") == "" and sum(blank["*"].values()) == 20, blank
    assert not browser.find_element(By.ID, "split-preview-error").is_displayed()
    assert seed.get_attribute("aria-invalid") is None
    seed.send_keys("7")
    expected = wait(browser, preview_settled)
    assert not browser.find_element(By.ID, "split-preview-error").is_displayed()
    assert seed.get_attribute("aria-invalid") is None
    assert sum(expected["*"].values()) == 20

    # Create, by Enter in the name field: the list shows it with the preview's counts, class by class.
    name = browser.find_element(By.ID, "split-name")
    assert name.get_attribute("placeholder") == "40-40-20"
    name.send_keys("forty", Keys.ENTER)
    wait(browser, lambda d: table(d, "#split-list .split-item[data-index='0'] .split-table") == expected)
    item = browser.find_element(By.CSS_SELECTOR, "#split-list .split-item[data-index='0']")
    assert "forty" in item.text and "40% / 40% / 20%" in item.text and "seed 7" in item.text
    assert not browser.find_element(By.ID, "split-create-error").is_displayed()
    assert "Created split forty" in text(browser, "status")
    show(browser, "splits")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-splits.png"))

    # A project without images: the server's message in the preview's place and under Create.
    select_project(browser, "empty")
    message = wait(browser, lambda d: d.find_element(By.ID, "split-preview-error").text)
    assert "image" in message.lower(), message
    assert browser.find_elements(By.CSS_SELECTOR, "#split-list .split-item") == []
    browser.find_element(By.ID, "split-create").click()
    wait(browser, lambda d: d.find_element(By.ID, "split-create-error").text == message)
    assert browser.find_element(By.ID, "splits-empty").is_displayed()
    show(browser, "splits")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-splits-empty.png"))

    # Back to the shapes after a reload: the split is listed again; Delete asks in place, Keep cancels.
    select_project(browser, "shapes")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#split-list .split-item"))
    browser.refresh()
    wait(browser, lambda d: d.find_element(By.ID, "project-name").text == "shapes")
    wait(browser, lambda d: table(d, "#split-list .split-item[data-index='0'] .split-table") == expected)
    browser.find_element(By.CSS_SELECTOR, ".split-item .split-actions button").click()
    keep = wait(browser, lambda d: d.switch_to.active_element if d.switch_to.active_element.text == "Keep" else None)
    keep.send_keys(Keys.ENTER)
    wait(browser, lambda d: d.switch_to.active_element.text == "Delete…")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    confirm = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".split-item .split-actions button.danger"))
    assert confirm.text == "Delete forty"
    confirm.click()
    wait(browser, lambda d: d.find_element(By.ID, "splits-empty").is_displayed())
    assert browser.find_elements(By.CSS_SELECTOR, "#split-list .split-item") == []
    assert "Deleted split forty" in text(browser, "status")
