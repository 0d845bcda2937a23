"""Citizens' feedback: a public box that asks for consent (Decree 13/2023/NĐ-CP), keeps a
name and contact only for an answer and only until the answer is old, and lets the agency
answer, and an administrator export or erase what one citizen left."""

import datetime
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from loa.core.models import AuditEntry
from loa.org import personal_data
from loa.org import services as org_services
from loa.org.models import Role
from loa.voices import services
from loa.voices.forms import TOO_MANY_SENDINGS
from loa.voices.models import Feedback
from loa.voices.tests.factories import open_box, send_feedback

pytestmark = pytest.mark.django_db

CITIZEN_EMAIL = "nguyenvana@gmail.com"
FORM = {
    "kind": "proposal",
    "subject": "Đề nghị niêm yết lịch tiếp công dân",
    "content": "Đề nghị Văn phòng niêm yết lịch tiếp công dân tại Bộ phận một cửa.",
    "consent": "on",
}


@pytest.fixture
def box(world):
    return open_box(world)


def submit_url(box):
    return reverse("voices:submit", args=[box.code])


def test_a_citizen_sends_feedback_without_signing_in_and_gets_a_reference_to_follow(box, client):
    response = client.post(submit_url(box), FORM)
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voices:status", args=[feedback.reference])
    page = client.get(response["Location"]).content.decode()
    assert feedback.reference in page and "Đã tiếp nhận" in page
    assert "Cảm ơn" in page  # the thanks, in Vietnamese
    assert feedback.consent_notice == services.NOTICE_VERSION
    assert feedback.consented_at is not None


def test_the_form_shows_the_notice_in_vietnamese_with_the_boxs_term(world, client):
    box = open_box(world, contact_days=30)
    page = client.get(submit_url(box)).content.decode()
    assert "Nghị định 13/2023/NĐ-CP" in page
    assert "30 ngày sau khi trả lời" in page


def test_nothing_is_kept_without_consent(box, client):
    response = client.post(submit_url(box), {**FORM, "consent": ""})
    assert response.status_code == 400
    assert str(services.NO_CONSENT) in response.content.decode()
    assert not Feedback.objects.exists()


def test_no_name_is_kept_when_no_answer_is_asked_for(box, client):
    client.post(submit_url(box), {**FORM, "name": "Nguyễn Văn A"})
    assert Feedback.objects.get().name == ""


def test_a_contact_given_without_asking_for_an_answer_is_questioned_not_dropped(box, client):
    typed = {**FORM, "name": "Nguyễn Văn A", "email": CITIZEN_EMAIL}
    response = client.post(submit_url(box), typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert "chưa chọn “Tôi muốn nhận trả lời”" in html
    assert CITIZEN_EMAIL in html  # what was typed is still there
    assert not Feedback.objects.exists()


def test_an_answer_needs_a_way_to_reach_the_citizen_and_a_real_phone_number(box, client):
    response = client.post(submit_url(box), {**FORM, "wants_answer": "on"})
    assert str(services.NO_CONTACT) in response.content.decode()
    for wrong in ("12345", "0９１２３４５６７８", "0012345678"):
        response = client.post(submit_url(box), {**FORM, "wants_answer": "on", "phone": wrong})
        assert str(services.BAD_PHONE) in response.content.decode()
    assert not Feedback.objects.exists()
    client.post(submit_url(box), {**FORM, "wants_answer": "on", "phone": "+84 912-345-678"})
    client.post(submit_url(box), {**FORM, "wants_answer": "on", "phone": "(024) 3825.1234"})
    assert sorted(Feedback.objects.values_list("phone", flat=True)) == [
        "02438251234",
        "0912345678",
    ]


def test_the_audit_row_says_what_came_in_but_not_who_sent_it(box, client):
    client.post(submit_url(box), {**FORM, "wants_answer": "on", "email": CITIZEN_EMAIL})
    entry = AuditEntry.objects.get(action="feedback_submit")
    assert entry.actor is None
    assert entry.changes == {"kind": "proposal", "wants_answer": True, "may_quote": False}
    assert CITIZEN_EMAIL not in json.dumps(entry.changes)


def test_an_unknown_box_is_not_found_and_a_closed_one_says_so(world, box, client):
    assert client.get(reverse("voices:submit", args=["NOSUCHBOX234"])).status_code == 404
    services.feedback_box_close(actor=world.coordinator.user, box=box)
    response = client.post(submit_url(box), FORM)
    assert response.status_code == 410
    assert "không tiếp nhận" in response.content.decode()
    assert not Feedback.objects.exists()


def test_one_connection_sends_at_most_ten_feedback_an_hour_to_one_box(world, box, client):
    for _ in range(10):
        assert client.post(submit_url(box), FORM).status_code == 302
    response = client.post(submit_url(box), FORM)
    assert response.status_code == 429
    assert str(TOO_MANY_SENDINGS) in response.content.decode()
    assert Feedback.objects.count() == 10
    # Another agency's box is counted on its own.
    other = services.feedback_box_open(actor=world.admin, agency=world.other_agency)
    assert client.post(submit_url(other), FORM).status_code == 302


def test_what_a_citizen_writes_is_shown_as_text_not_run(world, box, client_for):
    feedback = send_feedback(box, subject="<script>alert(1)</script>", content="<b>đậm</b>")
    page = client_for(world.coordinator.user).get(reverse("voices:detail", args=[feedback.pk]))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>đậm</b>" not in html


def test_the_answerers_are_told_by_email_without_the_citizens_contact(
    world, box, smtp_inbox, django_capture_on_commit_callbacks
):
    org_services.person_update(
        actor=world.admin, person=world.coordinator, email="hang@vinhphuc.gov.vn"
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_feedback(box, wants_answer=True, email=CITIZEN_EMAIL)
    (message,) = smtp_inbox.messages
    assert message.rcpt_tos == ["hang@vinhphuc.gov.vn"]
    text = message.content.decode()
    assert CITIZEN_EMAIL not in text


def test_the_coordinator_answers_and_the_citizen_reads_it_by_email_and_on_their_page(
    world, box, client, client_for, smtp_inbox, django_capture_on_commit_callbacks
):
    feedback = send_feedback(box, wants_answer=True, email=CITIZEN_EMAIL)
    coordinator = client_for(world.coordinator.user)
    url = reverse("voices:detail", args=[feedback.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url, {"answer": "Văn phòng đã niêm yết lịch từ 10/01/2024."})
    assert response.status_code == 302
    (message,) = smtp_inbox.messages
    assert message.rcpt_tos == [CITIZEN_EMAIL]
    page = client.get(reverse("voices:status", args=[feedback.reference])).content.decode()
    assert "Đã trả lời" in page and "niêm yết lịch từ 10/01/2024" in page
    entry = AuditEntry.objects.get(action="feedback_answer")
    assert entry.actor == world.coordinator.user
    assert entry.target_id == str(feedback.pk)


def test_a_second_answer_at_the_same_time_is_refused_and_its_text_kept(world, box, client_for):
    feedback = send_feedback(box)
    url = reverse("voices:detail", args=[feedback.pk])
    client_for(world.chief.user).get(url)  # both open the page…
    services.feedback_answer(actor=world.chief.user, feedback=feedback, answer="Trả lời của Chánh")
    response = client_for(world.coordinator.user).post(url, {"answer": "Trả lời thứ hai"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Trả lời của Chánh" in html and "Trả lời thứ hai" in html
    assert Feedback.objects.get().answer == "Trả lời của Chánh"


def test_leadership_reads_feedback_but_neither_answers_nor_sees_the_contact(world, box, client_for):
    org_services.role_grant(
        actor=world.admin, person=world.head_a, role=Role.LEADERSHIP, agency=world.agency
    )
    feedback = send_feedback(box, wants_answer=True, email=CITIZEN_EMAIL)
    reader = client_for(world.head_a.user)
    url = reverse("voices:detail", args=[feedback.pk])
    page = reader.get(url)
    assert page.status_code == 200 and CITIZEN_EMAIL not in page.content.decode()
    assert reader.post(url, {"answer": "x"}).status_code == 403
    assert CITIZEN_EMAIL in client_for(world.coordinator.user).get(url).content.decode()


@pytest.mark.parametrize("persona", ["staff_a", "staff_b", "head_a", "outsider", "anonymous"])
def test_outsiders_do_not_reach_the_agencys_feedback(world, box, client_for, persona):
    feedback = send_feedback(box)
    user = None if persona == "anonymous" else getattr(world, persona).user
    client = client_for(user)
    detail = client.get(reverse("voices:detail", args=[feedback.pk]))
    listing = client.get(reverse("voices:list") + f"?agency={world.agency.pk}")
    if user is None:
        assert detail.status_code == listing.status_code == 302  # to the sign-in page
    else:
        assert detail.status_code == 404
        assert listing.status_code == 403


def test_the_coordinator_opens_the_box_and_gets_its_address_and_qr(world, client_for):
    coordinator = client_for(world.coordinator.user)
    listing = reverse("voices:list") + f"?agency={world.agency.pk}"
    assert "Chưa mở" in coordinator.get(listing).content.decode()
    coordinator.post(reverse("voices:box_open"), {"agency": world.agency.pk, "contact_days": 60})
    page = coordinator.get(listing).content.decode()
    box = world.agency.feedback_box
    assert box.is_open and box.contact_days == 60
    assert reverse("voices:submit", args=[box.code]) in page
    qr = coordinator.get(reverse("voices:box_qr") + f"?agency={world.agency.pk}")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert AuditEntry.objects.filter(action="feedback_box_open").count() == 1


def test_staff_cannot_open_the_box(world, client_for):
    org_services.role_grant(
        actor=world.admin, person=world.head_a, role=Role.LEADERSHIP, agency=world.agency
    )
    response = client_for(world.head_a.user).post(
        reverse("voices:box_open"), {"agency": world.agency.pk, "contact_days": 60}
    )
    assert response.status_code == 403
    assert not hasattr(world.agency, "feedback_box")


def test_contact_details_are_erased_once_the_answer_is_older_than_the_boxs_term(world, client):
    box = open_box(world, contact_days=90)
    answered = send_feedback(box, wants_answer=True, name="Nguyễn Văn A", email=CITIZEN_EMAIL)
    recent = send_feedback(box, wants_answer=True, phone="0912345678")
    waiting = send_feedback(box, wants_answer=True, phone="0987654321")
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=91)):
        services.feedback_answer(actor=world.coordinator.user, feedback=answered, answer="Đã xử lý")
    with time_machine.travel(now - datetime.timedelta(days=89)):
        services.feedback_answer(actor=world.coordinator.user, feedback=recent, answer="Đã xử lý")
    # Raising the term later does not keep what the citizen was told would go.
    services.feedback_box_open(actor=world.coordinator.user, agency=world.agency, contact_days=730)
    call_command("voices", "forget")
    answered.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert (answered.name, answered.email, answered.phone) == ("", "", "")
    assert answered.contact_erased_at is not None and answered.content  # the words stay
    assert recent.phone == "0912345678" and waiting.phone == "0987654321"
    assert AuditEntry.objects.filter(action="feedback_contact_expire").count() == 1
    call_command("voices", "forget")  # a second run the same day erases nothing more
    assert AuditEntry.objects.filter(action="feedback_contact_expire").count() == 1


def test_contact_details_of_feedback_nobody_answered_go_a_year_after_receipt(world, box):
    waiting = send_feedback(box, wants_answer=True, phone="0987654321")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=364)):
        assert services.feedback_contacts_expire() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=366)):
        assert services.feedback_contacts_expire() == 1
    waiting.refresh_from_db()
    assert waiting.phone == "" and waiting.content


def test_no_answer_email_goes_out_once_the_citizens_address_is_erased(
    world, box, agency_admin, smtp_inbox, django_capture_on_commit_callbacks
):
    feedback = send_feedback(box, wants_answer=True, email=CITIZEN_EMAIL)
    # The worker is slow: the answer's e-mail waits in the queue while the citizen asks for
    # erasure; the queue holds only the feedback's id, so nothing is sent to the erased address.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.feedback_answer(actor=world.coordinator.user, feedback=feedback, answer="Đã xử lý")
    services.citizen_data_erase(
        actor=agency_admin, agency=world.agency, contact=CITIZEN_EMAIL, reason="Yêu cầu"
    )
    for callback in queued:
        callback()
    assert smtp_inbox.messages == []


@pytest.fixture
def agency_admin(world):
    org_services.role_grant(
        actor=world.admin, person=world.chief, role=Role.ADMIN, agency=world.agency
    )
    return world.chief.user


def test_an_administrator_finds_a_citizens_feedback_by_phone_typed_any_way_and_exports_it(
    world, box, agency_admin, client_for
):
    mine = send_feedback(box, wants_answer=True, name="Trần Thị B", phone="0912345678")
    send_feedback(box, wants_answer=True, phone="0987654321")  # someone else's
    admin = client_for(agency_admin)
    url = reverse("voices:citizen_data") + f"?agency={world.agency.pk}"
    page = admin.post(url, {"contact": "+84 912 345 678", "action": "find"}).content.decode()
    assert mine.reference in page and "1 ý kiến" in page
    response = admin.post(url, {"contact": "0912.345.678", "action": "export"})
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert [row["reference"] for row in data["feedback"]] == [mine.reference]
    assert data["feedback"][0]["name"] == "Trần Thị B"
    assert AuditEntry.objects.filter(action="citizen_data_export").count() == 1


def test_erasing_at_a_citizens_request_keeps_the_row_and_the_agencys_answer(
    world, box, agency_admin, client_for
):
    feedback = send_feedback(box, wants_answer=True, name="Trần Thị B", email=CITIZEN_EMAIL)
    services.feedback_answer(actor=world.coordinator.user, feedback=feedback, answer="Đã xử lý")
    url = reverse("voices:citizen_data") + f"?agency={world.agency.pk}"
    response = client_for(agency_admin).post(
        url,
        {
            "contact": CITIZEN_EMAIL.upper(),
            "reason": "Đơn đề nghị ngày 05/01/2024",
            "action": "erase",
        },
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert (feedback.name, feedback.email) == ("", "")
    assert "Hồ sơ của tôi" not in feedback.content
    assert feedback.answer == "Đã xử lý" and feedback.status == Feedback.Status.ANSWERED
    labels = AuditEntry.objects.filter(target_id=str(feedback.pk)).values_list(
        "target_label", flat=True
    )
    assert not any("đất đai" in label for label in labels)
    erasure = AuditEntry.objects.get(action="citizen_data_erase")
    assert erasure.changes == {"reason": "Đơn đề nghị ngày 05/01/2024"}


def test_an_unknown_contact_and_a_missing_reason_change_nothing(
    world, box, agency_admin, client_for
):
    feedback = send_feedback(box, wants_answer=True, email=CITIZEN_EMAIL)
    url = reverse("voices:citizen_data") + f"?agency={world.agency.pk}"
    admin = client_for(agency_admin)
    response = admin.post(url, {"contact": "ai@do.vn", "reason": "Yêu cầu", "action": "erase"})
    assert str(services.NOTHING_FOUND) in response.content.decode()
    response = admin.post(url, {"contact": CITIZEN_EMAIL, "reason": " ", "action": "erase"})
    assert response.status_code == 400
    # The reason outlives the erasure, so it may not name the citizen's address.
    reason = f"Đơn của {CITIZEN_EMAIL} ngày 05/01/2024"
    response = admin.post(url, {"contact": CITIZEN_EMAIL, "reason": reason, "action": "erase"})
    assert str(services.REASON_NAMES_CITIZEN) in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.email == CITIZEN_EMAIL


def test_only_administrators_handle_a_citizens_data(world, box, client_for):
    feedback = send_feedback(box, wants_answer=True, email=CITIZEN_EMAIL)
    url = reverse("voices:citizen_data") + f"?agency={world.agency.pk}"
    erase = {"contact": CITIZEN_EMAIL, "reason": "Yêu cầu", "action": "erase"}
    for persona in (world.coordinator, world.staff_b, world.outsider):
        client = client_for(persona.user)
        assert client.get(url).status_code == 403
        assert client.post(url, erase).status_code == 403
        assert client.post(url, {"contact": CITIZEN_EMAIL, "action": "export"}).status_code == 403
    feedback.refresh_from_db()
    assert feedback.email == CITIZEN_EMAIL


def test_a_citizen_without_contact_is_found_by_their_reference(
    world, box, agency_admin, client_for
):
    feedback = send_feedback(box)
    url = reverse("voices:citizen_data") + f"?agency={world.agency.pk}"
    page = client_for(agency_admin).post(
        url, {"contact": feedback.reference.lower(), "action": "find"}
    )
    assert feedback.reference in page.content.decode() and "1 ý kiến" in page.content.decode()


def test_the_citizens_page_is_not_cached_nor_indexed_and_shows_no_contact(world, box, client):
    feedback = send_feedback(box, wants_answer=True, name="Trần Thị B", email=CITIZEN_EMAIL)
    page = client.get(reverse("voices:status", args=[feedback.reference]))
    assert "no-store" in page["Cache-Control"] and page["X-Robots-Tag"] == "noindex"
    html = page.content.decode()
    assert CITIZEN_EMAIL not in html and "Trần Thị B" not in html


def test_a_flooded_box_gets_a_new_address_and_the_old_one_stops(world, box, client, client_for):
    old = submit_url(box)
    coordinator = client_for(world.coordinator.user)
    coordinator.post(reverse("voices:box_new_address"), {"agency": world.agency.pk})
    box.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(submit_url(box)).status_code == 200
    assert AuditEntry.objects.filter(action="feedback_box_new_address").count() == 1


@pytest.mark.parametrize("persona", ["staff_b", "head_a", "outsider"])
def test_only_the_boxs_managers_close_it_or_change_its_address(world, box, client_for, persona):
    client = client_for(getattr(world, persona).user)
    data = {"agency": world.agency.pk}
    assert client.post(reverse("voices:box_close"), data).status_code == 403
    assert client.post(reverse("voices:box_new_address"), data).status_code == 403
    assert client.get(reverse("voices:box_qr"), data).status_code == 403
    old_code = box.code
    box.refresh_from_db()
    assert box.is_open and box.code == old_code


def test_a_staff_members_own_export_counts_the_feedback_they_answered_but_not_the_citizen(
    world, box
):
    feedback = send_feedback(box, wants_answer=True, name="Trần Thị B", email=CITIZEN_EMAIL)
    services.feedback_answer(
        actor=world.coordinator.user, feedback=feedback, answer="Cảm ơn bà Trần Thị B"
    )
    data = personal_data.collect(world.coordinator)
    (table,) = [t for t in data.tables if t.key == "voices.feedback"]
    assert len(table.rows) == 1
    text = personal_data.as_json(data).decode()
    for private in (CITIZEN_EMAIL, "Trần Thị B", "đất đai", feedback.reference):
        assert private not in text  # the reference would open the citizen's own page


def test_the_list_page_makes_the_same_number_of_queries_for_many_feedback(
    world, box, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = client_for(world.coordinator.user)
    url = reverse("voices:list") + f"?agency={world.agency.pk}"
    send_feedback(box)
    with CaptureQueriesContext(connection) as one:
        coordinator.get(url)
    for _ in range(20):
        send_feedback(box)
    with django_assert_num_queries(len(one)):
        page = coordinator.get(url)
    assert len(re.findall(r'href="/feedback/\d+/"', page.content.decode())) == 21


def test_an_empty_sending_says_what_is_missing_and_saves_nothing(box, client):
    response = client.post(submit_url(box), {})
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_citizen_finds_their_page_by_typing_the_reference(box, client):
    feedback = send_feedback(box)
    lookup = reverse("voices:lookup")
    response = client.get(lookup, {"reference": f" {feedback.reference.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("voices:status", args=[feedback.reference])
    wrong = client.get(lookup, {"reference": "AAAAAAAAAA"})
    assert wrong.status_code == 404 and "Không có ý kiến nào có mã này" in wrong.content.decode()
    assert client.get(lookup, {"reference": "abc"}).status_code == 400


def test_references_cannot_be_guessed_by_the_thousand(box, client):
    lookup = reverse("voices:lookup")
    for attempt in range(30):
        client.get(lookup, {"reference": f"AAAAAAA{attempt:03}"})
    feedback = send_feedback(box)
    assert client.get(lookup, {"reference": feedback.reference}).status_code == 429


def test_a_phone_user_sees_what_to_put_right_at_the_top_of_the_page(box, client):
    response = client.post(submit_url(box), {**FORM, "consent": ""})
    summary = response.content.decode().split('data-testid="errors"')[1].split("</div>")[0]
    assert str(services.NO_CONSENT) in summary and 'href="#id_consent"' in summary
