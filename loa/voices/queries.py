"""Reads for citizens' feedback, scoped to one agency by the caller's permission check."""

from django.db.models import Count, Q, QuerySet

from loa.core.text import phone_number
from loa.org.models import Agency
from loa.org.queries import emails_of_role_holders
from loa.voices.models import REFERENCE_LENGTH, Feedback, FeedbackBox
from loa.voices.permissions import ANSWERING_ROLES


def box_of(agency: Agency) -> FeedbackBox | None:
    return FeedbackBox.objects.filter(agency=agency).first()


def open_box(code: str) -> FeedbackBox | None:
    """The box a public address names, with its agency; None for an unknown code."""
    return FeedbackBox.objects.select_related("agency").filter(code=code).first()


def feedback_of(agency: Agency, *, status: str = "", kind: str = "") -> QuerySet[Feedback]:
    rows = Feedback.objects.filter(agency=agency).select_related("answered_by")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def counts_of(agency: Agency) -> dict[str, int]:
    """How many feedback rows the agency has in all, waiting for an answer, and answered."""
    return Feedback.objects.filter(agency=agency).aggregate(
        total=Count("id"),
        received=Count("id", filter=Q(status=Feedback.Status.RECEIVED)),
        answered=Count("id", filter=Q(status=Feedback.Status.ANSWERED)),
    )


def feedback_of_citizen(agency: Agency, contact: str) -> QuerySet[Feedback]:
    """The agency's feedback left by whoever is reached at `contact`: an e-mail address
    (any case), a phone number (typed any way), or the reference of one feedback (for a citizen
    who gave no contact, or whose contact has expired); none for anything else."""
    contact = contact.strip()
    rows = Feedback.objects.filter(agency=agency)
    if "@" in contact:
        return rows.filter(email__iexact=contact)
    if phone := phone_number(contact):
        return rows.filter(phone=phone)
    if len(contact) == REFERENCE_LENGTH and contact.isalnum():
        return rows.filter(reference=contact.upper())
    return rows.none()


def answerer_emails(agency: Agency) -> list[str]:
    """Where to tell that feedback arrived: the e-mails of the agency's answerers."""
    return sorted(emails_of_role_holders([agency.pk], ANSWERING_ROLES).get(agency.pk, set()))
