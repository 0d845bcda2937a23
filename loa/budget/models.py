"""The plan's budget: its lines (dự toán) and what was spent against each (khoản chi).

The sample plan's III.3 gives the Admin–Management Department the task to "arrange and ensure
the funds" for the year's communication; the lines and expenses prove it, and the periodic
reports quote them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.events.models import Activity
from loa.outreach.models import Dispatch
from loa.plans.models import Plan


class BudgetLine(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_lines")
    name = models.CharField(_("budget line"), max_length=200)
    source = models.CharField(
        _("source of funds"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the agency's regular expenditure for 2023"),
    )
    amount = models.PositiveBigIntegerField(_("planned (VND)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="budget_line_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Expense(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="expenses")
    spent_on = models.DateField(_("date"))
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    payee = models.CharField(_("paid to"), max_length=200)
    description = models.CharField(_("what for"), max_length=300, blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
    )
    dispatch = models.ForeignKey(
        Dispatch,
        verbose_name=_("dispatch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
    )
    file = models.FileField(upload_to="budget/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_kind = models.CharField(max_length=10, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["line", "spent_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"
