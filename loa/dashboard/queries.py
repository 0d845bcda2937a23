"""Reads for the leadership dashboard: one agency's period at a glance, and a province's
agencies side by side. Each read is a fixed number of queries, whatever the data."""

import datetime

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth

from loa.events.models import Activity
from loa.org.models import Agency, Unit
from loa.outreach.models import Delivery
from loa.plans.models import Plan
from loa.plans.permissions import RUNNING
from loa.plans.queries import topics_with_evidence
from loa.reports.figures import activities_held


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def heatmap(agency: Agency, start: datetime.date, end: datetime.date) -> dict:
    """Activities per organizing unit per month: {"months": [...], "rows": [(unit, [n, …])]},
    every current unit listed, so the silent ones show as empty rows."""
    months = months_between(start, end)
    counts = {
        (row["organizer_id"], row["month"]): row["n"]
        for row in activities_held(agency, start, end)
        .annotate(month=TruncMonth("starts_at", output_field=DateField()))
        .values("organizer_id", "month")
        .annotate(n=Count("id"))
    }
    units = Unit.objects.filter(agency=agency, dissolved_on__isnull=True).order_by("name")
    rows = [(unit, [counts.get((unit.pk, month), 0) for month in months]) for unit in units]
    return {"months": months, "rows": rows}


def running_plan(agency: Agency, year: int) -> Plan | None:
    return Plan.objects.filter(agency=agency, year=year, status__in=RUNNING).order_by("-id").first()


def coverage(plan: Plan | None) -> list:
    """The running plan's topics, each with the activities and dispatches that carried it."""
    return list(topics_with_evidence(plan)) if plan else []


def province_rollup(
    agencies: QuerySet[Agency], start: datetime.date, end: datetime.date
) -> list[dict]:
    """For each agency of a province: people reached and acknowledged, activities held."""
    ids = list(agencies.values_list("pk", flat=True))
    reach = {
        row["dispatch__agency_id"]: row
        for row in Delivery.objects.filter(
            dispatch__agency_id__in=ids, dispatch__sent_at__date__range=(start, end)
        )
        .exclude(dispatch__status="draft")
        .values("dispatch__agency_id")
        .annotate(
            people=Count("id"), acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False))
        )
    }
    held = dict(
        Activity.objects.filter(
            agency_id__in=ids, cancelled_at__isnull=True, starts_at__date__range=(start, end)
        )
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    rows = []
    for agency in agencies.order_by("name"):
        reached = reach.get(agency.pk, {"people": 0, "acknowledged": 0})
        rows.append(
            {
                "agency": agency,
                "people": reached["people"],
                "acknowledged": reached["acknowledged"],
                "activities": held.get(agency.pk, 0),
            }
        )
    return rows


def open_follow_ups(agency: Agency) -> list:
    """Follow-ups of the agency's inspections not yet done, the most urgent first."""
    from loa.reports.models import FollowUp

    return list(
        FollowUp.objects.filter(inspection__agency=agency, closed_at__isnull=True)
        .select_related("inspection__unit")
        .order_by("due_on", "id")[:20]
    )


def form_coverage(plan: Plan | None) -> list:
    """The running plan's forms of communication, each with the tasks that use it and how many
    of those have evidence."""
    if plan is None:
        return []
    return list(
        plan.forms.annotate(
            n_tasks=Count("task", distinct=True),
            n_proved=Count("task", filter=Q(task__evidence__isnull=False), distinct=True),
        )
    )
