"""Periodic reports: the Ministry's calendar, figures that can be traced and recomputed, the
Decree 30 .docx and its PDF, versions, submission that freezes, and who may see what."""

import datetime
import io
import os
import re
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from loa.core.models import AuditEntry
from loa.events.tests.factories import make_activity
from loa.reports import periods, services
from loa.reports.docx import render_report
from loa.reports.figures import compile_figures
from loa.reports.models import Rendering, Report, ReportRevision
from loa.reports.pdf import soffice
from loa.reports.tests.conftest import at

pytestmark = pytest.mark.django_db

needs_libreoffice = pytest.mark.skipif(
    soffice() is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (scripts/dev.sh installs it)",
)


def test_the_calendar_is_the_ministrys_and_an_agency_may_keep_its_own(world):
    q1, h1, q3, whole = periods.periods_of(world.agency.pk, 2023)
    assert (q1.start, q1.end, q1.due) == (datetime.date(2022, 12, 15), datetime.date(2023, 3, 14),
                                          datetime.date(2023, 3, 20))  # fmt: skip
    assert (h1.start, h1.end, h1.due) == (datetime.date(2022, 12, 15), datetime.date(2023, 6, 14),
                                          datetime.date(2023, 6, 20))  # fmt: skip
    assert (q3.start, q3.end) == (datetime.date(2023, 6, 15), datetime.date(2023, 9, 14))
    assert (whole.end, whole.due) == (datetime.date(2023, 12, 14), datetime.date(2023, 12, 20))
    services.reporting_rule_save(
        actor=world.coordinator.user, agency=world.agency, kind="q1", starts_day=1,
        starts_month=1, starts_previous_year=False, ends_day=10, ends_month=3, due_day=15,
        due_month=3,
    )  # fmt: skip
    own = periods.periods_of(world.agency.pk, 2023)[0]
    assert (own.start, own.end, own.due) == (datetime.date(2023, 1, 1), datetime.date(2023, 3, 10),
                                             datetime.date(2023, 3, 15))  # fmt: skip
    assert periods.periods_of(world.other_agency.pk, 2023)[0] == q1  # others keep the Ministry's


def test_an_impossible_day_in_the_calendar_is_refused_and_nothing_saved(world, client_for):
    client = client_for(world.coordinator.user)
    page = client.post(
        reverse("reports:rule"),
        {"agency": world.agency.pk, "kind": "q1", "starts_day": 31, "starts_month": 2,
         "ends_day": 14, "ends_month": 3, "due_day": 20, "due_month": 3},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Ngày này không có trong tháng đó." in page
    assert not world.agency.reporting_rules.exists()


def _second_way(agency_id: int, start: datetime.date, end: datetime.date) -> dict:
    """The same figures counted another way: every row read, dates taken in Vietnam's time as
    people read them, and counted in Python, without Loa's queries."""
    from loa.budget.models import Expense
    from loa.events.models import Activity, Attendance
    from loa.outreach.models import Delivery, Dispatch
    from loa.voices.models import Feedback

    def within(moment) -> bool:
        return start <= moment.astimezone(VN).date() <= end

    sent = {d.pk for d in Dispatch.objects.filter(agency_id=agency_id)
            if d.status != "draft" and d.sent_at and within(d.sent_at)}  # fmt: skip
    deliveries = [d for d in Delivery.objects.all() if d.dispatch_id in sent]
    held = {a.pk for a in Activity.objects.filter(agency_id=agency_id)
            if a.cancelled_at is None and within(a.starts_at)}  # fmt: skip
    expenses = Expense.objects.select_related("line__plan")
    heard = [f for f in Feedback.objects.filter(agency_id=agency_id) if within(f.received_at)]
    answered = [f for f in heard if f.answered_at and f.answered_at.astimezone(VN).date() <= end]
    return {
        "feedback": len(heard),
        "answered": len(answered),
        "dispatches": len(sent),
        "people": len(deliveries),
        "acknowledged": sum(1 for d in deliveries if d.acknowledged_at),
        "activities": len(held),
        "present": sum(1 for a in Attendance.objects.all() if a.activity_id in held and a.present),
        "spent": sum(e.amount for e in expenses
                     if e.line.plan.agency_id == agency_id and start <= e.spent_on <= end),
    }  # fmt: skip


VN = datetime.timezone(datetime.timedelta(hours=7))


@pytest.mark.parametrize("kind", ["q1", "h1", "q3", "year"])
def test_every_figure_is_the_same_when_counted_a_second_way(world, year, kind):
    period = periods.period(2023, kind, periods.DEFAULTS[kind])
    figures = compile_figures(world.agency, 2023, period.start, period.end)
    expected = _second_way(world.agency.pk, period.start, period.end)
    assert {
        "feedback": figures["feedback"]["received"],
        "answered": figures["feedback"]["answered"],
        "dispatches": figures["dispatches"]["count"],
        "people": figures["dispatches"]["people"],
        "acknowledged": figures["dispatches"]["acknowledged"],
        "activities": figures["activities"]["count"],
        "present": figures["activities"]["present"],
        "spent": figures["budget"]["spent"],
    } == expected
    # and the periods really differ: Q1 holds the March activity, Q3 the July one
    assert figures["activities"]["count"] == {"q1": 1, "h1": 1, "q3": 1, "year": 2}[kind]
    assert figures["dispatches"]["count"] == (0 if kind == "q3" else 1)
    # Q1 (to 14/03) holds one feedback, not yet answered then; H1 both of March, one answered.
    assert (figures["feedback"]["received"], figures["feedback"]["answered"]) == {
        "q1": (1, 0),
        "h1": (2, 1),
        "q3": (1, 0),
        "year": (3, 1),
    }[kind]


def test_the_docx_follows_decree_30_and_holds_the_expected_tables(world, year):
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    figures = services.figures_of(report)
    word = Document(io.BytesIO(render_report(report, figures)))
    section = word.sections[0]
    mm = lambda *lengths: tuple(round(length.mm) for length in lengths)  # noqa: E731
    assert mm(section.page_width, section.page_height) == (210, 297)  # A4
    assert mm(section.top_margin, section.bottom_margin) == (20, 20)
    assert mm(section.left_margin, section.right_margin) == (30, 15)
    assert word.styles["Normal"].font.name == "Times New Roman"
    header = word.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "VĂN PHÒNG UBND TỈNH VĨNH PHÚC" in header.cell(0, 0).text
    assert re.search(r"Số:\s+/BC-VPUBND", header.cell(1, 0).text)
    text = "\n".join(p.text for p in word.paragraphs)
    assert "BÁO CÁO" in text and "quý I năm 2023" in text
    assert "(Số liệu tính từ ngày 15/12/2022 đến ngày 14/03/2023)" in text
    tasks, reach, activities = word.tables[1], word.tables[2], word.tables[3]
    assert len(tasks.rows) == 1 + 4  # header and the four states
    assert len(reach.rows) == 1 + len(figures["dispatches"]["by_unit"])
    assert [c.text for c in reach.rows[0].cells][:2] == ["Đơn vị", "Số lượt gửi"]
    assert len(activities.rows) == 1 + len(figures["activities"]["by_type"])
    assert "1.250.000 đ" in text  # spent in the window
    assert "tiếp nhận 1 ý kiến của người dân" in text and "1 phản ánh" in text
    assert word.inline_shapes, "the reach chart is in the document as an image"
    assert "Nơi nhận:" in word.tables[-1].cell(0, 0).text


@needs_libreoffice
def test_rendering_runs_in_the_worker_and_gives_docx_pdf_and_page_images(
    world, year, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.coordinator.user)
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="year")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the task runs at once in tests
        client.post(reverse("reports:render", args=[report.pk]))
    rendering = Rendering.objects.get(report=report)
    assert rendering.state == "done" and rendering.progress == 100, rendering.error
    pdf = client.get(reverse("reports:file", args=[rendering.pk, "pdf"]))
    printed = b"".join(pdf.streaming_content)
    assert len(PdfReader(io.BytesIO(printed)).pages) == len(rendering.pages) >= 2
    # pdftotext (poppler) reads Vietnamese as people see it; pypdf splits its diacritics.
    text = subprocess.run(["pdftotext", "-", "-"], input=printed, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    assert (
        "BÁO CÁO" in text and "năm 2023" in text and "Đã tổ chức 2 hoạt động tuyên truyền" in text
    )
    docx = client.get(reverse("reports:file", args=[rendering.pk, "docx"]))
    assert Document(io.BytesIO(b"".join(docx.streaming_content))).tables
    page = client.get(reverse("reports:page", args=[rendering.pk, 1]))
    assert page["Content-Type"] == "image/png"
    assert b"".join(page.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    detail = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert 'data-testid="pages"' in detail and 'data-testid="download-pdf"' in detail


def test_two_people_saving_at_once_overwrite_nothing(world, year, client_for):
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    first = "Một số đơn vị chưa tổ chức sinh hoạt chuyên đề."
    services.report_save(actor=world.coordinator.user, report=report, version=1, shortcomings=first)
    page = client_for(world.coordinator.user).post(
        reverse("reports:report", args=[report.pk]),
        {"version": 1, "shortcomings": "Văn bản của người thứ hai", "window_start": "15/12/2022",
         "window_end": "14/03/2023", "due_on": "20/03/2023"},
    ).content.decode()  # fmt: skip
    assert "Người khác vừa lưu báo cáo này" in page
    assert "Văn bản của người thứ hai" in page  # their text is still in the form
    report.refresh_from_db()
    assert report.version == 2
    assert report.shortcomings == first
    assert ReportRevision.objects.filter(report=report).count() == 1


def test_a_submitted_report_is_frozen_and_emailed_with_its_files(
    world, year, client_for, smtp_inbox, django_capture_on_commit_callbacks
):
    client = client_for(world.coordinator.user)
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:submit", args=[report.pk]),
            {"number": "15/BC-VPUBND", "submitted_on": "18/03/2023",
             "recipient": "Sở Nội vụ tỉnh Vĩnh Phúc", "email_to": "cchc@snv.vinhphuc.gov.vn"},
        )  # fmt: skip
    report.refresh_from_db()
    assert report.is_frozen and report.number == "15/BC-VPUBND"
    assert report.figures["activities"]["count"] == 1
    assert AuditEntry.objects.filter(action="report_submit", actor=world.coordinator.user)
    # Later records do not change what was submitted.
    late = make_activity(world, title="Hoạt động ghi muộn")
    type(late).objects.filter(pk=late.pk).update(starts_at=at("05/03/2023"))
    assert services.figures_of(report)["activities"]["count"] == 1
    refused = client.post(
        reverse("reports:report", args=[report.pk]),
        {"version": report.version, "results": "sửa sau khi gửi", "window_start": "15/12/2022",
         "window_end": "14/03/2023", "due_on": "20/03/2023"},
    )  # fmt: skip
    assert "sửa sau khi gửi" not in Report.objects.get(pk=report.pk).results
    assert refused.status_code in (200, 302)
    if soffice() is not None:
        assert smtp_inbox.received.wait(5)
        mail = smtp_inbox.messages[0]
        assert mail.rcpt_tos == ["cchc@snv.vinhphuc.gov.vn"]
        assert b".docx" in mail.content and b".pdf" in mail.content
        report.refresh_from_db()
        assert report.emailed_at is not None


def test_when_the_mail_server_is_down_the_submission_stands_and_says_so(world, year, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    services.report_submit(actor=world.coordinator.user, report=report, number="15/BC-VPUBND",
                           submitted_on=datetime.date(2023, 3, 18), recipient="Sở Nội vụ",
                           email_to="cchc@snv.vinhphuc.gov.vn")  # fmt: skip
    rendering = Rendering.objects.filter(report=report).first()
    services.report_email(report_id=report.pk, rendering_id=rendering.pk)
    report.refresh_from_db()
    assert report.is_frozen and report.emailed_at is None and report.email_error


@needs_libreoffice
def test_the_coordinator_sends_the_email_again_once_the_mail_server_is_back(
    world, year, client_for, smtp_inbox, settings, django_capture_on_commit_callbacks
):
    working = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # down while the report is submitted
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(
            actor=world.coordinator.user, report=report, number="15/BC-VPUBND",
            submitted_on=datetime.date(2023, 3, 18), recipient="Sở Nội vụ",
            email_to="cchc@snv.vinhphuc.gov.vn",
        )  # fmt: skip
    client = client_for(world.coordinator.user)
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Chưa gửi được thư tới cchc@snv.vinhphuc.gov.vn" in page
    settings.EMAIL_PORT = working
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:email", args=[report.pk]))
    assert smtp_inbox.received.wait(5)
    report.refresh_from_db()
    assert report.emailed_at is not None and not report.email_error


def test_people_outside_the_agency_see_no_draft_and_a_reviewer_sees_it_once_submitted(
    world, year, client_for, reviewer
):
    report = services.report_open(actor=world.coordinator.user, agency=world.agency, year=2023,
                                  kind="q1")  # fmt: skip
    url = reverse("reports:report", args=[report.pk])
    assert client_for(world.outsider.user).get(url).status_code == 404
    assert client_for(world.staff_a.user).get(url).status_code == 404
    assert client_for(reviewer.user).get(url).status_code == 404  # a draft is internal
    assert client_for(world.chief.user).get(url).status_code == 200
    services.report_submit(actor=world.coordinator.user, report=report, number="15/BC-VPUBND",
                           submitted_on=datetime.date(2023, 3, 18),
                           recipient="Sở Nội vụ")  # fmt: skip
    page = client_for(reviewer.user).get(url).content.decode()
    assert "15/BC-VPUBND" in page and 'data-testid="submit"' not in page
    assert (
        client_for(reviewer.user).post(reverse("reports:render", args=[report.pk])).status_code
        == 403
    )


def test_the_command_line_renders_each_period(world, year, tmp_path):
    for period in ("2023-Q1", "2023-H1", "2023-Q3", "2023"):
        out = tmp_path / f"{period}.docx"
        call_command(
            "report", "render", "--agency", "VPUBND", "--period", period, "--out", str(out)
        )
        text = "\n".join(p.text for p in Document(str(out)).paragraphs)
        assert "BÁO CÁO" in text
    assert not Report.objects.exists()  # rendering from the command line saves nothing
    with pytest.raises(Exception, match="2023-Q1"):
        call_command("report", "render", "--agency", "VPUBND", "--period", "2023-Q2",
                     "--out", str(tmp_path / "x.docx"))  # fmt: skip


def test_the_feedback_figure_lists_its_feedback_without_the_citizens_words(world, year, client_for):
    source = reverse("reports:source", args=["feedback"])
    query = {"agency": world.agency.pk, "from": "2023-01-01", "to": "2023-12-31"}
    page = client_for(world.chief.user).get(source, query)
    assert page.status_code == 200
    assert len(page.context["rows"]) == 3
    html = page.content.decode()
    assert len(re.findall(r'href="/feedback/\d+/"', html)) == 3
    assert "đất đai" not in html  # the subject the factory's citizens wrote
    assert client_for(world.outsider.user).get(source, query).status_code == 403
