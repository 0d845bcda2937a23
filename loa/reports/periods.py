"""The Ministry of Home Affairs' reform-reporting calendar (letter 581/BNV-CCHC; see
../shared/reference/vn-admin-facts.md §2): each report's data window and its deadline, the
20th of the period's last month. An agency may keep its own (ReportingRule)."""

import datetime
import re
from dataclasses import dataclass

from loa.reports.models import PeriodKind, ReportingRule


@dataclass(frozen=True)
class Rule:
    starts_day: int
    starts_month: int
    starts_previous_year: bool
    ends_day: int
    ends_month: int
    due_day: int
    due_month: int


DEFAULTS: dict[str, Rule] = {
    PeriodKind.Q1: Rule(15, 12, True, 14, 3, 20, 3),
    PeriodKind.H1: Rule(15, 12, True, 14, 6, 20, 6),
    PeriodKind.Q3: Rule(15, 6, False, 14, 9, 20, 9),
    PeriodKind.YEAR: Rule(15, 12, True, 14, 12, 20, 12),
}


@dataclass(frozen=True)
class Period:
    year: int
    kind: str
    start: datetime.date
    end: datetime.date
    due: datetime.date


def rule_of(own: ReportingRule) -> Rule:
    return Rule(
        own.starts_day, own.starts_month, own.starts_previous_year,
        own.ends_day, own.ends_month, own.due_day, own.due_month,
    )  # fmt: skip


def rules_of(agency_id: int) -> dict[str, Rule]:
    """The agency's rules: its own where it has set them, the Ministry's for the rest."""
    rules = dict(DEFAULTS)
    for own in ReportingRule.objects.filter(agency_id=agency_id):
        rules[own.kind] = rule_of(own)
    return rules


def period(year: int, kind: str, rule: Rule) -> Period:
    start_year = year - 1 if rule.starts_previous_year else year
    return Period(
        year=year,
        kind=kind,
        start=datetime.date(start_year, rule.starts_month, rule.starts_day),
        end=datetime.date(year, rule.ends_month, rule.ends_day),
        due=datetime.date(year, rule.due_month, rule.due_day),
    )


def periods_of(agency_id: int, year: int) -> list[Period]:
    rules = rules_of(agency_id)
    return [period(year, kind, rules[kind]) for kind in PeriodKind.values]


PERIOD_CODE = re.compile(r"^(\d{4})(?:-(Q1|H1|Q3))?$", re.I)


def parse_period(code: str) -> tuple[int, str]:
    """'2023-Q1', '2023-H1', '2023-Q3' or '2023' → (year, kind); ValueError otherwise."""
    found = PERIOD_CODE.match(code.strip())
    if not found:
        raise ValueError(code)
    return int(found.group(1)), (found.group(2) or "year").lower()
