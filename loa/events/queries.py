"""Reads for activities: the calendar, attendance figures and each unit's cadence."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from loa.events.models import Activity, Attendance
from loa.org.models import Agency, Unit


def calendar(
    visible: QuerySet[Activity],
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    unit: Unit | None = None,
    type_id: int | None = None,
) -> QuerySet[Activity]:
    """The activities that overlap [start, end), joined for the calendar page."""
    found = visible.filter(starts_at__lt=end, ends_at__gt=start, cancelled_at__isnull=True)
    if unit is not None:
        found = found.filter(organizer=unit)
    if type_id is not None:
        found = found.filter(type_id=type_id)
    return found.select_related("type", "organizer").order_by("starts_at", "id")


@dataclass
class AttendanceFigures:
    expected: int
    present: int
    present_unexpected: int

    @property
    def rate(self) -> int:
        """Present among those expected, in %."""
        return round(100 * self.present / self.expected) if self.expected else 0


def attendance_figures(activity: Activity) -> AttendanceFigures:
    rows = activity.attendance.aggregate(
        n_expected=Count("id", filter=Q(expected=True)),
        n_present=Count("id", filter=Q(expected=True, present=True)),
        n_unexpected=Count("id", filter=Q(expected=False, present=True)),
    )
    return AttendanceFigures(
        expected=rows["n_expected"],
        present=rows["n_present"],
        present_unexpected=rows["n_unexpected"],
    )


def absentees_by_unit(activity: Activity) -> list:
    return list(
        activity.attendance.filter(expected=True)
        .values("unit__name")
        .annotate(
            n_expected=Count("id"),
            n_present=Count("id", filter=Q(present=True)),
            n_absent=Count("id", filter=Q(present=False)),
        )
        .order_by("unit__name")
    )


def attendance_list(activity: Activity) -> QuerySet[Attendance]:
    return activity.attendance.select_related("person", "unit").order_by(
        "unit__name", "person__sort_key"
    )


def cadence(agency: Agency, *, months: int = 12) -> dict:
    """Activities each unit organised, month by month, for the last `months` months:
    {"months": [date, …], "rows": [(unit, [count, …], last_date), …]} in one query."""
    today = timezone.localdate()
    back = today.year * 12 + today.month - 1 - (months - 1)  # the first month, counted
    first = datetime.date(back // 12, back % 12 + 1, 1)
    month_list = []
    cursor = first
    while cursor <= today:
        month_list.append(cursor)
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    counts = (
        Activity.objects.filter(
            agency=agency, cancelled_at__isnull=True, starts_at__gte=since, organizer__isnull=False
        )
        .annotate(month=TruncMonth("starts_at"))
        .values("organizer_id", "month")
        .annotate(n=Count("id"))
    )
    by_unit: dict[int, dict] = {}
    for row in counts:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        by_unit.setdefault(row["organizer_id"], {})[month] = row["n"]
    last = dict(
        Activity.objects.filter(agency=agency, cancelled_at__isnull=True, organizer__isnull=False)
        .filter(starts_at__lte=timezone.now())
        .values("organizer_id")
        .annotate(last=Max("starts_at"))
        .values_list("organizer_id", "last")
    )
    units = Unit.objects.filter(agency=agency, dissolved_on__isnull=True).order_by("name")
    rows = [
        (
            unit,
            [by_unit.get(unit.pk, {}).get(m, 0) for m in month_list],
            timezone.localtime(last[unit.pk]).date() if unit.pk in last else None,
        )
        for unit in units
    ]
    return {"months": month_list, "rows": rows}


def silent_units(
    *, today: datetime.date, default_days: int
) -> list[tuple[Unit, datetime.datetime | None, int]]:
    """Every unit of every agency with no activity (held, not cancelled) in its agency's
    number of days: (unit, its last activity or None, the days), in one query."""
    latest = (
        Activity.objects.filter(
            organizer=OuterRef("pk"), cancelled_at__isnull=True, starts_at__lte=timezone.now()
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    units = (
        Unit.objects.filter(dissolved_on__isnull=True, agency__dissolved_on__isnull=True)
        .select_related("agency__cadence_rule")
        .annotate(last=Subquery(latest))
        .order_by("agency_id", "name")
    )
    silent: list[tuple[Unit, datetime.datetime | None, int]] = []
    for unit in units:
        rule = getattr(unit.agency, "cadence_rule", None)
        days = rule.silent_days if rule else default_days
        since = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time())
        )
        if unit.last is None or unit.last < since:
            silent.append((unit, unit.last, days))
    return silent
