"""Build organisations for tests through the services, as real use would.

`build_world()` gives the personas of every page test: the chief of office, the plan
coordinator, the head of unit A, a staff member of A, a staff member of B, a person of
another agency, and a system administrator.
"""

import datetime
from dataclasses import dataclass
from itertools import count

from loa.core.models import User
from loa.org import services
from loa.org.models import Agency, Category, Person, Role, Unit

_codes = count(1)
PASSWORD = "Loa-test-2026!"


def make_superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username, password=PASSWORD)


def make_user(username: str) -> User:
    return User.objects.create_user(username, password=PASSWORD)


def make_agency(actor: User, name: str = "Văn phòng UBND tỉnh Vĩnh Phúc", **kw) -> Agency:
    kw.setdefault("province", "Vĩnh Phúc")
    kw.setdefault("established_on", datetime.date(2020, 1, 1))
    return services.agency_create(actor=actor, name=name, **kw)


def make_unit(actor: User, agency: Agency, name: str, **kw) -> Unit:
    kw.setdefault("established_on", datetime.date(2020, 1, 1))
    return services.unit_create(actor=actor, agency=agency, name=name, **kw)


def make_person(
    actor: User,
    agency: Agency,
    full_name: str,
    *,
    unit: Unit | None = None,
    username: str | None = None,
    category: str = Category.CIVIL_SERVANT,
    **kw,
) -> Person:
    kw.setdefault("code", f"T{next(_codes):04d}")
    return services.person_create(
        actor=actor,
        agency=agency,
        full_name=full_name,
        category=category,
        unit=unit,
        user=make_user(username) if username else None,
        **kw,
    )


@dataclass
class OrgWorld:
    admin: User
    agency: Agency
    other_agency: Agency
    unit_a: Unit
    unit_a_team: Unit  # a sub-unit of A
    unit_b: Unit
    chief: Person
    coordinator: Person
    head_a: Person
    staff_a: Person
    staff_a_team: Person
    staff_b: Person
    outsider: Person


def build_world() -> OrgWorld:
    admin = make_superuser()
    agency = make_agency(admin)
    other = make_agency(admin, "Sở Tư pháp tỉnh Vĩnh Phúc", short_name="STP")
    unit_a = make_unit(admin, agency, "Phòng Hành chính – Quản trị", short_name="HCQT")
    team = make_unit(admin, agency, "Tổ Văn thư", parent=unit_a)
    unit_b = make_unit(admin, agency, "Trung tâm Tin học – Công báo", short_name="TTTHCB")
    other_unit = make_unit(admin, other, "Phòng Hành chính – Quản trị")
    chief = make_person(admin, agency, "Phan Thế Huy", username="chief", category=Category.CADRE)
    coordinator = make_person(admin, agency, "Nguyễn Thị Hằng", unit=unit_a, username="coord")
    head_a = make_person(admin, agency, "Trần Văn Đức", unit=unit_a, username="head_a")
    staff_a = make_person(admin, agency, "Lê Thị Dung", unit=unit_a, username="staff_a")
    staff_team = make_person(admin, agency, "Đỗ Minh Anh", unit=team, username="staff_team")
    staff_b = make_person(admin, agency, "Đặng Quốc Bảo", unit=unit_b, username="staff_b")
    outsider = make_person(admin, other, "Hoàng Văn Nam", unit=other_unit, username="outsider")
    services.role_grant(actor=admin, person=chief, role=Role.CHIEF, agency=agency)
    services.role_grant(actor=admin, person=coordinator, role=Role.COORDINATOR, agency=agency)
    services.role_grant(actor=admin, person=head_a, role=Role.UNIT_HEAD, agency=agency, unit=unit_a)
    services.role_grant(
        actor=admin, person=outsider, role=Role.COORDINATOR, agency=other
    )  # a manager, but of another agency
    return OrgWorld(
        admin=admin,
        agency=agency,
        other_agency=other,
        unit_a=unit_a,
        unit_a_team=team,
        unit_b=unit_b,
        chief=chief,
        coordinator=coordinator,
        head_a=head_a,
        staff_a=staff_a,
        staff_a_team=staff_team,
        staff_b=staff_b,
        outsider=outsider,
    )
