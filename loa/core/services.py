"""Writes shared by every app: the audit row each service leaves behind."""

from typing import Any

from django.db import models

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


def audit_record(
    *, actor: User | None, action: str, target: models.Model, changes: dict | None = None
) -> AuditEntry:
    """Record that `actor` did `action` to `target`. Called inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        changes={key: _jsonable(value) for key, value in (changes or {}).items()},
    )


def changed_fields(instance: models.Model, data: dict) -> dict:
    """Set the fields in `data` on `instance`; return {field: [old, new]} for those that changed."""
    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [old, new]
            setattr(instance, field, new)
    return changes
