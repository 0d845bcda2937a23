"""The demo plan is a plan under way: published, its tasks linked to the topics and forms
they serve, some proved (the demo dispatch among the proof), some units still to report."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from loa.core.models import User
from loa.org.models import Unit
from loa.outreach.models import Dispatch
from loa.plans import queries
from loa.plans.models import Plan, PlanStatus, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=StringIO())
    return Plan.objects.get(agency__name="Văn phòng UBND tỉnh Vĩnh Phúc")


def user(username):
    return User.objects.get(username=username)


def test_the_demo_plan_is_published_so_the_province_reviewer_sees_it(plan, client_for):
    assert plan.status == PlanStatus.PUBLISHED
    assert plan.approved_by == user("chanhvanphong")
    page = client_for(user("sonoivu")).get(reverse("plans:list"))
    assert list(page.context["plans"]) == [plan]
    assert (
        client_for(user("sonoivu")).get(reverse("plans:coverage", args=[plan.pk])).status_code
        == 200
    )


def test_the_demo_tasks_serve_topics_through_forms_with_gaps_left(plan, client_for):
    coverage = client_for(user("dieuphoi")).get(reverse("plans:coverage", args=[plan.pk]))
    matrix = coverage.context["coverage"].topic_form
    topics = {t.code: t.pk for t in plan.topics.all()}
    meetings, documents, exchanges = (f.pk for f in plan.forms.order_by("order"))
    assert matrix[(topics["c"], documents)] == 2  # the briefings and the e-portal
    assert matrix[(topics["a"], meetings)] == 1
    assert (topics["đ"], meetings) not in matrix  # a gap the coordinator can see
    assert "loa-cover-yes" in coverage.content.decode()


def test_the_demo_plan_is_under_way(plan):
    tasks = queries.tasks_with_status(plan.tasks.order_by("order"))
    assert [t.status for t in tasks] == [
        TaskStatus.IN_PROGRESS,  # 1. some units have briefed their people, not all
        TaskStatus.DONE,  # 2. posted on the e-portal
        TaskStatus.DONE,  # 3. funded
        TaskStatus.IN_PROGRESS,  # 4. reported every period: never done once and for all
    ]
    coverage = queries.coverage(plan)
    brief = tasks[0]
    general = Unit.objects.get(agency=plan.agency, short_name="TH")
    border = Unit.objects.get(agency=plan.agency, short_name="BTCD")
    assert coverage.task_unit[(brief.pk, general.pk)] == TaskStatus.DONE
    assert coverage.task_unit[(brief.pk, border.pk)] == TaskStatus.OVERDUE  # 2023 is over


def test_the_demo_dispatch_serves_task_1_and_is_its_evidence(plan):
    dispatch = Dispatch.objects.get(agency=plan.agency)
    brief = plan.tasks.order_by("order").first()
    assert list(dispatch.tasks.all()) == [brief]
    assert sorted(dispatch.topics.values_list("code", flat=True)) == ["a", "c"]
    evidence = brief.evidence.get(unit__isnull=True)
    assert evidence.note.startswith("Đã gửi tài liệu “Quán triệt Kế hoạch")
    assert evidence.added_by == user("dieuphoi")


def test_the_export_of_the_demo_plan_is_dated_and_carries_its_symbol(plan, client_for):
    import io

    from docx import Document as WordDocument

    data = client_for(user("dieuphoi")).get(reverse("plans:export", args=[plan.pk])).content
    rows = WordDocument(io.BytesIO(data)).tables[0].rows[1].cells
    assert rows[0].paragraphs[0].text == "Số:       /KH-VPUBND"
    assert rows[1].paragraphs[0].text == "Vĩnh Phúc, ngày 05 tháng 01 năm 2023"
