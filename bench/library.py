"""Library benchmark: search latency over 50,000 documents, and the citation finder's speed.

    python bench/library.py --db postgres    # the province's 50,000 documents, loa_bench_province
    python bench/library.py --db sqlite      # a SQLite file under var/bench/, same generator

Prints p50/p95 search latency for ten typical queries (the target is p95 ≤ 50 ms on
PostgreSQL) and the citation finder's throughput in MB/s of text. On PostgreSQL it reads the
province of bench/province.py (--province-db; filled first if it is not there), whose library
is these 50,000 documents; on SQLite the same generator (province.generate_documents) fills a
file of its own, kept for the next run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
import province  # noqa: E402 - after the path is set
from throwaway import machine, use_sqlite  # noqa: E402

QUERIES = [
    "nghi quyet 76",
    "cải cách hành chính",
    "van hoa cong vu",
    "đẩy mạnh",
    "day manh chuyen doi so",
    "ke hoach tuyen truyen 2023",
    "QĐ-UBND",
    "một cửa liên thông",
    "thu tuc hanh chinh",
    "chi so PAR INDEX",
]


def setup_sqlite() -> None:
    use_sqlite(ROOT / "var" / "bench" / "library.sqlite3")  # kept for the next run


def measure_search(rounds: int) -> None:
    from django.db import connection, reset_queries

    from loa.core.paginator import CappedPaginator
    from loa.library.models import Document
    from loa.library.search import search

    print(
        f"\nsearch on {connection.vendor}, {Document.objects.count()} documents, "
        f"first page of 20, {rounds} rounds per query"
    )
    print(f"{'query':32} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8}   (hits stop counting at 1001)")
    all_times = []
    for query in QUERIES:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            # What the search page does: the first page, and a count capped at 1,000.
            paginator = CappedPaginator(search(Document.objects.all(), query), 20)
            list(paginator.page(1).object_list)
            hits = paginator.count
            times.append((time.perf_counter() - started) * 1000)
            reset_queries()
        times.sort()
        all_times.extend(times)
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{query:32} {hits:>7} {statistics.median(times):>8.1f} {p95:>8.1f}")
    all_times.sort()
    print(
        f"{'all queries':32} {'':>7} {statistics.median(all_times):>8.1f} "
        f"{all_times[int(len(all_times) * 0.95) - 1]:>8.1f}"
    )


def measure_citations() -> None:
    from loa.library.citations import find_citations

    sample = ROOT / "loa/library/fixtures/kh-tuyen-truyen-cchc-2023-vp-ubnd-vinh-phuc.txt"
    text = sample.read_text(encoding="utf-8") * 400
    size_mb = len(text.encode()) / 1024 / 1024
    started = time.perf_counter()
    found = find_citations(text)
    elapsed = time.perf_counter() - started
    print(
        f"\ncitation finder: {size_mb:.1f} MB of plan text, {len(found)} citations, "
        f"{elapsed:.2f} s → {size_mb / elapsed:.1f} MB/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--documents", type=int, default=50_000, help="SQLite's documents")
    parser.add_argument("--rounds", type=int, default=20)
    province.add_province_argument(parser)
    args = parser.parse_args()
    print(f"library benchmark on {machine()}")
    if args.db == "sqlite":
        setup_sqlite()
        province.generate_documents(args.documents)
        measure_search(args.rounds)
    else:
        found = province.open_province(province.server_url(), args.province_db)
        try:
            measure_search(args.rounds)
        finally:
            print(f"afterwards: {province.restore(found['baseline'])}")
    measure_citations()
    print(f"load average {os.getloadavg()[0]:.1f} now")


if __name__ == "__main__":
    main()
