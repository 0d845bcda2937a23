"""Every change in outreach: dispatches, their deliveries, opening and acknowledging.

Sending never runs in a request: `dispatch_send` marks the dispatch and enqueues `deliver`,
which freezes the audience into deliveries in batches (a unique constraint makes a second run
add nothing) and enqueues the mail in batches; each mail is sent at most once, retried with
backoff when the SMTP server fails, then marked failed with the reason.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.core.models import User
from loa.core.services import audit_record
from loa.org.models import Agency
from loa.outreach import permissions, queries
from loa.outreach.models import (
    AudienceGroup,
    Channel,
    Delivery,
    Dispatch,
    DispatchStatus,
    GroupLink,
    Webhook,
    ZaloGroup,
)

logger = logging.getLogger(__name__)

NOT_A_DRAFT = _("This dispatch has been sent already.")
NO_AUDIENCE = _("Choose who receives it: the whole agency, units, or named people.")
NOT_YOURS = _("This was sent to someone else.")
GROUP_EXISTS = _("The agency already has a Zalo group with this name.")
WEBHOOK_ADDRESS_REFUSED = _(
    "Loa sends events only to http(s) addresses outside this machine and its private network."
)
WEBHOOK_UNREACHABLE = _("the address did not answer")
NOT_SENT_YET = _("Only a dispatch that has been sent can be read again.")
ASK_AGAIN_NEEDS_REASON = _("Say why everyone must read it again (e.g. which document changed).")
LINK_SALT = "loa.outreach.link"
LINK_DAYS = 60
BATCH = 500
MAIL_ATTEMPTS = 4


@transaction.atomic
def dispatch_create(
    *,
    actor: User,
    agency: Agency,
    title: str,
    audience: dict,
    message: str = "",
    channels: list[str] | None = None,
    documents=(),
    tasks=(),
    acknowledge_by: datetime.date | None = None,
) -> Dispatch:
    if not permissions.can_send(actor, agency.pk):
        raise PermissionDenied
    rule_keys = ("whole_agency", "units", "people", "roles", "groups")
    if not any(audience.get(key) for key in rule_keys):
        raise ValidationError(NO_AUDIENCE, code="audience")
    chosen = {Channel(c) for c in channels or []} | {Channel.INBOX}  # the inbox, always
    dispatch = Dispatch.objects.create(
        agency=agency,
        title=title.strip(),
        message=message.strip(),
        audience=audience,
        channels=sorted(chosen),
        acknowledge_by=acknowledge_by,
        created_by=actor,
    )
    dispatch.documents.set(documents)
    dispatch.tasks.set(tasks)
    audit_record(actor=actor, action="dispatch_create", target=dispatch, changes={"title": title})
    return dispatch


@transaction.atomic
def dispatch_send(*, actor: User, dispatch: Dispatch) -> Dispatch:
    if not permissions.can_send(actor, dispatch.agency_id):
        raise PermissionDenied
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)  # pressed twice
    if dispatch.status != DispatchStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT, code="sent")
    dispatch.status, dispatch.sent_at = DispatchStatus.SENDING, timezone.now()
    dispatch.save(update_fields=["status", "sent_at"])
    audit_record(actor=actor, action="dispatch_send", target=dispatch)
    from loa.outreach.tasks import deliver

    # Queued inside the transaction: the database-backed queue commits the task with the
    # status, so a crash between the two cannot leave a dispatch "sending" with no task.
    deliver.enqueue(dispatch_id=dispatch.pk)
    return dispatch


def resume_stuck(*, older_than_minutes: int = 15) -> int:
    """Queue again the dispatches still "sending" long after they were sent (a worker died);
    delivering again adds nobody twice. Returns how many."""
    from loa.outreach.tasks import deliver

    since = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    stuck = list(
        Dispatch.objects.filter(status=DispatchStatus.SENDING, sent_at__lte=since).values_list(
            "id", flat=True
        )
    )
    for dispatch_id in stuck:
        deliver.enqueue(dispatch_id=dispatch_id)
    return len(stuck)


def dispatch_deliver(*, dispatch_id: int) -> int:
    """Freeze the audience into deliveries, batch by batch; safe to run again after a crash.
    Returns how many people the dispatch reaches."""
    dispatch = Dispatch.objects.select_related("agency").get(pk=dispatch_id)
    by_mail = Channel.EMAIL in dispatch.channels
    people = queries.audience(dispatch.agency, dispatch.audience).values_list(
        "id", "unit_id", "email"
    )
    batch: list[Delivery] = []
    for person_id, unit_id, email in people.iterator(chunk_size=BATCH):
        mail = Delivery.Mail.PENDING if by_mail and email else Delivery.Mail.NONE
        batch.append(Delivery(dispatch=dispatch, person_id=person_id, unit_id=unit_id, mail=mail))
        if len(batch) == BATCH:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    total = dispatch.deliveries.count()
    status = DispatchStatus.SENT if total else DispatchStatus.EMPTY
    finished = Dispatch.objects.filter(pk=dispatch.pk, status=DispatchStatus.SENDING).update(
        status=status
    )
    if not finished:  # a second run after a restart: the deliveries are all there already
        return total
    audit_record(actor=None, action="dispatch_deliver", target=dispatch, changes={"people": total})
    announce(
        dispatch.agency_id,
        "dispatch.sent",
        {
            "dispatch": dispatch.pk,
            "title": dispatch.title,
            "people": total,
            "dms_number": dispatch.dms_number,
        },
    )
    if by_mail:
        from loa.outreach.tasks import send_mail_batch

        pending = list(
            dispatch.deliveries.filter(mail=Delivery.Mail.PENDING).values_list("id", flat=True)
        )
        for start in range(0, len(pending), BATCH):
            send_mail_batch.enqueue(delivery_ids=pending[start : start + BATCH])
    return total


def signed_link(delivery: Delivery) -> str:
    token = signing.dumps({"d": delivery.pk}, salt=LINK_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("outreach:link", args=[token])


def delivery_from_link(token: str) -> int | None:
    """The delivery a personal link names, or None if it is forged or expired."""
    try:
        return signing.loads(token, salt=LINK_SALT, max_age=LINK_DAYS * 24 * 3600)["d"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def _message(delivery: Delivery, *, reminder: bool = False) -> EmailMultiAlternatives:
    context = {"delivery": delivery, "link": signed_link(delivery), "reminder": reminder}
    title = " ".join(delivery.dispatch.title.split())  # no line break may reach a header
    message = EmailMultiAlternatives(
        subject=f"[Loa] {title}",
        body=render_to_string("outreach/mail.txt", context),
        to=[delivery.person.email],
    )
    message.attach_alternative(render_to_string("outreach/mail.html", context), "text/html")
    return message


def delivery_send_mail(*, delivery_id: int) -> str:
    """Send one delivery's e-mail at most once. Returns its mail state afterwards.

    The delivery is claimed (pending → sending) in a short transaction and the SMTP
    conversation happens outside it, so no database lock waits on a mail server. A worker that
    dies mid-send leaves it "sending": at most one e-mail, never two."""
    claimed = Delivery.objects.filter(pk=delivery_id, mail=Delivery.Mail.PENDING).update(
        mail=Delivery.Mail.SENDING
    )
    if not claimed:  # sent already, or another worker holds it
        return "skipped"
    delivery = Delivery.objects.select_related("dispatch__agency", "person").get(pk=delivery_id)
    try:
        _message(delivery).send()
    except Exception as error:  # any failure: counted, retried, then shown; never silent
        attempts = delivery.mail_attempts + 1
        state = Delivery.Mail.FAILED if attempts >= MAIL_ATTEMPTS else Delivery.Mail.PENDING
        Delivery.objects.filter(pk=delivery_id).update(
            mail=state, mail_attempts=attempts, mail_error=str(error)[:300]
        )
        logger.warning("Mail for delivery %s failed: %s", delivery_id, error)
        return state
    Delivery.objects.filter(pk=delivery_id).update(
        mail=Delivery.Mail.SENT, mail_attempts=delivery.mail_attempts + 1, mail_error=""
    )
    return Delivery.Mail.SENT


def latest_deliveries(deliveries):
    """Each person's latest round of each dispatch: someone who never acknowledged round 1 is
    still asked, though round 2 went to others."""
    later = Delivery.objects.filter(
        dispatch=OuterRef("dispatch"), person=OuterRef("person"), round__gt=OuterRef("round")
    )
    return deliveries.filter(~Exists(later))


def remind_due(*, today: datetime.date | None = None) -> int:
    """The automatic reminders: people who have not acknowledged, REMIND_AFTER_DAYS after the
    dispatch was sent and again the day before its deadline, by e-mail; nobody more than once
    a day. Run daily (`loa outreach remind`, from cron or the scheduler). Returns how many."""
    today = today or timezone.localdate()
    now = timezone.now()
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    after = now - datetime.timedelta(days=settings.LOA_REMIND_AFTER_DAYS)
    due = (
        latest_deliveries(Delivery.objects.filter(dispatch__status=DispatchStatus.SENT))
        .filter(acknowledged_at__isnull=True)
        .exclude(reminded_at__gte=start_of_day)
        .filter(
            Q(created_at__lte=after, reminded_at__isnull=True)
            | Q(dispatch__acknowledge_by=today + datetime.timedelta(days=1))
        )
    )
    with transaction.atomic():
        ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True))
        Delivery.objects.filter(pk__in=ids).update(reminded_at=now)
        _mail_reminders(ids)
    return len(ids)


def _mail_reminders(ids: list[int]) -> None:
    """Reminders go through the channels people were reached by: the inbox shows them (the
    delivery's reminded_at); e-mail goes to those the dispatch reached by e-mail."""
    from loa.outreach.tasks import send_reminders

    by_mail = [
        d.pk
        for d in Delivery.objects.filter(pk__in=ids)
        .exclude(person__email="")
        .select_related("dispatch")
        if Channel.EMAIL in d.dispatch.channels
    ]

    def enqueue() -> None:
        for start in range(0, len(by_mail), BATCH):
            send_reminders.enqueue(delivery_ids=by_mail[start : start + BATCH])

    if by_mail:
        transaction.on_commit(enqueue)


@transaction.atomic
def dispatch_remind(*, actor: User, dispatch: Dispatch) -> int:
    """Remind the people not yet acknowledged that this user may see (a unit head: their
    units), by e-mail where they have one. Nobody is reminded twice the same day. Returns how
    many reminders were queued."""
    deliveries = permissions.deliveries_visible_to(actor, dispatch)
    if not (permissions.can_send(actor, dispatch.agency_id) or deliveries.exists()):
        raise PermissionDenied
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    due = (
        latest_deliveries(deliveries)
        .select_for_update()
        .filter(acknowledged_at__isnull=True)
        .exclude(reminded_at__gte=today_start)
    )
    ids = list(due.values_list("id", flat=True))
    Delivery.objects.filter(pk__in=ids).update(reminded_at=timezone.now())
    audit_record(
        actor=actor, action="dispatch_remind", target=dispatch, changes={"people": len(ids)}
    )
    _mail_reminders(ids)
    return len(ids)


def delivery_send_reminder(*, delivery_id: int) -> None:
    delivery = Delivery.objects.select_related("dispatch__agency", "person").get(pk=delivery_id)
    if delivery.acknowledged_at:  # acknowledged since the reminder was queued
        return
    try:
        _message(delivery, reminder=True).send()
    except Exception as error:  # let the next daily run try again
        Delivery.objects.filter(pk=delivery_id).update(reminded_at=None)
        logger.warning("Reminder for delivery %s failed: %s", delivery_id, error)


@transaction.atomic
def webhook_create(*, actor: User, agency: Agency, url: str) -> tuple[Webhook, str]:
    """A new webhook and its secret, which is returned this once and never shown again."""
    if not permissions.can_send(actor, agency.pk):
        raise PermissionDenied
    if not webhook_address_allowed(url):
        raise ValidationError(WEBHOOK_ADDRESS_REFUSED, code="address")
    secret = secrets.token_hex(32)
    webhook = Webhook.objects.create(agency=agency, url=url, secret=secret, created_by=actor)
    audit_record(actor=actor, action="webhook_create", target=webhook, changes={"url": url})
    return webhook, secret


@transaction.atomic
def webhook_deactivate(*, actor: User, webhook: Webhook) -> Webhook:
    if not permissions.can_send(actor, webhook.agency_id):
        raise PermissionDenied
    webhook.is_active = False
    webhook.save(update_fields=["is_active"])
    audit_record(actor=actor, action="webhook_deactivate", target=webhook)
    return webhook


def announce(agency_id: int, event: str, data: dict) -> None:
    """Tell the agency's webhooks, from the worker, once this transaction commits."""
    from loa.outreach.tasks import post_webhook

    ids = list(
        Webhook.objects.filter(agency_id=agency_id, is_active=True).values_list("id", flat=True)
    )

    def enqueue() -> None:
        for webhook_id in ids:
            post_webhook.enqueue(webhook_id=webhook_id, event=event, data=data)

    if ids:
        transaction.on_commit(enqueue)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a webhook answers itself; following it elsewhere is refused


def webhook_address_allowed(url: str) -> bool:
    """http(s) only, and not to this machine or a private network (unless the installation
    allows it: LOA_WEBHOOK_ALLOW_PRIVATE, for systems on the agency's own network)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if settings.LOA_WEBHOOK_ALLOW_PRIVATE:
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        return False
    return all(ipaddress.ip_address(str(a).split("%")[0]).is_global for a in addresses)


def webhook_post(*, webhook_id: int, event: str, data: dict) -> str:
    """POST one event, signed: X-Loa-Signature is sha256=HMAC(secret, body)."""
    webhook = Webhook.objects.get(pk=webhook_id)
    if not webhook.is_active:
        return "stopped"
    if not webhook_address_allowed(webhook.url):
        Webhook.objects.filter(pk=webhook.pk).update(last_status=str(WEBHOOK_ADDRESS_REFUSED))
        return "refused"
    body = json.dumps(
        {"event": event, "at": timezone.now().isoformat(), "data": data}, ensure_ascii=False
    ).encode()
    signature = hmac.new(webhook.secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL an administrator set
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Loa-Event": event,
            "X-Loa-Signature": f"sha256={signature}",
        },
    )
    opener = urllib.request.build_opener(_NoRedirects)
    when = f"{timezone.localtime():%d/%m/%Y %H:%M} {event}"
    try:
        with opener.open(request, timeout=10) as response:
            status = f"{when}: HTTP {response.status}"
    except urllib.error.HTTPError as error:
        status = f"{when}: HTTP {error.code}"
    except (urllib.error.URLError, OSError):
        status = f"{when}: {WEBHOOK_UNREACHABLE}"  # no detail: the page is not a port scanner
    Webhook.objects.filter(pk=webhook.pk).update(last_status=status)
    return status


def _own(actor: User, delivery: Delivery) -> None:
    if delivery.person.user_id != actor.pk:
        raise PermissionDenied(NOT_YOURS)


@transaction.atomic
def audience_group_save(*, actor: User, agency: Agency, name: str, rules: dict) -> AudienceGroup:
    """Save an audience under a name (saving again under the same name replaces it)."""
    if not permissions.can_send(actor, agency.pk):
        raise PermissionDenied
    rules = {k: v for k, v in rules.items() if k != "groups"}  # a group holds plain rules
    group, _created = AudienceGroup.objects.update_or_create(
        agency=agency, name=" ".join(name.split()), defaults={"rules": rules}
    )
    audit_record(actor=actor, action="audience_group_save", target=group, changes=rules)
    return group


@transaction.atomic
def dispatch_ask_again(*, actor: User, dispatch: Dispatch, reason: str) -> int:
    """A dispatched document changed: everyone who acknowledged the current round is asked to
    read and acknowledge again, in a new round whose figures are kept apart. Returns how many."""
    if not permissions.can_send(actor, dispatch.agency_id):
        raise PermissionDenied
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.status != DispatchStatus.SENT:
        raise ValidationError(NOT_SENT_YET, code="not_sent")
    if not reason.strip():
        raise ValidationError(ASK_AGAIN_NEEDS_REASON, code="reason")
    acknowledged = dispatch.deliveries.filter(
        round=dispatch.current_round, acknowledged_at__isnull=False
    ).select_related("person")
    by_mail = Channel.EMAIL in dispatch.channels
    dispatch.current_round += 1
    dispatch.save(update_fields=["current_round"])
    Delivery.objects.bulk_create(
        [
            Delivery(
                dispatch=dispatch,
                person=d.person,
                unit_id=d.unit_id,
                round=dispatch.current_round,
                mail=Delivery.Mail.PENDING if by_mail and d.person.email else Delivery.Mail.NONE,
            )
            for d in acknowledged
        ],
        ignore_conflicts=True,
    )
    new = dispatch.deliveries.filter(round=dispatch.current_round)
    audit_record(
        actor=actor,
        action="dispatch_ask_again",
        target=dispatch,
        changes={"round": dispatch.current_round, "people": new.count(), "reason": reason},
    )
    pending = list(new.filter(mail=Delivery.Mail.PENDING).values_list("id", flat=True))
    if pending:
        from loa.outreach.tasks import send_mail_batch

        def enqueue() -> None:
            for start in range(0, len(pending), BATCH):
                send_mail_batch.enqueue(delivery_ids=pending[start : start + BATCH])

        transaction.on_commit(enqueue)
    return new.count()


@transaction.atomic
def zalo_group_create(*, actor: User, agency: Agency, name: str) -> ZaloGroup:
    if not permissions.can_send(actor, agency.pk):
        raise PermissionDenied
    name = " ".join(name.split())
    if ZaloGroup.objects.filter(agency=agency, name__iexact=name).exists():
        raise ValidationError(GROUP_EXISTS, code="exists")
    group = ZaloGroup.objects.create(agency=agency, name=name)
    audit_record(actor=actor, action="zalo_group_create", target=group, changes={"name": name})
    return group


@transaction.atomic
def group_link_create(*, actor: User, dispatch: Dispatch, group: ZaloGroup) -> GroupLink:
    """The dispatch's short link for one Zalo group (made once; asking again returns it)."""
    if not permissions.can_send(actor, dispatch.agency_id) or group.agency_id != dispatch.agency_id:
        raise PermissionDenied
    if dispatch.status == DispatchStatus.DRAFT:
        raise ValidationError(NOT_SENT_YET, code="draft")
    link = GroupLink.objects.filter(dispatch=dispatch, group=group).first()
    if link is None:
        link = GroupLink.objects.create(
            dispatch=dispatch, group=group, code=secrets.token_urlsafe(8)
        )
        audit_record(
            actor=actor, action="group_link_create", target=dispatch, changes={"group": group}
        )
    return link


def group_link_url(link: GroupLink) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("outreach:zalo", args=[link.code])


@transaction.atomic
def dispatch_set_dms_number(*, actor: User, dispatch: Dispatch, number: str) -> Dispatch:
    """The number under which the same document went out in the document-management software."""
    if not permissions.can_send(actor, dispatch.agency_id):
        raise PermissionDenied
    before = dispatch.dms_number
    dispatch.dms_number = number.strip()[:60]
    dispatch.save(update_fields=["dms_number"])
    audit_record(
        actor=actor,
        action="dispatch_set_dms_number",
        target=dispatch,
        changes={"dms_number": [before, dispatch.dms_number]},
    )
    return dispatch


@transaction.atomic
def delivery_open(
    *, actor: User, delivery: Delivery, channel: str, group: ZaloGroup | None = None
) -> Delivery:
    """The first open is recorded, with the channel (and Zalo group) it came through."""
    _own(actor, delivery)
    updated = Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
        opened_at=timezone.now(), opened_channel=Channel(channel), opened_group=group
    )
    if updated:
        audit_record(
            actor=actor, action="delivery_open", target=delivery, changes={"channel": channel}
        )
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def delivery_acknowledge(
    *, actor: User, delivery: Delivery, channel: str, comment: str = ""
) -> Delivery:
    """ "Tôi đã đọc và nắm được nội dung": once, by the person themself."""
    _own(actor, delivery)
    delivery_open(actor=actor, delivery=delivery, channel=channel)
    updated = Delivery.objects.filter(pk=delivery.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(),
        acknowledged_channel=Channel(channel),
        comment=comment.strip()[:2000],
    )
    if updated:
        dispatch = delivery.dispatch
        announce(
            dispatch.agency_id,
            "delivery.acknowledged",
            {
                "dispatch": dispatch.pk,
                "person": delivery.person.code or delivery.person_id,
                "dms_number": dispatch.dms_number,
            },
        )
        audit_record(
            actor=actor,
            action="delivery_acknowledge",
            target=delivery,
            changes={"channel": channel, "comment": comment.strip()[:200]},
        )
    delivery.refresh_from_db()
    return delivery
