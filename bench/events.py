"""Activities benchmark: the calendar month page and the cadence of 3,000 units, over the
province's 250,000 activities and their attendance.

    python bench/events.py     # the province in loa_bench_province (--province-db)

Needs PostgreSQL. Runs against the province of bench/province.py (filled first if it is not
there): ~300 agencies of 10 units each, ~60,000 people, 250,000 activities over five years
(each with an organizing unit and a type of its agency) and their attendance. Prints:

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

What the run writes (the alerts, their audit rows, the sign-ins) is removed at the end, so the
province is as the generator left it.
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
import province  # noqa: E402 - after the path is set
from province import FUTURE_DAYS, YEARS, generate  # noqa: E402, F401 - generate: as before
from throwaway import machine  # noqa: E402


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
    province.add_province_argument(parser)
    parser.add_argument("--requests", type=int, default=30, help="calendar months measured")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the cadence queries")
    args = parser.parse_args()
    print(f"activities benchmark on {machine()}")
    found = province.open_province(
        province.server_url(), args.province_db, ALLOWED_HOSTS="testserver,127.0.0.1"
    )
    try:
        from django.utils import timezone

        today = timezone.localdate()
        coordinators = province.coordinators()
        measure_calendar(coordinators, today, args)
        measure_cadence(today, args)
    finally:
        print(f"\nafterwards: {province.restore(found['baseline'])}")
        print(f"load average {os.getloadavg()[0]:.1f} now")


if __name__ == "__main__":
    main()
