"""Activities benchmark: the calendar month page and the cadence of 3,000 units, over a
province of 250,000 activities and their attendance.

    python bench/events.py     # database loa_bench_events on TEST_DATABASE_URL's server

Needs PostgreSQL. Generates ~300 agencies of 10 units each, ~60,000 people, 250,000 activities
over five years (each with an organizing unit and a type of its agency, `types_of`) and their
attendance (~10 expected a activity, from the organizing unit), all in INSERT … SELECT; then
prints:

1. the calendar month page (target p95 ≤ 200 ms): `reverse("events:calendar")` with
   `?agency=<id>&month=YYYY-MM` fetched in-process with Django's test Client by a signed-in
   coordinator of the agency, 30 requests over different months and agencies, once the view
   exists; always the query beneath it, `queries.calendar(activities_visible_to(user)
   .filter(agency=…), start=…, end=…)` evaluated into a list over the month's whole weeks, as
   the page shows them, the actor read afresh each time as a request would;
2. the cadence of all 3,000 units (target ≤ 2 s): `queries.cadence(agency)` and
   `queries.silent_units(…)` for the whole province, and `services.cadence_alert(today=…)`
   end to end (the dummy task backend takes its e-mails, so nothing is sent), first the run
   that alerts, then the same day's second run, which finds every alert already sent.

Also prints how long generation took and the row counts. The database is made afresh and
dropped at the end (--keep leaves it for a look).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import types
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
from throwaway import drop, fresh_database, machine  # noqa: E402 - after the path is set

DB_NAME = "loa_bench_events"
YEARS = 5
FUTURE_DAYS = 90  # the five years end this far ahead: the calendar also shows what is planned


def step(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"   {label:<58} {now - started:>6.1f} s")
    return now


def generate(args, today: datetime.date) -> dict:
    """The province; returns {agency id: the user id of its coordinator}."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from loa.core.models import User
    from loa.core.text import fold, person_sort_key
    from loa.events import services
    from loa.events.models import Activity, ActivityType, Attendance
    from loa.org.models import Agency, Category, Person, Role, RoleAssignment, Unit

    print("\ngeneration")
    began = started = time.perf_counter()
    rng = random.Random(250_000)
    agencies = Agency.objects.bulk_create(
        Agency(name=f"Cơ quan {i + 1:03} (benchmark)", province="Phú Thọ")
        for i in range(args.agencies)
    )
    for agency in agencies:
        services.types_of(agency)  # the agency's default list, made the first time it is asked
    units = Unit.objects.bulk_create(
        (
            Unit(agency=agency, name=f"Phòng {j + 1:02}", search_name=fold(f"Phòng {j + 1:02}"))
            for agency in agencies
            for j in range(args.units_per_agency)
        ),
        batch_size=5000,
    )
    started = step(f"{len(agencies)} agencies, their activity types, {len(units):,} units", started)

    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
    middle = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh"]
    given = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Lan", "Nam", "Sơn", "Tú"]
    categories = list(Category.values)
    people = []
    for i in range(args.people):
        unit = units[i % len(units)]
        name = f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
        people.append(
            Person(
                agency_id=unit.agency_id,
                unit=unit,
                category=rng.choice(categories),
                full_name=name,
                code=f"NV{i + 1:06}",
                email=f"nv{i + 1}@example.gov.vn" if i < len(units) or i % 2 else "",
                search_name=fold(name),
                sort_key=person_sort_key(name),
            )
        )
    Person.objects.bulk_create(people, batch_size=5000)
    # The first person of each unit heads it; the first of each agency is also its coordinator,
    # with an account to sign in with.
    heads = people[: len(units)]
    coordinators = {p.agency_id: p for p in reversed(heads)}
    users = User.objects.bulk_create(
        User(username=f"coordinator-{p.agency_id}", password=make_password(None))
        for p in coordinators.values()
    )
    for person, user in zip(coordinators.values(), users, strict=True):
        person.user = user
    Person.objects.bulk_update(list(coordinators.values()), ["user"])
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(person=p, role=Role.UNIT_HEAD, agency_id=p.agency_id, unit_id=p.unit_id)
            for p in heads
        ]
        + [
            RoleAssignment(person=p, role=Role.COORDINATOR, agency_id=p.agency_id)
            for p in coordinators.values()
        ],
        batch_size=5000,
    )
    started = step(
        f"{len(people):,} people, {len(heads):,} unit heads, {len(users)} coordinators", started
    )

    first_day = today + datetime.timedelta(days=FUTURE_DAYS) - datetime.timedelta(days=365 * YEARS)
    span_days = 365 * YEARS
    # Table names come from the models; every value is bound. One statement each, in the
    # database; Django's foreign keys are deferred, so their checks run at the commit.
    activity_sql = f"""
        WITH units AS (SELECT array_agg(id ORDER BY id) AS ids FROM {Unit._meta.db_table}),
        kinds AS (
            SELECT agency_id, array_agg(id ORDER BY "order", id) AS ids
            FROM {ActivityType._meta.db_table} GROUP BY agency_id
        ),
        drawn AS (
            SELECT i,
                   units.ids[1 + floor(random() * cardinality(units.ids))::int] AS unit_id,
                   ((%(first)s::date + floor(random() * %(span)s)::int)
                    + make_interval(hours => 7 + floor(random() * 10)::int,
                                    mins => 30 * floor(random() * 2)::int))
                       AT TIME ZONE %(tz)s AS starts,
                   CASE WHEN random() < 0.05 THEN interval '1 day 9 hours'
                        ELSE make_interval(hours => 1 + floor(random() * 4)::int) END AS length,
                   random() AS kind, random() < 0.03 AS cancelled
            FROM generate_series(1, %(count)s) AS i, units
        )
        INSERT INTO {Activity._meta.db_table} (
            agency_id, type_id, title, starts_at, ends_at, place, organizer_id, audience,
            minutes, cost, checkin_code, held_recorded, cancelled_at, created_by_id, created_at)
        SELECT u.agency_id, kinds.ids[1 + floor(d.kind * cardinality(kinds.ids))::int],
               'Hoạt động ' || d.i, d.starts, d.starts + d.length, 'Hội trường',
               d.unit_id, jsonb_build_object('units', jsonb_build_array(d.unit_id)),
               '', CASE WHEN d.i %% 4 = 0 THEN 2000000 ELSE 0 END,
               'bench-' || d.i || '-' || substr(md5(random()::text), 1, 12),
               false, CASE WHEN d.cancelled THEN d.starts - interval '2 days' END,
               NULL, d.starts - interval '10 days'
        FROM drawn d
        JOIN {Unit._meta.db_table} u ON u.id = d.unit_id
        JOIN kinds ON kinds.agency_id = u.agency_id
        ORDER BY d.starts
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        params = {"first": first_day, "span": span_days, "tz": "Asia/Ho_Chi_Minh"}
        cursor.execute(activity_sql, {**params, "count": args.activities})
    started = step(f"{args.activities:,} activities over {YEARS} years (INSERT … SELECT)", started)

    # Expected: each person of the organizing unit with a probability that gives the asked
    # average; present: 80 % of those expected at activities that have begun, by QR mostly.
    per_unit = args.people / len(units)
    share = min(1.0, args.attendance / per_unit)
    attendance_sql = f"""
        INSERT INTO {Attendance._meta.db_table} (
            activity_id, person_id, unit_id, expected, present, method, checked_in_at,
            corrected_at, recorded_by_id)
        SELECT a.id, p.id, p.unit_id, true, s.present,
               CASE WHEN NOT s.present THEN '' WHEN s.qr THEN 'qr' ELSE 'ticked' END,
               CASE WHEN s.present THEN a.starts_at + interval '5 minutes' END, NULL, NULL
        FROM {Activity._meta.db_table} a
        JOIN {Person._meta.db_table} p ON p.unit_id = a.organizer_id
        CROSS JOIN LATERAL (
            SELECT a.cancelled_at IS NULL AND a.starts_at < now() AND random() < 0.8 AS present,
                   random() < 0.85 AS qr
        ) s
        WHERE random() < %(share)s
        ORDER BY a.id, p.id
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(attendance_sql, {"share": share})
    started = step(
        f"attendance, {share:.0%} of each organizing unit's {per_unit:.0f} people "
        "(INSERT … SELECT)",
        started,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Activity._meta.db_table} SET held_recorded = true "  # noqa: S608
            "WHERE starts_at < now() AND cancelled_at IS NULL"
        )
    settle()
    started = step("VACUUM ANALYZE, CHECKPOINT", started)
    print(f"   {'generation in all':<58} {time.perf_counter() - began:>6.1f} s")
    counts(today)
    return {p.agency_id: p.user_id for p in coordinators.values()}


def counts(today: datetime.date) -> None:
    from django.db.models import Count, Q
    from django.utils import timezone

    from loa.events.models import Activity, ActivityType, Attendance
    from loa.org.models import Agency, Person, RoleAssignment, Unit

    now = timezone.now()
    activities = Activity.objects.aggregate(
        n=Count("id"),
        cancelled=Count("id", filter=Q(cancelled_at__isnull=False)),
        future=Count("id", filter=Q(starts_at__gt=now)),
    )
    attendance = Attendance.objects.aggregate(
        n=Count("id"), present=Count("id", filter=Q(present=True))
    )
    first, last = (
        Activity.objects.order_by(f).values_list("starts_at", flat=True).first()
        for f in ("starts_at", "-starts_at")
    )
    print(
        f"\nrows: {Agency.objects.count():,} agencies, {Unit.objects.count():,} units, "
        f"{Person.objects.count():,} people, {RoleAssignment.objects.count():,} role "
        f"assignments, {ActivityType.objects.count():,} activity types\n"
        f"      {activities['n']:,} activities ({activities['cancelled']:,} cancelled, "
        f"{activities['future']:,} still to come), "
        f"{timezone.localdate(first):%d/%m/%Y}–{timezone.localdate(last):%d/%m/%Y}\n"
        f"      {attendance['n']:,} attendance rows, all expected "
        f"({attendance['n'] / activities['n']:.1f} a activity), {attendance['present']:,} present"
    )


def settle() -> None:
    """Vacuum what was just written and checkpoint, so that neither autovacuum nor a
    checkpoint lands in the middle of a measurement."""
    from django.db import connection

    from loa.events.models import Activity, ActivityType, Attendance
    from loa.org.models import Person, RoleAssignment, Unit

    with connection.cursor() as cursor:
        for model in (Activity, ActivityType, Attendance, Person, RoleAssignment, Unit):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        cursor.execute("CHECKPOINT")


def percentiles(values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return (
        f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms "
        f"({len(ordered)} samples)"
    )


def month_span(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month page's span: the whole weeks (Monday to Sunday) that show the month."""
    import calendar

    from django.utils import timezone

    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    first, last = weeks[0][0], weeks[-1][-1] + datetime.timedelta(days=1)
    return (
        timezone.make_aware(datetime.datetime.combine(first, datetime.time())),
        timezone.make_aware(datetime.datetime.combine(last, datetime.time())),
    )


def samples(coordinators: dict, today: datetime.date, count: int) -> list[tuple]:
    """`count` (agency id, month) pairs: different agencies, months across the five years
    (this month and the next among them)."""
    rng = random.Random(30)
    months = []
    cursor = (today - datetime.timedelta(days=365 * YEARS - FUTURE_DAYS)).replace(day=1)
    while cursor <= today + datetime.timedelta(days=FUTURE_DAYS - 31):
        months.append(cursor)
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    this = today.replace(day=1)
    chosen = [this, (this + datetime.timedelta(days=32)).replace(day=1)]
    chosen += rng.sample([m for m in months if m not in chosen], count - len(chosen))
    agencies = rng.sample(sorted(coordinators), count)
    return list(zip(agencies, chosen, strict=True))


def calendar_rows(user_id: int, agency_id: int, month: datetime.date) -> list:
    """What the month page reads beneath its template: the actor afresh, the visible
    activities of the agency overlapping the month, each with its type and unit."""
    from loa.core.models import User
    from loa.events import permissions, queries

    user = User.objects.get(pk=user_id)
    start, end = month_span(month)
    visible = permissions.activities_visible_to(user).filter(agency_id=agency_id)
    return list(queries.calendar(visible, start=start, end=end))


def calendar_url() -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("events:calendar")
    except (NoReverseMatch, ImportError):
        return None


def measure_calendar(coordinators: dict, today: datetime.date, args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loa.events import permissions, queries

    pairs = samples(coordinators, today, args.requests)
    print(
        f"\n1. the calendar month page (target p95 ≤ 200 ms): {len(pairs)} months of "
        "different agencies, each read by its coordinator"
    )
    for agency_id, month in pairs[-3:]:  # warm-up: Django's caches, the planner's, the pages
        calendar_rows(coordinators[agency_id], agency_id, month)
    timings, found = [], []
    for agency_id, month in pairs:
        started = time.perf_counter()
        rows = calendar_rows(coordinators[agency_id], agency_id, month)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(rows))
    agency_id, month = pairs[0]
    with CaptureQueriesContext(connection) as captured:
        calendar_rows(coordinators[agency_id], agency_id, month)
    print(
        f"   the query (queries.calendar, evaluated; {len(captured)} queries with the actor's): "
        f"{percentiles(timings)}; {statistics.mean(found):.0f} activities a month "
        f"({min(found)}–{max(found)})"
    )
    explain_calendar(coordinators[agency_id], agency_id, today, permissions, queries)

    url = calendar_url()
    if url is None:
        print(
            "   the page: not measured — reverse('events:calendar') does not resolve yet "
            "(loa/events has no views); the query above is what it will read"
        )
        return
    measure_page(url, coordinators, pairs)


def explain_calendar(user_id, agency_id, today, permissions, queries) -> None:
    """The plan of this month's query (this month: the most activities before it)."""
    from django.db import connection

    from loa.core.models import User

    user = User.objects.get(pk=user_id)
    start, end = month_span(today.replace(day=1))
    found = queries.calendar(
        permissions.activities_visible_to(user).filter(agency_id=agency_id), start=start, end=end
    )
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    keep = ("Scan", "Rows Removed", "Execution Time")
    shown = [line.strip().removeprefix("-> ") for line in plan if any(k in line for k in keep)]
    print("   its plan for this month:  " + "\n                             ".join(shown))


def measure_page(url: str, coordinators: dict, pairs) -> None:
    from collections import Counter

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from loa.core.models import User
    from loa.core.tests.factories import sign_in

    # The hashed-name manifest exists only after collectstatic: plain static storage instead.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no STATIC_ROOT
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        clients = {}
        for agency_id in {a for a, _ in pairs}:
            client = Client()
            sign_in(client, User.objects.get(pk=coordinators[agency_id]))  # both steps
            clients[agency_id] = client

        def get(agency_id, month):
            return clients[agency_id].get(url, {"agency": agency_id, "month": f"{month:%Y-%m}"})

        for agency_id, month in pairs[-3:]:
            get(agency_id, month)
        timings, statuses = [], Counter()
        for agency_id, month in pairs:
            started = time.perf_counter()
            response = get(agency_id, month)
            timings.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] += 1
        with CaptureQueriesContext(connection) as captured:
            response = get(*pairs[0])
        size = len(response.content)
    answers = ", ".join(f"{n} × {code}" for code, n in sorted(statuses.items()))
    print(
        f"   the page (GET {url}?agency=…&month=…, test Client in-process): "
        f"{percentiles(timings)}\n"
        f"     answers: {answers}; {len(captured)} queries and {size / 1024:.0f} KB a page"
    )


def stand_in_urls():
    """`cadence_alert` links its e-mails to `events:cadence`. Until loa/events has URLs, a
    stand-in of that one name (not of the calendar) lets the alert run; None when the real
    one resolves."""
    from django.http import HttpResponse
    from django.urls import NoReverseMatch, include, path, reverse

    try:
        reverse("events:cadence")
        return None
    except NoReverseMatch:
        pass
    events = ([path("cadence/", lambda request: HttpResponse(), name="cadence")], "events")
    return types.SimpleNamespace(
        urlpatterns=[path("", include("loa.urls")), path("events/", include(events))]
    )


def measure_cadence(today: datetime.date, args) -> None:
    from django.conf import settings
    from django.db.models import F
    from django.test import override_settings
    from django_tasks import default_task_backend

    from loa.events import queries, services
    from loa.events.models import CadenceAlert
    from loa.org.models import Agency, Unit

    agencies = list(Agency.objects.filter(dissolved_on__isnull=True).order_by("id"))
    units = Unit.objects.filter(dissolved_on__isnull=True).count()
    days = settings.LOA_CADENCE_DAYS
    print(
        f"\n2. the cadence of {units:,} units in {len(agencies)} agencies (target ≤ 2 s), "
        f"{args.rounds} rounds, median"
    )

    def every_agency(function) -> tuple[float, list[float], int]:
        rounds, per_agency, found = [], [], 0
        for _ in range(args.rounds):
            began, found = time.perf_counter(), 0
            for agency in agencies:
                started = time.perf_counter()
                found += len(function(agency))
                per_agency.append((time.perf_counter() - started) * 1000)
            rounds.append(time.perf_counter() - began)
        return statistics.median(rounds), per_agency, found

    columns = len(queries.cadence(agencies[0])["months"])
    total, per_agency, rows = every_agency(lambda a: queries.cadence(a)["rows"])
    print(
        f"   queries.cadence(agency) (months=12: {columns} columns), for every agency: "
        f"{total:.2f} s ({rows:,} unit rows); a agency {percentiles(per_agency)}"
    )
    began = time.perf_counter()
    silent = len(queries.silent_units(today=today, default_days=days))
    print(
        f"   queries.silent_units(), all {len(agencies)} agencies at once: "
        f"{time.perf_counter() - began:.2f} s ({silent:,} silent units)"
    )

    urls = stand_in_urls()
    if urls is not None:
        print(
            "   (events:cadence does not resolve yet: the alert's e-mails link to a stand-in "
            "URL of that name)"
        )
    with override_settings(**({"ROOT_URLCONF": urls} if urls is not None else {})):
        for label in ("first run: alerts and e-mails", "second run, same day: none due"):
            queued = len(default_task_backend.results)
            started = time.perf_counter()
            alerted = services.cadence_alert(today=today)
            elapsed = time.perf_counter() - started
            mails = len(default_task_backend.results) - queued
            print(
                f"   services.cadence_alert(today=…), {label}: {elapsed:.2f} s "
                f"({alerted:,} units reported, {mails:,} e-mails queued; target ≤ 2 s)"
            )
    ahead = CadenceAlert.objects.filter(last_activity_on__gt=F("sent_on")).count()
    print(
        f"   cadence alerts recorded: {CadenceAlert.objects.count():,}, {ahead:,} of them naming "
        "a last activity after the day they were sent"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--units-per-agency", type=int, default=10)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--activities", type=int, default=250_000)
    parser.add_argument(
        "--attendance", type=float, default=10, help="people expected a activity, on average"
    )
    parser.add_argument("--requests", type=int, default=30, help="calendar months measured")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the cadence queries")
    parser.add_argument("--keep", action="store_true", help="leave the database afterwards")
    args = parser.parse_args()
    print(f"activities benchmark on {machine()}")
    server = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loa")
    fresh_database(server, DB_NAME, ALLOWED_HOSTS="testserver,127.0.0.1")
    try:
        from django.utils import timezone

        today = timezone.localdate()
        coordinators = generate(args, today)
        measure_calendar(coordinators, today, args)
        measure_cadence(today, args)
    finally:
        if not args.keep:
            drop(server, DB_NAME)


if __name__ == "__main__":
    main()
