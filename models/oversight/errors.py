"""Refusals of inspections, findings and corrective actions."""

from __future__ import annotations

from models.core.errors import N_, Forbidden, InvalidInput, NotFound, TransitionNotAllowed

# -- inspections ---------------------------------------------------------------------------------


class InspectionNotFound(NotFound):
    code = "inspection.not_found"
    message = N_("This inspection does not exist.")


class UnknownInScope(InvalidInput):
    code = "inspection.unknown_in_scope"
    message = N_("Unknown %(field)s: %(missing)s.")


class OpenInspectionForbidden(Forbidden):
    code = "inspection.open_forbidden"
    message = N_("Only inspectors and coordinators may plan inspections.")


class InspectionNeedsTitle(InvalidInput):
    code = "inspection.needs_title"
    message = N_("An inspection needs a title.")


class InspectionNeedsAgency(InvalidInput):
    code = "inspection.needs_agency"
    message = N_("Choose at least one agency to inspect.")


class ScopeAcrossPlans(InvalidInput):
    code = "inspection.scope_across_plans"
    message = N_("The items and sections in scope must come from one plan.")


class InspectorsNotStaff(InvalidInput):
    code = "inspection.inspectors_not_staff"
    message = N_("Inspectors must be inspection or coordinating staff.")


class InspectionTransitionNotAllowed(TransitionNotAllowed):
    code = "inspection.transition_not_allowed"
    message = N_("An inspection that is %(current)s cannot become %(target)s.")


class InspectionActionForbidden(Forbidden):
    code = "inspection.action_forbidden"
    message = N_("Your role may not %(verb)s an inspection.")


class ConclusionNeeded(InvalidInput):
    code = "inspection.conclusion_needed"
    message = N_("Write the conclusion before concluding the inspection.")


class InspectionNotStarted(TransitionNotAllowed):
    code = "inspection.not_started"
    message = N_("The inspection has not started yet.")


class InspectionDocumentsForbidden(Forbidden):
    code = "inspection.documents_forbidden"
    message = N_("Only inspection staff may attach inspection documents.")


class ChooseAFile(InvalidInput):
    code = "inspection.choose_a_file"
    message = N_("Choose a file to attach.")


# -- findings ------------------------------------------------------------------------------------


class FindingNotFound(NotFound):
    code = "finding.not_found"
    message = N_("This finding does not exist.")


class TaskNotOfAgency(InvalidInput):
    code = "finding.task_not_of_agency"
    message = N_("The task is not one of this agency's tasks.")


class UnknownItem(InvalidInput):
    code = "finding.unknown_item"
    message = N_("Unknown item: %(item_id)s.")


class UnknownSection(InvalidInput):
    code = "finding.unknown_section"
    message = N_("Unknown section: %(section_id)s.")


class LogFindingForbidden(Forbidden):
    code = "finding.log_forbidden"
    message = N_("Only inspectors may log findings.")


class EditFindingForbidden(Forbidden):
    code = "finding.edit_forbidden"
    message = N_("Only inspectors may correct findings.")


class FindingsOnlyInProgress(TransitionNotAllowed):
    code = "finding.inspection_not_in_progress"
    message = N_("Findings are logged while an inspection is in progress, not %(current)s.")


class UnknownSeverity(InvalidInput):
    code = "finding.unknown_severity"
    message = N_("Unknown severity: %(severity)s.")


class FindingNeedsText(InvalidInput):
    code = "finding.needs_text"
    message = N_("Write what was found.")


class FindingAgencyNotCovered(InvalidInput):
    code = "finding.agency_not_covered"
    message = N_("The finding must concern an agency this inspection covers.")


class FindingEvidenceForbidden(Forbidden):
    code = "finding.evidence_forbidden"
    message = N_("Only inspectors may add evidence to findings.")


# -- corrective actions --------------------------------------------------------------------------


class ActionNotFound(NotFound):
    code = "corrective_action.not_found"
    message = N_("This corrective action does not exist.")


class DaysOrDueDate(InvalidInput):
    code = "corrective_action.days_or_due_date"
    message = N_("Give either a number of working days or a due date.")


class WorkingDaysAtLeastOne(InvalidInput):
    code = "corrective_action.working_days_at_least_one"
    message = N_("The number of working days must be at least 1.")


class DueDateNotAfterToday(InvalidInput):
    code = "corrective_action.due_not_after_today"
    message = N_("The due date must be after today.")


class IssueActionForbidden(Forbidden):
    code = "corrective_action.issue_forbidden"
    message = N_("Only inspectors may issue corrective actions.")


class ActionNeedsDescription(InvalidInput):
    code = "corrective_action.needs_description"
    message = N_("Write what the agency must do.")


class ActionAgencyNotCovered(InvalidInput):
    code = "corrective_action.agency_not_covered"
    message = N_("The corrective action must go to an agency this inspection covers.")


class FollowupRequired(InvalidInput):
    code = "corrective_action.followup_required"
    message = N_("This corrective action is verified by a follow-up inspection: "
                 "choose the follow-up inspection.")


class FollowupInvalid(InvalidInput):
    code = "corrective_action.followup_invalid"
    message = N_("The follow-up must be another inspection of this agency that has started.")


class ActionTransitionNotAllowed(TransitionNotAllowed):
    code = "corrective_action.transition_not_allowed"
    message = N_("A corrective action that is %(current)s cannot become %(target)s.")


class StartActionForbidden(Forbidden):
    code = "corrective_action.start_forbidden"
    message = N_("Only the agency's officers may start work on its corrective action.")


class SubmitActionForbidden(Forbidden):
    code = "corrective_action.submit_forbidden"
    message = N_("Only the agency's officers submit its response; an inspector cannot submit it.")


class VerifyActionForbidden(Forbidden):
    code = "corrective_action.verify_forbidden"
    message = N_("Only an inspector may verify a corrective action.")


class ReopenActionForbidden(Forbidden):
    code = "corrective_action.reopen_forbidden"
    message = N_("Only an inspector may reopen a corrective action.")


class ReopenNeedsNote(InvalidInput):
    code = "corrective_action.reopen_needs_note"
    message = N_("Write a note saying what is still missing before reopening.")


class ResponseNeedsContent(InvalidInput):
    code = "corrective_action.response_needs_content"
    message = N_("Write what the agency did or attach evidence to submit the response.")


class ExtendActionForbidden(Forbidden):
    code = "corrective_action.extend_forbidden"
    message = N_("Only an inspector may extend a corrective action.")


class ExtendedOnlyOnce(TransitionNotAllowed):
    code = "corrective_action.extended_only_once"
    message = N_("This corrective action was already extended; it can be extended only once.")


class VerifiedNotExtendable(TransitionNotAllowed):
    code = "corrective_action.verified_not_extendable"
    message = N_("A verified corrective action cannot be extended.")


class ExtensionNeedsReason(InvalidInput):
    code = "corrective_action.extension_needs_reason"
    message = N_("An extension needs a reason.")
