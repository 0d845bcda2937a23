"""The audit log page: who sees it, what it shows, its filters, its .xlsx, and that it only reads.

The rows are written by real services (dispatches prepared, units renamed, people added), so
the page is tested against what Loa really records.
"""

import datetime
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from loa.core import audit, queries
from loa.core.models import AuditEntry
from loa.org import services as org_services
from loa.org.models import Role
from loa.org.tests.factories import make_person
from loa.outreach import services as outreach_services

pytestmark = pytest.mark.django_db

URL = reverse("core:audit_log")
EXPORT = reverse("core:audit_export")


def local(day: str, hour: int = 9, minute: int = 0) -> datetime.datetime:
    d, m, y = (int(part) for part in day.split("/"))
    return timezone.make_aware(datetime.datetime(y, m, d, hour, minute))  # noqa: DTZ001


def words(code: str) -> str:
    """The action as the page writes it (in Vietnamese, the tests' language)."""
    with translation.override("vi"):
        return audit.action_label(code)


def prepare(world, title: str, *, by=None):
    return outreach_services.dispatch_create(
        actor=by or world.coordinator.user,
        agency=world.agency,
        title=title,
        audience={"whole_agency": True},
        channels=[],
    )


@pytest.fixture
def log(world):
    """An administrator of the agency, and three days of work by its people (in Vĩnh Phúc's
    time): the coordinator prepares a dispatch on 10/02/2023 and renames a unit on 15/03/2023;
    the administrator prepares a dispatch and adds a person on 20/04/2023."""
    admin = make_person(world.admin, world.agency, "Vũ Thị Quản Trị", username="agency_admin")
    org_services.role_grant(actor=world.admin, person=admin, role=Role.ADMIN, agency=world.agency)
    with time_machine.travel(local("10/02/2023", 8, 30), tick=False):
        february = prepare(world, "Quán triệt Nghị quyết 76/NQ-CP")
    with time_machine.travel(local("15/03/2023", 14, 5), tick=False):
        org_services.unit_rename(
            actor=world.coordinator.user,
            unit=world.unit_b,
            name="Trung tâm Thông tin",
            short_name="TTTT",
            effective_on=datetime.date(2023, 3, 15),
        )
    with time_machine.travel(local("20/04/2023", 16, 45), tick=False):
        april = prepare(world, "ĐỀ ÁN tuyên truyền pháp luật", by=admin.user)
        make_person(admin.user, world.agency, "Ngô Thị Mới", unit=world.unit_a)
    return {"admin": admin.user, "february": february, "april": april}


def test_an_agency_admin_sees_what_its_people_did_newest_first(world, log, client_for):
    page = client_for(log["admin"]).get(URL).content.decode()
    assert "ĐỀ ÁN tuyên truyền pháp luật" in page and "Quán triệt Nghị quyết 76/NQ-CP" in page
    assert page.index("ĐỀ ÁN tuyên truyền") < page.index("Trung tâm Thông tin")
    assert page.index("Trung tâm Thông tin") < page.index("Quán triệt Nghị quyết")
    assert "10/02/2023 08:30" in page and "15/03/2023 14:05" in page  # local time, dd/mm/yyyy
    assert "Nguyễn Thị Hằng (coord)" in page and "Vũ Thị Quản Trị (agency_admin)" in page
    assert words("dispatch_create") in page and words("unit_rename") in page
    assert "Trung tâm Tin học – Công báo → Trung tâm Thông tin" in page  # what changed
    assert "TTTHCB → TTTT" in page
    assert reverse("outreach:dispatch", args=[log["february"].pk]) in page  # the object's page
    # What the system administrator did is not the agency's people's work.
    assert "Sở Tư pháp tỉnh Vĩnh Phúc" not in page


def test_a_system_administrator_sees_every_entry(world, log, client_for):
    page = client_for(world.admin).get(URL).content.decode()
    assert "Sở Tư pháp tỉnh Vĩnh Phúc" in page  # created by the administrator
    assert "Quán triệt Nghị quyết 76/NQ-CP" in page


def test_the_chief_of_office_sees_it_and_finds_it_in_the_menu(world, log, client_for):
    client = client_for(world.chief.user)
    assert URL in client.get(reverse("core:home")).content.decode()
    assert "Quán triệt Nghị quyết 76/NQ-CP" in client.get(URL).content.decode()
    assert URL not in client_for(world.staff_a.user).get(reverse("core:home")).content.decode()
    assert URL not in client_for(world.outsider.user).get(reverse("core:home")).content.decode()


def test_staff_outsiders_and_anonymous_visitors_cannot_read_it(world, log, client_for):
    for person in (world.staff_a, world.head_a, world.coordinator, world.outsider):
        client = client_for(person.user)
        assert client.get(URL).status_code == 403, person
        assert client.get(EXPORT).status_code == 403, person
    anonymous = client_for(None)
    for url in (URL, EXPORT):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_admin_of_another_agency_sees_none_of_this_agencys_entries(world, log, client_for):
    other_admin = make_person(world.admin, world.other_agency, "Lý Văn Khác", username="other")
    org_services.role_grant(
        actor=world.admin, person=other_admin, role=Role.ADMIN, agency=world.other_agency
    )
    prepare_other = outreach_services.dispatch_create(
        actor=world.outsider.user,
        agency=world.other_agency,
        title="Văn bản của Sở Tư pháp",
        audience={"whole_agency": True},
        channels=[],
    )
    client = client_for(other_admin.user)
    page = client.get(URL).content.decode()
    assert prepare_other.title in page  # what their own agency's people did
    assert "Quán triệt Nghị quyết" not in page and "ĐỀ ÁN" not in page
    assert "Trung tâm Thông tin" not in page
    rows = list(load_workbook(io.BytesIO(client.get(EXPORT).content)).active.values)
    assert [row[4] for row in rows[1:]] == ["Văn bản của Sở Tư pháp"]


def test_filters_by_dates_typed_dd_mm_yyyy(world, log, client_for):
    client = client_for(log["admin"])
    page = client.get(URL, {"start": "01/03/2023", "end": "15/03/2023"}).content.decode()
    assert "Trung tâm Thông tin" in page
    assert "Quán triệt Nghị quyết" not in page and "ĐỀ ÁN" not in page
    page = client.get(URL, {"end": "10/02/2023"}).content.decode()  # the whole last day
    assert "Quán triệt Nghị quyết" in page and "Trung tâm Thông tin" not in page
    page = client.get(URL, {"start": "20/04/2023"}).content.decode()
    assert "ĐỀ ÁN tuyên truyền" in page and "Ngô Thị Mới" in page
    assert "Trung tâm Thông tin" not in page


def test_a_date_typed_wrong_or_backwards_is_explained_not_an_error(world, log, client_for):
    client = client_for(log["admin"])
    response = client.get(URL, {"start": "31/02/2023"})
    assert response.status_code == 200
    assert response.context["form"].errors["start"]
    assert "Quán triệt Nghị quyết" in response.content.decode()  # the filter is left out
    response = client.get(URL, {"start": "01/05/2023", "end": "01/01/2023"})
    assert response.status_code == 200 and response.context["form"].errors["end"]


def test_filters_by_who_did_it_by_name_without_diacritics_or_user_name(world, log, client_for):
    client = client_for(log["admin"])
    page = client.get(URL, {"actor": "nguyen thi hang"}).content.decode()
    assert "Quán triệt Nghị quyết" in page and "Trung tâm Thông tin" in page
    assert "ĐỀ ÁN" not in page and "Ngô Thị Mới" not in page
    page = client.get(URL, {"actor": "agency_admin"}).content.decode()
    assert "ĐỀ ÁN" in page and "Ngô Thị Mới" in page and "Quán triệt" not in page
    page = client.get(URL, {"actor": "VU THI"}).content.decode()
    assert "ĐỀ ÁN" in page and "Trung tâm Thông tin" not in page


def test_filters_by_action_and_by_kind_of_object(world, log, client_for):
    client = client_for(log["admin"])
    page = client.get(URL, {"action": "dispatch_create"}).content.decode()
    assert "Quán triệt Nghị quyết" in page and "ĐỀ ÁN" in page
    assert "Trung tâm Thông tin" not in page and "Ngô Thị Mới" not in page
    page = client.get(URL, {"target_type": "org.person"}).content.decode()
    assert "Ngô Thị Mới" in page and "Quán triệt" not in page and "Trung tâm Thông tin" not in page
    response = client.get(URL, {"action": "not_an_action"})
    assert response.status_code == 200 and response.context["form"].errors["action"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("nghi quyet", "Quán triệt Nghị quyết 76/NQ-CP"),
        ("NGHỊ QUYẾT 76", "Quán triệt Nghị quyết 76/NQ-CP"),
        ("de an", "ĐỀ ÁN tuyên truyền pháp luật"),  # đ and capitals with marks
        ("tuyen truyen phap", "ĐỀ ÁN tuyên truyền pháp luật"),
        ("thong tin", "Trung tâm Thông tin"),
    ],
)
def test_searching_the_object_ignores_diacritics_and_case(world, log, client_for, typed, found):
    rows = client_for(log["admin"]).get(URL, {"q": typed}).context["rows"]
    assert [row["entry"].target_label for row in rows] == [found]


def test_a_search_with_percent_or_underscore_matches_only_itself(world, log, client_for):
    client = client_for(log["admin"])
    assert client.get(URL, {"q": "%"}).context["rows"] != []  # no word: no text filter
    assert client.get(URL, {"q": "76_nq"}).context["rows"] == []


def test_the_export_holds_the_filtered_rows(world, log, client_for):
    response = client_for(log["admin"]).get(EXPORT, {"q": "nghi quyet", "actor": "hang"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2
    with translation.override("vi"):
        header = [str(AuditEntry._meta.get_field(f).verbose_name) for f in ("at", "actor")]
    assert [h.lower() for h in rows[0][:2]] == header
    when, who, action, _kind, label, target_id, _changes = rows[1]
    assert when == "10/02/2023 08:30:00" and who == "Nguyễn Thị Hằng (coord)"
    assert action == words("dispatch_create") and label == "Quán triệt Nghị quyết 76/NQ-CP"
    assert target_id == str(log["february"].pk)


def test_the_export_with_no_filter_holds_every_visible_row_newest_first(world, log, client_for):
    response = client_for(log["admin"]).get(EXPORT)
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)[1:]
    assert [row[4] for row in rows] == [
        "Ngô Thị Mới",
        "ĐỀ ÁN tuyên truyền pháp luật",
        "Trung tâm Thông tin",
        "Quán triệt Nghị quyết 76/NQ-CP",
    ]
    assert "Trung tâm Tin học – Công báo → Trung tâm Thông tin" in rows[2][6]


def test_the_export_stops_at_its_cap_and_says_so(world, log, client_for, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CAP", 2)
    rows = list(
        load_workbook(io.BytesIO(client_for(log["admin"]).get(EXPORT).content)).active.values
    )
    assert [row[4] for row in rows[1:3]] == ["Ngô Thị Mới", "ĐỀ ÁN tuyên truyền pháp luật"]
    assert len(rows) == 4 and "2" in rows[3][0] and rows[3][1] is None  # the note


def test_a_label_that_looks_like_a_formula_stays_text_in_the_export(world, log, client_for):
    prepare(world, '=HYPERLINK("http://example.com")')
    sheet = load_workbook(io.BytesIO(client_for(log["admin"]).get(EXPORT).content)).active
    assert sheet["E2"].value == '=HYPERLINK("http://example.com")' and sheet["E2"].data_type == "s"


def test_nothing_can_be_changed_through_the_log(world, log, client_for):
    before = list(AuditEntry.objects.values_list("pk", "action", "target_label", "changes"))
    entry = AuditEntry.objects.filter(actor=world.coordinator.user).first()
    for user in (log["admin"], world.admin):
        client = client_for(user)
        for url in (URL, EXPORT):
            assert client.post(url, {"action": "x"}).status_code == 405
            assert client.delete(url).status_code == 405
        for url in (
            f"/audit/{entry.pk}/",
            f"/audit/{entry.pk}/edit/",
            f"/audit/{entry.pk}/delete/",
        ):
            assert client.get(url).status_code == 404
    # The Django admin shows the entries but neither adds, changes nor deletes them.
    admin = client_for(world.admin)
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert admin.get(change).status_code == 200  # read-only view
    assert admin.post(change, {"action": "forged", "target_label": "x"}).status_code == 403
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert admin.get(reverse("admin:core_auditentry_add")).status_code == 403
    changelist = reverse("admin:core_auditentry_changelist")
    bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    admin.post(changelist, bulk)
    assert list(AuditEntry.objects.values_list("pk", "action", "target_label", "changes")) == before


def test_pages_go_older_and_back_even_when_entries_share_a_moment(world, log, client_for):
    with time_machine.travel(local("01/05/2023"), tick=False):  # 60 rows, one same instant
        for number in range(60):
            prepare(world, f"Đợt số {number:02d}")
    client = client_for(log["admin"])
    first = client.get(URL, {"action": "dispatch_create"}).context
    labels = [row["entry"].target_label for row in first["rows"]]
    assert labels == [f"Đợt số {n:02d}" for n in range(59, 9, -1)]  # 50, newest first
    assert first["page"].newer is None and first["page"].older
    second = client.get(URL, {"action": "dispatch_create", "before": first["page"].older}).context
    labels = [row["entry"].target_label for row in second["rows"]]
    assert labels == [f"Đợt số {n:02d}" for n in range(9, -1, -1)] + [
        "ĐỀ ÁN tuyên truyền pháp luật",
        "Quán triệt Nghị quyết 76/NQ-CP",
    ]
    assert second["page"].older is None and second["page"].newer
    back = client.get(URL, {"action": "dispatch_create", "after": second["page"].newer}).context
    assert [r["entry"].pk for r in back["rows"]] == [r["entry"].pk for r in first["rows"]]
    assert back["page"].newer is None
    page = client.get(URL, {"action": "dispatch_create"}).content.decode()
    assert f"action=dispatch_create&amp;before={first['page'].older}" in page  # keeps filters


def test_a_word_search_reads_a_bounded_stretch_and_goes_on_from_there(
    world, log, client_for, monkeypatch
):
    monkeypatch.setattr(queries, "SEARCH_WINDOW", 2)  # the admin sees 4 rows, newest first
    client = client_for(log["admin"])
    first = client.get(URL, {"q": "nghi quyet"})  # the oldest row: not in the newest two
    assert first.context["rows"] == [] and first.context["page"].window_ended
    assert 'data-testid="search-window"' in first.content.decode()
    older = first.context["page"].older
    assert f"before={older}" in first.content.decode()
    second = client.get(URL, {"q": "nghi quyet", "before": older}).context
    assert [row["entry"].target_label for row in second["rows"]] == [
        "Quán triệt Nghị quyết 76/NQ-CP"
    ]
    assert second["page"].older is None and not second["page"].window_ended
    back = client.get(URL, {"q": "moi", "after": second["page"].newer}).context
    assert back["rows"] == [] and back["page"].window_ended  # the next two read, no match
    ahead = client.get(URL, {"q": "moi", "after": back["page"].newer}).context
    assert [row["entry"].target_label for row in ahead["rows"]] == ["Ngô Thị Mới"]
    assert ahead["page"].newer is None


def test_a_forged_page_cursor_is_ignored(world, log, client_for):
    client = client_for(log["admin"])
    for cursor in ("x", "1.2.3", "99999999999999999999.1", "-5.3", "٣.٣"):
        assert client.get(URL, {"before": cursor}).status_code == 200
        assert client.get(URL, {"after": cursor}).status_code == 200


def test_the_page_does_not_grow_queries_with_entries(world, log, client_for):
    client = client_for(log["admin"])
    searches = [{}, {"q": "dot so", "actor": "hang", "start": "01/01/2023"}]
    client.get(URL)  # warm the content-type and session caches
    few = []
    for search in searches:
        with CaptureQueriesContext(connection) as queries_made:
            client.get(URL, search)
        few.append(len(queries_made))
    for number in range(60):
        prepare(world, f"Đợt số {number:02d}", by=log["admin"] if number % 2 else None)
    for search, before in zip(searches, few, strict=True):
        with CaptureQueriesContext(connection) as queries_made:
            rows = client.get(URL, search).context["rows"]
        assert len(rows) == (queries.PAGE_SIZE if not search else 30)
        assert len(queries_made) == before <= 10, search  # 1 (2 with words) of the log


def test_every_action_a_service_records_has_a_name_people_read():
    """The log shows an action by its name in Vietnamese, not by its code."""
    from pathlib import Path

    from loa.core.audit import ACTIONS

    used = set()
    for services in Path(__file__).resolve().parents[2].glob("*/services.py"):
        used |= set(re.findall(r'action="([a-z_]+)"', services.read_text()))
    assert used and used <= set(ACTIONS), sorted(used - set(ACTIONS))


def test_accounts_changed_in_the_system_administration_are_in_the_log(world, client_for):
    admin = client_for(world.admin)
    target = world.staff_b.user
    change = reverse("admin:core_user_change", args=[target.pk])
    form = admin.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        username=target.username, is_active="", date_joined_0="01/01/2026",
        date_joined_1="08:00:00", last_login_0="", last_login_1="",
        groups=[], user_permissions=[],
    )  # fmt: skip
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = admin.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="account_admin_change")
    assert entry.actor == world.admin and entry.target_id == str(target.pk)
    assert "Đã thay đổi một tài khoản" in client_for(world.admin).get(URL).content.decode()
