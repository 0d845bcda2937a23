"""A plan as a Decree 30 .docx: the layout the decree tables, and a round trip through import."""

import io

import pytest
from django.urls import reverse
from docx import Document as WordDocument

from loa.plans import importing, services
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


def _number_and_date(data):
    row = WordDocument(io.BytesIO(data)).tables[0].rows[1].cells
    return row[0].paragraphs[0].text, row[1].paragraphs[0].text


def test_a_plan_not_yet_numbered_prints_a_blank_number_and_its_symbol(exported):
    _plan, data = exported
    number, date = _number_and_date(data)
    # Decree 30: the clerk writes the number in on issuing; the symbol is printed: KH for a
    # plan, then the agency's abbreviation (here from its name, without the province).
    assert number == "Số:       /KH-VPUBND"
    assert date == "Vĩnh Phúc, ngày     tháng     năm"  # a draft is not dated


def test_the_symbol_comes_from_the_agencys_short_name_or_the_plans_own(world, client_for):
    from loa.plans.tests.factories import sample_text

    other = services.plan_create_from_parsed(
        actor=world.outsider.user,
        agency=world.other_agency,  # "Sở Tư pháp tỉnh Vĩnh Phúc", short name STP
        parsed=importing.parse(sample_text()),
    )
    client = client_for(world.outsider.user)
    url = reverse("plans:export", args=[other.pk])
    assert _number_and_date(client.get(url).content)[0] == "Số:       /KH-STP"
    services.plan_update(actor=world.outsider.user, plan=other, code="/KH-STP-PBGDPL")
    assert _number_and_date(client.get(url).content)[0] == "Số:       /KH-STP-PBGDPL"
    services.plan_update(actor=world.outsider.user, plan=other, code="05/KH-STP")
    assert _number_and_date(client.get(url).content)[0] == "Số: 05/KH-STP"


def test_an_approved_plan_is_dated_the_day_it_was_approved_or_its_own_date(world, client_for):
    import datetime
    from unittest import mock

    plan = make_plan(world)
    services.plan_submit(actor=world.coordinator.user, plan=plan)
    approved = datetime.datetime(2023, 1, 4, 20, 30, tzinfo=datetime.UTC)  # 5 January in Hanoi
    with mock.patch("django.utils.timezone.now", return_value=approved):
        services.plan_approve(actor=world.chief.user, plan=plan)
    url = reverse("plans:export", args=[plan.pk])
    client = client_for(world.coordinator.user)
    assert _number_and_date(client.get(url).content)[1] == "Vĩnh Phúc, ngày 05 tháng 01 năm 2023"
    services.plan_publish(actor=world.coordinator.user, plan=plan)
    assert _number_and_date(client.get(url).content)[1] == "Vĩnh Phúc, ngày 05 tháng 01 năm 2023"
    dated = make_plan(world)
    services.plan_update(
        actor=world.coordinator.user, plan=dated, issued_on=datetime.date(2023, 2, 9)
    )
    data = client.get(reverse("plans:export", args=[dated.pk])).content
    assert _number_and_date(data)[1] == "Vĩnh Phúc, ngày 09 tháng 02 năm 2023"


def test_importing_an_unnumbered_export_gives_no_number(world, exported):
    _plan, data = exported
    again = importing.parse(importing.docx_text(data))
    assert again.number is None
