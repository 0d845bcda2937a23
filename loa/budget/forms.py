from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loa.core.forms import BootstrapFormMixin, DateInput, VndField
from loa.events.models import Activity
from loa.outreach.models import Dispatch


class BudgetLineForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Budget line"), max_length=200)
    source = forms.CharField(label=_("Source of funds"), max_length=200, required=False)
    amount = VndField(label=_("Planned (đồng)"))


class ExpenseForm(BootstrapFormMixin, forms.Form):
    line = forms.ModelChoiceField(label=_("Budget line"), queryset=None)
    spent_on = forms.DateField(label=pgettext_lazy("expense", "Date"), widget=DateInput())
    amount = VndField(label=_("Amount (đồng)"))
    payee = forms.CharField(label=_("Paid to"), max_length=200)
    description = forms.CharField(label=_("What for"), max_length=300, required=False)
    activity = forms.ModelChoiceField(
        label=_("For the activity"), queryset=Activity.objects.none(), required=False
    )
    dispatch = forms.ModelChoiceField(
        label=_("For the dispatch"), queryset=Dispatch.objects.none(), required=False
    )
    upload = forms.FileField(
        label=_("Voucher (PDF or .docx)"),
        required=False,
        help_text=_("The invoice or payment voucher, scanned."),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = plan.budget_lines.all()
        self.fields["line"].empty_label = None  # the first line is chosen until changed
        self.fields["activity"].queryset = Activity.objects.filter(
            agency=plan.agency, starts_at__year=plan.year, cancelled_at__isnull=True
        ).order_by("-starts_at")
        self.fields["dispatch"].queryset = Dispatch.objects.filter(
            agency=plan.agency, created_at__year=plan.year
        ).exclude(status="draft")
