from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from loa.core import ratelimit
from loa.core.forms import BootstrapFormMixin
from loa.voices.models import Feedback

TOO_MANY_SENDINGS = _(
    "Too many feedback sent from your connection within the hour. Try again in an hour, or "
    "bring it to the one-stop desk."
)


class FeedbackForm(BootstrapFormMixin, forms.Form):
    """The public form. At most 10 sendings an hour from one address to one box (a public
    form on the internet; a one-stop desk's citizens may share an address); the address itself
    is only counted, never kept."""

    LIMIT, WINDOW = 10, 60 * 60

    kind = forms.ChoiceField(
        label=_("What are you sending?"),
        choices=Feedback.Kind.choices,
        widget=forms.RadioSelect,
        initial=Feedback.Kind.REPORT,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(
        label=_("Content"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("At most 5,000 characters. Do not write other people's personal details."),
    )
    wants_answer = forms.BooleanField(
        label=_("I would like an answer"),
        required=False,
        help_text=_("Then give an e-mail or a phone number below; otherwise leave them empty."),
    )
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    may_quote = forms.BooleanField(
        label=_("The agency may quote what I wrote, without my name, in its communication"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree to my data being used as it says"),
        required=False,  # the service says why when it is missing
    )

    def __init__(self, *args, request=None, box_code: str = "", **kwargs):
        self.request = request
        self.box_code = box_code
        super().__init__(*args, **kwargs)

    def clean(self):
        key = f"{self.box_code}:{ratelimit.client_address(self.request)}" if self.request else ""
        if key and not ratelimit.hit("feedback", key, limit=self.LIMIT, window=self.WINDOW):
            raise ValidationError(TOO_MANY_SENDINGS, code="rate_limited")
        return super().clean()


class ReferenceForm(BootstrapFormMixin, forms.Form):
    reference = forms.CharField(label=_("Your reference"), min_length=10, max_length=10, strip=True)


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class BoxForm(BootstrapFormMixin, forms.Form):
    contact_days = forms.IntegerField(
        label=_("Days contact details are kept after the answer"),
        min_value=7,
        max_value=730,
        initial=90,
        help_text=_("Then Loa erases the citizen's name, e-mail and phone by itself."),
    )


class CitizenLookupForm(BootstrapFormMixin, forms.Form):
    contact = forms.CharField(
        label=_("The citizen's e-mail, phone number or feedback reference"),
        max_length=200,
        help_text=_("As the citizen gave it in their feedback, or the reference they were given."),
    )


class CitizenEraseForm(CitizenLookupForm):
    reason = forms.CharField(
        label=_("Why"), max_length=300, help_text=_("E.g. the citizen's request of 05/01/2024.")
    )
