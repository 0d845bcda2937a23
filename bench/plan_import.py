"""Plan import benchmark: the sample plan, and a plan 100 times its size.

    python bench/plan_import.py               # into the province, loa_bench_province
    python bench/plan_import.py --db sqlite   # into the demo on SQLite, in var/bench/

Prints the time to read a plan's text into its structure (parser and citation finder) and
to save it as a draft, for the sample (target ≤ 300 ms) and for a plan 100× its size
(target: linear, ≤ 10 s). On PostgreSQL the drafts are saved into the first agency of the
province of bench/province.py (--province-db; filled first if it is not there) by its
coordinator, beside the province's 50,000 documents and 250,000 activities, and removed at
the end; on SQLite into the demo's Văn phòng UBND tỉnh Vĩnh Phúc, by its administrator.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
import province  # noqa: E402 - after the path is set
from throwaway import machine, use_sqlite  # noqa: E402

SAMPLE = ROOT / "loa/library/fixtures/kh-tuyen-truyen-cchc-2023-vp-ubnd-vinh-phuc.txt"


def big_plan(text: str, times: int) -> str:
    """The sample with its topics, forms and tasks repeated `times` times."""
    topics = re.search(r"(a\) .*?)(?=\n3\. Hình thức)", text, re.S).group(1)
    forms = re.search(r"(- Xen lẫn.*?)(?=\nIII\.)", text, re.S).group(1)
    tasks = re.search(r"(1\. Trưởng các.*?)(?=\nTrên đây)", text, re.S).group(1)
    return (
        text.replace(topics, "\n".join([topics] * times))
        .replace(forms, "\n".join([forms] * times))
        .replace(tasks, "\n".join([tasks] * times))
    )


def setup_sqlite() -> None:
    use_sqlite(ROOT / "var" / "bench" / "plan_import.sqlite3", fresh=True)
    from loa.org import demo

    demo.load_demo(password="bench-only-password")  # noqa: S106 - a throw-away database


def author(db: str):
    """The agency the plans are saved into, and who saves them."""
    from loa.core.models import User
    from loa.org.models import Agency

    if db == "sqlite":
        return Agency.objects.get(name="Văn phòng UBND tỉnh Vĩnh Phúc"), User.objects.get(
            username="admin"
        )
    agency_id, user_id = next(iter(province.coordinators().items()))
    return Agency.objects.get(pk=agency_id), User.objects.get(pk=user_id)


def measure(label: str, text: str, rounds: int, agency, admin) -> None:
    from loa.plans import importing, services

    units = [u.name for u in agency.units.all()]
    parse_times, save_times = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        parsed = importing.parse(text, known_units=units)
        parsed_at = time.perf_counter()
        services.plan_create_from_parsed(actor=admin, agency=agency, parsed=parsed)
        saved_at = time.perf_counter()
        parse_times.append((parsed_at - started) * 1000)
        save_times.append((saved_at - parsed_at) * 1000)
    print(
        f"{label:28} {len(text) / 1024:8.0f} KB {len(parsed.tasks):6} tasks "
        f"read {statistics.median(parse_times):8.1f} ms  "
        f"save {statistics.median(save_times):8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    province.add_province_argument(parser)
    args = parser.parse_args()
    print(f"plan import benchmark on {machine()}")
    found = None
    if args.db == "sqlite":
        setup_sqlite()
    else:
        found = province.open_province(province.server_url(), args.province_db)
    try:
        from django.db import connection

        agency, admin = author(args.db)
        text = SAMPLE.read_text(encoding="utf-8")
        print(f"plan import, median of the rounds ({connection.vendor}, into {agency.name})")
        measure("the sample", text, 20, agency, admin)
        measure("10× the sample", big_plan(text, 10), 3, agency, admin)
        measure("100× the sample", big_plan(text, 100), 1, agency, admin)
    finally:
        if found is not None:
            print(f"afterwards: {province.restore(found['baseline'])}")
    print(f"load average {os.getloadavg()[0]:.1f} now")


if __name__ == "__main__":
    main()
