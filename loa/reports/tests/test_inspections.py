"""Inspecting a unit's implementation: a checklist from its tasks and their evidence,
findings, follow-ups on the dashboard, and the inspections in the report."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.reports import services
from loa.reports.figures import compile_figures
from loa.reports.models import Inspection

pytestmark = pytest.mark.django_db


def unit_task_ids(plan, unit) -> set[int]:
    """The tasks the plan gives the unit, counted from the plan's own lists."""
    return {
        t.pk for t in plan.tasks.all()
        if t.all_units or t.lead_unit_id == unit.pk
        or unit.pk in {u.pk for u in t.cooperating_units.all()}
    }  # fmt: skip


def test_the_checklist_is_the_units_tasks_and_findings_are_recorded(world, year, client_for):
    client = client_for(world.coordinator.user)
    client.post(
        reverse("reports:inspections"),
        {"agency": world.agency.pk, "plan": year.plan.pk, "unit": world.unit_a.pk,
         "scheduled_on": "15/04/2023"},
    )  # fmt: skip
    inspection = Inspection.objects.get()
    items = list(inspection.items.all())
    assert {i.task_id for i in items} == unit_task_ids(year.plan, world.unit_a)
    assert items, "the sample plan gives unit A tasks"
    data = {"form": "findings", "conclusion": "Cơ bản hoàn thành."}
    data |= {f"finding-{i.pk}": "met" for i in items}
    data[f"finding-{items[0].pk}"], data[f"note-{items[0].pk}"] = "not_met", "Chưa có biên bản"
    client.post(reverse("reports:inspection", args=[inspection.pk]), data)
    inspection.refresh_from_db()
    assert inspection.done_at and inspection.conclusion == "Cơ bản hoàn thành."
    assert inspection.items.filter(finding="not_met").get().note == "Chưa có biên bản"
    assert AuditEntry.objects.filter(action="inspection_record", actor=world.coordinator.user)
    figures = compile_figures(world.agency, 2023, datetime.date(2023, 3, 15),
                              datetime.date(2023, 6, 14))  # fmt: skip
    (row,) = figures["inspections"]
    assert (row["met"], row["not_met"]) == (len(items) - 1, 1)


def test_an_open_follow_up_shows_on_the_dashboard_until_it_is_done(world, year, client_for):
    inspection = services.inspection_schedule(
        actor=world.coordinator.user, plan=year.plan, unit=world.unit_b,
        scheduled_on=datetime.date(2023, 4, 15),
    )  # fmt: skip
    client = client_for(world.coordinator.user)
    client.post(reverse("reports:inspection", args=[inspection.pk]),
                {"form": "follow", "text": "Tổ chức sinh hoạt chuyên đề quý II",
                 "due_on": "30/06/2023"})  # fmt: skip
    board = client_for(world.chief.user).get(reverse("dashboard:dashboard"), {"year": 2023})
    assert "Tổ chức sinh hoạt chuyên đề quý II" in board.content.decode()
    follow_up = inspection.follow_ups.get()
    client.post(reverse("reports:follow_up_close", args=[follow_up.pk]))
    board = client_for(world.chief.user).get(reverse("dashboard:dashboard"), {"year": 2023})
    assert "Tổ chức sinh hoạt chuyên đề quý II" not in board.content.decode()


def test_only_the_coordinator_inspects_and_outsiders_see_nothing(world, year, client_for):
    with pytest.raises(PermissionDenied):
        services.inspection_schedule(actor=world.head_a.user, plan=year.plan, unit=world.unit_a,
                                     scheduled_on=datetime.date(2023, 4, 15))  # fmt: skip
    inspection = services.inspection_schedule(
        actor=world.coordinator.user, plan=year.plan, unit=world.unit_a,
        scheduled_on=datetime.date(2023, 4, 15),
    )  # fmt: skip
    url = reverse("reports:inspection", args=[inspection.pk])
    assert client_for(world.outsider.user).get(url).status_code == 404
    assert client_for(world.staff_b.user).get(url).status_code == 404
    head = client_for(world.head_a.user)
    assert head.get(url).status_code == 200  # the inspected unit's head reads it
    assert head.post(url, {"form": "findings", "conclusion": "x"}).status_code == 403
