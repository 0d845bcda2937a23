"""Who reads, answers and keeps citizens' feedback.

The agency's readers (chief, leadership, coordinator, administrator) read it; the coordinator,
the administrator and the chief answer it and alone see how to reach the citizen (Decree 13:
contact details go no further than the people who use them). The coordinator opens the box;
an administrator exports or erases what one citizen left."""

from django.db.models import QuerySet

from loa.core.models import User
from loa.org.models import Agency, Role
from loa.org.permissions import MANAGING_ROLES, PERSONAL_DATA_ROLES, READING_ROLES, actor_for

ANSWERING_ROLES: frozenset[str] = MANAGING_ROLES | {Role.CHIEF}


def _agency_ids(user: User, roles: frozenset[str]) -> set[int] | None:
    """The agencies where `user` holds one of `roles`; None means every agency (superuser)."""
    actor = actor_for(user)
    return None if actor.is_superuser else set(actor.agency_ids_with(roles))


def _scope(user: User, roles: frozenset[str], agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    ids = _agency_ids(user, roles)
    return agencies if ids is None else agencies.filter(pk__in=ids)


def agencies_reading_feedback(user: User) -> QuerySet[Agency]:
    return _scope(user, READING_ROLES, Agency.objects.filter(dissolved_on__isnull=True))


def agencies_keeping_citizen_data(user: User) -> QuerySet[Agency]:
    # Dissolved agencies too: a citizen's rights outlive the agency they wrote to.
    return _scope(user, PERSONAL_DATA_ROLES, Agency.objects.all())


def _holds(user: User, roles: frozenset[str], agency_id: int) -> bool:
    ids = _agency_ids(user, roles)
    return ids is None or agency_id in ids


def can_read_feedback(user: User, agency_id: int) -> bool:
    return _holds(user, READING_ROLES, agency_id)


def can_answer_feedback(user: User, agency_id: int) -> bool:
    return _holds(user, ANSWERING_ROLES, agency_id)


def can_manage_box(user: User, agency_id: int) -> bool:
    return _holds(user, MANAGING_ROLES, agency_id)


def can_manage_citizen_data(user: User, agency_id: int) -> bool:
    return _holds(user, PERSONAL_DATA_ROLES, agency_id)
