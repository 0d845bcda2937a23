"""Reads for plans: scoped to the person, joined, and with each task's derived status."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from loa.core.models import User
from loa.org.models import Unit
from loa.plans import permissions
from loa.plans.models import Evidence, Plan, PlanStatus, Task, TaskStatus

STATUS_ORDER: list[str] = [
    TaskStatus.OVERDUE,
    TaskStatus.NOT_STARTED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.DONE,
]


def plans_for_list(user: User, *, year: int | None = None) -> QuerySet[Plan]:
    plans = permissions.plans_visible_to(user).select_related("agency", "parent")
    if year:
        plans = plans.filter(year=year)
    return plans.annotate(task_count=Count("tasks")).order_by("-year", "agency__name", "-id")


def same_plans(agency_id: int, title: str, year: int | None) -> list[Plan]:
    """The agency's plans of that year with the same title (case and spacing aside), but
    not the ones a revision replaced: importing the same plan twice is worth a warning."""
    if not year:
        return []
    key = " ".join(title.split()).casefold()
    plans = Plan.objects.filter(agency_id=agency_id, year=year).exclude(
        status=PlanStatus.SUPERSEDED
    )
    return [
        p
        for p in plans.only("id", "title", "year", "status")
        if " ".join(p.title.split()).casefold() == key
    ]


def topics_with_evidence(plan: Plan) -> QuerySet:
    """The plan's topics with how many activities and dispatches carried each: the later apps
    link to topics (`Topic.activities`, `Topic.dispatches`), and the plan counts them by name,
    without importing those apps."""
    return plan.topics.annotate(
        n_activities=Count(
            "activities", filter=Q(activities__cancelled_at__isnull=True), distinct=True
        ),
        n_dispatches=Count("dispatches", filter=~Q(dispatches__status="draft"), distinct=True),
    )


def tasks_with_status(tasks: QuerySet[Task], today: datetime.date | None = None) -> list[Any]:
    """Tasks with `.status` (derived) and `.evidence_count`, in one query plus prefetches."""
    today = today or timezone.localdate()
    rows = list(
        tasks.select_related("plan", "lead_unit")
        .prefetch_related("cooperating_units", "topics", "forms")
        .annotate(
            evidence_count=Count("evidence", distinct=True),
            units_done=Count("evidence__unit", distinct=True),
        )
    )
    # A task of every unit is done when each unit has proved it: count the agency's units.
    agencies = {t.plan.agency_id for t in rows if t.all_units}
    unit_counts = dict(
        Unit.objects.filter(agency_id__in=agencies, dissolved_on__isnull=True)
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    for task in rows:
        task.status = task.derived_status(
            today, task.evidence_count, task.units_done, unit_counts.get(task.plan.agency_id, 0)
        )
    return rows


def tasks_to_do(user: User) -> list[Task]:
    """The tasks of running (approved or published) plans that are this person's to follow,
    overdue first: every task of the agencies they read (the Chief, leadership,
    coordinators), and the tasks given to their own units or to every unit of their agency."""
    readers = permissions.task_reader_agency_ids(user)
    if readers is None:  # a superuser follows every agency
        scope = Q()
    else:
        scope = Q(plan__agency_id__in=readers)
        units = permissions.own_unit_ids(user)
        if units:
            agencies = set(Unit.objects.filter(pk__in=units).values_list("agency_id", flat=True))
            scope |= (
                Q(lead_unit_id__in=units)
                | Q(cooperating_units__id__in=units)
                | Q(all_units=True, plan__agency_id__in=agencies)
            )
        elif not readers:
            return []
    tasks = Task.objects.filter(scope, plan__status__in=permissions.RUNNING).distinct()
    rows = tasks_with_status(tasks)
    rows.sort(key=lambda t: (STATUS_ORDER.index(t.status), t.due(), t.plan_id, t.order))
    return rows


@dataclass
class Coverage:
    topics: list
    forms: list
    topic_form: dict  # (topic id, form id) -> number of tasks
    units: list
    task_unit: dict  # (task id, unit id) -> status
    tasks: list


def coverage(plan: Plan) -> Coverage:
    tasks = tasks_with_status(plan.tasks.all())
    topics, forms = list(plan.topics.all()), list(plan.forms.all())
    units = list(Unit.objects.filter(agency=plan.agency_id, dissolved_on__isnull=True))
    topic_form: dict = {}
    task_unit: dict = {}
    proved = set(
        Evidence.objects.filter(task__plan=plan, unit__isnull=False).values_list(
            "task_id", "unit_id"
        )
    )
    today = timezone.localdate()
    for task in tasks:
        for topic in task.topics.all():
            for form in task.forms.all():
                topic_form[(topic.pk, form.pk)] = topic_form.get((topic.pk, form.pk), 0) + 1
        if task.all_units and not task.status_override:
            # Each unit's own cell: proved by that unit, or waiting by the deadline.
            for unit in units:
                if (task.pk, unit.pk) in proved:
                    task_unit[(task.pk, unit.pk)] = TaskStatus.DONE
                else:
                    late = task.due() < today
                    task_unit[(task.pk, unit.pk)] = (
                        TaskStatus.OVERDUE if late else TaskStatus.NOT_STARTED
                    )
            continue
        named = units if task.all_units else [task.lead_unit, *task.cooperating_units.all()]
        for unit in named:
            if unit is not None:
                task_unit[(task.pk, unit.pk)] = task.status
    return Coverage(topics, forms, topic_form, units, task_unit, tasks)
