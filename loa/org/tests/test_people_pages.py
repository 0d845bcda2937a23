"""Who sees and edits whom. Every rule is checked on the server: forged URLs and POSTs fail."""

import pytest
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.org.models import Category, Person

pytestmark = pytest.mark.django_db


def edit_data(person: Person, **changes) -> dict:
    data = {
        "full_name": person.full_name,
        "code": person.code,
        "category": person.category,
        "unit": person.unit_id or "",
        "position": person.position_id or "",
        "email": person.email,
        "phone": person.phone,
        "is_active": "on" if person.is_active else "",
    }
    data.update(changes)
    return data


def names_on_people_page(client, **params) -> list[str]:
    response = client.get(reverse("org:people"), params)
    assert response.status_code == 200
    return [p.full_name for p in response.context["page"].object_list]


def test_anonymous_visitor_is_sent_to_sign_in(world, client_for):
    response = client_for(None).get(reverse("org:people"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_coordinator_sees_everyone_of_the_agency_and_nobody_else(world, client_for):
    names = names_on_people_page(client_for(world.coordinator.user))
    assert "Lê Thị Dung" in names and "Đặng Quốc Bảo" in names and "Phan Thế Huy" in names
    assert "Hoàng Văn Nam" not in names


def test_people_are_listed_by_given_name_in_vietnamese_order(world, client_for):
    names = names_on_people_page(client_for(world.coordinator.user))
    # Anh, Bảo, Dung, Đức, Hằng, Huy: đ comes after d, as in the Vietnamese alphabet.
    assert names == [
        "Đỗ Minh Anh",
        "Đặng Quốc Bảo",
        "Lê Thị Dung",
        "Trần Văn Đức",
        "Nguyễn Thị Hằng",
        "Phan Thế Huy",
    ]


def test_unit_head_sees_only_their_unit_and_its_sub_units(world, client_for):
    names = names_on_people_page(client_for(world.head_a.user))
    assert set(names) == {"Nguyễn Thị Hằng", "Trần Văn Đức", "Lê Thị Dung", "Đỗ Minh Anh"}


def test_staff_member_cannot_open_the_people_list(world, client_for):
    assert client_for(world.staff_a.user).get(reverse("org:people")).status_code == 403


def test_outsider_cannot_see_a_person_of_another_agency(world, client_for):
    client = client_for(world.outsider.user)
    assert client.get(reverse("org:person", args=[world.staff_a.pk])).status_code == 404
    url = reverse("org:person_edit", args=[world.staff_a.pk])
    assert client.post(url, edit_data(world.staff_a, full_name="Bị sửa")).status_code == 404
    world.staff_a.refresh_from_db()
    assert world.staff_a.full_name == "Lê Thị Dung"


def test_unit_head_edits_a_person_of_their_unit(world, client_for):
    client = client_for(world.head_a.user)
    url = reverse("org:person_edit", args=[world.staff_a.pk])
    response = client.post(url, edit_data(world.staff_a, phone="0912 345 678"))
    assert response.status_code == 302
    world.staff_a.refresh_from_db()
    assert world.staff_a.phone == "0912 345 678"
    entry = AuditEntry.objects.filter(action="person_update").latest("id")
    assert entry.actor == world.head_a.user
    assert entry.changes == {"phone": ["", "0912 345 678"]}


def test_unit_head_cannot_edit_other_units_people(world, client_for):
    client = client_for(world.head_a.user)
    url = reverse("org:person_edit", args=[world.staff_b.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, edit_data(world.staff_b, phone="0900000000")).status_code == 404
    world.staff_b.refresh_from_db()
    assert world.staff_b.phone == ""


def test_unit_head_cannot_move_a_person_into_a_unit_they_do_not_head(world, client_for):
    client = client_for(world.head_a.user)
    url = reverse("org:person_edit", args=[world.staff_a.pk])
    response = client.post(url, edit_data(world.staff_a, unit=world.unit_b.pk))
    assert response.status_code == 400
    world.staff_a.refresh_from_db()
    assert world.staff_a.unit == world.unit_a


def test_staff_member_cannot_edit_a_colleague_even_by_forged_post(world, client_for):
    client = client_for(world.staff_a.user)
    url = reverse("org:person_edit", args=[world.staff_a_team.pk])
    assert client.post(url, edit_data(world.staff_a_team, full_name="X")).status_code == 404
    own = reverse("org:person_edit", args=[world.staff_a.pk])
    assert client.post(own, edit_data(world.staff_a, category=Category.CADRE)).status_code == 403
    world.staff_a.refresh_from_db()
    assert world.staff_a.category == Category.CIVIL_SERVANT


def test_staff_member_edits_their_own_profile(world, client_for):
    client = client_for(world.staff_a.user)
    response = client.post(
        reverse("org:profile"), {"email": "dung.lt@vinhphuc.gov.vn", "phone": "0987654321"}
    )
    assert response.status_code == 302
    world.staff_a.refresh_from_db()
    assert world.staff_a.email == "dung.lt@vinhphuc.gov.vn"
    assert world.staff_a.user.email == "dung.lt@vinhphuc.gov.vn"


def test_profile_refuses_an_email_another_person_uses(world, client_for):
    services_email = "hang.nt@vinhphuc.gov.vn"
    client_for(world.coordinator.user).post(
        reverse("org:profile"), {"email": services_email, "phone": ""}
    )
    response = client_for(world.staff_a.user).post(
        reverse("org:profile"), {"email": services_email.upper(), "phone": ""}
    )
    assert response.status_code == 400
    assert "đã dùng địa chỉ" in response.content.decode()
    world.staff_a.refresh_from_db()
    assert world.staff_a.email == ""


def test_coordinator_adds_a_person_who_then_has_an_account(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(
        reverse("org:person_create", args=[world.agency.pk]),
        {
            "full_name": "  Vũ   Thị Ngân ",
            "code": "VP999",
            "category": Category.PUBLIC_EMPLOYEE,
            "unit": world.unit_b.pk,
            "email": "ngan.vt@vinhphuc.gov.vn",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(code="VP999")
    assert person.full_name == "Vũ Thị Ngân"
    assert person.user.username == "ngan.vt@vinhphuc.gov.vn"
    assert not person.user.has_usable_password()


def test_duplicate_staff_code_is_refused_with_a_message(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(
        reverse("org:person_create", args=[world.agency.pk]),
        {"full_name": "Vũ Thị Ngân", "code": world.staff_a.code, "category": Category.WORKER},
    )
    assert response.status_code == 400
    assert f"đã có mã cán bộ {world.staff_a.code}" in response.content.decode()
    assert not Person.objects.filter(full_name="Vũ Thị Ngân").exists()


def test_people_list_does_not_grow_queries_with_people(
    world, client_for, django_assert_max_num_queries
):
    from loa.org.tests.factories import make_person

    for index in range(30):
        make_person(world.admin, world.agency, f"Người Thứ {index}", unit=world.unit_b)
    client = client_for(world.coordinator.user)
    with django_assert_max_num_queries(14):
        client.get(reverse("org:people"))


def test_unit_heads_unit_filter_offers_only_the_units_they_head(world, client_for):
    page = client_for(world.head_a.user).get(reverse("org:people")).content.decode()
    assert "Phòng Hành chính – Quản trị" in page and "Tổ Văn thư" in page
    assert "Trung tâm Tin học – Công báo" not in page  # another unit: not offered


def test_a_malformed_agency_in_the_address_is_ignored_not_an_error(world, client_for):
    for wanted in ("abc", "1.5", "-1", "9" * 30):
        response = client_for(world.coordinator.user).get(
            reverse("org:people") + f"?agency={wanted}"
        )
        assert response.status_code == 200
