"""The province: one PostgreSQL database at DESIGN.md's province scale, which every benchmark
on PostgreSQL reads (and writes its own rows into, removed again after it).

    python bench/province.py              # fills loa_bench_province afresh and keeps it
    python bench/province.py --check      # is it there and filled? its rows
    python bench/province.py --drop       # drops it

Steps, each timed (target: all of them in under 10 minutes on 2 cores): ~300 agencies of 10
units and their activity types, ~60,000 people (unit heads, a coordinator for each agency),
250,000 activities over five years with their attendance (~10 expected an activity, from the
organizing unit), 50 dispatches of this year per agency, each to the whole agency (3,000,000
deliveries, a fifth acknowledged), and 50,000 library documents (half with attachment text)
with their search index. The big tables are written with INSERT … SELECT in the database.

At the end a marker table, `bench_province`, records the sizes, the time and every table's
highest id. A benchmark that finds the marker uses the province as it is (`open_province`) and,
when it ends, deletes every row above those ids (`restore`), so runs are repeatable; one that
does not find it fills the province first.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
from throwaway import fresh_database, machine, server_connection, use_database  # noqa: E402

DB_NAME = "loa_bench_province"
MARKER = "bench_province"
LOCK = 60_000  # the advisory lock a benchmark holds on the province's name while it runs
YEARS = 5
FUTURE_DAYS = 90  # the five years end this far ahead: the calendar also shows what is planned
# Tables whose rows a benchmark's migrate may add and which restore() must leave alone.
KEEP = {"django_migrations", "django_content_type", "auth_permission", MARKER}

# Library documents: titles and attachment text from a small vocabulary, so that common words
# match thousands of documents.
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


def bulk_load(cursor) -> None:
    """For the rest of the transaction, no foreign-key checks (as `pg_restore
    --disable-triggers` loads): every row written comes from a join of rows that exist, and
    the checks of millions of rows would take longer than writing them. Needs a superuser;
    without one the checks stay."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")


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
        bulk_load(cursor)
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
        bulk_load(cursor)
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


def add_dispatches(per_agency: int, today) -> None:
    from django.db import connection, transaction

    from loa.org.models import Agency

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_load(cursor)
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
    step(f"{agencies * per_agency:,} dispatches, {deliveries:,} deliveries (INSERT … SELECT)",
         started)  # fmt: skip


def generate_documents(count: int) -> None:
    """`count` library documents, half with an attachment's text, and their search index."""
    from django.db import transaction

    from loa.library import search
    from loa.library.models import Attachment, Document
    from loa.library.services import code_key, issuer_key

    have = Document.objects.count()
    if have >= count:
        print(f"   {have:,} documents already there")
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
    started = step(f"{count - have:,} library documents (bulk_create)", started)
    indexed = search.rebuild_index()
    step(f"their search index, {indexed:,} documents (search.rebuild_index)", started)


# --- the province as one database that the benchmarks share --------------------------------


def coordinators() -> dict[int, int]:
    """{agency id: the user id of its coordinator}, as generate() made them."""
    from loa.org.models import Role, RoleAssignment

    held = RoleAssignment.objects.filter(
        role=Role.COORDINATOR,
        person__user__isnull=False,
        person__user__username__startswith="coordinator-",
    ).values_list("agency_id", "person__user_id")
    return dict(sorted(held))


def fill(args) -> None:
    """Every step of the province, each timed, then the marker with every table's highest id."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    began = time.perf_counter()
    generate(args, today)
    print("\ndispatches and library")
    add_dispatches(args.dispatches, today)
    generate_documents(args.documents)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    step("VACUUM ANALYZE of the whole database, CHECKPOINT", started)
    seconds = time.perf_counter() - began
    print(f"   {'the province in all':<58} {seconds:>6.1f} s")
    sizes = {k: getattr(args, k) for k in SIZES}
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER} (filled_at timestamptz NOT NULL, seconds float NOT NULL, "
            "sizes jsonb NOT NULL, baseline jsonb NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (now(), %s, %s, %s)",  # noqa: S608
            [seconds, json.dumps(sizes), json.dumps(highest_ids(cursor))],
        )


SIZES = ("agencies", "units_per_agency", "people", "activities", "attendance", "dispatches",
         "documents")  # fmt: skip


def highest_ids(cursor) -> dict[str, int]:
    """Every table's highest id (those with an integer id), but the ones migrate writes."""
    cursor.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'id' AND data_type IN ('integer', 'bigint') ORDER BY table_name"
    )
    tables = [t for (t,) in cursor.fetchall() if t not in KEEP]
    found = {}
    for table in tables:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        found[table] = cursor.fetchone()[0]
    return found


def marker(server: str, name: str) -> dict | None:
    """The marker of a filled province in database `name`, or None (no such database, or not
    filled to the end)."""
    import psycopg

    with server_connection(server) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    with server_connection(server, name) as conn:
        try:
            row = conn.execute(
                f"SELECT filled_at, seconds, sizes, baseline FROM {MARKER}"  # noqa: S608
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    if row is None:
        return None
    return dict(zip(("filled_at", "seconds", "sizes", "baseline"), row, strict=True))


def restore(baseline: dict[str, int]) -> str:
    """The province as the generator left it: every row a benchmark added deleted (ids above
    the baseline), people's accounts made since unlinked, and the sessions gone. One
    transaction; the foreign keys are checked at its end."""
    from django.db import connection, transaction

    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "UPDATE org_person SET user_id = NULL WHERE user_id > %s", [baseline["core_user"]]
        )
        for table, highest in baseline.items():
            cursor.execute(f'DELETE FROM "{table}" WHERE id > %s', [highest])  # noqa: S608
            if cursor.rowcount:
                deleted[table] = cursor.rowcount
        cursor.execute("DELETE FROM django_session")
    with connection.cursor() as cursor:
        for table in deleted:
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    if not deleted:
        return "nothing to remove"
    shown = ", ".join(f"{n:,} {t}" for t, n in sorted(deleted.items(), key=lambda i: -i[1]))
    return f"removed {shown}"


def open_province(server: str, name: str, **environment: str) -> dict:
    """Django set up on the filled province in `name` (with `environment`, as
    throwaway.fresh_database takes it), migrated, and restored to how the generator left it;
    the province filled first if it is not there. Returns the marker."""
    if not name.startswith("loa_bench_"):  # it may be dropped, filled and cleaned: never another
        raise SystemExit(f"the province's database must be named loa_bench_…, not {name}")
    found = marker(server, name)
    hold(server, name)
    if found is None:
        print(f"\nno filled province in {name}: filling it first (it is kept afterwards)")
        fresh_database(server, name, **environment)
        fill(argparse.Namespace(**DEFAULTS))
        found = marker(server, name)
    else:
        use_database(server, name, **environment)
    sizes = ", ".join(
        f"{k.replace('_', ' ')} {found['sizes'][k]:,}" for k in SIZES if k in found["sizes"]
    )
    print(
        f"province {name}, filled {found['filled_at']:%Y-%m-%d %H:%M} in "
        f"{found['seconds']:.0f} s ({sizes}); {restore(found['baseline'])}"
    )
    return found


_HELD = []


def hold(server: str, name: str) -> None:
    """One benchmark at a time on the province: the restore at each one's start and end would
    delete another's rows. A session lock on the name, held until this process ends."""
    conn = server_connection(server)
    if not conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [LOCK, name]).fetchone()[
        0
    ]:
        conn.close()
        raise SystemExit("another benchmark is running on the province; run them one at a time")
    _HELD.append(conn)


DEFAULTS = {"agencies": 300, "units_per_agency": 10, "people": 60_000, "activities": 250_000,
            "attendance": 10.0, "dispatches": 50, "documents": 50_000}  # fmt: skip


def add_province_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--province-db",
        default=DB_NAME,
        help="the filled province to run against (filled first, and kept, if it is not there)",
    )


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loa")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for key, value in DEFAULTS.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--db", default=DB_NAME, help="database name (loa_bench_… only)")
    parser.add_argument("--check", action="store_true", help="only say whether it is filled")
    parser.add_argument("--drop", action="store_true", help="drop the database")
    args = parser.parse_args()
    if not args.db.startswith("loa_bench_"):
        parser.error("the database's name must start with loa_bench_")
    server = server_url()
    if args.drop:
        drop_database(server, args.db)
        print(f"dropped {args.db}")
        return
    if args.check:
        found = marker(server, args.db)
        if found is None:
            print(f"{args.db}: not filled")
        else:
            sizes = {k: found["sizes"].get(k) for k in SIZES}
            print(
                f"{args.db}: filled {found['filled_at']:%Y-%m-%d %H:%M} in "
                f"{found['seconds']:.0f} s, {sizes}; {len(found['baseline'])} tables"
            )
        return
    print(f"province generator on {machine()}; database {args.db}, made afresh")
    fresh_database(server, args.db, ALLOWED_HOSTS="testserver,127.0.0.1")
    fill(args)
    counts_all()
    print(f"\nload average {os.getloadavg()[0]:.1f} now; the database is kept ({args.db})")


def drop_database(server: str, name: str) -> None:
    with server_connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def counts_all() -> None:
    """The rows of the steps after generate() (which prints its own)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM outreach_dispatch), (SELECT COUNT(*) FROM "
            "outreach_delivery), (SELECT COUNT(*) FROM library_document), (SELECT COUNT(*) FROM "
            "library_attachment), pg_size_pretty(pg_database_size(current_database()))"
        )
        dispatches, deliveries, documents, attachments, size = cursor.fetchone()
    print(
        f"\nrows: {dispatches:,} dispatches, {deliveries:,} deliveries; {documents:,} library "
        f"documents, {attachments:,} with attachment text; {size} on disk"
    )


if __name__ == "__main__":
    main()
