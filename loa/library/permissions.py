"""Who may read and change the library. Everyone signed in reads it; editors keep it."""

from loa.core.models import User
from loa.org.models import Role
from loa.org.permissions import actor_for

EDITING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.PUBLISHER})


def can_read_library(user: User) -> bool:
    return user.is_authenticated


def can_edit_library(user: User) -> bool:
    if not user.is_authenticated:
        return False
    actor = actor_for(user)
    return actor.is_superuser or bool(actor.roles() & EDITING_ROLES)
