"""Refusals of plans, their items and the working-day calendar."""

from __future__ import annotations

from models.core.errors import N_, Forbidden, InvalidInput, NotFound


class PlanNotFound(NotFound):
    code = "plan.not_found"
    message = N_("This plan does not exist.")


class UnknownPlanCode(NotFound):
    code = "plan.unknown_code"
    message = N_("There is no plan with the code %(plan_code)s.")


class UnknownItemCode(NotFound):
    code = "item.unknown_code"
    message = N_("There is no item %(item_code)s in plan %(plan_code)s.")


class CalendarCoordinatorOnly(Forbidden):
    code = "calendar.coordinator_only"
    message = N_("Only a coordinator may change the calendar.")


class UnknownDayKind(InvalidInput):
    code = "calendar.unknown_day_kind"
    message = N_("A calendar day is either a day off or a working day.")


class CalendarDayNotSet(NotFound):
    code = "calendar.day_not_set"
    message = N_("No day off or make-up working day is set on %(day)s.")


class PlanEditCoordinatorOnly(Forbidden):
    code = "plan.edit_coordinator_only"
    message = N_("Only a coordinator may change a plan.")
