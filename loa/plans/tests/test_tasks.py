"""Tasks: evidence, a status derived from evidence and deadline, overrides with a reason,
a unit head's own list, and the coverage matrix."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.library.tests.factories import pdf_bytes
from loa.plans import queries, services
from loa.plans.models import Task, TaskStatus
from loa.plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    services.plan_approve(actor=world.chief.user, plan=plan)
    return plan


def task_of(plan, unit):
    return plan.tasks.filter(lead_unit=unit).order_by("order").first()


def status_of(task, today=datetime.date(2023, 6, 1)):
    [row] = queries.tasks_with_status(Task.objects.filter(pk=task.pk), today)
    return row.status


def test_a_task_without_evidence_is_not_started_then_overdue_after_its_deadline(plan):
    task = task_of(plan, plan.tasks.first().lead_unit)
    assert status_of(task, datetime.date(2023, 6, 1)) == TaskStatus.NOT_STARTED
    assert status_of(task, datetime.date(2024, 1, 2)) == TaskStatus.OVERDUE  # year's end passed


def test_the_unit_head_proves_their_units_task_and_it_is_done(world, plan, client_for):
    task = task_of(plan, world.unit_a)
    client = client_for(world.head_a.user)
    response = client.post(
        reverse("plans:task", args=[task.pk]),
        {
            "evidence-note": "Đã bố trí kinh phí theo dự toán",
            "evidence-file": SimpleUploadedFile("du-toan.pdf", pdf_bytes("Dự toán")),
        },
    )
    assert response.status_code == 302
    assert status_of(task) == TaskStatus.DONE
    evidence = task.evidence.get()
    assert evidence.added_by == world.head_a.user and evidence.file_name == "du-toan.pdf"
    assert AuditEntry.objects.filter(action="evidence_add", actor=world.head_a.user).exists()
    download = client.get(reverse("plans:evidence_file", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == pdf_bytes("Dự toán")
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bien-ban.pdf", b"<script>alert(1)</script>"),  # named a PDF, is not one
        ("du-toan.txt", "Dự toán".encode()),
        ("anh.jpg", b"MZ\x90\x00 an executable"),
    ],
)
def test_evidence_files_are_judged_by_their_content_not_their_name(
    world, plan, client_for, name, content
):
    task = task_of(plan, world.unit_a)
    response = client_for(world.head_a.user).post(
        reverse("plans:task", args=[task.pk]),
        {"evidence-note": "Biên bản", "evidence-file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert f"Tệp {name} bị từ chối" in response.content.decode()
    assert not task.evidence.exists()


def test_a_photo_is_evidence_and_comes_back_as_a_photo(world, plan, client_for):
    task = task_of(plan, world.unit_a)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client = client_for(world.head_a.user)
    client.post(
        reverse("plans:task", args=[task.pk]),
        {"evidence-note": "Ảnh hội nghị", "evidence-file": SimpleUploadedFile("hoi-nghi", png)},
    )
    evidence = task.evidence.get()
    download = client.get(reverse("plans:evidence_file", args=[evidence.pk]))
    assert download["Content-Type"] == "image/png"
    assert 'filename="hoi-nghi.png"' in download["Content-Disposition"]


def test_a_unit_head_cannot_prove_another_units_task(world, plan, client_for):
    task = task_of(plan, world.unit_b)
    response = client_for(world.head_a.user).post(
        reverse("plans:task", args=[task.pk]), {"evidence-note": "Giả"}
    )
    assert response.status_code == 403
    assert not task.evidence.exists()


def test_evidence_needs_a_note(world, plan, client_for):
    task = task_of(plan, world.unit_a)
    response = client_for(world.coordinator.user).post(
        reverse("plans:task", args=[task.pk]), {"evidence-note": "   "}
    )
    assert response.status_code == 400
    assert not task.evidence.exists()


def test_a_status_set_by_hand_needs_a_reason_and_is_recorded(world, plan, client_for):
    task = task_of(plan, world.unit_b)
    client = client_for(world.coordinator.user)
    url = reverse("plans:task", args=[task.pk])
    response = client.post(url, {"override-status": "done", "override-reason": ""})
    assert response.status_code == 400
    assert status_of(task) == TaskStatus.NOT_STARTED
    client.post(url, {"override-status": "done", "override-reason": "Đã đăng trên Cổng"})
    task.refresh_from_db()
    assert status_of(task) == TaskStatus.DONE and task.override_by == world.coordinator.user
    entry = AuditEntry.objects.get(action="task_override_status")
    assert entry.changes["reason"] == "Đã đăng trên Cổng"


def test_only_managers_override_a_status(world, plan, client_for):
    task = task_of(plan, world.unit_a)
    response = client_for(world.head_a.user).post(
        reverse("plans:task", args=[task.pk]),
        {"override-status": "done", "override-reason": "Tự nhận"},
    )
    assert response.status_code == 403


def test_a_unit_head_sees_their_units_tasks_overdue_first(world, plan, client_for):
    late = task_of(plan, world.unit_a)
    late.deadline = datetime.date(2020, 1, 1)
    late.save()
    response = client_for(world.head_a.user).get(reverse("plans:my_tasks"))
    tasks = response.context["tasks"]
    assert tasks[0] == late and tasks[0].status == TaskStatus.OVERDUE
    # Their unit's tasks and the one for every unit; not the IT centre's.
    assert {t.lead_unit for t in tasks} == {world.unit_a, None}


def test_a_staff_member_sees_their_units_tasks_and_cannot_prove_them(world, plan, client_for):
    client = client_for(world.staff_a.user)
    response = client.get(reverse("plans:my_tasks"))
    assert response.status_code == 200
    tasks = response.context["tasks"]
    assert {t.lead_unit for t in tasks} == {world.unit_a, None}
    assert "Nhiệm vụ của đơn vị tôi" in response.content.decode()
    task = task_of(plan, world.unit_a)
    page = client.get(reverse("plans:task", args=[task.pk]))
    assert page.status_code == 200 and not page.context["can_add_evidence"]
    assert 'name="evidence-note"' not in page.content.decode()
    refused = client.post(reverse("plans:task", args=[task.pk]), {"evidence-note": "Tự nhận"})
    assert refused.status_code == 403 and not task.evidence.exists()


def test_a_team_member_sees_the_tasks_of_the_unit_the_team_belongs_to(world, plan, client_for):
    response = client_for(world.staff_a_team.user).get(reverse("plans:my_tasks"))
    assert {t.lead_unit for t in response.context["tasks"]} == {world.unit_a, None}


def test_the_chief_sees_every_task_of_the_agency_overdue_first(world, plan, client_for):
    late = task_of(plan, world.unit_b)
    late.deadline = datetime.date(2020, 1, 1)
    late.save()
    response = client_for(world.chief.user).get(reverse("plans:my_tasks"))
    tasks = response.context["tasks"]
    assert sorted(t.pk for t in tasks) == sorted(plan.tasks.values_list("pk", flat=True))
    assert tasks[0] == late
    page = response.content.decode()
    assert "Nhiệm vụ của cơ quan" in page
    assert "Chưa có kế hoạch đã phê duyệt nào giao nhiệm vụ cho đơn vị của bạn" not in page
    listing = client_for(world.chief.user).get(reverse("plans:list")).content.decode()
    assert reverse("plans:my_tasks") in listing


def test_an_outsider_sees_none_of_the_agencys_tasks(world, plan, client_for):
    client = client_for(world.outsider.user)
    response = client.get(reverse("plans:my_tasks"))
    assert response.status_code == 200 and response.context["tasks"] == []
    task = plan.tasks.first()
    assert client.get(reverse("plans:task", args=[task.pk])).status_code == 404
    assert client_for(None).get(reverse("plans:my_tasks")).status_code == 302  # to sign in


def test_only_running_plans_give_tasks_to_do(world, plan, client_for):
    draft = make_plan(world)
    client = client_for(world.chief.user)
    shown = {t.plan_id for t in client.get(reverse("plans:my_tasks")).context["tasks"]}
    assert shown == {plan.pk} and draft.pk not in shown
    services.plan_close(actor=world.coordinator.user, plan=plan)
    assert client.get(reverse("plans:my_tasks")).context["tasks"] == []


def test_a_person_in_no_unit_is_told_so_and_not_offered_the_tasks_page(world, client_for):
    from loa.org.tests.factories import make_person

    loner = make_person(world.admin, world.agency, "Vũ Thị Lan", username="loner")
    assert "Nhiệm vụ của đơn vị tôi" not in (
        client_for(loner.user).get(reverse("plans:list")).content.decode()
    )
    page = client_for(loner.user).get(reverse("plans:my_tasks")).content.decode()
    assert "bạn chưa thuộc đơn vị nào" in page


def test_the_tasks_page_does_not_grow_queries_with_plans(
    world, plan, client_for, django_assert_max_num_queries
):
    client = client_for(world.chief.user)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("plans:my_tasks"))
    for _ in range(3):
        more = make_plan(world)
        services.plan_submit(actor=world.coordinator.user, plan=more)
        services.plan_approve(actor=world.chief.user, plan=more)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("plans:my_tasks"))


def test_the_coordinator_records_a_units_report_for_a_task_of_every_unit(world, plan, client_for):
    task = plan.tasks.get(all_units=True)
    client = client_for(world.coordinator.user)
    page = client.get(reverse("plans:task", args=[task.pk]))
    assert "evidence-unit" in page.content.decode()
    client.post(
        reverse("plans:task", args=[task.pk]),
        {"evidence-note": "Báo cáo của Trung tâm", "evidence-unit": world.unit_b.pk},
    )
    evidence = task.evidence.get()
    assert evidence.unit == world.unit_b and evidence.added_by == world.coordinator.user
    entry = AuditEntry.objects.get(action="evidence_add")
    assert entry.changes["unit"] == world.unit_b.pk
    coverage = queries.coverage(plan)
    assert coverage.task_unit[(task.pk, world.unit_b.pk)] == TaskStatus.DONE


def test_only_managers_say_which_unit_evidence_proves(world, plan):
    from django.core.exceptions import PermissionDenied, ValidationError

    task = plan.tasks.get(all_units=True)
    with pytest.raises(PermissionDenied):
        services.evidence_add(actor=world.head_a.user, task=task, note="x", unit=world.unit_b)
    foreign = world.outsider.unit
    with pytest.raises(ValidationError) as error:
        services.evidence_add(actor=world.coordinator.user, task=task, note="x", unit=foreign)
    assert error.value.message_dict["unit"] == [str(services.UNIT_NOT_ON_TASK)]
    with pytest.raises(ValidationError):
        services.evidence_add(
            actor=world.coordinator.user,
            task=task_of(plan, world.unit_b),
            note="x",
            unit=world.unit_a,  # a task of the IT centre alone
        )
    assert not AuditEntry.objects.filter(action="evidence_add").exists()


def test_a_head_of_a_unit_with_sub_units_proves_for_the_unit_not_a_sub_unit(world, plan):
    from loa.org import services as org_services
    from loa.org.models import Role
    from loa.org.tests.factories import make_person, make_unit

    make_unit(world.admin, world.agency, "Tổ Cổng thông tin điện tử", parent=world.unit_b)
    head_b = make_person(
        world.admin, world.agency, "Kiều Văn Toàn", unit=world.unit_b, username="head_b"
    )
    org_services.role_grant(
        actor=world.admin,
        person=head_b,
        role=Role.UNIT_HEAD,
        agency=world.agency,
        unit=world.unit_b,
    )
    task = plan.tasks.get(all_units=True)
    evidence = services.evidence_add(actor=head_b.user, task=task, note="Đã phổ biến")
    assert evidence.unit == world.unit_b


def test_the_coverage_matrix_colours_tasks_by_unit_and_counts_topics_by_form(
    world, plan, client_for
):
    task = task_of(plan, world.unit_b)
    task.topics.set(plan.topics.filter(code__in=["a", "đ"]))
    task.forms.set(plan.forms.order_by("order")[:1])
    response = client_for(world.coordinator.user).get(reverse("plans:coverage", args=[plan.pk]))
    coverage = response.context["coverage"]
    topic_a = plan.topics.get(code="a")
    assert coverage.topic_form[(topic_a.pk, plan.forms.order_by("order")[0].pk)] == 1
    assert coverage.task_unit[(task.pk, world.unit_b.pk)] == TaskStatus.OVERDUE  # 2023 is over
    every_unit_task = plan.tasks.get(all_units=True)
    assert (every_unit_task.pk, world.unit_a.pk) in coverage.task_unit
    assert "loa-status-overdue" in response.content.decode()


def test_plan_pages_do_not_grow_queries_with_tasks(
    world, plan, client_for, django_assert_max_num_queries
):
    client = client_for(world.coordinator.user)
    with django_assert_max_num_queries(25):
        client.get(reverse("plans:detail", args=[plan.pk]))


def test_evidence_waits_for_the_plan_to_be_approved(world):
    from django.core.exceptions import ValidationError

    draft = make_plan(world)
    with pytest.raises(ValidationError):
        services.evidence_add(
            actor=world.coordinator.user, task=draft.tasks.first(), note="Quá sớm"
        )


def test_an_oversized_evidence_file_is_refused_not_silently_dropped(world, plan, client_for):
    task = task_of(plan, world.unit_a)
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))
    response = client_for(world.head_a.user).post(
        reverse("plans:task", args=[task.pk]), {"evidence-note": "Biên bản", "evidence-file": big}
    )
    assert response.status_code == 400
    assert "Tệp lớn hơn 20 MB." in response.content.decode()
    assert not task.evidence.exists()


def test_a_task_of_every_unit_is_proved_unit_by_unit(world, plan, client_for):
    task = plan.tasks.get(all_units=True)
    client_for(world.head_a.user).post(
        reverse("plans:task", args=[task.pk]), {"evidence-note": "Đã phổ biến tới phòng"}
    )
    assert task.evidence.get().unit == world.unit_a
    assert status_of(task) == TaskStatus.IN_PROGRESS  # one unit of three has proved it
    coverage = (
        client_for(world.coordinator.user)
        .get(reverse("plans:coverage", args=[plan.pk]))
        .context["coverage"]
    )
    assert coverage.task_unit[(task.pk, world.unit_a.pk)] == TaskStatus.DONE
    assert coverage.task_unit[(task.pk, world.unit_b.pk)] == TaskStatus.OVERDUE
