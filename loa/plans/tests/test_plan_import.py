"""Importing a plan from its text: proposed on one page, corrected, then saved as a draft."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loa.library.models import Document
from loa.org.models import Unit
from loa.plans.models import Plan, PlanStatus
from loa.plans.tests.factories import review_post_data, sample_text
from loa.plans.tests.test_parser import SAMPLE

pytestmark = pytest.mark.django_db


def read(client, **data):
    return client.post(reverse("plans:import"), data)


def test_the_sample_is_proposed_for_review_and_nothing_is_saved_yet(world, client_for):
    response = read(client_for(world.coordinator.user), text=sample_text())
    assert response.status_code == 200
    assert not Plan.objects.exists()
    form = response.context["form"]
    assert form.initial["title"] == "Thông tin, tuyên truyền cải cách hành chính năm 2023"
    assert form.initial["parent_code"] == "321/KH-UBND"
    assert form.initial["topics"].splitlines()[4].startswith("đ) Tăng cường tuyên truyền")
    rows = response.context["tasks"].initial
    assert [(r["all_units"], r["lead_unit"]) for r in rows] == [
        (True, None),
        (False, world.unit_b),  # "Trung tâm Tin học – Công báo", matched by name
        (False, world.unit_a),
        (False, world.unit_a),
    ]
    assert [c.code for c, _m in response.context["citations"]][:2] == ["321/KH-UBND", "76/NQ-CP"]


def test_saving_the_review_makes_a_draft_with_its_cited_documents(world, client_for):
    client = client_for(world.coordinator.user)
    review = read(client, text=sample_text())
    response = client.post(reverse("plans:import_save"), review_post_data(review))
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert plan.status == PlanStatus.DRAFT and plan.agency == world.agency
    assert (plan.topics.count(), plan.forms.count(), plan.tasks.count()) == (6, 3, 4)
    assert plan.recipients == [
        "Sở Nội vụ (b/c)",
        "Lãnh đạo Văn phòng",
        "Các phòng, ban, đơn vị",
        "Lưu VT",
    ]
    assert (plan.signer_title, plan.signer_name) == ("CHÁNH VĂN PHÒNG", "Phan Thế Huy")
    # The eight cited documents were added to the library, and the plan implements 321.
    assert Document.objects.count() == 8
    assert plan.parent.code == "321/KH-UBND"
    assert plan.cited_documents.count() == 8
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'class="loa-citation"' in page


def test_correcting_a_unit_on_the_review_page(world, client_for):
    client = client_for(world.coordinator.user)
    review = read(client, text=sample_text())
    data = review_post_data(review)
    data["tasks-1-lead_unit"] = world.unit_a.pk  # the person corrects task 2's unit
    client.post(reverse("plans:import_save"), data)
    assert Plan.objects.get().tasks.order_by("order")[1].lead_unit == world.unit_a


def test_a_unit_the_agency_lacks_is_offered_for_creation(world, client_for):
    text = sample_text().replace("Phòng Hành chính – Quản trị", "Phòng Quản trị – Tài vụ")
    client = client_for(world.coordinator.user)
    review = read(client, text=text)
    rows = review.context["tasks"].initial
    assert rows[2]["new_unit"] == "Phòng Quản trị – Tài vụ" and rows[2]["create_unit"]
    client.post(reverse("plans:import_save"), review_post_data(review))
    created = Unit.objects.get(name="Phòng Quản trị – Tài vụ", agency=world.agency)
    tasks = Plan.objects.get().tasks.order_by("order")
    assert tasks[2].lead_unit == created and tasks[3].lead_unit == created


def test_a_docx_upload_is_read_like_pasted_text(world, client_for):
    from loa.library.tests.factories import docx_bytes

    upload = SimpleUploadedFile("ke-hoach.docx", docx_bytes(*sample_text().splitlines()))
    response = client_for(world.coordinator.user).post(reverse("plans:import"), {"file": upload})
    assert response.status_code == 200
    assert len(response.context["tasks"].initial) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Văn bản trống."),
        ({"text": "Hôm nay trời đẹp.\nChúng tôi đi họp."}, "Loa không thấy kế hoạch nào"),
        ({"file": SimpleUploadedFile("hong.docx", b"PK\x03\x04 hong")}, "Tệp bị hỏng"),
        ({"file": SimpleUploadedFile("a.txt", "Kế hoạch".encode("utf-16"))}, "UTF-8"),
        ({"file": SimpleUploadedFile("lon.txt", b"x" * (50 * 1024 * 1024))}, "Tệp lớn hơn"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(world, client_for, data, message):
    response = client_for(world.coordinator.user).post(reverse("plans:import"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_only_coordinators_import_plans(world, client_for):
    for person in (world.staff_a, world.head_a, world.chief):
        response = client_for(person.user).post(reverse("plans:import"), {"text": sample_text()})
        assert response.status_code == 403
    outsider = client_for(world.outsider.user)
    response = outsider.post(
        reverse("plans:import") + f"?agency={world.agency.pk}", {"text": sample_text()}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("page", ["plans:import", "plans:create"])
def test_a_person_managing_several_agencies_is_asked_which_one_first(world, client_for, page):
    client = client_for(world.admin)  # the superuser manages every agency
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "core/choose_agency.html"
    choice = response.content.decode()
    for agency in (world.agency, world.other_agency):
        assert f'href="{reverse(page)}?agency={agency.pk}"' in choice
    chosen = client.get(reverse(page) + f"?agency={world.agency.pk}")
    assert chosen.status_code == 200 and chosen.context["agency"] == world.agency


@pytest.mark.parametrize("page", ["plans:import", "plans:create"])
def test_a_coordinator_of_one_agency_goes_straight_on(world, client_for, page):
    response = client_for(world.coordinator.user).get(reverse(page))
    assert response.status_code == 200 and response.context["agency"] == world.agency


def test_the_plans_page_offers_import_and_a_new_plan_to_whoever_manages_an_agency(
    world, client_for
):
    for user in (world.admin, world.coordinator.user):
        page = client_for(user).get(reverse("plans:list")).content.decode()
        assert "Nhập kế hoạch từ văn bản" in page and "Lập kế hoạch mới" in page
    page = client_for(world.staff_a.user).get(reverse("plans:list")).content.decode()
    assert "Nhập kế hoạch từ văn bản" not in page


def test_the_same_plan_imported_again_is_warned_of_but_not_refused(world, client_for):
    client = client_for(world.coordinator.user)
    first = read(client, text=sample_text())
    assert first.context["same_plans"] == []
    client.post(reverse("plans:import_save"), review_post_data(first))
    existing = Plan.objects.get()
    again = read(client, text=sample_text())
    assert again.context["same_plans"] == [existing]
    page = again.content.decode()
    assert "Cơ quan đã có 1 kế hoạch cùng tên năm 2023" in page
    assert reverse("plans:detail", args=[existing.pk]) in page
    client.post(reverse("plans:import_save"), review_post_data(again))
    assert Plan.objects.count() == 2  # a warning, not a refusal


def test_another_agencys_plan_of_the_same_title_is_no_reason_to_warn(world, client_for):
    from loa.plans import services
    from loa.plans.importing import parse

    services.plan_create_from_parsed(
        actor=world.outsider.user, agency=world.other_agency, parsed=parse(sample_text())
    )
    response = read(client_for(world.coordinator.user), text=sample_text())
    assert response.context["same_plans"] == []


def test_the_lead_unit_list_asks_for_a_unit_in_vietnamese(world, client_for):
    page = read(client_for(world.coordinator.user), text=sample_text()).content.decode()
    assert "— chọn đơn vị —" in page and "---------" not in page


def test_loa_plan_import_dry_run_prints_the_structure_as_json(run_loa):
    result = run_loa("plan", "import", str(SAMPLE), "--dry-run", "--json")
    plan = json.loads(result.stdout)
    assert {
        "title",
        "year",
        "number",
        "parent",
        "purposes",
        "requirements",
        "audiences",
        "topics",
        "forms",
        "tasks",
        "citations",
        "recipients",
        "signer",
        "unplaced",
    } <= set(plan)
    assert plan["parent"]["code"] == "321/KH-UBND" and plan["number"] is None
    assert plan["topics"][4]["code"] == "đ"
    assert plan["tasks"][1]["units"] == ["Trung tâm Tin học – Công báo"]
    assert len(plan["citations"]) == 8
    assert plan["signer"] == {"title": "CHÁNH VĂN PHÒNG", "name": "Phan Thế Huy"}


def test_loa_plan_import_refuses_a_text_that_is_not_a_plan(run_loa, tmp_path):
    not_a_plan = tmp_path / "thu.txt"
    not_a_plan.write_text("Kính gửi anh chị.\nTrân trọng.", encoding="utf-8")
    result = run_loa("plan", "import", str(not_a_plan), "--dry-run", check=False)
    assert result.returncode != 0
    assert "không thấy kế hoạch" in result.stderr


def test_a_topic_written_on_several_lines_stays_one_topic(world, client_for):
    text = (
        sample_text()
        .replace(
            "b) Phổ biến tầm quan trọng", "b) Phổ biến tầm quan trọng\n(nội dung tiếp theo)\nb2"
        )
        .replace("(nội dung tiếp theo)\nb2", "(nội dung tiếp theo)")
    )
    client = client_for(world.coordinator.user)
    review = read(client, text=text)
    client.post(reverse("plans:import_save"), review_post_data(review))
    plan = Plan.objects.get()
    assert plan.topics.count() == 6
    assert "quan trọng\n(nội dung tiếp theo), ý nghĩa" in plan.topics.get(code="b").text


def test_what_loa_could_not_place_survives_a_failed_save(world, client_for):
    text = sample_text().replace(
        "III. TỔ CHỨC THỰC HIỆN", "IV. PHỤ LỤC\nBảng kèm theo.\nIII. TỔ CHỨC THỰC HIỆN"
    )
    client = client_for(world.coordinator.user)
    review = read(client, text=text)
    assert review.context["unplaced"] == ["IV. PHỤ LỤC", "Bảng kèm theo."]
    data = review_post_data(review)
    data["unplaced"] = review.context["unplaced"]
    data["title"] = ""  # a mistake: the page comes back
    again = client.post(reverse("plans:import_save"), data)
    assert again.status_code == 400
    assert "Bảng kèm theo." in again.content.decode()


def test_tasks_laid_out_as_a_table_in_a_docx(world, client_for):
    """STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian: one task a row."""
    from docx import Document as WordDocument

    word = WordDocument()
    for line in (
        "KẾ HOẠCH",
        "Tuyên truyền cải cách hành chính năm 2024",
        "I. MỤC ĐÍCH",
        "- Nâng cao nhận thức.",
        "II. NHIỆM VỤ CỤ THỂ",
    ):
        word.add_paragraph(line)
    rows = [
        ("STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian"),
        (
            "1",
            "Đăng tin trên Cổng thông tin",
            "Trung tâm Tin học – Công báo",
            "Phòng Hành chính – Quản trị",
            "Thường xuyên",
        ),
        ("2", "Tổ chức hội nghị quán triệt", "Phòng Hành chính – Quản trị", "", "Quý II/2024"),
    ]
    table = word.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    word.add_paragraph("Nơi nhận:")
    word.add_paragraph("- Lưu: VT.")
    out = io.BytesIO()
    word.save(out)
    client = client_for(world.coordinator.user)
    review = client.post(
        reverse("plans:import"), {"file": SimpleUploadedFile("kh.docx", out.getvalue())}
    )
    tasks = review.context["tasks"].initial
    assert [
        (t["text"], t["lead_unit"], list(t["cooperating_units"]), t["recurrence"], t["deadline"])
        for t in tasks
    ] == [
        ("Đăng tin trên Cổng thông tin", world.unit_b, [world.unit_a], "regularly", None),
        ("Tổ chức hội nghị quán triệt", world.unit_a, [], "once", datetime.date(2024, 6, 30)),
    ]


@pytest.mark.parametrize(
    ("written", "deadline", "recurrence"),
    [
        ("Thường xuyên", None, "regularly"),
        ("Báo cáo hằng quý", None, "quarterly"),
        ("Hằng tháng", None, "monthly"),
        ("trước ngày 15/12/2024", datetime.date(2024, 12, 15), "once"),
        ("Quý III", datetime.date(2023, 9, 30), "once"),
        ("ngày 31/02/2024", None, "once"),
    ],
)
def test_deadlines_and_recurrences_as_plans_write_them(written, deadline, recurrence):
    from loa.plans.services import timing

    assert timing(written, 2023) == (deadline, recurrence)
