"""Finding people by name typed without diacritics; đ matches d."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def search(client, text):
    response = client.get(reverse("org:people"), {"q": text})
    return [p.full_name for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("tran van duc", ["Trần Văn Đức"]),
        ("TRẦN VĂN ĐỨC", ["Trần Văn Đức"]),
        ("duc", ["Trần Văn Đức"]),
        ("đuc", ["Trần Văn Đức"]),
        ("dang quoc", ["Đặng Quốc Bảo"]),
        ("le  dung", ["Lê Thị Dung"]),
        ("thi", ["Lê Thị Dung", "Nguyễn Thị Hằng"]),
    ],
)
def test_search_ignores_diacritics_case_and_spacing(world, client_for, typed, found):
    assert search(client_for(world.coordinator.user), typed) == found


def test_search_finds_by_staff_code(world, client_for):
    assert search(client_for(world.coordinator.user), world.staff_b.code) == ["Đặng Quốc Bảo"]


def test_search_never_reaches_beyond_what_the_user_may_see(world, client_for):
    assert search(client_for(world.head_a.user), "bao") == []


def test_htmx_search_returns_only_the_results_fragment(world, client_for):
    response = client_for(world.coordinator.user).get(
        reverse("org:people"), {"q": "hang"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'id="results"' in body and "Nguyễn Thị Hằng" in body
    assert "<nav" not in body.split('id="results"')[0]


def test_empty_result_says_so(world, client_for):
    response = client_for(world.coordinator.user).get(reverse("org:people"), {"q": "zzz"})
    assert "Không có ai khớp với “zzz”" in response.content.decode()
