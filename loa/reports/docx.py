"""A periodic report as a Decree 30 .docx: the communication part of an administrative-reform
report, in the order the Department of Home Affairs reads it. The document is Vietnamese
whatever the language of the screen: it is an official paper of a Vietnamese agency."""

import datetime

from loa.core.decree30 import Decree30Document
from loa.core.text import format_vnd
from loa.plans.docx import BLANK_NUMBER, agency_abbreviation
from loa.plans.models import TaskStatus
from loa.reports.figures import percent
from loa.reports.models import PeriodKind, Report

TYPE_CODE = "BC"  # Decree 30, Phụ lục III: Báo cáo

PERIOD_PHRASE = {
    PeriodKind.Q1: "quý I năm {year}",
    PeriodKind.H1: "6 tháng đầu năm {year}",
    PeriodKind.Q3: "quý III năm {year}",
    PeriodKind.YEAR: "năm {year}",
}
STATUS_WORDS = {
    TaskStatus.DONE: "Đã hoàn thành",
    TaskStatus.IN_PROGRESS: "Đang thực hiện",
    TaskStatus.NOT_STARTED: "Chưa bắt đầu",
    TaskStatus.OVERDUE: "Quá hạn",
}
NARRATIVE_HEADINGS = (
    ("shortcomings", "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"),
    ("next_tasks", "III. NHIỆM VỤ TRỌNG TÂM KỲ TỚI"),
    ("proposals", "IV. ĐỀ XUẤT, KIẾN NGHỊ"),
)


def summary(report: Report) -> str:
    period = PERIOD_PHRASE[PeriodKind(report.kind)].format(year=report.year)
    return f"Kết quả công tác thông tin, tuyên truyền cải cách hành chính {period}"


def number_and_symbol(report: Report) -> str:
    code = report.number.strip()
    if code[:1].isdigit():
        return code
    return f"{BLANK_NUMBER}/{TYPE_CODE}-{agency_abbreviation(report.agency)}"


def _date(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _paragraphs(doc: Decree30Document, text: str, empty: str) -> None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines or [empty]:
        doc.body(line)


def render_report(report: Report, figures: dict, *, with_charts: bool = True) -> bytes:
    # matplotlib takes a third of a second to import: only the worker that draws pays for it,
    # not every process that imports the reports app (each `loa` command, each web worker).
    from loa.reports import charts

    agency = report.agency
    doc = Decree30Document()
    doc.header(
        governing_body=agency.governing_body,
        agency=agency.name,
        code=number_and_symbol(report),
        place=agency.province,
        date=report.submitted_on,
    )
    doc.title("Báo cáo", summary(report))
    start, end = figures["window"]
    doc.body(f"(Số liệu tính từ ngày {_date(start)} đến ngày {_date(end)})", indent=False)

    doc.heading("I. KẾT QUẢ THỰC HIỆN")
    doc.heading("1. Công tác ban hành kế hoạch")
    plans = figures["plans"]
    if plans:
        doc.body(f"Trong kỳ, {agency.name} đã ban hành {len(plans)} kế hoạch:")
        for plan in plans:
            code = f" số {plan['code']}" if plan["code"][:1].isdigit() else ""
            day = f" ngày {_date(plan['issued_on'])}" if plan["issued_on"] else ""
            doc.body(f"- Kế hoạch{code}{day}: {plan['title']}.")
    else:
        doc.body("Trong kỳ, không ban hành kế hoạch mới.")
    tasks = figures["tasks"]
    if tasks["total"]:
        doc.body(f"Kế hoạch năm {report.year} có {tasks['total']} nhiệm vụ; tình hình thực hiện:")
        doc.table(
            ["Tình trạng", "Số nhiệm vụ"],
            [[STATUS_WORDS[s], str(n)] for s, n in tasks["by_status"].items()],
        )
        if tasks["overdue"]:
            doc.body("Các nhiệm vụ quá hạn:")
            for task in tasks["overdue"]:
                unit = f" ({task['unit']})" if task["unit"] else ""
                doc.body(f"- {task['text']}{unit}, hạn {_date(task['due'])}.")

    doc.heading("2. Phổ biến, quán triệt văn bản đến cán bộ, công chức")
    sent = figures["dispatches"]
    if sent["count"]:
        doc.body(
            f"Đã gửi {sent['count']} lượt văn bản, tài liệu đến {sent['people']} lượt người; "
            f"{sent['opened']} lượt đã mở đọc ({percent(sent['opened'], sent['people'])}%), "
            f"{sent['acknowledged']} lượt xác nhận đã đọc và nắm được nội dung "
            f"({percent(sent['acknowledged'], sent['people'])}%)."
        )
        rows = [
            [row["unit"] or "Chưa xếp đơn vị", str(row["people"]), str(row["opened"]),
             str(row["acknowledged"]), f"{percent(row['acknowledged'], row['people'])}%"]
            for row in sent["by_unit"]
        ]  # fmt: skip
        doc.table(["Đơn vị", "Số lượt gửi", "Đã đọc", "Đã xác nhận", "Tỷ lệ xác nhận"], rows)
        if with_charts and len(sent["by_unit"]) > 1:
            labels = [row[0] for row in rows]
            png = charts.horizontal_bars(
                labels,
                [("Số lượt gửi", [r["people"] for r in sent["by_unit"]]),
                 ("Đã xác nhận", [r["acknowledged"] for r in sent["by_unit"]])],
            )  # fmt: skip
            doc.picture(png, caption="Biểu đồ: văn bản đã gửi và đã xác nhận, theo đơn vị")
    else:
        doc.body("Trong kỳ, chưa gửi văn bản, tài liệu qua Loa.")

    doc.heading("3. Hội nghị, hoạt động tuyên truyền")
    held = figures["activities"]
    if held["count"]:
        doc.body(
            f"Đã tổ chức {held['count']} hoạt động tuyên truyền với {held['present']} lượt người "
            f"tham dự trên {held['expected']} lượt được mời "
            f"({percent(held['present'], held['expected'])}%)."
        )
        rows = [
            [row["type"], str(row["count"]), str(row["expected"]), str(row["present"])]
            for row in held["by_type"]
        ]
        doc.table(["Hình thức", "Số hoạt động", "Lượt được mời", "Lượt tham dự"], rows)
        if with_charts and len(rows) > 1:
            png = charts.horizontal_bars(
                [row[0] for row in rows], [("Số hoạt động", [r["count"] for r in held["by_type"]])]
            )
            doc.picture(png, caption="Biểu đồ: hoạt động tuyên truyền theo hình thức")
    else:
        doc.body("Trong kỳ, chưa tổ chức hoạt động tuyên truyền.")

    doc.heading("4. Kinh phí thực hiện")
    budget = figures["budget"]
    doc.body(
        f"Dự toán năm {report.year}: {format_vnd(budget['planned'])}; đã chi trong kỳ: "
        f"{format_vnd(budget['spent'])} ({percent(budget['spent'], budget['planned'])}%)."
    )
    doc.heading("5. Công tác kiểm tra")
    inspected = figures.get("inspections", [])
    if inspected:
        doc.body(f"Đã kiểm tra việc thực hiện kế hoạch tại {len(inspected)} đơn vị:")
        doc.table(
            ["Đơn vị", "Ngày", "Đạt", "Đạt một phần", "Chưa đạt", "Việc phải khắc phục"],
            [[i["unit"], _date(i["on"]), str(i["met"]), str(i["partly"]), str(i["not_met"]),
              str(i["open_follow_ups"])] for i in inspected],
            numeric_from=2,
        )  # fmt: skip
    else:
        doc.body("Trong kỳ, chưa tiến hành kiểm tra.")
    doc.heading("6. Tiếp nhận ý kiến của người dân")
    heard = figures.get("feedback") or {"received": 0}
    if heard["received"]:
        doc.body(
            f"Trong kỳ, cơ quan tiếp nhận {heard['received']} ý kiến của người dân qua hộp thư "
            f"góp ý ({heard['report']} phản ánh, {heard['proposal']} kiến nghị, "
            f"{heard['idea']} hiến kế); đã trả lời {heard['answered']} ý kiến "
            f"({percent(heard['answered'], heard['received'])}%)."
        )
    else:
        doc.body("Trong kỳ, chưa tiếp nhận ý kiến của người dân qua hộp thư góp ý.")
    if report.results.strip():
        doc.heading("7. Kết quả khác")
        _paragraphs(doc, report.results, "")
    for field, heading in NARRATIVE_HEADINGS:
        doc.heading(heading)
        _paragraphs(doc, getattr(report, field), "Không có.")
    doc.signature(
        recipients=[report.recipient or f"Sở Nội vụ tỉnh {agency.province}", "Lưu: VT"],
        signer_title=report.signer_title,
        signer_name=report.signer_name,
    )
    return doc.save()
