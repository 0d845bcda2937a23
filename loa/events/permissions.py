"""Who records activities, takes attendance and sees the calendar."""

from django.db.models import Q, QuerySet

from loa.core.models import User
from loa.events.models import Activity
from loa.org.permissions import MANAGING_ROLES, READING_ROLES, actor_for


def can_manage(user: User, agency_id: int) -> bool:
    """Coordinators (and the agency's other managers) keep the calendar, types and feeds."""
    actor = actor_for(user)
    return actor.is_superuser or agency_id in actor.agency_ids_with(MANAGING_ROLES)


def can_organize(user: User, agency_id: int, unit_id: int | None) -> bool:
    """Managers record activities of any unit; a unit head those of the units they head."""
    if can_manage(user, agency_id):
        return True
    return unit_id is not None and unit_id in actor_for(user).headed_unit_ids()


def can_edit(user: User, activity: Activity) -> bool:
    return can_organize(user, activity.agency_id, activity.organizer_id)


def activities_visible_to(user: User) -> QuerySet[Activity]:
    """Everyone who works in an agency sees its calendar (it is how they learn of meetings);
    readers see the agencies they read, unit heads their units'; nobody sees another's."""
    actor = actor_for(user)
    if actor.is_superuser:
        return Activity.objects.all()
    scope = Q(agency_id__in=actor.agency_ids_with(READING_ROLES))
    if actor.person is not None and actor.person.is_active:
        scope |= Q(agency_id=actor.person.agency_id)
    headed = actor.headed_unit_ids()
    if headed:
        scope |= Q(organizer_id__in=headed)
    return Activity.objects.filter(scope)
