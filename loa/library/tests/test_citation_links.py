"""Citations in any text become links: to the library entry, or to add it in one click."""

import datetime
import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.template import Context, Template
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.library.models import Document
from loa.library.tests.factories import make_document
from loa.library.tests.test_citations import SAMPLE

pytestmark = pytest.mark.django_db


def render(text: str) -> str:
    return Template("{% load library %}{{ text|cite_links }}").render(Context({"text": text}))


def test_a_known_document_links_to_its_entry(world):
    document = make_document(world.admin)
    html = render("Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ, ...")
    assert html == (
        "Thực hiện "
        f'<a class="loa-citation" href="{reverse("library:detail", args=[document.pk])}" '
        f'title="{document.title}">Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ</a>, ...'
    )


def test_an_unknown_document_links_to_a_form_already_filled(world, client_for):
    html = render("Chỉ thị số 08/CT-UBND ngày 04/3/2022 của Chủ tịch UBND tỉnh")
    href = html.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert urlparse(href).path == reverse("library:create")
    assert parse_qs(urlparse(href).query) == {
        "code": ["08/CT-UBND"],
        "issuer": ["Chủ tịch UBND tỉnh"],
        "doc_type": ["directive"],
        "issued_on": ["04/03/2022"],
    }
    form = client_for(world.coordinator.user).get(href).context["form"]
    assert form["code"].value() == "08/CT-UBND" and form["doc_type"].value() == "directive"


def test_the_text_around_citations_is_escaped(world):
    html = render('<img src=x onerror="alert(1)"> Nghị định 30/2020/NĐ-CP & <b>')
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert html.endswith("&amp; &lt;b&gt;")


def test_one_click_adds_an_unknown_cited_document_with_its_fields(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(
        reverse("library:citation_add"),
        {
            "type": "Chỉ thị",
            "code": "08/CT-UBND",
            "date": "2022-03-04",
            "issuer": "Chủ tịch UBND tỉnh",
        },
    )
    document = Document.objects.get(code="08/CT-UBND")
    assert response["Location"] == reverse("library:edit", args=[document.pk])
    assert (document.doc_type, str(document.issued_on), document.issuer) == (
        "directive",
        "2022-03-04",
        "Chủ tịch UBND tỉnh",
    )
    assert AuditEntry.objects.filter(action="document_create", actor=world.coordinator.user)
    again = client.post(
        reverse("library:citation_add"),
        {
            "type": "Chỉ thị",
            "code": "08/CT-UBND",
            "date": "2022-03-04",
            "issuer": "Chủ tịch UBND tỉnh",
        },
    )
    assert again["Location"] == reverse("library:detail", args=[document.pk])
    assert Document.objects.count() == 1


def test_a_forged_citation_post_saves_nothing(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(
        reverse("library:citation_add"),
        {"type": "x", "code": "<script>", "date": "2022-13-45", "issuer": "A"},
        follow=True,
    )
    assert "Hãy ghi số, ký hiệu đúng như trên văn bản" in response.content.decode()
    assert not Document.objects.exists()


def test_pasting_the_sample_plan_lists_its_citations_and_which_are_known(world, client_for):
    make_document(world.admin)
    response = client_for(world.coordinator.user).post(
        reverse("library:check"), {"text": SAMPLE.read_text(encoding="utf-8")}
    )
    found = response.context["found"]
    assert [c.code for c, _match in found] == [
        "321/KH-UBND",
        "76/NQ-CP",
        "08/CT-UBND",
        "1204/QĐ-UBND",
        "1046/QĐ-UBND",
        "1047/QĐ-UBND",
        "2866/QĐ-UBND",
        "319/KH-UBND",
    ]
    assert [m is not None for _c, m in found] == [False, True] + [False] * 6
    assert "Tìm thấy 8 trích dẫn" in response.content.decode()


def test_loa_library_cite_prints_the_citations_as_json(run_loa):
    result = run_loa("library", "cite", str(SAMPLE), "--json")
    citations = json.loads(result.stdout)
    assert len(citations) == 8
    assert citations[1] == {
        "type": "Nghị quyết",
        "number": "76",
        "symbol": "NQ-CP",
        "code": "76/NQ-CP",
        "date": "2021-07-15",
        "issuer": "Chính phủ",
        "start": 1689,
        "end": 1740,
    }
    text = SAMPLE.read_text(encoding="utf-8")
    assert text[1689:1740] == "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ"


def test_loa_library_cite_reads_standard_input(run_loa):
    result = run_loa(
        "library", "cite", "-", "--json", input="Căn cứ Luật số 80/2015/QH13 và số 5 phòng họp"
    )
    assert [c["code"] for c in json.loads(result.stdout)] == ["80/2015/QH13"]


def test_a_citation_links_only_to_the_document_of_its_year_and_issuer(world):
    from loa.library.citations import find_citations
    from loa.library.queries import match_citations

    district = make_document(
        world.admin,
        "01/KH-UBND",
        doc_type="plan",
        issuer="UBND huyện Tam Dương",
        issued_on=datetime.date(2022, 1, 3),
    )
    province = make_document(
        world.admin,
        "01/KH-UBND",
        doc_type="plan",
        issuer="UBND tỉnh Vĩnh Phúc",
        issued_on=datetime.date(2024, 1, 3),
    )
    cases = {
        "Kế hoạch số 01/KH-UBND ngày 03/01/2024 của UBND tỉnh": province,
        "Kế hoạch số 01/KH-UBND ngày 03/01/2022 của UBND huyện Tam Dương": district,
        "Kế hoạch số 01/KH-UBND ngày 03/01/2024 của UBND xã Tân Lập": None,
        "Kế hoạch số 01/KH-UBND": None,  # two documents fit: leave it unlinked, never guess
    }
    for text, expected in cases.items():
        assert match_citations(find_citations(text)) == [expected], text
