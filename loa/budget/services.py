"""Every change to the budget: lines and the expenses recorded against them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from loa.budget import permissions
from loa.budget.models import BudgetLine, Expense
from loa.core.models import User
from loa.core.services import audit_record
from loa.events.models import Activity
from loa.library.files import AttachmentError, check_upload
from loa.outreach.models import Dispatch
from loa.plans.models import Plan

LINE_EXISTS = _("The plan already has a budget line with this name.")
NOT_POSITIVE = _("Enter an amount above 0 đồng.")
NOT_OF_PLAN = _("Link an activity or a dispatch of the plan's agency.")
FILE_REFUSED = _("The file %(name)s was refused: %(reason)s")


@transaction.atomic
def budget_line_create(
    *, actor: User, plan: Plan, name: str, amount: int, source: str = ""
) -> BudgetLine:
    if not permissions.can_keep_budget(actor, plan):
        raise PermissionDenied
    name = " ".join(name.split())
    if BudgetLine.objects.filter(plan=plan, name__iexact=name).exists():
        raise ValidationError({"name": ValidationError(LINE_EXISTS, code="exists")})
    if amount <= 0:
        raise ValidationError({"amount": ValidationError(NOT_POSITIVE, code="amount")})
    line = BudgetLine.objects.create(
        plan=plan, name=name, amount=amount, source=source.strip(), created_by=actor
    )
    audit_record(actor=actor, action="budget_line_create", target=line, changes={"amount": amount})
    return line


@transaction.atomic
def budget_line_update(*, actor: User, line: BudgetLine, amount: int) -> BudgetLine:
    if not permissions.can_keep_budget(actor, line.plan):
        raise PermissionDenied
    if amount <= 0:
        raise ValidationError({"amount": ValidationError(NOT_POSITIVE, code="amount")})
    before = line.amount
    line.amount = amount
    line.save(update_fields=["amount"])
    audit_record(
        actor=actor, action="budget_line_update", target=line, changes={"amount": [before, amount]}
    )
    return line


@transaction.atomic
def expense_add(
    *,
    actor: User,
    line: BudgetLine,
    spent_on: datetime.date,
    amount: int,
    payee: str,
    description: str = "",
    activity: Activity | None = None,
    dispatch: Dispatch | None = None,
    upload=None,
) -> Expense:
    """An expense against a line, with its voucher if there is one (PDF, .docx)."""
    plan = line.plan
    if not permissions.can_keep_budget(actor, plan):
        raise PermissionDenied
    if amount <= 0:
        raise ValidationError({"amount": ValidationError(NOT_POSITIVE, code="amount")})
    for linked in (activity, dispatch):
        if linked is not None and linked.agency_id != plan.agency_id:
            raise ValidationError(NOT_OF_PLAN, code="link")
    expense = Expense(
        line=line,
        spent_on=spent_on,
        amount=amount,
        payee=" ".join(payee.split()),
        description=description.strip(),
        activity=activity,
        dispatch=dispatch,
        recorded_by=actor,
    )
    if upload is not None:
        try:
            facts = check_upload(upload)
        except AttachmentError as error:
            raise ValidationError(
                FILE_REFUSED, params={"name": upload.name, "reason": str(error)}, code="file"
            ) from None
        expense.file_name, expense.file_kind = upload.name[:200], facts.kind
        expense.file.save(expense.file_name, upload, save=False)
    expense.save()
    audit_record(
        actor=actor,
        action="expense_add",
        target=line,
        changes={"amount": amount, "payee": expense.payee, "spent_on": spent_on},
    )
    return expense


@transaction.atomic
def expense_remove(*, actor: User, expense: Expense) -> None:
    if not permissions.can_keep_budget(actor, expense.line.plan):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="expense_remove",
        target=expense.line,
        changes={"amount": expense.amount, "payee": expense.payee},
    )
    expense.delete()
