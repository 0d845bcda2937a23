"""Activities for tests, made through the services."""

import datetime

from django.utils import timezone

from loa.events import services


def make_activity(world, *, actor=None, starts_in_hours: float = 1, hours: float = 2, **kw):
    agency = kw.pop("agency", world.agency)
    starts = timezone.now() + datetime.timedelta(hours=starts_in_hours)
    defaults = {
        "type": services.types_of(agency).get(order=0),
        "title": "Sinh hoạt chuyên đề: Nghị quyết 76/NQ-CP",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=hours),
        "place": "Phòng họp tầng 3",
        "organizer": world.unit_a,
        "audience": {"units": [world.unit_a.pk], "subunits": True},
    }
    defaults.update(kw)
    return services.activity_create(
        actor=actor or world.coordinator.user, agency=agency, **defaults
    )
