"""Outreach benchmark: freezing the province's 60,000 people into deliveries, and acknowledging
under load.

    python bench/outreach.py     # the province in loa_bench_province (--province-db)

Needs PostgreSQL, and wrk for the second part (installed with apt-get if missing). Runs against
the province of bench/province.py (filled first if it is not there). A dispatch belongs to one
agency, so a document for everyone in the province is one dispatch per agency, each to its
whole agency: 300 dispatches, 60,000 people. Prints:

1. the time `dispatch_deliver` takes to freeze them, one dispatch after another, beside plain
   INSERT … SELECTs of the same rows, one an agency, each committed (the floor), median of
   three rounds, and their ratio (target ≤ 2×);
2. acknowledgements per second and p95 latency of the reading page's POST under gunicorn on
   loopback (3 sync workers, DB_CONN_MAX_AGE=60 as .env.example suggests, and the production
   profile's Redis for the cache and sessions: --redis-url, "" for none), beside a bare view
   doing one UPDATE of the same table (the floor), three runs of each in turn, and the ratio
   of the medians (target ≥ 40 % of the floor); the database says how many were recorded.

Everything the run writes (its dispatches, deliveries, accounts, sessions, audit rows) is
removed at the end, so the province is as the generator left it.
"""

import argparse
import datetime
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = ROOT / "var" / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]
import province  # noqa: E402 - after the path is set
from throwaway import machine  # noqa: E402

# wrk's Lua: each thread pre-formats its share of the (path, session, CSRF token) lines and
# sends them in turn, so every request acknowledges its own pending delivery; done() prints
# the figures, p95 included (wrk --latency does not print it).
# The parts every wrk script of the benches shares: threads numbered, requests sent in turn,
# the figures printed (bench/scale.py adds its own init() for GET).
WRK_SETUP = r"""
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

"""
WRK_RUN = r"""function request()
  local r = requests_[next_]
  next_ = next_ % #requests_ + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d status_errors=%d socket_errors=%d " ..
    "p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
WRK_SCRIPT = (
    WRK_SETUP
    + r"""function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  local session_cookie, csrf_cookie, origin = args[3], args[4], args[5]
  requests_ = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local path, session, csrf = line:match("(%S+) (%S+) (%S+)")
      requests_[#requests_ + 1] = wrk.format("POST", path, {
        ["Cookie"] = session_cookie .. "=" .. session .. "; " .. csrf_cookie .. "=" .. csrf,
        ["X-CSRFToken"] = csrf,
        ["Origin"] = origin,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, "comment=")
    end
    i = i + 1
  end
  next_ = 1
end

"""
    + WRK_RUN
)


def sender():
    """A superuser who sends for every agency (removed with the run's other rows)."""
    from loa.core.models import User

    return User.objects.create_superuser("bench-admin", "", "bench-only-password")


def floor_insert(dispatch_id: int, agency_id: int) -> tuple[int, float]:
    """The floor of freezing: one INSERT … SELECT of the same rows the service writes; returns
    the rows and the milliseconds of the commit. The column list comes from the model, so the
    floor follows it when fields are added."""
    from django.db import connection, transaction

    from loa.org.models import Person
    from loa.outreach.models import Delivery

    columns, values, params = [], [], []
    for field in Delivery._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.attname
        if name == "dispatch_id":
            value, param = "%s", [dispatch_id]
        elif name in ("person_id", "unit_id"):
            value, param = ("p.id" if name == "person_id" else "p.unit_id"), []
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value, param = "now()", []
        elif field.null:
            continue
        else:  # the model's default ("" for text): what a Delivery() would hold
            value, param = "%s", [field.get_db_prep_save(field.get_default(), connection)]
        columns.append(connection.ops.quote_name(field.column))
        values.append(value)
        params += param
    # Table and column names come from the model; the values are bound.
    sql = (
        f"INSERT INTO {Delivery._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {Person._meta.db_table} p "
        "WHERE p.agency_id = %s AND p.is_active ON CONFLICT DO NOTHING"
    )
    # Django's foreign keys are deferred: their checks (three a row) run at the commit, and
    # are a good part of the floor; the service's batches pay them the same way.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, agency_id])
        rows, executed = cursor.rowcount, time.perf_counter()
    return rows, (time.perf_counter() - executed) * 1000


def measure_freeze(agencies, admin, rounds: int) -> tuple[list[int], list[int]]:
    """Returns the ids of the dispatches the service and the floor filled."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loa.outreach import services

    print(
        f"\n1. freezing the province into deliveries (PostgreSQL): {len(agencies)} dispatches, "
        f"one an agency, each to its whole agency; {rounds} rounds"
    )
    print(
        f"{'round':>5} {'people':>8} {'dispatch_deliver':>17} {'INSERT … SELECT':>16} "
        f"{'(commits)':>13} {'ratio':>7}"
    )
    served, floored, service_ms, floor_ms, commit_ms = [], [], [], [], []
    for index in range(rounds):
        sent, targets = [], []
        for agency in agencies:
            dispatch = services.dispatch_create(
                actor=admin,
                agency=agency,
                title=f"Bench {index + 1}",
                audience={"whole_agency": True},
            )
            services.dispatch_send(actor=admin, dispatch=dispatch)  # the dummy queue runs nothing
            sent.append(dispatch.pk)
            target = services.dispatch_create(
                actor=admin,
                agency=agency,
                title=f"Floor {index + 1}",
                audience={"whole_agency": True},
            )
            targets.append((target.pk, agency.pk))
        settle()
        started, reached = time.perf_counter(), 0
        with CaptureQueriesContext(connection) as captured:  # the first dispatch's queries
            reached += services.dispatch_deliver(dispatch_id=sent[0])
        queries = len(captured)
        for dispatch_id in sent[1:]:
            reached += services.dispatch_deliver(dispatch_id=dispatch_id)
        service_ms.append((time.perf_counter() - started) * 1000)
        served += sent

        started, inserted, commit = time.perf_counter(), 0, 0.0
        for target_id, agency_id in targets:
            rows, committed = floor_insert(target_id, agency_id)
            inserted, commit = inserted + rows, commit + committed
        floor_ms.append((time.perf_counter() - started) * 1000)
        commit_ms.append(commit)
        floored += [target_id for target_id, _agency_id in targets]
        if inserted != reached:
            print(f"  note: the service reached {reached} people, the floor inserted {inserted}")
        print(
            f"{index + 1:>5} {reached:>8,} {service_ms[-1]:>14.0f} ms {floor_ms[-1]:>13.0f} ms "
            f"{commit:>10.0f} ms {service_ms[-1] / floor_ms[-1]:>6.1f}×"
        )
    service, floor = statistics.median(service_ms), statistics.median(floor_ms)
    print(
        f"{'median':>5} {'':>8} {service:>14.0f} ms {floor:>13.0f} ms "
        f"{statistics.median(commit_ms):>10.0f} ms {service / floor:>6.1f}×   (target ≤ 2×)\n"
        f"      a dispatch: {service / len(agencies):.1f} ms and {queries} queries, its floor "
        f"{floor / len(agencies):.1f} ms and one INSERT … SELECT"
    )
    return served, floored


def settle() -> None:
    """Vacuum what was just written and checkpoint, so that neither autovacuum nor a
    checkpoint lands in the middle of a measurement."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    from loa.core.models import User
    from loa.org.models import Person
    from loa.outreach.models import Delivery

    with connection.cursor() as cursor:
        for model in (Person, Delivery, User, Session):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        cursor.execute("CHECKPOINT")


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    print("\nwrk is not installed; trying apt-get install wrk …")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode:  # noqa: S603
        subprocess.run([*prefix, "apt-get", "update", "-qq"], env=env, check=False)  # noqa: S603
        subprocess.run(install, env=env, check=False)  # noqa: S603
    return shutil.which("wrk")


def sign_in(count: int) -> dict[int, tuple[str, str]]:
    """Accounts for the first `count` people who have none and hold no role (plain staff,
    whose sign-in owes no second step), each signed in: {user id: (session key, CSRF token)}.
    Sessions are written in bulk the way Django's login would write them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from loa.core.middleware import SEEN_KEY
    from loa.core.models import User
    from loa.core.two_factor import CHECKED_KEY
    from loa.org.models import Person

    plain = Person.objects.filter(user__isnull=True, roles__isnull=True, is_active=True)
    people = list(plain.order_by("id")[:count])
    users = User.objects.bulk_create(
        User(username=f"bench-{p.pk}", password=make_password(None)) for p in people
    )
    for person, user in zip(people, users, strict=True):
        person.user = user
    Person.objects.bulk_update(people, ["user"], batch_size=2000)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    expire = timezone.now() + datetime.timedelta(days=1)
    store = SessionStore()
    sessions, signed_in = [], {}
    now = int(time.time())
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            # What Loa's sign-in adds (core.middleware.session_started): last seen now, and no
            # second step owed (staff without a role that requires two-factor sign-in).
            SEEN_KEY: now,
            CHECKED_KEY: now,
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        signed_in[user.pk] = (key, get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS))
    Session.objects.bulk_create(sessions, batch_size=2000)
    if settings.SESSION_ENGINE.endswith("cached_db"):  # people who are using Loa right now
        from django.contrib.sessions.backends.cached_db import SessionStore as CachedStore

        for session in sessions:
            CachedStore(session.session_key).load()
    return signed_in


def write_lines(path: Path, lines: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(f"{p} {s} {c}\n" for p, s, c in lines))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)])}
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "loa.wsgi:application", "--chdir", str(ROOT)]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline, probe = time.monotonic() + 30, f"http://127.0.0.1:{port}/bench/ack-floor/0/"
    while time.monotonic() < deadline:
        try:  # the floor answers GET with 405 once Django is loaded
            urllib.request.urlopen(probe, timeout=2)  # noqa: S310 - our server on loopback
        except urllib.error.HTTPError:
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start; see {log}")


def try_one(port: int, line: tuple[str, str, str]) -> str:
    """One acknowledgement by hand, before the load: what the server answers."""
    from django.conf import settings

    path, session, csrf = line
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
    conn.request(
        "POST",
        path,
        body="comment=",
        headers={
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "Origin": f"http://127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    conn.close()
    return f"{response.status} → {response.getheader('Location')}"


def run_wrk(wrk: str, port: int, lines: Path, args, duration: int) -> dict[str, float]:
    from django.conf import settings

    script = VAR / "outreach.lua"
    script.write_text(WRK_SCRIPT)
    command = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration}s"]
    command += ["--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/", "--"]
    command += [str(lines), str(args.threads), settings.SESSION_COOKIE_NAME]
    command += [settings.CSRF_COOKIE_NAME, f"http://127.0.0.1:{port}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    found = re.search(r"^BENCH (.*)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    return {k: int(float(v)) for k, v in (pair.split("=") for pair in found.group(1).split())}


def measure_acknowledge(served: list[int], floored: list[int], args) -> None:
    from django.urls import reverse

    from loa.outreach.models import Delivery

    wrk = ensure_wrk()
    if wrk is None:
        print(
            "\n2. acknowledging under load: SKIPPED — wrk is not installed and could not be "
            "installed (apt-get install wrk, as root)."
        )
        return
    signed_in = sign_in(args.accounts)
    settle()
    # Each signed-in person's pending deliveries, taken person after person, dispatch after
    # dispatch, so consecutive requests come from different people.
    pending = Delivery.objects.filter(
        dispatch__in=served, person__user__in=list(signed_in), acknowledged_at__isnull=True
    ).order_by("dispatch_id", "person_id")
    pending_ids = list(pending.values_list("id", "person__user_id"))
    real = [(reverse("outreach:read", args=[pk]), *signed_in[user]) for pk, user in pending_ids]
    probe = pending_ids[-1][0]  # the warm-up's last delivery, acknowledged by hand first
    sessions = list(signed_in.values())
    floor_ids = Delivery.objects.filter(dispatch__in=floored).order_by("id")
    floor = [
        (reverse("bench_ack_floor", args=[pk]), *sessions[i % len(sessions)])
        for i, pk in enumerate(floor_ids.values_list("id", flat=True))
    ]
    # The warm-up takes its deliveries from the end; each measured run has its own slice.
    warm, pairs = args.warmup_requests, args.pairs
    warm_files = [
        write_lines(VAR / f"outreach-{name}-warm.txt", lines[-warm:])
        for name, lines in (("floor", floor), ("ack", real))
    ]
    slices = {"floor": floor[:-warm], "ack": real[:-warm]}
    slices = {k: [v[i::pairs] for i in range(pairs)] for k, v in slices.items()}
    port, log = free_port(), VAR / "outreach-gunicorn.log"
    print(
        f"\n2. acknowledging under load: gunicorn, {args.workers} sync workers on 127.0.0.1, "
        f"DB_CONN_MAX_AGE={args.conn_max_age}; wrk -t{args.threads} -c{args.connections}; "
        f"{pairs} runs of {args.duration} s each, floor and endpoint in turn; "
        f"{len(signed_in):,} people signed in, {len(real) - warm:,} pending deliveries"
    )
    server = start_gunicorn(port, args.workers, log)
    runs: dict[str, list[dict[str, float]]] = {"floor": [], "ack": []}
    try:
        answer = try_one(port, real[-1])
        if not Delivery.objects.filter(pk=probe, acknowledged_at__isnull=False).exists():
            print(f"   the acknowledge endpoint answered {answer} but recorded nothing; see {log}")
            return
        print(f"   one acknowledgement by hand: {answer}")
        for lines in warm_files:
            run_wrk(wrk, port, lines, args, 2)
        # The database counts what each run really wrote: opened (floor) or acknowledged.
        written = {
            "floor": Delivery.objects.filter(dispatch__in=floored, opened_at__isnull=False),
            "ack": Delivery.objects.filter(acknowledged_at__isnull=False),
        }
        for index in range(pairs):
            for name in ("floor", "ack"):
                lines = write_lines(VAR / f"outreach-{name}.txt", slices[name][index])
                before = written[name].count()
                run = run_wrk(wrk, port, lines, args, args.duration)
                run["rows"] = written[name].count() - before
                run["pool"] = len(slices[name][index])
                runs[name].append(run)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"   {'endpoint':30} {'run':>3} {'requests':>9} {'req/s':>7} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'non-2xx/3xx':>11} {'socket err':>10} {'rows written':>12}"
    )
    rates, p95s = {}, {}
    for name, label in (("floor", "floor: one UPDATE"), ("ack", "acknowledge (POST inbox/<pk>/)")):
        for index, run in enumerate(runs[name]):
            run["rate"] = run["requests"] / (run["duration_us"] / 1e6)
            print(
                f"   {label:30} {index + 1:>3} {run['requests']:>9,} {run['rate']:>7,.0f} "
                f"{run['p50_us'] / 1000:>7.1f} {run['p95_us'] / 1000:>7.1f} "
                f"{run['p99_us'] / 1000:>7.1f} {run['status_errors']:>11,} "
                f"{run['socket_errors']:>10,} {run['rows']:>12,}"
            )
            if run["requests"] > run["pool"]:
                print(f"   note: more requests than deliveries in the run ({run['pool']:,})")
        rates[name] = statistics.median(r["rate"] for r in runs[name])
        p95s[name] = statistics.median(r["p95_us"] for r in runs[name]) / 1000
        print(f"   {label:30} {'median':>13} {rates[name]:>7,.0f} {'':>7} {p95s[name]:>7.1f}")
    print(
        f"   the acknowledge endpoint reaches {100 * rates['ack'] / rates['floor']:.0f} % of the "
        "floor (target ≥ 40 %)\n"
        "   rows written: deliveries the database shows opened (floor) or acknowledged "
        "(endpoint) by the run; up to one a connection more than wrk counts, answered as it "
        "stopped"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    province.add_province_argument(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=10_000, help="people signed in")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--connections",
        type=int,
        help="wrk connections (default: one a worker, as a sync worker serves one at a time)",
    )
    parser.add_argument("--pairs", type=int, default=3, help="wrk runs of each endpoint")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--warmup-requests", type=int, default=2000)
    parser.add_argument(  # .env.example's value; Loa's default, 0, connects every request
        "--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE of the server"
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/8",
        help="REDIS_URL of the server (cache and sessions); emptied first and at the end",
    )
    args = parser.parse_args()
    args.connections = args.connections or args.workers
    VAR.mkdir(parents=True, exist_ok=True)
    print(f"outreach benchmark on {machine()}")
    found = province.open_province(
        province.server_url(),
        args.province_db,
        DJANGO_SETTINGS_MODULE="outreach_settings",
        ALLOWED_HOSTS="127.0.0.1",
        DB_CONN_MAX_AGE=str(args.conn_max_age),
        REDIS_URL=args.redis_url,
    )
    from django.core.cache import cache

    if args.redis_url:
        cache.clear()
    try:
        from loa.org.models import Agency

        agencies = list(Agency.objects.order_by("id"))
        served, floored = measure_freeze(agencies, sender(), args.rounds)
        measure_acknowledge(served, floored, args)
    finally:
        print(f"\nafterwards: {province.restore(found['baseline'])}")
        if args.redis_url:
            cache.clear()
        print(f"load average {os.getloadavg()[0]:.1f} now")


if __name__ == "__main__":
    main()
