"""The API's errors: one JSON shape with a stable `error` code, the message in the token owner's
language (Vietnamese by default), and the shape declared in the OpenAPI document."""

from __future__ import annotations

import io

from models.org.users import User

SHAPE = {"code", "error", "message", "errors"}


def _submit_exe(c, task_id):
    etag = c.get(f"/tasks/{task_id}").headers["ETag"]
    data = {"note": "x", "files": [(io.BytesIO(b"MZ"), "virus.exe")]}
    return c.post(f"/tasks/{task_id}/submissions", data=data, etag=etag)


def test_an_unknown_path_and_an_unknown_id_answer_the_one_shape(as_role, world):
    for path in ("/nothing-here", f"/tasks/{world.task_b}", "/tasks/999999"):
        response = as_role("officer").get(path)
        body = response.get_json()
        assert response.status_code == 404, path
        assert set(body) == SHAPE and body["code"] == 404, path
        assert body["error"] in ("http.not_found", "task.not_found"), path
        assert body["message"] and body["errors"] == {}
    assert as_role("officer").get("/nothing-here").get_json()["error"] == "http.not_found"
    assert as_role("officer").get("/tasks/999999").get_json()["error"] == "task.not_found"


def test_a_domain_refusal_is_422_with_its_code_and_field_in_vietnamese(as_role, world):
    response = _submit_exe(as_role("officer"), world.open_a)
    body = response.get_json()
    assert response.status_code == 422 and set(body) == SHAPE
    assert body["code"] == 422 and body["error"] == "file.type_not_accepted"
    assert body["message"].startswith("Không chấp nhận loại tệp này (.exe)")
    assert body["errors"] == {"multipart": {"file": [body["message"]]}}


def test_an_english_token_owner_reads_english(as_role, world, session):
    session.get(User, world.users["officer"]).locale = "en"
    session.commit()
    body = _submit_exe(as_role("officer"), world.open_a).get_json()
    assert body["error"] == "file.type_not_accepted"
    assert body["message"].startswith("Files of type .exe are not accepted")
    refused = as_role("officer").post(
        f"/tasks/{world.accept_a}/status", json={"status": "in_progress"},
        etag=as_role("officer").get(f"/tasks/{world.accept_a}").headers["ETag"]).get_json()
    assert refused["error"] == "task.transition_not_allowed"
    assert refused["message"] == "A task that is submitted cannot become in_progress."
    # the coordinator kept Vietnamese
    other = as_role("coordinator").get("/tasks/999999").get_json()
    assert other["message"] == "Nhiệm vụ này không tồn tại."


def test_http_errors_keep_their_headers_in_the_shape(as_role, client, world):
    anonymous = client.get("/api/v1/tasks")
    assert anonymous.status_code == 401 and set(anonymous.get_json()) == SHAPE
    assert anonymous.get_json()["error"] == "http.unauthorized"
    assert "Bearer" in anonymous.headers["WWW-Authenticate"]
    missing = as_role("officer").post(f"/tasks/{world.task_a}/status",
                                      json={"status": "in_progress"})
    assert missing.status_code == 428
    assert missing.get_json()["error"] == "http.precondition_required"
    invalid = as_role("officer").get("/tasks?page=zero")
    assert invalid.status_code == 422 and set(invalid.get_json()) == SHAPE
    assert invalid.get_json()["error"] == "http.unprocessable_entity"
    assert "page" in invalid.get_json()["errors"]["query"]


def test_the_openapi_document_declares_the_error_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == SHAPE
    assert set(error["required"]) == SHAPE
    assert error["properties"]["error"]["type"] == "string"
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert default["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    operations = [op for path in spec["paths"].values() for method, op in path.items()
                  if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) > 20
    for op in operations:
        assert op["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
        for status, response in op["responses"].items():
            if status.startswith("4"):  # 412, 422, 428...: the one shape
                ref = response.get("$ref", "")
                assert ref.startswith("#/components/responses/"), (op["operationId"], status)
                named = spec["components"]["responses"][ref.rsplit("/", 1)[1]]
                assert named["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
