"""Dashboard and reports benchmark, at province scale.

    python bench/reports.py     # database loa_bench_reports on TEST_DATABASE_URL's server

Needs PostgreSQL. Generates the province of bench/events.py (300 agencies of 10 units, 60,000
people, 250,000 activities over five years with their attendance), then, with INSERT … SELECT,
50 dispatches per agency this year, each to the whole agency: 3,000,000 deliveries, a fifth of
them acknowledged. Prints:

1. the dashboard (target p95 ≤ 300 ms): `reverse("dashboard:dashboard")?agency=<id>` for the
   year, fetched in-process with Django's test Client by each agency's coordinator, 30 agencies;
   and its query count for each, which must be the same whatever the agency's data;
2. the year report's render time to .docx (`compile_figures` and `render_report`; target
   ≤ 3 s) and to PDF (LibreOffice, if installed), median of three.

The database is made afresh and dropped at the end (--keep leaves it for a look).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
import events as province  # noqa: E402 - the same generator as the activities benchmark
from throwaway import drop, fresh_database, machine  # noqa: E402

DB_NAME = "loa_bench_reports"


def add_dispatches(per_agency: int, today) -> None:
    from django.db import connection, transaction

    from loa.org.models import Agency

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO outreach_dispatch (agency_id, title, message, status, dms_number,
                acknowledge_by, created_at, sent_at, created_by_id, audience, channels,
                current_round)
            SELECT a.id, 'Văn bản ' || n, '', 'sent', '', NULL, day, day + interval '1 hour',
                   NULL, '{"whole_agency": true}'::jsonb, '[]'::jsonb, 1
            FROM org_agency a, generate_series(1, %(n)s) AS n,
                 LATERAL (SELECT make_timestamptz(%(year)s, 1 + (n %% 11), 1 + (n %% 27), 8, 0, 0,
                                                  'Asia/Ho_Chi_Minh') AS day) d
            """,
            {"n": per_agency, "year": today.year},
        )
        cursor.execute(
            """
            INSERT INTO outreach_delivery (dispatch_id, person_id, round, unit_id, created_at,
                opened_at, opened_channel, acknowledged_at, acknowledged_channel, comment)
            SELECT d.id, p.id, 1, p.unit_id, d.sent_at,
                   CASE WHEN r < 0.4 THEN d.sent_at + interval '1 hour' END,
                   CASE WHEN r < 0.4 THEN 'inbox' ELSE '' END,
                   CASE WHEN r < 0.2 THEN d.sent_at + interval '2 hours' END,
                   CASE WHEN r < 0.2 THEN 'inbox' ELSE '' END, ''
            FROM outreach_dispatch d JOIN org_person p ON p.agency_id = d.agency_id,
                 LATERAL (SELECT random() AS r) s
            """
        )
        cursor.execute("SELECT COUNT(*) FROM outreach_delivery")
        deliveries = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        for table in ("outreach_dispatch", "outreach_delivery"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    agencies = Agency.objects.count()
    print(f"   {agencies * per_agency:,} dispatches, {deliveries:,} deliveries "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip


def measure_dashboard(coordinators: dict, today, count: int) -> None:
    from django.conf import settings
    from django.test import override_settings
    from django.urls import reverse

    url = reverse("dashboard:dashboard")
    agencies = sorted(coordinators)[:count]
    # The hashed-name manifest exists only after collectstatic: plain static storage instead.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        times, queries = _fetch(url, agencies, coordinators, today)
    print(f"\n1. the dashboard for the year, {count} agencies, in-process (target p95 ≤ 300 ms)")
    print(f"   {province.percentiles(times)}")
    same = "the same for every agency" if len(set(queries)) == 1 else "NOT the same"
    print(f"   queries per page: {sorted(set(queries))} — {same}")


def _fetch(url, agencies, coordinators, today):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from loa.core.models import User
    from loa.core.tests.factories import sign_in

    times, queries = [], []
    for index, agency_id in enumerate(agencies):
        client = Client()
        sign_in(client, User.objects.get(pk=coordinators[agency_id]))  # both steps
        query = {"agency": agency_id, "year": today.year}
        if index == 0:
            client.get(url, query)  # templates and translations loaded once, as in a worker
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, query)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"the dashboard answered {response.status_code}")
        queries.append(len(captured.captured_queries))
    return times, queries


def measure_report(coordinators: dict, today) -> None:
    from loa.org.models import Agency
    from loa.reports import docx, pdf, periods
    from loa.reports.figures import compile_figures
    from loa.reports.models import Report

    agency = Agency.objects.get(pk=sorted(coordinators)[0])
    window = periods.period(today.year, "year", periods.DEFAULTS["year"])
    report = Report(agency=agency, year=today.year, kind="year", window_start=window.start,
                    window_end=window.end, due_on=window.due)  # fmt: skip
    word_ms, pdf_ms, word = [], [], b""
    for _round in range(3):
        started = time.perf_counter()
        word = docx.render_report(report, compile_figures(agency, today.year, window.start,
                                                          window.end))  # fmt: skip
        word_ms.append((time.perf_counter() - started) * 1000)
    print("\n2. the year report of one agency (median of 3)")
    print(f"   .docx, figures compiled and rendered: {statistics.median(word_ms):.0f} ms "
          f"({len(word):,} bytes; target ≤ 3 s)")  # fmt: skip
    if pdf.soffice() is None:
        print("   PDF: SKIPPED — LibreOffice is not installed")
        return
    for _round in range(3):
        started = time.perf_counter()
        printed = pdf.docx_to_pdf(word)
        pdf_ms.append((time.perf_counter() - started) * 1000)
    print(f"   PDF from the .docx (LibreOffice headless): {statistics.median(pdf_ms):.0f} ms "
          f"({len(printed):,} bytes)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--units-per-agency", type=int, default=10)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--activities", type=int, default=250_000)
    parser.add_argument("--attendance", type=float, default=10)
    parser.add_argument("--dispatches", type=int, default=50, help="per agency, this year")
    parser.add_argument("--requests", type=int, default=30, help="agencies measured")
    parser.add_argument("--keep", action="store_true", help="leave the database afterwards")
    args = parser.parse_args()
    print(f"dashboard and reports benchmark on {machine()}")
    server = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loa")
    fresh_database(server, DB_NAME, ALLOWED_HOSTS="testserver,127.0.0.1")
    try:
        from django.utils import timezone

        today = timezone.localdate()
        coordinators = province.generate(args, today)
        add_dispatches(args.dispatches, today)
        measure_dashboard(coordinators, today, args.requests)
        measure_report(coordinators, today)
    finally:
        if not args.keep:
            drop(server, DB_NAME)


if __name__ == "__main__":
    main()
