"""The budget of a plan: its lines, what was spent, what remains; an .xlsx of it all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from loa.budget import forms, permissions, queries, services
from loa.budget.models import Expense
from loa.core.forms import call_service
from loa.core.spreadsheets import xlsx_response
from loa.core.uploads import too_large
from loa.library.files import download
from loa.plans.permissions import plans_visible_to


def _plan(request, pk):
    return get_object_or_404(plans_visible_to(request.user).select_related("agency"), pk=pk)


@login_required
def plan_budget(request, pk):
    plan = _plan(request, pk)
    can_keep = permissions.can_keep_budget(request.user, plan)
    if request.method == "POST" and not can_keep:
        raise PermissionDenied
    if message := too_large(request):
        messages.error(request, message)
        return redirect("budget:plan", plan.pk)
    adding = request.POST.get("form")
    line_form = forms.BudgetLineForm(request.POST if adding == "line" else None)
    expense_form = forms.ExpenseForm(
        request.POST if adding == "expense" else None,
        request.FILES if adding == "expense" else None,
        plan=plan,
    )
    if adding == "line" and line_form.is_valid():
        if call_service(
            line_form, services.budget_line_create, actor=request.user, plan=plan,
            **line_form.cleaned_data,
        ):  # fmt: skip
            messages.success(request, _("The budget line has been added."))
            return redirect("budget:plan", plan.pk)
    if adding == "expense" and expense_form.is_valid():
        if call_service(
            expense_form, services.expense_add, actor=request.user, **expense_form.cleaned_data
        ):
            messages.success(request, _("The expense has been recorded."))
            return redirect("budget:plan", plan.pk)
    lines = list(queries.lines_of(plan))
    chart = {
        "type": "bar",
        "horizontal": True,
        "labels": [line.name for line in lines],
        "datasets": [
            {"label": _("planned"), "data": [line.amount for line in lines]},
            {"label": _("spent"), "data": [line.spent for line in lines]},
        ],
    }
    context = {
        "plan": plan,
        "lines": lines,
        "totals": queries.totals(plan),
        "overspent": [line for line in lines if line.remaining < 0],
        "expenses": queries.expenses_of(plan),
        "line_form": line_form,
        "expense_form": expense_form,
        "can_keep": can_keep,
        "chart": chart,
        "section": "plans",
    }
    failed = (adding == "line" and line_form.errors) or (
        adding == "expense" and expense_form.errors
    )
    return render(request, "budget/plan.html", context, status=400 if failed else 200)


@login_required
@require_POST
def expense_remove(request, pk):
    expense = get_object_or_404(Expense.objects.select_related("line__plan"), pk=pk)
    plan = _plan(request, expense.line.plan_id)
    services.expense_remove(actor=request.user, expense=expense)
    messages.success(request, _("The expense has been removed."))
    return redirect("budget:plan", plan.pk)


@login_required
@require_safe
def expense_file(request, pk):
    expense = get_object_or_404(Expense.objects.exclude(file=""), pk=pk)
    _plan(request, expense.line.plan_id)  # 404 for whoever may not see the plan
    return download(expense.file, expense.file_name, expense.file_kind)


@login_required
@require_safe
def plan_budget_export(request, pk):
    plan = _plan(request, pk)
    # The lines with what remains, then each expense: one sheet a coordinator can print.
    rows: list[list] = [
        [line.name, line.source, line.amount, line.spent, line.amount - line.spent]
        for line in queries.lines_of(plan)
    ]
    rows += [
        [],
        [
            pgettext("expense", "Date"),
            _("Budget line"),
            _("Amount (đồng)"),
            _("Paid to"),
            _("What for"),
        ],
    ]
    rows += [
        [
            expense.spent_on.strftime("%d/%m/%Y"),
            expense.line.name,
            expense.amount,
            expense.payee,
            expense.description or str(expense.activity or expense.dispatch or ""),
        ]
        for expense in queries.expenses_of(plan)
    ]
    header = [_("Budget line"), _("Source of funds"), _("Planned"), _("Spent"), _("Remaining")]
    return xlsx_response(
        title=_("Budget"), header=header, rows=rows, filename=f"kinh-phi-{plan.pk}.xlsx"
    )
