from django import forms
from django.utils.translation import gettext_lazy as _

from loa.core.forms import BootstrapFormMixin, DateInput
from loa.reports.models import PeriodKind

ROWS = {"rows": 5}


class ReportForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    results = forms.CharField(
        label=_("Other results"),
        required=False,
        widget=forms.Textarea(attrs=ROWS),
        help_text=_("What the figures do not say: one paragraph per line."),
    )
    shortcomings = forms.CharField(
        label=_("Shortcomings and their causes"), required=False, widget=forms.Textarea(attrs=ROWS)
    )
    next_tasks = forms.CharField(
        label=_("Tasks for the next period"), required=False, widget=forms.Textarea(attrs=ROWS)
    )
    proposals = forms.CharField(
        label=_("Proposals and recommendations"), required=False, widget=forms.Textarea(attrs=ROWS)
    )
    window_start = forms.DateField(label=_("Data from"), widget=DateInput())
    window_end = forms.DateField(label=_("Data to"), widget=DateInput())
    due_on = forms.DateField(label=_("Deadline"), widget=DateInput())
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signer_name = forms.CharField(label=_("Signer"), max_length=120, required=False)


class SubmitForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Number and symbol"), max_length=60, help_text=_("For example 15/BC-VPUBND.")
    )
    submitted_on = forms.DateField(label=_("Date sent"), widget=DateInput())
    recipient = forms.CharField(label=_("Sent to"), max_length=200)
    email_to = forms.EmailField(
        label=_("Also e-mail the files to"),
        required=False,
        help_text=_("The .docx and the PDF are attached once they are ready."),
    )


class RuleForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=PeriodKind.choices)
    starts_day = forms.IntegerField(label=_("Data from: day"), min_value=1, max_value=31)
    starts_month = forms.IntegerField(label=_("Data from: month"), min_value=1, max_value=12)
    starts_previous_year = forms.BooleanField(label=_("of the previous year"), required=False)
    ends_day = forms.IntegerField(label=_("Data to: day"), min_value=1, max_value=31)
    ends_month = forms.IntegerField(label=_("Data to: month"), min_value=1, max_value=12)
    due_day = forms.IntegerField(label=_("Deadline: day"), min_value=1, max_value=31)
    due_month = forms.IntegerField(label=_("Deadline: month"), min_value=1, max_value=12)


class InspectionForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Unit inspected"), queryset=None)
    scheduled_on = forms.DateField(label=_("Date of the inspection"), widget=DateInput())

    def __init__(self, *args, agency, **kwargs):
        from loa.org.models import Unit
        from loa.plans.models import Plan
        from loa.plans.permissions import RUNNING

        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(agency=agency, status__in=RUNNING)
        self.fields["plan"].empty_label = None
        self.fields["unit"].queryset = Unit.objects.filter(
            agency=agency, dissolved_on__isnull=True
        ).order_by("name")


class FollowUpForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Follow-up action"), max_length=500)
    due_on = forms.DateField(label=_("Deadline"), widget=DateInput())
