"""Who may see and change plans, approve them, and prove their tasks."""

from django.db.models import Q, QuerySet

from loa.core.models import User
from loa.org.models import Role, Unit
from loa.org.permissions import MANAGING_ROLES, READING_ROLES, actor_for
from loa.plans.models import Plan, PlanStatus, Task

VISIBLE_TO_STAFF = [PlanStatus.APPROVED, PlanStatus.PUBLISHED, PlanStatus.CLOSED]
RUNNING = [PlanStatus.APPROVED, PlanStatus.PUBLISHED]


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """Readers of an agency see all its plans; its other people see them once approved;
    province reviewers see the published plans of their province."""
    actor = actor_for(user)
    if actor.is_superuser:
        return Plan.objects.all()
    scope = Q(agency_id__in=actor.agency_ids_with(READING_ROLES))
    if actor.person is not None:
        scope |= Q(agency_id=actor.person.agency_id, status__in=VISIBLE_TO_STAFF)
    provinces = {a.agency.province for a in actor.assignments if a.role == Role.PROVINCE_REVIEWER}
    if provinces:  # other agencies' plans once made public, not while still internal
        scope |= Q(
            agency__province__in=provinces, status__in=[PlanStatus.PUBLISHED, PlanStatus.CLOSED]
        )
    return Plan.objects.filter(scope)


def can_manage_plans(user: User, agency_id: int) -> bool:
    actor = actor_for(user)
    return actor.is_superuser or agency_id in actor.agency_ids_with(MANAGING_ROLES)


def can_edit_plan(user: User, plan: Plan) -> bool:
    return plan.is_editable and can_manage_plans(user, plan.agency_id)


APPROVING_ROLES = frozenset({Role.CHIEF, Role.APPROVER})


def can_approve_plan(user: User, plan: Plan) -> bool:
    """The Chief of Office, or whoever the agency names plan approver."""
    actor = actor_for(user)
    return actor.is_superuser or plan.agency_id in actor.agency_ids_with(APPROVING_ROLES)


def can_publish_plan(user: User, plan: Plan) -> bool:
    actor = actor_for(user)
    roles = MANAGING_ROLES | {Role.PUBLISHER}
    return actor.is_superuser or plan.agency_id in actor.agency_ids_with(roles)


def can_add_evidence(user: User, task: Task) -> bool:
    """Managers of the agency, and heads of a unit the task names (all units: any head)."""
    if can_manage_plans(user, task.plan.agency_id):
        return True
    headed = actor_for(user).headed_unit_ids()
    if not headed:
        return False
    if task.all_units:
        return Unit.objects.filter(pk__in=headed, agency_id=task.plan.agency_id).exists()
    named = {task.lead_unit_id, *task.cooperating_units.values_list("id", flat=True)}
    return bool(named & headed)


# --- whose tasks are whose -----------------------------------------------------------------


def own_unit_ids(user: User) -> set[int]:
    """The units whose tasks are this person's: the units they head, with their sub-units,
    and the unit they work in with the units above it (a team does its centre's tasks)."""
    actor = actor_for(user)
    units = set(actor.headed_unit_ids())
    unit = actor.person.unit if actor.person is not None else None
    seen: set[int] = set()
    while unit is not None and unit.pk not in seen:
        seen.add(unit.pk)
        units.add(unit.pk)
        unit = unit.parent
    return units


def task_reader_agency_ids(user: User) -> set[int] | None:
    """The agencies all of whose tasks this person follows (the Chief, leadership,
    coordinators); None for a superuser, who follows every agency."""
    actor = actor_for(user)
    if actor.is_superuser:
        return None
    return actor.agency_ids_with(READING_ROLES)


def task_list_kind(user: User) -> str:
    """What the tasks page shows this person: "agency" (all the agency's tasks), "unit"
    (their own unit's tasks), or "" (they are in no unit: no task is theirs)."""
    readers = task_reader_agency_ids(user)
    if readers is None or readers:
        return "agency"
    return "unit" if own_unit_ids(user) else ""
