"""Citizens' feedback (phản ánh, kiến nghị, hiến kế) through an agency's public feedback box.

The sample plan's II.2.đ asks the agency to make known "the opinions, suggestions, ideas and
reports of the people" on administrative reform; the box is where they arrive. A citizen is not
a `Person` of the agency, so Decree 13/2023/NĐ-CP is kept here, on the row: the notice they
agreed to and when, a name and a way to answer only when they asked for an answer, and those
erased once the answer is old (`FeedbackBox.contact_days`) or on request.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.org.models import Agency

# Contact details of feedback nobody answered are not kept longer than this either.
UNANSWERED_DAYS = 365

# Codes a person may read aloud on the phone: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


REFERENCE_LENGTH = 10


def new_code(length: int = REFERENCE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_box_code() -> str:
    return new_code(12)


class FeedbackBox(models.Model):
    """An agency's public feedback form, opened by its coordinator and reached by a random code
    (printed as a QR at the one-stop desk, linked from the e-portal)."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="feedback_box"
    )
    code = models.CharField(max_length=16, unique=True, default=new_box_code)
    is_open = models.BooleanField(_("open"), default=True)
    contact_days = models.PositiveSmallIntegerField(
        _("days contact details are kept after the answer"), default=90
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback box")
        verbose_name_plural = _("feedback boxes")

    def __str__(self) -> str:
        return str(self.agency)


class Feedback(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Report (phản ánh)")
        PROPOSAL = "proposal", _("Proposal (kiến nghị)")
        IDEA = "idea", _("Idea (hiến kế)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ANSWERED = "answered", _("Answered")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="feedback"
    )
    # The citizen follows their feedback with it; random, so no one reads another's.
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_code)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"))
    # Decree 13: which notice the citizen agreed to, and when.
    consent_notice = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    may_quote = models.BooleanField(_("may be quoted without the name"), default=False)
    # Kept only when the citizen asked for an answer, erased after it (contact_erased_at).
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # When the contact is erased by `loa voices forget`: set at receipt (UNANSWERED_DAYS) and
    # again at the answer (the box's term then, which the notice the citizen read stated).
    contact_until = models.DateTimeField(null=True, blank=True)
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-received_at"], name="feedback_agency_recent"),
            models.Index(
                fields=["contact_until"],
                condition=models.Q(contact_erased_at__isnull=True, contact_until__isnull=False),
                name="feedback_contact_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["report", "proposal", "idea"]),
                name="feedback_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["received", "answered"]),
                name="feedback_status_known",
            ),
        ]

    def __str__(self) -> str:
        # What names it in the audit log and in exports: neither the citizen's words nor the
        # reference, which opens the citizen's public page.
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def wants_answer(self) -> bool:
        return bool(self.email or self.phone)
