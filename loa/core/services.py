"""Writes shared by every app: the audit row each service leaves behind."""

from typing import Any

from django.db import connection, models
from django.utils import timezone

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
