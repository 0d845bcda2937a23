"""Who may send dispatches and see who was reached."""

from django.db.models import Q, QuerySet

from loa.core.models import User
from loa.org.models import Person
from loa.org.permissions import MANAGING_ROLES, READING_ROLES, actor_for
from loa.outreach.models import Delivery, Dispatch


def can_send(user: User, agency_id: int) -> bool:
    actor = actor_for(user)
    return actor.is_superuser or agency_id in actor.agency_ids_with(MANAGING_ROLES)


def dispatches_visible_to(user: User) -> QuerySet[Dispatch]:
    """Readers of an agency see its dispatches; unit heads see those that reached their units."""
    actor = actor_for(user)
    if actor.is_superuser:
        return Dispatch.objects.all()
    scope = Q(agency_id__in=actor.agency_ids_with(READING_ROLES))
    headed = actor.headed_unit_ids()
    if headed:
        scope |= Q(deliveries__unit_id__in=headed)
    return Dispatch.objects.filter(scope).distinct()


def deliveries_visible_to(user: User, dispatch: Dispatch) -> QuerySet[Delivery]:
    """Whole reach for the agency's readers; a unit head sees the people of their units."""
    actor = actor_for(user)
    deliveries = dispatch.deliveries.all()
    if actor.is_superuser or dispatch.agency_id in actor.agency_ids_with(READING_ROLES):
        return deliveries
    return deliveries.filter(unit_id__in=actor.headed_unit_ids())


def person_deliveries_visible_to(user: User, person: Person) -> QuerySet[Delivery]:
    """What one person was sent, as far as this user may see it: all of it for the person and
    the agency's readers; what reached the units they head for a unit head."""
    actor = actor_for(user)
    deliveries = Delivery.objects.filter(person=person).exclude(dispatch__status="draft")
    if actor.is_superuser or (person.user_id is not None and person.user_id == user.pk):
        return deliveries
    return deliveries.filter(
        Q(dispatch__agency_id__in=actor.agency_ids_with(READING_ROLES))
        | Q(unit_id__in=actor.headed_unit_ids())
    )
