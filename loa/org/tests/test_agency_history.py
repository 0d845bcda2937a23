"""Agencies and units change — renamed, moved, merged, dissolved — and their history stays.

In 2025 Vĩnh Phúc was merged into Phú Thọ province: a plan of 2023 must still show the
names of 2023.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.org import services
from loa.org.models import Person, RoleAssignment
from loa.org.tests.factories import make_agency, make_person

pytestmark = pytest.mark.django_db
D2023 = datetime.date(2023, 3, 1)
MERGER = datetime.date(2025, 7, 1)


def test_renamed_unit_keeps_its_old_name_for_earlier_dates(world):
    services.unit_rename(
        actor=world.coordinator.user,
        unit=world.unit_a,
        name="Phòng Hành chính – Tổ chức",
        short_name="HCTC",
        effective_on=MERGER,
        note="Quyết định số 12/QĐ-VP",
    )
    assert world.unit_a.name_on(D2023) == "Phòng Hành chính – Quản trị"
    assert world.unit_a.name_on(MERGER) == "Phòng Hành chính – Tổ chức"
    entry = AuditEntry.objects.get(action="unit_rename")
    assert entry.actor == world.coordinator.user
    assert entry.changes["name"] == ["Phòng Hành chính – Quản trị", "Phòng Hành chính – Tổ chức"]


def test_agency_merged_into_another_province_keeps_its_name_of_2023(world):
    phu_tho = make_agency(world.admin, "Văn phòng UBND tỉnh Phú Thọ", province="Phú Thọ")
    services.agency_merge(actor=world.admin, agency=world.agency, into=phu_tho, effective_on=MERGER)
    world.agency.refresh_from_db()
    assert world.agency.name_on(D2023) == "Văn phòng UBND tỉnh Vĩnh Phúc"
    assert world.agency.merged_into == phu_tho and not world.agency.is_active
    # People and units moved; positions carried over by name; old roles ended.
    assert Person.objects.get(pk=world.staff_a.pk).agency == phu_tho
    world.unit_a.refresh_from_db()
    assert world.unit_a.agency == phu_tho
    assert world.unit_a.versions.get(valid_until__isnull=True).agency == phu_tho
    assert not RoleAssignment.objects.filter(agency=world.agency, revoked_at__isnull=True)
    assert AuditEntry.objects.get(action="agency_merge").changes["people"] == 6


def test_moving_a_unit_under_its_own_sub_unit_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.unit_move(
            actor=world.coordinator.user,
            unit=world.unit_a,
            parent=world.unit_a_team,
            effective_on=MERGER,
        )
    assert error.value.messages == [str(services.UNIT_PARENT_CYCLE)]
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent is None


def test_moved_unit_remembers_where_it_was(world):
    services.unit_move(
        actor=world.coordinator.user,
        unit=world.unit_a_team,
        parent=world.unit_b,
        effective_on=MERGER,
    )
    versions = list(world.unit_a_team.versions.order_by("valid_from"))
    assert [v.parent for v in versions] == [world.unit_a, world.unit_b]
    assert versions[0].valid_until == MERGER - datetime.timedelta(days=1)


def test_merging_a_unit_moves_its_people_and_sub_units_and_ends_its_heads_role(world):
    services.unit_merge(
        actor=world.coordinator.user, unit=world.unit_a, into=world.unit_b, effective_on=MERGER
    )
    world.staff_a.refresh_from_db()
    world.unit_a_team.refresh_from_db()
    assert world.staff_a.unit == world.unit_b
    assert world.unit_a_team.parent == world.unit_b
    assert not RoleAssignment.objects.filter(unit=world.unit_a, revoked_at__isnull=True).exists()


def test_unit_with_people_cannot_be_dissolved(world):
    with pytest.raises(ValidationError) as error:
        services.unit_dissolve(actor=world.coordinator.user, unit=world.unit_b, effective_on=MERGER)
    assert "Đơn vị còn 1 người đang công tác" in error.value.messages[0]
    world.unit_b.refresh_from_db()
    assert world.unit_b.is_active


def test_a_change_dated_before_the_last_one_is_refused(world):
    with pytest.raises(ValidationError):
        services.unit_rename(
            actor=world.coordinator.user,
            unit=world.unit_b,
            name="Trung tâm Công nghệ thông tin",
            short_name="",
            effective_on=datetime.date(2019, 1, 1),
        )
    world.unit_b.refresh_from_db()
    assert world.unit_b.name == "Trung tâm Tin học – Công báo"


def test_manager_of_another_agency_cannot_change_this_one(world):
    with pytest.raises(PermissionDenied):
        services.unit_rename(
            actor=world.outsider.user,
            unit=world.unit_a,
            name="X",
            short_name="",
            effective_on=MERGER,
        )


def test_unit_pages_refuse_outsiders_and_unit_heads(world, client_for):
    for user, expected in ((world.outsider.user, 404), (world.head_a.user, 403)):
        client = client_for(user)
        url = reverse("org:unit_rename", args=[world.unit_a.pk])
        response = client.post(url, {"name": "X", "effective_on": "01/07/2025"})
        assert response.status_code == expected
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "Phòng Hành chính – Quản trị"


def test_coordinator_renames_a_unit_from_its_page_with_a_dd_mm_yyyy_date(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(
        reverse("org:unit_rename", args=[world.unit_b.pk]),
        {
            "name": "Trung tâm Công nghệ thông tin",
            "short_name": "TTCNTT",
            "effective_on": "01/07/2025",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("org:unit", args=[world.unit_b.pk])).content.decode()
    assert "Trung tâm Tin học – Công báo" in page and "01/07/2025" in page


def test_dissolve_form_shows_the_reason_in_vietnamese(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(
        reverse("org:unit_dissolve", args=[world.unit_b.pk]), {"effective_on": "01/07/2025"}
    )
    assert response.status_code == 400
    assert "Đơn vị còn 1 người đang công tác" in response.content.decode()


def test_coordinator_grants_and_revokes_a_unit_head_role(world, client_for):
    client = client_for(world.coordinator.user)
    url = reverse("org:role_grant", args=[world.agency.pk])
    data = {"person": world.staff_b.pk, "role": "unit_head", "unit": world.unit_b.pk}
    assert client.post(url, data).status_code == 302
    assignment = RoleAssignment.objects.get(person=world.staff_b, revoked_at__isnull=True)
    # The new head now sees the unit's people.
    assert client_for(world.staff_b.user).get(reverse("org:people")).status_code == 200
    client.post(reverse("org:role_revoke", args=[assignment.pk]))
    assert client_for(world.staff_b.user).get(reverse("org:people")).status_code == 403


def test_unit_head_role_without_a_unit_is_refused(world, client_for):
    client = client_for(world.coordinator.user)
    url = reverse("org:role_grant", args=[world.agency.pk])
    response = client.post(url, {"person": world.staff_b.pk, "role": "unit_head"})
    assert response.status_code == 400
    assert "Hãy chọn đơn vị mà trưởng đơn vị phụ trách" in response.content.decode()


def test_unit_head_cannot_grant_roles_even_by_forged_post(world, client_for):
    client = client_for(world.head_a.user)
    url = reverse("org:role_grant", args=[world.agency.pk])
    data = {"person": world.head_a.pk, "role": "admin"}
    assert client.post(url, data).status_code == 403
    assert not RoleAssignment.objects.filter(person=world.head_a, role="admin").exists()


def test_positions_are_managed_per_agency(world, client_for):
    client = client_for(world.coordinator.user)
    url = reverse("org:position_create", args=[world.agency.pk])
    assert client.post(url, {"name": "Chuyên viên", "rank": 30}).status_code == 302
    response = client.post(url, {"name": "chuyên viên", "rank": 31})
    assert response.status_code == 400
    assert "Cơ quan đã có chức vụ tên này" in response.content.decode()
    outsider = client_for(world.outsider.user)
    assert outsider.post(url, {"name": "Lái xe", "rank": 50}).status_code == 404


def test_sub_units_show_in_the_agency_tree(world, client_for):
    make_person(world.admin, world.agency, "Vũ Thị Ngân", unit=world.unit_a_team)
    page = client_for(world.chief.user).get(reverse("org:agency", args=[world.agency.pk]))
    tree = [(depth, node.unit.name, node.people_count) for depth, node in page.context["tree"]]
    assert (1, "Tổ Văn thư", 2) in tree
    assert (0, "Phòng Hành chính – Quản trị", 3) in tree
