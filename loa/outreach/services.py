"""Every change in outreach: dispatches, their deliveries, opening and acknowledging.

Sending never runs in a request: `dispatch_send` marks the dispatch and enqueues `deliver`,
which freezes the audience into deliveries in one INSERT … SELECT (a unique constraint makes
a second run add nothing), adds one message per person and channel that sends (e-mail, Zalo OA; see
`channels`) and enqueues them in batches; each message is sent at most once, retried with
backoff when its channel fails, then marked failed with the reason.
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
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.core.db import insert_from
from loa.core.models import User
from loa.core.services import AUDIT_INTO, audit_changes, audit_record
from loa.core.tasks import enqueue_with_commit
from loa.library.files import AttachmentError, check_upload
from loa.org.models import Agency, Person
from loa.outreach import channels, permissions, queries
from loa.outreach.models import (
    AudienceGroup,
    Channel,
    Delivery,
    Dispatch,
    DispatchFile,
    DispatchStatus,
    GroupLink,
    Message,
    Webhook,
    ZaloAccount,
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
EVIDENCE_NOTE = _("Documents “%(title)s” sent through Loa to %(people)s people.")
FILE_REFUSED = _("The file %(name)s was refused: %(reason)s")
ASK_AGAIN_NEEDS_REASON = _("Say why everyone must read it again (e.g. which document changed).")
LINK_SALT = "loa.outreach.link"
LINK_DAYS = 60
BATCH = 500
MESSAGE_ATTEMPTS = 4
INTERRUPTED = _(
    "interrupted: the worker stopped while sending it, so it may not have arrived; "
    "ask the person, or remind them"
)


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
    topics=(),
    files=(),
    acknowledge_by: datetime.date | None = None,
) -> Dispatch:
    """A draft dispatch. Files are checked by their content (PDF or .docx) before anything is
    saved: one bad file refuses them all, with its name."""
    if not permissions.can_send(actor, agency.pk):
        raise PermissionDenied
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload)))
        except AttachmentError as error:
            raise ValidationError(
                FILE_REFUSED, params={"name": upload.name, "reason": str(error)}, code="file"
            ) from None
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
    dispatch.topics.set(topics)
    for upload, facts in checked:
        DispatchFile.objects.create(
            dispatch=dispatch,
            file=upload,
            name=upload.name[:200],
            size=facts.size,
            kind=facts.kind,
            sha256=facts.sha256,
        )
    audit_record(
        actor=actor,
        action="dispatch_create",
        target=dispatch,
        changes={"title": title, "files": [upload.name for upload, _facts in checked]},
    )
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

    enqueue_with_commit(deliver, dispatch_id=dispatch.pk)
    return dispatch


def resume_stuck(*, older_than_minutes: int = 15) -> int:
    """Mend what a worker that died left behind; run every 10 minutes (`loa outreach resume`).

    A dispatch still "sending" long after it was sent is delivered again (which adds nobody
    twice). A message waiting to be sent whose turn is long past (never tried, or its retry
    lost with the worker that would have queued it) is queued again. A message a worker took
    and never finished may or may not have gone out, so it is marked failed with that reason,
    for the coordinator to see, and not sent a second time. Returns how many it mended."""
    from loa.outreach.tasks import deliver, send_messages

    now = timezone.now()
    since = now - datetime.timedelta(minutes=older_than_minutes)
    stuck = list(
        Dispatch.objects.filter(status=DispatchStatus.SENDING, sent_at__lte=since).values_list(
            "id", flat=True
        )
    )
    for dispatch_id in stuck:
        deliver.enqueue(dispatch_id=dispatch_id)
    interrupted = Message.objects.filter(
        Q(claimed_at__lte=since) | Q(claimed_at__isnull=True), state=Message.State.SENDING
    ).update(state=Message.State.FAILED, error=str(INTERRUPTED))
    # The longest a retry waits (2, 4, 8 × the base), with the same margin again.
    retry_due = now - datetime.timedelta(seconds=16 * settings.LOA_RETRY_BASE_SECONDS)
    waiting = list(
        Message.objects.filter(
            Q(attempts=0, delivery__created_at__lte=since)
            | Q(attempts__gt=0, claimed_at__lte=min(since, retry_due))
            | Q(attempts__gt=0, claimed_at__isnull=True),
            state=Message.State.PENDING,
            delivery__dispatch__status=DispatchStatus.SENT,
        ).values_list("id", flat=True)
    )
    for start in range(0, len(waiting), BATCH):
        send_messages.enqueue(message_ids=waiting[start : start + BATCH])
    return len(stuck) + interrupted + len(waiting)


def _add_messages(deliveries, adapters) -> None:
    """One pending message per delivery and channel, for the people that channel can reach
    (an e-mail address, a Zalo ID); safe to run again."""
    for adapter in adapters:
        reachable = deliveries.exclude(**{f"person__{adapter.address_field}": ""}).values("id")
        insert_from(
            Message,
            ["channel", "state", "attempts", "error", "external_id", "delivery_id"],
            reachable,
            constants=(adapter.channel, Message.State.PENDING, 0, "", ""),
        )


def _send_pending(messages) -> None:
    from loa.outreach.tasks import send_messages

    pending = list(messages.filter(state=Message.State.PENDING).values_list("id", flat=True))
    for start in range(0, len(pending), BATCH):
        enqueue_with_commit(send_messages, message_ids=pending[start : start + BATCH])


def dispatch_deliver(*, dispatch_id: int) -> int:
    """Freeze the audience into deliveries, and add the messages that tell people
    of them; safe to run again after a crash. Returns how many people the dispatch reaches."""
    dispatch = Dispatch.objects.select_related("agency").get(pk=dispatch_id)
    # One INSERT … SELECT of the audience: a province-wide dispatch freezes 60,000 people in
    # the database, not row by row in Python.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    insert_from(
        Delivery,
        [
            "dispatch_id", "round", "created_at", "opened_channel", "acknowledged_channel",
            "comment", "person_id", "unit_id",
        ],
        queries.audience(dispatch.agency, dispatch.audience).values("id", "unit_id"),
        constants=(dispatch.pk, 1, now, "", "", ""),
    )  # fmt: skip
    first_round = dispatch.deliveries.filter(round=1)
    _add_messages(first_round, channels.adapters_for(dispatch.channels))
    total = dispatch.deliveries.count()
    status = DispatchStatus.SENT if total else DispatchStatus.EMPTY
    with transaction.atomic():  # finished, and its messages queued: both or neither
        finished = Dispatch.objects.filter(pk=dispatch.pk, status=DispatchStatus.SENDING).update(
            status=status
        )
        if not finished:  # a second run after a restart: everything is there already
            return total
        audit_record(
            actor=None, action="dispatch_deliver", target=dispatch, changes={"people": total}
        )
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
        _send_pending(Message.objects.filter(delivery__in=first_round))
        if total:
            _record_as_evidence(dispatch, total)
    return total


def _record_as_evidence(dispatch: Dispatch, people: int) -> None:
    """A dispatch that reached people is evidence for each task it serves, recorded on behalf
    of the person who made it (as if they had written it on the task themselves)."""
    from loa.plans import services as plans_services

    sender = dispatch.created_by
    if sender is None:  # the sender's account is gone: nobody to record it in the name of
        return
    note = EVIDENCE_NOTE % {"title": dispatch.title, "people": people}
    for task in dispatch.tasks.select_related("plan"):
        try:
            with transaction.atomic():
                plans_services.evidence_add(actor=sender, task=task, note=note)
        except (PermissionDenied, ValidationError) as error:  # the plan closed, say
            logger.info("Dispatch %s not recorded on task %s: %s", dispatch.pk, task.pk, error)


def signed_link(delivery: Delivery, channel: str = Channel.EMAIL) -> str:
    """A person's own link to their delivery, naming the channel it was sent through."""
    token = signing.dumps({"d": delivery.pk, "c": channel}, salt=LINK_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("outreach:link", args=[token])


def delivery_from_link(token: str) -> tuple[int, str] | None:
    """The delivery and channel a personal link names, or None if forged or expired."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_DAYS * 24 * 3600)
        return int(data["d"]), Channel(data.get("c", Channel.EMAIL))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def message_send(*, message_id: int) -> str:
    """Send one message at most once, through its channel's adapter. Returns its state.

    The message is claimed (pending → sending) in a short statement and the conversation with
    the mail server or Zalo happens outside any transaction, so no lock waits on them. A
    failure is counted and the message waits for the next try, until MESSAGE_ATTEMPTS make it
    failed, with the reason. A worker that dies mid-send leaves it "sending": at most one
    message, never two (`resume_stuck` marks it failed later, so nothing is lost silently)."""
    claimed = Message.objects.filter(pk=message_id, state=Message.State.PENDING).update(
        state=Message.State.SENDING, claimed_at=timezone.now()
    )
    if not claimed:  # sent already, or another worker holds it
        return "skipped"
    message = Message.objects.select_related("delivery__dispatch__agency", "delivery__person").get(
        pk=message_id
    )
    adapter = channels.ADAPTERS[message.channel]
    delivery = message.delivery
    try:
        external_id = adapter.send(
            delivery, link=signed_link(delivery, message.channel), reminder=False
        )
    except Exception as error:  # any failure: counted, retried, then shown; never silent
        attempts = message.attempts + 1
        done = attempts >= MESSAGE_ATTEMPTS
        state = Message.State.FAILED if done else Message.State.PENDING
        Message.objects.filter(pk=message_id).update(
            state=state, attempts=attempts, error=str(error)[:300]
        )
        logger.warning("%s message %s failed: %s", message.channel, message_id, error)
        return state
    Message.objects.filter(pk=message_id).update(
        state=Message.State.SENT,
        attempts=message.attempts + 1,
        error="",
        sent_at=timezone.now(),
        external_id=external_id[:80],
    )
    return Message.State.SENT


def latest_deliveries(deliveries):
    """Each person's latest round of each dispatch: someone who never acknowledged round 1 is
    still asked, though round 2 went to others."""
    later = Delivery.objects.filter(
        dispatch=OuterRef("dispatch"), person=OuterRef("person"), round__gt=OuterRef("round")
    )
    return deliveries.filter(~Exists(later))


def remind_due(*, today: datetime.date | None = None) -> int:
    """The automatic reminders: people who have not acknowledged, REMIND_AFTER_DAYS after the
    dispatch was sent and again the day before its deadline, through the channels that
    reached them; nobody more than once a day. Run daily (`loa outreach remind`, from cron or
    the scheduler). Returns how many."""
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
        _queue_reminders(ids)
    return len(ids)


def _queue_reminders(ids: list[int]) -> None:
    """Reminders go through the channels people were reached by: the inbox shows them (the
    delivery's reminded_at); e-mail and Zalo go to those whose message got through."""
    from loa.outreach.tasks import send_reminders

    reached = list(
        Message.objects.filter(delivery_id__in=ids, state=Message.State.SENT)
        .values_list("delivery_id", flat=True)
        .distinct()
    )
    for start in range(0, len(reached), BATCH):
        enqueue_with_commit(send_reminders, delivery_ids=reached[start : start + BATCH])


@transaction.atomic
def dispatch_remind(*, actor: User, dispatch: Dispatch) -> int:
    """Remind the people not yet acknowledged that this user may see (a unit head: their
    units), through the channels that reached them. Nobody is reminded twice the same day.
    Returns how many people are reminded."""
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
    _queue_reminders(ids)
    return len(ids)


def delivery_send_reminder(*, delivery_id: int) -> None:
    """A reminder through each channel whose message reached the person."""
    delivery = Delivery.objects.select_related("dispatch__agency", "person").get(pk=delivery_id)
    if delivery.acknowledged_at:  # acknowledged since the reminder was queued
        return
    reached = delivery.messages.filter(state=Message.State.SENT).values_list("channel", flat=True)
    went = False
    for channel in reached:
        link = signed_link(delivery, channel)
        try:
            channels.ADAPTERS[channel].send(delivery, link=link, reminder=True)
            went = True
        except Exception as error:
            logger.warning("%s reminder for delivery %s failed: %s", channel, delivery_id, error)
    if reached and not went:  # no channel got through: let the next daily run try again
        Delivery.objects.filter(pk=delivery_id).update(reminded_at=None)


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
    )
    dispatch.current_round += 1
    dispatch.save(update_fields=["current_round"])
    Delivery.objects.bulk_create(
        [
            Delivery(
                dispatch=dispatch,
                person_id=person_id,
                unit_id=unit_id,
                round=dispatch.current_round,
            )
            for person_id, unit_id in acknowledged.values_list("person_id", "unit_id")
        ],
        ignore_conflicts=True,
    )
    new = dispatch.deliveries.filter(round=dispatch.current_round)
    _add_messages(new, channels.adapters_for(dispatch.channels))
    audit_record(
        actor=actor,
        action="dispatch_ask_again",
        target=dispatch,
        changes={"round": dispatch.current_round, "people": new.count(), "reason": reason},
    )
    _send_pending(Message.objects.filter(delivery__in=new))
    return new.count()


@transaction.atomic
def zalo_account_connect(
    *,
    actor: User,
    agency: Agency,
    app_id: str,
    secret_key: str,
    access_token: str,
    refresh_token: str,
) -> ZaloAccount:
    """Connect (or connect again) the agency's Zalo Official Account. The audit row names the
    app, never the secret or the tokens."""
    if not permissions.can_send(actor, agency.pk):
        raise PermissionDenied
    account, _created = ZaloAccount.objects.update_or_create(
        agency=agency,
        defaults={
            "app_id": app_id.strip(),
            "secret_key": secret_key.strip(),
            "access_token": access_token.strip(),
            "refresh_token": refresh_token.strip(),
            "is_active": True,
            "last_status": "",
        },
    )
    audit_record(
        actor=actor, action="zalo_account_connect", target=account, changes={"app_id": app_id}
    )
    return account


@transaction.atomic
def zalo_account_disconnect(*, actor: User, account: ZaloAccount) -> ZaloAccount:
    if not permissions.can_send(actor, account.agency_id):
        raise PermissionDenied
    account.is_active = False
    account.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="zalo_account_disconnect", target=account)
    return account


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


def delivery_open(
    *, actor: User, delivery: Delivery, channel: str, group: ZaloGroup | None = None
) -> Delivery:
    """The first open is recorded, with the channel (and Zalo group) it came through. A delivery
    already opened when it was loaded is returned as it is (an open is never undone): reading
    it again writes nothing and opens no transaction."""
    _own(actor, delivery)
    if delivery.opened_at is not None:
        return delivery
    return _delivery_first_open(actor=actor, delivery=delivery, channel=channel, group=group)


@transaction.atomic
def _delivery_first_open(
    *, actor: User, delivery: Delivery, channel: str, group: ZaloGroup | None
) -> Delivery:
    now = timezone.now()
    updated = Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
        opened_at=now, opened_channel=Channel(channel), opened_group=group
    )
    if updated:
        audit_record(
            actor=actor, action="delivery_open", target=delivery, changes={"channel": channel}
        )
        # What was written, set on the object rather than read back: a full refresh would also
        # drop the dispatch, agency and person the caller loaded with it.
        delivery.opened_at, delivery.opened_group = now, group
        delivery.opened_channel = Channel(channel).value
    else:  # another request opened it in between: what that one recorded
        delivery.refresh_from_db(fields=["opened_at", "opened_channel", "opened_group"])
    return delivery


# The one write a whole province makes in the same morning, so it is written as plain SQL
# instead of loading the delivery first. _ACKNOWLEDGE checks whose delivery it is and that its
# dispatch went out, and records the acknowledgement (and the first open, if it was not opened
# before); _ACKNOWLEDGED fetches what the audit row and the webhooks need, and whether the
# agency has any webhook at all. On PostgreSQL both, and the audit row, are one statement: one
# round trip and no transaction to open and commit (the statement is atomic by itself).
# SQLite has no UPDATE inside WITH and its RETURNING sees only the updated table, so there
# they are three statements in a transaction, the audit row written by audit_record.
_ACKNOWLEDGE = """
UPDATE outreach_delivery SET
    acknowledged_at = %(now)s, acknowledged_channel = %(channel)s, comment = %(comment)s,
    opened_channel = CASE WHEN opened_at IS NULL THEN %(channel)s ELSE opened_channel END,
    opened_at = COALESCE(opened_at, %(now)s)
FROM org_person, outreach_dispatch
WHERE outreach_delivery.id = %(delivery)s AND outreach_delivery.acknowledged_at IS NULL
    AND org_person.id = outreach_delivery.person_id AND org_person.user_id = %(user)s
    AND outreach_dispatch.id = outreach_delivery.dispatch_id
    AND outreach_dispatch.status <> %(draft)s
"""
_ACKNOWLEDGED = """
SELECT outreach_dispatch.id, org_person.id, outreach_dispatch.agency_id, outreach_dispatch.title,
    outreach_dispatch.dms_number, org_person.code, org_person.full_name,
    EXISTS (SELECT 1 FROM outreach_webhook WHERE outreach_webhook.agency_id =
            outreach_dispatch.agency_id AND outreach_webhook.is_active)
FROM outreach_dispatch, org_person
"""
# The audit row's label is str(Delivery): "<dispatch title> → <person's full name>".
_ACKNOWLEDGE_IN_ONE = f"""
WITH acknowledged AS ({_ACKNOWLEDGE}
    RETURNING outreach_delivery.id, outreach_delivery.dispatch_id, outreach_delivery.person_id
), audited AS (
    INSERT INTO {AUDIT_INTO}
    SELECT %(now)s, %(user)s, 'delivery_acknowledge', %(target_type)s, acknowledged.id::text,
        left(outreach_dispatch.title || ' → ' || org_person.full_name, 300), %(changes)s
    FROM acknowledged, outreach_dispatch, org_person
    WHERE outreach_dispatch.id = acknowledged.dispatch_id
        AND org_person.id = acknowledged.person_id
){_ACKNOWLEDGED}, acknowledged
WHERE outreach_dispatch.id = acknowledged.dispatch_id AND org_person.id = acknowledged.person_id
"""  # noqa: S608 - table names are the models'; every value is bound


def delivery_acknowledge(*, actor: User, delivery_id: int, channel: str, comment: str = "") -> bool:
    """ "Tôi đã đọc và nắm được nội dung": once, by the person themself, of a dispatch that
    was sent. True when recorded now, False when it was acknowledged before; someone else's
    delivery, or one not sent, raises Delivery.DoesNotExist (it is not theirs to see)."""
    channel, comment, now = Channel(channel), comment.strip()[:2000], timezone.now()
    changes = {"channel": channel, "comment": comment[:200]}
    params: dict[str, Any] = {
        "now": now,
        "channel": str(channel),
        "comment": comment,
        "delivery": delivery_id,
        "user": actor.pk,
        "draft": DispatchStatus.DRAFT,
    }
    if connection.vendor == "postgresql":
        params |= {"target_type": Delivery._meta.label_lower, "changes": audit_changes(changes)}
        with connection.cursor() as cursor:
            cursor.execute(_ACKNOWLEDGE_IN_ONE, params)
            row = cursor.fetchone()
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_ACKNOWLEDGE + "RETURNING dispatch_id, person_id", params)
            named = cursor.fetchone()
            row = None
            if named is not None:
                where = "WHERE outreach_dispatch.id = %s AND org_person.id = %s"
                cursor.execute(_ACKNOWLEDGED + where, named)
                row = cursor.fetchone()
                delivery = Delivery(
                    pk=delivery_id,
                    dispatch=Dispatch(pk=row[0], title=row[3]),
                    person=Person(pk=row[1], full_name=row[6]),
                )
                audit_record(
                    actor=actor, action="delivery_acknowledge", target=delivery, changes=changes
                )
    if row is None:
        own = Delivery.objects.filter(pk=delivery_id, person__user=actor).exclude(
            dispatch__status=DispatchStatus.DRAFT
        )
        if not own.exists():
            raise Delivery.DoesNotExist
        return False  # acknowledged before: nothing changes
    dispatch_id, person_id, agency_id, _title, dms_number, code, _full_name, heard = row
    if heard:  # almost no agency has a webhook: the statement already asked
        announce(
            agency_id,
            "delivery.acknowledged",
            {"dispatch": dispatch_id, "person": code or person_id, "dms_number": dms_number},
        )
    return True
