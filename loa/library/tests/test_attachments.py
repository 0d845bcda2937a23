"""Attachments: checked by content, read by the worker, searchable; bad files change nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loa.library.models import Attachment
from loa.library.tests.factories import (
    docx_bytes,
    encrypted_pdf_bytes,
    make_document,
    pdf_bytes,
    zip_bomb_docx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(world):
    return make_document(world.admin, "1204/QĐ-UBND", doc_type="decision", issuer="UBND tỉnh")


def attach(client, document, name, data, **extra):
    return client.post(
        reverse("library:attachment_upload", args=[document.pk]),
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
        **extra,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def search(client, q):
    response = client.get(reverse("library:search"), {"q": q})
    return [str(d) for d in response.context["page"].object_list]


def test_a_docx_is_read_and_its_words_become_searchable(
    world, client_for, document, django_capture_on_commit_callbacks
):
    client = client_for(world.coordinator.user)
    data = docx_bytes("Đề án đẩy mạnh chuyển đổi số trong cơ quan", "Lưu VT.")
    with django_capture_on_commit_callbacks(execute=True):
        response = attach(client, document, "de-an.docx", data)
    assert messages_of(response) == ["Đã đính kèm tệp; Loa đang đọc nội dung."]
    attachment = Attachment.objects.get()
    assert attachment.status == "done" and attachment.kind == "docx"
    assert "chuyển đổi số" in attachment.text
    assert search(client, "chuyen doi so") == ["Quyết định 1204/QĐ-UBND"]
    download = client.get(reverse("library:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == data


def test_a_pdf_is_read(world, client_for, document, django_capture_on_commit_callbacks):
    client = client_for(world.coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        attach(client, document, "qd.pdf", pdf_bytes("Nghi quyet 76/NQ-CP ve cai cach"))
    attachment = Attachment.objects.get()
    assert attachment.kind == "pdf" and attachment.status == "done"
    assert "76/NQ-CP" in attachment.text
    page = client.get(reverse("library:detail", args=[document.pk])).content.decode()
    # 76/NQ-CP is cited but not in the library: it is offered for adding, fields filled.
    assert "chưa có trong thư viện" in page
    assert 'name="code" value="76/NQ-CP"' in page and 'name="type" value="Nghị quyết"' in page


def test_until_the_worker_reads_it_the_page_says_it_is_reading(world, client_for, document):
    client = client_for(world.coordinator.user)
    attach(client, document, "de-an.docx", docx_bytes("Nội dung"))  # the task is not run
    attachment = Attachment.objects.get()
    page = client.get(reverse("library:detail", args=[document.pk])).content.decode()
    assert "Đang đọc nội dung…" in page
    assert f'hx-get="{reverse("library:attachment_status", args=[attachment.pk])}"' in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("hong.pdf", b"%PDF-1.4\nkhong phai pdf", "Tệp PDF bị hỏng, không đọc được."),
        ("mat-khau.pdf", None, "Tệp PDF có mật khẩu. Hãy tải lên bản không đặt mật khẩu."),
        ("bom.docx", None, "Tệp .docx giải nén ra dung lượng bất thường"),
        ("hong.docx", b"PK\x03\x04 khong phai zip", "Tệp bị hỏng, không đọc được."),
        ("chuong-trinh.exe", b"MZ\x90\x00", "Loa chỉ nhận tệp PDF và Word (.docx)."),
        ("ghi-chu.txt", "Kế hoạch".encode(), "Loa chỉ nhận tệp PDF và Word (.docx)."),
        ("trong.pdf", b"", "Tập tin được gửi là rỗng."),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_saved(
    world, client_for, document, name, data, message, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    if name == "mat-khau.pdf":
        data = encrypted_pdf_bytes()
    if name == "bom.docx":
        data = zip_bomb_docx()
    response = attach(client_for(world.coordinator.user), document, name, data)
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert not Attachment.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_a_100_mb_file_is_refused_before_it_is_read(
    world, client_for, document, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    big = b"%PDF-1.4\n" + b"0" * (100 * 1024 * 1024)
    response = attach(client_for(world.coordinator.user), document, "lon.pdf", big)
    assert messages_of(response) == ["Tệp lớn hơn 20 MB."]
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*.*"))


def test_a_file_that_passes_the_checks_but_cannot_be_read_is_marked_failed(
    world, client_for, document, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")  # broken XML inside a valid zip
        archive.writestr("word/document.xml", "<w:document")
    client = client_for(world.coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        attach(client, document, "hong-ben-trong.docx", out.getvalue())
    attachment = Attachment.objects.get()
    assert attachment.status == "failed"
    assert attachment.error == "Tệp bị hỏng, không đọc được."
    page = client.get(reverse("library:detail", args=[document.pk])).content.decode()
    assert "Không đọc được nội dung: Tệp bị hỏng, không đọc được." in page


def test_staff_member_cannot_attach_files(world, client_for, document):
    response = client_for(world.staff_a.user).post(
        reverse("library:attachment_upload", args=[document.pk]),
        {"file": SimpleUploadedFile("a.docx", docx_bytes("x"))},
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_file_that_takes_too_long_to_read_is_stopped_and_marked_failed(
    world, document, monkeypatch, django_capture_on_commit_callbacks
):
    """Reading runs in a child process with a time limit: a hostile file cannot hold the
    worker (here the limit is made tiny instead of crafting a slow PDF)."""
    from loa.library import files, services

    monkeypatch.setattr(files, "EXTRACT_SECONDS", 0.01)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_add(
            actor=world.admin,
            document=document,
            upload=services.attachment_from_bytes("cham.docx", docx_bytes("Nội dung")),
        )
    attachment = Attachment.objects.get()
    assert attachment.status == "failed"
    assert attachment.error.startswith("Tệp đọc quá lâu")
