"""Demo plan: the sample plan itself, imported for the Office, its tasks linked to the topics
and forms they serve, approved by the Chief, published on the e-portal (the plan's III.2),
and under way: some tasks proved, some units still to report.

The outreach demo then sends the plan's key documents to the whole Office for task 1.
"""

import datetime

from django.db import transaction

from loa.core.models import User
from loa.library.demo import SAMPLE_PLAN
from loa.org.demo import AGENCY_NAME
from loa.org.models import Agency, Unit
from loa.plans import importing, services
from loa.plans.models import Plan

ISSUED_ON = datetime.date(2023, 1, 5)

# Per task of the sample, in order: the topics it serves (by letter) and the forms it uses
# (1 meetings, 2 documents sent through the software and Zalo groups, 3 work exchanges).
LINKS = [
    (("a", "b", "c", "e"), (1, 2, 3)),  # 1. every unit briefs its people on the plan
    (("c", "d", "đ"), (2,)),  # 2. the IT–Gazette Centre posts it on the e-portal
    ((), ()),  # 3. the Admin–Management Department funds it
    (("d",), (3,)),  # 4. … advises, checks and reports on it
]

# Units that have reported briefing their people (task 1); the rest have not yet.
BRIEFED = {
    "TH": "Đã phổ biến Kế hoạch tại cuộc họp giao ban Phòng Tổng hợp.",
    "KT": "Biên bản sinh hoạt chuyên đề của Phòng Kinh tế về cải cách hành chính.",
    "KGVX": "Đã quán triệt Kế hoạch tới toàn thể công chức Phòng Khoa giáo – Văn xã.",
    "HCQT": "Đã triển khai Kế hoạch tại hội nghị cán bộ, công chức Phòng Hành chính – Quản trị.",
    "TTTHCB": "Trung tâm Tin học – Công báo đã phổ biến Kế hoạch tới các tổ.",
}


def exists() -> bool:
    return Plan.objects.filter(agency__name=AGENCY_NAME).exists()


def demo_plan() -> Plan | None:
    return Plan.objects.filter(agency__name=AGENCY_NAME).order_by("id").first()


@transaction.atomic
def load() -> None:
    agency = Agency.objects.filter(name=AGENCY_NAME).first()
    if agency is None or exists():
        return
    coordinator = User.objects.get(username="dieuphoi")
    chief = User.objects.get(username="chanhvanphong")
    publisher = User.objects.get(username="bientap")
    head = User.objects.get(username="truongphong")
    parsed = importing.parse(
        SAMPLE_PLAN.read_text(encoding="utf-8"), known_units=[u.name for u in agency.units.all()]
    )
    structure, _unknown = services.structure_from_parsed(agency, parsed)
    letters = [code for code, _text in structure.topics]
    for task, (topics, forms) in zip(structure.tasks, LINKS, strict=True):
        task.topic_indexes = [letters.index(letter) for letter in topics]
        task.form_indexes = [number - 1 for number in forms]
    header = services.header_from_parsed(parsed) | {"issued_on": ISSUED_ON}
    plan = services.plan_create(actor=coordinator, agency=agency, structure=structure, **header)
    services.plan_submit(actor=coordinator, plan=plan)
    services.plan_approve(actor=chief, plan=plan)
    services.plan_publish(actor=publisher, plan=plan)

    brief, post, fund, report = plan.tasks.order_by("order")
    units = {u.short_name: u for u in Unit.objects.filter(agency=agency)}
    for short_name, note in BRIEFED.items():
        if short_name == "TH":  # the head of the unit reports it himself
            services.evidence_add(actor=head, task=brief, note=note)
        else:  # the coordinator records what the other units reported
            services.evidence_add(actor=coordinator, task=brief, note=note, unit=units[short_name])
    services.evidence_add(
        actor=coordinator,
        task=post,
        note="Kế hoạch và các nhiệm vụ tuyên truyền đã đăng tải trên Cổng thông tin điện tử "
        "của Văn phòng UBND tỉnh, mục Cải cách hành chính.",
    )
    services.evidence_add(
        actor=coordinator,
        task=fund,
        note="Kinh phí tuyên truyền cải cách hành chính năm 2023 đã bố trí trong dự toán "
        "của Văn phòng.",
    )
    for quarter in ("Quý I", "6 tháng đầu năm", "Quý III"):  # a report due every period
        services.evidence_add(
            actor=coordinator,
            task=report,
            note=f"Báo cáo kết quả tuyên truyền cải cách hành chính {quarter} năm 2023 "
            "gửi Sở Nội vụ.",
        )
