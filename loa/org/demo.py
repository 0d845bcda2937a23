"""Demo data from the sample plan: the Office of the Vĩnh Phúc Provincial People's Committee.

The units are those such an office has (the plan names Phòng Hành chính – Quản trị and
Trung tâm Tin học – Công báo); the people are invented, drawn from a seeded generator so
every machine gets the same ~80 names. Everything is created through the services, so the
audit log and derived fields are as real use would leave them.
"""

import datetime
import random
import secrets

from django.db import transaction

from loa.core.models import User
from loa.core.text import fold
from loa.org import services
from loa.org.models import Agency, Category, Role

AGENCY_NAME = "Văn phòng UBND tỉnh Vĩnh Phúc"
ESTABLISHED = datetime.date(2020, 1, 1)
MAIL_DOMAIN = "vinhphuc.gov.vn"

# (name, abbreviation, sub-units, number of staff besides head and deputy)
UNITS = [
    ("Phòng Tổng hợp", "TH", [], 7),
    ("Phòng Kinh tế", "KT", [], 6),
    ("Phòng Khoa giáo – Văn xã", "KGVX", [], 5),
    ("Phòng Nội chính – Pháp chế", "NCPC", [], 5),
    ("Phòng Kiểm soát thủ tục hành chính", "KSTT", [], 6),
    ("Phòng Hành chính – Quản trị", "HCQT", [], 7),
    ("Ban Tiếp công dân tỉnh", "BTCD", [], 4),
    (
        "Trung tâm Tin học – Công báo",
        "TTTHCB",
        [("Tổ Cổng thông tin điện tử", "CTTĐT", 3), ("Tổ Công báo", "CB", 2)],
        3,
    ),
    ("Trung tâm Phục vụ hành chính công", "TTPVHCC", [], 8),
]
POSITIONS = [
    ("Chánh Văn phòng", 1),
    ("Phó Chánh Văn phòng", 2),
    ("Trưởng phòng", 10),
    ("Trưởng ban", 10),
    ("Giám đốc Trung tâm", 10),
    ("Phó Trưởng phòng", 11),
    ("Phó Trưởng ban", 11),
    ("Phó Giám đốc Trung tâm", 11),
    ("Tổ trưởng", 20),
    ("Chuyên viên chính", 30),
    ("Chuyên viên", 31),
    ("Kế toán", 40),
    ("Văn thư", 40),
    ("Nhân viên", 50),
]
HEADS = {"Phòng": "Trưởng phòng", "Ban": "Trưởng ban", "Trung": "Giám đốc Trung tâm"}
DEPUTIES = {"Phòng": "Phó Trưởng phòng", "Ban": "Phó Trưởng ban", "Trung": "Phó Giám đốc Trung tâm"}

FAMILY = (
    ["Nguyễn"] * 8
    + ["Trần"] * 3
    + ["Lê"] * 3
    + [
        "Phạm",
        "Hoàng",
        "Vũ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Phan",
        "Đào",
        "Trịnh",
        "Lưu",
        "Kiều",
        "Tạ",
        "Chu",
        "Hà",
        "Khổng",
    ]
)
MIDDLE_MALE = ["Văn", "Đức", "Quang", "Minh", "Hữu", "Thế", "Xuân", "Mạnh", "Tiến", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Phương", "Thùy", "Kim"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Hùng",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Thảo",
    "Trang",
    "Uyên",
    "Vân",
    "Yến",
]

# Demo accounts, one per role: (username, description shown on screen)
ACCOUNTS = [
    ("admin", "Quản trị hệ thống / system administrator"),
    ("chanhvanphong", "Chánh Văn phòng / Chief of Office"),
    ("lanhdao", "Lãnh đạo Văn phòng / Office leadership"),
    ("dieuphoi", "Đầu mối kế hoạch (Phòng HC–QT) / plan coordinator"),
    ("truongphong", "Trưởng phòng Tổng hợp / unit head"),
    ("bientap", "Biên tập Cổng TTĐT (TT Tin học – Công báo) / publisher"),
    ("canbo", "Chuyên viên Phòng Tổng hợp / staff member"),
    ("sonoivu", "Sở Nội vụ / province reviewer"),
]


class _Names:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.used: set[str] = set()
        self.emails: set[str] = set()

    def person(self) -> str:
        while True:
            female = self.random.random() < 0.55
            name = " ".join(
                (
                    self.random.choice(FAMILY),
                    self.random.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
                    self.random.choice(GIVEN_FEMALE if female else GIVEN_MALE),
                )
            )
            if name not in self.used:
                self.used.add(name)
                return name

    def email(self, full_name: str) -> str:
        *rest, given = fold(full_name).split()
        base = given + "".join(word[0] for word in rest)
        address, n = f"{base}@{MAIL_DOMAIN}", 1
        while address in self.emails:
            n += 1
            address = f"{base}{n}@{MAIL_DOMAIN}"
        self.emails.add(address)
        return address

    def phone(self) -> str:
        return "09" + "".join(str(self.random.randint(0, 9)) for _ in range(8))


def demo_exists() -> bool:
    return Agency.objects.filter(name=AGENCY_NAME).exists()


@transaction.atomic
def load_demo(password: str | None = None) -> str:
    """Create the demo office once; return the password of the demo accounts."""
    password = password or secrets.token_urlsafe(9)
    admin = User.objects.create_superuser("admin", email="", password=password)
    users = {}
    for username, _label in ACCOUNTS[1:]:
        user = User(username=username)
        user.set_password(password)
        user.save()
        users[username] = user
    names = _Names(seed=2023)
    agency = services.agency_create(
        actor=admin,
        name=AGENCY_NAME,
        short_name="VP UBND tỉnh",
        province="Vĩnh Phúc",
        governing_body="UBND TỈNH VĨNH PHÚC",
        established_on=ESTABLISHED,
    )
    positions = {
        name: services.position_create(actor=admin, agency=agency, name=name, rank=rank)
        for name, rank in POSITIONS
    }
    counter = iter(range(1, 1000))

    def add(full_name=None, *, unit=None, position, category=Category.CIVIL_SERVANT, user=None):
        full_name = full_name or names.person()
        return services.person_create(
            actor=admin,
            agency=agency,
            full_name=full_name,
            category=category,
            unit=unit,
            position=positions[position],
            code=f"VP{next(counter):03d}",
            email=names.email(full_name),
            phone=names.phone(),
            user=user,
        )

    # The Chief of Office signs the sample plan; the rest are invented.
    chief = add(
        "Phan Thế Huy",
        position="Chánh Văn phòng",
        category=Category.CADRE,
        user=users["chanhvanphong"],
    )
    services.role_grant(actor=admin, person=chief, role=Role.CHIEF, agency=agency)
    for index in range(3):
        deputy = add(position="Phó Chánh Văn phòng", user=users["lanhdao"] if index == 0 else None)
        services.role_grant(actor=admin, person=deputy, role=Role.LEADERSHIP, agency=agency)

    def staff(unit, count, *, first_user=None):
        people = []
        for index in range(count):
            kind = names.random.random()
            if unit.short_name in ("TTTHCB", "TTPVHCC", "CTTĐT", "CB"):
                category = Category.PUBLIC_EMPLOYEE if kind < 0.8 else Category.WORKER
            else:
                category = Category.CIVIL_SERVANT if kind < 0.85 else Category.WORKER
            position = "Chuyên viên chính" if index == 0 else "Chuyên viên"
            if category == Category.WORKER:
                position = names.random.choice(["Văn thư", "Kế toán", "Nhân viên"])
            people.append(
                add(
                    unit=unit,
                    position=position,
                    category=category,
                    user=first_user if index == 1 else None,
                )
            )
        return people

    for name, short, subunits, count in UNITS:
        unit = services.unit_create(
            actor=admin, agency=agency, name=name, short_name=short, established_on=ESTABLISHED
        )
        kind = name.split()[0]
        head_user = users["truongphong"] if short == "TH" else None
        category = Category.PUBLIC_EMPLOYEE if kind == "Trung" else Category.CIVIL_SERVANT
        head = add(unit=unit, position=HEADS[kind], category=category, user=head_user)
        services.role_grant(actor=admin, person=head, role=Role.UNIT_HEAD, agency=agency, unit=unit)
        add(unit=unit, position=DEPUTIES[kind], category=category)
        first_user = {"TH": users["canbo"], "HCQT": users["dieuphoi"]}.get(short)
        people = staff(unit, count, first_user=first_user)
        if short == "HCQT":
            services.role_grant(actor=admin, person=people[1], role=Role.COORDINATOR, agency=agency)
        for sub_name, sub_short, sub_count in subunits:
            sub = services.unit_create(
                actor=admin,
                agency=agency,
                name=sub_name,
                short_name=sub_short,
                parent=unit,
                established_on=ESTABLISHED,
            )
            lead = add(unit=sub, position="Tổ trưởng", category=Category.PUBLIC_EMPLOYEE)
            services.role_grant(
                actor=admin, person=lead, role=Role.UNIT_HEAD, agency=agency, unit=sub
            )
            sub_people = staff(
                sub, sub_count, first_user=users["bientap"] if sub_short == "CTTĐT" else None
            )
            if sub_short == "CTTĐT":
                services.role_grant(
                    actor=admin, person=sub_people[1], role=Role.PUBLISHER, agency=agency
                )

    # The Department of Home Affairs receives the periodic reports.
    home_affairs = services.agency_create(
        actor=admin,
        name="Sở Nội vụ tỉnh Vĩnh Phúc",
        short_name="SNV",
        province="Vĩnh Phúc",
        governing_body="UBND TỈNH VĨNH PHÚC",
        established_on=ESTABLISHED,
    )
    reform = services.unit_create(
        actor=admin,
        agency=home_affairs,
        name="Phòng Cải cách hành chính",
        short_name="CCHC",
        established_on=ESTABLISHED,
    )
    expert = services.position_create(actor=admin, agency=home_affairs, name="Chuyên viên")
    for index in range(3):
        full_name = names.person()
        reviewer = services.person_create(
            actor=admin,
            agency=home_affairs,
            full_name=full_name,
            category=Category.CIVIL_SERVANT,
            unit=reform,
            position=expert,
            code=f"SNV{index + 1:03d}",
            email=names.email(full_name),
            user=users["sonoivu"] if index == 0 else None,
        )
        if index == 0:
            services.role_grant(
                actor=admin, person=reviewer, role=Role.PROVINCE_REVIEWER, agency=home_affairs
            )
    return password


def load() -> str | None:
    """The demo office, if absent; returns the new accounts' password, or None if it existed."""
    return None if demo_exists() else load_demo()
