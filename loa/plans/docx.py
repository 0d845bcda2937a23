"""A plan as a Decree 30 .docx; importing it gives back the same structure."""

import datetime
import re

from django.utils import timezone

from loa.core.decree30 import Decree30Document
from loa.core.text import fold
from loa.org.models import Agency
from loa.plans.models import Plan, PlanStatus

TYPE_CODE = "KH"  # Decree 30, Phụ lục III: Kế hoạch
BLANK_NUMBER = " " * 6  # the number is written in by the clerk on issuing
ISSUED = (PlanStatus.APPROVED, PlanStatus.PUBLISHED, PlanStatus.CLOSED, PlanStatus.SUPERSEDED)


def agency_abbreviation(agency: Agency) -> str:
    """The agency's abbreviation in document symbols: the capitalised words of its short
    name ("VP UBND tỉnh" → VPUBND), else the initials of its name without its province
    ("Văn phòng UBND tỉnh Vĩnh Phúc" → VPUBND)."""
    capitals = [w for w in (agency.short_name or "").split() if w.isupper()]
    if capitals:
        return "".join(capitals)
    name = agency.short_name or agency.name
    province = re.escape(agency.province)
    name = re.sub(rf"\s+(tỉnh|thành phố|TP\.?)?\s*{province}$", "", name, flags=re.I) or name
    return "".join(w if w.isupper() else w[0].upper() for w in name.split())


def number_and_symbol(plan: Plan) -> str:
    """What follows "Số:": the plan's number and symbol; before it has a number, a blank for
    the number and the symbol, its own or KH and the agency's abbreviation."""
    code = plan.code.strip()
    if code[:1].isdigit():
        return code
    symbol = code.lstrip("/ ").strip() or f"{TYPE_CODE}-{agency_abbreviation(plan.agency)}"
    return f"{BLANK_NUMBER}/{symbol}"


def issue_date(plan: Plan) -> datetime.date | None:
    """The plan's date; once approved, the day it was approved if it has none."""
    if plan.issued_on:
        return plan.issued_on
    if plan.status in ISSUED and plan.approved_at:
        return timezone.localdate(plan.approved_at)
    return None


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]


def render_plan(plan: Plan) -> bytes:
    doc = Decree30Document()
    doc.header(
        governing_body=plan.agency.governing_body,
        agency=plan.agency_name(),
        code=number_and_symbol(plan),
        place=plan.place or plan.agency.province,
        date=issue_date(plan),
    )
    doc.title("Kế hoạch", plan.title)
    if plan.preamble:
        doc.body(plan.preamble)
    sections = []
    if plan.purposes or plan.requirements:
        parts = [("Mục đích", plan.purposes), ("Yêu cầu", plan.requirements)]
        sections.append(("MỤC ĐÍCH, YÊU CẦU", [(h, items) for h, items in parts if items]))
    middle = []
    if plan.audiences:
        middle.append(("Đối tượng tuyên truyền", list(plan.audiences)))
    topics = list(plan.topics.all())
    if topics:
        middle.append(("Nội dung tuyên truyền", [(t.code, t.text) for t in topics]))
    forms = [f.text for f in plan.forms.all()]
    if forms:
        middle.append(("Hình thức tuyên truyền", forms))
    if middle:
        sections.append(("ĐỐI TƯỢNG, NỘI DUNG, HÌNH THỨC THỰC HIỆN", middle))
    for number, (heading, parts) in enumerate(sections, start=1):
        doc.heading(f"{_roman(number)}. {heading}")
        for index, (sub, items) in enumerate(parts, start=1):
            doc.heading(f"{index}. {sub}")
            for item in items:
                if isinstance(item, tuple):
                    code, text = item
                    doc.body(f"{code}) {text}" if code else f"- {text}")
                else:
                    doc.body(f"- {item}")
    tasks = list(plan.tasks.select_related("lead_unit"))
    if tasks:
        doc.heading(f"{_roman(len(sections) + 1)}. TỔ CHỨC THỰC HIỆN")
        # Tasks whose text does not name their unit are grouped under "Giao <unit>:", as
        # plans write them, so the unit survives a round trip through the text.
        number, previous_unit = 0, None
        for task in tasks:
            unit = task.lead_unit
            named = unit is None or task.all_units or fold(unit.name) in fold(task.text)
            if named:
                number, previous_unit = number + 1, None
                doc.body(f"{number}. {task.text}")
                continue
            if unit is not None and unit != previous_unit:
                number, previous_unit = number + 1, unit
                doc.body(f"{number}. Giao {unit.name}:")
            doc.body(f"- {task.text}")
    if plan.closing:
        doc.body(plan.closing)
    doc.signature(
        recipients=list(plan.recipients),
        signer_title=plan.signer_title,
        signer_name=plan.signer_name,
    )
    return doc.save()
