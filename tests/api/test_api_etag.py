"""ETag and If-Match (flask-smorest): 428 without, 412 when stale, 200 when fresh; documented."""

import pytest

# every change of an existing object, as the OpenAPI document names it
CHANGES = [
    ("patch", "/api/v1/tasks/{task_id}"),
    ("post", "/api/v1/tasks/{task_id}/status"),
    ("post", "/api/v1/tasks/{task_id}/submissions"),
    ("post", "/api/v1/tasks/{task_id}/accept"),
    ("post", "/api/v1/tasks/{task_id}/return"),
    ("post", "/api/v1/inspections/{inspection_id}/start"),
    ("post", "/api/v1/inspections/{inspection_id}/conclude"),
    *[("post", f"/api/v1/corrective-actions/{{action_id}}/{step}")
      for step in ("start", "submit", "verify", "reopen", "extend")],
]
CREATIONS = [("post", "/api/v1/inspections"),
             ("post", "/api/v1/inspections/{inspection_id}/findings"),
             ("post", "/api/v1/findings/{finding_id}/corrective-actions")]


def test_missing_stale_and_fresh_if_match(as_role, world):
    c = as_role("officer")
    path = f"/corrective-actions/{world.actions['start']}"
    read = c.get(path)
    assert read.headers["ETag"] == f'"{read.get_json()["version"]}"'

    missing = c.post(f"{path}/start", json={})
    assert missing.status_code == 428 and missing.get_json()["code"] == 428
    assert c.post(f"{path}/start", json={}, etag="").status_code == 412  # names no version
    stale = c.post(f"{path}/start", json={}, etag='"999"')
    assert stale.status_code == 412
    assert stale.get_json()["errors"]["headers"]["If-Match"] == [
        f"current ETag is {read.headers['ETag']}"]
    assert c.get(path).get_json()["status"] == "open"  # neither changed anything

    fresh = c.post(f"{path}/start", json={}, etag=read.headers["ETag"])
    assert fresh.status_code == 200 and fresh.get_json()["status"] == "in_progress"
    assert fresh.headers["ETag"] == c.get(path).headers["ETag"] != read.headers["ETag"]
    assert c.post(f"{path}/submit", data={"note": "x"}, etag=read.headers["ETag"],
                  content_type="multipart/form-data").status_code == 412


def test_a_read_answers_304_to_its_own_etag(as_role, world):
    c = as_role("officer")
    etag = c.get(f"/tasks/{world.task_a}").headers["ETag"]
    again = c.get(f"/tasks/{world.task_a}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_every_change_documents_if_match_428_and_412(spec):
    parameters = spec["components"]["parameters"]
    for method, path in CHANGES:
        operation = spec["paths"][path][method]
        assert {"412", "428"} <= set(operation["responses"]), (method, path)
        refs = [p["$ref"].rsplit("/", 1)[-1] for p in operation["parameters"] if "$ref" in p]
        [if_match] = [parameters[r] for r in refs if parameters[r]["name"] == "If-Match"]
        assert if_match["in"] == "header" and if_match["required"] is True
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert "ETag" in operation["responses"][success]["headers"], (method, path)


def test_creating_needs_no_if_match_but_answers_with_the_etag(spec):
    for method, path in CREATIONS:
        operation = spec["paths"][path][method]
        assert "428" not in operation["responses"], path
        assert "ETag" in operation["responses"]["201"]["headers"], path
