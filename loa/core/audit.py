"""How an audit row reads: the action in words, the object's kind, where the object lives,
and what changed, with each field's own name and its values as the pages show them.

The codes are those the services pass to `audit_record` (`<entity>_<verb>`). A code missing
here is shown as it is, so a new service never breaks the log; add its words here.
"""

import datetime
import json
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.core.models import AuditEntry
from loa.core.text import format_date

ACTIONS = {
    # accounts
    "two_factor_enable": gettext_lazy("Turned on two-factor sign-in"),
    "two_factor_backup_renew": gettext_lazy("Made new backup codes for two-factor sign-in"),
    "two_factor_reset": gettext_lazy("Reset two-factor sign-in"),
    "account_admin_add": gettext_lazy("Added an account in the system administration"),
    "account_admin_change": gettext_lazy("Changed an account in the system administration"),
    "account_admin_delete": gettext_lazy("Deleted an account in the system administration"),
    # organisation
    "agency_create": gettext_lazy("Created an agency"),
    "agency_rename": gettext_lazy("Renamed an agency"),
    "agency_merge": gettext_lazy("Merged an agency into another"),
    "agency_dissolve": gettext_lazy("Dissolved an agency"),
    "unit_create": gettext_lazy("Created a unit"),
    "unit_rename": gettext_lazy("Renamed a unit"),
    "unit_move": gettext_lazy("Moved a unit"),
    "unit_merge": gettext_lazy("Merged a unit into another"),
    "unit_dissolve": gettext_lazy("Dissolved a unit"),
    "position_create": gettext_lazy("Created a position"),
    "position_update": gettext_lazy("Edited a position"),
    "person_create": gettext_lazy("Added a person"),
    "person_update": gettext_lazy("Edited a person"),
    "people_import": gettext_lazy("Imported people"),
    "person_data_export": gettext_lazy("Exported a person's personal data"),
    "person_erase": gettext_lazy("Erased a person's personal data"),
    "role_grant": gettext_lazy("Granted a role"),
    "role_revoke": gettext_lazy("Revoked a role"),
    # library
    "document_create": gettext_lazy("Added a legal document"),
    "document_update": gettext_lazy("Edited a legal document"),
    "attachment_add": gettext_lazy("Attached a file to a document"),
    "attachment_extract": gettext_lazy("Read the text of an attached file"),
    # plans
    "plan_create": gettext_lazy("Created a plan"),
    "plan_update": gettext_lazy("Edited a plan"),
    "plan_submit": gettext_lazy("Submitted a plan for approval"),
    "plan_return": gettext_lazy("Returned a plan for changes"),
    "plan_approve": gettext_lazy("Approved a plan"),
    "plan_publish": gettext_lazy("Published a plan"),
    "plan_close": gettext_lazy("Closed a plan"),
    "plan_new_revision": gettext_lazy("Started a revision of a plan"),
    "plan_copy_to_year": gettext_lazy("Copied a plan to another year"),
    "task_override_status": gettext_lazy("Set a task's status by hand"),
    "evidence_add": gettext_lazy("Added evidence to a task"),
    # outreach
    "dispatch_create": gettext_lazy("Prepared a dispatch"),
    "dispatch_send": gettext_lazy("Sent a dispatch"),
    "dispatch_deliver": gettext_lazy("Delivered a dispatch to its audience"),
    "dispatch_remind": gettext_lazy("Reminded those who had not acknowledged"),
    "dispatch_ask_again": gettext_lazy("Asked for acknowledgement again"),
    "dispatch_set_dms_number": gettext_lazy("Recorded a dispatch's document-management number"),
    "delivery_open": gettext_lazy("Opened a document sent to them"),
    "delivery_acknowledge": gettext_lazy("Acknowledged a document"),
    "audience_group_save": gettext_lazy("Saved an audience group"),
    "webhook_create": gettext_lazy("Added a webhook"),
    "webhook_deactivate": gettext_lazy("Turned off a webhook"),
    "zalo_account_connect": gettext_lazy("Connected the Zalo Official Account"),
    "zalo_account_disconnect": gettext_lazy("Disconnected the Zalo Official Account"),
    "zalo_account_renew_token": gettext_lazy("Renewed the Zalo Official Account's access"),
    "zalo_group_create": gettext_lazy("Added a Zalo group"),
    "group_link_create": gettext_lazy("Made a link for a Zalo group"),
    # activities
    "activity_type_create": gettext_lazy("Created an activity type"),
    "activity_type_set_active": gettext_lazy("Turned an activity type on or off"),
    "activity_create": gettext_lazy("Created an activity"),
    "activity_update": gettext_lazy("Edited an activity"),
    "activity_cancel": gettext_lazy("Cancelled an activity"),
    "activity_save_minutes": gettext_lazy("Saved the minutes of an activity"),
    "attendance_check_in": gettext_lazy("Checked in to an activity"),
    "attendance_mark": gettext_lazy("Marked attendance"),
    "attendance_correct": gettext_lazy("Corrected attendance after the activity"),
    "feed_create": gettext_lazy("Made a calendar feed"),
    "feed_revoke": gettext_lazy("Revoked a calendar feed"),
    "cadence_rule_set": gettext_lazy("Set how long a unit may go without an activity"),
    "cadence_alert": gettext_lazy("Warned that a unit has had no activity"),
    # budget
    "budget_line_create": gettext_lazy("Added a budget line"),
    "budget_line_update": gettext_lazy("Changed a budget line"),
    "expense_add": gettext_lazy("Recorded an expense"),
    "expense_remove": gettext_lazy("Removed an expense"),
    # reports
    "report_create": gettext_lazy("Created a report"),
    "report_save": gettext_lazy("Saved a report"),
    "report_render": gettext_lazy("Asked for a report's files"),
    "report_submit": gettext_lazy("Sent a report"),
    "reporting_rule_save": gettext_lazy("Saved a reporting calendar rule"),
    "report_deadline_notice": gettext_lazy("Reminded the coordinators of a report's deadline"),
    "inspection_schedule": gettext_lazy("Scheduled an inspection"),
    "inspection_record": gettext_lazy("Recorded an inspection's findings"),
    "follow_up_add": gettext_lazy("Added a follow-up"),
    "follow_up_close": gettext_lazy("Closed a follow-up"),
    # citizens' feedback
    "feedback_box_open": gettext_lazy("Opened the public feedback box"),
    "feedback_box_close": gettext_lazy("Closed the public feedback box"),
    "feedback_box_new_address": gettext_lazy("Gave the feedback box a new address"),
    "feedback_submit": gettext_lazy("A citizen sent feedback"),
    "feedback_answer": gettext_lazy("Answered a citizen's feedback"),
    "feedback_contact_expire": gettext_lazy("Erased a citizen's contact at the end of its term"),
    "citizen_data_export": gettext_lazy("Exported a citizen's data"),
    "citizen_data_erase": gettext_lazy("Erased a citizen's data at their request"),
}

# The kinds of object the services audit (`Model._meta.label_lower`); their names are the
# models' own verbose names. A kind missing here still shows, it is only not offered as a filter.
TARGET_TYPES = [
    "core.user",
    "org.agency",
    "org.unit",
    "org.position",
    "org.person",
    "library.document",
    "plans.plan",
    "plans.task",
    "outreach.dispatch",
    "outreach.delivery",
    "outreach.audiencegroup",
    "outreach.webhook",
    "outreach.zaloaccount",
    "outreach.zalogroup",
    "events.activitytype",
    "events.activity",
    "events.calendarfeed",
    "events.cadencerule",
    "budget.budgetline",
    "reports.report",
    "reports.reportingrule",
    "reports.inspection",
    "reports.followup",
    "voices.feedbackbox",
    "voices.feedback",
]

# The page of an object, where it has one; that page decides itself who may see it.
_PAGES = {
    "org.agency": "org:agency",
    "org.unit": "org:unit",
    "org.person": "org:person",
    "library.document": "library:detail",
    "plans.plan": "plans:detail",
    "plans.task": "plans:task",
    "outreach.dispatch": "outreach:dispatch",
    "events.activity": "events:activity",
    "reports.report": "reports:report",
    "reports.inspection": "reports:inspection",
    "voices.feedback": "voices:detail",
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1])


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def type_label(target_type: str) -> str:
    model = _model(target_type)
    return str(model._meta.verbose_name) if model else target_type


def type_choices() -> list[tuple[str, str]]:
    choices = [(label, type_label(label)) for label in TARGET_TYPES if _model(label)]
    return sorted(choices, key=lambda c: c[1].lower())


def target_url(entry: AuditEntry) -> str:
    name = _PAGES.get(entry.target_type)
    if name is None or not entry.target_id.isascii() or not entry.target_id.isdigit():
        return ""
    try:
        return reverse(name, args=[int(entry.target_id)])
    except NoReverseMatch:
        return ""


def actor_name(entry: AuditEntry) -> str:
    """The person's full name and account, the account alone, or "System" for work the
    worker and scheduled jobs did on nobody's behalf."""
    user = entry.actor
    if user is None:
        return _("System")
    person = getattr(user, "person", None)
    return f"{person.full_name} ({user.username})" if person else user.username


def _value(field: models.Field | None, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices and not isinstance(value, list | dict):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, str) and isinstance(field, models.DateField):
        day = parse_date(value) if len(value) == 10 else None
        return format_date(day) if isinstance(day, datetime.date) else value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def describe_changes(entry: AuditEntry) -> list[tuple[str, str]]:
    """[(what, how)]: "{field: [old, new]}" reads "old → new", any other value as it is."""
    if not isinstance(entry.changes, dict):
        return [("", _value(None, entry.changes))] if entry.changes else []
    model = _model(entry.target_type)
    described = []
    for key, value in entry.changes.items():
        field: models.Field | None = None
        if model is not None:
            try:
                found = model._meta.get_field(key)
            except FieldDoesNotExist:
                found = None
            field = found if isinstance(found, models.Field) else None
        name = str(getattr(field, "verbose_name", "") or key.replace("_", " "))
        if isinstance(value, list) and len(value) == 2:
            how = f"{_value(field, value[0])} → {_value(field, value[1])}"
        else:
            how = _value(field, value)
        described.append((name, how))
    return described


def changes_text(entry: AuditEntry) -> str:
    return "; ".join(f"{name}: {how}" if name else how for name, how in describe_changes(entry))
