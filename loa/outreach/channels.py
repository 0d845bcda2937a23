"""The channels that tell a person of their delivery: one small adapter each, behind one
interface (`channel`, `address_field`, `send`). The inbox needs no adapter (a delivery is in the
inbox from the moment it exists), and Zalo groups are reached by the tracked link a person
pastes into the group (`GroupLink`): software cannot post into ordinary Zalo groups.

An adapter sends one message and returns the channel's id for it, or raises `ChannelFailed`
with the reason the coordinator will read. Retrying, at-most-once and the record of each
attempt belong to the services, not to the adapters.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.services import audit_record
from loa.outreach.models import Channel, Delivery, ZaloAccount

ZALO_TEXT_LIMIT = 2000  # characters Zalo accepts in one text message
ZALO_TOKEN_EXPIRED = {-216, -124}  # "access token is invalid", "access token has expired"


class ChannelFailed(Exception):
    """The channel refused the message or could not be reached; the text says why."""


class Adapter(Protocol):
    channel: Channel
    address_field: str  # the Person field that holds the person's address on this channel

    def send(self, delivery: Delivery, *, link: str, reminder: bool) -> str: ...


def _context(delivery: Delivery, link: str, reminder: bool) -> dict:
    return {"delivery": delivery, "link": link, "reminder": reminder}


class Email:
    channel = Channel.EMAIL
    address_field = "email"

    def send(self, delivery: Delivery, *, link: str, reminder: bool) -> str:
        context = _context(delivery, link, reminder)
        title = " ".join(delivery.dispatch.title.split())  # no line break may reach a header
        message = EmailMultiAlternatives(
            subject=f"[Loa] {title}",
            body=render_to_string("outreach/mail.txt", context),
            to=[delivery.person.email],
        )
        message.attach_alternative(render_to_string("outreach/mail.html", context), "text/html")
        try:
            message.send()
        except Exception as error:  # SMTP refusals, timeouts, DNS: all the same to the sender
            raise ChannelFailed(str(error) or error.__class__.__name__) from error
        return ""


class ZaloOfficialAccount:
    """A text message from the agency's Official Account to a person who follows it, through
    the OA API (`POST {LOA_ZALO_API_URL}/v3.0/oa/message/cs`, the token in an `access_token`
    header). An expired access token is renewed once with the refresh token
    (`POST {LOA_ZALO_OAUTH_URL}/v4/oa/access_token`) and the message tried again."""

    channel = Channel.ZALO_OA
    address_field = "zalo_id"

    def send(self, delivery: Delivery, *, link: str, reminder: bool) -> str:
        account = ZaloAccount.objects.filter(
            agency_id=delivery.dispatch.agency_id, is_active=True
        ).first()
        if account is None:
            raise ChannelFailed(_("the agency has no Zalo Official Account connected"))
        text = render_to_string("outreach/mail.txt", _context(delivery, link, reminder))
        body = {
            "recipient": {"user_id": delivery.person.zalo_id},
            "message": {"text": text.strip()[:ZALO_TEXT_LIMIT]},
        }
        answer = self._post_message(account.access_token, body)
        if answer.get("error") in ZALO_TOKEN_EXPIRED:
            answer = self._post_message(self._renewed_token(account), body)
        if answer.get("error") != 0:
            raise ChannelFailed(f"Zalo {answer.get('error')}: {answer.get('message', '')}"[:300])
        return str((answer.get("data") or {}).get("message_id", ""))

    def _post_message(self, token: str, body: dict) -> dict:
        url = settings.LOA_ZALO_API_URL.rstrip("/") + "/v3.0/oa/message/cs"
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"access_token": token, "Content-Type": "application/json"}
        return _post(url, data, headers)

    def _renewed_token(self, account: ZaloAccount) -> str:
        """A new access token. No transaction is held while Zalo answers (on SQLite it would
        lock the whole database). A refresh token works once, so when two workers renew at
        the same moment Zalo refuses the second: the tokens are saved only if nobody else
        saved theirs first, and a worker that was refused takes the other's token."""
        url = settings.LOA_ZALO_OAUTH_URL.rstrip("/") + "/v4/oa/access_token"
        form = urllib.parse.urlencode(
            {
                "app_id": account.app_id,
                "grant_type": "refresh_token",
                "refresh_token": account.refresh_token,
            }
        ).encode()
        headers = {
            "secret_key": account.secret_key,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        answer = _post(url, form, headers)
        unchanged = ZaloAccount.objects.filter(pk=account.pk, refresh_token=account.refresh_token)
        if answer.get("access_token"):
            saved = unchanged.update(
                access_token=answer["access_token"],
                refresh_token=answer.get("refresh_token") or account.refresh_token,
                last_status="",
                updated_at=timezone.now(),
            )
            if saved:
                audit_record(actor=None, action="zalo_account_renew_token", target=account)
                return answer["access_token"]
        else:
            time.sleep(1)  # a worker racing us may be saving the token Zalo just gave it
        current = ZaloAccount.objects.get(pk=account.pk)
        if current.refresh_token != account.refresh_token:  # another worker renewed it
            return current.access_token
        status = _("Zalo refused to renew the access token: connect the account again.")
        unchanged.update(last_status=status, is_active=False)  # stop asking Zalo in vain
        raise ChannelFailed(status)


def _post(url: str, data: bytes, headers: dict) -> dict:
    """Zalo answers HTTP 200 with {"error": 0 | negative code, "message": …} in the body."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - Zalo's https URL from the settings
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise ChannelFailed(f"Zalo HTTP {error.code}") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ChannelFailed(_("Zalo did not answer: %(error)s") % {"error": error}) from error


ADAPTERS: dict[str, Adapter] = {a.channel: a for a in (Email(), ZaloOfficialAccount())}


def adapters_for(channels: list[str]) -> list[Adapter]:
    """The adapters of the channels a dispatch chose that send messages, in a fixed order."""
    return [ADAPTERS[c] for c in sorted(channels) if c in ADAPTERS]
