"""Sending documents to an audience and knowing who received, read and acknowledged them."""

import re

import pytest
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.org.models import Category
from loa.outreach import queries, services
from loa.outreach.models import Delivery, Dispatch, DispatchStatus, Message

pytestmark = pytest.mark.django_db


def make_dispatch(world, **audience):
    return services.dispatch_create(
        actor=world.coordinator.user,
        agency=world.agency,
        title="Quán triệt Nghị quyết 76/NQ-CP",
        audience=audience or {"whole_agency": True},
        channels=["email"],
    )


def send(world, dispatch, capture):
    with capture(execute=True):
        services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
    dispatch.refresh_from_db()
    return dispatch


def test_the_audience_rules_select_units_sub_units_categories_and_named_people(world):
    names = lambda rules: sorted(p.full_name for p in queries.audience(world.agency, rules))  # noqa: E731
    assert names({"units": [world.unit_a.pk]}) == [
        "Lê Thị Dung",
        "Nguyễn Thị Hằng",
        "Trần Văn Đức",
    ]
    assert "Đỗ Minh Anh" in names({"units": [world.unit_a.pk], "subunits": True})
    assert names({"whole_agency": True, "categories": [Category.CADRE]}) == ["Phan Thế Huy"]
    assert names({"people": [world.staff_b.pk]}) == ["Đặng Quốc Bảo"]
    assert "Hoàng Văn Nam" not in names({"whole_agency": True})  # another agency


def test_sending_freezes_the_audience_into_one_delivery_each(
    world, django_capture_on_commit_callbacks, smtp_inbox
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    assert dispatch.status == DispatchStatus.SENT
    assert dispatch.deliveries.count() == 6
    # Running the delivery again (a worker restarted mid-way) adds nobody twice.
    assert services.dispatch_deliver(dispatch_id=dispatch.pk) == 6
    assert Delivery.objects.filter(dispatch=dispatch).count() == 6
    # Later staff changes do not rewrite who was asked.
    from loa.org.tests.factories import make_person

    make_person(world.admin, world.agency, "Vũ Thị Mới", unit=world.unit_a)
    assert dispatch.deliveries.count() == 6


def test_an_empty_audience_says_so(world, django_capture_on_commit_callbacks):
    dispatch = make_dispatch(world, units=[world.unit_a_team.pk], categories=[Category.WORKER])
    dispatch = send(world, dispatch, django_capture_on_commit_callbacks)
    assert dispatch.status == DispatchStatus.EMPTY
    assert dispatch.get_status_display() == "Đã gửi nhưng không tới ai: đối tượng nhận trống"


def test_each_person_with_an_email_gets_a_personal_signed_link(
    world, client_for, django_capture_on_commit_callbacks, smtp_inbox
):
    from loa.org import services as org_services

    org_services.person_update(actor=world.admin, person=world.staff_a, email="dunglt@vp.gov.vn")
    dispatch = send(
        world, make_dispatch(world, people=[world.staff_a.pk]), django_capture_on_commit_callbacks
    )
    assert smtp_inbox.received.wait(timeout=10)
    mail = smtp_inbox.messages[0]
    assert mail.rcpt_tos == ["dunglt@vp.gov.vn"]
    link = re.search(r"http://127\.0\.0\.1:8000(/r/\S+/)", mail.content.decode()).group(1)
    delivery = dispatch.deliveries.get()
    assert delivery.messages.get().state == Message.State.SENT
    # The link is the person's own: someone else following it gets nothing.
    assert client_for(world.staff_b.user).get(link).status_code == 404
    response = client_for(world.staff_a.user).get(link, follow=True)
    assert response.redirect_chain[-1][0].endswith("?via=email")
    delivery.refresh_from_db()
    assert delivery.opened_channel == "email"
    assert client_for(world.staff_a.user).get("/r/forged-token/").status_code == 404


def test_a_failing_mail_server_is_retried_then_marked_failed(world, settings):
    from loa.org import services as org_services

    org_services.person_update(actor=world.admin, person=world.staff_a, email="dunglt@vp.gov.vn")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    # Queued tasks wait (as for a real worker) so each attempt is made here, one by one.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    dispatch = make_dispatch(world, people=[world.staff_a.pk])
    Dispatch.objects.filter(pk=dispatch.pk).update(status=DispatchStatus.SENDING)
    services.dispatch_deliver(dispatch_id=dispatch.pk)
    message = dispatch.deliveries.get().messages.get()
    states = [services.message_send(message_id=message.pk) for _ in range(4)]
    assert states == ["pending", "pending", "pending", "failed"]
    message.refresh_from_db()
    assert message.attempts == 4 and message.error
    assert services.message_send(message_id=message.pk) == "skipped"


def test_a_staff_member_reads_and_acknowledges_in_the_inbox(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    client = client_for(world.staff_a.user)
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="unread">1' in home
    assert "Bạn có 1 tài liệu cần đọc và xác nhận." in home  # said in words on the home page
    delivery = dispatch.deliveries.get(person=world.staff_a)
    page = client.get(reverse("outreach:read", args=[delivery.pk]))
    assert "Tôi đã đọc và nắm được nội dung" in page.content.decode()
    client.post(reverse("outreach:read", args=[delivery.pk]), {"comment": "Đã rõ"})
    delivery.refresh_from_db()
    assert delivery.acknowledged_at and delivery.acknowledged_channel == "inbox"
    assert delivery.comment == "Đã rõ"
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-unread"' not in home
    # The audit row says who acknowledged what, as every write's row does (on PostgreSQL it is
    # written by the acknowledging statement itself, not by audit_record).
    entry = AuditEntry.objects.get(action="delivery_acknowledge", actor=world.staff_a.user)
    assert (entry.target_type, entry.target_id) == ("outreach.delivery", str(delivery.pk))
    assert entry.target_label == str(delivery)
    assert entry.changes == {"channel": "inbox", "comment": "Đã rõ"}


def test_nobody_acknowledges_for_someone_else(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    delivery = dispatch.deliveries.get(person=world.staff_a)
    response = client_for(world.staff_b.user).post(reverse("outreach:read", args=[delivery.pk]))
    assert response.status_code == 404
    delivery.refresh_from_db()
    assert delivery.acknowledged_at is None


def test_reach_by_unit_and_pending_names_for_the_unit_head_only(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    staff = dispatch.deliveries.get(person=world.staff_a)
    services.delivery_acknowledge(actor=world.staff_a.user, delivery_id=staff.pk, channel="inbox")
    coordinator = client_for(world.coordinator.user).get(
        reverse("outreach:dispatch", args=[dispatch.pk])
    )
    assert coordinator.context["reach"].total == 6
    assert coordinator.context["reach"].acknowledged == 1
    head = client_for(world.head_a.user).get(reverse("outreach:dispatch", args=[dispatch.pk]))
    pending = {d.person.full_name for d in head.context["pending"]}
    # Their unit and its sub-unit, not the others.
    assert pending == {"Nguyễn Thị Hằng", "Trần Văn Đức", "Đỗ Minh Anh"}
    assert (
        client_for(world.staff_b.user)
        .get(reverse("outreach:dispatch", args=[dispatch.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world.outsider.user)
        .get(reverse("outreach:dispatch", args=[dispatch.pk]))
        .status_code
        == 404
    )


def test_the_head_count_shows_before_sending(world, client_for):
    response = client_for(world.coordinator.user).post(
        reverse("outreach:count"), {"units": [world.unit_a.pk], "subunits": "on"}
    )
    assert "4 người" in response.content.decode()


def test_only_coordinators_send(world, client_for):
    for person in (world.staff_a, world.head_a, world.outsider):
        response = client_for(person.user).post(
            reverse("outreach:create") + f"?agency={world.agency.pk}",
            {"title": "X", "whole_agency": "on"},
        )
        assert response.status_code == 403
    assert not Dispatch.objects.exists()


def test_a_dispatch_is_sent_once_even_if_pressed_twice(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = make_dispatch(world)
    client = client_for(world.coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:send", args=[dispatch.pk]))
    response = client.post(reverse("outreach:send", args=[dispatch.pk]), follow=True)
    assert "đã được gửi" in response.content.decode()
    assert dispatch.deliveries.count() == 6


def test_a_unit_head_reminds_their_pending_people_at_most_once_a_day(
    world, client_for, django_capture_on_commit_callbacks, smtp_inbox
):
    from loa.org import services as org_services

    for person, email in ((world.staff_a, "dunglt@vp.gov.vn"), (world.staff_b, "baodq@vp.gov.vn")):
        org_services.person_update(actor=world.admin, person=person, email=email)
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    assert smtp_inbox.received.wait(timeout=10)
    smtp_inbox.messages.clear()
    smtp_inbox.received.clear()
    client = client_for(world.head_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach:remind", args=[dispatch.pk]), follow=True)
    assert "tới 4 người" in response.content.decode()  # their unit and its sub-unit
    assert smtp_inbox.received.wait(timeout=10)
    assert [m.rcpt_tos for m in smtp_inbox.messages] == [["dunglt@vp.gov.vn"]]  # has an e-mail
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("outreach:remind", args=[dispatch.pk]), follow=True)
    assert "tới 0 người" in again.content.decode()


def test_the_reach_exports_to_xlsx_person_by_person(
    world, client_for, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    services.delivery_acknowledge(
        actor=world.staff_a.user,
        delivery_id=dispatch.deliveries.get(person=world.staff_a).pk,
        channel="inbox",
        comment="Đã rõ",
    )
    response = client_for(world.coordinator.user).get(
        reverse("outreach:export", args=[dispatch.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Lượt", "Họ và tên", "Đơn vị", "Đã mở", "Đã xác nhận")
    assert len(rows) == 7
    dung = next(r for r in rows if r[1] == "Lê Thị Dung")
    assert dung[4] and dung[5] == "Hộp thư trong Loa" and dung[6] == "Đã rõ"


def test_a_zalo_group_link_attributes_opens_to_the_group_and_the_person(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    coordinator = client_for(world.coordinator.user)
    coordinator.post(
        reverse("outreach:dispatch_zalo", args=[dispatch.pk]), {"name": "Nhóm Zalo Phòng HC-QT"}
    )
    link = dispatch.group_links.get()
    assert len(link.code) >= 10 and not link.code.isdigit()  # a random code, not an id
    page = coordinator.get(reverse("outreach:dispatch", args=[dispatch.pk])).content.decode()
    assert f"/z/{link.code}/" in page
    qr = coordinator.get(reverse("outreach:zalo_qr", args=[link.code]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    response = client_for(world.staff_a.user).get(f"/z/{link.code}/", follow=True)
    assert response.redirect_chain[-1][0].endswith("?via=zalo")
    delivery = dispatch.deliveries.get(person=world.staff_a)
    assert (delivery.opened_channel, delivery.opened_group) == ("zalo", link.group)
    # Someone it was not sent to learns nothing and changes nothing.
    assert client_for(world.outsider.user).get(f"/z/{link.code}/").status_code == 404
    assert (
        client_for(world.staff_a.user)
        .get(reverse("outreach:zalo_qr", args=[link.code]))
        .status_code
        == 404
    )


def test_the_number_in_the_document_management_software_is_recorded(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    client_for(world.coordinator.user).post(
        reverse("outreach:dispatch_dms", args=[dispatch.pk]), {"dms_number": "125/VP-HCQT"}
    )
    dispatch.refresh_from_db()
    assert dispatch.dms_number == "125/VP-HCQT"
    response = client_for(world.staff_a.user).post(
        reverse("outreach:dispatch_dms", args=[dispatch.pk]), {"dms_number": "X"}
    )
    assert response.status_code == 403


@pytest.fixture
def receiver():
    """A local HTTP server standing for a system that wants Loa's events."""
    import http.server
    import threading

    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/loa", received
    server.shutdown()


def test_a_webhook_added_after_an_event_hears_the_next_one_and_a_stopped_one_nothing(
    world, django_capture_on_commit_callbacks, receiver, settings
):
    """Whether an agency has webhooks is cached; adding or stopping one must not wait for it."""
    import json

    url, received = receiver
    settings.LOA_WEBHOOK_ALLOW_PRIVATE = True
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)  # no webhook
    with django_capture_on_commit_callbacks(execute=True):
        webhook, _secret = services.webhook_create(
            actor=world.coordinator.user, agency=world.agency, url=url
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_acknowledge(
            actor=world.staff_a.user,
            delivery_id=dispatch.deliveries.get(person=world.staff_a).pk,
            channel="inbox",
        )
    assert [json.loads(body)["event"] for _headers, body in received] == ["delivery.acknowledged"]
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_deactivate(actor=world.coordinator.user, webhook=webhook)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_acknowledge(
            actor=world.staff_b.user,
            delivery_id=dispatch.deliveries.get(person=world.staff_b).pk,
            channel="inbox",
        )
    assert len(received) == 1


def test_webhooks_receive_signed_events_and_the_secret_is_shown_once(
    world, client_for, django_capture_on_commit_callbacks, receiver, settings
):
    import hashlib
    import hmac
    import json

    url, received = receiver
    client = client_for(world.coordinator.user)
    # By default Loa refuses this machine and private networks (no requests to internal
    # services); this installation allows its own network, where the receiver runs.
    refused = client.post(reverse("outreach:webhooks"), {"url": url}, follow=True)
    assert "ngoài máy chủ này và mạng nội bộ" in refused.content.decode()
    settings.LOA_WEBHOOK_ALLOW_PRIVATE = True
    created = client.post(reverse("outreach:webhooks"), {"url": url})
    secret = re.search(r"<code>([0-9a-f]{64})</code>", created.content.decode()).group(1)
    assert secret not in client.get(reverse("outreach:webhooks")).content.decode()
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_acknowledge(
            actor=world.staff_a.user,
            delivery_id=dispatch.deliveries.get(person=world.staff_a).pk,
            channel="inbox",
        )
    events = [json.loads(body)["event"] for _headers, body in received]
    assert events == ["dispatch.sent", "delivery.acknowledged"]
    for headers, body in received:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Loa-Signature"] == f"sha256={expected}"
    assert json.loads(received[0][1])["data"]["people"] == 6
    assert client_for(world.staff_a.user).get(reverse("outreach:webhooks")).status_code == 403


def test_when_a_document_changes_everyone_who_acknowledged_reads_it_again_in_a_new_round(
    world, client_for, django_capture_on_commit_callbacks
):
    from loa.library import services as library_services
    from loa.library.tests.factories import make_document

    old = make_document(world.admin, "1204/QĐ-UBND", doc_type="decision", issuer="UBND tỉnh")
    dispatch = make_dispatch(world)
    dispatch.documents.set([old])
    dispatch = send(world, dispatch, django_capture_on_commit_callbacks)
    first = dispatch.deliveries.get(person=world.staff_a)
    services.delivery_acknowledge(actor=world.staff_a.user, delivery_id=first.pk, channel="inbox")
    new = make_document(world.admin, "1500/QĐ-UBND", doc_type="decision", issuer="UBND tỉnh")
    library_services.document_update(
        actor=world.admin, document=old, validity="amended", replaced_by=new
    )
    client = client_for(world.coordinator.user)
    page = client.get(reverse("outreach:dispatch", args=[dispatch.pk])).content.decode()
    assert "Quyết định 1204/QĐ-UBND" in page and "Đã được sửa đổi" in page
    client.post(
        reverse("outreach:ask_again", args=[dispatch.pk]),
        {"reason": "Quyết định 1204 đã được sửa đổi"},
    )
    dispatch.refresh_from_db()
    assert dispatch.current_round == 2
    second = dispatch.deliveries.get(round=2)
    assert second.person == world.staff_a  # only who had acknowledged
    round_2 = client.get(reverse("outreach:dispatch", args=[dispatch.pk])).context["reach"]
    round_1 = client.get(reverse("outreach:dispatch", args=[dispatch.pk]), {"round": 1}).context[
        "reach"
    ]
    assert (round_1.total, round_1.acknowledged) == (6, 1)
    assert (round_2.total, round_2.acknowledged) == (1, 0)
    assert "lần 2" in client_for(world.staff_a.user).get(reverse("outreach:inbox")).content.decode()
    empty = client.post(
        reverse("outreach:ask_again", args=[dispatch.pk]), {"reason": ""}, follow=True
    )
    assert "Hãy ghi lý do" in empty.content.decode()


def test_an_audience_of_role_holders_saved_and_chosen_again(world, client_for):
    from loa.org.models import Role
    from loa.outreach.models import AudienceGroup

    assert sorted(
        p.full_name for p in queries.audience(world.agency, {"roles": [Role.UNIT_HEAD]})
    ) == ["Trần Văn Đức"]
    client = client_for(world.coordinator.user)
    client.post(
        reverse("outreach:create"),
        {
            "title": "Họp lãnh đạo",
            "roles": [Role.CHIEF, Role.UNIT_HEAD],
            "save_as": "Lãnh đạo và trưởng đơn vị",
        },
    )
    group = AudienceGroup.objects.get(name="Lãnh đạo và trưởng đơn vị")
    chosen = queries.audience(world.agency, {"groups": [group.pk], "people": [world.staff_b.pk]})
    assert sorted(p.full_name for p in chosen) == ["Phan Thế Huy", "Trần Văn Đức", "Đặng Quốc Bảo"]


def test_automatic_reminders_after_some_days_and_before_the_deadline_once_a_day(
    world, django_capture_on_commit_callbacks, smtp_inbox
):
    import datetime

    from django.utils import timezone

    from loa.org import services as org_services

    for person, email in ((world.staff_a, "dunglt@vp.gov.vn"), (world.staff_b, "baodq@vp.gov.vn")):
        org_services.person_update(actor=world.admin, person=person, email=email)
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    assert smtp_inbox.received.wait(timeout=10)  # the first e-mails
    smtp_inbox.messages.clear()
    smtp_inbox.received.clear()
    services.delivery_acknowledge(
        actor=world.staff_b.user,
        delivery_id=dispatch.deliveries.get(person=world.staff_b).pk,
        channel="inbox",
    )
    assert services.remind_due() == 0  # sent just now: too early
    dispatch.deliveries.update(created_at=timezone.now() - datetime.timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):
        # Five have not acknowledged; the e-mail goes to the one with an address.
        assert services.remind_due() == 5
    assert smtp_inbox.received.wait(timeout=10)
    assert smtp_inbox.messages[0].rcpt_tos == ["dunglt@vp.gov.vn"]
    assert services.remind_due() == 0  # not twice the same day


def test_a_comment_that_looks_like_a_formula_stays_text_in_the_export(
    world, client_for, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    services.delivery_acknowledge(
        actor=world.staff_a.user,
        delivery_id=dispatch.deliveries.get(person=world.staff_a).pk,
        channel="inbox",
        comment='=HYPERLINK("http://evil.example","x")',
    )
    data = (
        client_for(world.coordinator.user)
        .get(reverse("outreach:export", args=[dispatch.pk]))
        .content
    )
    sheet = load_workbook(io.BytesIO(data)).active
    cell = next(row[6] for row in sheet.iter_rows() if row[1].value == "Lê Thị Dung")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_the_zalo_link_opens_the_round_the_person_is_asked_to_read_now(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    services.delivery_acknowledge(
        actor=world.staff_a.user,
        delivery_id=dispatch.deliveries.get(person=world.staff_a).pk,
        channel="inbox",
    )
    services.dispatch_ask_again(actor=world.coordinator.user, dispatch=dispatch, reason="Sửa đổi")
    group = services.zalo_group_create(
        actor=world.coordinator.user, agency=world.agency, name="Nhóm cơ quan"
    )
    link = services.group_link_create(actor=world.coordinator.user, dispatch=dispatch, group=group)
    response = client_for(world.staff_a.user).get(f"/z/{link.code}/")
    second = dispatch.deliveries.get(person=world.staff_a, round=2)
    assert response["Location"] == reverse("outreach:read", args=[second.pk]) + "?via=zalo"
    page = client_for(world.outsider.user).get(f"/z/{link.code}/").content.decode()
    assert dispatch.title not in page  # not even the title for someone it was not sent to


def test_a_second_delivery_run_announces_nothing_again(world, django_capture_on_commit_callbacks):
    from loa.core.models import AuditEntry

    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    services.dispatch_deliver(dispatch_id=dispatch.pk)
    assert AuditEntry.objects.filter(action="dispatch_deliver").count() == 1


def test_a_persons_page_shows_what_they_were_sent_to_them_their_head_and_readers_only(
    world, client_for, django_capture_on_commit_callbacks
):
    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    delivery = dispatch.deliveries.get(person=world.staff_a)
    services.delivery_acknowledge(
        actor=world.staff_a.user, delivery_id=delivery.pk, channel="inbox"
    )
    url = reverse("outreach:person", args=[world.staff_a.pk])
    for person in (world.staff_a, world.head_a, world.coordinator, world.chief):
        page = client_for(person.user).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Quán triệt Nghị quyết 76/NQ-CP" in text
        assert "Đã gửi 1, đã xác nhận 1 (100%)" in text
    for person in (world.staff_b, world.outsider):  # another unit's staff, another agency
        assert client_for(person.user).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the sign-in page
    other_unit = reverse("outreach:person", args=[world.staff_b.pk])
    assert client_for(world.head_a.user).get(other_unit).status_code == 404


def test_the_reach_by_unit_is_drawn_as_a_chart_of_acknowledged_opened_and_not_opened(
    world, client_for, django_capture_on_commit_callbacks
):
    import json

    dispatch = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    for person in (world.staff_a, world.head_a):
        delivery = dispatch.deliveries.get(person=person)
        services.delivery_open(actor=person.user, delivery=delivery, channel="inbox")
    services.delivery_acknowledge(
        actor=world.staff_a.user,
        delivery_id=dispatch.deliveries.get(person=world.staff_a).pk,
        channel="inbox",
    )
    page = client_for(world.coordinator.user).get(reverse("outreach:dispatch", args=[dispatch.pk]))
    text = page.content.decode()
    assert 'data-chart="unit-chart"' in text
    chart = json.loads(
        re.search(r'id="unit-chart" type="application/json">(.*?)</script>', text).group(1)
    )
    row = chart["labels"].index("Phòng Hành chính – Quản trị")
    # Unit A: the coordinator, the head and staff_a; one acknowledged, one opened only.
    assert [d["data"][row] for d in chart["datasets"]] == [1, 1, 1]
    assert [d["label"] for d in chart["datasets"]] == [
        "đã xác nhận",
        "đã mở, chưa xác nhận",
        "chưa mở",
    ]


def test_a_dispatch_carries_files_and_topics_and_only_its_people_download_the_files(
    world, client_for, django_capture_on_commit_callbacks, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from loa.library.tests.factories import pdf_bytes
    from loa.plans import services as plan_services
    from loa.plans.tests.factories import make_plan

    settings.MEDIA_ROOT = tmp_path
    plan = make_plan(world)
    plan_services.plan_submit(actor=world.coordinator.user, plan=plan)
    plan_services.plan_approve(actor=world.chief.user, plan=plan)
    topic_e = plan.topics.get(code="e")  # the indexes PCI, PAR INDEX, SIPAS, PAPI, DTI
    client = client_for(world.coordinator.user)
    leaflet = SimpleUploadedFile("To roi chi so PAR INDEX.pdf", pdf_bytes("PAR INDEX 2022"))
    response = client.post(
        reverse("outreach:create") + f"?agency={world.agency.pk}",
        {
            "title": "Tuyên truyền kết quả PAR INDEX",
            "people": [world.staff_a.pk],
            "topics": [topic_e.pk],
            "files": [leaflet],
        },
    )
    dispatch = Dispatch.objects.get()
    assert response.status_code == 302
    assert list(dispatch.topics.all()) == [topic_e]
    attached = dispatch.files.get()
    assert (attached.name, attached.kind) == ("To roi chi so PAR INDEX.pdf", "pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
    read = client_for(world.staff_a.user).get(
        reverse("outreach:read", args=[dispatch.deliveries.get().pk])
    )
    assert "To roi chi so PAR INDEX.pdf" in read.content.decode()
    url = reverse("outreach:file", args=[attached.pk])
    download = client_for(world.staff_a.user).get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client_for(world.coordinator.user).get(url).status_code == 200
    for person in (world.staff_b, world.outsider):  # not sent to them
        assert client_for(person.user).get(url).status_code == 404


def test_a_file_that_is_not_a_pdf_or_docx_is_refused_with_its_name_and_nothing_is_saved(
    world, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    response = client_for(world.coordinator.user).post(
        reverse("outreach:create") + f"?agency={world.agency.pk}",
        {
            "title": "Tài liệu",
            "whole_agency": "on",
            "files": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a document")],
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tệp virus.exe bị từ chối" in text
    assert not Dispatch.objects.exists()


def test_a_retry_lost_with_its_worker_is_queued_again_by_the_mending_job(
    world, settings, smtp_inbox
):
    import datetime

    from django.utils import timezone

    from loa.org import services as org_services

    org_services.person_update(actor=world.admin, person=world.staff_a, email="dunglt@vp.gov.vn")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    dispatch = make_dispatch(world, people=[world.staff_a.pk])
    Dispatch.objects.filter(pk=dispatch.pk).update(status=DispatchStatus.SENDING)
    services.dispatch_deliver(dispatch_id=dispatch.pk)
    message = Message.objects.get()
    # It failed once, an hour ago, and the worker that was to retry it died.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(attempts=1, claimed_at=an_hour_ago)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert services.resume_stuck() == 1
    message.refresh_from_db()
    assert message.state == Message.State.SENT and message.attempts == 2
    assert smtp_inbox.received.wait(timeout=10)
    assert services.resume_stuck() == 0  # nothing left to mend


def test_a_reminder_that_reaches_someone_by_one_channel_is_not_sent_again_the_next_day(
    world, django_capture_on_commit_callbacks, smtp_inbox
):
    from loa.org import services as org_services

    org_services.person_update(actor=world.admin, person=world.staff_a, email="dunglt@vp.gov.vn")
    dispatch = send(
        world, make_dispatch(world, people=[world.staff_a.pk]), django_capture_on_commit_callbacks
    )
    delivery = dispatch.deliveries.get()
    # It also went by Zalo OA, which is no longer connected: that reminder fails.
    Message.objects.create(delivery=delivery, channel="zalo_oa", state=Message.State.SENT)
    assert services.dispatch_remind(actor=world.coordinator.user, dispatch=dispatch) == 1
    services.delivery_send_reminder(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert len(smtp_inbox.messages) == 2  # the first e-mail, then the reminder
    assert delivery.reminded_at is not None  # reminded: tomorrow's run leaves them alone


def test_the_reach_pages_make_as_many_queries_for_many_people_as_for_few(
    world, client_for, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loa.org.tests.factories import make_person

    def queries_for(urls):
        client = client_for(world.coordinator.user)
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    def pages(dispatch):
        return [
            reverse("outreach:dispatch", args=[dispatch.pk]),
            reverse("outreach:export", args=[dispatch.pk]),
            reverse("outreach:person", args=[world.staff_a.pk]),
        ]

    few = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    before = queries_for(pages(few))
    for n in range(20):
        make_person(world.admin, world.agency, f"Phạm Văn Số {n}", unit=world.unit_b)
    many = send(world, make_dispatch(world), django_capture_on_commit_callbacks)
    assert many.deliveries.count() == few.deliveries.count() + 20
    assert queries_for(pages(many)) == before


def test_a_sent_dispatch_is_evidence_on_the_tasks_it_serves(
    world, client_for, django_capture_on_commit_callbacks
):
    from loa.plans import services as plan_services
    from loa.plans.tests.factories import make_plan

    plan = make_plan(world)
    plan_services.plan_submit(actor=world.coordinator.user, plan=plan)
    plan_services.plan_approve(actor=world.chief.user, plan=plan)
    task = plan.tasks.first()
    dispatch = services.dispatch_create(
        actor=world.coordinator.user,
        agency=world.agency,
        title="Quán triệt Kế hoạch 321/KH-UBND",
        audience={"whole_agency": True},
        tasks=[task],
    )
    assert not task.evidence.exists()  # a draft proves nothing
    send(world, dispatch, django_capture_on_commit_callbacks)
    evidence = task.evidence.get()
    assert evidence.note == "Đã gửi tài liệu “Quán triệt Kế hoạch 321/KH-UBND” qua Loa tới 6 người."
    page = client_for(world.coordinator.user).get(reverse("plans:task", args=[task.pk]))
    assert "Quán triệt Kế hoạch 321/KH-UBND" in page.content.decode()
