"""A year of work in the sample agency, dated in 2023, for the reports and the dashboard."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from loa.budget import services as budget_services
from loa.events import services as event_services
from loa.events.tests.factories import make_activity
from loa.org.models import Role
from loa.org.services import role_grant
from loa.org.tests.factories import make_person
from loa.outreach import services as outreach_services
from loa.plans import services as plan_services
from loa.plans.tests.factories import make_plan
from loa.voices import services as voices_services
from loa.voices.tests.factories import open_box, send_feedback


def at(day: str) -> datetime.datetime:
    """9:00 in Vĩnh Phúc on dd/mm/yyyy."""
    d, m, y = (int(part) for part in day.split("/"))
    return timezone.make_aware(datetime.datetime(y, m, d, 9))  # noqa: DTZ001 - made aware


@dataclass
class Year:
    plan: object
    dispatch: object
    march: object  # an activity of unit A in March (Q1)
    july: object  # an activity of unit A in July (Q3)


@pytest.fixture
def year(world, django_capture_on_commit_callbacks) -> Year:
    plan = make_plan(world)
    plan_services.plan_submit(actor=world.coordinator.user, plan=plan)
    plan_services.plan_approve(actor=world.chief.user, plan=plan)
    dispatch = outreach_services.dispatch_create(
        actor=world.coordinator.user,
        agency=world.agency,
        title="Quán triệt Nghị quyết 76/NQ-CP",
        audience={"whole_agency": True},
        channels=[],
    )
    with django_capture_on_commit_callbacks(execute=True):
        outreach_services.dispatch_send(actor=world.coordinator.user, dispatch=dispatch)
    type(dispatch).objects.filter(pk=dispatch.pk).update(sent_at=at("10/02/2023"))
    for person in (world.staff_a, world.staff_b):
        outreach_services.delivery_acknowledge(
            actor=person.user,
            delivery_id=dispatch.deliveries.get(person=person).pk,
            channel="inbox",
        )
    march, july = make_activity(world), make_activity(world, title="Hội nghị giao ban quý III")
    for activity, day in ((march, "01/03/2023"), (july, "20/07/2023")):
        type(activity).objects.filter(pk=activity.pk).update(
            starts_at=at(day), ends_at=at(day) + datetime.timedelta(hours=2)
        )
    for person in (world.staff_a, world.head_a):
        event_services.attendance_mark(
            actor=world.coordinator.user, activity=march, person=person, present=True
        )
    line = budget_services.budget_line_create(
        actor=world.coordinator.user, plan=plan, name="Hội nghị", amount=5_000_000
    )
    budget_services.expense_add(
        actor=world.coordinator.user, line=line, spent_on=datetime.date(2023, 3, 10),
        amount=1_250_000, payee="Công ty In Vĩnh Phúc",
    )  # fmt: skip
    # Citizens' feedback: two in March (one answered in April), one in July.
    box = open_box(world)
    for day, answered_on in (
        ("05/03/2023", "03/04/2023"),
        ("20/03/2023", None),
        ("10/07/2023", None),
    ):
        feedback = send_feedback(box)
        type(feedback).objects.filter(pk=feedback.pk).update(received_at=at(day))
        if answered_on:
            voices_services.feedback_answer(
                actor=world.coordinator.user, feedback=feedback, answer="Đã xử lý"
            )
            type(feedback).objects.filter(pk=feedback.pk).update(answered_at=at(answered_on))
    return Year(plan=plan, dispatch=dispatch, march=march, july=july)


@pytest.fixture
def reviewer(world):
    """Of the Department of Home Affairs: reads the whole province, writes nothing of ours."""
    person = make_person(world.admin, world.other_agency, "Vũ Thị Lan", username="reviewer")
    role_grant(actor=world.admin, person=person, role=Role.PROVINCE_REVIEWER,
               agency=world.other_agency)  # fmt: skip
    return person
