"""Reads for the organisation pages: joined, scoped to what the user may see."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from loa.core.models import User
from loa.core.text import fold
from loa.org import permissions
from loa.org.models import Agency, Person, RoleAssignment, Unit


def people_for_list(
    user: User,
    *,
    search: str = "",
    agency: Agency | None = None,
    unit: Unit | None = None,
    category: str = "",
    include_inactive: bool = False,
) -> QuerySet[Person]:
    """People `user` may see, filtered; the search ignores diacritics, đ/d and case."""
    people = permissions.people_visible_to(user).select_related("agency", "unit", "position")
    if not include_inactive:
        people = people.filter(is_active=True)
    if agency is not None:
        people = people.filter(agency=agency)
    if unit is not None:
        people = people.filter(unit=unit)
    if category:
        people = people.filter(category=category)
    for word in fold(search).split():
        people = people.filter(Q(search_name__contains=word) | Q(code__iexact=word))
    return people.order_by("sort_key", "id")


@dataclass
class UnitNode:
    unit: Unit
    people_count: int
    children: list["UnitNode"] = field(default_factory=list)


def unit_tree(agency: Agency, *, include_dissolved: bool = False) -> list[UnitNode]:
    """The agency's units as a tree, each with the number of people working in it."""
    units = Unit.objects.filter(agency=agency).annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    )
    if not include_dissolved:
        units = units.filter(dissolved_on__isnull=True)
    nodes = {u.pk: UnitNode(unit=u, people_count=u.people_count) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: fold(n.unit.name))
    return sorted(roots, key=lambda n: fold(n.unit.name))


def flatten_tree(nodes: list[UnitNode], depth: int = 0) -> list[tuple[int, UnitNode]]:
    rows = []
    for node in nodes:
        rows.append((depth, node))
        rows.extend(flatten_tree(node.children, depth + 1))
    return rows


def active_roles_of_agency(agency: Agency) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(agency=agency, revoked_at__isnull=True)
        .select_related("person", "unit", "person__unit")
        .order_by("role", "person__sort_key")
    )


def emails_of_role_holders(agency_ids, roles) -> dict[int, set[str]]:
    """Agency id → the e-mail addresses of the people holding one of `roles` there now (active,
    with an address): whom Loa tells of something of the agency's. One query."""
    rows = RoleAssignment.objects.filter(
        agency_id__in=agency_ids, role__in=roles, revoked_at__isnull=True, person__is_active=True
    ).exclude(person__email="")
    found: dict[int, set[str]] = {}
    for agency_id, email in rows.values_list("agency_id", "person__email"):
        found.setdefault(agency_id, set()).add(email)
    return found


def agencies_for_list(user: User) -> QuerySet[Agency]:
    return (
        permissions.agencies_visible_to(user)
        .select_related("merged_into")
        .annotate(
            units_count=Count("units", filter=Q(units__dissolved_on__isnull=True), distinct=True),
            people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
        )
        .order_by("province", "name")
    )
