"""Demo activities: a year of the Office's party-cell meetings, conferences and exchanges,
unit by unit and at each unit's own pace (two units have gone quiet, so the cadence page and
its alert have something to show), with attendance and minutes; and a meeting of the Phòng
Tổng hợp later today, for a visitor to try the QR check-in."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from loa.core.models import User
from loa.events import services
from loa.events.models import Activity
from loa.org.demo import AGENCY_NAME
from loa.org.models import Agency, Unit
from loa.plans import demo as plans_demo

# Unit (by abbreviation) → activities a quarter; 0: silent for months.
PACE = {"TH": 3, "HCQT": 3, "TTTHCB": 2, "KT": 2, "TTPVHCC": 2, "KGVX": 1, "NCPC": 1, "BTCD": 0}
TITLES = [
    "Sinh hoạt chuyên đề: Nghị quyết số 76/NQ-CP về Chương trình tổng thể CCHC 2021-2030",
    "Hội nghị cơ quan: quán triệt Kế hoạch CCHC năm 2023",
    "Trao đổi chuyên môn: thực hiện cơ chế một cửa, một cửa liên thông",
    "Sinh hoạt chuyên đề: văn hoá công vụ (Quyết định số 1046/QĐ-UBND)",
    "Trao đổi chuyên môn: kết quả Chỉ số PAR INDEX và SIPAS của tỉnh",
    "Tập huấn: chuyển đổi số và Bộ chỉ số DTI",
]
MINUTES = (
    "<p><strong>Chủ trì:</strong> Trưởng phòng.</p><ul><li>Quán triệt nội dung văn bản.</li>"
    "<li>Các đồng chí trao đổi, nêu khó khăn trong thực hiện.</li></ul>"
    "<p><strong>Kết luận:</strong> mỗi công chức nắm vững và thực hiện nghiêm.</p>"
)


def exists() -> bool:
    return Activity.objects.filter(agency__name=AGENCY_NAME).exists()


@transaction.atomic
def load() -> None:
    agency = Agency.objects.filter(name=AGENCY_NAME).first()
    if agency is None or exists():
        return
    coordinator = User.objects.get(username="dieuphoi")
    types = list(services.types_of(agency).order_by("order")[:4])
    plan = plans_demo.demo_plan()
    task = plan.tasks.order_by("order", "id").first() if plan else None
    chance = random.Random(2023)  # noqa: S311 - a repeatable demo, not a secret
    now = timezone.now()
    for short, per_quarter in PACE.items():
        unit = Unit.objects.filter(agency=agency, short_name=short).first()
        if unit is None or per_quarter == 0:
            continue
        for n in range(per_quarter * 4):
            days_ago = int((n + chance.random()) * 90 / per_quarter) + 3
            if short == "NCPC" and days_ago < 60:
                continue  # a unit that has gone quiet lately
            starts = (now - datetime.timedelta(days=days_ago)).replace(
                hour=chance.choice((8, 9, 14, 15)), minute=0, second=0, microsecond=0
            )
            activity = services.activity_create(
                actor=coordinator,
                agency=agency,
                type=chance.choice(types),
                title=chance.choice(TITLES),
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2),
                place=f"Phòng họp {unit.short_name}",
                organizer=unit,
                tasks=[task] if task and n == 0 else [],
                audience={"units": [unit.pk], "subunits": True},
                cost=chance.choice((0, 0, 500_000, 1_250_000)),
            )
            for row in activity.attendance.select_related("person"):
                if chance.random() < 0.85:
                    services.attendance_mark(
                        actor=coordinator, activity=activity, person=row.person, present=True
                    )
            if n % 2 == 0:
                services.activity_save_minutes(
                    actor=coordinator, activity=activity, minutes=MINUTES
                )
    general = Unit.objects.filter(agency=agency, short_name="TH").first()
    if general is not None:  # later today: the visitor tries the QR check-in
        starts = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
        services.activity_create(
            actor=coordinator,
            agency=agency,
            type=types[0],
            title="Sinh hoạt chuyên đề: Chỉ thị số 08/CT-UBND về đẩy mạnh CCHC",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Phòng họp tầng 3",
            organizer=general,
            tasks=[task] if task else [],
            audience={"units": [general.pk], "subunits": True},
        )
