from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from loa.core import audit, ratelimit
from loa.core.models import AuditEntry
from loa.core.tasks import send_email

TOO_MANY_ATTEMPTS = _("Too many attempts from your connection. Wait a few minutes and try again.")


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Sign-in, refused after 50 failed attempts in 15 minutes from one address whatever the
    user names (guessing across many accounts); signing in successfully counts nothing. Each
    user name from one address is locked much sooner by django-axes (AXES_FAILURE_LIMIT); the
    limit here is high because a whole office signs in through one address."""

    LIMIT, WINDOW = 50, 15 * 60

    def clean(self):
        key = ratelimit.client_address(self.request)
        # Counted before the password is checked, so parallel guesses cannot slip past the
        # limit; a successful sign-in is then forgiven.
        if not ratelimit.hit("login", key, limit=self.LIMIT, window=self.WINDOW):
            raise ValidationError(TOO_MANY_ATTEMPTS, code="rate_limited")
        cleaned = super().clean()
        ratelimit.forgive("login", key)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the mail goes out from the task worker, not the request.

    At most 5 requests an hour from one address, so the form cannot be used to flood inboxes.
    """

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def get_users(self, email):
        """Active accounts with this e-mail, including ones never activated.

        Django skips accounts without a usable password; in Loa those are people whose account
        was made from their e-mail and who set their first password through this very form.
        """
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == email.casefold())

    def clean(self):
        address = ratelimit.client_address(self.request) if self.request else ""
        if not ratelimit.hit("password-reset", address, limit=5, window=60 * 60):
            raise ValidationError(TOO_MANY_ATTEMPTS, code="rate_limited")
        return super().clean()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        transaction.on_commit(
            lambda: send_email.enqueue(subject=subject, body=body, to=[to_email], html=html)
        )


class DateInput(forms.DateInput):
    """dd/mm/yyyy typed as text: the same on every browser and phone."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", **(attrs or {})},
            format="%d/%m/%Y",
        )


class DateTimeInput(forms.DateTimeInput):
    """dd/mm/yyyy hh:mm typed as text, like dates."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy hh:mm", **(attrs or {})}, format="%d/%m/%Y %H:%M"
        )


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, and marks invalid fields for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):  # with CheckboxSelectMultiple
                css = "loa-choices"  # Django puts it on the list and on each box alike
            elif isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


def call_service(form: forms.Form, service, /, **kwargs):
    """Run a service; put its ValidationError on the form instead of raising. None on failure."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


class VndField(forms.CharField):
    """An amount in đồng as people type it: "1.250.000", "1 250 000 đ" or "1250000"."""

    default_error_messages = {"invalid": _("Enter an amount in đồng, e.g. 1.250.000.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)  # no max_length: its validator would meet an int
        self.widget.attrs.setdefault("maxlength", "20")
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("placeholder", "1.250.000")

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        digits = value.replace(".", "").replace(" ", "").replace("đ", "").replace("₫", "")
        if not digits.isascii() or not digits.isdigit() or len(digits) > 15:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(digits)


def _audit_field_label(name: str):
    return capfirst(AuditEntry._meta.get_field(name).verbose_name)


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    """The audit log's filters, read from the address (GET): dates as dd/mm/yyyy."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    actor = forms.CharField(
        label=_audit_field_label("actor"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or user name")}),
    )
    action = forms.ChoiceField(label=_audit_field_label("action"), required=False)
    target_type = forms.ChoiceField(label=_audit_field_label("target_type"), required=False)
    q = forms.CharField(
        label=_audit_field_label("target_label"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Words of its name, with or without diacritics"),
                "type": "search",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *audit.action_choices()]
        self.fields["target_type"].choices = [("", _("All kinds")), *audit.type_choices()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned


class TwoFactorCodeForm(BootstrapFormMixin, forms.Form):
    """The code of the second step: six digits from the app, or one backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:  # not on the setup page, whose QR code comes first
            self.fields["code"].widget.attrs["autofocus"] = True
