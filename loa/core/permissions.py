"""Who may read the audit log, and which of its rows.

An audit row names the acting account and the object, but not the agency (the object may be
gone, and many rows are written by a single SQL statement that knows no agency). So an agency's
administrators and its chief of office see the rows written by the accounts of the agency's
people (where they work now); system administrators (superusers) see every row, including the
worker's and scheduled jobs' (no account) and their own. Nobody else sees the log.
"""

from django.db.models import QuerySet

from loa.core.models import AuditEntry, User
from loa.org.models import Person, Role
from loa.org.permissions import actor_for

# Roles that read their agency's audit log.
AUDIT_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.CHIEF})


def audit_agency_ids(user: User) -> set[int]:
    return actor_for(user).agency_ids_with(AUDIT_ROLES)


def can_read_audit_log(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(audit_agency_ids(user))


def audit_entries_visible_to(user: User) -> QuerySet[AuditEntry]:
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    if user.is_superuser:
        return AuditEntry.objects.all()
    agencies = audit_agency_ids(user)
    if not agencies:
        return AuditEntry.objects.none()
    accounts = Person.objects.filter(agency_id__in=agencies, user__isnull=False).values("user_id")
    return AuditEntry.objects.filter(actor_id__in=accounts)
