"""Signing in for tests and benchmarks as a person who passed both steps.

`sign_in(client, user)` is `client.force_login(user)` plus, for anyone who has or must have
two-factor sign-in, an authenticator device enrolled earlier and the session verified with it
through django-otp's own `login`, as the code page would. Two-factor stays on in tests; the
pages of the second step are tested through the pages themselves (test_two_factor).
"""

import time

import django_otp
from django.http import HttpRequest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from loa.core import two_factor
from loa.core.models import User


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code `device`'s app shows at `at` (now by default), computed from its key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def enrolled_device(user: User) -> TOTPDevice:
    """The user's authenticator device, made as if they had set it up before the test (no
    audit row: this is the world a test starts from, not something the test does)."""
    device = two_factor.totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def verify_session(client: Client, user: User, device: TOTPDevice) -> None:
    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, device)
    two_factor.mark_checked(request.session, "")
    request.session.save()


def sign_in(client: Client, user: User) -> Client:
    client.force_login(user)
    if two_factor.step_for(user):
        verify_session(client, user, enrolled_device(user))
    return client
