"""Scale benchmark: the reading page under rising concurrency, and a dispatch's fan-out
through one and two RQ workers, on the production setup on loopback.

    python bench/scale.py     # the province in loa_bench_province (--province-db),
                              # Redis db 8 (--redis-url) for the cache, sessions and the queue

Needs PostgreSQL, Redis, aiosmtpd and wrk (installed with apt-get if missing). Runs against the
province of bench/province.py (filled first if it is not there): 300 agencies, 60,000 people,
about half of them with an e-mail address. Prints:

1. the reading page, reverse("outreach:read", args=[pk]), under gunicorn (--web-workers sync
   workers, DB_CONN_MAX_AGE=60, Redis for the cache and the sessions, the RQ task backend,
   Prometheus' multiprocess directory, Loa's access log on, as deploy/ has them; without its
   --max-requests, so that no worker restarts in a step) and wrk on loopback at 1, 2, 4, 8,
   16, 32 connections (--steps), --duration seconds each:
   - GET: each request a different signed-in person reading their own delivery for the first
     time (the page records the open); the deliveries are of --get-dispatches dispatches to
     each whole agency of the province (and --post-dispatches for POST), frozen first;
   - POST: each request a signed-in person acknowledging a pending delivery of their own;
   throughput, p50/p95/p99 latency, answers that were not 2xx/3xx, the rows the database shows
   written by each step, and where each page saturates: the first step whose throughput rises
   less than 10 % over the previous step's while its p95 grows. The people signed in are plain
   staff (no role, not superusers), whose sign-in needs no second step; one request of each
   is made by hand first and checked in the database.
2. fan-out: a dispatch by e-mail to each whole agency of --fanout-agencies agencies (default
   50: ~10,000 people, ~5,000 with an address), sent at once, to an SMTP server on loopback in
   this process (aiosmtpd, answering at once, counting recipients), through real RQ workers
   (`loa rqworker --with-scheduler --job-class django_tasks_rq.Job default`): the time from
   the first dispatch_send to every message sent, with one worker and then with two (fresh
   dispatches each time, the RQ queue emptied before), messages per second and the speed-up;
   and whether every person with an address got exactly one e-mail in each run.

Everything the run writes is removed from the province at the end; Redis db 8 is emptied at
the start and at the end.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = ROOT / "var" / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]
import outreach  # noqa: E402 - after the path is set; the acknowledgement benchmark's helpers
import province  # noqa: E402
from throwaway import machine  # noqa: E402

STEPS = "1,2,4,8,16,32"
# The sign-in's "last seen" and "no second step owed" are trusted for five minutes
# (core.middleware.SEEN_EVERY, core.two_factor.RECHECK_SECONDS); after that every request
# would write its session, so the pages are measured within that time of signing in.
FRESH_SESSION_SECONDS = 5 * 60

# wrk's Lua for GET: like outreach.WRK_SCRIPT (the POST), each thread pre-formats its share of
# the (path, session) lines and sends them in turn, so every request is another person reading
# their own delivery; done() prints the same figures line.
GET_SCRIPT = (
    outreach.WRK_SETUP
    + r"""function init(args)
  local file, nthreads, session_cookie = args[1], tonumber(args[2]), args[3]
  requests_ = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local path, session = line:match("(%S+) (%S+)")
      requests_[#requests_ + 1] = wrk.format("GET", path, {
        ["Cookie"] = session_cookie .. "=" .. session,
      })
    end
    i = i + 1
  end
  next_ = 1
end

"""
    + outreach.WRK_RUN
)


# --- processes -----------------------------------------------------------------------------


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """`python -m <command>` in its own process group (to be stopped whole), output to `log`."""
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL if it is still there after 15 s."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(condition, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def get(port: int, path: str, session: str | None = None) -> tuple[int, str, bytes]:
    from django.conf import settings

    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"} if session else {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        answer = response.status, response.getheader("Location") or "", response.read()
        conn.close()
        return answer
    except OSError:
        return 0, "", b""


def start_web(workers: int) -> tuple[subprocess.Popen, int]:
    metrics = VAR / "scale-metrics"  # as loa-web.service: an empty directory at every start
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    port, log = outreach.free_port(), VAR / "scale-gunicorn.log"
    command = ["gunicorn", "loa.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "60", "--log-level", "warning"]
    server = start(command, env, log)
    if not wait_for(lambda: get(port, "/healthz")[0] == 200 or server.poll() is not None, 60):
        stop(server)
        raise RuntimeError(f"gunicorn did not answer /healthz in 60 s; see {log}")
    if server.poll() is not None:
        raise RuntimeError(f"gunicorn stopped; see {log}")
    return server, port


# --- the reading page under rising concurrency ---------------------------------------------


def check_plain_staff(user_ids: list[int]) -> str:
    """The people signed in hold no role and are not superusers, so their sign-in owes no
    second step (two-factor sign-in is required of chiefs, coordinators, publishers, admins)."""
    from loa.core import two_factor
    from loa.core.models import User
    from loa.org.models import RoleAssignment

    roles = RoleAssignment.objects.filter(person__user__in=user_ids).count()
    privileged = User.objects.filter(pk__in=user_ids, is_superuser=True).count()
    staff_flag = User.objects.filter(pk__in=user_ids, is_staff=True).count()
    sample = User.objects.filter(pk__in=[user_ids[0], user_ids[-1]])
    steps = {two_factor.step_for(user) for user in sample}
    if roles or privileged or staff_flag or steps != {""}:
        raise RuntimeError(
            f"the people signed in are not plain staff: {roles} roles, {privileged} superusers, "
            f"{staff_flag} with is_staff, second steps {steps}"
        )
    return f"{len(user_ids):,} plain staff signed in (no role, no superuser, no second step owed)"


def deliveries_for(admin, agencies, count: int, title: str) -> list[int]:
    """`count` inbox-only dispatches to each whole agency, sent and frozen here (the RQ jobs
    dispatch_send queues are dropped with the queue before the fan-out)."""
    from loa.outreach import services

    ids = []
    for index in range(count):
        for agency in agencies:
            dispatch = services.dispatch_create(
                actor=admin,
                agency=agency,
                title=f"{title} {index + 1}",
                audience={"whole_agency": True},
            )
            services.dispatch_send(actor=admin, dispatch=dispatch)
            services.dispatch_deliver(dispatch_id=dispatch.pk)
            ids.append(dispatch.pk)
    return ids


class Page:
    """One of the two requests measured: which deliveries it can still use and what it writes."""

    def __init__(self, method: str, dispatch_ids: list[int], signed_in: dict):
        from django.urls import reverse

        from loa.outreach.models import Delivery

        self.method, self.signed_in = method, signed_in
        self.label = "GET  reading page" if method == "GET" else "POST acknowledge"
        self.path = reverse("outreach:read", args=[987654321]).replace("987654321", "{}")
        everyone = Delivery.objects.filter(
            dispatch__in=dispatch_ids, person__user__in=list(signed_in)
        )
        unused = {"GET": {"opened_at__isnull": True}, "POST": {"acknowledged_at__isnull": True}}
        self.unused = everyone.filter(**unused[method])
        self.written = everyone.exclude(**unused[method])
        self.script = VAR / f"scale-{method.lower()}.lua"
        self.script.write_text(GET_SCRIPT if method == "GET" else outreach.WRK_SCRIPT)

    def lines(self) -> list[tuple[str, str, str]]:
        """The deliveries not used yet, person after person, dispatch after dispatch, so that
        consecutive requests come from different people."""
        rows = self.unused.order_by("dispatch_id", "person_id").values_list("id", "person__user_id")
        return [(self.path.format(pk), *self.signed_in[user]) for pk, user in rows]

    def by_hand(self, port: int) -> str:
        """One request before the load, and the database's word that it was recorded."""
        from loa.outreach.models import Delivery

        path, session, csrf = self.lines()[-1]
        pk = int(re.search(r"(\d+)/?$", path).group(1))
        if self.method == "GET":
            status, _location, body = get(port, path, session)
            answer, good = f"{status}, {len(body):,} bytes", status == 200
            recorded = Delivery.objects.filter(pk=pk, opened_at__isnull=False).exists()
        else:
            answer = outreach.try_one(port, (path, session, csrf))
            good = answer.startswith("302 ")
            recorded = Delivery.objects.filter(pk=pk, acknowledged_at__isnull=False).exists()
        if not (good and recorded):
            raise RuntimeError(
                f"{self.method} {path} answered {answer}, recorded: {recorded}; "
                f"see {VAR / 'scale-gunicorn.log'}"
            )
        return f"{self.method} {path} by hand: {answer}, recorded in the database"


def run_wrk(wrk: str, page: Page, port: int, connections: int, threads: int, duration: int):
    from django.conf import settings

    pool = page.lines()
    lines = outreach.write_lines(VAR / f"scale-{page.method.lower()}.txt", pool)
    threads = max(1, min(threads, connections))
    command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration}s"]
    command += ["--timeout", "10s", "-s", str(page.script), f"http://127.0.0.1:{port}/", "--"]
    command += [str(lines), str(threads), settings.SESSION_COOKIE_NAME]
    command += [settings.CSRF_COOKIE_NAME, f"http://127.0.0.1:{port}"]
    before = page.written.count()
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    found = re.search(r"^BENCH (.*)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    run = {k: int(float(v)) for k, v in (pair.split("=") for pair in found.group(1).split())}
    run["rows"], run["pool"], run["connections"] = (
        page.written.count() - before,
        len(pool),
        connections,
    )
    run["rate"] = run["requests"] / (run["duration_us"] / 1e6)
    return run


def saturation(runs: list[dict]) -> str:
    for before, run in zip(runs, runs[1:], strict=False):
        gain = run["rate"] / before["rate"] - 1
        if gain < 0.10 and run["p95_us"] > before["p95_us"]:
            return (
                f"saturates at -c {run['connections']}: {run['rate']:,.0f} req/s, "
                f"{gain * 100:+.0f} % over -c {before['connections']} while p95 went "
                f"{before['p95_us'] / 1000:.1f} → {run['p95_us'] / 1000:.1f} ms"
            )
    best = max(runs, key=lambda r: r["rate"])
    return (
        f"does not saturate within the steps (best {best['rate']:,.0f} req/s "
        f"at -c {best['connections']})"
    )


def measure_pages(agencies, admin, args) -> dict:
    from loa.outreach.models import Delivery

    wrk = outreach.ensure_wrk()
    if wrk is None:
        print("\n1. the reading page: SKIPPED — wrk is not installed and could not be installed")
        return {}
    started = time.perf_counter()
    get_ids = deliveries_for(admin, agencies, args.get_dispatches, "Đọc")
    post_ids = deliveries_for(admin, agencies, args.post_dispatches, "Xác nhận")
    frozen = time.perf_counter()
    signed_in = outreach.sign_in(args.accounts)
    signed_at, signing = time.monotonic(), time.perf_counter() - frozen
    outreach.settle()
    pages = [Page("GET", get_ids, signed_in), Page("POST", post_ids, signed_in)]
    print(
        f"\n1. the reading page under rising concurrency: gunicorn, {args.web_workers} sync "
        f"workers on 127.0.0.1, DB_CONN_MAX_AGE=60, Redis cache and sessions; wrk, "
        f"{args.duration} s a step after a 2 s warm-up at -c {args.web_workers}"
    )
    print(
        f"   {len(get_ids) + len(post_ids)} dispatches, each to a whole agency, frozen in "
        f"{frozen - started:.1f} s; {check_plain_staff(list(signed_in))}, in "
        f"{signing:.1f} s"
    )
    print(
        f"   {len(pages[0].lines()):,} unread deliveries for GET, "
        f"{len(pages[1].lines()):,} pending for POST"
    )
    server, port = start_web(args.web_workers)
    results = {}
    try:
        for page in pages:
            print(f"   {page.by_hand(port)}")
        for page in pages:
            run_wrk(wrk, page, port, args.web_workers, args.threads, 2)  # warm-up
            results[page.method] = [
                run_wrk(wrk, page, port, c, args.threads, args.duration) for c in args.steps
            ]
    finally:
        stop(server)
    late = time.monotonic() - signed_at > FRESH_SESSION_SECONDS
    print(
        f"   {'page':17} {'-c':>3} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'non-2xx/3xx':>11} {'socket err':>10} {'rows written':>12}"
    )
    for page in pages:
        for run in results[page.method]:
            print(
                f"   {page.label:17} {run['connections']:>3} {run['requests']:>9,} "
                f"{run['rate']:>7,.0f} {run['p50_us'] / 1000:>7.1f} {run['p95_us'] / 1000:>7.1f} "
                f"{run['p99_us'] / 1000:>7.1f} {run['status_errors']:>11,} "
                f"{run['socket_errors']:>10,} {run['rows']:>12,}"
            )
            if run["requests"] > run["pool"]:
                print(f"   note: more requests than unused deliveries ({run['pool']:,})")
    for page in pages:
        print(f"   {page.label}: {saturation(results[page.method])}")
    opened = Delivery.objects.filter(dispatch__in=get_ids, opened_at__isnull=False).count()
    acknowledged = Delivery.objects.filter(
        dispatch__in=post_ids, acknowledged_at__isnull=False
    ).count()
    served = {m: sum(r["requests"] for r in runs) for m, runs in results.items()}
    print(
        f"   the database shows {opened:,} deliveries opened (GET) and {acknowledged:,} "
        f"acknowledged (POST); wrk counted {served['GET']:,} and {served['POST']:,} requests "
        "in the steps, besides the warm-ups and the one by hand\n"
        "   rows written: what the database shows the step wrote; up to one a connection more "
        "than wrk counts, answered as it stopped"
    )
    if late:
        print("   note: more than 5 minutes after signing in: the last requests wrote sessions")
    return results


# --- fan-out through RQ workers ------------------------------------------------------------


class Sink:
    """An SMTP server's handler that takes every message at once and counts its recipients."""

    def __init__(self):
        self.recipients: Counter = Counter()
        self.first_at: float | None = None  # perf_counter() of the first and the last message
        self.last_at: float | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        with self.lock:
            self.recipients.update(envelope.rcpt_tos)
            self.last_at = time.perf_counter()
            self.first_at = self.first_at or self.last_at
        return "250 OK"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.recipients.values())

    def reset(self) -> Counter:
        with self.lock:
            taken, self.recipients = self.recipients, Counter()
            self.first_at = self.last_at = None
            return taken


def flush_queue(redis_conn) -> int:
    """The RQ queue emptied: every rq:* key (jobs, registries, workers that are gone)."""
    keys = list(redis_conn.scan_iter("rq:*"))
    if keys:
        redis_conn.delete(*keys)
    return len(keys)


def fan_out_once(agencies, admin, workers: int, sink: Sink, smtp_port: int, args) -> dict:
    import redis
    from django.db.models import Count, Max
    from django.utils import timezone
    from rq import Worker

    from loa.org.models import Person
    from loa.outreach import services
    from loa.outreach.models import Dispatch, DispatchStatus, Message

    conn = redis.Redis.from_url(args.redis_url)
    flush_queue(conn)
    sink.reset()
    env = {
        **os.environ,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
        "LOA_RETRY_BASE_SECONDS": "2",
    }
    command = ["loa", "rqworker", "--with-scheduler", "--job-class", "django_tasks_rq.Job"]
    processes = []
    result = {"workers": workers}
    try:
        for index in range(workers):
            name = ["--name", f"bench-scale-{workers}-{index + 1}", "default"]
            log = VAR / f"scale-worker-{workers}-{index + 1}.log"
            processes.append(start([*command, *name], env, log))
        if not wait_for(lambda: Worker.count(connection=conn) >= workers, 60):
            raise RuntimeError(f"{workers} RQ workers did not start in 60 s; see {VAR}")
        dispatches = [
            services.dispatch_create(
                actor=admin,
                agency=agency,
                title=f"Quán triệt Nghị quyết 76/NQ-CP ({workers} worker{'s' * (workers > 1)})",
                audience={"whole_agency": True},
                channels=["email"],
            )
            for agency in agencies
        ]
        # Everyone of these agencies with an address gets one e-mail.
        everyone = Person.objects.filter(agency__in=agencies, is_active=True).exclude(email="")
        people = everyone.count()
        timeout = args.fanout_timeout or max(300, people // 10)  # 10 messages a second at least
        # The times are the events' own (the SMTP server's clock, the messages' sent_at), not
        # the moments the polling below notices them.
        started, started_wall = time.perf_counter(), timezone.now()
        for dispatch in dispatches:
            services.dispatch_send(actor=admin, dispatch=dispatch)
        messages = Message.objects.filter(delivery__dispatch__in=dispatches)
        result["arrived"] = wait_for(lambda: sink.total >= people, timeout, 0.5)
        unsettled = messages.filter(state__in=[Message.State.PENDING, Message.State.SENDING])
        settled = wait_for(lambda: messages.exists() and not unsettled.exists(), 120, 0.5)
        result["settled"], result["timeout"] = result["arrived"] and settled, timeout
        result["seen"] = Worker.count(connection=conn)
        with sink.lock:
            first, last = sink.first_at or started, sink.last_at or started
        result["first_s"], result["sink_s"] = first - started, last - started
        last_sent = messages.aggregate(last=Max("sent_at"))["last"] or timezone.now()
        result["done_s"] = (last_sent - started_wall).total_seconds()
    finally:
        for process in processes:
            stop(process)
    statuses = set(
        Dispatch.objects.filter(pk__in=[d.pk for d in dispatches]).values_list("status", flat=True)
    )
    states = Counter(dict(messages.values_list("state").annotate(n=Count("id")).order_by()))
    addresses = set(everyone.values_list("email", flat=True))
    got = sink.reset()
    twice = sum(1 for n in got.values() if n > 1)
    result.update(
        people=people,
        dispatches=len(dispatches),
        status="/".join(sorted(statuses)),
        sent=states.get(Message.State.SENT, 0),
        failed=states.get(Message.State.FAILED, 0),
        left=states.get(Message.State.PENDING, 0) + states.get(Message.State.SENDING, 0),
        received=sum(got.values()),
        missing=len(addresses - set(got)),
        twice=twice,
        strangers=len(set(got) - addresses),
    )
    result["once"] = (
        result["missing"] == result["twice"] == result["strangers"] == 0
        and result["received"] == len(addresses) == people
        and statuses == {DispatchStatus.SENT}
    )
    return result


def measure_fan_out(agencies, admin, args) -> list[dict]:
    from aiosmtpd.controller import Controller

    sink, smtp_port = Sink(), outreach.free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    print(
        f"\n2. fan-out: {len(agencies)} dispatches by e-mail, each to a whole agency, sent at "
        f"once, through RQ workers on Redis, to an SMTP server on 127.0.0.1:{smtp_port} in "
        "this process (answers at once)"
    )
    runs = []
    try:
        for workers in args.fanout_workers:
            outreach.settle()
            runs.append(fan_out_once(agencies, admin, workers, sink, smtp_port, args))
    finally:
        controller.stop()
    print(
        f"   {'workers':>7} {'e-mails':>8} {'first e-mail':>12} {'all received':>12} "
        f"{'all sent':>9} {'msg/s':>7} {'speed-up':>8}  {'sent':>7} {'failed':>6} {'left':>5}  "
        "one e-mail each"
    )
    base = None
    for run in runs:
        rate = run["sent"] / run["done_s"]
        base = base or rate
        once = (
            "yes"
            if run["once"]
            else (
                f"NO: {run['missing']:,} missing, {run['twice']:,} twice, "
                f"{run['strangers']:,} strangers, dispatches {run['status']}"
            )
        )
        print(
            f"   {run['workers']:>7} {run['people']:>8,} {run['first_s']:>10.1f} s "
            f"{run['sink_s']:>10.1f} s {run['done_s']:>7.1f} s {rate:>7,.0f} {rate / base:>7.2f}×  "
            f"{run['sent']:>7,} {run['failed']:>6,} {run['left']:>5,}  {once}"
        )
        if not run["settled"]:
            print(f"   note: not every message was sent within {run['timeout']} s")
        if run["seen"] != run["workers"]:
            print(f"   note: Redis saw {run['seen']} workers at the end, not {run['workers']}")
    print(
        "   e-mails: people of those agencies with an address; from the first dispatch_send "
        "to: the first message at the SMTP server (the worker froze the "
        "deliveries and messages first), the last one there, the last message marked sent; "
        "msg/s: messages sent ÷ all sent"
    )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    province.add_province_argument(parser)
    parser.add_argument(
        "--fanout-agencies", type=int, default=50, help="agencies the fan-out's dispatches go to"
    )
    parser.add_argument("--accounts", type=int, default=10_000, help="people signed in")
    parser.add_argument(
        "--get-dispatches", type=int, default=1, help="to each agency: unread deliveries"
    )
    parser.add_argument(
        "--post-dispatches", type=int, default=2, help="to each agency: pending deliveries"
    )
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--steps", default=STEPS, help="wrk connections of each step")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (at most -c)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each step")
    parser.add_argument("--fanout-workers", default="1,2", help="RQ workers of each fan-out")
    parser.add_argument(
        "--fanout-timeout", type=int, help="seconds to wait (default: a tenth of the e-mails)"
    )
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/8",
        help="REDIS_URL (cache, sessions and the RQ queue); emptied first and at the end",
    )
    args = parser.parse_args()
    args.steps = [int(c) for c in args.steps.split(",")]
    args.fanout_workers = [int(n) for n in args.fanout_workers.split(",")]
    VAR.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    print(f"scale benchmark on {machine()}")
    found = province.open_province(
        province.server_url(),
        args.province_db,
        ALLOWED_HOSTS="127.0.0.1",
        DB_CONN_MAX_AGE="60",
        REDIS_URL=args.redis_url,
        TASKS_BACKEND="django_tasks_rq.RQBackend",
        STATIC_ROOT=str(VAR / "scale-static"),
        LOA_ACCESS_LOG="true",  # as deploy/ has it
    )
    from django.core.cache import cache

    try:
        from django.core.management import call_command

        from loa.org.models import Agency

        cache.clear()  # Redis db of the run: cache, sessions and queue from nothing
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
        print(f"static files collected in {time.perf_counter() - started:.1f} s")
        agencies = list(Agency.objects.order_by("id"))
        admin = outreach.sender()
        if not args.skip_pages:
            measure_pages(agencies, admin, args)
        if not args.skip_fanout:
            measure_fan_out(agencies[-args.fanout_agencies :], admin, args)
    finally:
        import redis

        flush_queue(redis.Redis.from_url(args.redis_url))  # no job left for a later worker
        print(f"\nafterwards: {province.restore(found['baseline'])}")
        cache.clear()
    load = os.getloadavg()[0]
    print(f"\nthe whole run took {time.perf_counter() - began:.0f} s; load average {load:.1f} now")


if __name__ == "__main__":
    main()
