"""A plan as a Decree 30 .docx; importing it gives back the same structure."""

from loa.core.decree30 import Decree30Document
from loa.core.text import fold
from loa.plans.models import Plan


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]


def render_plan(plan: Plan) -> bytes:
    doc = Decree30Document()
    doc.header(
        governing_body=plan.agency.governing_body,
        agency=plan.agency_name(),
        code=plan.code,
        place=plan.place or plan.agency.province,
        date=plan.issued_on,
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
            if unit != previous_unit:
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
