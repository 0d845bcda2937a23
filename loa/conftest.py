"""Shared test fixtures: the personas every page test uses, a real SMTP server on loopback."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test import Client

from loa.core.tests.factories import sign_in
from loa.org.tests.factories import OrgWorld, build_world


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Tasks run inside the test as the worker would run them, so their effects are visible."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "vi"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    # The hashed-name manifest exists only after collectstatic; test_deploy builds it for real.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    cache.clear()  # rate-limit counters must not leak from one test into the next


@pytest.fixture
def world(db) -> OrgWorld:
    return build_world()


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as that user (None: anonymous), past the
    second step for those who have or need two-factor sign-in (core.tests.factories)."""

    def make(user) -> Client:
        client = Client()
        if user is not None:
            sign_in(client, user)
        return client

    return make


class _Inbox:
    def __init__(self):
        self.messages: list = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        self.received.set()
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1; Django's SMTP backend talks to it."""
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def run_loa(tmp_path):
    """run_loa(*args, input=None) -> the `loa` command run as a person would, in a clean
    development environment (its own var/ directory, no test settings)."""
    import subprocess
    import sys

    def run(*args, input=None, check=True):
        return subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "loa", *args],
            input=input,
            capture_output=True,
            text=True,
            check=check,
            env={
                "PATH": "/usr/bin:/bin",
                "LOA_DEBUG": "true",
                "SECRET_KEY": "x",
                "LOA_VAR_DIR": str(tmp_path),
            },
        )

    return run
