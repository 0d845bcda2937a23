"""The leadership dashboard: one agency's period at a glance, every figure a link to the list
behind it; a province reviewer first sees the province's agencies side by side."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from loa.core.agency_choice import for_agency, pick_agency
from loa.dashboard import queries
from loa.reports import links, periods, permissions
from loa.reports import queries as report_queries
from loa.reports.figures import compile_figures, percent
from loa.reports.models import PeriodKind


def _year_and_kind(request) -> tuple[int, str]:
    kind = request.GET.get("period")
    return links.year_asked(request), kind if kind in PeriodKind.values else PeriodKind.YEAR


@login_required
@require_safe
@for_agency("dashboard")
def dashboard(request):
    followed = permissions.agencies_followed_by(request.user)
    if not followed.exists():
        raise PermissionDenied
    year, kind = _year_and_kind(request)
    provinces = permissions.provinces_reviewed_by(request.user)
    if provinces and not request.GET.get("agency"):
        return _province(request, followed, year, kind)
    agency = pick_agency(request, followed)
    period = periods.period(year, kind, periods.rules_of(agency.pk)[kind])
    start, end = period.start, period.end
    figures = compile_figures(agency, year, start, end)
    sent, held = figures["dispatches"], figures["activities"]
    by_unit = sent["by_unit"][:40]

    def link(source: str, **extra) -> str:
        return links.source_url(source, agency.pk, start, end, **extra)

    heat = queries.heatmap(agency, start, end)
    busiest = max((n for _unit, counts in heat["rows"] for n in counts), default=0)
    plan = queries.running_plan(agency, year)
    context = {
        "agency": agency,
        "year": year,
        "kind": kind,
        "kinds": PeriodKind.choices,
        "years": links.years_offered(),
        "period": period,
        "figures": figures,
        "acknowledged_percent": percent(sent["acknowledged"], sent["people"]),
        "present_percent": percent(held["present"], held["expected"]),
        "spent_percent": percent(figures["budget"]["spent"], figures["budget"]["planned"]),
        "links": {
            "plans": link("plans"),
            "dispatches": link("dispatches"),
            "activities": link("activities"),
            "expenses": link("expenses"),
            **{f"tasks_{s}": link("tasks", status=s) for s in figures["tasks"]["by_status"]},
        },
        "heatmap": heat,
        "heat_rows": [
            (
                unit,
                [
                    (
                        n,
                        _heat_level(n, busiest),
                        link("activities", unit=unit.pk, month=month.isoformat()),
                        month,
                    )
                    for n, month in zip(counts, heat["months"], strict=True)
                ],
            )
            for unit, counts in heat["rows"]
        ],  # fmt: skip
        "plan": plan,
        "coverage": queries.coverage(plan),
        "form_coverage": queries.form_coverage(plan),
        "calendar": report_queries.calendar_of(agency, year),
        "follow_ups": queries.open_follow_ups(agency),
        "today": timezone.localdate(),
        "can_write": permissions.can_write_report(request.user, agency.pk),
        "reach_chart": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [row["unit"] or "—" for row in by_unit],
            "datasets": [
                {"label": _("acknowledged"), "data": [r["acknowledged"] for r in by_unit]},
                {
                    "label": _("not yet acknowledged"),
                    "data": [r["people"] - r["acknowledged"] for r in by_unit],
                },
            ],
        },
        "is_reviewer": bool(provinces),
        "section": "dashboard",
    }
    return render(request, "dashboard/agency.html", context)


def _heat_level(count: int, busiest: int) -> int:
    """0 (silent) to 4 (the busiest unit's month), for the cell's shade."""
    if not count:
        return 0
    return max(1, min(4, round(4 * count / busiest)))


def _province(request, followed, year: int, kind: str):
    # The Ministry's window: agencies' own windows differ little, and one column must
    # mean one period for the comparison to be fair.
    period = periods.period(year, kind, periods.DEFAULTS[kind])
    today = timezone.localdate()
    rows = queries.province_rollup(followed, period.start, period.end)
    states = report_queries.states_by_agency(followed, year, today)
    for row in rows:
        row["percent"] = percent(row["acknowledged"], row["people"])
        row["reports"] = [states[row["agency"].pk][k] for k in PeriodKind.values]
    context = {
        "rows": rows,
        "year": year,
        "kind": kind,
        "kinds": PeriodKind.choices,
        "years": links.years_offered(),
        "period": period,
        "section": "dashboard",
    }
    return render(request, "dashboard/province.html", context)
