"""A segmenter's evaluation keeps each image's predicted and true masks (docs/studio.md, "Evaluation"), and the
dashboard's error gallery draws them: a segmenter trained briefly (through the API) on 24 drawn 64-pixel shape images
and one of 640 pixels is evaluated on the large image's subset. Through the API, every result's masks decode to
its image's size (the large one's scaled to 512) and give back its IoU; on the page, in headless Chromium at
1280×800, each image's canvas has drawn exactly the decoded mask's pixels of a class (data-mask-pixels), with a
legend naming the classes. Screenshot: .build/test-artifacts/dashboard-evaluation-masks.png."""
import io
import json
import os
import random
import zipfile

import numpy as np
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shapes import CLASSES, coco_zip, draw_image, entry
from test_dashboard_projects import sign_in, wait
from test_studio_evaluation import all_results, evaluated
from test_studio_imports import auth, finished as imported, upload
from test_studio_runs import finished
from test_workbench_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)

CONFIG = {"name": "masks", "model": "seg_resnet18", "image_size": 64, "width": 0.25, "epochs": 15, "batch_size": 4,
          "optimizer": {"name": "adamw", "lr": 0.005}, "scheduler": {"name": "none"}, "seed": 3}
LARGE = "large.png"

MASKS = """return Object.fromEntries([...document.querySelectorAll('#gallery figure.result')].map(f => [f.dataset.filename,
  {drawn: f.querySelector('canvas').dataset.drawn || null, pixels: f.querySelector('canvas').dataset.maskPixels ?? null}]))"""

# Until restored, the page's fetch says the gallery's results have two pages of 24 (the first read from the server,
# its total doubled) and answers every read of another page with the server's error envelope; window.pages lists
# the pages asked for.
TWO_PAGES = """window.realFetch = window.realFetch || window.fetch;
window.pages = [];
const headers = {'Content-Type': 'application/json'};
window.fetch = (path, options) => {
  const url = String(path);
  if (!url.includes('/results?') || !/[?&]page_size=24(&|$)/.test(url)) return window.realFetch(path, options);
  const page = new URLSearchParams(url.split('?')[1]).get('page');
  window.pages.push(page);
  if (page !== '1') return Promise.resolve(new Response(JSON.stringify({status: 'error', error: {message: 'page refused by the test'}}),
    {status: 503, headers}));
  return window.realFetch(path, options).then(r => r.json()).then(body => {
    body.data.total = 48;
    return new Response(JSON.stringify(body), {status: 200, headers});
  });
};"""


def with_large_image(data, size=640, seed=21):
    """The COCO ZIP `data` with one more image, `size` pixels a side, and its polygons."""
    image, shapes = draw_image(random.Random(seed), size)
    source = zipfile.ZipFile(io.BytesIO(data))
    coco = json.loads(source.read("annotations.json"))
    image_id = max(i["id"] for i in coco["images"]) + 1
    coco["images"].append({"id": image_id, "file_name": "images/" + LARGE, "width": size, "height": size})
    for kind, polygon, bbox in shapes:
        coco["annotations"].append({"id": len(coco["annotations"]) + 1, "image_id": image_id, "category_id": CLASSES.index(kind) + 1,
                                    "iscrowd": 0, "bbox": bbox, "area": bbox[2] * bbox[3],
                                    "segmentation": [[v for point in polygon for v in point]]})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            if name != "annotations.json":
                archive.writestr(entry(name), source.read(name))
        png = io.BytesIO()
        image.save(png, format="PNG")
        archive.writestr(entry("images/" + LARGE), png.getvalue())
        archive.writestr(entry("annotations.json"), json.dumps(coco))
    return out.getvalue()


def decoded(mask):
    """A mask's runs (pairs of class index and length, row-major) as a height × width array."""
    counts = mask["counts"]
    pixels = np.repeat(np.array(counts[0::2], np.int64), counts[1::2])
    assert pixels.size == mask["width"] * mask["height"] and all(n > 0 for n in counts[1::2])
    assert all(a != b for a, b in zip(counts[0:-2:2], counts[2::2])), "neighbouring runs differ"
    return pixels.reshape(mask["height"], mask["width"])


def image_iou(truth, predicted, classes):
    """The mean over the classes the image has or is predicted to have of their IoU; and each one's."""
    ious = {}
    for index, name in enumerate(classes):
        union = np.logical_or(truth == index, predicted == index).sum()
        if union:
            ious[name] = np.logical_and(truth == index, predicted == index).sum() / union
    return sum(ious.values()) / len(ious), ious


def test_a_segmenters_masks_are_kept_and_drawn(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-evaluation-masks")
    project_id = requests.post(server.url + "/api/projects", json={"name": "shapes", "task": "segmentation"},
                               headers=auth(key)).json()["data"]["id"]
    data, _ = coco_zip(24, size=64, seed=4)
    job = imported(server, key, project_id, upload(server, key, project_id, with_large_image(data)).json()["data"])
    assert job["status"] == "done" and job["imported"] == 25, job
    split = requests.post(server.url + f"/api/splits/{project_id}", json={"name": "s", "ratios": {"train": 0.75, "val": 0.25}, "seed": 1},
                          headers=auth(key))
    assert split.status_code == 201, split.text
    exp_id = requests.post(server.url + f"/api/training/{project_id}/experiments", json=CONFIG, headers=auth(key)).json()["data"]["id"]
    run_id = requests.post(server.url + f"/api/training/{project_id}/experiments/{exp_id}/run", headers=auth(key)).json()["data"]["run_id"]
    assert finished(server, key, project_id, run_id)["status"] == "completed"

    # The subset the large image is in, so that its scaled masks are among the results.
    listed = requests.get(server.url + f"/api/datasets/{project_id}/images", params={"search": LARGE}, headers=auth(key)).json()["data"]
    (large,) = [i["filename"] for i in listed["images"]]
    info = requests.get(server.url + f"/api/datasets/{project_id}/images/{large}/info", headers=auth(key)).json()["data"]
    subset = info["splits"][0]["subset"]
    created = requests.post(server.url + f"/api/evaluation/{project_id}", headers=auth(key),
                            json={"experiment_id": exp_id, "run_id": run_id, "split_subset": subset, "checkpoint": "last"})
    assert created.status_code == 201, created.text
    evaluation = evaluated(server, key, project_id, created.json()["data"]["eval_id"])
    assert evaluation["status"] == "completed", evaluation
    rows = all_results(server, key, project_id, evaluation["eval_id"], sort_by="error")["results"]
    assert large in {r["filename"] for r in rows} and len(rows) <= 24

    expected = {}
    for row in rows:
        mask, truth = row["mask"], row["truth_mask"]
        assert mask["classes"] == truth["classes"] == ["background", *sorted(CLASSES)]
        side = 512 if row["filename"] == large else 64
        assert (mask["width"], mask["height"], truth["width"], truth["height"]) == (side, side, side, side), row["filename"]
        predicted, true = decoded(mask), decoded(truth)
        assert (true > 0).any()
        iou, ious = image_iou(true, predicted, mask["classes"])
        if row["filename"] == large:
            # Measured at 640 pixels; the masks are its logits decoded and its polygons rasterized at 512.
            assert abs(iou - row["iou"]) < 0.02, (iou, row["iou"])
        else:
            assert abs(iou - row["iou"]) < 1e-9 and ious.keys() == row["class_iou"].keys(), (row["filename"], ious, row["class_iou"])
            assert all(abs(ious[k] - row["class_iou"][k]) < 1e-9 for k in ious)
        expected[row["filename"]] = str(int((predicted > 0).sum()))
    assert sum(int(n) for n in expected.values()) > 0, "the segmenter found nothing anywhere"

    # The page draws each image's predicted mask: as many pixels of a class as the API's mask has.
    sign_in(browser, server, key)
    wait(browser, lambda d: d.find_element(By.ID, "evaluation-report").is_displayed())
    shown = wait(browser, lambda d: (lambda m: m if len(m) == len(rows) and all(v["drawn"] == "true" for v in m.values()) else None)(
        d.execute_script(MASKS)), timeout=30)
    assert {name: v["pixels"] for name, v in shown.items()} == expected
    legend = browser.find_element(By.ID, "gallery-mask-legend")
    assert legend.is_displayed() and not browser.find_element(By.ID, "gallery-legend").is_displayed()
    assert [li.text for li in legend.find_elements(By.CSS_SELECTOR, "li.legend-class")] == sorted(CLASSES)
    wrong = sum(not r["correct"] for r in rows)
    assert browser.find_element(By.ID, "gallery-count").text.endswith(f"{len(rows)} images, {wrong} wrong")
    browser.execute_script("document.getElementById('error-gallery').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-evaluation-masks.png"))

    # A next page that does not come leaves the shown one in place: its images, its count, the pager's
    # "Page 1", and Next asks for page 2 again (the page moves only once it has come).
    browser.execute_script(TWO_PAGES)
    Select(browser.find_element(By.ID, "gallery-sort")).select_by_value("filename")
    wait(browser, lambda d: d.find_element(By.ID, "gallery-page").text == "Page 1 of 2")
    count_text = wait(browser, lambda d: (lambda t: t if t.startswith("48 images") else None)(d.find_element(By.ID, "gallery-count").text))
    browser.find_element(By.ID, "gallery-next").click()
    error = wait(browser, lambda d: (lambda e: e if e.is_displayed() else None)(d.find_element(By.ID, "gallery-error")))
    assert error.text == "page refused by the test"
    assert browser.find_element(By.ID, "gallery-page").text == "Page 1 of 2"
    assert browser.find_element(By.ID, "gallery-count").text == count_text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#gallery figure.result")) == len(rows)
    assert not browser.find_element(By.ID, "gallery-prev").is_enabled()
    browser.find_element(By.ID, "gallery-next").click()
    wait(browser, lambda d: d.execute_script("return window.pages") == ["1", "2", "2"])
    wait(browser, lambda d: d.find_element(By.ID, "gallery-count").text == count_text)
    assert browser.find_element(By.ID, "gallery-page").text == "Page 1 of 2" and error.is_displayed()
    browser.execute_script("window.fetch = window.realFetch")
