"""Two-factor sign-in: who must use it, what a signed-in session still has to do, and the check
of a code. The devices and their verification are django-otp's: one TOTP device (an
authenticator app) and one static device (the backup codes), per account.

It is required for superusers and for anyone holding an active role that can publish or
change what the whole agency sees (REQUIRED_ROLES); anyone else may turn it on. The rule reads
the person's roles through org's actor (the same "active" everywhere), as the home page does.
"""

import time
from base64 import b32encode

import django_otp
import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from loa.core.models import User

# Role values (org.models.Role); spelt out here so that core does not import org at load time.
REQUIRED_ROLES = frozenset({"chief", "coordinator", "publisher", "admin"})

VERIFY, ENROL = "verify", "enrol"
# When this session was last found to need no second step (epoch seconds). Asked again after
# RECHECK_SECONDS, so a role granted meanwhile takes effect without a session write per request.
CHECKED_KEY = "loa_2fa_checked"
RECHECK_SECONDS = 5 * 60
BACKUP_TOKEN_COUNT = 10

WRONG_CODE = gettext_lazy("That code is not right. Type the 6 digits your app shows now.")
WAIT = gettext_lazy("Too many wrong codes. Wait a moment, then type the code your app shows now.")


def is_required(user: User) -> bool:
    if user.is_superuser:
        return True
    from loa.org.permissions import actor_for  # org sits above core

    return bool(actor_for(user).roles() & REQUIRED_ROLES)


def has_device(user: User) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def step_for(user: User) -> str:
    """What `user` must do after their password: VERIFY (they have a device), ENROL (they must
    have one and have none yet) or "" (nothing)."""
    if has_device(user):
        return VERIFY
    if is_required(user):
        return ENROL
    return ""


def mark_checked(session, step: str) -> None:
    if step:
        session.pop(CHECKED_KEY, None)
    else:
        session[CHECKED_KEY] = int(time.time())


def pending_step(request) -> str:
    """What the signed-in user of this request must still do before using Loa ("" if nothing).

    A verified session (django_otp.login) needs nothing. Otherwise the answer "nothing" is kept
    in the session for RECHECK_SECONDS, so most requests ask the database nothing more.
    """
    if request.user.is_verified():
        return ""
    checked = request.session.get(CHECKED_KEY)
    if isinstance(checked, int) and 0 <= time.time() - checked < RECHECK_SECONDS:
        return ""
    step = step_for(request.user)
    mark_checked(request.session, step)
    return step


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def static_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def backup_codes_left(user: User) -> int:
    device = static_device(user)
    return device.token_set.count() if device else 0


def normalise(code: str) -> str:
    """What people type, as the devices compare it: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def device_for_code(user: User, code: str):
    """The device a typed code is for: six digits are the app's, anything else a backup code.
    Checked against that one device only, so a mistyped code throttles only it."""
    device = totp_device(user)
    if device is not None and code.isdigit() and len(code) == device.digits:
        return device
    return static_device(user)


def check_code(user: User, code: str) -> tuple[object | None, str]:
    """(the device that accepted `code`, "") or (None, the reason to show), through django-otp's
    verification (replayed app codes and used backup codes are refused; wrong codes make the
    device wait 1, 2, 4 … seconds before it checks another)."""
    code = normalise(code)
    device = device_for_code(user, code)
    if device is None:
        return None, str(WRONG_CODE)
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return None, str(WAIT)
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        return None, str(WRONG_CODE)
    return verified, ""


def secret_text(device: TOTPDevice) -> str:
    """The device's key as authenticator apps take it by hand: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address of the device as an inline SVG QR code (no script, no image URL,
    nothing sent anywhere)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        border=2,
        light="#fff",
        title=_("QR code for your authenticator app"),
        svgclass="loa-otp-qr",
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup: paths, and the title we gave it
