"""Lockout after wrong passwords (django-axes), sessions that end after inactivity or after a
working day, and the password rules."""

import datetime
import html

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from loa.core.middleware import SESSION_ENDED
from loa.core.sign_in_views import lockout_message
from loa.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))  # noqa: DTZ001
HOME = reverse("core:home")


def in_vietnamese(text) -> str:
    with translation.override("vi"):
        return html.escape(str(text() if callable(text) else text))


def attempt(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_five_wrong_passwords_lock_the_account_and_the_right_one_then_fails_too(world, client):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        response = attempt(client, "staff_a", "sai")
        assert response.status_code == 200
        assert 'data-testid="locked-out"' not in response.content.decode()
    response = attempt(client, "staff_a", "sai")
    assert response.status_code == 429
    response = attempt(client, "staff_a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert in_vietnamese(lockout_message) in page
    assert "Đăng nhập Loa" in page  # the sign-in page itself, in Vietnamese, saying why
    assert 'value="staff_a"' in page
    assert not signed_in(client)


def test_the_lockout_is_for_that_name_from_that_address_only(world, client):
    for _attempt in range(5):
        attempt(client, "staff_a", "sai")
    assert attempt(client, "staff_a", PASSWORD).status_code == 429
    attempt(client, "staff_b", PASSWORD)
    assert signed_in(client)
    client.post(reverse("logout"))
    attempt(client, "staff_a", PASSWORD, address="203.0.113.7")
    assert signed_in(client)


def test_the_lockout_ends_after_thirty_minutes(world, client, clock):
    for _attempt in range(5):
        attempt(client, "staff_a", "sai")
    clock.shift(datetime.timedelta(minutes=29))
    assert attempt(client, "staff_a", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=2))
    attempt(client, "staff_a", PASSWORD)
    assert signed_in(client)


def test_signing_in_clears_the_count_of_wrong_passwords(world, client):
    for _round in range(3):
        for _attempt in range(4):
            attempt(client, "staff_a", "sai")
        attempt(client, "staff_a", PASSWORD)
        assert signed_in(client)
        client.post(reverse("logout"))


def test_an_idle_session_ends_with_a_message_and_an_active_one_does_not(world, client_for, clock):
    idle = datetime.timedelta(minutes=settings.LOA_SESSION_IDLE_MINUTES)
    assert idle == datetime.timedelta(minutes=30)
    client = client_for(world.staff_a.user)
    for _step in range(4):  # two hours, never more than twenty minutes apart
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(HOME).status_code == 200
    clock.shift(idle)
    response = client.get(reverse("org:people"))
    assert response["Location"] == f"{reverse('login')}?next=%2Fpeople%2F"
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert in_vietnamese(SESSION_ENDED) in page
    # htmx is sent to the sign-in page as a whole page, to come back to the page it was on.
    client = client_for(world.staff_a.user)
    clock.shift(idle)
    htmx = {"HX-Request": "true", "HX-Current-URL": "http://testserver/people/?q=dung"}
    response = client.get(reverse("org:people"), {"q": "dung"}, headers=htmx)
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fpeople%2F%3Fq%3Ddung"


def test_idle_time_counts_from_the_last_request_recorded_every_five_minutes(
    world, client_for, clock
):
    client = client_for(world.staff_a.user)
    clock.shift(datetime.timedelta(minutes=4))
    assert client.get(HOME).status_code == 200  # not recorded: the sign-in was 4 minutes ago
    clock.shift(datetime.timedelta(minutes=26))  # 30 since the last recorded request
    assert client.get(HOME).status_code == 302


def test_requests_write_the_session_at_most_every_five_minutes(world, client_for, clock):
    client = client_for(world.staff_a.user)
    cookie = settings.SESSION_COOKIE_NAME
    for _request in range(3):
        clock.shift(datetime.timedelta(seconds=50))
        response = client.get(HOME)
        assert response.status_code == 200 and cookie not in response.cookies
    clock.shift(datetime.timedelta(minutes=5))
    assert cookie in client.get(HOME).cookies  # the time of this request, recorded


def test_a_sign_in_lasts_a_working_day_at_most_however_active(world, client_for, clock):
    client = client_for(world.staff_a.user)
    day = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert day == datetime.timedelta(hours=8)
    for _step in range(int(day / datetime.timedelta(minutes=20)) - 1):
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(HOME).status_code == 200
    clock.shift(datetime.timedelta(minutes=21))
    assert client.get(HOME)["Location"].startswith(reverse("login"))


def test_passwords_follow_djangos_rules(world, client_for):
    validators = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert validators == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    client = client_for(world.staff_a.user)
    for weak in ("12345678", "password", "staff_a1", "Ab1!"):
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200, weak  # the form again, with the reason
    world.staff_a.user.refresh_from_db()
    assert world.staff_a.user.check_password(PASSWORD)
