"""Writes for periodic reports. Each is one transaction with its audit row; rendering and
e-mail run in the worker, never inside a request."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from loa.core.models import User
from loa.core.services import audit_record
from loa.core.tasks import enqueue_with_commit, send_email
from loa.org.models import Agency, Role, Unit
from loa.org.queries import emails_of_role_holders
from loa.plans.models import Plan, Task
from loa.reports import docx, figures, pdf, periods, permissions, queries
from loa.reports.models import (
    NARRATIVE,
    ChecklistItem,
    DeadlineNotice,
    Finding,
    FollowUp,
    Inspection,
    PeriodKind,
    Rendering,
    RenderState,
    Report,
    ReportingRule,
    ReportRevision,
    ReportStatus,
)

logger = logging.getLogger(__name__)

FROZEN = _("This report has been submitted: it can no longer be changed.")
STALE = _(
    "Someone else saved this report while you were editing it. Your text is below: copy it, "
    "reload the page and add it to theirs."
)
WINDOW_BACKWARDS = _("The data window must end after it starts.")


def _require_writer(actor: User, agency_id: int) -> None:
    if not permissions.can_write_report(actor, agency_id):
        raise PermissionDenied


@transaction.atomic
def report_open(*, actor: User, agency: Agency, year: int, kind: str) -> Report:
    """The agency's report for the period, made as a draft the first time, with the window
    and deadline of the agency's calendar and the signer of its latest plan."""
    _require_writer(actor, agency.pk)
    existing = Report.objects.filter(agency=agency, year=year, kind=kind).first()
    if existing is not None:
        return existing
    period = periods.period(year, kind, periods.rules_of(agency.pk)[kind])
    latest = Plan.objects.filter(agency=agency).exclude(signer_name="").order_by("-year").first()
    report = Report.objects.create(
        agency=agency,
        year=year,
        kind=kind,
        window_start=period.start,
        window_end=period.end,
        due_on=period.due,
        signer_title=latest.signer_title if latest else "",
        signer_name=latest.signer_name if latest else "",
        created_by=actor,
    )
    audit_record(actor=actor, action="report_create", target=report)
    return report


EDITABLE = (*NARRATIVE, "window_start", "window_end", "due_on", "signer_title", "signer_name")


@transaction.atomic
def report_save(*, actor: User, report: Report, version: int, **data) -> Report:
    """Save the narrative (and window, deadline, signer) as the next version. `version` is
    the one the editor started from: if someone saved since, nothing is overwritten."""
    _require_writer(actor, report.agency_id)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_frozen:
        raise ValidationError(FROZEN, code="frozen")
    if version != report.version:
        raise ValidationError(STALE, code="stale")
    start = data.get("window_start", report.window_start)
    end = data.get("window_end", report.window_end)
    if start and end and end < start:
        raise ValidationError({"window_end": WINDOW_BACKWARDS})
    changes = {}
    for field in EDITABLE:
        if field in data and getattr(report, field) != data[field]:
            changes[field] = [getattr(report, field), data[field]]
            setattr(report, field, data[field])
    if not changes:
        return report
    report.version += 1
    report.save()
    ReportRevision.objects.create(
        report=report,
        version=report.version,
        narrative={field: getattr(report, field) for field in NARRATIVE},
        saved_by=actor,
    )
    audit_record(
        actor=actor,
        action="report_save",
        target=report,
        changes={"version": report.version, "fields": sorted(changes)},
    )
    return report


@transaction.atomic
def reporting_rule_save(*, actor: User, agency: Agency, kind: str, **rule) -> ReportingRule:
    """The agency's own window and deadline for one kind of report (new reports use it)."""
    _require_writer(actor, agency.pk)
    try:  # an impossible day (31/02) is refused before anything is saved
        periods.period(2024, kind, periods.Rule(**rule))  # 2024: 29/02 exists
    except ValueError:
        raise ValidationError(_("That day does not exist in that month."), code="date") from None
    saved, _created = ReportingRule.objects.update_or_create(
        agency=agency, kind=kind, defaults=rule
    )
    audit_record(actor=actor, action="reporting_rule_save", target=saved, changes=rule)
    return saved


def figures_of(report: Report) -> dict:
    """The report's figures: frozen once submitted, compiled afresh while a draft."""
    if report.is_frozen and report.figures:
        return report.figures
    return figures.compile_figures(
        report.agency, report.year, report.window_start, report.window_end
    )


@transaction.atomic
def rendering_request(*, actor: User | None, report: Report) -> Rendering:
    """Queue a rendering of the report's current version (.docx, PDF and page images)."""
    if actor is not None and not permissions.can_write_report(actor, report.agency_id):
        raise PermissionDenied
    rendering = Rendering.objects.create(report=report, version=report.version, requested_by=actor)
    from loa.reports.tasks import render_report

    enqueue_with_commit(render_report, rendering_id=rendering.pk)
    if actor is not None:
        audit_record(actor=actor, action="report_render", target=report)
    return rendering


def _progress(rendering: Rendering, percent: int, **fields) -> None:
    Rendering.objects.filter(pk=rendering.pk).update(progress=percent, **fields)


def rendering_run(*, rendering_id: int) -> str:
    """The worker's part: .docx, then PDF, then the pages as images, saving as it goes so the
    page can show how far it has got. Run twice, a finished rendering is left as it is."""
    rendering = Rendering.objects.select_related("report__agency").get(pk=rendering_id)
    if rendering.state == RenderState.DONE:
        return "done"
    report = rendering.report
    _progress(rendering, 5, state=RenderState.RUNNING, error="")
    stem = f"{report.period}-{report.agency_id}-v{rendering.version}-{rendering.pk}"
    try:
        compiled = figures_of(report)
        _progress(rendering, 20)
        word = docx.render_report(report, compiled)
        rendering.docx.save(f"{stem}.docx", ContentFile(word), save=False)
        _progress(rendering, 50, docx=rendering.docx.name)
        printed = pdf.docx_to_pdf(word)
        rendering.pdf.save(f"{stem}.pdf", ContentFile(printed), save=False)
        _progress(rendering, 80, pdf=rendering.pdf.name)
        names = []
        for number, page in enumerate(pdf.pdf_pages(printed), start=1):
            names.append(rendering.pdf.storage.save(f"reports/pages/{stem}-{number}.png",
                                                    ContentFile(page)))  # fmt: skip
        Rendering.objects.filter(pk=rendering.pk).update(
            state=RenderState.DONE, progress=100, pages=names, finished_at=timezone.now()
        )
    except pdf.ConversionError as error:  # the .docx is there; say why the PDF is not
        logger.warning("report %s: PDF failed: %s", report.pk, error)
        Rendering.objects.filter(pk=rendering.pk).update(
            state=RenderState.FAILED, error=f"PDF: {error}"[:300], finished_at=timezone.now()
        )
        return "failed"
    if report.is_frozen and report.email_to and report.emailed_at is None:
        report_email(report_id=report.pk, rendering_id=rendering.pk)
    return "done"


@transaction.atomic
def report_submit(
    *,
    actor: User,
    report: Report,
    number: str,
    submitted_on: datetime.date,
    recipient: str,
    email_to: str = "",
) -> Report:
    """Mark the report submitted under its number and date, to its recipient: its figures are
    frozen as they stand, it is rendered once more as submitted, and, if asked, e-mailed with
    its files once they are ready."""
    _require_writer(actor, report.agency_id)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_frozen:
        raise ValidationError(FROZEN, code="frozen")
    report.figures = figures.compile_figures(
        report.agency, report.year, report.window_start, report.window_end
    )
    report.status = ReportStatus.SUBMITTED
    report.number, report.submitted_on, report.recipient = number.strip(), submitted_on, recipient
    report.email_to = email_to
    report.submitted_by, report.submitted_at = actor, timezone.now()
    report.save()
    audit_record(
        actor=actor,
        action="report_submit",
        target=report,
        changes={"number": report.number, "submitted_on": submitted_on, "recipient": recipient},
    )
    rendering_request(actor=None, report=report)
    return report


def report_email(*, report_id: int, rendering_id: int) -> None:
    """Send the submitted report's .docx and PDF. A mail server that is down leaves the error
    on the report for the coordinator to see and send again; the submission stands."""
    report = Report.objects.select_related("agency").get(pk=report_id)
    rendering = Rendering.objects.get(pk=rendering_id)
    message = EmailMessage(
        subject=f"{report.agency.name}: Báo cáo {docx.summary(report).lower()}",
        body=(
            f"{report.agency.name} gửi {report.recipient or 'Quý cơ quan'} báo cáo số "
            f"{report.number}, ngày {report.submitted_on:%d/%m/%Y}: {docx.summary(report)}.\n\n"
            "Báo cáo đính kèm (bản .docx và PDF)."
        ),
        to=[report.email_to],
    )
    for field, mime in ((rendering.docx, docx_mime()), (rendering.pdf, "application/pdf")):
        if field:
            with field.open("rb") as handle:
                message.attach((field.name or "").rsplit("/", 1)[-1], handle.read(), mime)
    try:
        message.send()
    except OSError as error:  # refused, unreachable, timed out
        Report.objects.filter(pk=report.pk).update(email_error=str(error)[:300])
        return
    Report.objects.filter(pk=report.pk).update(emailed_at=timezone.now(), email_error="")


def docx_mime() -> str:
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- inspections (the plan's "kiểm tra việc thực hiện Kế hoạch") --------------------------

NOT_THIS_AGENCY = _("The unit and the plan must be of the same agency.")
FOLLOW_UP_EMPTY = _("Say what the unit must do.")


@transaction.atomic
def inspection_schedule(
    *, actor: User, plan: Plan, unit: Unit, scheduled_on: datetime.date
) -> Inspection:
    """Schedule an inspection of `unit`; its checklist is the unit's tasks in the plan (led,
    shared, or given to every unit), each with the evidence it has today."""
    _require_writer(actor, plan.agency_id)
    if unit.agency_id != plan.agency_id:
        raise ValidationError(NOT_THIS_AGENCY, code="agency")
    inspection = Inspection.objects.create(
        agency_id=plan.agency_id, unit=unit, plan=plan, scheduled_on=scheduled_on,
        created_by=actor,
    )  # fmt: skip
    tasks = (
        Task.objects.filter(plan=plan)
        .filter(Q(lead_unit=unit) | Q(cooperating_units=unit) | Q(all_units=True))
        .distinct()
        .annotate(
            own=Count("evidence", filter=Q(evidence__unit=unit), distinct=True),
            any=Count("evidence", distinct=True),
        )
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(inspection=inspection, task=task,
                      evidence_count=task.own if task.all_units else task.any)
        for task in tasks
    )  # fmt: skip
    audit_record(
        actor=actor, action="inspection_schedule", target=inspection,
        changes={"unit": unit.name, "scheduled_on": scheduled_on},
    )  # fmt: skip
    return inspection


@transaction.atomic
def inspection_record(
    *, actor: User, inspection: Inspection, findings: dict[int, tuple[str, str]], conclusion: str
) -> Inspection:
    """Record the finding (and a note) for each checklist item, and the conclusion."""
    _require_writer(actor, inspection.agency_id)
    items = {item.pk: item for item in inspection.items.select_for_update()}
    changed = []
    for item_id, (finding, note) in findings.items():
        item = items.get(item_id)
        if item is None or finding not in Finding.values:
            continue  # an item of another inspection, or a forged value: ignored
        item.finding, item.note = finding, note.strip()[:500]
        changed.append(item)
    ChecklistItem.objects.bulk_update(changed, ["finding", "note"])
    inspection.conclusion = conclusion.strip()
    inspection.done_at = inspection.done_at or timezone.now()
    inspection.save(update_fields=["conclusion", "done_at"])
    audit_record(actor=actor, action="inspection_record", target=inspection,
                 changes={"items": len(changed)})  # fmt: skip
    return inspection


@transaction.atomic
def follow_up_add(
    *, actor: User, inspection: Inspection, text: str, due_on: datetime.date
) -> FollowUp:
    _require_writer(actor, inspection.agency_id)
    if not text.strip():
        raise ValidationError({"text": FOLLOW_UP_EMPTY})
    follow_up = FollowUp.objects.create(inspection=inspection, text=text.strip(), due_on=due_on)
    audit_record(actor=actor, action="follow_up_add", target=follow_up,
                 changes={"due_on": due_on})  # fmt: skip
    return follow_up


@transaction.atomic
def follow_up_close(*, actor: User, follow_up: FollowUp) -> FollowUp:
    _require_writer(actor, follow_up.inspection.agency_id)
    if follow_up.closed_at is None:
        follow_up.closed_at, follow_up.closed_by = timezone.now(), actor
        follow_up.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="follow_up_close", target=follow_up)
    return follow_up


# --- deadlines ------------------------------------------------------------------------------


def report_deadlines_notify(*, today: datetime.date | None = None) -> int:
    """Tell each agency's coordinators by e-mail when a report of this year is due within
    LOA_REPORT_REMIND_DAYS, and again once it is late (for a month after its deadline; older
    ones the reports page shows as late). Each at most once. Run daily (`loa report
    deadlines`). Returns how many notices were sent."""
    today = today or timezone.localdate()
    soon = settings.LOA_REPORT_REMIND_DAYS
    agencies = Agency.objects.filter(dissolved_on__isnull=True)
    told = set(
        DeadlineNotice.objects.filter(year=today.year).values_list("agency_id", "kind", "stage")
    )
    due = []
    for agency_id, deadlines in queries.deadlines_by_agency(agencies, today.year, today).items():
        for kind, (deadline, state) in deadlines.items():
            days = (deadline - today).days
            if state == "submitted" or not -30 <= days <= soon:
                continue
            stage = DeadlineNotice.Stage.SOON if days >= 0 else DeadlineNotice.Stage.LATE
            if (agency_id, kind, stage) not in told:
                due.append((agency_id, kind, stage, deadline))
    recipients = emails_of_role_holders({d[0] for d in due}, [Role.COORDINATOR])
    # An agency with nobody to tell yet is told once someone can be.
    due = [d for d in due if recipients.get(d[0])]
    if not due:
        return 0
    names = dict(Agency.objects.filter(pk__in={d[0] for d in due}).values_list("pk", "name"))
    with transaction.atomic():
        DeadlineNotice.objects.bulk_create(
            [
                DeadlineNotice(agency_id=a, year=today.year, kind=k, stage=s, sent_on=today)
                for a, k, s, _deadline in due
            ],
            ignore_conflicts=True,  # another run told them a moment ago
        )
        for agency_id, kind, stage, deadline in due:
            agency = Agency(pk=agency_id, name=names[agency_id])
            audit_record(
                actor=None,
                action="report_deadline_notice",
                target=agency,
                changes={"year": today.year, "kind": kind, "stage": stage, "due": deadline},
            )
            _mail_deadline(agency, today.year, kind, stage, deadline, today, recipients[agency_id])
    return len(due)


def _mail_deadline(agency, year, kind, stage, deadline, today, to: set[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "agency": agency,
            "period": f"{PeriodKind(kind).label} {year}",
            "late": stage == "late",
            "deadline": deadline,
            "days": abs((deadline - today).days),
            "link": settings.SITE_URL.rstrip("/") + reverse("reports:list")
            + f"?agency={agency.pk}&year={year}",
        }  # fmt: skip
        subject = render_to_string("reports/deadline_subject.txt", context).strip()
        body = render_to_string("reports/deadline_mail.txt", context)
    enqueue_with_commit(send_email, subject=" ".join(subject.split()), body=body, to=sorted(to))
