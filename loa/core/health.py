"""What /readyz and /metrics say about the installation: the database, Redis, the task queues
and their workers. Every check is cheap (an index or a Redis counter), as a load balancer and
Prometheus ask every few seconds."""

import dataclasses
import datetime
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    detail: str
    milliseconds: float = 0.0


@dataclasses.dataclass
class QueueState:
    """A task queue: how many tasks wait, how long the oldest has waited (seconds, 0 when none
    waits) and, where the backend keeps a registry of them (RQ), how many workers listen."""

    name: str
    depth: int
    oldest_seconds: float
    workers: int | None


def _timed(name: str, probe) -> Check:
    started = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as error:  # noqa: BLE001 - a failed dependency is an answer, not a crash
        ok, detail = False, f"{type(error).__name__}: {error}"[:300]
    return Check(name, ok, detail, round((time.perf_counter() - started) * 1000, 1))


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _redis() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "pong"


def uses_rq() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"


def queues() -> list[QueueState]:
    """Every queue Loa's tasks use, with what waits in it."""
    if uses_rq():
        return _rq_queues()
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return []  # the immediate or dummy backends of tests and benchmarks keep no queue
    return _database_queues()


def _database_queues() -> list[QueueState]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now, never = timezone.now(), get_date_max()
    # A task waits from when it was queued or, if it was told to run later (a retry's
    # backoff), from then; one whose time has not come yet is counted but does not wait.
    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .values("queue_name")
        .annotate(
            queued=Min("enqueued_at", filter=Q(run_after=never)),
            due=Min("run_after", filter=Q(run_after__lte=now)),
        )
        .order_by("queue_name")
    )
    states = []
    for row in rows.annotate(depth=Count("id")):
        since = min((t for t in (row["queued"], row["due"]) if t is not None), default=now)
        states.append(
            QueueState(row["queue_name"], row["depth"], (now - since).total_seconds(), None)
        )
    return states or [QueueState("default", 0, 0.0, None)]


def _rq_queues() -> list[QueueState]:
    import django_rq
    from rq import Worker

    states = []
    for name in settings.TASKS["default"].get("QUEUES", ["default"]):
        queue = django_rq.get_queue(name)
        oldest = 0.0
        first = queue.get_job_ids(0, 0)
        if first and (job := queue.fetch_job(first[0])) and job.enqueued_at:
            queued = job.enqueued_at.replace(tzinfo=datetime.UTC)
            oldest = max(0.0, (timezone.now() - queued).total_seconds())
        workers = Worker.count(connection=queue.connection, queue=queue)
        states.append(QueueState(name, queue.count, oldest, workers))
    return states


def readiness() -> tuple[bool, list[Check]]:
    """Ready when the database answers, Redis answers (if Loa uses it), and every queue has a
    worker: RQ's registry names them; the database queue has none, so a task that has waited
    longer than LOA_READY_MAX_WAIT_SECONDS says that no worker is taking them."""
    checks = [_timed("database", _database)]
    if settings.REDIS_URL:
        checks.append(_timed("redis", _redis))
    if checks[-1].ok and checks[0].ok:
        found: list[QueueState] = []

        def probe() -> str:
            found.extend(queues())
            return ", ".join(f"{q.name}: {q.depth}" for q in found) or "none"

        checks.append(_timed("queues", probe))
        limit = settings.LOA_READY_MAX_WAIT_SECONDS
        for queue in found:
            if queue.workers is not None:
                checks.append(
                    Check(f"workers:{queue.name}", queue.workers > 0, f"{queue.workers} listening")
                )
            waited = f"oldest task waiting {queue.oldest_seconds:.0f} s (limit {limit} s)"
            checks.append(Check(f"wait:{queue.name}", queue.oldest_seconds <= limit, waited))
    return all(c.ok for c in checks), checks
