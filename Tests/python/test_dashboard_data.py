"""The dashboard's dataset section, driven from the page in headless Chromium at 1280×800: a class-per-folder ZIP
picked with the ZIP button goes up with a real progress bar, and the import's outcome lists its duplicate and its
skipped file with their reasons; a file that is not a ZIP brings the server's own message in place; loose images
dropped on the section (a synthetic drop event) are packed into a ZIP in the browser and imported; a folder picked
with the folder button keeps its class folders; a large import survives a reload, its progress picked up again from
the project's imports; the grid sorts and filters; an image's page shows its boxes, its facts and its subset in
the project's split; a class named like markup shows as text; a COCO download is a real archive, and an export of
a project renamed meanwhile shows JTheta's refusal in place. Set-up through the API; what the test checks is done
through the page alone. Screenshots go to .build/test-artifacts/.

The second test holds the section up against changes made meanwhile: another project chosen while dropped files are
packed cancels the import (nothing goes up, the buttons work again); a chosen class gone, or fewer images than the
page on show, brings the grid back to what exists; an image whose link the page does not open says so; a drop on the
open image's page is no import; a download name that is not well-formed still shows; a 401 to the download or the
upload shows the signed-out view; and only the stages and the outcome of an import are live regions."""
import base64
import io
import os
import tempfile
import zipfile

import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from images import png
from test_dashboard_projects import detection_import, dialog_open, focused, sign_in, wait
from test_studio_imports import archive, finished as imported, upload
from test_studio_runs import auth
from test_workbench_browser import ARTIFACTS, MARKUP, browser  # noqa: F401 (the fixture)

# The import panel as the page shows it.
PANEL = """const p = document.getElementById('import-panel');
const text = (id) => document.getElementById(id).textContent;
const items = (id) => [...document.querySelectorAll('#' + id + ' li')].map(li => [li.querySelector('.import-file').textContent,
                                                                             li.querySelector('.import-reason').textContent]);
return {hidden: p.hidden, id: p.dataset.importId || null, status: p.dataset.status || null,
        upload: document.getElementById('upload-bar').value, bar: document.getElementById('import-bar').value,
        progress: text('import-text'), summary: text('import-summary'), error: document.getElementById('import-error').hidden ? null : text('import-error'),
        duplicates: items('import-duplicates'), skipped: items('import-skipped')}"""

THUMBS = """return [...document.querySelectorAll('#grid .thumb')].map(f => ({filename: f.dataset.filename,
  name: f.querySelector('.thumb-name').textContent, cls: f.querySelector('.thumb-class').textContent}))"""

# A synthetic drop of loose PNGs on the dataset section: a DataTransfer built here, as a drag from the desktop makes.
DROP = """const dt = new DataTransfer();
for (const [name, data] of arguments[0]) {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  dt.items.add(new File([bytes], name, {type: 'image/png'}));
}
const target = document.querySelector(arguments[1] || '#grid');
const open = [];
for (const type of ['dragenter', 'dragover', 'drop']) open.push(target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt})));
return open;  // false where the page cancelled the event (so the browser does not open the file)"""

# The server's answers changed on their way into the page, for what a test cannot make the server say (an answer
# from before a change elsewhere, a link this page must not open): `arguments[0]` a pattern of the paths whose
# JSON answer is edited, `arguments[1]` the edit. UNSTUB puts fetch back.
STUB = """window.realFetch = window.realFetch || window.fetch;
const [pattern, edit] = arguments;
window.fetch = async (input, init) => {
  const response = await window.realFetch(input, init);
  if (!new RegExp(pattern).test(new URL(String(input), location.href).pathname)) return response;
  if (edit === 'odd-name') {
    const odd = new Response('PK', {status: 200, headers: {'Content-Type': 'application/zip'}});
    Object.defineProperty(odd, 'url', {value: location.origin + '/files/labels-%E0%A4%A.zip'});
    return odd;
  }
  const body = await response.json();
  if (edit === 'foreign-image') body.data.image.url = '//elsewhere.example/picture.png';
  if (edit === 'no-classes') body.data.classes = [];
  if (edit === 'fewer-images') body.data.total = Math.min(body.data.total, 60);
  return new Response(JSON.stringify(body), {status: response.status, headers: {'Content-Type': 'application/json'}});
};"""
UNSTUB = "if (window.realFetch) window.fetch = window.realFetch;"


def panel(driver):
    return driver.execute_script(PANEL)


def thumbs(driver):
    return driver.execute_script(THUMBS)


def select_project(driver, name):
    item = wait(driver, lambda d: next((li for li in d.find_elements(By.CSS_SELECTOR, "#projects .project")
                                        if li.find_element(By.CSS_SELECTOR, ".project-title").text == name), None))
    item.click()
    wait(driver, lambda d: d.find_element(By.ID, "project-name").text == name)


def finished_import(driver, previous=None, timeout=60):
    return wait(driver, lambda d: (lambda p: p if p["status"] in ("done", "failed") and p["id"] != previous else None)(panel(d)), timeout)


def write_zip(folder, name, entries):
    path = os.path.join(folder, name)
    with zipfile.ZipFile(path, "w") as archive:
        for entry, data in entries:
            archive.writestr(entry, data)
    return path


def test_the_dataset_is_imported_browsed_and_exported_from_the_page(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    files = tempfile.mkdtemp(prefix="dash-data-")
    key = server.create_account("dash-data")
    # Set-up through the API: an empty classification project, and a detection project of four images, three
    # with a box, split in two.
    requests.post(server.url + "/api/projects", json={"name": "pets"}, headers=auth(key)).raise_for_status()
    detection_import(server, key)
    boxes = next(p for p in requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"] if p["name"] == "boxes")
    split = requests.post(server.url + f"/api/splits/{boxes['id']}", json={"name": "halves", "ratios": {"train": 0.5, "val": 0.5}, "seed": 3},
                          headers=auth(key))
    assert split.status_code == 201, split.text

    sign_in(browser, server, key)
    select_project(browser, "pets")

    # A class-per-folder ZIP through the ZIP button's file input: both bars reach the end, the outcome lists the
    # duplicate and the skipped file, each with its reason, and the grid and its classes follow.
    red, green, blue = png(24, 16, (200, 30, 30)), png(24, 16, (30, 200, 30)), png(24, 16, (30, 30, 200))
    pets = write_zip(files, "pets.zip", [("cat/c1.png", red), ("cat/c2.png", green), (f"{MARKUP}/m1.png", blue),
                                         ("dog/d1.png", png(20, 20, (90, 90, 90))), ("dog/d2.png", red), ("notes.txt", b"not an image")])
    browser.find_element(By.ID, "import-zip").send_keys(pets)
    shown = finished_import(browser)
    assert shown["status"] == "done" and shown["upload"] == 1 and shown["bar"] == 1, shown
    assert shown["summary"] == "4 images imported · 1 duplicate · 1 skipped", shown
    assert shown["duplicates"] == [["dog/d2.png", "same bytes as cat/c1.png"]], shown
    assert shown["skipped"] == [["notes.txt", "not a PNG or JPEG image"]], shown
    assert shown["progress"] == "6 of 6 files" and not shown["error"], shown
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "4 images")
    # The class named like markup is text: in the grid and in the filter, with no element made of it.
    wait(browser, lambda d: MARKUP in [t["cls"] for t in thumbs(d)])
    wait(browser, lambda d: any(o.text.startswith(MARKUP) for o in Select(d.find_element(By.ID, "class-filter")).options))
    assert browser.execute_script("return document.querySelectorAll('#grid img').length === document.querySelectorAll('#grid .thumb').length")
    assert browser.execute_script("return document.querySelectorAll('#import-panel img, .toolbar img, #dataset-stats img').length") == 0
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-data-import.png"))

    # A file that is not a ZIP: the server's own message, in place, and nothing imported.
    notes = os.path.join(files, "notes.zip")
    with open(notes, "wb") as out:
        out.write(b"these are notes, not an archive")
    browser.find_element(By.ID, "import-zip").send_keys(notes)
    refused = wait(browser, lambda d: (lambda p: p if p["error"] else None)(panel(d)))
    assert refused["error"] == "the ZIP archive was refused: not a ZIP archive", refused
    assert refused["status"] is None, refused  # no import job came of it
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-data-refused.png"))

    # Loose images dropped on the section: packed into one stored ZIP here (CRC-32 and all, which the server
    # checks), one import of two unlabeled images.
    loose = [("bird1.png", base64.b64encode(png(10, 10, (1, 2, 3))).decode()), ("bird2.png", base64.b64encode(png(12, 10, (3, 2, 1))).decode())]
    browser.execute_script(DROP, loose)
    dropped = finished_import(browser, shown["id"])
    assert dropped["status"] == "done" and dropped["summary"] == "2 images imported · 0 duplicates · 0 skipped", dropped
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "6 images")

    # A folder picked with the folder button: its relative paths kept, so its class folders become classes.
    birds = os.path.join(files, "birds")
    for cls, colour in [("robin", (250, 120, 0)), ("wren", (120, 80, 40))]:
        os.makedirs(os.path.join(birds, cls))
        with open(os.path.join(birds, cls, cls + "1.png"), "wb") as out:
            out.write(png(14, 14, colour))
    browser.find_element(By.ID, "import-folder").send_keys(birds)
    folder = finished_import(browser, dropped["id"])
    assert folder["summary"] == "2 images imported · 0 duplicates · 0 skipped", folder
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "8 images")
    wait(browser, lambda d: {"robin", "wren"} <= {o.get_attribute("value") for o in Select(d.find_element(By.ID, "class-filter")).options})

    # Sort and filter, from the toolbar.
    Select(browser.find_element(By.ID, "grid-sort")).select_by_value("filename:desc")
    wait(browser, lambda d: [t["name"] for t in thumbs(d)][:1] == ["wren1.png"])
    names = [t["name"] for t in thumbs(browser)]
    assert names == sorted(names, reverse=True), names
    Select(browser.find_element(By.ID, "grid-sort")).select_by_value("size:desc")
    wait(browser, lambda d: len(thumbs(d)) == 8 and [t["name"] for t in thumbs(d)] != names)
    Select(browser.find_element(By.ID, "class-filter")).select_by_value("cat")
    wait(browser, lambda d: sorted(t["name"] for t in thumbs(d)) == ["c1.png", "c2.png"])
    assert browser.find_element(By.ID, "dataset-total").text == "2 images match"
    Select(browser.find_element(By.ID, "class-filter")).select_by_value(MARKUP)
    wait(browser, lambda d: [t["cls"] for t in thumbs(d)] == [MARKUP])

    # The markup-named image's page: its class as text among its facts.
    browser.find_element(By.CSS_SELECTOR, "#grid .thumb").click()
    wait(browser, lambda d: dialog_open(d, "image-dialog") and focused(d) == "image-close")
    wait(browser, lambda d: d.execute_script("const n = document.querySelector('#image-facts [data-fact=class]'); return n && n.textContent") == MARKUP)
    assert browser.execute_script("return document.querySelectorAll('#image-dialog img').length") == 0
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "image-dialog"))
    Select(browser.find_element(By.ID, "class-filter")).select_by_value("")

    # A large import, then a reload while it runs: the page finds it among the project's imports and follows it.
    big = write_zip(files, "big.zip", [(f"many/p{i:03}.png", png(512, 512, (i, 255 - i, 7))) for i in range(250)])
    browser.find_element(By.ID, "import-zip").send_keys(big)
    running = wait(browser, lambda d: (lambda p: p if p["status"] in ("queued", "running") and p["id"] != folder["id"] else None)(panel(d)))
    browser.refresh()
    wait(browser, lambda d: d.find_element(By.ID, "project-name").text == "pets")
    resumed = wait(browser, lambda d: (lambda p: p if p["id"] == running["id"] else None)(panel(d)))
    assert resumed["status"] in ("queued", "running"), resumed
    wait(browser, lambda d: panel(d)["progress"].endswith(" of 250 files"))
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-data-import-running.png"))
    done = finished_import(browser, timeout=90)
    assert done["id"] == running["id"] and done["summary"] == "250 images imported · 0 duplicates · 0 skipped", done
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "258 images")

    # The detection project: an image's page from the keyboard, with its box drawn and its subset in the split.
    select_project(browser, "boxes")
    wait(browser, lambda d: len(thumbs(d)) == 4)
    Select(browser.find_element(By.ID, "grid-sort")).select_by_value("filename:asc")
    wait(browser, lambda d: [t["name"] for t in thumbs(d)][:1] == ["b0.png"])
    first = browser.find_element(By.CSS_SELECTOR, "#grid .thumb")
    browser.execute_script("arguments[0].focus()", first)
    first.send_keys(Keys.ENTER)
    wait(browser, lambda d: dialog_open(d, "image-dialog") and focused(d) == "image-close")
    labels = wait(browser, lambda d: d.execute_script(
        "return [...document.querySelectorAll('#image-labels li')].map(li => [li.dataset.type, li.querySelector('.image-label-name').textContent])"))
    assert labels == [["bounding_box", "square"]], labels
    subsets = browser.execute_script("return [...document.querySelectorAll('#image-splits tbody tr')].map(tr => [tr.dataset.split, tr.dataset.subset, tr.textContent])")
    assert len(subsets) == 1 and subsets[0][0] == "0" and subsets[0][1] in ("train", "val") and "halves" in subsets[0][2], subsets
    assert browser.find_element(By.CSS_SELECTOR, "#image-facts [data-fact=size]").text == "16 × 16 px"
    wait(browser, lambda d: d.execute_script("return document.getElementById('image-canvas').width") > 0)
    # The box is drawn: the canvas holds more than the flat colour of the image.
    colours = browser.execute_script("""const c = document.getElementById('image-canvas');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add(data[i] + ',' + data[i + 1] + ',' + data[i + 2]); return seen.size""")
    assert colours > 2, colours
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-data-image.png"))
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "image-dialog"))
    assert browser.execute_script("return document.activeElement.dataset.filename") == first.get_attribute("data-filename")

    # The labels as COCO: the link the page downloads by is a real archive with the annotations.
    browser.find_element(By.CSS_SELECTOR, "#dataset-export button[data-format=coco]").click()
    link = wait(browser, lambda d: (lambda a: a if a.is_displayed() and a.get_attribute("href") else None)(d.find_element(By.ID, "export-link")))
    assert link.text.endswith(".zip"), link.text
    archive = requests.get(link.get_attribute("href"))
    assert archive.status_code == 200 and archive.headers["Content-Type"] == "application/zip", archive.status_code
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert any(n.endswith(".json") for n in names) and sum(n.startswith("images/") for n in names) == 4, names
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-data-export.png"))
    # Renamed elsewhere meanwhile: JTheta's own refusal, beside the buttons.
    requests.patch(server.url + f"/api/projects/{boxes['id']}", json={"name": "crates"}, headers=auth(key)).raise_for_status()
    browser.find_element(By.CSS_SELECTOR, "#dataset-export button[data-format=yolo]").click()
    error = wait(browser, lambda d: (lambda e: e if e.is_displayed() else None)(d.find_element(By.ID, "export-error")))
    assert error.text == "project 'boxes' not found", error.text
    assert not browser.find_element(By.ID, "export-link").is_displayed()
    try:
        alert = browser.switch_to.alert.text
    except NoAlertPresentException:
        alert = None
    assert alert is None, alert


def test_imports_the_grid_and_the_image_page_hold_up_against_changes_made_meanwhile(server, browser):
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-data-meanwhile")
    ids = {}
    for name in ("alpha", "beta"):
        ids[name] = requests.post(server.url + "/api/projects", json={"name": name}, headers=auth(key)).json()["data"]["id"]
    # Set-up through the API: 100 images in two classes in alpha (three pages of the grid), none in beta.
    job = upload(server, key, ids["alpha"], archive([(f"{'cat' if i % 2 else 'dog'}/p{i:03}.png", png(8, 8, (i, 2 * i, 90)))
                                                     for i in range(100)])).json()["data"]
    assert imported(server, key, ids["alpha"], job)["imported"] == 100
    imports = lambda name: len(requests.get(server.url + f"/api/datasets/{ids[name]}/imports", headers=auth(key)).json()["data"])

    sign_in(browser, server, key)
    select_project(browser, "alpha")
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "100 images")
    # Only the stages and the outcome are live regions, not the counts that change with every progress event.
    live = browser.execute_script("""const live = (id) => document.getElementById(id).closest('[aria-live]');
      return {panel: document.getElementById('import-panel').getAttribute('aria-live'), stages: ['upload-label', 'import-label', 'import-summary'].map(id => !!live(id)),
              counts: ['upload-text', 'import-text', 'upload-bar', 'import-bar'].map(id => !!live(id)), canvas: document.getElementById('image-canvas').getAttribute('role')}""")
    assert live == {"panel": None, "stages": [True, True, True], "counts": [False, False, False, False], "canvas": "img"}, live

    # Another project chosen while dropped files are packed: the import stops with a message, nothing goes up to
    # either project, and the import buttons work again. (Reading a file is slowed down here, to give the click time.)
    browser.execute_script("""window.realArrayBuffer = Blob.prototype.arrayBuffer;
      Blob.prototype.arrayBuffer = function () { return new Promise(r => setTimeout(r, 700)).then(() => window.realArrayBuffer.call(this)); };""")
    loose = [(f"late{i}.png", base64.b64encode(png(10, 10, (i, 50, 50))).decode()) for i in range(4)]
    browser.execute_script(DROP, loose)
    wait(browser, lambda d: d.find_element(By.ID, "upload-label").text.startswith("Packing 4 files"))
    assert browser.find_element(By.ID, "import-zip-button").get_attribute("disabled")
    select_project(browser, "beta")
    cancelled = wait(browser, lambda d: (lambda p: p if p["error"] else None)(panel(d)))
    assert cancelled["error"] == "Import cancelled: another project was selected.", cancelled
    browser.execute_script("Blob.prototype.arrayBuffer = window.realArrayBuffer")
    assert not browser.find_element(By.ID, "import-zip-button").get_attribute("disabled")
    assert not browser.find_element(By.ID, "import-folder-button").get_attribute("disabled")
    assert imports("alpha") == 1 and imports("beta") == 0

    # The chosen class gone from the project's classes when it is read again: the grid shows all images, not the
    # old class's under "All classes".
    select_project(browser, "alpha")
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "100 images")
    Select(browser.find_element(By.ID, "class-filter")).select_by_value("cat")
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "50 images match")
    browser.execute_script(STUB, "^/api/datasets/[^/]+$", "no-classes")
    browser.find_element(By.ID, "refresh").click()
    wait(browser, lambda d: d.find_element(By.ID, "dataset-total").text == "100 images")
    assert browser.find_element(By.ID, "class-filter").get_attribute("value") == ""
    browser.execute_script(UNSTUB)

    # On the last page when the images become fewer: the grid goes to the last page there is.
    browser.find_element(By.ID, "grid-next").click()
    wait(browser, lambda d: d.find_element(By.ID, "grid-page").text == "Page 2 of 3")
    browser.find_element(By.ID, "grid-next").click()
    wait(browser, lambda d: d.find_element(By.ID, "grid-page").text == "Page 3 of 3" and len(thumbs(d)) == 4)
    browser.execute_script(STUB, "/images$", "fewer-images")
    browser.find_element(By.ID, "refresh").click()
    wait(browser, lambda d: d.find_element(By.ID, "grid-page").text == "Page 2 of 2" and len(thumbs(d)) == 48)
    browser.execute_script(UNSTUB)

    # An image's page whose picture has a link this page does not open: said in place, not "Loading…" for ever.
    browser.execute_script(STUB, "/info$", "foreign-image")
    first = browser.find_element(By.CSS_SELECTOR, "#grid .thumb")
    browser.execute_script("arguments[0].focus()", first)
    first.send_keys(Keys.ENTER)
    wait(browser, lambda d: dialog_open(d, "image-dialog") and focused(d) == "image-close")
    error = wait(browser, lambda d: (lambda e: e if e.is_displayed() else None)(d.find_element(By.ID, "image-error")))
    assert error.text == "The image could not be loaded." and not browser.find_element(By.ID, "image-loading").is_displayed()
    browser.execute_script(UNSTUB)
    # Files dropped on the open image's page (inside the dataset section) are no import: refused, not opened.
    # An import takes its files and shows its panel within the drop event itself, so an unchanged panel right
    # after the event means none began.
    before = panel(browser)
    assert browser.execute_script(DROP, loose[:1], "#image-canvas")[2] is False
    assert panel(browser) == before and imports("alpha") == 1
    assert not browser.execute_script("return document.getElementById('dataset').classList.contains('dropping')")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser, lambda d: not dialog_open(d, "image-dialog"))
    assert browser.execute_script("return document.activeElement.dataset.filename") == first.get_attribute("data-filename")

    # A download link whose name is not well-formed percent-encoding: the name as it is, no error.
    browser.execute_script("document.getElementById('export-link').click = () => {}")
    browser.execute_script(STUB, "/api/export/download$", "odd-name")
    browser.find_element(By.CSS_SELECTOR, "#dataset-export button[data-format=csv]").click()
    link = wait(browser, lambda d: (lambda a: a if a.is_displayed() else None)(d.find_element(By.ID, "export-link")))
    assert link.text == "labels-%E0%A4%A.zip" and not browser.find_element(By.ID, "export-error").is_displayed(), link.text
    browser.execute_script(UNSTUB)

    # The session gone (its cookie dropped): the download and the upload each show the signed-out view.
    for act in ("download", "upload"):
        browser.delete_all_cookies()
        if act == "download":
            browser.find_element(By.CSS_SELECTOR, "#dataset-export button[data-format=coco]").click()
        else:
            zipped = os.path.join(tempfile.mkdtemp(prefix="dash-data-"), "one.zip")
            write_zip(os.path.dirname(zipped), "one.zip", [("one/a.png", png(9, 9, (1, 1, 1)))])
            browser.find_element(By.ID, "import-zip").send_keys(zipped)
        wait(browser, lambda d: d.find_element(By.ID, "signed-out").is_displayed())
        assert browser.find_element(By.ID, "signin-error").text == "Your session has ended. Sign in again.", act
        sign_in(browser, server, key)
        select_project(browser, "alpha")
    assert imports("alpha") == 1
