"""Two-factor sign-in: required for chiefs, coordinators, publishers, admins and superusers,
optional for everyone else; set up with an authenticator app (QR code or key), backed by
one-time backup codes, reset by an administrator. Codes are computed from the device's key
with django-otp's own TOTP, as the person's app would compute them."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from loa.core import services, two_factor
from loa.core.models import AuditEntry
from loa.core.tests.factories import totp_code
from loa.org import services as org_services
from loa.org.models import Role
from loa.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = reverse("core:two_factor_setup")
VERIFY = reverse("core:two_factor_verify")
START = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))  # noqa: DTZ001


def in_vietnamese(message) -> str:
    """A message as the pages write it: in Vietnamese, HTML-escaped."""
    with translation.override("vi"):
        return html.escape(str(message))


def sign_in(client, username: str, **follow):
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, follow=True, **follow
    )


def wrong_code(device: TOTPDevice) -> str:
    right = int(totp_code(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Set up the app through the services, as the setup page does."""
    device = services.two_factor_device_pending(actor=user)
    tokens = services.two_factor_enable(actor=user, device=device, token=totp_code(device))
    device.refresh_from_db()
    return device, tokens


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_coordinator_signing_in_is_sent_to_setup_and_can_open_nothing_else(world, client):
    response = sign_in(client, "coord")
    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2F"
    page = response.content.decode()
    assert 'data-testid="two-factor-qr"' in page and "<svg" in page
    assert client.session["_auth_user_id"] == str(world.coordinator.user.pk)
    for url in (reverse("core:home"), reverse("org:people"), "/admin/", VERIFY):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    assert client.get(reverse("org:people"))["Location"] == f"{SETUP}?next=%2Fpeople%2F"
    # htmx is told to load the whole page, not to swap the setup page into a fragment.
    response = client.get(reverse("org:people"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(SETUP)
    # What stays open: the health probe, the language switch, static files, signing out.
    assert client.get(reverse("core:healthz")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/static/loa/loa.css").status_code == 200
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_every_role_that_requires_it_and_only_those(world):
    assert two_factor.is_required(world.admin)  # a superuser
    assert two_factor.is_required(world.chief.user)
    assert two_factor.is_required(world.coordinator.user)
    assert not two_factor.is_required(world.head_a.user)
    assert not two_factor.is_required(world.staff_a.user)
    org_services.role_grant(
        actor=world.admin, person=world.staff_b, role=Role.PUBLISHER, agency=world.agency
    )
    assert two_factor.is_required(world.staff_b.user)
    org_services.role_grant(
        actor=world.admin, person=world.staff_a, role=Role.ADMIN, agency=world.agency
    )
    assert two_factor.is_required(world.staff_a.user)


def test_setup_with_a_wrong_code_fails_with_a_message_and_the_right_code_turns_it_on(
    world, client, clock
):
    user = world.coordinator.user
    page = sign_in(client, "coord").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The key in the text is the device's, for typing by hand.
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") == two_factor.secret_text(device).replace(" ", "")

    response = client.post(SETUP, {"code": wrong_code(device), "next": "/people/"})
    assert response.status_code == 200
    assert in_vietnamese(services.TWO_FACTOR_WRONG_CODE) in response.content.decode()
    assert not two_factor.has_device(user)
    assert client.get(reverse("org:people"))["Location"].startswith(SETUP)

    clock.shift(datetime.timedelta(seconds=5))  # a wrong code makes the device wait a second
    response = client.post(SETUP, {"code": totp_code(device), "next": "/people/"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")  # never cached: codes shown once
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == two_factor.BACKUP_TOKEN_COUNT
    assert 'href="/people/"' in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(t.token for t in StaticDevice.objects.get(user=user).token_set.all()) == sorted(
        codes
    )
    entry = AuditEntry.objects.filter(action="two_factor_enable").get()
    assert entry.actor == user and entry.target_id == str(user.pk)
    assert entry.changes == {"two_factor": [False, True]}
    assert client.get(reverse("org:people")).status_code == 200
    # Once it is on, the setup address shows its state and makes no second device.
    page = client.get(SETUP).content.decode()
    assert 'data-testid="two-factor-state"' in page and "<svg" not in page
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_next_sign_in_asks_for_the_code(world, client, clock):
    device, _codes = enrol(world.coordinator.user)
    clock.shift(datetime.timedelta(minutes=10))
    response = sign_in(client, "coord")
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2F"
    assert client.get(reverse("org:people"))["Location"].startswith(VERIFY)
    # Knowing the password is not enough to set up another app.
    assert client.get(SETUP)["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": wrong_code(device), "next": "/people/"})
    assert in_vietnamese(two_factor.WRONG_CODE) in response.content.decode()
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/people/"})
    assert in_vietnamese(two_factor.WAIT) in response.content.decode()  # too soon after it

    clock.shift(datetime.timedelta(seconds=5))
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get(reverse("org:people")).status_code == 200

    # The same code cannot be used again, even in another browser.
    other = client.__class__()
    sign_in(other, "coord")
    response = other.post(VERIFY, {"code": totp_code(device)})
    assert in_vietnamese(two_factor.WRONG_CODE) in response.content.decode()


def test_the_code_page_sends_only_to_addresses_of_loa(world, client, clock):
    device, _codes = enrol(world.coordinator.user)
    clock.shift(datetime.timedelta(minutes=1))
    sign_in(client, "coord")
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://example.com/"})
    assert response["Location"] == reverse("core:home")


def test_a_backup_code_works_once(world, client, clock):
    _device, codes = enrol(world.coordinator.user)
    sign_in(client, "coord")
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)  # as typed
    assert response.redirect_chain[-1][0] == reverse("core:home")
    with translation.override("vi"):
        left = translation.ngettext(
            "You signed in with a backup code, which now no longer works. "
            "%(count)d backup code is left.",
            "You signed in with a backup code, which now no longer works. "
            "%(count)d backup codes are left.",
            9,
        ) % {"count": 9}
    assert html.escape(left) in response.content.decode()
    client.post(reverse("logout"))

    clock.shift(datetime.timedelta(minutes=1))
    sign_in(client, "coord")
    response = client.post(VERIFY, {"code": codes[0]})
    assert in_vietnamese(two_factor.WRONG_CODE) in response.content.decode()
    assert client.get(reverse("core:home"))["Location"].startswith(VERIFY)
    clock.shift(datetime.timedelta(seconds=5))
    assert client.post(VERIFY, {"code": codes[1]})["Location"] == reverse("core:home")
    assert two_factor.backup_codes_left(world.coordinator.user) == 8


def test_new_backup_codes_replace_the_old_ones(world, client_for):
    _device, old = enrol(world.coordinator.user)
    client = client_for(world.coordinator.user)
    response = client.post(reverse("core:two_factor_backup_codes"))
    new = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == two_factor.BACKUP_TOKEN_COUNT and not set(new) & set(old)
    assert AuditEntry.objects.filter(action="two_factor_backup_renew").count() == 1


def test_a_staff_member_without_a_role_signs_in_with_a_password_only(world, client):
    response = sign_in(client, "staff_a")
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "Xin chào, Lê Thị Dung" in response.content.decode()
    assert client.get(reverse("org:profile")).status_code == 200


def test_a_staff_member_may_turn_it_on_and_is_then_asked_for_the_code(world, client, clock):
    sign_in(client, "staff_a")
    page = client.get(SETUP).content.decode()
    assert f'href="{reverse("core:home")}"' in page  # "not now": optional for them
    device = TOTPDevice.objects.get(user=world.staff_a.user)
    client.post(SETUP, {"code": totp_code(device)})
    client.post(reverse("logout"))
    clock.shift(datetime.timedelta(minutes=1))
    assert sign_in(client, "staff_a").redirect_chain[-1][0] == f"{VERIFY}?next=%2F"


def test_a_role_granted_during_a_session_asks_for_setup_within_minutes(world, client, clock):
    sign_in(client, "staff_a")
    assert client.get(reverse("core:home")).status_code == 200
    org_services.role_grant(
        actor=world.admin, person=world.staff_a, role=Role.COORDINATOR, agency=world.agency
    )
    clock.shift(datetime.timedelta(minutes=two_factor.RECHECK_SECONDS // 60, seconds=1))
    assert client.get(reverse("core:home"))["Location"].startswith(SETUP)


def test_an_admin_reset_removes_the_devices_and_leaves_an_audit_row(world, client, client_for):
    user = world.coordinator.user
    enrol(user)
    admin = client_for(world.admin)
    response = admin.post(
        reverse("admin:core_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not two_factor.has_device(user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.filter(action="two_factor_reset").get()
    assert entry.actor == world.admin and entry.target_id == str(user.pk)
    assert entry.changes == {"two_factor": [True, False]}
    # The coordinator signs in with the password and sets up a new app at once.
    assert sign_in(client, "coord").redirect_chain[-1][0] == f"{SETUP}?next=%2F"


def test_only_an_administrator_may_reset_someone_elses_two_factor(world):
    from django.core.exceptions import PermissionDenied

    enrol(world.chief.user)
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(actor=world.coordinator.user, user=world.chief.user)
    assert two_factor.has_device(world.chief.user)


def test_the_django_admin_shows_devices_but_never_their_keys_nor_edits_them(world, client_for):
    device, _codes = enrol(world.coordinator.user)
    admin = client_for(world.admin)
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    page = admin.get(change).content.decode()
    assert device.key not in page and "otpauth" not in page and "qrcode" not in page
    assert admin.post(change, {"name": "x", "confirmed": ""}).status_code == 403
    assert admin.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
