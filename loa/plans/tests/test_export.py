"""A plan as a Decree 30 .docx: the layout the decree tables, and a round trip through import."""

import io

import pytest
from django.urls import reverse
from docx import Document as WordDocument

from loa.plans import importing
from loa.plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(world, client_for):
    plan = make_plan(world)
    response = client_for(world.coordinator.user).get(reverse("plans:export", args=[plan.pk]))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    return plan, response.content


def test_the_page_is_a4_with_the_decree_30_margins(exported):
    _plan, data = exported
    section = WordDocument(io.BytesIO(data)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    assert section.different_first_page_header_footer  # no page number on page 1
    assert "PAGE" in section.header._element.xml


def test_the_header_block_title_and_signature(world, exported):
    _plan, data = exported
    word = WordDocument(io.BytesIO(data))
    assert word.styles["Normal"].font.name == "Times New Roman"
    header = word.tables[0]
    left = [p.text for p in header.rows[0].cells[0].paragraphs]
    right = [p.text for p in header.rows[0].cells[1].paragraphs]
    assert left[0] == "VĂN PHÒNG UBND TỈNH VĨNH PHÚC"
    motto = header.rows[0].cells[1].paragraphs[0].runs[0]
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert motto.bold and motto.font.size.pt == 13
    place_date = header.rows[1].cells[1].paragraphs[0]
    assert place_date.runs[0].italic and place_date.text.startswith("Vĩnh Phúc, ngày")
    body = [p.text for p in word.paragraphs]
    assert body[:2] == ["KẾ HOẠCH", "Thông tin, tuyên truyền cải cách hành chính năm 2023"]
    signature = word.tables[-1]
    recipients = [p.text for p in signature.rows[0].cells[0].paragraphs]
    assert recipients[0] == "Nơi nhận:"
    assert recipients[1:] == [
        "- Sở Nội vụ (b/c);",
        "- Lãnh đạo Văn phòng;",
        "- Các phòng, ban, đơn vị;",
        "- Lưu VT.",
    ]
    assert signature.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt == 12
    signer = [p.text for p in signature.rows[0].cells[1].paragraphs if p.text]
    assert signer == ["CHÁNH VĂN PHÒNG", "Phan Thế Huy"]


def test_importing_the_export_gives_back_the_same_structure(world, exported):
    plan, data = exported
    again = importing.parse(
        importing.docx_text(data), known_units=[u.name for u in world.agency.units.all()]
    )
    assert again.title == plan.title and again.year == plan.year
    assert again.purposes == plan.purposes and again.requirements == plan.requirements
    assert again.audiences == plan.audiences
    assert [(t.code, t.text) for t in again.topics] == [(t.code, t.text) for t in plan.topics.all()]
    assert again.forms == [f.text for f in plan.forms.all()]
    assert [t.text for t in again.tasks] == [t.text for t in plan.tasks.all()]
    units = {u.pk: u.name for u in world.agency.units.all()}
    assert [t.units for t in again.tasks] == [
        ["các phòng, ban, đơn vị"] if t.all_units else [units[t.lead_unit_id]]
        for t in plan.tasks.all()
    ]
    assert again.recipients == plan.recipients
    assert again.signer == {"title": plan.signer_title, "name": plan.signer_name}
    assert again.parent.code == "321/KH-UBND"
    assert again.unplaced == []


def test_a_plan_of_2023_keeps_the_agency_name_of_2023(world, client_for):
    import datetime

    from loa.org import services as org_services

    plan = make_plan(world)
    org_services.agency_rename(
        actor=world.admin,
        agency=world.agency,
        name="Văn phòng UBND tỉnh Phú Thọ",
        short_name="",
        province="Phú Thọ",
        governing_body="",
        effective_on=datetime.date(2025, 7, 1),
    )
    data = client_for(world.coordinator.user).get(reverse("plans:export", args=[plan.pk])).content
    header = WordDocument(io.BytesIO(data)).tables[0].rows[0].cells[0].paragraphs
    assert header[0].text == "VĂN PHÒNG UBND TỈNH VĨNH PHÚC"
