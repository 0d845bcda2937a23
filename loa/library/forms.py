from django import forms
from django.utils.translation import gettext_lazy as _

from loa.core.forms import BootstrapFormMixin, DateInput
from loa.library.models import DocumentType, Validity

MAX_CHECK_CHARS = 200_000


class DocumentForm(BootstrapFormMixin, forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    code = forms.CharField(
        label=_("Number and symbol"),
        max_length=60,
        required=False,
        help_text=_("As printed, e.g. 76/NQ-CP or 30/2020/NĐ-CP; empty if it has none."),
    )
    issued_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    issuer = forms.CharField(label=_("Issued by"), max_length=200)
    title = forms.CharField(
        label=_("Abstract"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The “trích yếu”: what the document is about."),
    )
    validity = forms.ChoiceField(label=_("Validity"), choices=Validity.choices)
    replaced_by_code = forms.CharField(
        label=_("Amended or replaced by"),
        max_length=60,
        required=False,
        help_text=_("Number and symbol of the document that amended or replaced it."),
    )
    subjects = forms.CharField(
        label=_("Subjects"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. Cải cách hành chính, Văn hoá công vụ."),
    )

    def subject_names(self) -> list[str]:
        return [s for s in self.cleaned_data["subjects"].split(",") if s.strip()]


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Attach a file (PDF or .docx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


class CitationCheckForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_CHECK_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Paste any text: a plan, a letter, minutes. Loa links every document it cites."
        ),
    )
