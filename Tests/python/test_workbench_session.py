"""Workbench sign-in: the link's token is exchanged for an HttpOnly, SameSite=Strict session cookie that the
worker API accepts; a bad token, signing out, expiry of the link, and the files' security headers."""
import glob
import os

import requests

from conftest import ROOT
from hitl_support import admin_header
from test_dashboard import expire_sessions
from images import distinct_pngs
from test_jtheta import create_dataset, create_project


def worker_link_token(server, key, email="ann@bench.test"):
    """The token of the sign-in link a JTheta annotation request hands out for a new worker."""
    create_project(server, key, "Bench")
    dataset_id = create_dataset(server, key, "Bench", "D", [(f"{i}.png", d) for i, d in enumerate(distinct_pngs(2))]).json()["dataset_id"]
    request = requests.post(server.url + "/request_annotation/", headers={"Authorization": f"Bearer {key}"}, json={
        "dataset_id": dataset_id, "project_name": "Bench", "assigned_annotator": email, "assigned_reviewer": "rev@bench.test",
        "labels": [{"label": "cat", "type": "tag"}]})
    assert request.status_code == 200, request.text
    return request.json()["workbench_links"][email].rsplit("token=", 1)[-1]


def test_a_link_signs_in_with_a_cookie_the_worker_api_accepts(server):
    key = server.create_account("bench")
    token = worker_link_token(server, key)
    browser = requests.Session()
    assert browser.get(server.url + "/worker/me").status_code == 401
    assert browser.post(server.url + "/workbench/session", json={"token": "wk_" + "0" * 64}).status_code == 401
    signed = browser.post(server.url + "/workbench/session", json={"token": token})
    assert signed.status_code == 200 and signed.json()["email"] == "ann@bench.test"
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("quarry_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=43200" in cookie
    assert browser.get(server.url + "/worker/me").json()["email"] == "ann@bench.test"
    assert browser.get(server.url + "/worker/tasks", params={"role": "annotator"}).status_code == 200
    # A token presented decides alone, as for accounts: a wrong one is refused even beside a good cookie.
    assert browser.get(server.url + "/worker/me", headers={"Authorization": "Bearer wk_" + "0" * 64}).status_code == 401
    # Signing out ends the session on the server, not only in this browser.
    secret = browser.cookies["quarry_session"]
    assert browser.post(server.url + "/workbench/signout").status_code == 200
    assert requests.get(server.url + "/worker/me", cookies={"quarry_session": secret}).status_code == 401
    # A new link for the worker ends every session of theirs.
    again = requests.Session()
    again.post(server.url + "/workbench/session", json={"token": token})
    assert again.get(server.url + "/worker/me").status_code == 200
    requests.post(server.url + "/admin/workers/link", json={"email": "ann@bench.test", "account": "bench"}, headers=admin_header())
    assert again.get(server.url + "/worker/me").status_code == 401


def test_an_expired_workbench_session_is_refused(server):
    key = server.create_account("bench")
    browser = requests.Session()
    assert browser.post(server.url + "/workbench/session", json={"token": worker_link_token(server, key)}).status_code == 200
    assert browser.get(server.url + "/worker/me").status_code == 200
    expire_sessions(server, "worker_sessions")
    assert browser.get(server.url + "/worker/me").status_code == 401


def test_only_the_workbench_files_are_served_with_a_strict_policy(server):
    page = requests.get(server.url + "/workbench/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and page.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(server.url + "/workbench/app.js").headers["Content-Type"].startswith("text/javascript")
    for app in ["workbench", "dashboard"]:  # the shared stylesheet and fetch wrapper, from Resources/common
        shared = requests.get(server.url + f"/{app}/quarry.css")
        assert shared.status_code == 200 and shared.headers["Content-Type"].startswith("text/css") and "--accent" in shared.text
        for script, name in [("quarry-api.js", "export async function request"), ("quarry-ui.js", "export function el")]:
            served = requests.get(server.url + f"/{app}/{script}")
            assert served.headers["Content-Type"].startswith("text/javascript") and name in served.text
        # The pages are ES modules that import one another by relative URL, and a module served as
        # anything but JavaScript is refused: every script of the app and of common must be served.
        for folder in [app, "common"]:
            for script in glob.glob(os.path.join(ROOT, "Resources", folder, "*.js")):
                served = requests.get(server.url + f"/{app}/" + os.path.basename(script))
                assert served.status_code == 200 and served.headers["Content-Type"].startswith("text/javascript"), script
    assert requests.get(server.url + "/workbench", allow_redirects=False).headers["Location"] == "/workbench/"
    for name in ["..%2FPackage.swift", "index.htm", "%2e%2e%2fREADME.md", "app.js.bak", "dashboard.js", "..%2Fcommon%2Fquarry.css"]:
        assert requests.get(server.url + "/workbench/" + name).status_code == 404
