"""Demo plan: the sample plan itself, imported for the Office and approved by its Chief."""

from django.db import transaction

from loa.core.models import User
from loa.library.demo import SAMPLE_PLAN
from loa.org.demo import AGENCY_NAME
from loa.org.models import Agency
from loa.plans import importing, services
from loa.plans.models import Plan


def exists() -> bool:
    return Plan.objects.filter(agency__name=AGENCY_NAME).exists()


@transaction.atomic
def load() -> None:
    agency = Agency.objects.filter(name=AGENCY_NAME).first()
    if agency is None or exists():
        return
    coordinator = User.objects.get(username="dieuphoi")
    chief = User.objects.get(username="chanhvanphong")
    parsed = importing.parse(
        SAMPLE_PLAN.read_text(encoding="utf-8"), known_units=[u.name for u in agency.units.all()]
    )
    plan = services.plan_create_from_parsed(actor=coordinator, agency=agency, parsed=parsed)
    services.plan_submit(actor=coordinator, plan=plan)
    services.plan_approve(actor=chief, plan=plan)
