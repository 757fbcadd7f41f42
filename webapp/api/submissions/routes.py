"""POST /tasks/{id}/submissions (multipart) and GET /attachments/{id}."""

from flask import current_app, send_file
from flask.views import MethodView

from models.core.db import db
from models.core.evidence import Upload, open_evidence
from models.tasks.operations import get_task
from models.tasks.reports import submit_report
from webapp import clock
from webapp.api.core import ApiBlueprint, VersionSchema, api_user
from webapp.api.submissions.schemas import FILE_RESPONSE, SubmissionSchema, UpdateSchema

bp = ApiBlueprint("Submissions", __name__, "",
                  description="Submit a report with evidence; download evidence.")


@bp.route("/tasks/<id:task_id>/submissions")
class Submissions(MethodView):
    @bp.arguments(SubmissionSchema, location="multipart", required=False)
    @bp.etag
    @bp.response(201, UpdateSchema)
    def post(self, body, task_id: int):
        """Submit the task's report with a note and evidence files, in one transaction."""
        user = api_user()
        task = get_task(db.session, user, task_id)
        bp.check_etag(task, VersionSchema)
        update = submit_report(
            db.session, user, task, note=body["note"], nil_return=body["nil_return"],
            files=[Upload(part.filename or "", part.stream) for part in body["files"]],
            version=task.version, now=clock.now(), folder=current_app.config["UPLOAD_FOLDER"])
        db.session.commit()
        bp.set_etag(task, VersionSchema)  # the task's new version, for its next change
        return update, 201


@bp.route("/attachments/<id:attachment_id>")
class AttachmentFile(MethodView):
    @bp.doc(responses={"200": FILE_RESPONSE})
    def get(self, attachment_id: int):
        """Download an evidence file, if the caller may see its agency."""
        attachment, path = open_evidence(db.session, api_user(), attachment_id,
                                         current_app.config["UPLOAD_FOLDER"])
        return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, etag=attachment.sha256)
