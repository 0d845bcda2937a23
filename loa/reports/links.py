"""What the dashboard and the report pages share in their addresses: the year asked for, the
years offered, and the link from a figure to the records behind it (`reports:source`)."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone


def year_asked(request) -> int:
    """?year=, if it is a year Loa could hold; this year otherwise."""
    this = timezone.localdate().year
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


def years_offered() -> range:
    this = timezone.localdate().year
    return range(this + 1, this - 6, -1)


def source_url(kind: str, agency_id: int, start: datetime.date, end: datetime.date, **extra):
    query = {"agency": agency_id, "from": start.isoformat(), "to": end.isoformat(), **extra}
    return f"{reverse('reports:source', args=[kind])}?{urlencode(query)}"
