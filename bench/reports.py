"""Dashboard and reports benchmark, at province scale.

    python bench/reports.py     # the province in loa_bench_province (--province-db)

Needs PostgreSQL. Runs against the province of bench/province.py (filled first if it is not
there): 300 agencies of 10 units, 60,000 people, 250,000 activities over five years with their
attendance, and 50 dispatches per agency this year, each to the whole agency: 3,000,000
deliveries, a fifth of them acknowledged. Prints:

1. the dashboard (target p95 ≤ 300 ms): `reverse("dashboard:dashboard")?agency=<id>` for the
   year, fetched in-process with Django's test Client by each agency's coordinator, 30 agencies;
   and its query count for each, which must be the same whatever the agency's data;
2. the year report's render time to .docx (`compile_figures` and `render_report`; target
   ≤ 3 s) and to PDF (LibreOffice, if installed), median of three.

What the run writes (the sign-ins) is removed at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
import events  # noqa: E402 - after the path is set
import province  # noqa: E402
from province import add_dispatches  # noqa: E402, F401 - importable from here, as before
from throwaway import machine  # noqa: E402


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
    print(f"   {events.percentiles(times)}")
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
    province.add_province_argument(parser)
    parser.add_argument("--requests", type=int, default=30, help="agencies measured")
    args = parser.parse_args()
    print(f"dashboard and reports benchmark on {machine()}")
    found = province.open_province(
        province.server_url(), args.province_db, ALLOWED_HOSTS="testserver,127.0.0.1"
    )
    try:
        from django.utils import timezone

        today = timezone.localdate()
        coordinators = province.coordinators()
        measure_dashboard(coordinators, today, args.requests)
        measure_report(coordinators, today)
    finally:
        print(f"\nafterwards: {province.restore(found['baseline'])}")
        print(f"load average {os.getloadavg()[0]:.1f} now")


if __name__ == "__main__":
    main()
