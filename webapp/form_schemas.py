"""Schemas of the pages' forms that have no API twin (accounts, the calendar); the forms with an
API twin read the API's own schema (webapp/api/*/schemas.py). Read with `webapp.forms`."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from models.org.users import Role
from webapp.api.core import Strict, code, text

F = ma.fields
ROLES = [r.value for r in Role]


class UserCreateForm(Strict):
    email = text(254, min_length=1, required=True)
    display_name = text(200, load_default="")
    role = F.String(required=True, validate=validate.OneOf(ROLES))
    agency = code(load_default=None)
    locale = F.String(load_default="vi", validate=validate.OneOf(["vi", "en"]))
    is_agency_head = F.Boolean(load_default=False)


class UserEditForm(Strict):
    display_name = text(200, load_default="")
    role = F.String(required=True, validate=validate.OneOf(ROLES))
    agency = code(load_default=None)
    is_agency_head = F.Boolean(load_default=False)
    is_active = F.Boolean(load_default=False)


class PasswordChangeForm(Strict):
    current_password = text(200, min_length=1, required=True)
    new_password = text(200, min_length=1, required=True)
    repeat_password = text(200, min_length=1, required=True)


class CalendarDayForm(Strict):
    day = F.Date(required=True)
    kind = F.String(required=True, validate=validate.OneOf(["day_off", "working_day"]))
    note = text(500, load_default="")


class CalendarRemoveForm(Strict):
    day = F.Date(required=True)
