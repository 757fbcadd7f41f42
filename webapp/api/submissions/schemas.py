"""Schemas of a submission (multipart) and its evidence."""

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate
from werkzeug.datastructures import FileStorage

from models.core.evidence import ALLOWED
from webapp.api.core import QueryBoolean, Strict, text
from webapp.api.tasks.schemas import UpdateSchema

__all__ = ["FILE_RESPONSE", "SubmissionSchema", "UpdateSchema"]


class EvidenceFile(Upload):
    """A file part of a multipart body (not a text field of the same name)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ma.ValidationError("not a file")
        return value


class SubmissionSchema(Strict):
    note = text(2000, load_default="")
    nil_return = QueryBoolean(load_default=False, metadata={"description": "true or false"})
    files = ma.fields.List(EvidenceFile(), load_default=list, validate=validate.Length(max=10),
                           metadata={"description": "evidence files (PDF, office, images, zip)"})


FILE_RESPONSE = {
    "description": "The evidence file",
    "content": {t: {"schema": {"type": "string", "format": "binary"}}
                for t in sorted(set(ALLOWED.values()))},
}
