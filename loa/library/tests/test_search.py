"""Finding documents with or without diacritics, filtered, ranked, with matches highlighted.

These run on SQLite (FTS5) and on PostgreSQL (full-text search with unaccent), whichever
database the suite runs on.
"""

import datetime
import re

import pytest
from django.urls import reverse

from loa.library import demo
from loa.library.tests.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    demo.load()
    return world


def found(client, **params) -> list[str]:
    response = client.get(reverse("library:search"), params)
    assert response.status_code == 200
    return [str(d) for d in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("nghi quyet 76", "Nghị quyết 76/NQ-CP"),
        ("Nghị quyết 76", "Nghị quyết 76/NQ-CP"),
        ("76/NQ-CP", "Nghị quyết 76/NQ-CP"),
        ("van hoa cong vu", "Quyết định 1046/QĐ-UBND"),
        ("VĂN HOÁ CÔNG VỤ", "Quyết định 1046/QĐ-UBND"),
        ("cong tac van thu", "Nghị định 30/2020/NĐ-CP"),
        ("nđ-cp", "Nghị định 30/2020/NĐ-CP"),
    ],
)
def test_search_finds_with_or_without_diacritics(library, client_for, typed, first):
    assert found(client_for(library.staff_a.user), q=typed)[0] == first


def test_d_with_stroke_folds_to_d_both_ways(library, client_for):
    client = client_for(library.staff_a.user)
    with_stroke = found(client, q="đẩy mạnh")
    assert with_stroke == found(client, q="day manh")
    assert {"Chỉ thị 08/CT-UBND", "Quyết định 1204/QĐ-UBND"} <= set(with_stroke)


def test_a_match_in_the_head_ranks_above_a_match_in_an_attachment(library, client_for):
    # 76/NQ-CP is cited in the text of the Office's plan, but it is the resolution itself
    # that must come first.
    results = found(client_for(library.staff_a.user), q="nghi quyet 76")
    assert results[0] == "Nghị quyết 76/NQ-CP"
    assert "Kế hoạch: Thông tin, tuyên truyền cải cách hành chính năm 2023" in results[1:]


def test_words_in_attached_text_are_found(library, client_for):
    # "Chánh Văn phòng" appears only in the sample plan's text, attached to the Office's plan.
    results = found(client_for(library.staff_a.user), q="chanh van phong xem xet")
    assert results == ["Kế hoạch: Thông tin, tuyên truyền cải cách hành chính năm 2023"]


def test_filters_by_type_issuer_year_and_subject(library, client_for):
    client = client_for(library.staff_a.user)
    assert found(client, type="decree") == ["Nghị định 30/2020/NĐ-CP"]
    assert set(found(client, issuer="chinh phu")) == {
        "Nghị quyết 76/NQ-CP",
        "Nghị định 30/2020/NĐ-CP",
    }
    assert set(found(client, year="2021")) == {"Nghị quyết 76/NQ-CP", "Quyết định 2866/QĐ-UBND"}
    from loa.library.models import Subject

    culture = Subject.objects.get(name="Văn hoá công vụ")
    assert found(client, subject=str(culture.pk)) == ["Quyết định 1046/QĐ-UBND"]
    assert set(found(client, q="cai cach", type="plan", year="2022")) == {
        "Kế hoạch 319/KH-UBND",
        "Kế hoạch 321/KH-UBND",
    }


def test_matched_words_are_highlighted_keeping_their_diacritics(library, client_for):
    response = client_for(library.staff_a.user).get(reverse("library:search"), {"q": "day manh"})
    marks = re.findall(r"<mark>([^<]*)</mark>", response.content.decode())
    assert "đẩy" in marks and "mạnh" in marks and "Đẩy" in marks


def test_highlighting_escapes_html_in_titles(world, client_for):
    make_document(world.admin, "9/KH-UBND", title="<script>alert(1)</script> tuyên truyền")
    body = (
        client_for(world.staff_a.user)
        .get(reverse("library:search"), {"q": "tuyen truyen"})
        .content.decode()
    )
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>tuyên</mark> <mark>truyền</mark>" in body


def test_punctuation_and_operators_in_a_search_are_harmless(library, client_for):
    client = client_for(library.staff_a.user)
    for typed in ['"', "AND OR NOT", "*", "76 & | !", "nghị)quyết(", "' OR 1=1 --"]:
        assert client.get(reverse("library:search"), {"q": typed}).status_code == 200


def test_an_empty_result_says_what_to_try(library, client_for):
    body = (
        client_for(library.staff_a.user)
        .get(reverse("library:search"), {"q": "khong co gi"})
        .content.decode()
    )
    assert "Không có văn bản nào khớp với “khong co gi”" in body


def test_a_changed_title_is_found_by_its_new_words(world, client_for):
    from loa.library import services

    document = make_document(world.admin, "5/KH-VP", title="Kế hoạch cũ")
    services.document_update(
        actor=world.admin,
        document=document,
        title="Kế hoạch số hoá hồ sơ",
        issued_on=datetime.date(2023, 1, 1),
    )
    assert found(client_for(world.staff_a.user), q="so hoa") == ["Nghị quyết 5/KH-VP"]


def test_the_search_page_query_count_does_not_grow_with_results(
    library, client_for, django_assert_max_num_queries
):
    client = client_for(library.staff_a.user)
    with django_assert_max_num_queries(16):
        client.get(reverse("library:search"), {"q": "cai cach"})


def test_a_very_common_word_says_more_than_the_cap(world, client_for, monkeypatch):
    from loa.core.paginator import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for number in range(1, 5):
        make_document(world.admin, f"{number}/KH-VP", title="Kế hoạch tuyên truyền")
    response = client_for(world.staff_a.user).get(reverse("library:search"), {"q": "tuyen"})
    body = response.content.decode()
    assert "hơn 2 văn bản" in body and "thêm từ hoặc bộ lọc để thu hẹp" in body
    assert len(response.context["page"].object_list) == 2


def test_a_filter_finds_its_documents_among_many_more_common_matches(
    world, client_for, monkeypatch
):
    """Filters apply before the ranking cut-off, not after (it once lost them on SQLite)."""
    from loa.core.paginator import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for number in range(1, 8):
        make_document(world.admin, f"{number}/KH-VP", doc_type="plan", title="tuyên truyền")
    make_document(
        world.admin,
        "9/QĐ-UBND",
        doc_type="decision",
        title="tuyên truyền",
        issued_on=datetime.date(2024, 2, 1),
    )
    client = client_for(world.staff_a.user)
    assert found(client, q="tuyen truyen", year="2024") == ["Quyết định 9/QĐ-UBND"]
    assert found(client, q="tuyen truyen", type="decision") == ["Quyết định 9/QĐ-UBND"]


def test_the_issuer_filter_accepts_the_full_spelling(world, client_for):
    make_document(world.admin, "3/QĐ-UBND", issuer="Ủy ban nhân dân tỉnh Vĩnh Phúc")
    client = client_for(world.staff_a.user)
    for typed in ("Ủy ban nhân dân", "uy ban nhan dan tinh", "UBND tỉnh"):
        assert found(client, issuer=typed) == ["Nghị quyết 3/QĐ-UBND"], typed
