"""Personal data under Decree 13/2023/NĐ-CP: an administrator exports everything Loa holds about
one person, or erases it by anonymising, so that every record and figure stays."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from loa.core.models import AuditEntry, User
from loa.events import services as events_services
from loa.events.models import Attendance
from loa.events.tests.factories import make_activity
from loa.org import personal_data, services
from loa.org.models import Person, Role
from loa.org.tests.factories import PASSWORD, make_person
from loa.outreach import queries as outreach_queries
from loa.outreach import services as outreach_services
from loa.outreach.models import Delivery

pytestmark = pytest.mark.django_db

COMMENT_A = "Phòng HCQT đã quán triệt tới toàn thể công chức"
COMMENT_B = "Đề nghị gửi thêm bản mềm cho Trung tâm"
EMAIL_A = "dunglt@vinhphuc.gov.vn"
EMAIL_B = "baodq@vinhphuc.gov.vn"


@pytest.fixture
def office(world, django_capture_on_commit_callbacks):
    """The world, with the chief as the agency's administrator, a dispatch sent to the whole
    agency and acknowledged by staff of A and of B with comments, and an activity attended."""
    services.role_grant(actor=world.admin, person=world.chief, role=Role.ADMIN, agency=world.agency)
    services.person_update(
        actor=world.admin, person=world.staff_a, email=EMAIL_A, phone="0912 345 678"
    )
    services.person_update(actor=world.admin, person=world.staff_b, email=EMAIL_B)
    world.staff_a.refresh_from_db()
    world.staff_b.refresh_from_db()
    dispatch = outreach_services.dispatch_create(
        actor=world.coordinator.user,
        agency=world.agency,
        title="Quán triệt Nghị quyết 76/NQ-CP",
        audience={"whole_agency": True},
        channels=["inbox"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        outreach_services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
    for person, comment in ((world.staff_a, COMMENT_A), (world.staff_b, COMMENT_B)):
        outreach_services.delivery_acknowledge(
            actor=person.user,
            delivery_id=dispatch.deliveries.get(person=person).pk,
            channel="inbox",
            comment=comment,
        )
    activity = make_activity(world, starts_in_hours=-3)  # ended an hour ago
    events_services.attendance_mark(
        actor=world.coordinator.user, activity=activity, person=world.staff_a, present=True
    )
    world.dispatch = dispatch
    world.activity = activity
    return world


def export(client, person) -> tuple[dict, bytes]:
    response = client.post(reverse("org:person_export", args=[person.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert f"loa-du-lieu-ca-nhan-{person.pk}.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.json", "data.xlsx"]
    return json.loads(archive.read("data.json")), archive.read("data.xlsx")


def records(data: dict, model: str) -> list[dict]:
    return [row for group in data["records"] if group["model"] == model for row in group["rows"]]


def erase(client, person, **data):
    form = {"confirm": person.code, "reason": "Đơn đề nghị ngày 02/12/2026 của người lao động"}
    return client.post(reverse("org:person_erase", args=[person.pk]), {**form, **data})


# --- export --------------------------------------------------------------------------------


def test_export_gathers_the_persons_data_from_every_app(office, client_for):
    data, workbook = export(client_for(office.chief.user), office.staff_a)
    assert data["format"] == "loa-personal-data/1"
    person = data["person"]
    assert person["full_name"] == "Lê Thị Dung"
    assert person["code"] == office.staff_a.code
    assert person["email"] == EMAIL_A and person["phone"] == "0912 345 678"
    assert person["unit"] == "Phòng Hành chính – Quản trị"
    assert person["category"] and person["recorded_since"]
    account = data["account"]
    assert account["username"] == "staff_a" and account["email"] == EMAIL_A
    assert {"last_login", "date_joined"} <= account.keys()
    # Found by walking the relations: outreach, events and the audit log.
    (delivery,) = records(data, "outreach.delivery")
    assert delivery["fields"]["comment"] == COMMENT_A
    assert delivery["fields"]["acknowledged_at"]
    assert delivery["fields"]["dispatch"] == "Quán triệt Nghị quyết 76/NQ-CP"
    (attendance,) = records(data, "events.attendance")
    assert attendance["fields"]["present"] is True
    groups = {group["model"]: group for group in data["records"]}
    assert groups["events.attendance"]["verbose_name"]
    own_actions = {row["fields"]["action"] for row in records(data, "core.auditentry")}
    assert "delivery_acknowledge" in own_actions
    about = {row["fields"]["action"] for row in records(data, "audit_about")}
    assert {"person_create", "person_update"} <= about
    # The same, for people to read.
    sheets = load_workbook(io.BytesIO(workbook)).worksheets
    cells = {str(c.value) for sheet in sheets for row in sheet.iter_rows() for c in row}
    assert "Lê Thị Dung" in cells and COMMENT_A in cells and EMAIL_A in cells


def test_export_holds_no_password_hash_no_secret_and_nothing_of_another_person(office, client_for):
    client = client_for(office.chief.user)
    raw = json.dumps(export(client, office.staff_a)[0], ensure_ascii=False)
    assert office.staff_a.user.password not in raw and "md5$" not in raw
    assert '"password"' not in raw
    for other in (office.staff_b, office.coordinator, office.chief):
        assert other.full_name not in raw and other.user.username not in raw
    assert EMAIL_B not in raw and COMMENT_B not in raw
    # An administrator's own export lists their authenticator app, never its key.
    data, _workbook = export(client, office.chief)
    (device,) = records(data, "otp_totp.totpdevice")
    assert "key" not in device["fields"]
    assert office.chief.user.totpdevice_set.get().key not in json.dumps(data)
    # The activity's room code is not theirs to take away either.
    data, _workbook = export(client, office.coordinator)
    assert records(data, "events.activity")  # they created it
    assert office.activity.checkin_code not in json.dumps(data)


def test_export_leaves_an_audit_row_without_the_data(office, client_for):
    export(client_for(office.chief.user), office.staff_a)
    entry = AuditEntry.objects.get(action="person_data_export")
    assert entry.actor == office.chief.user
    assert entry.target_id == str(office.staff_a.pk)
    assert entry.changes["records"] > 0
    assert COMMENT_A not in json.dumps(entry.changes, ensure_ascii=False)


# --- erasure -------------------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_keeps_every_record(office, client_for):
    staff = office.staff_a
    delivery = Delivery.objects.get(dispatch=office.dispatch, person=staff)
    reach_before = outreach_queries.reach(office.dispatch.deliveries.all())
    assert reach_before.acknowledged == 2
    client = client_for(office.chief.user)
    response = erase(client, staff)
    assert response.status_code == 302
    assert response["Location"] == reverse("org:person", args=[staff.pk])

    staff.refresh_from_db()
    assert staff.full_name == personal_data.erased_name(staff)
    assert staff.email == staff.phone == staff.code == staff.zalo_id == ""
    assert not staff.is_active
    assert staff.search_name != "le thi dung"
    assert not staff.roles.filter(revoked_at__isnull=True).exists()
    user = User.objects.get(pk=staff.user_id)
    assert user.username == f"erased-{staff.pk}"
    assert user.email == "" and not user.is_active and not user.has_usable_password()
    # The delivery stays, acknowledged, without the comment; the figures do not change.
    delivery.refresh_from_db()
    assert delivery.comment == "" and delivery.acknowledged_at is not None
    assert outreach_queries.reach(office.dispatch.deliveries.all()) == reach_before
    assert Delivery.objects.get(person=office.staff_b).comment == COMMENT_B  # others keep theirs
    assert Attendance.objects.get(activity=office.activity, person=staff).present

    # The person's page says it was done and shows the anonymised name.
    page = client.get(reverse("org:person", args=[staff.pk]))
    html = page.content.decode()
    assert [m.level_tag for m in page.context["messages"]] == ["success"]
    assert personal_data.erased_name(staff) in html and "Lê Thị Dung" not in html
    assert reverse("org:person_erase", args=[staff.pk]) not in html  # nothing more to erase


def test_erased_person_can_no_longer_sign_in(office, client, client_for):
    signed_in = client_for(office.staff_a.user)
    assert signed_in.get(reverse("outreach:inbox")).status_code == 200
    erase(client_for(office.chief.user), office.staff_a)
    # The session they had ends, and neither their old name nor the new one signs in.
    assert signed_in.get(reverse("outreach:inbox")).status_code == 302
    for username in ("staff_a", EMAIL_A, f"erased-{office.staff_a.pk}"):
        client.post(reverse("login"), {"username": username, "password": PASSWORD})
        assert "_auth_user_id" not in client.session


def test_erasure_audit_row_has_the_reason_but_not_the_erased_values(office, client_for):
    staff = office.staff_a
    code = staff.code
    erase(client_for(office.chief.user), staff, reason="Bà Lê Thị Dung đề nghị ngày 02/12/2026")
    entry = AuditEntry.objects.get(action="person_erase")
    assert entry.actor == office.chief.user and entry.target_id == str(staff.pk)
    assert "đề nghị ngày 02/12/2026" in entry.changes["reason"]
    assert entry.changes["account_closed"] is True and entry.changes["texts_cleared"] == 1
    raw = json.dumps([entry.target_label, entry.changes], ensure_ascii=False)
    for old in ("Lê Thị Dung", EMAIL_A, "0912 345 678", code, COMMENT_A):
        assert old not in raw
    # The older audit rows keep who did what and when, without what told who the person was.
    rows = AuditEntry.objects.exclude(action="person_erase")
    everything = json.dumps(list(rows.values_list("target_label", "changes")), ensure_ascii=False)
    for old in ("Lê Thị Dung", EMAIL_A, COMMENT_A):
        assert old not in everything
    assert COMMENT_B in everything  # staff of B's words are theirs to keep
    assert rows.filter(action="delivery_acknowledge", actor=staff.user).exists()


def test_the_erase_page_only_asks_and_a_wrong_confirmation_changes_nothing(office, client_for):
    client = client_for(office.chief.user)
    url = reverse("org:person_erase", args=[office.staff_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    assert "csrfmiddlewaretoken" in page.content.decode()
    refused = erase(client, office.staff_a, confirm="Đặng Quốc Bảo")
    assert refused.status_code == 400
    assert not erase(client, office.staff_a, reason="  ").status_code == 302
    office.staff_a.refresh_from_db()
    assert office.staff_a.full_name == "Lê Thị Dung" and office.staff_a.user.is_active
    assert not AuditEntry.objects.filter(action="person_erase").exists()
    # The full name confirms as well as the code (diacritics and case aside).
    assert erase(client, office.staff_a, confirm="le thi dung").status_code == 302


def test_the_last_administrator_of_an_agency_cannot_be_erased(office, client_for):
    response = erase(client_for(office.admin), office.chief)
    assert response.status_code == 400
    assert str(services.PERSON_LAST_ADMIN % {"agency": office.agency.name}) in (
        response.content.decode().replace("&#x27;", "'")
    )
    office.chief.refresh_from_db()
    assert office.chief.full_name == "Phan Thế Huy" and office.chief.user.is_active
    assert office.chief.roles.filter(role=Role.ADMIN, revoked_at__isnull=True).exists()
    # With a second administrator, the first may go.
    services.role_grant(
        actor=office.admin, person=office.coordinator, role=Role.ADMIN, agency=office.agency
    )
    services.person_erase(actor=office.admin, person=office.chief, reason="Nghỉ hưu, có đơn")
    office.chief.refresh_from_db()
    assert office.chief.full_name == personal_data.erased_name(office.chief)


def test_erasing_twice_is_refused(office):
    services.person_erase(actor=office.admin, person=office.staff_b, reason="Có đơn")
    with pytest.raises(ValidationError) as refused:
        services.person_erase(actor=office.admin, person=office.staff_b, reason="Có đơn")
    assert services.PERSON_ALREADY_ERASED in refused.value.messages
    assert AuditEntry.objects.filter(action="person_erase").count() == 1


# --- who may --------------------------------------------------------------------------------


def personal_data_requests(client, person):
    return [
        client.post(reverse("org:person_export", args=[person.pk])),
        client.get(reverse("org:person_erase", args=[person.pk])),
        erase(client, person),
    ]


def assert_unchanged(person: Person) -> None:
    before = person.full_name
    person.refresh_from_db()
    assert person.full_name == before and person.user.is_active
    assert not AuditEntry.objects.filter(action__in=["person_erase", "person_data_export"])


def test_coordinator_unit_head_and_staff_get_403_for_someone_they_see(office, client_for):
    for persona, person in (
        (office.coordinator, office.staff_a),
        (office.head_a, office.staff_a),
        (office.staff_a, office.staff_a),  # not even their own: an administrator does it
    ):
        for response in personal_data_requests(client_for(persona.user), person):
            assert response.status_code == 403, persona
    assert_unchanged(office.staff_a)


def test_staff_member_gets_404_for_someone_they_do_not_see(office, client_for):
    for response in personal_data_requests(client_for(office.staff_a.user), office.staff_b):
        assert response.status_code == 404
    assert_unchanged(office.staff_b)


def test_administrator_of_another_agency_gets_404(office, client_for):
    services.role_grant(
        actor=office.admin, person=office.outsider, role=Role.ADMIN, agency=office.other_agency
    )
    for response in personal_data_requests(client_for(office.outsider.user), office.staff_a):
        assert response.status_code == 404
    assert_unchanged(office.staff_a)


def test_anonymous_visitor_is_sent_to_sign_in(office, client_for):
    client = client_for(None)
    for response in personal_data_requests(client, office.staff_a):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert_unchanged(office.staff_a)


def test_export_is_post_only_and_get_on_erase_changes_nothing(office, client_for):
    client = client_for(office.chief.user)
    assert client.get(reverse("org:person_export", args=[office.staff_a.pk])).status_code == 405
    assert client.get(reverse("org:person_erase", args=[office.staff_a.pk])).status_code == 200
    assert_unchanged(office.staff_a)


def test_only_administrators_see_the_personal_data_buttons(office, client_for):
    url = reverse("org:person", args=[office.staff_a.pk])
    erase_url = reverse("org:person_erase", args=[office.staff_a.pk])
    assert erase_url in client_for(office.chief.user).get(url).content.decode()
    assert erase_url in client_for(office.admin).get(url).content.decode()
    assert erase_url not in client_for(office.coordinator.user).get(url).content.decode()


def test_a_superusers_account_is_erased_only_by_a_superuser(office):
    person = make_person(office.admin, office.agency, "Vũ Quản Trị", username="sysop")
    person.user.is_superuser = True
    person.user.save()
    with pytest.raises(ValidationError) as refused:
        services.person_erase(actor=office.chief.user, person=person, reason="Có đơn")
    assert services.PERSON_ERASE_SUPERUSER in refused.value.messages
    services.person_erase(actor=office.admin, person=person, reason="Có đơn")
    person.user.refresh_from_db()
    assert not person.user.is_superuser and not person.user.is_active
