"""The plan editor: one page for a new plan, an imported one under review, or a draft."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from loa.core.forms import BootstrapFormMixin, DateInput
from loa.org.models import Unit
from loa.plans.models import Recurrence, TaskStatus

LETTERED_LINE = re.compile(r"^\s*(?P<code>[a-zđ])\)\s*(?P<text>.+)$")


def lines_of(text: str) -> list[str]:
    return [line.strip().lstrip("-–+•").strip() for line in text.splitlines() if line.strip()]


def lines_field(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text or _("One per line."),
    )


class PlanForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    code = forms.CharField(
        label=_("Number and symbol"),
        max_length=60,
        required=False,
        help_text=_("Once it is issued, e.g. 15/KH-VP."),
    )
    issued_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    parent_code = forms.CharField(
        label=_("Implements"),
        max_length=60,
        required=False,
        help_text=_("Number and symbol of the plan of the level above, e.g. 321/KH-UBND."),
    )
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    purposes = lines_field(_("Purposes"))
    requirements = lines_field(_("Requirements"))
    audiences = lines_field(_("Audiences"))
    topics = lines_field(_("Content topics"), _("One per line, with its letter: a) …, b) …, đ) …"))
    communication_forms = lines_field(_("Forms of communication"))
    recipients = lines_field(_("Recipients (“Nơi nhận”)"))
    closing = forms.CharField(
        label=_("Closing paragraph"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_title = forms.CharField(label=_("Signer's title"), max_length=200, required=False)
    signer_name = forms.CharField(label=_("Signer"), max_length=120, required=False)

    def topic_pairs(self) -> list[tuple[str, str]]:
        """(letter, text) per topic. Where topics are lettered, a line without a letter
        continues the topic above it; where none is, each line is a topic."""
        lines = [line for line in self.cleaned_data["topics"].splitlines() if line.strip()]
        lettered = any(LETTERED_LINE.match(line) for line in lines)
        pairs: list[tuple[str, str]] = []
        for line in lines:
            match = LETTERED_LINE.match(line)
            if match:
                pairs.append((match["code"], match["text"].strip()))
            elif lettered and pairs:
                code, text = pairs[-1]
                pairs[-1] = (code, f"{text}\n{line.strip()}")
            else:
                pairs.append(("", line.strip()))
        return pairs


class TaskForm(BootstrapFormMixin, forms.Form):
    task_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Task"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    all_units = forms.BooleanField(label=_("Every unit"), required=False)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— choose a unit —"),
    )
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    new_unit = forms.CharField(
        label=_("Unit not found"),
        max_length=500,
        required=False,
        help_text=_("Units the text names that the agency does not have yet; separate them by ;"),
    )
    create_unit = forms.BooleanField(label=_("Create this unit"), required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    topic_codes = forms.CharField(
        label=_("Topics it serves"),
        max_length=60,
        required=False,
        help_text=_("Letters, e.g. a, c, đ (numbers for topics without a letter)"),
    )
    form_numbers = forms.CharField(
        label=_("Forms it uses"),
        max_length=60,
        required=False,
        help_text=_("Numbers, e.g. 1, 2"),
    )
    output = forms.CharField(label=_("Expected output"), max_length=300, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units if units is not None else Unit.objects.none()
        self.fields["cooperating_units"].queryset = self.fields["lead_unit"].queryset


class BaseTaskFormSet(forms.BaseFormSet):
    def __init__(self, *args, units=None, **kwargs):
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "units": self.units}


TaskFormSet = forms.formset_factory(TaskForm, formset=BaseTaskFormSet, extra=2, max_num=200)


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File (.docx or .txt)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt"}),
    )
    text = forms.CharField(
        label=_("…or paste the plan's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=2_000_000,
    )


class EvidenceForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("What it shows"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    file = forms.FileField(
        label=_("File (optional)"),
        required=False,
        help_text=_("A photo (JPEG, PNG, WebP), PDF or Word (.docx) file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.docx"}),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit whose work it proves"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the agency as a whole —"),
        help_text=_("When you record a unit's report for a task of every unit."),
    )

    def __init__(self, *args, units=None, **kwargs):
        """`units`: the units a coordinator may record evidence for; None: no choice."""
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units


class OverrideForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("— from the evidence —")), *TaskStatus.choices],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
