"""The leadership dashboard: figures for the period, each a link to its list; a heatmap that
shows the silent units; a province's agencies side by side for the reviewer."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loa.events.tests.factories import make_activity
from loa.reports.tests.conftest import at

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:dashboard")


def figure_link(page: str, name: str) -> str:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*data-testid="figure-{name}"', page)
    return found.group(1).replace("&amp;", "&")


def test_the_dashboard_shows_the_period_and_every_figure_opens_its_list(world, year, client_for):
    client = client_for(world.chief.user)
    page = client.get(URL, {"year": 2023, "period": "q1"}).content.decode()
    assert "15/12/2022" in page and "14/03/2023" in page
    listed = client.get(figure_link(page, "activities"))
    rows = listed.content.decode()
    assert listed.status_code == 200
    assert "Sinh hoạt chuyên đề: Nghị quyết 76/NQ-CP" in rows  # the March activity
    assert "Hội nghị giao ban quý III" not in rows  # July is outside Q1
    href = figure_link(page, "dispatches")
    assert "Quán triệt Nghị quyết 76/NQ-CP" in client.get(href).content.decode()


def test_the_heatmap_shows_which_unit_was_silent_in_which_month(world, year, client_for):
    page = client_for(world.coordinator.user).get(URL, {"year": 2023, "period": "q1"})
    # The months of Q1: 12/2022, 01, 02 and 03/2023.
    heat = {unit.name: counts for unit, counts in page.context["heatmap"]["rows"]}
    assert heat[world.unit_a.name] == [0, 0, 0, 1]
    assert heat[world.unit_b.name] == [0, 0, 0, 0]  # silent all quarter
    assert 'class="heat heat-0"' in page.content.decode()


def test_the_dashboard_shows_how_the_plans_topics_and_forms_are_covered(world, year, client_for):
    page = client_for(world.chief.user).get(URL, {"year": 2023})
    forms = page.context["form_coverage"]
    assert [f.text for f in forms] == [f.text for f in year.plan.forms.all()] and forms
    for form in forms:  # each counted from the plan's tasks, a second way
        tasks = [t for t in year.plan.tasks.all() if form in t.forms.all()]
        assert form.n_tasks == len(tasks)
        assert form.n_proved == sum(1 for t in tasks if t.evidence.exists())
    assert [t.pk for t in page.context["coverage"]] == [t.pk for t in year.plan.topics.all()]
    assert 'data-testid="form-coverage"' in page.content.decode()


def test_the_dashboard_says_which_reports_are_due_late_or_submitted(world, year, client_for):
    from loa.reports import services

    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    services.report_submit(actor=world.coordinator.user, report=report, number="15/BC-VPUBND",
                           submitted_on=at("18/03/2023").date(), recipient="Sở Nội vụ")  # fmt: skip
    calendar = client_for(world.chief.user).get(URL, {"year": 2023}).context["calendar"]
    assert [due.state for due in calendar] == ["submitted", "late", "late", "late"]


def test_outsiders_see_no_dashboard_of_the_agency(world, year, client_for):
    assert client_for(world.staff_a.user).get(URL).status_code == 403  # no reading role
    foreign = client_for(world.outsider.user).get(URL, {"agency": world.agency.pk})
    assert foreign.status_code == 403
    source = reverse("reports:source", args=["activities"])
    query = {"agency": world.agency.pk, "from": "2022-12-15", "to": "2023-03-14"}
    assert client_for(world.outsider.user).get(source, query).status_code == 403


def test_a_province_reviewer_sees_the_agencies_side_by_side(world, year, client_for, reviewer):
    page = client_for(reviewer.user).get(URL, {"year": 2023}).content.decode()
    assert world.agency.name in page and world.other_agency.name in page
    rows = client_for(reviewer.user).get(URL, {"year": 2023}).context["rows"]
    ours = next(r for r in rows if r["agency"] == world.agency)
    assert ours["activities"] == 2 and ours["acknowledged"] == 2
    # and opens one agency's dashboard from there
    assert client_for(reviewer.user).get(URL, {"agency": world.agency.pk}).status_code == 200


def test_the_dashboard_asks_as_many_queries_whatever_the_data(world, year, client_for):
    client = client_for(world.coordinator.user)
    client.get(URL, {"year": 2023})  # warm: the actor, sessions
    with CaptureQueriesContext(connection) as before:
        client.get(URL, {"year": 2023})
    for day in ("02/03/2023", "03/04/2023", "04/05/2023"):
        more = make_activity(world, organizer=world.unit_b, title=f"Hoạt động {day}")
        type(more).objects.filter(pk=more.pk).update(starts_at=at(day))
    with CaptureQueriesContext(connection) as after:
        client.get(URL, {"year": 2023})
    assert len(after.captured_queries) == len(before.captured_queries)
