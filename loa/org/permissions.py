"""Who may see and change what in the organisation. Every view asks here, never decides itself.

A signed-in user is an *actor*: their Person (if any) and their active role assignments,
read once per request and cached on the user object.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from loa.core.models import User
from loa.org.models import Agency, Person, Role, RoleAssignment, Unit
from loa.org.tree import subtree_ids

# Roles that see and manage the whole agency's organisation.
MANAGING_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.COORDINATOR})
# Roles that read the whole agency's organisation.
READING_ROLES: frozenset[str] = MANAGING_ROLES | {Role.CHIEF, Role.LEADERSHIP}
# Roles that export and erase a person's personal data (Decree 13/2023/NĐ-CP).
PERSONAL_DATA_ROLES: frozenset[str] = frozenset({Role.ADMIN})


@dataclass
class Actor:
    user: User
    person: Person | None
    assignments: list[RoleAssignment] = field(default_factory=list)

    @property
    def is_superuser(self) -> bool:
        return self.user.is_superuser

    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    def agency_ids_with(self, roles: frozenset[str]) -> set[int]:
        return {a.agency_id for a in self.assignments if a.role in roles}

    def headed_unit_ids(self) -> set[int]:
        """Units this person heads, with all their sub-units."""
        heads = {a.unit_id for a in self.assignments if a.role == Role.UNIT_HEAD and a.unit_id}
        agency_ids = {a.agency_id for a in self.assignments if a.role == Role.UNIT_HEAD}
        return subtree_ids(heads, agency_ids)


def actor_for(user: User) -> Actor:
    cached = getattr(user, "_loa_actor", None)
    if cached is not None:
        return cached
    person = Person.objects.select_related("agency", "unit").filter(user=user).first()
    assignments = []
    if person is not None:
        assignments = list(
            RoleAssignment.objects.filter(
                person=person, revoked_at__isnull=True, agency__dissolved_on__isnull=True
            ).select_related("agency", "unit")
        )
    actor = Actor(user=user, person=person, assignments=assignments)
    setattr(user, "_loa_actor", actor)  # noqa: B010 - a per-request cache on the user object
    return actor


def forget_actor(user: User) -> None:
    """Drop the cached actor after the user's roles changed within this request."""
    user.__dict__.pop("_loa_actor", None)


# --- agencies and units -------------------------------------------------------------------


def can_manage_agency(user: User, agency: Agency) -> bool:
    actor = actor_for(user)
    return actor.is_superuser or agency.pk in actor.agency_ids_with(MANAGING_ROLES)


def can_create_agency(user: User) -> bool:
    return user.is_superuser


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    actor = actor_for(user)
    if actor.is_superuser:
        return Agency.objects.all()
    ids = actor.agency_ids_with(READING_ROLES)
    provinces = {a.agency.province for a in actor.assignments if a.role == Role.PROVINCE_REVIEWER}
    if actor.person is not None:
        ids.add(actor.person.agency_id)
    return Agency.objects.filter(Q(pk__in=ids) | Q(province__in=provinces))


def can_read_agency_people(user: User, agency: Agency) -> bool:
    actor = actor_for(user)
    return actor.is_superuser or agency.pk in actor.agency_ids_with(READING_ROLES)


# --- people -----------------------------------------------------------------------------


def people_visible_to(user: User) -> QuerySet[Person]:
    """Everyone this user may see: whole agencies for readers, own units for heads, else self."""
    actor = actor_for(user)
    if actor.is_superuser:
        return Person.objects.all()
    scope = Q(pk=actor.person.pk) if actor.person else Q(pk__in=[])
    reading = actor.agency_ids_with(READING_ROLES)
    if reading:
        scope |= Q(agency_id__in=reading)
    headed = actor.headed_unit_ids()
    if headed:
        scope |= Q(unit_id__in=headed)
    return Person.objects.filter(scope)


def can_list_people(user: User) -> bool:
    actor = actor_for(user)
    return actor.is_superuser or bool(actor.roles() & (READING_ROLES | {Role.UNIT_HEAD}))


def can_edit_person(user: User, person: Person) -> bool:
    """Managers edit their agency's people; unit heads the people of the units they head."""
    actor = actor_for(user)
    if actor.is_superuser or person.agency_id in actor.agency_ids_with(MANAGING_ROLES):
        return True
    return person.unit_id is not None and person.unit_id in actor.headed_unit_ids()


def can_manage_personal_data(user: User, person: Person) -> bool:
    """Export or erase everything Loa holds about `person`: their agency's administrators
    (not its coordinators, who manage plans and people but not this) and superusers."""
    actor = actor_for(user)
    return actor.is_superuser or person.agency_id in actor.agency_ids_with(PERSONAL_DATA_ROLES)


def units_assignable_by(user: User, agency: Agency) -> QuerySet[Unit]:
    """The units `user` may place a person in: all of a managed agency, else the ones they head."""
    units = Unit.objects.filter(agency=agency, dissolved_on__isnull=True)
    if can_manage_agency(user, agency):
        return units
    return units.filter(pk__in=actor_for(user).headed_unit_ids())


def can_manage_roles(user: User, agency: Agency) -> bool:
    return can_manage_agency(user, agency)


def can_import_people(user: User, agency: Agency) -> bool:
    return can_manage_agency(user, agency)
