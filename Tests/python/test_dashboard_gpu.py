"""The dashboard on a server with a GPU (the emulated device of `make emulated-gpu`, as in test_studio_gpu.py), at
1280×800, through the page: a run trained on gpu:0 shows its device memory in the status line and the epoch table,
each epoch's figures as the API has them; the System panel lists the GPU with its total and free memory, marked as
the default device; and a new experiment's form has the GPU preselected. Screenshot: dashboard-gpu.png."""
import os
import re

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_dashboard_projects import dialog_open, sign_in
from test_dashboard_training import open_form
from emulated_gpu import emulated_gpu
from test_studio_runs import auth, colour_project, trained
from test_workbench_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)

TABLE = """const table = document.getElementById('epoch-table');
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent);
  return {heads, rows: [...table.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))}"""


def test_a_gpu_run_and_the_gpu_in_the_page(make_server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    server = make_server(**emulated_gpu())
    key = server.create_account("dash-gpu")
    project_id = colour_project(server, key)
    _, run_id = trained(server, key, project_id, name="on the gpu", device="gpu:0")
    metrics = requests.get(server.url + f"/api/training/{project_id}/runs/{run_id}", headers=auth(key)).json()["data"]["metrics"]
    assert all(isinstance(m.get("gpu_memory_mb"), int) for m in metrics), metrics

    sign_in(browser, server, key)
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: "GPU memory" in d.find_element(By.ID, "run-status").text)
    last = metrics[-1]
    assert f"GPU memory {last['gpu_memory_mb']} MiB (peak {last['gpu_memory_peak_mb']} MiB)" in browser.find_element(By.ID, "run-status").text
    table = wait.until(lambda d: (lambda t: t if len(t["rows"]) == len(metrics) else None)(d.execute_script(TABLE)))
    column = table["heads"].index("GPU memory (MiB)")
    assert [row[column] for row in table["rows"]] == [f"{m['gpu_memory_mb']} (peak {m['gpu_memory_peak_mb']})" for m in metrics]
    browser.execute_script("document.getElementById('runs').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-gpu.png"))

    # The System panel: the GPU with its memory, the default.
    browser.find_element(By.ID, "system-open").click()
    row = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#system-devices-body tr[data-id='gpu:0']"))[0]
    assert row.get_attribute("data-default") == "true"
    for cell in ["device-total", "device-free"]:
        assert re.fullmatch(r"[0-9.]+ [MG]B", row.find_element(By.CLASS_NAME, cell).text), cell
    browser.find_element(By.ID, "system-close").click()
    wait.until(lambda d: not dialog_open(d, "system-dialog"))

    # A new experiment starts on the server's default device: the GPU.
    open_form(browser, browser.find_element(By.ID, "new-experiment"))
    chosen = [option.get_attribute("value") for option in Select(browser.find_element(By.ID, "exp-device")).all_selected_options]
    assert chosen == ["gpu:0"], chosen
