"""Marshmallow schemas for the plan and agencies YAML formats (unknown fields refused)."""

from __future__ import annotations

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from models.plans.cadence import ROLLS, Cadence, DueRule, parse_first_period
from models.plans.entities import ItemKind

PLAN_FORMAT = "planwatch/plan@1"
AGENCIES_FORMAT = "planwatch/agencies@1"
AGENCY_CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9_-]*$", error="agency codes are A-Z, 0-9, _ and -")
NAMESPACE = validate.Regexp(r"^([A-Z0-9][A-Z0-9_-]{0,31})?$",
                            error="a namespace is A-Z, 0-9, _ and - (at most 32)")
GROUP_CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_]*$", error="group codes are a-z, 0-9 and _")
ITEM_CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9._-]*$", error="item codes are A-Z, 0-9, ., _ and -")
RECIPIENTS = ("responsible", "agency_head", "coordinator", "parent_head", "reports_to")
RUNG_KINDS = ("reminder", "overdue", "escalation")


class Strict(Schema):
    class Meta:
        unknown = RAISE


def text(required: bool = True, max_len: int | None = None) -> fields.String:
    return fields.String(
        required=required, validate=validate.Length(min=1 if required else 0, max=max_len)
    )


class GroupSchema(Strict):
    code = fields.String(required=True, validate=GROUP_CODE)
    name_vi = text(max_len=300)
    name_en = text(required=False, max_len=300)
    aliases = fields.List(fields.String(validate=validate.Length(min=2, max=300)),
                          load_default=list)


class AgencySchema(Strict):
    code = fields.String(required=True, validate=[AGENCY_CODE, validate.Length(max=64)])
    name_vi = text(max_len=300)
    name_en = text(required=False, max_len=300)
    parent = fields.String(validate=AGENCY_CODE, allow_none=True)
    groups = fields.List(fields.String(validate=GROUP_CODE), load_default=list)
    note = text(required=False)
    aliases = fields.List(fields.String(validate=validate.Length(min=2, max=300)),
                          load_default=list)
    # the day the agency began to exist / its last day (a merger); no tasks due outside
    active_from = fields.Date(allow_none=True)
    active_to = fields.Date(allow_none=True)

    @validates_schema
    def _lifetime(self, data, **_):
        if data.get("active_from") and data.get("active_to") \
                and data["active_to"] < data["active_from"]:
            raise ValidationError("active_to is before active_from", "active_to")


class AgenciesFileSchema(Strict):
    format = fields.String(required=True, validate=validate.Equal(AGENCIES_FORMAT))
    # the province whose codes these are: codes are unique within a namespace; none (the
    # default) for the installation's own province, so the bundled file needs no key
    namespace = fields.String(load_default="", validate=NAMESPACE)
    groups = fields.List(fields.Nested(GroupSchema), load_default=list)
    agencies = fields.List(fields.Nested(AgencySchema), required=True)


class DocumentSchema(Strict):
    code = text(max_len=64)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            ["directive", "resolution", "scheme", "regulation", "plan", "other"]),
    )
    issuer_vi = text(required=False)
    issued_on = fields.Date()
    title_vi = text(required=False)
    title_en = text(required=False)


class RungSchema(Strict):
    at = fields.Integer(required=True, strict=True, validate=validate.Range(-60, 120))
    kind = fields.String(validate=validate.OneOf(RUNG_KINDS))
    to = fields.List(
        fields.String(validate=validate.OneOf(RECIPIENTS)), required=True,
        validate=validate.Length(min=1),
    )


class PlanHeaderSchema(Strict):
    code = text(max_len=64)
    title_vi = text()
    title_en = text()
    issuer = fields.String(validate=AGENCY_CODE)
    issued_on = fields.Date()
    timezone = fields.String(load_default="Asia/Ho_Chi_Minh")
    starts_on = fields.Date(required=True)
    ends_on = fields.Date()
    coordinator = fields.String(required=True, validate=AGENCY_CODE)
    # the plan's roll direction for a due date on a day off: forward ("chậm nhất") or back
    # ("trước ngày"); an item's `due.roll` wins
    roll = fields.String(load_default="forward", validate=validate.OneOf(ROLLS))
    implements = fields.List(fields.Nested(DocumentSchema), load_default=list)
    cites = fields.List(fields.Nested(DocumentSchema), load_default=list)
    reminders = fields.List(fields.Nested(RungSchema), load_default=list)

    @validates("timezone")
    def _tz(self, value: str, **_):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown time zone {value!r}") from None

    @validates_schema
    def _dates(self, data, **_):
        if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("ends before it starts", "ends_on")


class SectionSchema(Strict):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9IVX][A-Za-z0-9.]*$", error="bad section code"),
    )
    title_vi = text()
    title_en = text(required=False)
    text_vi = text(required=False)
    sections = fields.List(fields.Nested(lambda: SectionSchema()), load_default=list)


class PartiesSchema(Strict):
    groups = fields.List(fields.String(validate=GROUP_CODE), load_default=list)
    agencies = fields.List(fields.String(validate=AGENCY_CODE), load_default=list)
    exclude = fields.List(fields.String(validate=AGENCY_CODE), load_default=list)


class DueField(fields.Field):
    """A due rule mapping, checked by the pure DueRule parser."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("a due rule is a mapping with a 'rule' key")
        try:
            return DueRule.from_dict(value).to_dict()
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class PeriodText(fields.Field):
    """A first period as written: `2025-10`, `2025-Q4`, `2026-H1`, or a year (`2026` or 2026)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not 4 <= len(value) <= 16:
            raise ValidationError("a period is written 2025-10, 2025-Q4, 2026-H1 or 2026")
        return value


class ItemSchema(Strict):
    code = fields.String(required=True, validate=[ITEM_CODE, validate.Length(max=64)])
    section = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ItemKind]))
    title_vi = text()
    title_en = text()
    text_vi = text(required=False)
    lead = fields.Nested(PartiesSchema, required=True)
    coordinating = fields.Nested(PartiesSchema, load_default=dict)
    reports_to = fields.List(fields.String(validate=AGENCY_CODE), load_default=list)
    cadence = fields.String(required=True, validate=validate.OneOf([c.value for c in Cadence]))
    due = DueField(load_default=None)
    absorbs = fields.List(fields.String(validate=ITEM_CODE), load_default=list)
    allows_nil_return = fields.Boolean(load_default=False)
    evidence_vi = text(required=False)
    evidence_en = text(required=False)
    reminders = fields.List(fields.Nested(RungSchema), load_default=None)
    starts_on = fields.Date()
    ends_on = fields.Date()

    first_period = PeriodText()

    @validates_schema
    def _cadence_needs_due(self, data, **_):
        cadence = data.get("cadence")
        due = data.get("due") or {}
        rule = due.get("rule")
        if cadence == Cadence.ON_REQUEST:
            if due and not (rule == "working_days_after" and due.get("event")):
                raise ValidationError("an on_request item has no due rule, or only "
                                      "working_days_after an event", "due")
        elif cadence == Cadence.NONE:
            if due:
                raise ValidationError(f"a {cadence} item has no due rule", "due")
        elif cadence and not due:
            raise ValidationError(f"a {cadence} item needs a due rule", "due")
        once_rules = ("fixed_date", "days_after_start")
        if cadence == Cadence.ONCE and rule:
            if rule == "window" and not due.get("start"):
                raise ValidationError("a one-off item's window names its start and end", "due")
            if rule not in (*once_rules, "window"):
                raise ValidationError(
                    "a one-off item is due by fixed_date, days_after_start or window", "due")
        if cadence not in (Cadence.ONCE, None) and rule in once_rules:
            raise ValidationError(f"{rule} is only for one-off items", "due")
        if cadence not in (Cadence.ONCE, None) and rule == "window" and due.get("start"):
            raise ValidationError(f"a {cadence} item's window is its period: no start or end",
                                  "due")
        if rule == "working_days_after" and due.get("after") and cadence in (
                Cadence.ONCE, Cadence.ON_REQUEST):
            raise ValidationError("working_days_after other items is for calendar cadences "
                                  "(the items' periods are matched)", "due")
        if due.get("cutoff") is not None and cadence in (Cadence.ONCE, Cadence.ON_REQUEST):
            raise ValidationError("a data cut-off is for monthly, quarterly, half-yearly and "
                                  "yearly reports", "due")
        if data.get("first_period") is not None and cadence:
            try:
                parse_first_period(cadence, data["first_period"])
            except ValueError as exc:
                raise ValidationError(str(exc), "first_period") from None


class PlanFileSchema(Strict):
    format = fields.String(required=True, validate=validate.Equal(PLAN_FORMAT))
    namespace = fields.String(load_default="", validate=NAMESPACE)  # whose agency codes
    plan = fields.Nested(PlanHeaderSchema, required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True)
    items = fields.List(fields.Nested(ItemSchema), required=True)
