from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.core.forms import BootstrapFormMixin, DateInput
from loa.core.text import fold
from loa.org.models import Agency, Category, Person, Position, Role, Unit


class EffectiveDateMixin(forms.Form):
    effective_on = forms.DateField(
        label=_("Effective from"),
        widget=DateInput(),
        help_text=_("Documents dated before this day keep showing the old situation."),
    )
    note = forms.CharField(
        label=_("Decision or note"),
        required=False,
        max_length=300,
        help_text=_("E.g. the number of the decision that made the change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()


class PersonForm(BootstrapFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    code = forms.CharField(label=_("Staff code"), max_length=30, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    position = forms.ModelChoiceField(
        label=_("Position"), queryset=Position.objects.none(), required=False
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    zalo_id = forms.CharField(
        label=_("Zalo ID"),
        max_length=40,
        required=False,
        help_text=_("Their user ID as a follower of the agency's Zalo Official Account."),
    )
    is_active = forms.BooleanField(label=_("Working here"), required=False, initial=True)

    def __init__(self, *args, units, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["position"].queryset = positions
        self.fields["unit"].empty_label = _("— the agency itself —")


class ProfileForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class AgencyForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    province = forms.CharField(label=_("Province"), max_length=100)
    governing_body = forms.CharField(
        label=_("Governing body"),
        max_length=200,
        required=False,
        help_text=_("Printed above the agency's name in documents, e.g. UBND TỈNH VĨNH PHÚC."),
    )


class AgencyRenameForm(AgencyForm, EffectiveDateMixin):
    pass


class AgencyMergeForm(BootstrapFormMixin, EffectiveDateMixin):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Agency.objects.none())

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = agencies


class DissolveForm(BootstrapFormMixin, EffectiveDateMixin):
    pass


class UnitForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=30,
        required=False,
        help_text=_("Abbreviation used in document symbols, e.g. HCQT."),
    )
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units
        self.fields["parent"].empty_label = _("— directly under the agency —")


class UnitRenameForm(BootstrapFormMixin, EffectiveDateMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=30, required=False)
    field_order = ["name", "short_name", "effective_on", "note"]


class UnitMoveForm(BootstrapFormMixin, EffectiveDateMixin):
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=Unit.objects.none(), required=False
    )
    field_order = ["parent", "effective_on", "note"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units
        self.fields["parent"].empty_label = _("— directly under the agency —")


class UnitMergeForm(BootstrapFormMixin, EffectiveDateMixin):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Unit.objects.none())
    field_order = ["into", "effective_on", "note"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = units


class PositionForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=0,
        max_value=1000,
        initial=100,
        help_text=_("Lower comes first in lists and documents."),
    )


class RoleGrantForm(BootstrapFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Only for unit heads: the unit they head."),
    )

    def __init__(self, *args, people, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["unit"].queryset = units


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


ERASE_CONFIRM_MISMATCH = _("Type the staff code or the full name as shown above.")


class PersonEraseForm(BootstrapFormMixin, forms.Form):
    """Erasing cannot be undone, so the administrator types who they mean and why."""

    confirm = forms.CharField(label=_("The person's staff code or full name"), max_length=120)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. the person's request and its date. It is kept in the audit log, so do not "
            "repeat their personal data here."
        ),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm(self) -> str:
        typed = fold(self.cleaned_data["confirm"])
        expected = {fold(self.person.full_name), fold(self.person.code)} - {""}
        if typed not in expected:
            raise forms.ValidationError(ERASE_CONFIRM_MISMATCH, code="mismatch")
        return self.cleaned_data["confirm"]
