"""A plan's life: draft → submitted → approved → published → closed, who may do each step,
edits locked after approval except through a new revision, and next year's copy."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.plans import services
from loa.plans.models import Plan, PlanStatus
from loa.plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def step(client, plan, name):
    return client.post(reverse("plans:step", args=[plan.pk, name]), follow=True)


def test_the_coordinator_submits_and_the_chief_of_office_approves(world, client_for):
    plan = make_plan(world)
    step(client_for(world.coordinator.user), plan, "submit")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    response = step(client_for(world.chief.user), plan, "approve")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_by == world.chief.user and plan.approved_at is not None
    entry = AuditEntry.objects.get(action="plan_approve")
    assert entry.actor == world.chief.user and entry.changes["status"] == ["submitted", "approved"]
    assert "Phan Thế Huy" in response.content.decode()  # who approved, on the plan's page


def test_nobody_but_the_chief_approves(world, client_for):
    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    for person in (world.coordinator, world.head_a, world.staff_a):
        response = client_for(person.user).post(reverse("plans:step", args=[plan.pk, "approve"]))
        assert response.status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_step_out_of_order_is_explained(world, client_for):
    plan = make_plan(world)
    response = step(client_for(world.chief.user), plan, "approve")
    assert "không thể" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_edits_are_locked_after_approval_except_by_a_new_revision(world, client_for):
    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    services.plan_approve(actor=world.chief.user, plan=plan)
    client = client_for(world.coordinator.user)
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.plan_update(actor=world.coordinator.user, plan=plan, title="Sửa lén")
    response = client.post(reverse("plans:revise", args=[plan.pk]))
    revision = Plan.objects.get(previous=plan)
    assert response["Location"] == reverse("plans:edit", args=[revision.pk])
    assert (revision.revision, revision.status, revision.tasks.count()) == (2, "draft", 4)
    assert [t.lead_unit for t in revision.tasks.all()] == [t.lead_unit for t in plan.tasks.all()]
    plan.refresh_from_db()
    assert plan.title == "Thông tin, tuyên truyền cải cách hành chính năm 2023"


def test_publish_and_close(world):
    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    services.plan_approve(actor=world.chief.user, plan=plan)
    services.plan_publish(actor=world.coordinator.user, plan=plan)
    services.plan_close(actor=world.coordinator.user, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert [
        e.action for e in AuditEntry.objects.filter(action__startswith="plan_").order_by("id")
    ] == [
        "plan_create",
        "plan_submit",
        "plan_approve",
        "plan_publish",
        "plan_close",
    ]


def test_copying_into_next_year_makes_a_draft_with_years_moved_on(world, client_for):
    plan = make_plan(world)
    task = plan.tasks.first()
    task.deadline = datetime.date(2023, 6, 30)
    task.save()
    client_for(world.coordinator.user).post(reverse("plans:copy", args=[plan.pk]))
    copy = Plan.objects.get(year=2024)
    assert copy.title == "Thông tin, tuyên truyền cải cách hành chính năm 2024"
    assert copy.status == PlanStatus.DRAFT and copy.tasks.count() == 4
    assert copy.tasks.first().deadline == datetime.date(2024, 6, 30)


def test_a_plan_without_tasks_cannot_be_submitted(world):
    plan = services.plan_create(
        actor=world.coordinator.user, agency=world.agency, year=2024, title="Kế hoạch trống"
    )
    with pytest.raises(ValidationError) as error:
        services.plan_submit(actor=world.coordinator.user, plan=plan)
    assert error.value.messages == [str(services.PLAN_NEEDS_TASKS)]


def test_drafts_are_hidden_from_staff_and_from_other_agencies(world, client_for):
    plan = make_plan(world)
    url = reverse("plans:detail", args=[plan.pk])
    assert client_for(world.staff_a.user).get(url).status_code == 404
    assert client_for(world.outsider.user).get(url).status_code == 404
    assert client_for(world.chief.user).get(url).status_code == 200
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    services.plan_approve(actor=world.chief.user, plan=plan)
    assert client_for(world.staff_a.user).get(url).status_code == 200
    assert client_for(world.outsider.user).get(url).status_code == 404


def test_the_service_refuses_a_person_of_another_agency(world):
    plan = make_plan(world)
    with pytest.raises(PermissionDenied):
        services.plan_submit(actor=world.outsider.user, plan=plan)


def _approved(world):
    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    services.plan_approve(actor=world.chief.user, plan=plan)
    return plan


def test_a_revision_carries_the_evidence_and_replaces_the_plan_once_approved(world):
    plan = _approved(world)
    task = plan.tasks.get(lead_unit=world.unit_b)
    services.evidence_add(actor=world.coordinator.user, task=task, note="Đã đăng Cổng TTĐT")
    revision = services.plan_new_revision(actor=world.coordinator.user, plan=plan)
    carried = revision.tasks.get(lead_unit=world.unit_b)
    assert [e.note for e in carried.evidence.all()] == ["Đã đăng Cổng TTĐT"]
    services.plan_submit(actor=world.coordinator.user, plan=revision)
    services.plan_approve(actor=world.chief.user, plan=revision)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    with pytest.raises(ValidationError):  # the replaced plan can no longer be published
        services.plan_publish(actor=world.coordinator.user, plan=plan)


def test_editing_a_draft_keeps_its_tasks_and_refuses_to_drop_one_with_evidence(world, client_for):
    plan = _approved(world)
    revision = services.plan_new_revision(actor=world.coordinator.user, plan=plan)
    ids = list(revision.tasks.values_list("pk", flat=True))
    client = client_for(world.coordinator.user)
    form = client.get(reverse("plans:edit", args=[revision.pk]))
    from loa.plans.tests.factories import review_post_data

    data = review_post_data(form)
    data["tasks-0-text"] = data["tasks-0-text"] + " (sửa)"
    assert client.post(reverse("plans:edit", args=[revision.pk]), data).status_code == 302
    assert list(revision.tasks.values_list("pk", flat=True)) == ids  # the same tasks, edited
    task = revision.tasks.get(pk=ids[0])
    assert task.text.endswith("(sửa)")
    # A task that carries evidence cannot be emptied away.
    carried = revision.tasks.order_by("order")[1]
    from loa.plans.models import Evidence

    Evidence.objects.create(task=carried, note="Biên bản hội nghị", added_by=world.admin)
    data["tasks-1-text"] = ""
    response = client.post(reverse("plans:edit", args=[revision.pk]), data)
    assert response.status_code == 400
    assert "Không thể bỏ nhiệm vụ đã có minh chứng." in response.content.decode()
    assert revision.tasks.count() == 4


def test_returning_a_plan_records_what_to_change(world, client_for):
    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    client_for(world.chief.user).post(
        reverse("plans:step", args=[plan.pk, "return"]), {"note": "Bổ sung thời hạn nhiệm vụ"}
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert AuditEntry.objects.get(action="plan_return").changes["note"] == (
        "Bổ sung thời hạn nhiệm vụ"
    )


def test_the_agency_can_name_an_approver_other_than_the_chief(world):
    from loa.org import services as org_services
    from loa.org.models import Role

    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    org_services.role_grant(
        actor=world.admin, person=world.head_a, role=Role.APPROVER, agency=world.agency
    )
    services.plan_approve(actor=world.head_a.user, plan=plan)
    plan.refresh_from_db()
    assert plan.approved_by == world.head_a.user


def test_the_province_reviewer_sees_published_plans_not_internal_ones(world, client_for):
    from loa.org import services as org_services
    from loa.org.models import Role

    org_services.role_grant(
        actor=world.admin,
        person=world.outsider,
        role=Role.PROVINCE_REVIEWER,
        agency=world.other_agency,
    )
    plan = _approved(world)
    url = reverse("plans:detail", args=[plan.pk])
    client = client_for(world.outsider.user)
    assert client.get(url).status_code == 404
    services.plan_publish(actor=world.coordinator.user, plan=plan)
    assert client.get(url).status_code == 200
