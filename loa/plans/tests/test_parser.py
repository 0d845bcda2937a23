"""Reading a plan's text: the sample's whole structure, and the shapes other agencies use."""

from pathlib import Path

import pytest

from loa.plans.parser import NotAPlan, parse_plan

HERE = Path(__file__).parent
SAMPLE = (
    HERE.parents[1] / "library" / "fixtures" / "kh-tuyen-truyen-cchc-2023-vp-ubnd-vinh-phuc.txt"
)


def variant(name: str):
    return parse_plan((HERE / "variants" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample():
    return parse_plan(SAMPLE.read_text(encoding="utf-8"))


def test_the_sample_title_year_and_the_plan_it_implements(sample):
    assert sample.title == "Thông tin, tuyên truyền cải cách hành chính năm 2023"
    assert sample.year == 2023
    assert sample.number is None  # the sample's own number is not in its text
    parent = sample.parent
    assert (parent.type, parent.code, parent.date, parent.issuer) == (
        "Kế hoạch",
        "321/KH-UBND",
        "2022-12-30",
        "UBND tỉnh",
    )


def test_the_sample_purposes_requirements_and_audience(sample):
    assert [p[:30] for p in sample.purposes] == [
        "Nâng cao nhận thức của cán bộ,",
        "Kịp thời phát hiện, xây dựng v",
    ]
    assert [r[:30] for r in sample.requirements] == [
        "Công tác tuyên truyền cải cách",
        "Nội dung thông tin, tuyên truy",
    ]
    assert sample.audiences == ["Tập thể, cá nhân thuộc Văn phòng UBND tỉnh."]


def test_the_sample_topics_keep_their_letters_including_d_with_stroke(sample):
    assert [(t.code, t.text[:25]) for t in sample.topics] == [
        ("a", "Phổ biến, quán triệt các "),
        ("b", "Phổ biến tầm quan trọng, "),
        ("c", "Tuyên truyền các văn bản "),
        ("d", "Tuyên truyền kết quả thực"),
        ("đ", "Tăng cường tuyên truyền c"),
        ("e", "Tuyên truyền đối với nội "),
    ]
    assert sample.topics[5].text.endswith("cấp quốc gia (DTI).")


def test_the_sample_three_forms(sample):
    assert [f[:40] for f in sample.forms] == [
        "Xen lẫn vào các hội nghị như sinh hoạt c",
        "Gửi các văn bản về cải cách hành chính q",
        "Qua trao đổi công việc chuyên môn của cá",
    ]


def test_the_sample_tasks_with_their_units(sample):
    assert [(t.text[:35], t.units) for t in sample.tasks] == [
        ("Trưởng các phòng, ban, đơn vị tổ ch", ["các phòng, ban, đơn vị"]),
        ("Giao Trung tâm Tin học – Công báo đ", ["Trung tâm Tin học – Công báo"]),
        ("Bố trí, bảo đảm kinh phí thực hiện ", ["Phòng Hành chính – Quản trị"]),
        ("Có trách nhiệm tham mưu giúp Lãnh đ", ["Phòng Hành chính – Quản trị"]),
    ]


def test_the_sample_cites_eight_documents(sample):
    assert [(c.type, c.code, c.date) for c in sample.citations] == [
        ("Kế hoạch", "321/KH-UBND", "2022-12-30"),
        ("Nghị quyết", "76/NQ-CP", "2021-07-15"),
        ("Chỉ thị", "08/CT-UBND", "2022-03-04"),
        ("Quyết định", "1204/QĐ-UBND", "2022-06-29"),
        ("Quyết định", "1046/QĐ-UBND", "2022-06-02"),
        ("Quyết định", "1047/QĐ-UBND", "2022-06-02"),
        ("Quyết định", "2866/QĐ-UBND", "2021-10-14"),
        ("Kế hoạch", "319/KH-UBND", "2022-12-30"),
    ]


def test_the_sample_recipients_signer_and_nothing_left_over(sample):
    assert sample.recipients == [
        "Sở Nội vụ (b/c)",
        "Lãnh đạo Văn phòng",
        "Các phòng, ban, đơn vị",
        "Lưu VT",
    ]
    assert sample.signer == {"title": "CHÁNH VĂN PHÒNG", "name": "Phan Thế Huy"}
    assert sample.closing.startswith("Trên đây là Kế hoạch")
    assert "báo cáo Chánh Văn phòng" in sample.closing
    assert sample.unplaced == []


def test_a_department_plan_with_a_decree_30_header_and_arabic_sections():
    plan = variant("so-noi-vu-arabic.txt")
    assert (plan.number, plan.place, plan.date) == ("15/KH-SNV", "Vĩnh Phúc", "2024-01-05")
    assert plan.issuer_lines == ["UBND TỈNH VĨNH PHÚC", "SỞ NỘI VỤ"]
    assert plan.parent.code == "12/KH-UBND"
    assert len(plan.purposes) == 1 and len(plan.requirements) == 1
    assert [t.code for t in plan.topics] == ["a", "b"]
    assert plan.forms == [
        "Đăng tải trên Trang thông tin điện tử của Sở.",
        "Lồng ghép trong các cuộc họp giao ban.",
    ]
    assert [t.units for t in plan.tasks] == [["Phòng Cải cách hành chính"], ["Văn phòng Sở"]]
    assert plan.recipients == ["UBND tỉnh (b/c)", "Giám đốc, các PGĐ Sở", "Lưu: VT, CCHC"]
    assert plan.signer == {"title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "name": "Nguyễn Văn Bình"}
    assert plan.unplaced == []


def test_a_district_plan_with_tasks_as_paragraphs_and_a_section_loa_cannot_place():
    plan = variant("ubnd-huyen-paragraphs.txt")
    assert plan.title.endswith("năm 2024 trên địa bàn huyện") and plan.year == 2024
    assert [t.code for t in plan.topics] == [None, None]  # bullets, no letters: none invented
    assert [t.units for t in plan.tasks] == [
        ["các cơ quan, đơn vị", "Phòng Nội vụ huyện"],
        ["Phòng Văn hóa và Thông tin huyện", "Trung tâm Văn hóa - Thể thao và Truyền thông"],
        ["Các cơ quan, đơn vị", "Phòng Nội vụ"],
    ]
    assert plan.recipients == ["Sở Nội vụ", "Lưu: VT"]
    assert plan.signer["title"] == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    # A section Loa has no place for is shown to the user, not dropped.
    assert plan.unplaced == ["V. ĐIỀU KHOẢN KHÁC", "Kế hoạch này có thể được điều chỉnh khi cần."]


def test_a_school_plan_with_tasks_grouped_under_a_unit_and_a_signed_mark():
    plan = variant("truong-numbered-tasks.txt")
    assert plan.title == "TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH NĂM 2025" and plan.year == 2025
    assert plan.parent.code == "321/KH-UBND"
    assert plan.audiences == ["Cán bộ, giảng viên, nhân viên.", "Học sinh, sinh viên."]
    assert [t.code for t in plan.topics] == ["a", "b", "c"]
    assert [(t.text, t.units) for t in plan.tasks] == [
        ("Tham mưu Hiệu trưởng triển khai Kế hoạch.", ["Phòng Tổ chức – Hành chính"]),
        ("Tổng hợp, báo cáo định kỳ hằng quý.", ["Phòng Tổ chức – Hành chính"]),
        (
            "Các khoa, phòng chuyên môn tổ chức sinh hoạt chuyên đề ít nhất một lần mỗi học kỳ.",
            ["Các khoa, phòng chuyên môn"],
        ),
    ]
    assert plan.signer == {"title": "HIỆU TRƯỞNG", "name": "Lê Minh Tuấn"}
    assert plan.unplaced == []


def test_known_units_are_matched_without_regard_to_diacritics_dashes_or_case():
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "Trung tâm Tin học – Công báo", "trung tam tin hoc - cong bao"
    )
    plan = parse_plan(text, known_units=["Trung tâm Tin học – Công báo"])
    assert plan.tasks[1].units == ["trung tam tin hoc - cong bao"]


@pytest.mark.parametrize("text", ["", "   \n  ", "Hôm nay trời đẹp. Chúng tôi đi họp.\nHết."])
def test_text_that_is_not_a_plan_is_refused(text):
    with pytest.raises(NotAPlan):
        parse_plan(text)


def test_parts_with_titles_on_their_own_line_and_a_header_copied_from_a_word_table():
    plan = variant("ubnd-huyen-phan-tabs.txt")
    assert plan.title == "Tuyên truyền cải cách hành chính năm 2024"
    assert plan.issuer_lines == ["ỦY BAN NHÂN DÂN", "HUYỆN TAM DƯƠNG"]
    assert (plan.number, plan.place, plan.date) == ("45/KH-UBND", "Tam Dương", "2024-02-10")
    # "1. Mục đích: …" is a heading and its first item at once.
    assert plan.purposes == ["nâng cao nhận thức của cán bộ."]
    assert plan.requirements == ["thiết thực, hiệu quả."]
    assert [t.code for t in plan.topics] == ["a", "b"]
    assert plan.forms == ["Truyền thanh cơ sở."]
    assert len(plan.tasks) == 1
    assert plan.unplaced == ["3. THỜI GIAN, TIẾN ĐỘ", "Thực hiện trong năm 2024."]
    assert plan.signer == {"title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "name": "Lê Văn Hùng"}


def test_a_requirement_starting_like_a_closing_and_a_signer_before_the_recipients():
    plan = variant("so-yeu-cau-kinh-phi.txt")
    assert plan.purposes == ["Yêu cầu các cơ quan, đơn vị bám sát nhiệm vụ được giao."]
    assert [t.text for t in plan.tasks] == ["Phòng Nội vụ chủ trì triển khai."]
    assert plan.closing == "Trên đây là Kế hoạch tuyên truyền năm 2024."
    assert plan.signer == {"title": "GIÁM ĐỐC", "name": "Nguyễn Văn An"}
    assert plan.recipients == ["Như trên", "Lưu: VT"]
    # A budget section is not a task: it is shown for the person to place.
    assert plan.unplaced == ["V. KINH PHÍ", "Kinh phí bố trí từ nguồn chi thường xuyên."]
