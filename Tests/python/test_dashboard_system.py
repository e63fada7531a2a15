"""The dashboard's System panel in headless Chromium at 1280×800: opened by keyboard from the top bar, it lists the
CPU (the only device, with the CUDA driver made unfindable) marked as the default, the workspace's disk use with the
account's project and image counts (set up through the API), and the server's health with the version
`quarry --version` prints. A failing call shows its
message in place while the other parts stay readable, and Refresh reads everything again. The test makes no API call
for what it checks. The screenshot goes to .build/test-artifacts/dashboard-system.png."""
import json
import os
import re
import subprocess

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY
from images import png
from test_dashboard_projects import dialog_open, focused, sign_in
from test_studio_imports import archive, finished as imported, upload
from test_studio_runs import auth
from test_workbench_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)

SIZE = r"\d+(\.\d)? (B|KB|MB|GB|TB)"

DEVICES = """return [...document.querySelectorAll('#system-devices-body tbody tr')].map(tr => ({
  id: tr.dataset.id, default: tr.dataset.default === 'true', name: tr.querySelector('.device-name').textContent,
  kind: tr.querySelector('.device-kind').textContent, marks: tr.querySelector('.device-marks').textContent}))"""

FACTS = """return Object.fromEntries([...document.querySelectorAll('#system-dialog dd[data-fact]')]
  .map(dd => [dd.dataset.fact, dd.textContent]))"""

# A stand-in fetch that answers the workspace call with an error envelope, as the server shapes its refusals.
BREAK_WORKSPACE = """const body = arguments[0];
window.realFetch = window.fetch;
window.fetch = (path, options) => String(path).endsWith('/api/system/workspace')
  ? Promise.resolve(new Response(body, {status: 500, headers: {'Content-Type': 'application/json'}}))
  : window.realFetch(path, options);"""


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def test_the_system_panel_shows_devices_disk_use_and_health(make_server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    # A driver library that does not exist: the CPU alone, the same on a machine with a GPU.
    server = make_server(QUARRY_CUDA_LIBRARY="libcuda-not-installed.so.1")
    key = server.create_account("dash-system")
    project_id = requests.post(server.url + "/api/projects", json={"name": "colours", "task": "classification"},
                               headers=auth(key)).json()["data"]["id"]
    data = archive([(f"c/{name}/{index}.png", png(16, 16, colour)) for index, (name, colour)
                    in enumerate([("red", (200, 10, 10)), ("green", (10, 200, 10)), ("blue", (10, 10, 200))])])
    job = imported(server, key, project_id, upload(server, key, project_id, data).json()["data"])
    assert job["status"] == "done" and job["imported"] == 3, job

    sign_in(browser, server, key)
    # From the top bar, by keyboard: Enter on the System button opens the panel with focus inside it.
    browser.find_element(By.ID, "system-open").send_keys(Keys.ENTER)
    wait(browser, lambda d: dialog_open(d, "system-dialog") and focused(d) == "system-refresh")
    devices = wait(browser, lambda d: d.execute_script(DEVICES) or None)
    cores = f"{os.cpu_count()} core" + ("" if os.cpu_count() == 1 else "s")
    assert devices == [{"id": "cpu", "default": True, "name": "CPU", "kind": f"cpu · {cores}", "marks": "default"}], devices
    assert "No CUDA device" in browser.find_element(By.CSS_SELECTOR, "#system-devices .system-note").text

    facts = wait(browser, lambda d: (lambda f: f if "projects" in f else None)(d.execute_script(FACTS)))
    assert (facts["projects"], facts["images"]) == ("1", "3"), facts
    assert re.fullmatch(f"{SIZE} used of {SIZE}", facts["disk"]), facts
    for name in ["free", "database", "files"]:
        assert re.fullmatch(SIZE, facts[name]), facts
    assert facts["folder"] == server.data, facts
    health = browser.find_element(By.ID, "system-health-body").text
    assert "healthy" in health and "ok" in health, health
    version = subprocess.run([BINARY, "--version"], capture_output=True, text=True, check=True).stdout.split()
    assert version[0] == "quarry" and version[1] in health.split(), (version, health)
    assert browser.find_element(By.ID, "system-panel").get_attribute("aria-busy") is None
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-system.png"))

    # A failing call: its message in its own place; the devices and the health stay as they were.
    browser.execute_script(BREAK_WORKSPACE, json.dumps({"status": "error", "error": {"code": "INTERNAL", "message": "the disk cannot be read"}}))
    browser.find_element(By.ID, "system-refresh").click()
    error = wait(browser, lambda d: (lambda e: e if e.is_displayed() else None)(d.find_element(By.ID, "system-workspace-error")))
    assert error.text == "the disk cannot be read"
    assert not browser.find_elements(By.CSS_SELECTOR, "#system-workspace-body dd")
    wait(browser, lambda d: d.execute_script(DEVICES) == devices)
    assert "healthy" in browser.find_element(By.ID, "system-health-body").text

    # Refresh, with the server answering again, brings the figures back and clears the message.
    browser.execute_script("window.fetch = window.realFetch")
    wait(browser, lambda d: d.find_element(By.ID, "system-panel").get_attribute("aria-busy") is None)
    browser.find_element(By.ID, "system-refresh").click()
    wait(browser, lambda d: d.execute_script(FACTS).get("images") == "3")
    assert not browser.find_element(By.ID, "system-workspace-error").is_displayed()

    # Escape closes the panel and focus goes back to the button that opened it.
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "system-dialog") and focused(d) == "system-open")
