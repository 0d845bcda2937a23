"""What Loa tells its operators while it runs: a request id on every request and log line,
logs as one JSON object a line, and Prometheus metrics (requests, task queues, deliveries).

With several gunicorn processes, PROMETHEUS_MULTIPROC_DIR (an empty directory, emptied at
each start; docs/operations.md) lets any one process answer /metrics for all of them."""

import contextvars
import datetime
import json
import logging
import os
import re
import time
import traceback
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# nginx's $request_id is 32 hex digits; anything else a client sends is replaced, so a log line
# can't be forged or bloated through the header.
_GOOD_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

REQUESTS = Counter(
    "loa_http_requests_total", "HTTP requests answered", ["method", "view", "status"]
)
LATENCY = Histogram(
    "loa_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
access_log = logging.getLogger("loa.access")


class RequestTelemetryMiddleware:
    """First in the chain: names the request, times it, counts it, and logs one access line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            started = time.perf_counter()
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match and match.view_name else "unmatched"
            REQUESTS.labels(request.method, view, str(response.status_code)).inc()
            LATENCY.labels(view).observe(seconds)
            response["X-Request-ID"] = rid
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,  # never the query string: it may carry a signed link
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "view": view,
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class TaskArgumentsFilter(logging.Filter):
    """RQ's worker logs each job as its call, arguments and all ("send_email(to=['…'],
    body='…')"): e-mail addresses, message bodies, citizens' answers. Keep the function's name
    only (Decree 13: no personal data in logs)."""

    _CALL = re.compile(r"([\w.]+)\(.*\)", re.DOTALL)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._CALL.sub(r"\1(…)", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        elif isinstance(record.msg, str) and not record.args:
            record.msg = self._CALL.sub(r"\1(…)", record.msg)
        return True


# The fields of a record worth a key of their own; everything else a record carries (Django
# attaches the request object to its error records) is left out, so no cookie, header or form
# value reaches the log.
_EXTRA = ("method", "path", "status", "duration_ms", "view", "user_id", "task", "dispatch")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": timezone.localtime(
                datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            ).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := getattr(record, "request_id", ""):
            entry["request_id"] = rid
        for key in _EXTRA:
            if (value := getattr(record, key, None)) is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class StateCollector:
    """Gauges read at scrape time from the database and the queues, kept for
    LOA_METRICS_CACHE_SECONDS so that a busy Prometheus doesn't count 3 million deliveries
    every few seconds."""

    def collect(self):
        from loa.core import health

        states = cache.get("loa:metrics:state")
        if states is None:
            states = {"queues": [vars(q) for q in health.queues()], "deliveries": _deliveries()}
            cache.set("loa:metrics:state", states, settings.LOA_METRICS_CACHE_SECONDS)
        depth = GaugeMetricFamily("loa_task_queue_depth", "Tasks waiting", labels=["queue"])
        wait = GaugeMetricFamily(
            "loa_task_oldest_wait_seconds",
            "How long the oldest waiting task has waited",
            labels=["queue"],
        )
        workers = GaugeMetricFamily(
            "loa_task_workers", "Workers listening (RQ only)", labels=["queue"]
        )
        for queue in states["queues"]:
            depth.add_metric([queue["name"]], queue["depth"])
            wait.add_metric([queue["name"]], queue["oldest_seconds"])
            if queue["workers"] is not None:
                workers.add_metric([queue["name"]], queue["workers"])
        deliveries = GaugeMetricFamily(
            "loa_deliveries", "Deliveries of dispatches by state", labels=["state"]
        )
        messages = GaugeMetricFamily(
            "loa_messages",
            "Messages of deliveries by channel and state",
            labels=["channel", "state"],
        )
        for state, count in states["deliveries"]["deliveries"].items():
            deliveries.add_metric([state], count)
        for channel, state, count in states["deliveries"]["messages"]:
            messages.add_metric([channel, state], count)
        yield from (depth, wait, workers, deliveries, messages)


def _deliveries() -> dict:
    from loa.outreach import queries

    return queries.delivery_states()


def metrics_page() -> tuple[bytes, str]:
    """The exposition text: the request metrics of every process, then the state gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    state = CollectorRegistry()
    state.register(StateCollector())
    return generate_latest(requests) + generate_latest(state), CONTENT_TYPE_LATEST
