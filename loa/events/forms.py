from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loa.core.forms import BootstrapFormMixin, DateTimeInput
from loa.events.models import ActivityType
from loa.org.models import Unit
from loa.outreach.forms import AudienceFields, MultipleFileField, PlanLinksFields


class ActivityForm(BootstrapFormMixin, PlanLinksFields, AudienceFields):
    type = forms.ModelChoiceField(
        label=pgettext_lazy("activity", "Type"), queryset=ActivityType.objects.none()
    )
    title = forms.CharField(label=pgettext_lazy("activity", "Title"), max_length=300)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(
        label=pgettext_lazy("activity", "Place"), max_length=200, required=False
    )
    organizer = forms.ModelChoiceField(
        label=_("Organizing unit"), queryset=Unit.objects.none(), required=False
    )
    cost = forms.IntegerField(
        label=_("Cost (VND)"), min_value=0, initial=0, required=False,
        help_text=_("What it cost, in đồng, for the budget (e.g. 1250000)."),
    )  # fmt: skip
    files = MultipleFileField(
        label=_("Photos and files"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP, up to 10 MB each), PDF or Word (.docx) files."),
    )
    field_order = [
        "type", "title", "starts_at", "ends_at", "place", "organizer", "document_codes",
        "topics", "tasks", "whole_agency", "units", "subunits", "categories", "roles",
        "groups", "people", "cost", "files",
    ]  # fmt: skip

    def __init__(self, *args, agency, units, whole_agency_allowed=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = ActivityType.objects.filter(agency=agency, is_active=True)
        self.fields["organizer"].queryset = units
        if whole_agency_allowed:
            self.fields["organizer"].empty_label = _("— the agency itself —")
        else:  # a unit head organises for one of their units, never for the agency
            self.fields["organizer"].required = True
            self.fields["organizer"].empty_label = None
        self.fields["files"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.webp,.pdf,.docx"
        self.choose_from(agency)
        self.link_plans(agency)
        self.fields["whole_agency"].label = _("Everyone in the agency is expected")

    def activity(self) -> dict:
        """What the services take, as the person chose it."""
        data = self.cleaned_data
        return {
            **{k: data[k] for k in ("type", "title", "starts_at", "ends_at", "place", "organizer")},
            **{k: data[k] for k in ("cost", "topics", "tasks", "files")},
            "documents": data["document_codes"],
            "audience": self.audience(),
        }

    def clean_cost(self):
        return self.cleaned_data.get("cost") or 0

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The activity must end after it starts."))
        return data


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.HiddenInput)


class ActivityTypeForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("A new type"), max_length=120)
