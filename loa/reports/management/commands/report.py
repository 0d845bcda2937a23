"""`loa report deadlines` (daily): remind each agency's coordinators of a report due soon, and
tell them once it is late.

`loa report render --agency SLUG --period 2023-Q1 --out FILE`: a periodic report as .docx
or PDF (by FILE's extension), from the command line. SLUG is the agency's id or its
abbreviation in document symbols (VPUBND). The agency's report for the period is used if one
was started; otherwise a draft with the calendar's window is rendered, and nothing saved."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loa.org.models import Agency
from loa.plans.docx import agency_abbreviation
from loa.reports import docx, pdf, periods, services
from loa.reports.models import Report


def find_agency(slug: str) -> Agency:
    if slug.isdigit():
        agency = Agency.objects.filter(pk=int(slug)).first()
    else:
        matches = [
            a for a in Agency.objects.all() if agency_abbreviation(a).lower() == slug.lower()
        ]
        if len(matches) > 1:
            raise CommandError(f"{slug} names {len(matches)} agencies; give the id instead.")
        agency = matches[0] if matches else None
    if agency is None:
        raise CommandError(f"Không có cơ quan / no agency {slug}.")
    return agency


class Command(BaseCommand):
    help = "Periodic reports: render one as .docx or PDF."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="Render a report to FILE (.docx or .pdf).")
        render.add_argument("--agency", required=True, help="the agency's id or abbreviation")
        render.add_argument("--period", required=True, help="2023-Q1, 2023-H1, 2023-Q3 or 2023")
        render.add_argument("--out", required=True, help="FILE.docx or FILE.pdf")
        sub.add_parser("deadlines", help="E-mail coordinators of reports due soon or late (daily).")

    def handle(self, *args, action, **options):
        if action == "deadlines":
            count = services.report_deadlines_notify()
            self.stdout.write(f"{count} thông báo hạn báo cáo / report deadline notices sent")
            return
        self.render(**options)

    def render(self, *, agency, period, out, **options):
        target = find_agency(agency)
        try:
            year, kind = periods.parse_period(period)
        except ValueError:
            raise CommandError(
                f"{period}: kỳ báo cáo là 2023-Q1, 2023-H1, 2023-Q3 hoặc 2023."
            ) from None
        path = Path(out)
        if path.suffix.lower() not in (".docx", ".pdf"):
            raise CommandError(f"{out}: tệp phải là .docx hoặc .pdf / FILE must end .docx or .pdf")
        report = Report.objects.filter(agency=target, year=year, kind=kind).first()
        if report is None:
            window = periods.period(year, kind, periods.rules_of(target.pk)[kind])
            report = Report(agency=target, year=year, kind=kind, window_start=window.start,
                            window_end=window.end, due_on=window.due)  # fmt: skip
        word = docx.render_report(report, services.figures_of(report))
        if path.suffix.lower() == ".pdf":
            try:
                path.write_bytes(pdf.docx_to_pdf(word))
            except pdf.ConversionError as error:
                raise CommandError(f"PDF: {error}") from None
        else:
            path.write_bytes(word)
        self.stdout.write(f"{path} ({path.stat().st_size:,} bytes): {docx.summary(report)}")
