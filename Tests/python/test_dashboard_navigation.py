"""The row of section names above a project's sections, at 1280×800: each name, reached by keyboard, brings its
section to the top of the scrolling column and gives it focus, so the next Tab goes on inside it; the name of the
section being read is marked (aria-current) as the column scrolls, by Enter or by the wheel alike."""
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from test_dashboard_projects import sign_in
from test_studio_runs import auth
from test_workbench_browser import browser  # noqa: F401 (the fixture)

SECTIONS = {"Data": "dataset", "Splits": "splits", "Labeling": "labeling", "Training": "runs", "Evaluation": "evaluations",
            "Export": "exports"}


def current(driver):
    return driver.execute_script("""const b = document.querySelector('#section-nav [aria-current="true"]');
      return b ? b.dataset.target : null""")


def top_offset(driver, section):
    """How far the section's top is from the top of the scrolling column, in CSS pixels."""
    return driver.execute_script("""const column = document.querySelector('.sections');
      return document.getElementById(arguments[0]).getBoundingClientRect().top - column.getBoundingClientRect().top""", section)


def test_the_section_names_take_the_reader_to_each_section(server, browser):
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-nav")
    requests.post(server.url + "/api/projects", json={"name": "sections"}, headers=auth(key)).raise_for_status()
    sign_in(browser, server, key)
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "project-name").text == "sections")
    buttons = browser.find_elements(By.CSS_SELECTOR, "#section-nav button")
    assert [b.text for b in buttons] == list(SECTIONS)
    for button in reversed(buttons):
        section = SECTIONS[button.text]
        browser.execute_script("arguments[0].focus()", button)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda d: d.switch_to.active_element.get_attribute("id") == section)
        # At the top of the column, unless the column has too little left below it to scroll that far.
        assert top_offset(browser, section) < 2 or browser.execute_script(
            "const c = document.querySelector('.sections'); return c.scrollTop + c.clientHeight >= c.scrollHeight - 1")
        WebDriverWait(browser, 10).until(lambda d: current(d) is not None)
    # Scrolling back to the top marks the first section.
    browser.execute_script("document.querySelector('.sections').scrollTop = 0")
    WebDriverWait(browser, 10).until(lambda d: current(d) == "dataset")
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.execute_script("return document.getElementById('dataset').contains(document.activeElement)")
