"""Every change to citizens' feedback: the box, what citizens send, the answers, and the
erasure of what Decree 13/2023/NĐ-CP says may not be kept."""

import datetime
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from loa.core.models import User
from loa.core.services import audit_record
from loa.core.tasks import enqueue_with_commit
from loa.core.text import phone_number
from loa.org.models import Agency
from loa.voices import permissions, queries, tasks
from loa.voices.models import UNANSWERED_DAYS, Feedback, FeedbackBox, new_box_code

# The notice a citizen agrees to (templates/voices/_notice.html). Change the version whenever
# the notice's words change, so each row tells which words its citizen agreed to.
NOTICE_VERSION = "2026-12"

BOX_CLOSED = _("This agency is not taking feedback through Loa at the moment.")
NO_CONSENT = _("Tick the box to agree to how your data is used, or we cannot receive it.")
CONTACT_WITHOUT_ANSWER = _(
    "You gave a way to reach you but did not tick “I would like an answer”: tick it to be "
    "answered, or clear your name, e-mail and phone (they are not kept without it)."
)
NO_CONTACT = _("Give an e-mail address or a phone number for the answer, or untick the answer.")
BAD_PHONE = _(
    "Enter a Vietnamese phone number: a mobile of 10 digits (0912 345 678) "
    "or a landline of 11 (024 3825 1234)."
)
ALREADY_ANSWERED = _("This feedback was answered by someone else meanwhile; their answer is shown.")
EMPTY_ANSWER = _("Write the answer.")
NEEDS_REASON = _("Say why (for example, the citizen's request of 05/01/2024).")
REASON_NAMES_CITIZEN = _(
    "Do not write the citizen's e-mail or phone in the reason: "
    "the reason is kept after the erasure."
)
NOTHING_FOUND = _("No feedback of this agency has that e-mail address or phone number.")
CONTACT_DAYS_RANGE = _("Keep contact details between 7 and 730 days.")

ERASED_TEXT = _("(erased at the citizen's request)")


# --- the box --------------------------------------------------------------------------------


@transaction.atomic
def feedback_box_open(*, actor: User, agency: Agency, contact_days: int = 90) -> FeedbackBox:
    """Open the agency's box (made the first time), keeping its address if it had one."""
    if not permissions.can_manage_box(actor, agency.pk):
        raise PermissionDenied
    if not 7 <= contact_days <= 730:
        raise ValidationError({"contact_days": ValidationError(CONTACT_DAYS_RANGE, code="days")})
    box, created = FeedbackBox.objects.select_for_update().get_or_create(
        agency=agency, defaults={"contact_days": contact_days}
    )
    changes = {"is_open": [box.is_open, True], "contact_days": [box.contact_days, contact_days]}
    box.is_open, box.contact_days = True, contact_days
    box.save(update_fields=["is_open", "contact_days"])
    audit_record(
        actor=actor,
        action="feedback_box_open",
        target=box,
        changes={"created": True} if created else changes,
    )
    return box


@transaction.atomic
def feedback_box_close(*, actor: User, box: FeedbackBox) -> FeedbackBox:
    if not permissions.can_manage_box(actor, box.agency_id):
        raise PermissionDenied
    FeedbackBox.objects.filter(pk=box.pk).update(is_open=False)
    box.is_open = False
    audit_record(actor=actor, action="feedback_box_close", target=box)
    return box


@transaction.atomic
def feedback_box_new_address(*, actor: User, box: FeedbackBox) -> FeedbackBox:
    """Give the box a new random address (its old address and QR stop working), for a box
    flooded by someone who found it. Citizens' follow-up pages keep working."""
    if not permissions.can_manage_box(actor, box.agency_id):
        raise PermissionDenied
    box.code = new_box_code()
    box.save(update_fields=["code"])
    audit_record(actor=actor, action="feedback_box_new_address", target=box)
    return box


# --- what citizens send ---------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *,
    box: FeedbackBox,
    kind: str,
    subject: str,
    content: str,
    consent: bool,
    may_quote: bool = False,
    wants_answer: bool = False,
    name: str = "",
    email: str = "",
    phone: str = "",
) -> Feedback:
    """Receive a citizen's feedback. Nothing is kept without their consent to the notice, and
    a name and contact only when they asked for an answer (Decree 13: no more than the
    purpose needs). The box's answerers are told by e-mail, without the citizen's contact."""
    box = FeedbackBox.objects.select_related("agency").get(pk=box.pk)
    if not box.is_open or not box.agency.is_active:
        raise ValidationError(BOX_CLOSED, code="closed")
    if not consent:
        raise ValidationError({"consent": ValidationError(NO_CONSENT, code="consent")})
    if wants_answer:
        email = email.strip()
        if phone.strip():
            phone = phone_number(phone) or ""
            if not phone:
                raise ValidationError({"phone": ValidationError(BAD_PHONE, code="phone")})
        if not email and not phone:
            raise ValidationError({"email": ValidationError(NO_CONTACT, code="contact")})
        name = " ".join(name.split())
    elif email.strip() or phone.strip():
        # Said, not dropped silently: the citizen may well be waiting for an answer.
        raise ValidationError(
            {"wants_answer": ValidationError(CONTACT_WITHOUT_ANSWER, code="contact")}
        )
    else:
        name = ""
    now = timezone.now()
    feedback = Feedback.objects.create(
        agency=box.agency,
        kind=kind,
        subject=" ".join(subject.split()),
        content=content.strip(),
        consent_notice=NOTICE_VERSION,
        consented_at=now,
        may_quote=may_quote,
        name=name,
        email=email,
        phone=phone,
        contact_until=now + datetime.timedelta(days=UNANSWERED_DAYS) if email or phone else None,
    )
    # The audit row says what came in, never who sent it.
    audit_record(
        actor=None,
        action="feedback_submit",
        target=feedback,
        changes={"kind": kind, "wants_answer": wants_answer, "may_quote": may_quote},
    )
    enqueue_with_commit(tasks.tell_answerers, feedback_id=feedback.pk)
    return feedback


@transaction.atomic
def feedback_answer(*, actor: User, feedback: Feedback, answer: str) -> Feedback:
    """Answer once. Two people answering at the same moment: the second is told, and loses
    nothing (the form keeps their text). The citizen gets the answer by e-mail if they gave one."""
    if not permissions.can_answer_feedback(actor, feedback.agency_id):
        raise PermissionDenied
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": ValidationError(EMPTY_ANSWER, code="empty")})
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status == Feedback.Status.ANSWERED:
        raise ValidationError(ALREADY_ANSWERED, code="answered")
    feedback.status = Feedback.Status.ANSWERED
    feedback.answer = answer
    feedback.answered_at = timezone.now()
    feedback.answered_by = actor
    fields = ["status", "answer", "answered_at", "answered_by"]
    if feedback.wants_answer:  # the box's term, counted from now
        box = FeedbackBox.objects.filter(agency_id=feedback.agency_id).first()
        days = box.contact_days if box else 90
        feedback.contact_until = feedback.answered_at + datetime.timedelta(days=days)
        fields.append("contact_until")
    feedback.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="feedback_answer",
        target=feedback,
        changes={"status": [Feedback.Status.RECEIVED, Feedback.Status.ANSWERED]},
    )
    if feedback.email:
        enqueue_with_commit(tasks.send_answer, feedback_id=feedback.pk)
    return feedback


# --- Decree 13: what is not kept ------------------------------------------------------------


def _erase_contact(rows, *, also_text: bool) -> list[Feedback]:
    """Blank the contact (and, on a citizen's request, what they wrote) of `rows`, locked."""
    erased = []
    now = timezone.now()
    for feedback in rows.select_for_update():
        feedback.name = feedback.email = feedback.phone = ""
        feedback.contact_erased_at = now
        fields = ["name", "email", "phone", "contact_erased_at"]
        if also_text:  # data, so in the agency's language whatever the screen's
            with translation.override(settings.LANGUAGE_CODE):
                feedback.subject = feedback.content = str(ERASED_TEXT)
            fields += ["subject", "content"]
        feedback.save(update_fields=fields)
        erased.append(feedback)
    return erased


@transaction.atomic
def citizen_data_export(*, actor: User, agency: Agency, contact: str) -> bytes:
    """Everything the agency's feedback holds about the citizen reached at `contact` (an e-mail
    address or a phone number), as JSON, for their request to see it."""
    if not permissions.can_manage_citizen_data(actor, agency.pk):
        raise PermissionDenied
    rows = list(queries.feedback_of_citizen(agency, contact))
    if not rows:
        raise ValidationError({"contact": ValidationError(NOTHING_FOUND, code="none")})
    data = {
        "format": "loa-citizen-data/1",
        "agency": agency.name,
        "exported_at": timezone.now(),
        "feedback": [
            {
                "reference": f.reference,
                "kind": f.get_kind_display(),
                "subject": f.subject,
                "content": f.content,
                "name": f.name,
                "email": f.email,
                "phone": f.phone,
                "consent_notice": f.consent_notice,
                "consented_at": f.consented_at,
                "may_quote": f.may_quote,
                "received_at": f.received_at,
                "status": f.get_status_display(),
                "answer": f.answer,
                "answered_at": f.answered_at,
            }
            for f in rows
        ],
    }
    for feedback in rows:
        audit_record(actor=actor, action="citizen_data_export", target=feedback)
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


@transaction.atomic
def citizen_data_erase(*, actor: User, agency: Agency, contact: str, reason: str) -> int:
    """Erase, at the citizen's request, their name, contact and what they wrote in every
    feedback of the agency reached at `contact`. The rows stay (kind, dates, the agency's
    answer), so the agency's figures stay right. Returns how many were erased."""
    if not permissions.can_manage_citizen_data(actor, agency.pk):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": ValidationError(NEEDS_REASON, code="reason")})
    if contact.strip().casefold() in reason.casefold() or (
        (phone := phone_number(contact)) and phone[1:] in "".join(c for c in reason if c.isdigit())
    ):
        raise ValidationError({"reason": ValidationError(REASON_NAMES_CITIZEN, code="reason")})
    erased = _erase_contact(queries.feedback_of_citizen(agency, contact), also_text=True)
    if not erased:
        raise ValidationError({"contact": ValidationError(NOTHING_FOUND, code="none")})
    for feedback in erased:
        audit_record(
            actor=actor, action="citizen_data_erase", target=feedback, changes={"reason": reason}
        )
    return len(erased)


@transaction.atomic
def feedback_contacts_expire(*, now: datetime.datetime | None = None) -> int:
    """Erase the contact details whose term has passed (run daily: `loa voices forget`): the
    box's term after the answer, or UNANSWERED_DAYS after receipt for feedback nobody answered.
    The contact has served its purpose, or can no longer serve it."""
    now = now or timezone.now()
    due = Feedback.objects.filter(contact_erased_at__isnull=True, contact_until__lt=now)
    erased = _erase_contact(due, also_text=False)
    for feedback in erased:
        audit_record(actor=None, action="feedback_contact_expire", target=feedback)
    return len(erased)
