"""Who reads the dashboard and the reports, and who writes and submits them."""

from django.db.models import Q, QuerySet

from loa.core.models import User
from loa.org.models import Agency, Role
from loa.org.permissions import READING_ROLES, actor_for
from loa.plans.permissions import can_manage_plans


def agencies_followed_by(user: User) -> QuerySet[Agency]:
    """The agencies whose dashboard and reports `user` reads: those they lead or coordinate
    (the Chief, leadership, coordinators, admins) and, for a province reviewer of the
    Department of Home Affairs, every agency of the province."""
    actor = actor_for(user)
    if actor.is_superuser:
        return Agency.objects.filter(dissolved_on__isnull=True)
    provinces = {a.agency.province for a in actor.assignments if a.role == Role.PROVINCE_REVIEWER}
    scope = Q(pk__in=actor.agency_ids_with(READING_ROLES)) | Q(province__in=provinces)
    return Agency.objects.filter(scope, dissolved_on__isnull=True)


def provinces_reviewed_by(user: User) -> set[str]:
    actor = actor_for(user)
    return {a.agency.province for a in actor.assignments if a.role == Role.PROVINCE_REVIEWER}


def can_write_report(user: User, agency_id: int) -> bool:
    """The Admin–Management Department compiles and submits: the agency's coordinators."""
    return can_manage_plans(user, agency_id)


def reports_visible_to(user: User) -> QuerySet:
    """An agency's readers see its reports, drafts included; a province reviewer sees the
    province's reports once they are submitted."""
    from loa.reports.models import Report, ReportStatus

    actor = actor_for(user)
    if actor.is_superuser:
        return Report.objects.all()
    provinces = provinces_reviewed_by(user)
    scope = Q(agency_id__in=actor.agency_ids_with(READING_ROLES))
    if provinces:
        scope |= Q(agency__province__in=provinces, status=ReportStatus.SUBMITTED)
    return Report.objects.filter(scope)


def inspections_visible_to(user: User) -> QuerySet:
    """The agency's readers see its inspections; a unit head sees those of the units they
    head, to act on the follow-ups."""
    from loa.reports.models import Inspection

    actor = actor_for(user)
    if actor.is_superuser:
        return Inspection.objects.all()
    scope = Q(agency_id__in=actor.agency_ids_with(READING_ROLES))
    headed = actor.headed_unit_ids()
    if headed:
        scope |= Q(unit_id__in=headed)
    return Inspection.objects.filter(scope)
