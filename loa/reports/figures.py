"""The figures of a period, compiled from the records, each with the list it comes from.

`sources` names each list a figure is counted from; the draft report and the dashboard link
every figure to `reports:source`, which shows that same list. `compile_figures` returns plain
data (numbers, strings, ISO dates) so that a submitted report can freeze it as JSON.
"""

import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from loa.budget.models import BudgetLine, Expense
from loa.events.models import Activity, Attendance
from loa.org.models import Agency
from loa.outreach import queries as outreach_queries
from loa.outreach.models import Delivery, Dispatch, DispatchStatus
from loa.plans import queries as plan_queries
from loa.plans.docx import ISSUED
from loa.plans.models import Plan, Task, TaskStatus
from loa.plans.permissions import RUNNING


def plans_issued(agency: Agency, start: datetime.date, end: datetime.date) -> QuerySet[Plan]:
    """Plans issued in the window: dated in it, or, undated, approved in it."""
    dated = Q(issued_on__range=(start, end))
    undated = Q(issued_on__isnull=True, approved_at__date__range=(start, end))
    return Plan.objects.filter(dated | undated, agency=agency, status__in=ISSUED).order_by(
        "issued_on", "id"
    )


def tasks_of(agency: Agency, year: int) -> QuerySet[Task]:
    """The tasks of the agency's running plans of the year."""
    return Task.objects.filter(plan__agency=agency, plan__year=year, plan__status__in=RUNNING)


def dispatches_sent(agency: Agency, start: datetime.date, end: datetime.date) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(agency=agency, sent_at__date__range=(start, end)).exclude(
        status=DispatchStatus.DRAFT
    )


def activities_held(agency: Agency, start: datetime.date, end: datetime.date) -> QuerySet[Activity]:
    return Activity.objects.filter(
        agency=agency, cancelled_at__isnull=True, starts_at__date__range=(start, end)
    )


def expenses_in(agency: Agency, start: datetime.date, end: datetime.date) -> QuerySet[Expense]:
    return Expense.objects.filter(line__plan__agency=agency, spent_on__range=(start, end))


def inspections_in(agency: Agency, start: datetime.date, end: datetime.date) -> QuerySet:
    from loa.reports.models import Inspection

    return Inspection.objects.filter(agency=agency, scheduled_on__range=(start, end))


def feedback_received(agency: Agency, start: datetime.date, end: datetime.date) -> QuerySet:
    from loa.voices.models import Feedback

    return Feedback.objects.filter(agency=agency, received_at__date__range=(start, end))


SOURCES = {
    "plans": plans_issued,
    "dispatches": dispatches_sent,
    "activities": activities_held,
    "expenses": expenses_in,
    "inspections": inspections_in,
    "feedback": feedback_received,
}


def compile_figures(agency: Agency, year: int, start: datetime.date, end: datetime.date) -> dict:
    """Everything the communication part of a reform report counts, for one window."""
    as_of = min(end, timezone.localdate())
    tasks = plan_queries.tasks_with_status(tasks_of(agency, year), today=as_of)
    by_status = dict.fromkeys(TaskStatus.values, 0)
    for task in tasks:
        by_status[task.status] += 1
    overdue = [
        {
            "id": t.pk,
            "text": t.text[:200],
            "unit": t.lead_unit.name if t.lead_unit else "",
            "due": t.due().isoformat(),
        }
        for t in tasks
        if t.status == TaskStatus.OVERDUE
    ]
    dispatches = dispatches_sent(agency, start, end)
    deliveries = Delivery.objects.filter(dispatch__in=dispatches)
    reach = outreach_queries.reach(deliveries)
    activities = activities_held(agency, start, end)
    present = Attendance.objects.filter(activity__in=activities).aggregate(
        expected=Count("id", filter=Q(expected=True)),
        present=Count("id", filter=Q(present=True)),
    )
    by_type = list(
        activities.values("type__name")
        .annotate(
            count=Count("id", distinct=True),
            expected=Count("attendance", filter=Q(attendance__expected=True)),
            present=Count("attendance", filter=Q(attendance__present=True)),
        )
        .order_by("-count", "type__name")
    )
    planned = BudgetLine.objects.filter(plan__agency=agency, plan__year=year).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
    spent = expenses_in(agency, start, end).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    inspections = [
        {
            "id": i.pk,
            "unit": i.unit.name,
            "on": i.scheduled_on.isoformat(),
            "done": i.done_at is not None,
            "met": i.met,
            "partly": i.partly,
            "not_met": i.not_met,
            "open_follow_ups": i.open_follow_ups,
        }
        for i in inspections_in(agency, start, end)
        .select_related("unit")
        .annotate(
            met=Count("items", filter=Q(items__finding="met"), distinct=True),
            partly=Count("items", filter=Q(items__finding="partly"), distinct=True),
            not_met=Count("items", filter=Q(items__finding="not_met"), distinct=True),
            open_follow_ups=Count(
                "follow_ups", filter=Q(follow_ups__closed_at__isnull=True), distinct=True
            ),
        )
        .order_by("scheduled_on", "id")
    ]
    # Counts only: the report carries no citizen's words (Decree 13) and outlives erasures.
    feedback = feedback_received(agency, start, end).aggregate(
        received=Count("id"),
        answered=Count("id", filter=Q(answered_at__date__lte=end)),
        report=Count("id", filter=Q(kind="report")),
        proposal=Count("id", filter=Q(kind="proposal")),
        idea=Count("id", filter=Q(kind="idea")),
    )
    return {
        "window": [start.isoformat(), end.isoformat()],
        "feedback": feedback,
        "inspections": inspections,
        "plans": [
            {"id": p.pk, "title": p.title, "code": p.code, "issued_on": _iso(p.issued_on)}
            for p in plans_issued(agency, start, end)
        ],
        "tasks": {"total": len(tasks), "by_status": by_status, "overdue": overdue},
        "dispatches": {
            "count": dispatches.count(),
            "people": reach.total,
            "opened": reach.opened,
            "acknowledged": reach.acknowledged,
            "failed": reach.failed,
            "by_unit": [
                {
                    "unit": row["unit__name"] or "",
                    "people": row["total"],
                    "opened": row["opened"],
                    "acknowledged": row["acknowledged"],
                }
                for row in outreach_queries.reach_by_unit(deliveries)
            ],
        },
        "activities": {
            "count": activities.count(),
            "expected": present["expected"],
            "present": present["present"],
            "by_type": [
                {
                    "type": row["type__name"],
                    "count": row["count"],
                    "expected": row["expected"],
                    "present": row["present"],
                }
                for row in by_type
            ],
        },
        "budget": {"planned": planned, "spent": spent},
    }


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
