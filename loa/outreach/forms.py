from django import forms
from django.utils.translation import gettext_lazy as _

from loa.core.forms import BootstrapFormMixin, DateInput
from loa.library.models import Document
from loa.org.models import Category, Person, Role, Unit
from loa.outreach.models import AudienceGroup, Channel, ZaloAccount
from loa.plans.models import Task, Topic


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class PlanLinksFields(forms.Form):
    """What a dispatch or an activity carries and serves: library documents by number and
    symbol, the plan's content topics and tasks. Call `link_plans(agency)` in __init__."""

    document_codes = forms.CharField(
        label=_("Documents from the library"),
        max_length=500,
        required=False,
        help_text=_("Numbers and symbols separated by commas, e.g. 76/NQ-CP, 08/CT-UBND"),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Content topics"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("Tasks it serves"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def link_plans(self, agency) -> None:
        running = {"plan__agency": agency, "plan__status__in": ["approved", "published"]}
        self.fields["tasks"].queryset = Task.objects.filter(**running).select_related("plan")
        self.fields["topics"].queryset = Topic.objects.filter(**running).select_related("plan")
        for name in ("topics", "tasks"):
            if not self.fields[name].queryset.exists():
                self.fields[name].help_text = _(
                    "None yet: they come from the agency's approved plans."
                )

    def clean_document_codes(self):
        from loa.library.services import code_key

        codes = [c.strip() for c in self.cleaned_data["document_codes"].split(",") if c.strip()]
        documents, missing = [], []
        for code in codes:
            found = Document.objects.filter(code_key=code_key(code)).order_by("-issued_on").first()
            (documents.append(found) if found else missing.append(code))
        if missing:
            raise forms.ValidationError(
                _("The library has no document %(codes)s.") % {"codes": ", ".join(missing)}
            )
        return documents


class AudienceFields(forms.Form):
    """Who is asked: the whole agency, units (with sub-units), role holders, saved audiences,
    narrowed to categories, plus named people; resolved by `queries.audience`. Call
    `choose_from(agency)` in __init__."""

    whole_agency = forms.BooleanField(label=_("Everyone in the agency"), required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    subunits = forms.BooleanField(label=_("with their sub-units"), required=False, initial=True)
    categories = forms.MultipleChoiceField(
        label=_("Only these categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("Holders of these roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Saved audiences"),
        queryset=AudienceGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = forms.ModelMultipleChoiceField(
        label=_("Named people"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    AUDIENCE_KEYS = ("units", "people", "categories", "roles", "groups")

    def choose_from(self, agency) -> None:
        self.fields["units"].queryset = Unit.objects.filter(
            agency=agency, dissolved_on__isnull=True
        ).order_by("name")
        self.fields["people"].queryset = Person.objects.filter(agency=agency, is_active=True)
        self.fields["groups"].queryset = AudienceGroup.objects.filter(agency=agency)
        if not self.fields["groups"].queryset.exists():
            self.fields["groups"].help_text = _(
                "None saved yet: name this audience below to choose it again next time."
            )

    def audience(self) -> dict:
        data = self.cleaned_data
        return {
            "whole_agency": data.get("whole_agency", False),
            "units": [u.pk for u in data.get("units") or []],
            "subunits": data.get("subunits", False),
            "categories": list(data.get("categories") or []),
            "people": [p.pk for p in data.get("people") or []],
            "roles": list(data.get("roles") or []),
            "groups": [g.pk for g in data.get("groups") or []],
        }


class DispatchForm(BootstrapFormMixin, PlanLinksFields, AudienceFields):
    title = forms.CharField(label=_("Title of the dispatch"), max_length=300)
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=_("Other files"),
        required=False,
        help_text=_("PDF or Word (.docx) files that are not in the library, e.g. a leaflet."),
    )
    save_as = forms.CharField(
        label=_("Save this audience as"),
        max_length=120,
        required=False,
        help_text=_("A name to choose it again next time, e.g. Ban chấp hành chi bộ."),
    )
    email = forms.BooleanField(
        label=_("Also by e-mail, with a personal link"), required=False, initial=True
    )
    zalo_oa = forms.BooleanField(
        label=_("Also by our Zalo Official Account, to those who follow it"),
        required=False,
        initial=True,
    )
    acknowledge_by = forms.DateField(label=_("Acknowledge by"), required=False, widget=DateInput())
    field_order = [
        "title", "message", "document_codes", "files", "topics", "tasks",
        "whole_agency", "units", "subunits", "categories", "roles", "groups", "save_as",
        "people", "email", "zalo_oa", "acknowledge_by",
    ]  # fmt: skip

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        if not ZaloAccount.objects.filter(agency=agency, is_active=True).exists():
            del self.fields["zalo_oa"]  # nothing to send through until one is connected
        self.choose_from(agency)
        self.link_plans(agency)

    def channels(self) -> list[str]:
        chosen = {Channel.EMAIL: self.cleaned_data["email"]}
        chosen[Channel.ZALO_OA] = self.cleaned_data.get("zalo_oa", False)
        return [channel for channel, wanted in chosen.items() if wanted]


class AcknowledgeForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("A comment or a question (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WebhookForm(BootstrapFormMixin, forms.Form):
    url = forms.URLField(
        label=_("Address that receives the events"), max_length=500, assume_scheme="https"
    )


class ZaloAccountForm(BootstrapFormMixin, forms.Form):
    """The Official Account's app and tokens (from the Zalo for Developers console). The
    secret and the tokens are never shown again once saved."""

    app_id = forms.CharField(label=_("App ID"), max_length=40)
    secret_key = forms.CharField(
        label=_("App secret key"), max_length=100, widget=forms.PasswordInput(render_value=False)
    )
    access_token = forms.CharField(
        label=_("Access token"), widget=forms.PasswordInput(render_value=False)
    )
    refresh_token = forms.CharField(
        label=_("Refresh token"), widget=forms.PasswordInput(render_value=False)
    )
