"""Report deadlines: the coordinators are reminded a few days before, told once when late,
never twice, and not at all once the report is submitted (`loa report deadlines`, daily)."""

import datetime
import email
import email.policy

import pytest
import time_machine
from django.core.management import call_command

from loa.core.models import AuditEntry
from loa.org import services as org_services
from loa.reports import services
from loa.reports.models import DeadlineNotice, ReportingRule

pytestmark = pytest.mark.django_db

COORDINATOR = "hang@vinhphuc.gov.vn"


@pytest.fixture
def coordinator_mail(world):
    org_services.person_update(actor=world.admin, person=world.coordinator, email=COORDINATOR)


def run_on(day: str, smtp_inbox, django_capture_on_commit_callbacks) -> list[str]:
    """Run the daily job on dd/mm/yyyy (9:00 in Vĩnh Phúc); the subjects it mailed."""
    d, m, y = (int(part) for part in day.split("/"))
    smtp_inbox.messages.clear()
    moment = datetime.datetime(y, m, d, 2, tzinfo=datetime.UTC)  # 9:00 in Vietnam
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("report", "deadlines", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return [
        str(email.message_from_bytes(m.content, policy=email.policy.default)["subject"])
        for m in smtp_inbox.messages
    ]


def test_coordinators_are_reminded_before_the_deadline_and_told_once_when_late(
    world, coordinator_mail, smtp_inbox, django_capture_on_commit_callbacks
):
    assert run_on("10/03/2026", smtp_inbox, django_capture_on_commit_callbacks) == []
    reminded = run_on("16/03/2026", smtp_inbox, django_capture_on_commit_callbacks)
    assert len(reminded) == 1 and "20/03/2026" in reminded[0]
    assert smtp_inbox.messages[0].rcpt_tos == [COORDINATOR]
    assert run_on("17/03/2026", smtp_inbox, django_capture_on_commit_callbacks) == []
    late = run_on("21/03/2026", smtp_inbox, django_capture_on_commit_callbacks)
    assert len(late) == 1
    assert run_on("22/03/2026", smtp_inbox, django_capture_on_commit_callbacks) == []
    notices = AuditEntry.objects.filter(action="report_deadline_notice")
    assert [e.changes["stage"] for e in notices.order_by("at")] == ["soon", "late"]
    # one report, two stages; the other agency has nobody with an e-mail to tell (yet)
    assert DeadlineNotice.objects.count() == 2


def test_a_submitted_report_needs_no_reminder(
    world, coordinator_mail, smtp_inbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2026, 3, 15, 2, tzinfo=datetime.UTC)):
        report = services.report_open(
            actor=world.coordinator.user, agency=world.agency, year=2026, kind="q1"
        )
        services.report_submit(
            actor=world.coordinator.user, report=report, number="15/BC-VPUBND",
            submitted_on=datetime.date(2026, 3, 15), recipient="Sở Nội vụ",
        )  # fmt: skip
    assert run_on("16/03/2026", smtp_inbox, django_capture_on_commit_callbacks) == []
    assert run_on("21/03/2026", smtp_inbox, django_capture_on_commit_callbacks) == []


def test_an_agencys_own_calendar_sets_when_it_is_reminded(
    world, coordinator_mail, smtp_inbox, django_capture_on_commit_callbacks
):
    ReportingRule.objects.create(
        agency=world.agency, kind="q1", starts_day=15, starts_month=12,
        starts_previous_year=True, ends_day=10, ends_month=3, due_day=12, due_month=3,
    )  # fmt: skip
    reminded = run_on("08/03/2026", smtp_inbox, django_capture_on_commit_callbacks)
    assert len(reminded) == 1 and "12/03/2026" in reminded[0]
