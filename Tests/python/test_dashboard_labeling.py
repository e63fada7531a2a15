"""The dashboard's Request labeling section, driven from the page in headless Chromium at 1280×800: the project's
dataset and classes (one named like markup, kept as text) are there; a class row is added and removed by keyboard;
a bad e-mail brings JTheta's own message ({"detail": ...}) in place with the field marked; a good request creates a
task per image and shows the two workers' sign-in links in full, with Copy; the Labeling progress section then
lists both workers; asking again creates nothing and hands out no link; "New link" asks in place first and its link
outlasts Refresh. Edited class rows outlast Refresh too, and a request's links outlast a switch to another project.
Set-up is through the API; what is checked is done through the page alone. Screenshots go to .build/test-artifacts/."""
import os

import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_dashboard_projects import sign_in
from test_dashboard_splits import CLASSES, select_project, shapes_project, show
from test_studio_runs import auth
from test_workbench_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)

ROWS = """return [...document.querySelectorAll('#labeling-classes tbody tr')].map(tr =>
  [tr.querySelector('.class-name').value, tr.querySelector('.class-type').value]);"""
# Each worker's row up to its "New link" button.
WORKERS = """return [...document.querySelectorAll('#progress-workers tbody tr:not(.worker-link)')].map(tr =>
  [...tr.cells].slice(0, 6).map(td => td.textContent));"""


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def rows(driver):
    return driver.execute_script(ROWS)


def focused(driver):
    return driver.switch_to.active_element


def test_labeling_is_requested_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-labeling")
    shapes_project(server, key)

    sign_in(browser, server, key)
    wait(browser, lambda d: d.find_element(By.ID, "project-name").text == "shapes")
    dataset = Select(browser.find_element(By.ID, "labeling-dataset"))
    wait(browser, lambda d: len(dataset.options) == 1)
    assert "(20 images)" in dataset.first_selected_option.text
    # The project's classes are the starting rows, each as Classification (a classifier's tags).
    wait(browser, lambda d: sorted(rows(d)) == sorted([name, "Classification"] for name in CLASSES))
    assert browser.execute_script("return document.querySelectorAll('#labeling img').length") == 0

    # Add a row by keyboard (its name field gets focus), give it a type, then remove it again.
    add = browser.find_element(By.ID, "labeling-add-class")
    add.send_keys(Keys.ENTER)
    wait(browser, lambda d: len(rows(d)) == 4 and focused(d).get_attribute("aria-label") == "Class 4 name")
    focused(browser).send_keys("circle")
    Select(browser.find_elements(By.CSS_SELECTOR, "#labeling-classes .class-type")[3]).select_by_visible_text("Points")
    assert rows(browser)[3] == ["circle", "Points"]
    browser.find_element(By.CSS_SELECTOR, "#labeling-classes tbody tr:nth-child(4) .class-remove").send_keys(Keys.ENTER)
    wait(browser, lambda d: len(rows(d)) == 3)
    assert focused(browser).get_attribute("aria-label") == "Class 3 name"

    # A bad e-mail: JTheta's own message in place, the annotator's field marked, nothing created.
    annotator = browser.find_element(By.ID, "labeling-annotator")
    reviewer = browser.find_element(By.ID, "labeling-reviewer")
    reviewer.send_keys("rev@shapes.test")
    annotator.send_keys("not-an-email", Keys.ENTER)
    wait(browser, lambda d: d.find_element(By.ID, "labeling-error").text == "'not-an-email' is not an email address")
    assert annotator.get_attribute("aria-invalid") == "true" and reviewer.get_attribute("aria-invalid") is None
    assert not browser.find_element(By.ID, "labeling-result").is_displayed()

    show(browser, "labeling")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-labeling-refused.png"))

    # The request: a task per image, and the two new workers' links in full, to copy.
    annotator.send_keys(Keys.CONTROL, "a")
    annotator.send_keys("ann@shapes.test")
    browser.find_element(By.ID, "labeling-submit").click()
    summary = wait(browser, lambda d: d.find_element(By.ID, "labeling-summary").text)
    assert summary.startswith("20 tasks created (20 on this dataset in all)"), summary
    assert "ann@shapes.test (annotator)" in summary and "rev@shapes.test (reviewer)" in summary
    assert not browser.find_element(By.ID, "labeling-error").is_displayed() and annotator.get_attribute("aria-invalid") is None
    links = browser.find_elements(By.CSS_SELECTOR, "#labeling-links .labeling-link")
    first_links = {li.get_attribute("data-email"): li.find_element(By.CSS_SELECTOR, ".link-field").get_attribute("value") for li in links}
    assert sorted(li.get_attribute("data-email") for li in links) == ["ann@shapes.test", "rev@shapes.test"]
    for li in links:
        assert li.find_element(By.CSS_SELECTOR, ".link-field").get_attribute("value").startswith(server.url + "/workbench/#token=wk_")
    assert "only" in browser.find_element(By.ID, "labeling-links-note").text
    links[0].find_element(By.TAG_NAME, "button").click()
    wait(browser, lambda d: links[0].find_element(By.CSS_SELECTOR, ".copy-note").text)
    assert "Labeling requested: 20 tasks created." in browser.find_element(By.ID, "status").text

    # The progress section, read again, lists both workers with their new tasks.
    wait(browser, lambda d: sorted(d.execute_script(WORKERS)) == [["ann@shapes.test", "annotator", "20", "0", "0", "0"],
                                                                    ["rev@shapes.test", "reviewer", "20", "0", "0", "0"]])
    assert browser.find_element(By.ID, "progress-total").text == "20 tasks"
    show(browser, "labeling")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-labeling.png"))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text

    # Asking again creates nothing, and the workers already have their links.
    browser.find_element(By.ID, "labeling-submit").click()
    wait(browser, lambda d: d.find_element(By.ID, "labeling-summary").text.startswith("0 tasks created (20 on this dataset in all)"))
    assert browser.find_element(By.ID, "labeling-no-links").is_displayed()
    assert browser.find_elements(By.CSS_SELECTOR, "#labeling-links .labeling-link") == []

    # A reload finds the work where the server keeps it: both workers listed; the links, shown once, are gone.
    browser.refresh()
    wait(browser, lambda d: len(d.execute_script(WORKERS)) == 2)
    assert not browser.find_element(By.ID, "labeling-result").is_displayed()

    # A lost link: the progress section's "New link" asks first in place (focus on Keep), since it ends the current one.
    new_link = "#progress-workers tr[data-email='ann@shapes.test'] .new-link"
    wait(browser, ready.element_to_be_clickable((By.CSS_SELECTOR, new_link))).click()
    question = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#progress-workers .new-link-question").text)
    assert question == "New link for ann@shapes.test? Their current link stops working."
    assert focused(browser).text == "Keep"
    focused(browser).send_keys(Keys.ENTER)
    wait(browser, lambda d: focused(d).get_attribute("aria-label") == "New sign-in link for ann@shapes.test")
    assert browser.find_elements(By.CSS_SELECTOR, "#progress-workers .worker-link, #progress-workers .new-link-question") == []
    # Confirmed, it gives the annotator a new link, which signs in to the workbench.
    focused(browser).send_keys(Keys.ENTER)
    wait(browser, lambda d: focused(d).text == "Keep")
    browser.find_element(By.CSS_SELECTOR, "#progress-workers .new-link-confirm").click()
    field = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#progress-workers .worker-link .link-field"))[0]
    link = field.get_attribute("value")
    assert link.startswith(server.url + "/workbench/#token=wk_") and link != first_links["ann@shapes.test"], link
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-labeling-new-link.png"))
    # Refresh draws the table again; the link, which the server shows once, is still shown under the worker's row.
    row = browser.find_element(By.CSS_SELECTOR, "#progress-workers tr[data-email='ann@shapes.test']")
    browser.find_element(By.ID, "refresh").click()
    wait(browser, ready.staleness_of(row))
    wait(browser, lambda d: [f.get_attribute("value") for f in d.find_elements(By.CSS_SELECTOR, "#progress-workers .worker-link .link-field")] == [link])
    assert browser.find_element(By.CSS_SELECTOR, "#progress-workers .worker-link").get_attribute("data-email") == "ann@shapes.test"
    browser.get(link)
    wait(browser, ready.visibility_of_element_located((By.ID, "app")))


# Selects a project by a click and answers, in the same task (before any answer can come), whether
# Request labeling is enabled.
SWITCH = """const [name, submitFirst] = arguments;
if (submitFirst) document.getElementById('labeling-submit').click();
[...document.querySelectorAll('#projects .project')].find(li => li.querySelector('.project-title').textContent === name).click();
return document.getElementById('labeling-submit').disabled;"""


def test_labeling_keeps_edits_and_answers_across_reloads_and_switches(server, browser):
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-labeling-switch")
    shapes_project(server, key)
    requests.post(server.url + "/api/projects", json={"name": "empty"}, headers=auth(key))
    start = sorted([name, "Classification"] for name in CLASSES)

    sign_in(browser, server, key)
    wait(browser, lambda d: d.find_element(By.ID, "project-name").text == "shapes")
    wait(browser, lambda d: len(Select(d.find_element(By.ID, "labeling-dataset")).options) == 1)
    wait(browser, lambda d: sorted(rows(d)) == start)

    # An edited row survives Refresh, which loads every section again.
    field = browser.find_element(By.CSS_SELECTOR, "#labeling-classes .class-name")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("crimson")
    edited = rows(browser)
    entry = browser.find_element(By.CSS_SELECTOR, "#projects .project")
    browser.find_element(By.ID, "refresh").click()
    wait(browser, ready.staleness_of(entry))
    wait(browser, lambda d: len(Select(d.find_element(By.ID, "labeling-dataset")).options) == 1)
    assert rows(browser) == edited and ["crimson", "Classification"] in edited

    # Another project: Request labeling is disabled at once (nothing to send until its datasets are in), and
    # back on the shapes the rows are the project's classes again.
    assert browser.execute_script(SWITCH, "empty", False) is True
    wait(browser, lambda d: d.find_element(By.ID, "labeling-no-dataset").is_displayed())
    assert browser.find_element(By.ID, "labeling-submit").get_attribute("disabled") == "true"
    select_project(browser, "shapes")
    wait(browser, lambda d: d.find_element(By.ID, "labeling-submit").is_enabled())
    assert sorted(rows(browser)) == start

    # A request still on its way when another project is chosen: the status line says so, and the links
    # (shown this once by the server) are there on the return to the shapes.
    browser.find_element(By.ID, "labeling-annotator").send_keys("ann@switch.test")
    browser.find_element(By.ID, "labeling-reviewer").send_keys("rev@switch.test")
    browser.execute_script(SWITCH, "empty", True)
    wait(browser, lambda d: d.find_element(By.ID, "status").text ==
         "Labeling requested for shapes: 20 tasks created; its links are shown when you return to it.")
    assert browser.find_element(By.ID, "project-name").text == "empty"
    assert not browser.find_element(By.ID, "labeling-result").is_displayed()
    select_project(browser, "shapes")
    wait(browser, lambda d: d.find_element(By.ID, "labeling-result").is_displayed())
    assert browser.find_element(By.ID, "labeling-summary").text.startswith("20 tasks created (20 on this dataset in all)")
    emails = sorted(li.get_attribute("data-email") for li in browser.find_elements(By.CSS_SELECTOR, "#labeling-links .labeling-link"))
    assert emails == ["ann@switch.test", "rev@switch.test"]
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
