"""POST /tasks/{id}/submissions (multipart) and GET /attachments/{id}."""

from flask import current_app, send_file
from flask.views import MethodView

from models.core.db import db
from models.core.evidence import Upload, open_evidence
from models.tasks.operations import get_task
from models.tasks.reports import submit_report
from webapp.api.core import ApiBlueprint, api_user, expected_version, if_match_required, utcnow
from webapp.api.submissions.schemas import (
    ETAG_HEADER,
    FILE_RESPONSE,
    SubmissionSchema,
    UpdateSchema,
)

bp = ApiBlueprint("Submissions", __name__, "",
                  description="Submit a report with evidence; download evidence.")


@bp.route("/tasks/<id:task_id>/submissions")
class Submissions(MethodView):
    @bp.arguments(SubmissionSchema, location="multipart", required=False)
    @bp.response(201, UpdateSchema, headers=ETAG_HEADER)
    @bp.doc(parameters=[if_match_required()])
    def post(self, body, task_id: int):
        """Submit the task's report with a note and evidence files, in one transaction."""
        user = api_user()
        task = get_task(db.session, user, task_id)
        update = submit_report(
            db.session, user, task, note=body["note"], nil_return=body["nil_return"],
            files=[Upload(part.filename or "", part.stream) for part in body["files"]],
            version=expected_version(task.version), now=utcnow(),
            folder=current_app.config["UPLOAD_FOLDER"])
        db.session.commit()
        return update, 201, {"ETag": f'"{task.version}"'}


@bp.route("/attachments/<id:attachment_id>")
class AttachmentFile(MethodView):
    @bp.doc(responses={"200": FILE_RESPONSE})
    def get(self, attachment_id: int):
        """Download an evidence file, if the caller may see its agency."""
        attachment, path = open_evidence(db.session, api_user(), attachment_id,
                                         current_app.config["UPLOAD_FOLDER"])
        return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, etag=attachment.sha256)
