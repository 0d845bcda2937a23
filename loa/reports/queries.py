"""Reads for reports: the year's calendar of an agency with each report's state."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from loa.org.models import Agency
from loa.reports import periods
from loa.reports.models import PeriodKind, Rendering, Report, ReportStatus


@dataclass
class Due:
    period: periods.Period
    report: Report | None
    state: str  # "submitted", "late", "due" (deadline within 30 days), "later"

    @property
    def label(self) -> str:
        return str(PeriodKind(self.period.kind).label)

    @property
    def code(self) -> str:
        return (
            str(self.period.year)
            if self.period.kind == "year"
            else (f"{self.period.year}-{self.period.kind.upper()}")
        )


def calendar_of(agency: Agency, year: int, today: datetime.date | None = None) -> list[Due]:
    """The four reports of the year, each with its report if one was started, and whether it
    is submitted, late, due soon or later."""
    today = today or timezone.localdate()
    reports = {r.kind: r for r in Report.objects.filter(agency=agency, year=year)}
    rows = []
    for period in periods.periods_of(agency.pk, year):
        report = reports.get(period.kind)
        rows.append(Due(period, report, _state(report, period.due, today)))
    return rows


def _state(report: Report | None, due: datetime.date, today: datetime.date) -> str:
    """Submitted, late, due (within 30 days) or later; a started report keeps its own date."""
    if report is not None and report.status == ReportStatus.SUBMITTED:
        return "submitted"
    due = report.due_on if report is not None else due
    if due < today:
        return "late"
    return "due" if (due - today).days <= 30 else "later"


def deadlines_by_agency(
    agencies: QuerySet[Agency], year: int, today: datetime.date
) -> dict[int, dict[str, tuple[datetime.date, str]]]:
    """{agency id: {kind: (deadline, state)}} for the whole province in three queries whatever
    the number of agencies (the calendar's rules are read per agency only where they differ;
    a started report keeps its own deadline)."""
    from loa.reports.models import ReportingRule

    ids = list(agencies.values_list("pk", flat=True))
    reports = {
        (r.agency_id, r.kind): r for r in Report.objects.filter(agency_id__in=ids, year=year)
    }
    own = {(r.agency_id, r.kind): r for r in ReportingRule.objects.filter(agency_id__in=ids)}
    result: dict = {}
    for agency_id in ids:
        deadlines = {}
        for kind, rule in periods.DEFAULTS.items():
            if (agency_id, kind) in own:
                rule = periods.rule_of(own[(agency_id, kind)])
            report = reports.get((agency_id, kind))
            due = report.due_on if report is not None else periods.period(year, kind, rule).due
            deadlines[kind] = (due, _state(report, due, today))
        result[agency_id] = deadlines
    return result


def states_by_agency(agencies: QuerySet[Agency], year: int, today: datetime.date) -> dict:
    """{agency id: {kind: state}} for a province's roll-up."""
    return {
        agency_id: {kind: state for kind, (_due, state) in deadlines.items()}
        for agency_id, deadlines in deadlines_by_agency(agencies, year, today).items()
    }


def latest_rendering(report: Report) -> Rendering | None:
    return report.renderings.order_by("-created_at", "-id").first()
