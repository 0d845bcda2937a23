"""Sending with real worker processes, on both queues Loa runs on: the database-backed worker
(the embedded default) and RQ workers on the machine's Redis (at scale).

Exactly once: a worker killed in the middle of a dispatch, then another started, leaves every
person with one delivery and at most one e-mail, and nobody unaccounted for. A mail server
that is down is retried, with backoff, until it is back.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from loa.org import services as org_services
from loa.org.models import Category, Person
from loa.outreach import services
from loa.outreach.models import Dispatch, DispatchStatus, Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
PEOPLE = 120


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {REDIS_URL}; CI needs it")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")


@pytest.fixture(params=["database", "redis"])
def queue(request, settings):
    """The queue of the test and of its workers: {"env": …, "command": […]}."""
    if request.param == "database":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        command = ["db_worker", "--queue-name", "*", "--interval", "0.2", "--no-reload"]
        yield {"env": {"TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}, "command": command}
        return
    _redis_or_skip()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    command = ["rqworker", "--with-scheduler", "--job-class", "django_tasks_rq.Job", "default"]
    yield {
        "env": {"TASKS_BACKEND": "django_tasks_rq.RQBackend", "REDIS_URL": REDIS_URL},
        "command": command,
    }
    redis.Redis.from_url(REDIS_URL).flushdb()


class SlowInbox:
    """A real SMTP server on loopback that takes a little time per message, as real ones do,
    so that a worker can be killed in the middle of a dispatch."""

    delay = 0.03  # seconds a message takes

    def __init__(self):
        self.recipients: Counter = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        await asyncio.sleep(self.delay)
        with self.lock:
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.recipients.values())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(request):
    """The inbox, its controller and its port; a test module may set the inbox's kind by
    `inbox_class` (loa/tests/test_scale_out.py takes one that answers at once)."""
    inbox, port = getattr(request.module, "inbox_class", SlowInbox)(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller, port
    try:
        controller.stop()
    except AssertionError:  # stopped by the test already
        pass


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def start_worker(queue, smtp_port: int) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SECRET_KEY": "test-only-not-secret",
        "LOA_DEBUG": "false",
        "LOA_HTTPS": "false",
        "DATABASE_URL": _database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
        "LOA_RETRY_BASE_SECONDS": "2",
        **queue["env"],
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "loa", *queue["command"]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to kill it whole
    )


def kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_for(condition, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _unsettled() -> int:
    return Message.objects.filter(state__in=[Message.State.PENDING, Message.State.SENDING]).count()


@pytest.fixture
def audience(world):
    """The world's agency with PEOPLE more staff, each with an e-mail address."""
    for n in range(PEOPLE):
        org_services.person_create(
            actor=world.admin,
            agency=world.agency,
            full_name=f"Nguyễn Văn Số {n}",
            category=Category.CIVIL_SERVANT,
            unit=world.unit_b,
            email=f"canbo{n}@vp.gov.vn",
        )
    return Person.objects.filter(agency=world.agency, is_active=True).count()


def send_to_everyone(world) -> Dispatch:
    dispatch = services.dispatch_create(
        actor=world.coordinator.user,
        agency=world.agency,
        title="Quán triệt Nghị quyết 76/NQ-CP",
        audience={"whole_agency": True},
        channels=["email"],
    )
    return services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)


def test_a_worker_killed_mid_dispatch_leaves_one_delivery_each_and_no_mail_twice(
    world, audience, queue, mail_server
):
    inbox, _controller, port = mail_server
    dispatch = send_to_everyone(world)
    first = start_worker(queue, port)
    try:
        wait_for(lambda: inbox.total >= 20, what="the first e-mails")
    finally:
        kill(first)  # in the middle: most e-mails are not sent yet
    assert inbox.total < PEOPLE
    second = start_worker(queue, port)
    try:
        # The scheduled mending job finds what the dead worker left and queues it again.
        services.resume_stuck(older_than_minutes=0)
        wait_for(lambda: _unsettled() == 0, what="every message sent or failed")
    finally:
        kill(second)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT
    assert dispatch.deliveries.count() == audience  # one delivery each, none twice
    assert set(dispatch.deliveries.values_list("person", flat=True)) == set(
        Person.objects.filter(agency=world.agency).values_list("pk", flat=True)
    )
    assert max(inbox.recipients.values()) == 1  # nobody got the e-mail twice
    messages = Message.objects.filter(delivery__dispatch=dispatch)
    sent = messages.filter(state=Message.State.SENT).count()
    interrupted = messages.filter(state=Message.State.FAILED)
    assert sent + interrupted.count() == messages.count() == PEOPLE  # none is lost …
    assert interrupted.count() <= 1  # … at most the one being sent when the worker died is
    # unsure (it may have arrived just before the kill), and every other is counted as it went.
    assert sent <= inbox.total <= sent + interrupted.count()
    for message in interrupted:
        assert "gián đoạn" in message.error  # said, in Vietnamese, on the dispatch page


def test_a_mail_server_that_is_down_is_retried_until_it_is_back(
    world, audience, queue, mail_server
):
    inbox, controller, port = mail_server
    controller.stop()  # the mail server is down when the dispatch goes out
    send_to_everyone(world)
    worker = start_worker(queue, port)
    try:
        wait_for(
            lambda: Message.objects.filter(attempts__gte=1).count() == PEOPLE,
            what="a first, failed attempt at every e-mail",
        )
        assert inbox.total == 0
        assert not Message.objects.filter(state=Message.State.SENT).exists()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()  # back again
        wait_for(lambda: _unsettled() == 0, what="the retries")
    finally:
        kill(worker)
        controller.stop()
    assert Message.objects.filter(state=Message.State.SENT).count() == PEOPLE
    assert Message.objects.filter(attempts__gte=2).count() == PEOPLE  # sent on a retry
    assert inbox.total == PEOPLE and max(inbox.recipients.values()) == 1
