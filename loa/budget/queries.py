"""Reads for the budget: each line with what was spent and what remains."""

from dataclasses import dataclass

from django.db.models import BigIntegerField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Coalesce

from loa.budget.models import BudgetLine, Expense
from loa.plans.models import Plan


def lines_of(plan: Plan) -> QuerySet[BudgetLine]:
    """The plan's lines, each with what was `spent` and what is `remaining` (VND; negative
    when the line is overspent)."""
    spent = Coalesce(Sum("expenses__amount"), 0)
    return plan.budget_lines.annotate(
        spent=spent,
        remaining=ExpressionWrapper(F("amount") - spent, output_field=BigIntegerField()),
    )


@dataclass
class Totals:
    planned: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.planned - self.spent

    @property
    def percent(self) -> int:
        return round(100 * self.spent / self.planned) if self.planned else 0


def totals(plan: Plan) -> Totals:
    planned = plan.budget_lines.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    spent = Expense.objects.filter(line__plan=plan).aggregate(total=Coalesce(Sum("amount"), 0))
    return Totals(planned=planned, spent=spent["total"])


def expenses_of(plan: Plan) -> QuerySet[Expense]:
    return (
        Expense.objects.filter(line__plan=plan)
        .select_related("line", "activity", "dispatch")
        .order_by("spent_on", "id")
    )


def overspent(plan: Plan) -> list[BudgetLine]:
    # `remaining` is lines_of's annotation, which the type checker cannot follow.
    return [line for line in lines_of(plan) if line.remaining < 0]  # type: ignore[attr-defined]
