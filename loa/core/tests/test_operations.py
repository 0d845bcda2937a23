"""What an operator asks of a running Loa: is it alive, is it ready, what is it doing (metrics),
and what happened (logs with request ids, and no secret in them)."""

import datetime
import io
import json
import logging
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from loa.core.telemetry import JsonFormatter, RequestIdFilter
from loa.outreach import services as outreach
from loa.outreach.tests.test_dispatch import make_dispatch, send

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_healthz_answers_anyone_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:healthz"))
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_no_task_waits_too_long(client, settings):
    settings.TASKS = DATABASE_QUEUE
    settings.REDIS_URL = ""
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert [c["name"] for c in body["checks"]] == ["database", "queues", "wait:default"]


@pytest.mark.django_db
def test_readyz_fails_when_a_task_has_waited_longer_than_a_worker_would_let_it(
    client, settings, world, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE
    settings.REDIS_URL = ""
    settings.LOA_READY_MAX_WAIT_SECONDS = 300
    dispatch = make_dispatch(world)
    with django_capture_on_commit_callbacks(execute=True):  # queued, and no worker runs
        outreach.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
    waiting = DBTaskResult.objects.get()
    assert client.get(reverse("core:readyz")).status_code == 200  # just queued: fine

    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 503
    failing = [c for c in response.json()["checks"] if not c["ok"]]
    assert [c["name"] for c in failing] == ["wait:default"]
    assert "oldest task waiting 600 s" in failing[0]["detail"]


@pytest.mark.django_db
def test_readyz_fails_while_no_rq_worker_listens_and_recovers_when_one_does(client, settings):
    import os

    import redis
    from rq import Worker

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7").rsplit("/", 1)[0] + "/10"
    try:
        connection = redis.Redis.from_url(url)
        connection.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {url}")
    connection.flushdb()
    settings.REDIS_URL = url
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    try:
        response = client.get(reverse("core:readyz"))
        assert response.status_code == 503
        failing = {c["name"]: c["detail"] for c in response.json()["checks"] if not c["ok"]}
        assert failing == {"workers:default": "0 listening"}
        worker = Worker(["default"], connection=connection, name="loa-test-worker")
        worker.register_birth()  # what a starting worker writes in Redis
        assert client.get(reverse("core:readyz")).status_code == 200
        worker.register_death()
    finally:
        connection.flushdb()


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis_without_telling_its_address(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 503
    checks = {c["name"]: c for c in response.json()["checks"]}
    assert checks["database"]["ok"] and not checks["redis"]["ok"]
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_metrics_need_the_configured_token(client, settings):
    url = reverse("core:metrics")
    settings.LOA_METRICS_TOKEN = ""
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ").status_code == 404  # none configured
    settings.LOA_METRICS_TOKEN = "scraper-secret"
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer scraper-secret").status_code == 200


def test_metrics_count_requests_deliveries_and_waiting_tasks(
    client, client_for, settings, world, django_capture_on_commit_callbacks
):
    from loa.org import services as org

    settings.LOA_METRICS_TOKEN = "scraper-secret"
    org.person_update(actor=world.admin, person=world.staff_a, email="dunglt@vp.gov.vn")
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    delivery = dispatch.deliveries.get(person=world.staff_a)
    staff = client_for(world.staff_a.user)
    staff.post(reverse("outreach:read", args=[delivery.pk]), {"comment": ""})
    sent = dispatch.deliveries.count()

    settings.TASKS = DATABASE_QUEUE  # one task queued and waiting
    with django_capture_on_commit_callbacks(execute=True):
        outreach.dispatch_send(actor=world.coordinator.user, dispatch=make_dispatch(world))

    # Scraped two minutes later: the waiting task's wait is the queue's latency.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        page = client.get(reverse("core:metrics"), HTTP_AUTHORIZATION="Bearer scraper-secret")
    text = page.content.decode()
    waited = re.search(r'loa_task_oldest_wait_seconds\{queue="default"\} ([0-9.]+)', text)
    assert waited and 110 <= float(waited.group(1)) <= 600
    assert 'loa_http_requests_total{method="POST",status="302",view="outreach:read"}' in text
    assert f'loa_deliveries{{state="sent"}} {float(sent)}' in text
    assert 'loa_deliveries{state="acknowledged"} 1.0' in text
    assert 'loa_task_queue_depth{queue="default"} 1.0' in text
    assert 'loa_messages{channel="email",state="sent"} 1.0' in text


def _log_lines(logger_name: str):
    """A JSON handler on one logger, as production has on the console."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    return stream, lambda: logger.removeHandler(handler)


@pytest.mark.django_db
def test_every_request_is_logged_as_json_with_the_id_it_answers_with(client):
    stream, done = _log_lines("loa.access")
    try:
        response = client.get(reverse("login"), HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
        forged = client.get(reverse("login"), HTTP_X_REQUEST_ID="x" * 500 + "\n")
    finally:
        done()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert response["X-Request-ID"] == first["request_id"] == "nginx-0123456789abcdef"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/accounts/login/", 200)
    assert forged["X-Request-ID"] == second["request_id"] and len(second["request_id"]) == 32


@pytest.mark.django_db
def test_a_failing_request_logs_its_error_but_no_password_cookie_or_token(client, settings):
    from django.urls import path

    import loa.urls

    def broken(request):
        raise RuntimeError("the view failed")

    settings.ROOT_URLCONF = type(
        "urls", (), {"urlpatterns": [path("broken/", broken), *loa.urls.urlpatterns]}
    )
    client.raise_request_exception = False
    stream, done = _log_lines("django.request")
    try:
        client.post(
            "/broken/?token=signed-link-secret",
            {"password": "mat-khau-bi-mat"},
            HTTP_COOKIE="sessionid=session-secret",
        )
    finally:
        done()
    logged = stream.getvalue()
    error = json.loads(logged.splitlines()[-1])
    assert error["level"] == "ERROR" and "RuntimeError: the view failed" in error["exception"]
    for secret in ("mat-khau-bi-mat", "session-secret", "signed-link-secret"):
        assert secret not in logged


def test_behind_the_proxy_each_client_has_its_own_address_and_nobody_else_can_choose_one(
    rf, settings
):
    from loa.core.ratelimit import client_address

    settings.LOA_TRUSTED_PROXIES = ["127.0.0.1"]
    through_nginx = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert client_address(through_nginx) == "203.0.113.7"
    direct = rf.get("/", REMOTE_ADDR="198.51.100.2", HTTP_X_REAL_IP="203.0.113.7")
    assert client_address(direct) == "198.51.100.2"  # not a proxy: its header is ignored
    settings.LOA_TRUSTED_PROXIES = []
    assert client_address(through_nginx) == "127.0.0.1"


def test_task_workers_log_which_task_ran_but_not_its_arguments(caplog):
    # RQ's own logger and message format: a job is named by its call, arguments and all.
    from rq.worker.base import logger as rq_logger

    call = "loa.core.tasks.send_email(body='Trả lời: …', subject='Góp ý', to=['dan@example.vn'])"
    with caplog.at_level(logging.INFO, logger="rq.worker"):
        rq_logger.info("Worker %s: %s: %s (%s)", "w1", "default", call, "job-1")
        rq_logger.info("Successfully completed %s job in %ss on worker %s", call, "0.1", "w1")
    assert "loa.core.tasks.send_email(…)" in caplog.text
    assert "dan@example.vn" not in caplog.text and "Trả lời" not in caplog.text
