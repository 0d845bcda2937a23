"""The Zalo Official Account channel, against a local server that speaks Zalo's protocol."""

import re

import pytest
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.org import services as org_services
from loa.outreach import services
from loa.outreach.models import Message, ZaloAccount
from loa.outreach.tests import zalo_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def zalo(settings):
    oa = zalo_server.ZaloOA()
    server = zalo_server.serve(oa)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.LOA_ZALO_API_URL = settings.LOA_ZALO_OAUTH_URL = base
    yield oa
    server.shutdown()


def connect(world, oa):
    return services.zalo_account_connect(
        actor=world.coordinator.user,
        agency=world.agency,
        app_id=zalo_server.APP_ID,
        secret_key=zalo_server.SECRET_KEY,
        access_token=oa.access_token,
        refresh_token=oa.refresh_token,
    )


def send_by_zalo(world, capture, people):
    dispatch = services.dispatch_create(
        actor=world.coordinator.user,
        agency=world.agency,
        title="Quán triệt Chỉ thị 08/CT-UBND",
        audience={"people": [p.pk for p in people]},
        channels=["zalo_oa"],
    )
    with capture(execute=True):
        services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
    return dispatch


def test_followers_get_their_own_link_from_the_official_account(
    world, zalo, client_for, django_capture_on_commit_callbacks
):
    connect(world, zalo)
    org_services.person_update(actor=world.admin, person=world.staff_a, zalo_id="8001")
    dispatch = send_by_zalo(
        world, django_capture_on_commit_callbacks, [world.staff_a, world.staff_b]
    )
    # Only the follower is messaged (staff_b has no Zalo ID); the inbox holds it for both.
    assert [m["user_id"] for m in zalo.messages] == ["8001"]
    assert dispatch.deliveries.count() == 2
    message = Message.objects.get(channel="zalo_oa")
    assert message.state == Message.State.SENT and message.external_id == "msg-1"
    text = zalo.messages[0]["text"]
    assert "Lê Thị Dung" in text and "Quán triệt Chỉ thị 08/CT-UBND" in text
    link = re.search(r"http://127\.0\.0\.1:8000(/r/\S+/)", text).group(1)
    assert client_for(world.staff_b.user).get(link).status_code == 404  # the link is hers
    response = client_for(world.staff_a.user).get(link, follow=True)
    assert response.redirect_chain[-1][0].endswith("?via=zalo_oa")
    assert dispatch.deliveries.get(person=world.staff_a).opened_channel == "zalo_oa"


def test_an_expired_access_token_is_renewed_once_and_kept(
    world, zalo, django_capture_on_commit_callbacks
):
    connect(world, zalo)
    zalo.expire_token()  # an hour later: Zalo no longer takes the saved token
    for person, zalo_id in ((world.staff_a, "8001"), (world.staff_b, "8002")):
        org_services.person_update(actor=world.admin, person=person, zalo_id=zalo_id)
    send_by_zalo(world, django_capture_on_commit_callbacks, [world.staff_a, world.staff_b])
    assert sorted(m["user_id"] for m in zalo.messages) == ["8001", "8002"]
    assert zalo.refreshes == 1  # the second message used the renewed token
    account = ZaloAccount.objects.get()
    assert (account.access_token, account.refresh_token) == ("token-1", "refresh-1")


def test_what_zalo_refuses_is_retried_then_shown_with_zalos_reason(
    world, zalo, client_for, django_capture_on_commit_callbacks
):
    connect(world, zalo)
    org_services.person_update(
        actor=world.admin, person=world.staff_a, zalo_id=zalo_server.NOT_FOLLOWING
    )
    dispatch = send_by_zalo(world, django_capture_on_commit_callbacks, [world.staff_a])
    message = Message.objects.get()
    assert message.state == Message.State.PENDING and message.attempts == 1  # tried again later
    for _ in range(3):
        services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == Message.State.FAILED
    assert message.error == "Zalo -213: User has not followed OA"
    page = client_for(world.coordinator.user).get(reverse("outreach:dispatch", args=[dispatch.pk]))
    failed = page.content.decode().split('data-testid="failed"')[1]
    assert "Lê Thị Dung" in failed and "User has not followed OA" in failed
    assert zalo.messages == []


def test_a_refused_refresh_token_stops_and_says_to_connect_again(
    world, zalo, django_capture_on_commit_callbacks
):
    account = connect(world, zalo)
    ZaloAccount.objects.filter(pk=account.pk).update(access_token="old", refresh_token="spent")
    org_services.person_update(actor=world.admin, person=world.staff_a, zalo_id="8001")
    send_by_zalo(world, django_capture_on_commit_callbacks, [world.staff_a])
    message = Message.objects.get()
    assert message.state == Message.State.PENDING and "hãy kết nối lại Zalo OA" in message.error
    account.refresh_from_db()
    assert account.last_status == message.error  # the account page says so too
    assert zalo.messages == []


def test_the_account_page_never_shows_its_secrets_and_only_coordinators_use_it(world, client_for):
    url = reverse("outreach:zalo_account") + f"?agency={world.agency.pk}"
    for person in (world.staff_a, world.head_a, world.outsider):
        assert client_for(person.user).get(url).status_code == 403
    client = client_for(world.coordinator.user)
    form = {
        "connect": "1",
        "app_id": zalo_server.APP_ID,
        "secret_key": "s3cret-key",
        "access_token": "access-abc",
        "refresh_token": "refresh-xyz",
    }
    page = client.post(url, form, follow=True).content.decode()
    assert "Đã kết nối Zalo OA." in page
    for secret in ("s3cret-key", "access-abc", "refresh-xyz"):
        assert secret not in page
    entry = AuditEntry.objects.get(action="zalo_account_connect")
    assert "s3cret-key" not in str(entry.changes) and "access-abc" not in str(entry.changes)
    # The dispatch form now offers the channel.
    create = client.get(reverse("outreach:create") + f"?agency={world.agency.pk}")
    assert 'name="zalo_oa"' in create.content.decode()


def test_without_an_official_account_the_dispatch_form_does_not_offer_it(world, client_for):
    create = client_for(world.coordinator.user).get(
        reverse("outreach:create") + f"?agency={world.agency.pk}"
    )
    assert create.status_code == 200 and 'name="zalo_oa"' not in create.content.decode()
