"""Keeping documents: adding, editing, validity, duplicates, and who may do it."""

import datetime

import pytest
from django.urls import reverse

from loa.core.models import AuditEntry
from loa.library.models import Document, Validity
from loa.library.tests.factories import make_document

pytestmark = pytest.mark.django_db

FORM = {
    "doc_type": "decision",
    "code": "1204/QĐ‑UBND",  # with the non-breaking hyphen Word puts in
    "issued_on": "29/06/2022",
    "issuer": "UBND tỉnh Vĩnh Phúc",
    "title": "Phê duyệt Đề án “Đẩy mạnh công tác cải cách hành chính”",
    "validity": "in_force",
    "subjects": "Cải cách hành chính, Văn hoá công vụ",
}


def test_coordinator_adds_a_document_with_its_subjects(world, client_for):
    client = client_for(world.coordinator.user)
    response = client.post(reverse("library:create"), FORM)
    document = Document.objects.get(code="1204/QĐ-UBND")
    assert response.status_code == 302 and response["Location"] == reverse(
        "library:detail", args=[document.pk]
    )
    assert (document.number, document.symbol, document.issued_year) == ("1204", "QĐ-UBND", 2022)
    assert sorted(s.name for s in document.subjects.all()) == [
        "Cải cách hành chính",
        "Văn hoá công vụ",
    ]
    entry = AuditEntry.objects.get(action="document_create")
    assert entry.actor == world.coordinator.user and entry.changes == {"code": "1204/QĐ-UBND"}


def test_the_same_number_symbol_and_issuer_is_refused_with_a_link_to_the_existing_one(
    world, client_for
):
    existing = make_document(
        world.admin,
        "1204/QĐ-UBND",
        doc_type="decision",
        issuer="Ủy ban nhân dân tỉnh Vĩnh Phúc",  # written out in full: the same issuer
        issued_on=datetime.date(2022, 6, 29),
    )
    response = client_for(world.coordinator.user).post(reverse("library:create"), FORM)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Thư viện đã có Quyết định 1204/QĐ-UBND của Ủy ban nhân dân tỉnh Vĩnh Phúc." in body
    assert f'href="{reverse("library:detail", args=[existing.pk])}"' in body
    assert Document.objects.count() == 1


def test_same_number_of_another_year_is_another_document(world):
    make_document(world.admin, "12/QĐ-UBND", issuer="UBND tỉnh")
    other = make_document(
        world.admin, "12/QĐ-UBND", issuer="UBND tỉnh", issued_on=datetime.date(2023, 1, 5)
    )
    assert other.pk


def test_a_malformed_number_and_symbol_is_explained(world, client_for):
    response = client_for(world.coordinator.user).post(
        reverse("library:create"), {**FORM, "code": "quyết định 1204"}
    )
    assert response.status_code == 400
    assert "Hãy ghi số, ký hiệu đúng như trên văn bản" in response.content.decode()
    assert not Document.objects.exists()


def test_a_replaced_document_links_to_what_replaced_it(world, client_for):
    old = make_document(world.admin, "01/2011/TT-BNV", doc_type="circular", issuer="Bộ Nội vụ")
    new = make_document(world.admin, "30/2020/NĐ-CP", doc_type="decree", issuer="Chính phủ")
    client = client_for(world.coordinator.user)
    url = reverse("library:edit", args=[old.pk])
    data = {
        "doc_type": "circular",
        "code": old.code,
        "issued_on": "15/07/2021",
        "issuer": "Bộ Nội vụ",
        "title": old.title,
        "validity": "replaced",
    }
    response = client.post(url, data)
    assert "Hãy cho biết văn bản nào đã sửa đổi hoặc thay thế văn bản này." in (
        response.content.decode()
    )
    response = client.post(url, {**data, "replaced_by_code": "30/2020/NĐ‑CP"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.validity == Validity.REPLACED and old.replaced_by == new
    page = client.get(reverse("library:detail", args=[old.pk])).content.decode()
    assert f'href="{reverse("library:detail", args=[new.pk])}"' in page
    assert "Đã bị thay thế" in page


def test_staff_member_reads_but_cannot_add_or_edit(world, client_for):
    document = make_document(world.admin)
    client = client_for(world.staff_a.user)
    assert client.get(reverse("library:detail", args=[document.pk])).status_code == 200
    assert client.get(reverse("library:search")).status_code == 200
    assert client.post(reverse("library:create"), FORM).status_code == 403
    assert client.post(reverse("library:edit", args=[document.pk]), FORM).status_code == 403
    assert (
        client.post(
            reverse("library:citation_add"), {"code": "5/KH-UBND", "issuer": "UBND tỉnh"}
        ).status_code
        == 403
    )
    assert Document.objects.count() == 1


def test_anonymous_visitor_is_sent_to_sign_in(world, client_for):
    document = make_document(world.admin)
    client = client_for(None)
    for url in (reverse("library:search"), reverse("library:detail", args=[document.pk])):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_a_person_of_another_agency_reads_the_shared_library(world, client_for):
    """The library is shared by every agency of the installation; editing needs an editor role."""
    document = make_document(world.admin)
    client = client_for(world.outsider.user)
    assert client.get(reverse("library:detail", args=[document.pk])).status_code == 200


def test_an_unknown_document_is_not_found(world, client_for):
    assert client_for(world.coordinator.user).get("/library/999999/").status_code == 404
