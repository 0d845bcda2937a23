"""The production profile on one machine: two gunicorn processes and two RQ workers on loopback,
against the machine's PostgreSQL and Redis. A dispatch goes to 5,000 people; one worker is
killed in the middle; every person still ends with exactly one delivery, nobody gets the
e-mail twice, and the dispatch completes. Meanwhile people acknowledge through both web
processes, and each answers /readyz with the two workers it sees in Redis."""

import datetime
import http.client
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from loa.core.models import User
from loa.core.text import fold, person_sort_key
from loa.org.models import Category, Person
from loa.outreach import services
from loa.outreach.models import Delivery, DispatchStatus, Message
from loa.outreach.tests import test_workers
from loa.outreach.tests.test_workers import (
    REDIS_URL,
    SlowInbox,
    _database_url,
    _free_port,
    _redis_or_skip,
    kill,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PEOPLE = 5_000
CSRF = "scaleoutcsrftokenscaleoutcsrftok"  # 32 characters: a CSRF secret as the cookie holds it


@pytest.fixture
def production(settings, mail_server, tmp_path):
    """The environment of every process: PostgreSQL, Redis for the cache, sessions and the
    queue, the loopback mail server."""
    if connection.vendor != "postgresql":
        pytest.skip("several processes on one database: the production profile is PostgreSQL")
    _redis_or_skip()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    _inbox, _controller, port = mail_server
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are signed with it
        "LOA_DEBUG": "false",
        "LOA_HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "5",
        "LOA_RETRY_BASE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
        "LOA_ACCESS_LOG": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    # As after an upgrade (docs/operations.md): the pages' hashed static files.
    collect = [sys.executable, "-m", "loa", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, env=env, check=True)  # noqa: S603 - our own command
    yield env
    redis.Redis.from_url(REDIS_URL).flushdb()


class FastInbox(SlowInbox):
    """A mail server that answers at once: 5,000 e-mails in seconds, not minutes."""

    delay = 0


inbox_class = FastInbox  # for test_workers' mail_server fixture, shared here:
mail_server = test_workers.mail_server


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to kill it whole
    )


def start_web(env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    web = start(env, "gunicorn", "loa.wsgi:application", "--bind", f"127.0.0.1:{port}")
    wait_for(lambda: _get(port, "/healthz")[0] == 200, timeout=60, what="gunicorn")
    return web, port


def start_worker(env: dict) -> subprocess.Popen:
    command = ["rqworker", "--with-scheduler", "--job-class", "django_tasks_rq.Job", "default"]
    return start(env, "loa", *command)


def _get(port: int, path: str) -> tuple[int, bytes]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""


def _acknowledge(port: int, delivery_id: int, session_key: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        reverse("outreach:read", args=[delivery_id]),
        body=f"csrfmiddlewaretoken={CSRF}&comment=",
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return conn.getresponse().status


def province_office(world) -> None:
    """5,000 more staff with e-mail addresses, written in bulk as the bench generator does
    (5,000 person_create calls would take minutes and test nothing more)."""
    Person.objects.bulk_create(
        (
            Person(
                agency=world.agency,
                unit=world.unit_b,
                category=Category.CIVIL_SERVANT,
                full_name=(name := f"Nguyễn Văn Số {n}"),
                code=f"NV{n:05}",
                email=f"canbo{n}@vp.gov.vn",
                search_name=fold(name),
                sort_key=person_sort_key(name),
            )
            for n in range(PEOPLE - Person.objects.filter(agency=world.agency).count())
        ),
        batch_size=1000,
    )


def signed_in(person: Person) -> str:
    """A session for the person, as signing in would write it."""
    user = User.objects.create_user(username=f"scale-{person.pk}", password=None)
    Person.objects.filter(pk=person.pk).update(user=user)
    store = SessionStore()
    store.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    store.set_expiry(timezone.now() + datetime.timedelta(hours=1))
    store.create()
    return store.session_key


def test_two_web_processes_and_two_workers_survive_a_worker_killed_mid_dispatch(
    world, production, mail_server
):
    inbox = mail_server[0]
    province_office(world)
    everyone = Person.objects.filter(agency=world.agency, is_active=True).count()
    assert everyone == PEOPLE
    with_email = Person.objects.filter(agency=world.agency).exclude(email="").count()
    readers = list(Person.objects.filter(agency=world.agency, user__isnull=True)[:40])
    sessions = {person.pk: signed_in(person) for person in readers}

    processes = []
    try:
        (web_a, port_a), (web_b, port_b) = start_web(production), start_web(production)
        processes += [web_a, web_b]
        first, second = start_worker(production), start_worker(production)
        processes += [first, second]
        for port in (port_a, port_b):
            wait_for(
                lambda port=port: b'"2 listening"' in _get(port, "/readyz")[1],
                timeout=60,
                what=f"both workers seen by each web process: {_get(port, '/readyz')}",
            )

        dispatch = services.dispatch_create(
            actor=world.coordinator.user,
            agency=world.agency,
            title="Quán triệt Nghị quyết 76/NQ-CP",
            audience={"whole_agency": True},
            channels=["email"],
        )
        services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
        wait_for(lambda: inbox.total >= PEOPLE // 5, timeout=120, what="the first e-mails")
        kill(first)  # in the middle: most e-mails are not sent yet
        processes.remove(first)
        assert inbox.total < PEOPLE

        # People read and acknowledge meanwhile, through either web process.
        delivered = dict(
            Delivery.objects.filter(dispatch=dispatch, person__in=readers).values_list(
                "person_id", "id"
            )
        )
        answers = [
            _acknowledge((port_a, port_b)[i % 2], delivered[person.pk], sessions[person.pk])
            for i, person in enumerate(readers)
        ]
        assert answers == [302] * len(readers)

        # The scheduled mending job (`loa outreach resume`, every 10 minutes) requeues what the
        # dead worker held; the surviving worker sends it.
        services.resume_stuck(older_than_minutes=0)
        wait_for(
            lambda: (
                not Message.objects.filter(
                    delivery__dispatch=dispatch,
                    state__in=[Message.State.PENDING, Message.State.SENDING],
                ).exists()
            ),
            timeout=240,
            what="every message sent or failed by the surviving worker",
        )
    finally:
        for process in processes:
            kill(process)

    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT
    deliveries = Delivery.objects.filter(dispatch=dispatch)
    assert deliveries.count() == PEOPLE  # exactly one delivery each …
    assert deliveries.values("person").distinct().count() == PEOPLE  # … and none twice
    assert deliveries.filter(acknowledged_at__isnull=False).count() == len(readers)
    assert max(inbox.recipients.values()) == 1  # nobody got the e-mail twice
    messages = Message.objects.filter(delivery__dispatch=dispatch)
    sent = messages.filter(state=Message.State.SENT).count()
    interrupted = messages.filter(state=Message.State.FAILED).count()
    assert sent + interrupted == messages.count() == with_email
    assert interrupted <= 1  # at most the one being sent when the worker died is unsure
