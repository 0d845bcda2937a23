"""Writes shared by every app: the audit row each service leaves behind."""

from typing import Any

import django_otp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loa.core import two_factor
from loa.core.models import AuditEntry, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# Every write in Loa leaves one audit row, so the row is one plain INSERT rather than a model
# saved through the ORM (a third of an acknowledgement's time went to that machinery).
# A statement that writes its audit row itself (as part of a larger one, see
# outreach.services.delivery_acknowledge) inserts into AUDIT_INTO, with audit_changes().
AUDIT_INTO = (
    f"{AuditEntry._meta.db_table} "  # the name is the model's
    "(at, actor_id, action, target_type, target_id, target_label, changes)"
)
_AUDIT_INSERT = f"INSERT INTO {AUDIT_INTO} VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608


def audit_changes(changes: dict | None) -> Any:
    """The audit row's `changes`, as the database takes it."""
    return AuditEntry._meta.get_field("changes").get_db_prep_save(
        {key: _jsonable(value) for key, value in (changes or {}).items()}, connection
    )


def audit_record(
    *, actor: User | None, action: str, target: models.Model, changes: dict | None = None
) -> None:
    """Record that `actor` did `action` to `target`. Called inside the service's transaction."""
    values = [
        timezone.now(),
        actor.pk if actor and actor.pk else None,
        action,
        target._meta.label_lower,
        str(target.pk),
        str(target)[:300],
        audit_changes(changes),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_AUDIT_INSERT, values)


def changed_fields(instance: models.Model, data: dict) -> dict:
    """Set the fields in `data` on `instance`; return {field: [old, new]} for those that changed."""
    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [old, new]
            setattr(instance, field, new)
    return changes


def account_admin_record(
    *, actor: User, account: User, what: str, message: str | list = ""
) -> None:
    """An account added, changed or deleted in the Django admin: the admin writes it; this
    records it in Loa's audit log too, with the admin's own account of what changed (field
    names, "Changed password."), which holds no value."""
    if not actor.is_superuser:
        raise PermissionDenied
    audit_record(
        actor=actor,
        action=f"account_admin_{what}",
        target=account,
        changes={"admin": message} if message else {},
    )


# --- two-factor sign-in (devices are django-otp's; see core.two_factor) -----------------------

TWO_FACTOR_WRONG_CODE = two_factor.WRONG_CODE
TWO_FACTOR_WAIT = two_factor.WAIT
TWO_FACTOR_ALREADY_ON = _("Two-factor sign-in is already on for this account.")
TWO_FACTOR_NOT_ON = _("Two-factor sign-in is not on for this account.")


def two_factor_device_pending(*, actor: User) -> TOTPDevice:
    """The authenticator device `actor` is setting up: the unconfirmed one they have, or a new
    one. Nothing about signing in changes until it is confirmed, so this leaves no audit row."""
    if two_factor.has_device(actor):
        raise ValidationError(TWO_FACTOR_ALREADY_ON, code="already_on")
    pending = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    return pending or TOTPDevice.objects.create(
        user=actor, name=gettext("Authenticator app"), confirmed=False
    )


def _backup_tokens_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=gettext("Backup codes"), confirmed=True)
    tokens = [StaticToken.random_token() for _i in range(two_factor.BACKUP_TOKEN_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return tokens


def two_factor_enable(*, actor: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm `actor`'s pending authenticator device with a code it shows; returns the new
    backup codes, which are shown once and kept only as django-otp keeps them."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
        if device.confirmed or two_factor.has_device(actor):
            raise ValidationError(TWO_FACTOR_ALREADY_ON, code="already_on")
        allowed, _extra = device.verify_is_allowed()
        # A wrong code's throttling is written by verify_token and must stay written, so the
        # refusal is raised after this block commits.
        verified = allowed and device.verify_token(two_factor.normalise(token))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
            tokens = _backup_tokens_replace(actor)
            audit_record(
                actor=actor,
                action="two_factor_enable",
                target=actor,
                changes={"two_factor": [False, True]},
            )
    if not allowed:
        raise ValidationError(TWO_FACTOR_WAIT, code="throttled")
    if not verified:
        raise ValidationError(TWO_FACTOR_WRONG_CODE, code="wrong_code")
    return tokens


def two_factor_backup_renew(*, actor: User) -> list[str]:
    """New backup codes for `actor` (the old ones stop working); returns them, shown once."""
    with transaction.atomic():
        if two_factor.totp_device(actor) is None:
            raise ValidationError(TWO_FACTOR_NOT_ON, code="not_on")
        tokens = _backup_tokens_replace(actor)
        audit_record(actor=actor, action="two_factor_backup_renew", target=actor)
    return tokens


def two_factor_reset(*, actor: User, user: User) -> None:
    """Remove every second-factor device of `user` (a lost phone): they sign in with their
    password again and, if their role requires it, set up a new app at once. Their sessions
    verified with the old device stop being verified."""
    if not (actor.is_superuser or actor.has_perm("core.change_user")):
        raise PermissionDenied
    with transaction.atomic():
        had = two_factor.has_device(user)
        for model in django_otp.device_classes():
            model.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            action="two_factor_reset",
            target=user,
            changes={"two_factor": [had, False]},
        )
