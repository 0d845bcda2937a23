"""The unit tree: a unit and everything under it, read in one query."""

from loa.org.models import Unit


def subtree_ids(roots: set[int], agency_ids: set[int]) -> set[int]:
    """The ids of `roots` and of all their sub-units (of the given agencies)."""
    if not roots:
        return set()
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in Unit.objects.filter(agency_id__in=agency_ids).values_list(
        "id", "parent_id"
    ):
        children.setdefault(parent_id, []).append(unit_id)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        unit_id = stack.pop()
        if unit_id not in found:
            found.add(unit_id)
            stack.extend(children.get(unit_id, []))
    return found
