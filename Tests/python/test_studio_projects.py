"""Studio projects and system endpoints: the envelope, the error codes, and one data model shared
with the JTheta API."""
import requests

from images import png


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def test_project_crud_in_the_envelope(server):
    key = server.create_account("studio")
    created = requests.post(server.url + "/api/projects", json={"name": "My Classification Project", "task": "classification"},
                            headers=auth(key))
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "ok"
    project = body["data"]
    assert project["id"].startswith("proj-") and project["name"] == "My Classification Project"
    assert project["task"] == "classification" and project["created_at"].endswith("Z")

    listed = requests.get(server.url + "/api/projects", headers=auth(key)).json()
    assert listed["status"] == "ok" and [p["id"] for p in listed["data"]] == [project["id"]]
    patched = requests.patch(server.url + f"/api/projects/{project['id']}", json={"name": "Renamed", "task": "detection"},
                             headers=auth(key)).json()["data"]
    assert patched["name"] == "Renamed" and patched["task"] == "detection"
    assert requests.get(server.url + f"/api/projects/{project['id']}", headers=auth(key)).json()["data"]["name"] == "Renamed"
    deleted = requests.delete(server.url + f"/api/projects/{project['id']}", headers=auth(key))
    assert deleted.json() == {"status": "ok", "data": {"id": project["id"], "deleted": True}}
    missing = requests.get(server.url + f"/api/projects/{project['id']}", headers=auth(key))
    assert missing.status_code == 404
    assert missing.json() == {"status": "error", "error": {"code": "NOT_FOUND", "message": f"project '{project['id']}' not found"}}


def test_errors_have_the_specs_codes(server):
    key = server.create_account("errors")
    bad_task = requests.post(server.url + "/api/projects", json={"name": "x", "task": "poetry"}, headers=auth(key))
    assert bad_task.status_code == 422, bad_task.text
    assert bad_task.json()["error"] == {"code": "VALIDATION_ERROR", "message": bad_task.json()["error"]["message"],
                                        "details": {"field": "task", "reason": "must be one of classification, detection, segmentation"}}
    requests.post(server.url + "/api/projects", json={"name": "taken"}, headers=auth(key))
    duplicate = requests.post(server.url + "/api/projects", json={"name": "taken"}, headers=auth(key))
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "CONFLICT"
    unauthorized = requests.get(server.url + "/api/projects")
    assert unauthorized.status_code == 401 and unauthorized.json()["error"]["code"] == "UNAUTHORIZED"
    wrong_method = requests.put(server.url + "/api/projects", headers=auth(key))
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    unrouted = requests.get(server.url + "/api/nothing/here", headers=auth(key))
    assert unrouted.status_code == 404 and unrouted.json()["error"]["code"] == "NOT_FOUND"
    # The other surfaces keep their own shapes and statuses: a refused value is a 400 there.
    hitl = requests.post(server.url + "/v1/projects", json={"name": 3}, headers={"Authorization": f"api_key {key}"})
    assert hitl.status_code == 400 and set(hitl.json()) == {"error"}, hitl.text


def test_health_answers_without_a_key(server):
    healthy = requests.get(server.url + "/api/system/health")
    assert healthy.status_code == 200 and healthy.json()["data"]["status"] == "healthy"
    assert requests.get(server.url + "/api/system/health", headers=auth("qk_" + "0" * 64)).status_code == 401


def test_another_accounts_project_is_not_found(server):
    alice = server.create_account("alice")
    bob = server.create_account("bob")
    project = requests.post(server.url + "/api/projects", json={"name": "private"}, headers=auth(alice)).json()["data"]
    for method in ["get", "delete"]:
        assert getattr(requests, method)(server.url + f"/api/projects/{project['id']}", headers=auth(bob)).status_code == 404
    assert requests.patch(server.url + f"/api/projects/{project['id']}", json={"name": "mine"}, headers=auth(bob)).status_code == 404
    assert requests.get(server.url + "/api/projects", headers=auth(bob)).json()["data"] == []


def test_jtheta_projects_and_images_are_the_same_projects(server):
    key = server.create_account("shared")
    requests.post(server.url + "/create_project/", json={"project_title": "Shared", "project_category": "x"}, headers=auth(key))
    requests.post(server.url + "/create_dataset/", data={"dataset_name": "D", "project_name": "Shared"},
                  files=[("images", ("a.png", png())), ("images", ("b.png", png(8, 8)))], headers=auth(key))
    projects = requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"]
    assert [(p["name"], p["image_count"]) for p in projects] == [("Shared", 2)]
    # The listing's count follows images added to and cleared from the project's datasets.
    requests.post(server.url + "/create_dataset/", data={"dataset_name": "E", "project_name": "Shared"},
                  files=[("images", ("c.png", png(4, 4)))], headers=auth(key))
    assert requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"][0]["image_count"] == 3
    assert requests.delete(server.url + f"/api/datasets/{projects[0]['id']}", headers=auth(key)).status_code == 200
    assert requests.get(server.url + "/api/projects", headers=auth(key)).json()["data"][0]["image_count"] == 0


def test_system_health_and_workspace(server):
    key = server.create_account("system")
    health = requests.get(server.url + "/api/system/health", headers=auth(key)).json()
    assert health["status"] == "ok" and health["data"]["status"] == "healthy" and health["data"]["database"] == "ok"
    requests.post(server.url + "/create_project/", json={"project_title": "W", "project_category": "x"}, headers=auth(key))
    requests.post(server.url + "/create_dataset/", data={"dataset_name": "D", "project_name": "W"},
                  files=[("images", ("a.png", png()))], headers=auth(key))
    workspace = requests.get(server.url + "/api/system/workspace", headers=auth(key)).json()["data"]
    assert workspace["projects"] == 1 and workspace["images"] == 1
    assert workspace["stored_file_bytes"] == len(png()) and workspace["database_bytes"] > 0
    assert workspace["disk_total_bytes"] >= workspace["disk_free_bytes"] > 0
