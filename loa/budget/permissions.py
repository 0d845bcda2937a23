"""Who keeps the budget: the plan's managers (the coordinator); its readers see it."""

from loa.core.models import User
from loa.plans.models import Plan
from loa.plans.permissions import can_manage_plans


def can_keep_budget(user: User, plan: Plan) -> bool:
    return can_manage_plans(user, plan.agency_id)
