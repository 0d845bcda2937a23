"""Importing people from .xlsx or .csv: all or nothing, errors by row and column, idempotent."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from loa.core.models import AuditEntry
from loa.org.models import Category, Person, Position

pytestmark = pytest.mark.django_db

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Phân loại", "Email", "Điện thoại"]
GOOD_ROWS = [
    [
        "VP101",
        "Nguyễn Thị Thu Trang",
        "Phòng Hành chính – Quản trị",
        "Chuyên viên",
        "Công chức",
        "trangntt@vinhphuc.gov.vn",
        "0912 345 678",
    ],
    ["VP102", "Bùi Văn Toàn", "phong hanh chinh - quan tri", "Lái xe", "người lao động", "", ""],
    ["VP103", "Kiều Thị Vân", "TTTHCB", "Viên chức", "Viên chức", "vankt@vinhphuc.gov.vn", ""],
]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("can-bo.xlsx", out.getvalue())


def csv_file(rows, header=HEADER, encoding="utf-8-sig") -> SimpleUploadedFile:
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return SimpleUploadedFile("can-bo.csv", "\n".join(lines).encode(encoding))


def upload(client, world, file):
    return client.post(reverse("org:people_import", args=[world.agency.pk]), {"file": file})


def errors_of(response) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in response.context["result"].errors]


@pytest.fixture
def coordinator(world, client_for):
    return client_for(world.coordinator.user)


def test_good_xlsx_adds_everyone_and_matches_units_without_diacritics(world, coordinator):
    response = upload(coordinator, world, xlsx(GOOD_ROWS))
    assert response.status_code == 302
    trang = Person.objects.get(code="VP101")
    assert trang.unit == world.unit_a and trang.category == Category.CIVIL_SERVANT
    assert trang.user.username == "trangntt@vinhphuc.gov.vn"
    assert Person.objects.get(code="VP102").unit == world.unit_a
    assert Person.objects.get(code="VP103").unit == world.unit_b
    assert Position.objects.filter(agency=world.agency, name="Lái xe").exists()
    entry = AuditEntry.objects.get(action="people_import")
    assert entry.changes["created"] == 3 and entry.actor == world.coordinator.user


def test_importing_the_same_file_twice_changes_nothing(world, coordinator):
    upload(coordinator, world, xlsx(GOOD_ROWS))
    before = list(Person.objects.order_by("id").values())
    audit_before = AuditEntry.objects.filter(action="person_update").count()
    response = upload(coordinator, world, xlsx(GOOD_ROWS))
    assert response.status_code == 302
    assert list(Person.objects.order_by("id").values()) == before
    assert AuditEntry.objects.filter(action="person_update").count() == audit_before
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[-1] == "Đã nhập xong: thêm 0, cập nhật 0, giữ nguyên 3."


def test_reimport_with_a_changed_row_updates_only_that_person(world, coordinator):
    upload(coordinator, world, xlsx(GOOD_ROWS))
    changed = [row[:] for row in GOOD_ROWS]
    changed[1][2] = "Trung tâm Tin học – Công báo"
    upload(coordinator, world, xlsx(changed))
    assert Person.objects.get(code="VP102").unit == world.unit_b
    entry = AuditEntry.objects.get(action="people_import", changes__updated=1)
    assert entry.changes["unchanged"] == 2


def test_csv_in_utf8_with_semicolons_is_read(world, coordinator):
    assert upload(coordinator, world, csv_file(GOOD_ROWS)).status_code == 302
    assert Person.objects.get(code="VP103").full_name == "Kiều Thị Vân"


def test_a_file_with_bad_rows_is_rejected_whole_with_every_error_named(world, coordinator):
    rows = [
        GOOD_ROWS[0],
        ["", "Không Mã", "", "", "Công chức", "", ""],
        ["VP101", "Trùng Mã", "", "", "Công chức", "", ""],
        ["VP104", "", "Phòng Không Có", "", "Hợp đồng", "khong-phai-email", "abc"],
        ["VP105", "Lê Văn A", "", "", "", "trangntt@vinhphuc.gov.vn", ""],
        ["VP106", "Lê Văn B", "", "", "Cán bộ", world.staff_a.email or "", ""],
    ]
    count_before = Person.objects.count()
    response = upload(coordinator, world, xlsx(rows))
    assert response.status_code == 400
    assert errors_of(response) == [
        (3, "Mã cán bộ", "Thiếu mã cán bộ."),
        (4, "Mã cán bộ", "Mã cán bộ VP101 đã dùng ở dòng 2."),
        (5, "Họ và tên", "Thiếu họ và tên."),
        (
            5,
            "Phân loại",
            "“Hợp đồng” không phải là phân loại hợp lệ; hãy ghi Cán bộ, Công chức, Viên chức "
            "hoặc Người lao động.",
        ),
        (5, "Đơn vị", "Cơ quan không có đơn vị nào tên “Phòng Không Có”."),
        (5, "Email", "“khong-phai-email” không phải là địa chỉ email."),
        (5, "Điện thoại", "“abc” không phải là số điện thoại."),
        (6, "Phân loại", "Thiếu phân loại."),
        (6, "Email", "Email trangntt@vinhphuc.gov.vn đã dùng ở dòng 2."),
    ]
    assert Person.objects.count() == count_before
    assert not Position.objects.filter(name="Chuyên viên").exists()
    body = response.content.decode()
    assert "Tệp chưa được nhập: có 9 lỗi cần sửa." in body


def test_email_of_another_person_is_an_error(world, coordinator):
    from loa.org import services

    services.person_update(actor=world.admin, person=world.staff_b, email="baodq@vinhphuc.gov.vn")
    rows = [["VP200", "Lê Văn C", "", "", "Công chức", "BaoDQ@vinhphuc.gov.vn", ""]]
    response = upload(coordinator, world, xlsx(rows))
    assert errors_of(response) == [(2, "Email", "Email baodq@vinhphuc.gov.vn thuộc về người khác.")]


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("a.pdf", b"%PDF-1.4"), "Loa chỉ đọc tệp .xlsx và .csv."),
        (SimpleUploadedFile("a.xlsx", b"PK\x03\x04broken"), "không phải là bảng tính .xlsx"),
        (SimpleUploadedFile("a.csv", "Mã;Họ tên\n".encode("utf-16")), "bảng mã UTF-8"),
        (SimpleUploadedFile("a.csv", b""), "Tập tin được gửi là rỗng."),
        (SimpleUploadedFile("a.csv", b"\n\n"), "Tệp không có dữ liệu."),
        (SimpleUploadedFile("a.csv", "Họ và tên;Email\nA;b\n".encode()), "còn thiếu: Mã cán bộ"),
        (SimpleUploadedFile("a.csv", ";".join(HEADER).encode()), "không có người nào"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_change_nothing(world, coordinator, file, message):
    count_before = Person.objects.count()
    response = upload(coordinator, world, file)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Person.objects.count() == count_before


def test_too_large_file_is_refused(world, coordinator, settings):
    settings.LOA_IMPORT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("a.csv", b"x" * (1024 * 1024 + 1))
    response = upload(coordinator, world, big)
    assert "Tệp lớn hơn 1 MB." in response.content.decode()


def test_unit_head_and_outsider_cannot_import(world, client_for):
    assert upload(client_for(world.head_a.user), world, xlsx(GOOD_ROWS)).status_code == 403
    assert upload(client_for(world.outsider.user), world, xlsx(GOOD_ROWS)).status_code == 404
    assert not Person.objects.filter(code="VP101").exists()


def test_the_downloaded_template_imports_once_filled_in(world, coordinator):
    response = coordinator.get(reverse("org:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["Mã cán bộ *", "Họ và tên *"]
    assert workbook.sheetnames == ["Cán bộ", "Hướng dẫn"]
    for row in GOOD_ROWS:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    assert (
        upload(coordinator, world, SimpleUploadedFile("mau.xlsx", out.getvalue())).status_code
        == 302
    )
    assert Person.objects.filter(code__in=["VP101", "VP102", "VP103"]).count() == 3
