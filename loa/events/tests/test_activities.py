"""Recording activities, checking in by the room's QR code, ticking names, and the calendar."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from loa.core.models import AuditEntry
from loa.events import services
from loa.events.models import Activity, Attendance
from loa.events.tests.factories import make_activity

pytestmark = pytest.mark.django_db


def test_an_activity_freezes_who_is_expected_from_its_audience(world):
    activity = make_activity(world)
    expected = set(activity.attendance.filter(expected=True).values_list("person", flat=True))
    # Unit A with its sub-unit: the coordinator, the head, staff A and the team's member.
    assert expected == {
        world.coordinator.pk, world.head_a.pk, world.staff_a.pk, world.staff_a_team.pk
    }  # fmt: skip
    assert AuditEntry.objects.filter(action="activity_create", actor=world.coordinator.user)


def test_an_activity_that_ends_before_it_starts_is_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as refused:
        make_activity(world, hours=-1)
    assert "Hoạt động phải kết thúc sau khi bắt đầu." in str(refused.value)
    assert not Activity.objects.exists()


def test_a_unit_head_records_activities_for_their_own_unit_only(world):
    make_activity(world, actor=world.head_a.user)  # unit A: theirs
    with pytest.raises(PermissionDenied):
        make_activity(world, actor=world.head_a.user, organizer=world.unit_b)
    with pytest.raises(PermissionDenied):
        make_activity(world, actor=world.staff_a.user)


def test_checking_in_by_the_qr_link_works_only_during_the_activity_and_says_why(world, client_for):
    activity = make_activity(world, starts_in_hours=2)
    url = reverse("events:checkin", args=[activity.checkin_code])
    client = client_for(world.staff_a.user)
    early = client.post(url)
    assert early.status_code == 400
    assert "Điểm danh mở lúc" in early.content.decode()
    with time_machine.travel(activity.starts_at + datetime.timedelta(minutes=5)):
        client = client_for(world.staff_a.user)  # two idle hours later: signed in again
        assert client.post(url).status_code == 200
        assert "bạn đã được điểm danh" in client.post(url).content.decode()  # twice: still once
    with time_machine.travel(activity.ends_at + datetime.timedelta(minutes=1)):
        late = client_for(world.staff_a_team.user).post(url)
        assert "Điểm danh đã đóng lúc" in late.content.decode()
    present = Attendance.objects.get(activity=activity, person=world.staff_a)
    assert present.present and present.method == "qr"
    assert not Attendance.objects.get(activity=activity, person=world.staff_a_team).present


def test_nobody_checks_in_with_a_wrong_code_or_from_another_agency(world, client_for):
    activity = make_activity(world, starts_in_hours=0)
    with pytest.raises(ValidationError):
        services.attendance_check_in(actor=world.staff_a.user, activity=activity, code="guess")
    url = reverse("events:checkin", args=[activity.checkin_code])
    response = client_for(world.outsider.user).post(url)
    assert "Chỉ cán bộ của" in response.content.decode()
    assert not Attendance.objects.filter(person=world.outsider).exists()
    assert (
        client_for(world.staff_a.user).get(reverse("events:checkin", args=["nope"])).status_code
        == 404
    )


def test_the_organizer_ticks_names_and_a_change_after_the_end_is_a_dated_correction(
    world, client_for
):
    activity = make_activity(world, starts_in_hours=-3, hours=2)  # ended an hour ago
    client = client_for(world.head_a.user)
    url = reverse("events:attendance", args=[activity.pk])
    client.post(url, {"person": world.staff_a.pk, "present": "1"})
    row = Attendance.objects.get(activity=activity, person=world.staff_a)
    assert row.present and row.method == "ticked" and row.corrected_at is not None
    assert AuditEntry.objects.filter(action="attendance_correct", actor=world.head_a.user)
    # Nobody ticks for an activity they do not organise, nor for themselves.
    assert (
        client_for(world.staff_a.user)
        .post(url, {"person": world.staff_a.pk, "present": "1"})
        .status_code
        == 403
    )
    assert client_for(world.outsider.user).get(url).status_code == 404


def test_attendance_rate_and_absentees_by_unit_and_the_xlsx_export(world, client_for):
    import io

    from openpyxl import load_workbook

    activity = make_activity(world, starts_in_hours=0)
    for person in (world.staff_a, world.head_a):
        services.attendance_mark(
            actor=world.coordinator.user, activity=activity, person=person, present=True
        )
    page = client_for(world.coordinator.user).get(reverse("events:activity", args=[activity.pk]))
    assert "2 trên 4 người dự kiến (50%)" in page.content.decode()
    export = client_for(world.coordinator.user).get(
        reverse("events:attendance_export", args=[activity.pk])
    )
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Họ và tên", "Đơn vị", "Dự kiến", "Có mặt")
    dung = next(r for r in rows if r[0] == "Lê Thị Dung")
    assert dung[3] == "có"


def test_the_calendar_shows_the_months_activities_to_the_agencys_people_only(world, client_for):
    activity = make_activity(world, title="Hội nghị cơ quan quý IV")
    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    for view in ("month", "week", "list"):
        week = timezone.localtime(activity.starts_at).date().isoformat()
        page = client_for(world.staff_b.user).get(
            reverse("events:calendar"), {"view": view, "month": month, "week": week}
        )
        assert "Hội nghị cơ quan quý IV" in page.content.decode(), view
    other = client_for(world.outsider.user).get(reverse("events:calendar"), {"month": month})
    assert "Hội nghị cơ quan quý IV" not in other.content.decode()
    assert (
        client_for(world.outsider.user)
        .get(reverse("events:activity", args=[activity.pk]))
        .status_code
        == 404
    )
    assert client_for(None).get(reverse("events:calendar")).status_code == 302


def test_minutes_keep_formatting_but_no_script_and_become_evidence_on_the_task(world, client_for):
    from loa.plans import services as plan_services
    from loa.plans.tests.factories import make_plan

    plan = make_plan(world)
    plan_services.plan_submit(actor=world.coordinator.user, plan=plan)
    plan_services.plan_approve(actor=world.chief.user, plan=plan)
    task = plan.tasks.first()
    activity = make_activity(world, starts_in_hours=-1, tasks=[task])
    client_for(world.coordinator.user).post(
        reverse("events:minutes", args=[activity.pk]),
        {
            "minutes": "<p><strong>Đồng chí Huy</strong> quán triệt</p>"
            "<script>alert(1)</script><img src=x onerror=alert(2)>"
        },
    )
    activity.refresh_from_db()
    assert activity.minutes == "<p><strong>Đồng chí Huy</strong> quán triệt</p>"
    evidence = task.evidence.get()
    assert evidence.note.startswith("Hoạt động “Sinh hoạt chuyên đề: Nghị quyết 76/NQ-CP”")
    page = client_for(world.coordinator.user).get(reverse("plans:task", args=[task.pk]))
    assert "Sinh hoạt chuyên đề" in page.content.decode()


def test_a_photo_that_is_not_an_image_or_too_large_is_refused_with_its_name(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LOA_PHOTO_MAX_BYTES = 1024
    fake = SimpleUploadedFile("anh-hoi-nghi.jpg", b"this is not a photo at all")
    with pytest.raises(ValidationError) as refused:
        make_activity(world, files=[fake])
    assert "anh-hoi-nghi.jpg" in str(refused.value)
    big = SimpleUploadedFile("lon.png", b"\x89PNG\r\n\x1a\n" + b"0" * 4096)
    with pytest.raises(ValidationError) as refused:
        make_activity(world, files=[big])
    assert "lon.png" in str(refused.value)
    assert not Activity.objects.exists()


def test_an_ical_feed_lists_the_activities_until_it_is_revoked(world, client_for):
    activity = make_activity(world, title="Trao đổi chuyên môn về DTI")
    feed = services.feed_create(actor=world.coordinator.user, agency=world.agency)
    url = reverse("events:ical", args=[feed.token])
    body = client_for(None).get(url)
    assert body.status_code == 200 and body["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Trao đổi chuyên môn về DTI" in body.content.decode()
    assert f"activity-{activity.pk}@" in body.content.decode()
    assert client_for(None).get(reverse("events:ical", args=["wrong-token"])).status_code == 404
    services.feed_revoke(actor=world.coordinator.user, feed=feed)
    assert client_for(None).get(url).status_code == 404


def test_a_unit_without_activity_for_n_days_is_reported_once_to_its_head_and_coordinator(
    world, settings, django_capture_on_commit_callbacks, smtp_inbox
):
    from loa.org import services as org_services

    for person, email in (
        (world.head_a, "ductv@vp.gov.vn"),
        (world.coordinator, "hangnt@vp.gov.vn"),
    ):
        org_services.person_update(actor=world.admin, person=person, email=email)
    services.cadence_rule_set(actor=world.coordinator.user, agency=world.agency, silent_days=20)
    make_activity(world, organizer=world.unit_b, starts_in_hours=-24 * 5)  # unit B: active
    with django_capture_on_commit_callbacks(execute=True):
        reported = services.cadence_alert()
    assert reported >= 1
    assert smtp_inbox.received.wait(timeout=10)
    to_unit_a = [m for m in smtp_inbox.messages if "ductv@vp.gov.vn" in m.rcpt_tos]
    assert to_unit_a and "hangnt@vp.gov.vn" in to_unit_a[0].rcpt_tos
    assert "Phòng Hành chính – Quản trị" in to_unit_a[0].content.decode()
    assert not any("Trung tâm Tin học" in m.content.decode() for m in smtp_inbox.messages)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cadence_alert() == 0  # not again the next run


def test_every_activity_page_refuses_outsiders_and_staff_who_do_not_organise(world, client_for):
    activity = make_activity(world)
    organizer_only = [
        reverse("events:edit", args=[activity.pk]),
        reverse("events:minutes", args=[activity.pk]),
        reverse("events:qr", args=[activity.pk]),
        reverse("events:qr_svg", args=[activity.pk]),
        reverse("events:attendance", args=[activity.pk]),
        reverse("events:attendance_export", args=[activity.pk]),
    ]
    for url in organizer_only:
        assert client_for(world.outsider.user).get(url).status_code == 404, url
        assert client_for(world.staff_a.user).get(url).status_code == 403, url
        assert client_for(world.head_a.user).get(url).status_code == 200, url
    assert (
        client_for(world.staff_b.user)
        .post(reverse("events:cancel", args=[activity.pk]))
        .status_code
        == 403
    )
    for url in (reverse("events:create"), reverse("events:feeds"), reverse("events:types")):
        assert client_for(world.staff_a.user).get(url).status_code == 403, url
    assert client_for(world.head_a.user).get(reverse("events:types")).status_code == 403


def test_a_unit_head_sees_only_their_units_in_the_cadence_and_the_coordinator_sets_the_days(
    world, client_for
):
    make_activity(world)
    head = client_for(world.head_a.user).get(reverse("events:cadence")).content.decode()
    assert "Phòng Hành chính – Quản trị" in head and "Trung tâm Tin học – Công báo" not in head
    client = client_for(world.coordinator.user)
    client.post(reverse("events:cadence") + f"?agency={world.agency.pk}", {"silent_days": "45"})
    assert world.agency.cadence_rule.silent_days == 45
    page = client.post(
        reverse("events:cadence") + f"?agency={world.agency.pk}",
        {"silent_days": "abc"},
        follow=True,
    )
    assert "Nhập số ngày từ 1 đến 365." in page.content.decode()
    world.agency.cadence_rule.refresh_from_db()
    assert world.agency.cadence_rule.silent_days == 45


def test_the_calendar_month_page_makes_as_many_queries_for_many_activities_as_for_few(
    world, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_activity(world)
    client = client_for(world.coordinator.user)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("events:calendar")).status_code == 200
        return len(captured)

    few = count()
    for n in range(15):
        make_activity(world, starts_in_hours=n, organizer=world.unit_b)
    assert count() == few


def test_an_activity_with_nobody_expected_yet_is_recorded(world, client_for):
    activity = make_activity(world, audience={})
    assert activity.attendance.count() == 0
    page = client_for(world.coordinator.user).get(reverse("events:attendance", args=[activity.pk]))
    assert "Chưa có ai trong danh sách dự kiến" in page.content.decode()


def test_who_attended_but_is_no_longer_expected_stays_present_not_expected(world):
    activity = make_activity(world, starts_in_hours=0)
    services.attendance_mark(
        actor=world.coordinator.user, activity=activity, person=world.staff_a, present=True
    )
    services.activity_update(
        actor=world.coordinator.user, activity=activity, audience={"units": [world.unit_b.pk]}
    )
    row = Attendance.objects.get(activity=activity, person=world.staff_a)
    assert row.present and not row.expected
    expected = set(activity.attendance.filter(expected=True).values_list("person", flat=True))
    assert expected == {world.staff_b.pk}


def test_malformed_addresses_and_forms_get_a_page_not_an_error(world, client_for):
    activity = make_activity(world)
    client = client_for(world.coordinator.user)
    for query in (
        {"month": "9999-12"}, {"month": "2026-13"}, {"view": "week", "week": "0001-01-01"},
        {"view": "week", "week": "garbage"}, {"type": "9" * 30}, {"unit": "²"}, {"agency": "abc"},
    ):  # fmt: skip
        assert client.get(reverse("events:calendar"), query).status_code == 200, query
    response = client.post(reverse("events:attendance", args=[activity.pk]), {"person": "²"})
    assert response.status_code == 404


def test_a_cancelled_activity_takes_no_more_attendance_or_minutes(world):
    activity = make_activity(world, starts_in_hours=0)
    services.activity_cancel(actor=world.coordinator.user, activity=activity)
    with pytest.raises(ValidationError):
        services.attendance_mark(
            actor=world.coordinator.user, activity=activity, person=world.staff_a, present=True
        )
    with pytest.raises(ValidationError):
        services.activity_save_minutes(actor=world.coordinator.user, activity=activity, minutes="x")


def test_an_activity_counts_on_the_plan_topics_it_covers(world, client_for):
    from loa.plans import services as plan_services
    from loa.plans.tests.factories import make_plan

    plan = make_plan(world)
    plan_services.plan_submit(actor=world.coordinator.user, plan=plan)
    plan_services.plan_approve(actor=world.chief.user, plan=plan)
    indexes = plan.topics.get(code="e")  # PCI, PAR INDEX, SIPAS, PAPI, DTI
    make_activity(world, topics=[indexes], title="Trao đổi kết quả PAR INDEX 2022")
    page = client_for(world.chief.user).get(reverse("plans:detail", args=[plan.pk]))
    assert "1 hoạt động · 0 đợt gửi tài liệu" in page.content.decode()


def test_the_room_screen_refreshes_the_count_of_people_checked_in(world, client_for):
    activity = make_activity(world, starts_in_hours=0)
    services.attendance_check_in(
        actor=world.staff_a.user, activity=activity, code=activity.checkin_code
    )
    client = client_for(world.coordinator.user)
    fragment = client.get(reverse("events:qr", args=[activity.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "1 trên 4 người dự kiến đã điểm danh." in text and "<html" not in text


def test_a_photo_is_shown_to_the_agency_and_to_nobody_else(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    activity = make_activity(world, files=[SimpleUploadedFile("hoi-nghi.png", png)])
    url = reverse("events:file", args=[activity.files.get().pk])
    shown = client_for(world.staff_b.user).get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == png
    assert client_for(world.outsider.user).get(url).status_code == 404
