"""Every organisation page, tried by people who must not get in: a forged URL gets 404 or 403."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def org_urls(world):
    agency, unit = world.agency.pk, world.unit_a.pk
    role = world.coordinator.roles.get().pk
    return [
        reverse("org:agency", args=[agency]),
        reverse("org:agency_rename", args=[agency]),
        reverse("org:agency_merge", args=[agency]),
        reverse("org:agency_dissolve", args=[agency]),
        reverse("org:person_create", args=[agency]),
        reverse("org:people_import", args=[agency]),
        reverse("org:unit_create", args=[agency]),
        reverse("org:position_create", args=[agency]),
        reverse("org:role_grant", args=[agency]),
        reverse("org:unit", args=[unit]),
        reverse("org:unit_rename", args=[unit]),
        reverse("org:unit_move", args=[unit]),
        reverse("org:unit_merge", args=[unit]),
        reverse("org:unit_dissolve", args=[unit]),
        reverse("org:person", args=[world.staff_a.pk]),
        reverse("org:person_edit", args=[world.staff_a.pk]),
        reverse("org:role_revoke", args=[role]),
    ]


def test_a_person_of_another_agency_reaches_no_page_of_this_one(world, client_for):
    client = client_for(world.outsider.user)
    for url in org_urls(world):
        assert client.get(url).status_code in (404, 405), url
        status = client.post(url, {"name": "X", "effective_on": "01/01/2026"}).status_code
        assert status in (404, 405), url  # 405: a page that only shows
    world.agency.refresh_from_db()
    assert world.agency.is_active and world.agency.name == "Văn phòng UBND tỉnh Vĩnh Phúc"


def test_a_staff_member_changes_nothing_by_forged_posts(world, client_for):
    client = client_for(world.staff_a.user)
    for url in org_urls(world):
        if url == reverse("org:person_edit", args=[world.staff_a.pk]):
            continue  # their own record: the profile page is the way, tested elsewhere
        status = client.post(url, {"name": "X", "effective_on": "01/01/2026"}).status_code
        assert status in (403, 404, 405), url
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "Phòng Hành chính – Quản trị" and world.unit_a.is_active


def test_anonymous_visitor_is_sent_to_sign_in_from_every_page(world, client_for):
    client = client_for(None)
    for url in org_urls(world):
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), url


def test_refusals_are_explained_in_vietnamese_inside_loas_page(world, client_for):
    client = client_for(world.staff_a.user)
    forbidden = client.get(reverse("org:people"))
    assert forbidden.status_code == 403
    assert "Vai trò của bạn không được làm việc này" in forbidden.content.decode()
    missing = client.get(reverse("org:person", args=[world.staff_b.pk]))
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.content.decode()
    assert "Đăng xuất" in missing.content.decode()  # still inside the shell
