"""Periodic reports: the year's calendar, a draft with its figures and their sources, the
narrative, rendering to .docx and PDF (by the worker, with progress), and submission."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from loa.core.agency_choice import for_agency, pick_agency
from loa.core.forms import call_service
from loa.core.tasks import enqueue_with_commit
from loa.core.text import as_id
from loa.plans import queries as plan_queries
from loa.plans.models import TaskStatus
from loa.reports import figures, forms, links, periods, permissions, queries, services
from loa.reports.models import Finding, FollowUp, PeriodKind, Rendering, RenderState
from loa.reports.pdf import soffice
from loa.reports.tasks import email_report


def _report(request, pk):
    visible = permissions.reports_visible_to(request.user).select_related("agency")
    return get_object_or_404(visible, pk=pk)


@login_required
@require_safe
@for_agency("reports")
def report_list(request):
    agency = pick_agency(request, permissions.agencies_followed_by(request.user))
    year = links.year_asked(request)
    context = {
        "agency": agency,
        "year": year,
        "years": links.years_offered(),
        "calendar": queries.calendar_of(agency, year),
        "archive": permissions.reports_visible_to(request.user)
        .filter(agency=agency, status="submitted")
        .order_by("-year", "-due_on"),
        "can_write": permissions.can_write_report(request.user, agency.pk),
        "kinds": PeriodKind.choices,
        "section": "reports",
    }
    return render(request, "reports/list.html", context)


@login_required
@require_POST
def report_open(request):
    agency = pick_agency(request, permissions.agencies_followed_by(request.user))
    try:
        year, kind = periods.parse_period(request.POST.get("period", ""))
    except ValueError:
        messages.error(request, _("That is not a reporting period."))
        return redirect(f"{reverse('reports:list')}?agency={agency.pk}")
    report = services.report_open(actor=request.user, agency=agency, year=year, kind=kind)
    return redirect("reports:report", report.pk)


def _figure_links(report) -> dict:
    def link(kind: str, **extra) -> str:
        return links.source_url(
            kind, report.agency_id, report.window_start, report.window_end, **extra
        )

    urls = {kind: link(kind) for kind in figures.SOURCES}
    urls.update({f"tasks_{s}": link("tasks", status=s, year=report.year) for s in TaskStatus})
    return urls


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    can_write = permissions.can_write_report(request.user, report.agency_id)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    initial = {field: getattr(report, field) for field in services.EDITABLE}
    form = forms.ReportForm(request.POST or None, initial={**initial, "version": report.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        saved = call_service(form, services.report_save, actor=request.user, report=report, **data)
        if saved is not None:
            messages.success(request, _("Saved as version %(n)s.") % {"n": saved.version})
            return redirect("reports:report", report.pk)
    context = {
        "report": report,
        "figures": services.figures_of(report),
        "links": _figure_links(report),
        "form": form,
        "submit_form": forms.SubmitForm(
            initial={
                "submitted_on": timezone.localdate(),
                "recipient": f"Sở Nội vụ tỉnh {report.agency.province}",
            }
        ),  # fmt: skip
        "rendering": queries.latest_rendering(report),
        "revisions": report.revisions.select_related("saved_by")[:10],
        "can_write": can_write,
        "has_pdf": soffice() is not None,
        "section": "reports",
    }
    return render(request, "reports/detail.html", context)


@login_required
@require_POST
def report_render(request, pk):
    report = _report(request, pk)
    services.rendering_request(actor=request.user, report=report)
    messages.info(request, _("The report is being rendered; this page shows how far it has got."))
    return redirect("reports:report", report.pk)


@login_required
@require_safe
def rendering_progress(request, pk):
    rendering = get_object_or_404(Rendering.objects.select_related("report"), pk=pk)
    _report(request, rendering.report_id)  # may this person see its report at all?
    response = render(request, "reports/_rendering.html", {"rendering": rendering})
    if rendering.state in (RenderState.DONE, RenderState.FAILED):
        response["HX-Refresh"] = "true"
    return response


FILES = {"docx": "docx", "pdf": "pdf"}


@login_required
@require_safe
def rendering_file(request, pk, kind):
    rendering = get_object_or_404(Rendering.objects.select_related("report__agency"), pk=pk)
    report = _report(request, rendering.report_id)
    stored = getattr(rendering, FILES[kind]) if kind in FILES else None
    if not stored:
        raise Http404
    name = f"bao-cao-{report.period.lower()}-v{rendering.version}.{kind}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@login_required
@require_safe
def rendering_page(request, pk, number):
    rendering = get_object_or_404(Rendering, pk=pk)
    _report(request, rendering.report_id)
    if not 1 <= number <= len(rendering.pages):
        raise Http404
    return FileResponse(rendering.pdf.storage.open(rendering.pages[number - 1], "rb"),
                        content_type="image/png")  # fmt: skip


@login_required
@require_POST
def report_submit(request, pk):
    report = _report(request, pk)
    form = forms.SubmitForm(request.POST)
    if form.is_valid() and call_service(
        form, services.report_submit, actor=request.user, report=report, **form.cleaned_data
    ):
        messages.success(
            request, _("The report is submitted and frozen; its files are being made.")
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("reports:report", report.pk)


@login_required
@require_POST
def report_email_again(request, pk):
    report = _report(request, pk)
    if not permissions.can_write_report(request.user, report.agency_id):
        raise PermissionDenied
    rendering = report.renderings.filter(state=RenderState.DONE).order_by("-id").first()
    if not report.is_frozen or not report.email_to or rendering is None:
        raise Http404
    enqueue_with_commit(email_report, report_id=report.pk, rendering_id=rendering.pk)
    messages.info(request, _("The report is being e-mailed; this page says when it has gone."))
    return redirect("reports:report", report.pk)


@login_required
@require_POST
def reporting_rule(request):
    agency = pick_agency(request, permissions.agencies_followed_by(request.user))
    form = forms.RuleForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if call_service(form, services.reporting_rule_save, actor=request.user, agency=agency,
                        kind=data.pop("kind"), **data):  # fmt: skip
            messages.success(request, _("The reporting calendar has been saved."))
            return redirect(f"{reverse('reports:list')}?agency={agency.pk}")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(f"{reverse('reports:list')}?agency={agency.pk}")


def _day(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw or "")
    except ValueError:
        return None


@login_required
@require_safe
def source(request, kind):
    """The records behind a figure of the dashboard or a report, each linking to its page."""
    agency = pick_agency(request, permissions.agencies_followed_by(request.user))
    start, end = _day(request.GET.get("from")), _day(request.GET.get("to"))
    if kind not in (*figures.SOURCES, "tasks") or start is None or end is None or end < start:
        raise Http404
    title, rows, unit = "", [], None
    if kind == "tasks":
        status = request.GET.get("status")
        year = as_id(request.GET.get("year")) or end.year
        tasks = plan_queries.tasks_with_status(figures.tasks_of(agency, year),
                                               today=min(end, timezone.localdate()))  # fmt: skip
        rows = [t for t in tasks if not status or t.status == status]
        title = TaskStatus(status).label if status in TaskStatus.values else _("Tasks")
    else:
        records = figures.SOURCES[kind](agency, start, end)
        if kind == "activities":
            unit_id = as_id(request.GET.get("unit"))
            month = _day(request.GET.get("month"))
            if unit_id:
                records = records.filter(organizer_id=unit_id)
                unit = agency.units.filter(pk=unit_id).first()
            if month:
                records = records.filter(starts_at__year=month.year, starts_at__month=month.month)
            records = records.select_related("type", "organizer").order_by("starts_at")
        elif kind == "dispatches":
            records = records.order_by("sent_at")
        elif kind == "expenses":
            records = records.select_related("line", "line__plan").order_by("spent_on")
        elif kind == "inspections":
            records = records.select_related("unit").order_by("scheduled_on")
        elif kind == "feedback":
            records = records.order_by("received_at")
        rows = list(records[:1000])
        title = {"plans": _("Plans issued"), "dispatches": _("Dispatches sent"),
                 "activities": _("Activities held"), "expenses": _("Expenses"),
                 "inspections": _("Inspections"),
                 "feedback": _("Citizens' feedback received")}[kind]  # fmt: skip
    context = {
        "agency": agency, "kind": kind, "rows": rows, "title": title, "start": start, "end": end,
        "unit": unit, "section": "dashboard",
    }  # fmt: skip
    return render(request, "reports/source.html", context)


@login_required
@for_agency("reports")
def inspection_list(request):
    agency = pick_agency(request, permissions.agencies_followed_by(request.user))
    can_write = permissions.can_write_report(request.user, agency.pk)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    form = forms.InspectionForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        inspection = call_service(form, services.inspection_schedule, actor=request.user,
                                  **form.cleaned_data)  # fmt: skip
        if inspection is not None:
            messages.success(request, _("The inspection is scheduled with its checklist."))
            return redirect("reports:inspection", inspection.pk)
    inspections = (
        permissions.inspections_visible_to(request.user)
        .filter(agency=agency)
        .select_related("unit")
        .annotate(open=Count("follow_ups", filter=Q(follow_ups__closed_at__isnull=True)))
    )
    context = {"agency": agency, "form": form, "inspections": inspections,
               "can_write": can_write, "section": "reports"}  # fmt: skip
    return render(request, "reports/inspections.html", context)


@login_required
def inspection_detail(request, pk):
    inspection = get_object_or_404(
        permissions.inspections_visible_to(request.user).select_related("unit", "plan"), pk=pk
    )
    can_write = permissions.can_write_report(request.user, inspection.agency_id)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    items = list(inspection.items.select_related("task", "task__lead_unit"))
    follow_form = forms.FollowUpForm(request.POST if request.POST.get("form") == "follow" else None)
    if request.POST.get("form") == "findings":
        findings = {
            item.pk: (request.POST.get(f"finding-{item.pk}", ""),
                      request.POST.get(f"note-{item.pk}", ""))
            for item in items
        }  # fmt: skip
        services.inspection_record(actor=request.user, inspection=inspection, findings=findings,
                                   conclusion=request.POST.get("conclusion", ""))  # fmt: skip
        messages.success(request, _("The findings have been recorded."))
        return redirect("reports:inspection", inspection.pk)
    if follow_form.is_bound and follow_form.is_valid():
        if call_service(follow_form, services.follow_up_add, actor=request.user,
                        inspection=inspection, **follow_form.cleaned_data):  # fmt: skip
            messages.success(request, _("The follow-up action has been added."))
            return redirect("reports:inspection", inspection.pk)
    context = {
        "inspection": inspection, "items": items, "findings": Finding.choices,
        "follow_ups": inspection.follow_ups.all(), "follow_form": follow_form,
        "can_write": can_write, "today": timezone.localdate(), "section": "reports",
    }  # fmt: skip
    return render(request, "reports/inspection.html", context)


@login_required
@require_POST
def follow_up_close(request, pk):
    follow_up = get_object_or_404(FollowUp.objects.select_related("inspection"), pk=pk)
    get_object_or_404(permissions.inspections_visible_to(request.user), pk=follow_up.inspection_id)
    services.follow_up_close(actor=request.user, follow_up=follow_up)
    messages.success(request, _("The follow-up action is done."))
    return redirect("reports:inspection", follow_up.inspection_id)
