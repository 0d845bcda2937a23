"""Every change to activities: recording them, their minutes and files, attendance (QR
check-in or ticked by the organizer), calendar feeds and the cadence alerts."""

import datetime
import logging

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from loa.core.db import insert_from
from loa.core.models import User
from loa.core.services import audit_record
from loa.core.tasks import enqueue_with_commit, send_email
from loa.events import permissions, queries
from loa.events.models import (
    Activity,
    ActivityFile,
    ActivityType,
    Attendance,
    CadenceAlert,
    CadenceRule,
    CalendarFeed,
)
from loa.library.files import AttachmentError, check_photo_or_document
from loa.org.models import Agency, Person, Role, RoleAssignment, Unit
from loa.outreach.queries import audience as audience_people

logger = logging.getLogger(__name__)

ENDS_BEFORE_START = _("The activity must end after it starts.")
NOT_OPEN_YET = _("Check-in opens at %(when)s, %(before)s minutes before the activity starts.")
CLOSED = _("Check-in closed at %(when)s, when the activity ended.")
WRONG_CODE = _("This check-in link is not valid. Scan the QR code shown in the room again.")
NOT_OF_AGENCY = _("Only people of %(agency)s can check in to this activity.")
CANCELLED = _("This activity was cancelled.")
FILE_REFUSED = _("The file %(name)s was refused: %(reason)s")
TYPE_EXISTS = _("The agency already has an activity type with this name.")
EVIDENCE_NOTE = _("Activity “%(title)s” held on %(date)s: %(present)s of %(expected)s attended.")

CHECKIN_OPENS_MINUTES = 30
# The kinds of the sample plan's forms, first in every agency's list (editable afterwards).
DEFAULT_TYPES = [
    _("Party-cell thematic meeting"),
    _("Agency conference"),
    _("Professional exchange"),
    _("Training"),
    _("E-portal post"),
    _("Contest"),
    _("Other"),
]
MINUTES_TAGS = {
    "p",
    "div",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
}


def types_of(agency: Agency):
    """The agency's activity types; the default list is made the first time it is asked."""
    if not ActivityType.objects.filter(agency=agency).exists():
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            ActivityType.objects.bulk_create(
                [
                    ActivityType(agency=agency, name=str(name), order=i)
                    for i, name in enumerate(DEFAULT_TYPES)
                ],
                ignore_conflicts=True,
            )
    return ActivityType.objects.filter(agency=agency)


@transaction.atomic
def activity_type_create(*, actor: User, agency: Agency, name: str) -> ActivityType:
    if not permissions.can_manage(actor, agency.pk):
        raise PermissionDenied
    name = " ".join(name.split())
    if ActivityType.objects.filter(agency=agency, name__iexact=name).exists():
        raise ValidationError(TYPE_EXISTS, code="exists")
    order = ActivityType.objects.filter(agency=agency).count()
    kind = ActivityType.objects.create(agency=agency, name=name, order=order)
    audit_record(actor=actor, action="activity_type_create", target=kind, changes={"name": name})
    return kind


@transaction.atomic
def activity_type_set_active(*, actor: User, kind: ActivityType, active: bool) -> ActivityType:
    if not permissions.can_manage(actor, kind.agency_id):
        raise PermissionDenied
    kind.is_active = active
    kind.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="activity_type_set_active", target=kind, changes={"active": active}
    )
    return kind


def _checked_files(uploads) -> list[tuple]:
    """(upload, kind, size, sha256) for each upload, or a ValidationError naming the file."""
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, *_check_file(upload)))
        except AttachmentError as error:
            raise ValidationError(
                FILE_REFUSED, params={"name": upload.name, "reason": str(error)}, code="file"
            ) from None
    return checked


def _check_file(upload) -> tuple[str, int, str]:
    facts = check_photo_or_document(upload)
    return facts.kind, facts.size, facts.sha256


def _add_files(activity: Activity, checked) -> None:
    for upload, kind, size, sha256 in checked:
        ActivityFile.objects.create(
            activity=activity,
            file=upload,
            name=upload.name[:200],
            size=size,
            kind=kind,
            sha256=sha256,
        )


def _freeze_expected(activity: Activity) -> None:
    """The audience's people become the expected attendance (who joins the agency later is
    not counted); people no longer in it are dropped unless they attended."""
    people = audience_people(activity.agency, activity.audience)
    gone = activity.attendance.filter(expected=True).exclude(person__in=people.values("pk"))
    gone.filter(present=False).delete()
    gone.update(expected=False)  # they came, though no longer expected
    activity.attendance.filter(expected=False, person__in=people.values("pk")).update(expected=True)
    insert_from(
        Attendance,
        ["activity_id", "expected", "present", "method", "person_id", "unit_id"],
        people.values("id", "unit_id"),
        constants=(activity.pk, True, False, ""),
    )


def _check_times(starts_at, ends_at) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ValidationError(ENDS_BEFORE_START, code="ends")})


@transaction.atomic
def activity_create(
    *,
    actor: User,
    agency: Agency,
    type: ActivityType,  # noqa: A002 - the domain's word
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    organizer: Unit | None = None,
    topics=(),
    documents=(),
    tasks=(),
    audience: dict | None = None,
    cost: int = 0,
    files=(),
) -> Activity:
    if not permissions.can_organize(actor, agency.pk, organizer.pk if organizer else None):
        raise PermissionDenied
    if type.agency_id != agency.pk or (organizer is not None and organizer.agency_id != agency.pk):
        raise PermissionDenied
    _check_times(starts_at, ends_at)
    checked = _checked_files(files)
    activity = Activity.objects.create(
        agency=agency,
        type=type,
        title=" ".join(title.split()),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        organizer=organizer,
        audience=audience or {},
        cost=cost,
        created_by=actor,
    )
    activity.topics.set(topics)
    activity.documents.set(documents)
    activity.tasks.set(tasks)
    _add_files(activity, checked)
    _freeze_expected(activity)
    audit_record(
        actor=actor,
        action="activity_create",
        target=activity,
        changes={"title": activity.title, "starts_at": starts_at.isoformat()},
    )
    return activity


ACTIVITY_FIELDS = (
    "type",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "organizer",
    "cost",
    "audience",
)


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, files=(), **data) -> Activity:
    """Change an activity. Its topics, documents and tasks are given as lists."""
    if not permissions.can_edit(actor, activity):
        raise PermissionDenied
    _require_not_cancelled(activity)
    links = {k: data.pop(k) for k in ("topics", "documents", "tasks") if k in data}
    kind, unit = data.get("type", activity.type), data.get("organizer", activity.organizer)
    if kind.agency_id != activity.agency_id or (
        unit is not None and unit.agency_id != activity.agency_id
    ):
        raise PermissionDenied
    unknown = set(data) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_update got unknown fields {sorted(unknown)}")
    new_unit = data.get("organizer", activity.organizer)
    if not permissions.can_organize(actor, activity.agency_id, new_unit.pk if new_unit else None):
        raise PermissionDenied
    _check_times(data.get("starts_at", activity.starts_at), data.get("ends_at", activity.ends_at))
    checked = _checked_files(files)
    changes = {}
    for name, value in data.items():
        if getattr(activity, name) != value:
            changes[name] = str(value)
            setattr(activity, name, value)
    activity.save()
    for name, values in links.items():
        getattr(activity, name).set(values)
    _add_files(activity, checked)
    if "audience" in changes:
        _freeze_expected(activity)
    audit_record(actor=actor, action="activity_update", target=activity, changes=changes)
    return activity


@transaction.atomic
def activity_cancel(*, actor: User, activity: Activity) -> Activity:
    if not permissions.can_edit(actor, activity):
        raise PermissionDenied
    activity.cancelled_at = timezone.now()
    activity.save(update_fields=["cancelled_at"])
    audit_record(actor=actor, action="activity_cancel", target=activity)
    return activity


def _require_not_cancelled(activity: Activity) -> None:
    if activity.cancelled_at:
        raise ValidationError(CANCELLED, code="cancelled")


def clean_minutes(html: str) -> str:
    """What people typed in the minutes editor, kept to plain formatting: no scripts, styles,
    links or images survive."""
    return nh3.clean(html, tags=MINUTES_TAGS, attributes={}, link_rel=None).strip()


@transaction.atomic
def activity_save_minutes(*, actor: User, activity: Activity, minutes: str) -> Activity:
    """The minutes, formatted text. Minutes of an activity that has begun are the proof it
    was held: the first time, it is recorded as evidence on each task it serves."""
    if not permissions.can_edit(actor, activity):
        raise PermissionDenied
    _require_not_cancelled(activity)
    activity.minutes = clean_minutes(minutes)
    activity.save(update_fields=["minutes"])
    audit_record(
        actor=actor,
        action="activity_save_minutes",
        target=activity,
        changes={"length": len(activity.minutes)},
    )
    if activity.starts_at <= timezone.now() and not activity.held_recorded:
        _record_as_evidence(activity, actor)
    return activity


def _record_as_evidence(activity: Activity, actor: User) -> None:
    from loa.plans import services as plans_services

    figures = queries.attendance_figures(activity)
    note = EVIDENCE_NOTE % {
        "title": activity.title,
        "date": date_format(timezone.localtime(activity.starts_at), "d/m/Y"),
        "present": figures.present + figures.present_unexpected,
        "expected": figures.expected,
    }
    for task in activity.tasks.select_related("plan"):
        try:
            with transaction.atomic():
                plans_services.evidence_add(
                    actor=actor, task=task, note=note, unit=_unit_on_task(activity, task, actor)
                )
        except (PermissionDenied, ValidationError) as error:  # the plan closed, say
            logger.info("Activity %s not recorded on task %s: %s", activity.pk, task.pk, error)
    Activity.objects.filter(pk=activity.pk).update(held_recorded=True)


def _unit_on_task(activity: Activity, task, actor: User) -> Unit | None:
    """The organizing unit, when a manager records it for a task of every unit; a unit
    head's evidence names their own unit by itself."""
    from loa.plans import permissions as plans_permissions

    if activity.organizer is None or not plans_permissions.can_manage_plans(
        actor, task.plan.agency_id
    ):
        return None
    named = {task.lead_unit_id, *task.cooperating_units.values_list("id", flat=True)}
    return activity.organizer if task.all_units or activity.organizer_id in named else None


def checkin_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    return activity.starts_at - datetime.timedelta(minutes=CHECKIN_OPENS_MINUTES), activity.ends_at


@transaction.atomic
def attendance_check_in(*, actor: User, activity: Activity, code: str) -> Attendance:
    """The person who scanned the room's QR code is present: only themself, only during the
    activity (from half an hour before it starts to its end), only with the room's code."""
    if code != activity.checkin_code:
        raise ValidationError(WRONG_CODE, code="code")
    if activity.cancelled_at:
        raise ValidationError(CANCELLED, code="cancelled")
    person = getattr(actor, "person", None)
    if person is None or not person.is_active or person.agency_id != activity.agency_id:
        raise ValidationError(NOT_OF_AGENCY, params={"agency": activity.agency.name}, code="agency")
    opens, closes = checkin_window(activity)
    now = timezone.now()
    if now < opens:
        when = date_format(timezone.localtime(opens), "H:i d/m/Y")
        raise ValidationError(
            NOT_OPEN_YET, params={"when": when, "before": CHECKIN_OPENS_MINUTES}, code="early"
        )
    if now > closes:
        when = date_format(timezone.localtime(closes), "H:i d/m/Y")
        raise ValidationError(CLOSED, params={"when": when}, code="late")
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        activity=activity, person=person, defaults={"unit_id": person.unit_id}
    )
    if not attendance.present:
        attendance.present, attendance.method, attendance.checked_in_at = (
            True,
            Attendance.Method.QR,
            now,
        )
        attendance.recorded_by = actor
        attendance.save()
        audit_record(
            actor=actor,
            action="attendance_check_in",
            target=activity,
            changes={"person": person.pk},
        )
    return attendance


@transaction.atomic
def attendance_mark(
    *, actor: User, activity: Activity, person: Person, present: bool
) -> Attendance:
    """The organizer ticks who was there (or not). After the activity has ended it is a
    correction, dated and in the audit log."""
    if not permissions.can_edit(actor, activity):
        raise PermissionDenied
    if person.agency_id != activity.agency_id:
        raise PermissionDenied
    _require_not_cancelled(activity)
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        activity=activity, person=person, defaults={"unit_id": person.unit_id}
    )
    if attendance.present == present:
        return attendance
    now = timezone.now()
    attendance.present = present
    attendance.method = Attendance.Method.TICKED if present else ""
    attendance.checked_in_at = now if present else None
    attendance.recorded_by = actor
    late = now > activity.ends_at
    if late:
        attendance.corrected_at = now
    attendance.save()
    audit_record(
        actor=actor,
        action="attendance_correct" if late else "attendance_mark",
        target=activity,
        changes={"person": person.pk, "present": present},
    )
    return attendance


@transaction.atomic
def feed_create(*, actor: User, agency: Agency, unit: Unit | None = None) -> CalendarFeed:
    if not permissions.can_organize(actor, agency.pk, unit.pk if unit else None):
        raise PermissionDenied
    feed = CalendarFeed.objects.create(agency=agency, unit=unit, created_by=actor)
    audit_record(
        actor=actor, action="feed_create", target=feed, changes={"unit": unit.pk if unit else None}
    )
    return feed


@transaction.atomic
def feed_revoke(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    if not permissions.can_organize(actor, feed.agency_id, feed.unit_id):
        raise PermissionDenied
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="feed_revoke", target=feed)
    return feed


@transaction.atomic
def cadence_rule_set(*, actor: User, agency: Agency, silent_days: int) -> CadenceRule:
    if not permissions.can_manage(actor, agency.pk):
        raise PermissionDenied
    rule, _created = CadenceRule.objects.update_or_create(
        agency=agency, defaults={"silent_days": max(1, silent_days)}
    )
    audit_record(actor=actor, action="cadence_rule_set", target=rule, changes={"days": silent_days})
    return rule


def cadence_alert(*, today: datetime.date | None = None) -> int:
    """Tell each silent unit's head and the agency's coordinators, by e-mail, that the unit
    has had no activity for the agency's number of days; again only after as many days.
    Run daily (`loa events cadence`). A few queries for the whole province, then one alert,
    audit row and e-mail a unit. Returns how many units were reported."""
    today = today or timezone.localdate()
    silent = queries.silent_units(today=today, default_days=settings.LOA_CADENCE_DAYS)
    if not silent:
        return 0
    longest = max(days for _unit, _last, days in silent)
    told = dict(
        CadenceAlert.objects.filter(sent_on__gt=today - datetime.timedelta(days=longest))
        .values("unit_id")
        .annotate(latest=Max("sent_on"))
        .values_list("unit_id", "latest")
    )
    due = [
        (unit, last, days)
        for unit, last, days in silent
        if told.get(unit.pk) is None or told[unit.pk] <= today - datetime.timedelta(days=days)
    ]
    recipients = _recipients([unit for unit, _last, _days in due])
    with transaction.atomic():
        created = CadenceAlert.objects.bulk_create(
            [
                CadenceAlert(
                    unit=unit,
                    sent_on=today,
                    last_activity_on=timezone.localtime(last).date() if last else None,
                )
                for unit, last, _days in due
            ],
            ignore_conflicts=True,  # another run told them a moment ago
        )
        for (unit, last, days), _alert in zip(due, created, strict=True):
            audit_record(actor=None, action="cadence_alert", target=unit, changes={"days": days})
            _mail_silence(unit, days, last, recipients.get(unit.pk, set()))
    return len(due)


def _recipients(units: list[Unit]) -> dict[int, set[str]]:
    """Unit id → the e-mail addresses of its heads (and of the units above it) and of its
    agency's coordinators, working there now: one query."""
    parents = {
        unit.pk: unit.parent_id
        for unit in Unit.objects.filter(agency__in={u.agency_id for u in units})
    }
    roles = RoleAssignment.objects.filter(
        agency_id__in={u.agency_id for u in units},
        revoked_at__isnull=True,
        person__is_active=True,
        role__in=[Role.UNIT_HEAD, Role.COORDINATOR],
    ).exclude(person__email="")
    heads: dict[int, set[str]] = {}
    coordinators: dict[int, set[str]] = {}
    for role, agency_id, unit_id, email in roles.values_list(
        "role", "agency_id", "unit_id", "person__email"
    ):
        if role == Role.COORDINATOR:
            coordinators.setdefault(agency_id, set()).add(email)
        elif unit_id:
            heads.setdefault(unit_id, set()).add(email)
    found = {}
    for unit in units:
        to = set(coordinators.get(unit.agency_id, set()))
        cursor: int | None = unit.pk
        while cursor is not None:  # the unit's head, and the heads of the units above it
            to |= heads.get(cursor, set())
            cursor = parents.get(cursor)
        found[unit.pk] = to
    return found


def _mail_silence(unit: Unit, days: int, last, to: set[str]) -> None:
    if not to:
        return
    context = {
        "unit": unit,
        "days": days,
        "last": last,
        "link": settings.SITE_URL.rstrip("/")
        + reverse("events:cadence")
        + f"?agency={unit.agency_id}",
    }
    subject = render_to_string("events/cadence_subject.txt", context).strip()
    body = render_to_string("events/cadence_mail.txt", context)
    enqueue_with_commit(send_email, subject=subject, body=body, to=sorted(to))
