"""The plan's budget: lines, expenses against them, what remains, and overspending."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from loa.budget import queries, services
from loa.budget.models import BudgetLine, Expense
from loa.core.models import AuditEntry
from loa.plans import services as plan_services
from loa.plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    plan = make_plan(world)
    plan_services.plan_submit(actor=world.coordinator.user, plan=plan)
    plan_services.plan_approve(actor=world.chief.user, plan=plan)
    return plan


def test_a_coordinator_keeps_lines_and_expenses_and_sees_what_remains(world, plan, client_for):
    client = client_for(world.coordinator.user)
    url = reverse("budget:plan", args=[plan.pk])
    client.post(
        url, {"form": "line", "name": "Hội nghị, sinh hoạt chuyên đề", "amount": "5.000.000"}
    )
    line = BudgetLine.objects.get()
    assert line.amount == 5_000_000
    client.post(
        url,
        {
            "form": "expense",
            "line": line.pk,
            "spent_on": "15/03/2023",
            "amount": "1.250.000 đ",
            "payee": "Công ty In Vĩnh Phúc",
            "description": "In tài liệu hội nghị",
        },
    )
    expense = Expense.objects.get()
    assert expense.amount == 1_250_000 and expense.spent_on == datetime.date(2023, 3, 15)
    page = client.get(url).content.decode()
    assert "5.000.000 đ" in page and "1.250.000 đ" in page and "3.750.000 đ" in page
    assert AuditEntry.objects.filter(action="expense_add", actor=world.coordinator.user)


def test_an_overspent_line_is_warned_about(world, plan, client_for):
    line = services.budget_line_create(
        actor=world.coordinator.user, plan=plan, name="Tuyên truyền trên Cổng", amount=1_000_000
    )
    for amount in (700_000, 500_000):
        services.expense_add(
            actor=world.coordinator.user,
            line=line,
            spent_on=datetime.date(2023, 5, 1),
            amount=amount,
            payee="Trung tâm Tin học – Công báo",
        )
    assert [lin.name for lin in queries.overspent(plan)] == ["Tuyên truyền trên Cổng"]
    page = client_for(world.chief.user).get(reverse("budget:plan", args=[plan.pk])).content.decode()
    assert "“Tuyên truyền trên Cổng” bị chi vượt." in page
    assert "-200.000 đ" in page


def test_bad_amounts_are_refused_with_a_message_and_nothing_is_saved(world, plan, client_for):
    client = client_for(world.coordinator.user)
    url = reverse("budget:plan", args=[plan.pk])
    for amount in ("abc", "-5", "0", "1,5", "9" * 30):
        response = client.post(url, {"form": "line", "name": "Khác", "amount": amount})
        assert response.status_code == 400, amount
    assert not BudgetLine.objects.exists()
    assert (
        "Hãy nhập số tiền"
        in client.post(url, {"form": "line", "name": "X", "amount": "abc"}).content.decode()
    )


def test_only_the_coordinator_writes_and_outsiders_see_nothing(world, plan, client_for):
    url = reverse("budget:plan", args=[plan.pk])
    for person in (world.staff_a, world.head_a):
        assert (
            client_for(person.user)
            .post(url, {"form": "line", "name": "X", "amount": "1"})
            .status_code
            == 403
        )
    assert client_for(world.outsider.user).get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.budget_line_create(actor=world.chief.user, plan=plan, name="X", amount=1)
    assert client_for(world.chief.user).get(url).status_code == 200  # leadership reads it


def test_an_expense_links_an_activity_of_the_agency_only(world, plan):
    from loa.events.tests.factories import make_activity

    line = services.budget_line_create(
        actor=world.coordinator.user, plan=plan, name="Hội nghị", amount=10
    )
    foreign = make_activity(
        world, agency=world.other_agency, actor=world.admin, organizer=None, audience={}
    )
    with pytest.raises(ValidationError):
        services.expense_add(
            actor=world.coordinator.user, line=line, spent_on=datetime.date(2023, 1, 1),
            amount=5, payee="X", activity=foreign,
        )  # fmt: skip
    assert not Expense.objects.exists()


def test_the_budget_exports_to_xlsx(world, plan, client_for):
    from openpyxl import load_workbook

    line = services.budget_line_create(
        actor=world.coordinator.user,
        plan=plan,
        name="Hội nghị",
        amount=2_000_000,
        source="Chi thường xuyên",
    )
    services.expense_add(
        actor=world.coordinator.user, line=line, spent_on=datetime.date(2023, 6, 2),
        amount=500_000, payee='=HYPERLINK("x")',
    )  # fmt: skip
    response = client_for(world.coordinator.user).get(reverse("budget:export", args=[plan.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Khoản dự toán", "Nguồn kinh phí", "Dự toán", "Đã chi", "Còn lại")
    assert rows[1] == ("Hội nghị", "Chi thường xuyên", 2_000_000, 500_000, 1_500_000)
    assert rows[-1][0] == "02/06/2023" and rows[-1][3] == '=HYPERLINK("x")'
