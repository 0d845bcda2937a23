"""The citation finder, read as a specification: what it finds, with which fields, and where."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loa.library.citations import find_citations

SAMPLE = Path(__file__).parents[1] / "fixtures" / "kh-tuyen-truyen-cchc-2023-vp-ubnd-vinh-phuc.txt"


def fields(text: str) -> list[tuple]:
    return [
        (c.type, c.number, c.symbol, c.code, c.date, c.issuer, text[c.start : c.end])
        for c in find_citations(text)
    ]


def test_all_eight_citations_of_the_sample_plan():
    text = SAMPLE.read_text(encoding="utf-8")
    assert fields(text) == [
        (
            "Kế hoạch",
            "321",
            "KH-UBND",
            "321/KH-UBND",
            "2022-12-30",
            "UBND tỉnh",
            "Kế hoạch số 321/KH-UBND ngày 30/12/2022 của UBND tỉnh",
        ),
        (
            "Nghị quyết",
            "76",
            "NQ-CP",
            "76/NQ-CP",
            "2021-07-15",
            "Chính phủ",
            "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ",
        ),
        (
            "Chỉ thị",
            "08",
            "CT-UBND",
            "08/CT-UBND",
            "2022-03-04",
            "Chủ tịch UBND tỉnh",
            "Chỉ thị số 08/CT-UBND ngày 04/3/2022 của Chủ tịch UBND tỉnh",
        ),
        (
            "Quyết định",
            "1204",
            "QĐ-UBND",
            "1204/QĐ-UBND",
            "2022-06-29",
            None,
            "Quyết định số 1204/QĐ-UBND ngày 29/6/2022",
        ),
        (
            "Quyết định",
            "1046",
            "QĐ-UBND",
            "1046/QĐ-UBND",
            "2022-06-02",
            "UBND tỉnh",
            "Quyết định số 1046/QĐ-UBND ngày 02/6/2022 của UBND tỉnh",
        ),
        (
            "Quyết định",
            "1047",
            "QĐ-UBND",
            "1047/QĐ-UBND",
            "2022-06-02",
            "UBND tỉnh",
            "Quyết định số 1047/QĐ-UBND ngày 02/6/2022 của UBND tỉnh",
        ),
        (
            "Quyết định",
            "2866",
            "QĐ-UBND",
            "2866/QĐ-UBND",
            "2021-10-14",
            None,
            "Quyết định số 2866/QĐ-UBND ngày 14/10/2021",
        ),
        (
            "Kế hoạch",
            "319",
            "KH-UBND",
            "319/KH-UBND",
            "2022-12-30",
            "UBND tỉnh",
            "Kế hoạch số 319/KH-UBND ngày 30/12/2022 của UBND tỉnh",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nghị định 30/2020/NĐ-CP quy định về công tác văn thư",
            [("Nghị định", "30", "NĐ-CP", "30/2020/NĐ-CP", None, None, "Nghị định 30/2020/NĐ-CP")],
        ),
        (
            "Luật số 80/2015/QH13 của Quốc hội",
            [
                (
                    "Luật",
                    "80",
                    "QH13",
                    "80/2015/QH13",
                    None,
                    "Quốc hội",
                    "Luật số 80/2015/QH13 của Quốc hội",
                )
            ],
        ),
        (
            "Nghị quyết số 18-NQ/TW ngày 25 tháng 10 năm 2017 của Ban Chấp hành Trung ương",
            [
                (
                    "Nghị quyết",
                    "18",
                    "NQ/TW",
                    "18-NQ/TW",
                    "2017-10-25",
                    "Ban Chấp hành Trung ương",
                    "Nghị quyết số 18-NQ/TW ngày 25 tháng 10 năm 2017 của Ban Chấp hành Trung ương",
                )
            ],
        ),
        (
            "Công văn số 1234/SNV-CCHC ngày 5/1/2023 của Sở Nội vụ về việc báo cáo",
            [
                (
                    "Công văn",
                    "1234",
                    "SNV-CCHC",
                    "1234/SNV-CCHC",
                    "2023-01-05",
                    "Sở Nội vụ",
                    "Công văn số 1234/SNV-CCHC ngày 5/1/2023 của Sở Nội vụ",
                )
            ],
        ),
        (
            "Nghị quyết 76/NQ-CP của Chính phủ ngày 15/7/2021",
            [
                (
                    "Nghị quyết",
                    "76",
                    "NQ-CP",
                    "76/NQ-CP",
                    "2021-07-15",
                    "Chính phủ",
                    "Nghị quyết 76/NQ-CP của Chính phủ ngày 15/7/2021",
                )
            ],
        ),
        (
            "KẾ HOẠCH SỐ 321/KH-UBND",
            [("Kế hoạch", "321", "KH-UBND", "321/KH-UBND", None, None, "KẾ HOẠCH SỐ 321/KH-UBND")],
        ),
        (
            "Số: 15/QĐ\u2011BNV",  # a non-breaking hyphen, as Word writes it
            [("Quyết định", "15", "QĐ-BNV", "15/QĐ-BNV", None, None, "Số: 15/QĐ\u2011BNV")],
        ),
        (
            "QĐ số 12/QĐ-UBND",
            [("Quyết định", "12", "QĐ-UBND", "12/QĐ-UBND", None, None, "QĐ số 12/QĐ-UBND")],
        ),
        (
            "CV số 56/VP-HCQT của Văn phòng",
            [
                (
                    "Công văn",
                    "56",
                    "VP-HCQT",
                    "56/VP-HCQT",
                    None,
                    "Văn phòng",
                    "CV số 56/VP-HCQT của Văn phòng",
                )
            ],
        ),
        (
            "Thông báo kết luận số 45-TB/TU",
            [
                (
                    "Thông báo",
                    "45",
                    "TB/TU",
                    "45-TB/TU",
                    None,
                    None,
                    "Thông báo kết luận số 45-TB/TU",
                )
            ],
        ),
        (
            "theo văn bản số 12/UBND-VX",
            [(None, "12", "UBND-VX", "12/UBND-VX", None, None, "văn bản số 12/UBND-VX")],
        ),
        (
            "Quyết định số 759/QĐ-TTg ngày 14/4/2025 của Thủ tướng Chính phủ;",
            [
                (
                    "Quyết định",
                    "759",
                    "QĐ-TTg",
                    "759/QĐ-TTg",
                    "2025-04-14",
                    "Thủ tướng Chính phủ",
                    "Quyết định số 759/QĐ-TTg ngày 14/4/2025 của Thủ tướng Chính phủ",
                )
            ],
        ),
    ],
)
def test_each_form_of_citation(text, expected):
    assert fields(text) == expected


def test_the_type_codes_of_decree_30_give_the_type():
    text = (
        "số 1/KH-UBND, số 2/TB-VP, số 3/HD-SNV, số 4/QyĐ-UBND, số 5/CTr-UBND, "
        "số 6/ĐA-UBND, số 7/BC-VP"
    )
    assert [c.type for c in find_citations(text)] == [
        "Kế hoạch",
        "Thông báo",
        "Hướng dẫn",
        "Quy định",
        "Chương trình",
        "Đề án",
        "Báo cáo",
    ]


def test_a_list_shares_its_type_date_and_issuer():
    text = "các Quyết định số 1046/QĐ-UBND và 1047/QĐ-UBND ngày 02/6/2022 của UBND tỉnh phê duyệt"
    assert fields(text) == [
        (
            "Quyết định",
            "1046",
            "QĐ-UBND",
            "1046/QĐ-UBND",
            "2022-06-02",
            "UBND tỉnh",
            "Quyết định số 1046/QĐ-UBND",
        ),
        (
            "Quyết định",
            "1047",
            "QĐ-UBND",
            "1047/QĐ-UBND",
            "2022-06-02",
            "UBND tỉnh",
            "1047/QĐ-UBND",
        ),
    ]


def test_separate_citations_in_one_sentence_keep_their_own_types():
    text = "theo Nghị định số 30/2020/NĐ-CP, Nghị định số 09/2019/NĐ-CP và Thông tư 01/2011/TT-BNV"
    assert [(c.type, c.code) for c in find_citations(text)] == [
        ("Nghị định", "30/2020/NĐ-CP"),
        ("Nghị định", "09/2019/NĐ-CP"),
        ("Thông tư", "01/2011/TT-BNV"),
    ]


def test_an_issuer_ends_where_the_next_document_begins():
    text = (
        "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ và Kế hoạch số 321/KH-UBND "
        "ngày 30/12/2022 của UBND tỉnh; Quyết định số 1/QĐ-BGDĐT của Bộ Giáo dục và Đào tạo"
    )
    assert [(c.code, c.issuer, text[c.start : c.end]) for c in find_citations(text)] == [
        ("76/NQ-CP", "Chính phủ", "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ"),
        ("321/KH-UBND", "UBND tỉnh", "Kế hoạch số 321/KH-UBND ngày 30/12/2022 của UBND tỉnh"),
        (
            "1/QĐ-BGDĐT",
            "Bộ Giáo dục và Đào tạo",
            "Quyết định số 1/QĐ-BGDĐT của Bộ Giáo dục và Đào tạo",
        ),
    ]


def test_an_impossible_date_is_left_out_not_guessed():
    assert find_citations("Quyết định số 12/QĐ-UBND ngày 31/02/2022")[0].date is None


@pytest.mark.parametrize(
    "text",
    [
        "Liên hệ 0912 345 678 hoặc 024/3825 6789",
        "ngày 15/7/2021 và 20/10/2022",
        "số 5 phòng họp tầng 2",
        "HIV/AIDS, COVID-19, A4/B5",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "tỷ lệ 3/4 cán bộ, 1/2 số phòng",
        "",
    ],
)
def test_things_that_are_not_citations(text):
    assert find_citations(text) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [
                    "Quyết định",
                    " số ",
                    "12",
                    "/",
                    "-",
                    "QĐ",
                    "UBND",
                    " ngày ",
                    "15/7/2021",
                    " của ",
                    "Chính phủ",
                    "và",
                    ",",
                    "tháng",
                    " năm ",
                    "2022",
                    "NQ/TW",
                    "Đ",
                    "\n",
                ]
            ),
        ),
        max_size=40,
    ).map("".join)
)
def test_the_finder_never_crashes_and_spans_cut_the_text_where_it_says(text):
    previous_end = 0
    for citation in find_citations(text):
        assert 0 <= citation.start < citation.end <= len(text)
        assert citation.start >= previous_end
        previous_end = citation.end
        assert citation.number in text[citation.start : citation.end]
        assert citation.code.replace("-", "") in text[citation.start : citation.end].replace(
            "-", ""
        ).replace("\u2011", "").replace("\u2010", "").replace("\u2012", "").replace("\u2013", "")


@pytest.mark.parametrize(
    ("text", "issuer"),
    [
        ("Công văn số 12/SGDĐT-VP của Sở Giáo dục và Đào tạo về việc", "Sở Giáo dục và Đào tạo"),
        (
            "Thông tư 01/2021/TT-BVHTTDL của Bộ Văn hóa, Thể thao và Du lịch, ngày",
            "Bộ Văn hóa, Thể thao và Du lịch",
        ),
        (
            "Thông tư 05/2019/TT-BLĐTBXH của Bộ Lao động - Thương binh và Xã hội hướng dẫn",
            "Bộ Lao động - Thương binh và Xã hội",
        ),
        ("Quyết định số 5/QĐ-UBND của UBND tỉnh Vĩnh Phúc năm 2022 phê", "UBND tỉnh Vĩnh Phúc"),
        ("Kế hoạch số 3/KH-SNV do Sở Nội vụ chủ trì", "Sở Nội vụ"),
        ("Quyết định số 7/QĐ-UBND của UBND tỉnh và các sở", "UBND tỉnh"),
    ],
)
def test_issuers_with_and_commas_and_dashes_stay_whole(text, issuer):
    assert find_citations(text)[0].issuer == issuer


@pytest.mark.parametrize(
    "text",
    [
        "Mẫu số 01/BC",
        "Phụ lục số 2/PL",
        "số 5/B Nguyễn Trãi",
        "tờ bản đồ số 12/ĐC",
        "Biểu mẫu số 3/CT kèm theo",
        "Ki-ốt số 3/K2",
    ],
)
def test_numbers_of_forms_appendices_and_addresses_are_not_citations(text):
    assert find_citations(text) == []


def test_a_list_item_with_another_type_code_keeps_its_own_type():
    text = "Quyết định số 1046/QĐ-UBND và 30/2020/NĐ-CP"
    assert [(c.type, c.code) for c in find_citations(text)] == [
        ("Quyết định", "1046/QĐ-UBND"),
        ("Nghị định", "30/2020/NĐ-CP"),
    ]
