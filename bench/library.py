"""Library benchmark: search latency over 50,000 documents, and the citation finder's speed.

    python bench/library.py --db sqlite      # a throw-away SQLite file under var/bench/
    python bench/library.py --db postgres    # database loa_bench on TEST_DATABASE_URL's server

Prints p50/p95 search latency for ten typical queries (the target is p95 ≤ 50 ms on
PostgreSQL) and the citation finder's throughput in MB/s of text.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
WORDS = (
    "cải cách hành chính nhà nước thủ tục một cửa liên thông văn hoá công vụ chuyển đổi số "
    "chính quyền điện tử đẩy mạnh nâng cao hiệu quả tuyên truyền phổ biến pháp luật cán bộ "
    "công chức viên chức kỷ luật kỷ cương chỉ số hài lòng người dân doanh nghiệp môi trường "
    "đầu tư kinh doanh năng lực cạnh tranh kiểm soát tổ chức bộ máy tinh giản biên chế tài "
    "chính công dịch vụ trực tuyến cổng thông tin điện tử giai đoạn định hướng đề án kế hoạch "
    "triển khai thực hiện phê duyệt ban hành quy định hướng dẫn sơ kết tổng kết đánh giá"
).split()
TYPES = [
    ("decision", "QĐ"),
    ("plan", "KH"),
    ("official_letter", None),
    ("report", "BC"),
    ("directive", "CT"),
    ("resolution", "NQ"),
    ("notice", "TB"),
    ("guidance", "HD"),
]
ISSUERS = [
    ("UBND tỉnh {}", "UBND"),
    ("Sở Nội vụ tỉnh {}", "SNV"),
    ("Chính phủ", "CP"),
    ("Văn phòng UBND tỉnh {}", "VP"),
    ("Bộ Nội vụ", "BNV"),
]
PROVINCES = ["Vĩnh Phúc", "Phú Thọ", "Hòa Bình", "Bắc Ninh", "Thái Nguyên", "Hà Giang"]


def setup(db: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["LOA_DEBUG"] = "false"
    os.environ["LOA_HTTPS"] = "false"
    if db == "sqlite":
        path = ROOT / "var" / "bench" / "library.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import dj_database_url
        import psycopg

        server = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loa")
        conf = dj_database_url.parse(server)
        with psycopg.connect(
            host=conf["HOST"],
            port=conf["PORT"] or 5432,
            user=conf["USER"],
            password=conf["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname='loa_bench'").fetchone()
            if not exists:
                conn.execute("CREATE DATABASE loa_bench")
        os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/loa_bench"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(count: int) -> None:
    from django.db import transaction

    from loa.library import search
    from loa.library.models import Attachment, Document
    from loa.library.services import code_key, issuer_key

    have = Document.objects.count()
    if have >= count:
        print(f"{have} documents already there")
        return
    rng = random.Random(50_000)
    started = time.perf_counter()
    batch: list[Document] = []
    bodies: dict[int, str] = {}
    for index in range(have, count):
        doc_type, type_code = rng.choice(TYPES)
        issuer_pattern, issuer_code = rng.choice(ISSUERS)
        issuer = issuer_pattern.format(rng.choice(PROVINCES))
        year = rng.randint(2015, 2025)
        number = index + 1
        symbol = f"{type_code}-{issuer_code}" if type_code else f"{issuer_code}-VP"
        code = f"{number}/{symbol}"
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        document = Document(
            doc_type=doc_type,
            code=code,
            number=str(number),
            symbol=symbol,
            issued_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            issuer=issuer,
            title=title,
            code_key=code_key(code),
            issuer_key=issuer_key(issuer),
            issued_year=year,
        )
        batch.append(document)
        if rng.random() < 0.5:
            bodies[len(batch) - 1] = " ".join(rng.choice(WORDS) for _ in range(120))
        if len(batch) == 2000 or index == count - 1:
            with transaction.atomic():
                created = Document.objects.bulk_create(batch)
                Attachment.objects.bulk_create(
                    Attachment(
                        document=created[i],
                        name="van-ban.docx",
                        size=1,
                        sha256="0",
                        kind="docx",
                        text=body,
                        status="done",
                    )
                    for i, body in bodies.items()
                )
            batch, bodies = [], {}
            print(f"  {index + 1 - have} documents written", end="\r", flush=True)
    print()
    indexed = search.rebuild_index()
    print(f"generated and indexed {indexed} documents in {time.perf_counter() - started:.0f} s")


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
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    setup(args.db)
    generate(args.documents)
    measure_search(args.rounds)
    measure_citations()


if __name__ == "__main__":
    main()
