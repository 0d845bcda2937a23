"""User journeys in a real browser: Playwright driving Debian's Chromium against a live Loa.

The screenshots these tests take illustrate the user guide (docs/screenshots/).
"""

import base64
import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect, sync_playwright

from loa.library import demo as library_demo
from loa.org import demo

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "Demo-Loa-2023"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must install it")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself (not by the server) are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def office(live_server):
    demo.load_demo(password=PASSWORD)
    library_demo.load()
    return live_server.url


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def sign_in(page, base: str, username: str, *, shots: bool = False) -> None:
    """Through the sign-in page. The demo's chief, coordinator and administrators must use
    two-factor sign-in: the first time they set it up as a person would, typing the key the page
    shows into an "app" (django-otp's TOTP, computed here); later they type the app's code."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    code_form = page.locator("form:has(input[name=code])")
    if "/accounts/two-factor/setup/" in page.url:
        secret = page.get_by_test_id("two-factor-secret").inner_text()
        key = base64.b32decode(secret.replace(" ", ""))
        if shots:
            shot(page, "dang-nhap-hai-lop")
        code_form.locator("input[name=code]").fill(_app_code(key))
        code_form.get_by_role("button").click()
        expect(page.get_by_test_id("backup-codes")).to_be_visible()
        if shots:
            shot(page, "ma-du-phong")
        page.get_by_test_id("continue").click()
    elif "/accounts/two-factor/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        code_form.locator("input[name=code]").fill(_app_code(device.bin_key, after=device.last_t))
        code_form.get_by_role("button").click()
    page.wait_for_url(f"{base}/")


def _app_code(key: bytes, after: int = -1) -> str:
    """What an authenticator app shows now for `key`; a code is accepted once, so if this
    step's code was used already (`after`, the device's last step), wait for the next one."""
    totp = TOTP(key)
    while totp.t() <= after:
        time.sleep(1)
        totp = TOTP(key)
    return f"{totp.token():06d}"


def test_coordinator_signs_in_finds_a_person_without_diacritics_and_switches_to_english(
    browser, office
):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page.goto(f"{office}/accounts/login/")
    assert page.locator("h1").inner_text() == "Đăng nhập Loa"
    shot(page, "dang-nhap")
    sign_in(page, office, "dieuphoi", shots=True)
    assert "Xin chào" in page.locator("h1").inner_text()

    page.get_by_role("button", name="Quản trị", exact=True).click()  # the menu's group
    page.get_by_role("link", name="Cán bộ").click()
    assert page.get_by_test_id("people-count").inner_text().startswith("8")
    shot(page, "danh-sach-can-bo")
    # Typing without diacritics narrows the list as you type (htmx), no button needed.
    page.get_by_placeholder("Tìm theo tên, gõ có dấu hoặc không dấu").type("phan the huy")
    expect(page.get_by_test_id("people-count")).to_have_text(re.compile(r"^1 "))
    assert page.locator("#results tbody tr").count() == 1
    assert "Phan Thế Huy" in page.locator("#results tbody").inner_text()
    assert "q=phan%20the%20huy" in page.url  # the search is in the address, to share or reload
    shot(page, "tim-khong-dau")

    page.get_by_test_id("language-switch").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Administration").is_visible()
    assert "Phan Thế Huy" in page.locator("#results tbody").inner_text()
    shot(page, "people-english")
    page.get_by_test_id("language-switch").click()
    page.wait_for_selector("html[lang=vi]")

    page.get_by_role("button", name="Quản trị", exact=True).click()  # the menu's group
    page.get_by_role("link", name="Cơ cấu tổ chức").click()
    page.get_by_role("link", name="Văn phòng UBND tỉnh Vĩnh Phúc").click()
    tree = page.get_by_test_id("unit-tree").inner_text()
    assert "Phòng Hành chính – Quản trị" in tree and "Tổ Cổng thông tin điện tử" in tree
    shot(page, "co-cau-to-chuc")
    page.close()


def test_staff_member_on_a_phone_sees_a_menu_of_their_own(browser, office):
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    sign_in(page, office, "canbo")
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    toggler = page.get_by_role("button", name="Mở menu")
    assert toggler.is_visible()
    toggler.click()
    menu = page.locator("#menu")
    menu.wait_for(state="visible")
    page.wait_for_timeout(400)  # let the collapse animation finish before the picture
    assert menu.get_by_role("link", name="Hồ sơ của tôi").is_visible()
    assert menu.get_by_role("link", name="Cán bộ").count() == 0
    shot(page, "dien-thoai-menu")
    menu.get_by_role("link", name="Hồ sơ của tôi").click()
    page.get_by_label("Điện thoại").fill("0987 654 321")
    page.get_by_role("button", name="Lưu").click()
    assert page.get_by_role("status").inner_text() == "Đã lưu hồ sơ của bạn."
    page.close()


def test_unit_head_reads_their_people_on_a_phone_without_sideways_scrolling(browser, office):
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    sign_in(page, office, "truongphong")
    page.goto(f"{office}/people/")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 9  # Phòng Tổng hợp only
    # Each row becomes a card whose cells are labelled, instead of a table too wide for the phone.
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#results td'), '::before').content"
    )
    assert label == '"Họ và tên: "'
    assert page.locator("#results thead").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "dien-thoai-can-bo")
    page.close()


def test_import_with_mistakes_lists_them_by_row_and_column(browser, office, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(page, office, "dieuphoi")
    page.get_by_role("button", name="Quản trị", exact=True).click()  # the menu's group
    page.get_by_role("link", name="Cán bộ").click()
    page.get_by_role("link", name="Nhập từ tệp").click()
    bad = tmp_path / "can-bo.csv"
    bad.write_text(
        "Mã cán bộ;Họ và tên;Đơn vị;Chức vụ;Phân loại;Email;Điện thoại\n"
        "VP900;Ngô Thị Lan;Phòng Tổng hợp;Chuyên viên;Công chức;;\n"
        "VP901;;Phòng Không Có;;Hợp đồng;;\n",
        encoding="utf-8",
    )
    page.get_by_label("Tệp (.xlsx hoặc .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    errors = page.get_by_test_id("import-errors")
    assert "Tệp chưa được nhập: có 3 lỗi cần sửa." in errors.inner_text()
    assert "Cơ quan không có đơn vị nào tên “Phòng Không Có”." in errors.inner_text()
    shot(page, "nhap-can-bo-loi")
    page.close()


def test_staff_member_finds_a_document_without_diacritics_and_follows_a_citation(browser, office):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(page, office, "canbo")
    page.get_by_role("link", name="Thư viện văn bản").click()
    page.get_by_placeholder("Từ khoá, số hoặc ký hiệu, gõ có dấu hoặc không dấu").type(
        "ke hoach tuyen truyen"
    )
    expect(page.get_by_test_id("documents-count")).to_have_text(re.compile(r"^2 văn bản"))
    first = page.locator(".loa-result").first
    assert first.locator("mark").first.inner_text() in ("Kế", "kế", "tuyên", "Tuyên")
    shot(page, "thu-vien-tim-khong-dau")
    page.get_by_role(
        "link", name="Kế hoạch: Thông tin, tuyên truyền cải cách hành chính năm 2023"
    ).click()
    page.get_by_text("Nội dung tệp ke-hoach-tuyen-truyen-cchc-2023.docx").click()
    text = page.get_by_test_id("attachment-text")
    citation = text.get_by_role("link", name="Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ")
    expect(citation).to_be_visible()
    shot(page, "thu-vien-trich-dan")
    citation.click()
    expect(page.locator("h1")).to_have_text("Nghị quyết số 76/NQ-CP")
    assert "Chương trình tổng thể cải cách hành chính" in page.locator(".lead").inner_text()
    page.close()


def test_coordinator_imports_the_sample_corrects_a_unit_and_the_chief_approves(browser, office):
    from loa.library.tests.test_citations import SAMPLE

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(page, office, "dieuphoi")
    page.get_by_role("link", name="Kế hoạch", exact=True).click()
    page.get_by_role("link", name="Nhập kế hoạch từ văn bản").click()
    page.get_by_label("…hoặc dán nội dung kế hoạch").fill(SAMPLE.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Đọc kế hoạch").click()
    expect(page.locator("h1")).to_contain_text("Kiểm tra kế hoạch vừa nhập")
    rows = page.get_by_test_id("task-row")
    expect(rows.nth(1).get_by_label("Đơn vị chủ trì")).to_have_value(
        re.compile(r"\d+")  # matched to "Trung tâm Tin học – Công báo"
    )
    rows.nth(0).scroll_into_view_if_needed()  # the picture shows the tasks and their units
    shot(page, "ke-hoach-kiem-tra")
    # The person decides task 2 belongs to the Admin–Management Department instead.
    rows.nth(1).get_by_label("Đơn vị chủ trì").select_option(label="Phòng Hành chính – Quản trị")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu kế hoạch vừa nhập thành dự thảo.")
    tasks = page.get_by_test_id("tasks")
    expect(tasks.locator("tbody tr").nth(1)).to_contain_text("Phòng Hành chính – Quản trị")
    page.get_by_role("button", name="Trình duyệt").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã trình duyệt")
    plan_url = page.url
    page.locator("#menu-account").click()  # the account's menu, named after the person
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, office, "chanhvanphong")
    page.goto(plan_url)
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã phê duyệt")
    shot(page, "ke-hoach-da-phe-duyet")
    page.close()


def test_a_document_sent_to_a_unit_is_acknowledged_on_a_phone_and_the_pending_list_shrinks(
    browser, office
):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(page, office, "dieuphoi")
    page.get_by_role("link", name="Gửi tài liệu").click()
    page.get_by_role("link", name="Gửi tài liệu").last.click()
    page.get_by_label("Tiêu đề").fill("Quán triệt Nghị quyết 76/NQ-CP")
    page.get_by_label("Văn bản trong thư viện").fill("76/NQ-CP")
    page.get_by_label("Đơn vị", exact=True).select_option(label="Phòng Tổng hợp")
    expect(page.get_by_test_id("head-count")).to_have_text("Sẽ gửi tới 9 người.")
    shot(page, "gui-tai-lieu")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("button", name="Gửi ngay").click()
    expect(page.get_by_test_id("dispatch-status")).to_have_text("Đã gửi", timeout=15000)
    dispatch_url = page.url
    page.close()

    phone = browser.new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    sign_in(phone, office, "canbo")
    phone.get_by_role("button", name="Mở menu").click()
    phone.get_by_role("link", name=re.compile("Hộp thư")).click()
    phone.get_by_role("link", name=re.compile(r"Quán triệt Nghị quyết 76\/NQ-CP")).click()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_role("button", name="Tôi đã đọc và nắm được nội dung").click()
    expect(phone.get_by_test_id("acknowledged")).to_be_visible()
    shot(phone, "xac-nhan-dien-thoai")
    phone.close()

    head = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    refused = []  # anything the Content Security Policy blocks is reported on the console
    head.on("console", lambda message: message.type == "error" and refused.append(message.text))
    sign_in(head, office, "truongphong")
    head.goto(dispatch_url)
    pending = head.get_by_test_id("pending")
    expect(pending.locator("li")).to_have_count(8)  # nine asked, one has acknowledged
    shot(head, "chua-xac-nhan")
    chart = head.locator('canvas[data-chart="unit-chart"]')
    expect(chart).to_have_attribute("data-drawn", "1")  # Chart.js drew it, under the CSP
    chart.scroll_into_view_if_needed()
    shot(head, "tiep-nhan-theo-don-vi")
    assert refused == []
    head.close()


def test_a_meeting_is_scheduled_checked_in_by_qr_minuted_and_shows_as_evidence_on_the_task(
    browser, office
):
    import datetime

    from django.utils import timezone

    from loa.core.models import User
    from loa.events import demo as events_demo
    from loa.events import services as events_services
    from loa.events.models import Activity
    from loa.org.models import Agency, Unit
    from loa.plans import demo as plans_demo

    plans_demo.load()  # the sample plan, approved and published, with its four tasks
    task = plans_demo.demo_plan().tasks.order_by("order", "id").first()
    title = "Quán triệt Kế hoạch tuyên truyền cải cách hành chính năm 2023"
    now = timezone.localtime()  # Asia/Ho_Chi_Minh
    events_demo.load()  # a year of the Office's meetings, each unit at its own pace
    # And two in the days to come, so this month's calendar is not empty on its first days.
    agency = Agency.objects.get(name=demo.AGENCY_NAME)
    kinds = {str(kind): kind for kind in events_services.types_of(agency)}
    at_nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
    for unit, kind, other, days in [
        ("Phòng Kinh tế", "Hội nghị cơ quan", "Hội nghị sơ kết công tác CCHC", 2),
        ("Trung tâm Tin học – Công báo", "Tập huấn", "Tập huấn chữ ký số", 6),
    ]:
        organizer = Unit.objects.get(agency=agency, name=unit)
        starts = at_nine + datetime.timedelta(days=days)
        events_services.activity_create(
            actor=User.objects.get(username="dieuphoi"),
            agency=agency,
            type=kinds[kind],
            title=other,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Hội trường tầng 3",
            organizer=organizer,
            audience={"units": [organizer.pk], "subunits": True},
        )

    refused = []  # anything the Content Security Policy blocks is reported on the console

    def watch(message):  # Chromium's own request for /favicon.ico (Loa has none) aside
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            refused.append(message.text)

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.on("console", watch)
    sign_in(page, office, "dieuphoi")
    page.get_by_role("link", name="Hoạt động", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Hoạt động")
    page.get_by_role("link", name="Ghi nhận hoạt động").click()
    expect(page.locator("h1")).to_contain_text("Ghi nhận hoạt động")
    # By id: the type, title and place are labelled as a document's ("Loại văn bản", "Tên kế
    # hoạch", "Địa danh") while their translations are shared with other forms.
    page.locator("#id_type").select_option(label="Sinh hoạt chuyên đề chi bộ")
    page.locator("#id_title").fill(title)
    page.get_by_label("Bắt đầu").fill(now.strftime("%d/%m/%Y %H:%M"))
    later = now + datetime.timedelta(hours=2)
    page.get_by_label("Kết thúc").fill(later.strftime("%d/%m/%Y %H:%M"))
    page.locator("#id_place").fill("Phòng họp tầng 2")
    page.get_by_label("Đơn vị tổ chức").select_option(label="Phòng Tổng hợp")
    page.get_by_label("Nhiệm vụ phục vụ").select_option(str(task.pk))
    page.get_by_label("Đơn vị", exact=True).select_option(label="Phòng Tổng hợp")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận hoạt động.")
    expect(page.locator("h1")).to_have_text(title)
    activity = Activity.objects.get(title=title)
    expected = activity.attendance.filter(expected=True).count()
    assert expected == 9  # everyone in Phòng Tổng hợp, frozen when it was recorded
    facts = page.get_by_test_id("facts")
    expect(facts).to_contain_text("Sinh hoạt chuyên đề chi bộ")
    expect(facts).to_contain_text(now.strftime("%d/%m/%Y %H:%M"))
    expect(facts).to_contain_text("Phòng Tổng hợp")
    expect(page.get_by_test_id("attendance-figures")).to_have_text(
        f"0 trên {expected} người dự kiến (0%)"
    )
    activity_url = page.url

    page.get_by_role("link", name="Điểm danh bằng mã QR").click()
    expect(page.get_by_text("Quét mã để điểm danh, rồi bấm “Tôi có mặt”.")).to_be_visible()
    qr = page.get_by_role("img", name="Mã QR của đường dẫn điểm danh")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")  # the SVG loaded
    opens = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=30)
    expect(page.get_by_text(re.compile(r"^Mở từ "))).to_have_text(
        f"Mở từ {opens:%H:%M %d/%m/%Y} đến {later:%H:%M %d/%m/%Y}."
    )
    expect(page.get_by_text(f"0 trên {expected} người dự kiến đã điểm danh.")).to_be_attached()
    link = page.get_by_test_id("checkin-url").inner_text()
    site = settings.SITE_URL.rstrip("/")
    assert link.startswith(f"{site}/c/") and activity.checkin_code in link  # never the id
    checkin_url = office + link[len(site) :]
    shot(page, "diem-danh-qr")

    # Two staff of the unit scan the code with their phones. The first is not signed in yet:
    # the sign-in page brings them back to the check-in.
    for username in ["canbo", "truongphong"]:
        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
        )
        phone.on("console", watch)
        if username == "canbo":
            phone.goto(checkin_url)
            phone.get_by_label("Tên đăng nhập").fill(username)
            phone.get_by_label("Mật khẩu").fill(PASSWORD)
            phone.get_by_role("button", name="Đăng nhập").click()
        else:
            sign_in(phone, office, username)
            phone.goto(checkin_url)
        expect(phone.locator("h1")).to_have_text(title)
        expect(
            phone.get_by_text(f"Sinh hoạt chuyên đề chi bộ · {now:%d/%m/%Y %H:%M}")
        ).to_be_visible()
        phone.get_by_role("button", name="Tôi có mặt").click()
        expect(phone.get_by_test_id("checked-in")).to_contain_text("bạn đã được điểm danh")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if username == "canbo":
            shot(phone, "diem-danh-dien-thoai")
        phone.close()

    page.goto(activity_url)
    expect(page.get_by_test_id("attendance-figures")).to_have_text(
        f"2 trên {expected} người dự kiến (22%)"
    )
    absentees = page.get_by_role("table").filter(has_text="Phòng Tổng hợp")
    expect(absentees.locator("tbody tr")).to_have_text(
        re.compile(rf"Phòng Tổng hợp\s*{expected}\s*2\s*{expected - 2}")
    )
    page.get_by_role("link", name="Điểm danh", exact=True).click()
    register = page.get_by_test_id("attendance")
    expect(register.locator("tbody tr").filter(has_text="Điểm danh bằng mã QR")).to_have_count(2)
    expect(register.get_by_role("button", name="Đánh dấu có mặt")).to_have_count(expected - 2)
    shot(page, "danh-sach-diem-danh")

    page.goto(activity_url)
    page.get_by_role("link", name="Biên bản", exact=True).click()
    editor = page.get_by_test_id("minutes-editor")
    editor.click()
    editor.press_sequentially("Đồng chí Bí thư chi bộ quán triệt Kế hoạch số 321/KH-UBND.")
    editor.press("Enter")
    editor.press_sequentially("Kết luận: mỗi đảng viên đăng ký một việc làm cụ thể.")
    editor.press("Home")
    for _letter in "Kết luận":  # select the first two words and make them bold
        editor.press("Shift+ArrowRight")
    page.get_by_title("Đậm").click()
    page.get_by_role("button", name="Lưu biên bản").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu biên bản.")
    minutes = page.get_by_test_id("minutes")
    expect(minutes).to_contain_text("quán triệt Kế hoạch số 321/KH-UBND")
    expect(minutes.locator("b, strong")).to_have_text("Kết luận")
    shot(page, "bien-ban-hoat-dong")

    page.get_by_test_id("facts").get_by_role("link", name=task.text[:40]).click()
    expect(page.locator("h1")).to_contain_text(task.text[:40])
    note = (
        page.get_by_test_id("evidence")
        .locator("li")
        .filter(has_text=f"Hoạt động “{title}” tổ chức ngày {now:%d/%m/%Y}")
    )
    expect(note).to_contain_text(f"2/{expected} người tham dự")
    expect(note).to_contain_text("Phòng Tổng hợp")  # the unit it counts for
    note.scroll_into_view_if_needed()
    shot(page, "bien-ban-minh-chung")

    page.get_by_role("link", name="Hoạt động", exact=True).click()
    expect(page.get_by_test_id("month")).to_have_text(f"Tháng {now:%m/%Y}")
    grid = page.get_by_test_id("month-grid")
    expect(grid.get_by_role("link", name=f"{now:%H:%M} {title}")).to_be_visible()
    shot(page, "lich-hoat-dong")
    page.get_by_role("link", name="Tần suất theo đơn vị").click()
    cadence = page.get_by_test_id("cadence")
    expect(cadence.locator("tr").filter(has_text="Phòng Tổng hợp")).not_to_have_attribute(
        "data-silent", "1"
    )
    expect(cadence.locator("tr").filter(has_text="Ban Tiếp công dân tỉnh")).to_have_attribute(
        "data-silent", "1"
    )
    expect(page.get_by_label("Cảnh báo sau số ngày không có hoạt động")).to_have_value("30")
    shot(page, "tan-suat-theo-don-vi")
    assert refused == []
    page.close()


def test_the_coordinator_keeps_the_plans_budget_and_is_warned_when_a_line_is_overspent(
    browser, office
):
    from loa.plans import demo as plans_demo

    plans_demo.load()
    plan = plans_demo.demo_plan()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    refused = []
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))
    sign_in(page, office, "dieuphoi")
    page.goto(f"{office}/plans/{plan.pk}/")
    page.get_by_role("link", name="Kinh phí", exact=True).click()
    expect(page.get_by_text("Chưa có khoản dự toán nào.")).to_be_visible()
    page.get_by_label("Khoản dự toán").fill("Tuyên truyền trên Cổng thông tin điện tử")
    page.get_by_label("Nguồn kinh phí").fill("Chi thường xuyên năm 2023")
    page.get_by_label("Dự toán (đồng)").fill("1.000.000")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_text("Đã thêm khoản dự toán.")).to_be_visible()
    for amount, payee in (
        ("700.000", "Báo Vĩnh Phúc"),
        ("450.000", "Đài Phát thanh – Truyền hình"),
    ):
        page.get_by_label("Ngày chi").fill("15/03/2023")
        page.get_by_label("Số tiền (đồng)").fill(amount)
        page.get_by_label("Chi cho").fill(payee)
        page.get_by_label("Nội dung chi").fill("Đăng tin bài về cải cách hành chính")
        page.get_by_role("button", name="Ghi nhận", exact=True).click()
        expect(page.get_by_text("Đã ghi khoản chi.")).to_be_visible()
    expect(page.get_by_test_id("overspent")).to_contain_text("bị chi vượt")
    expect(page.get_by_test_id("totals")).to_contain_text("1.150.000 đ")
    expect(page.locator('canvas[data-chart="budget-chart"]')).to_have_attribute("data-drawn", "1")
    shot(page, "kinh-phi")
    assert refused == []
    page.close()


def test_the_chief_follows_a_dashboard_figure_and_the_coordinator_renders_the_year_report(
    browser, office, tmp_path
):
    from docx import Document

    from loa.plans import demo as plans_demo

    plans_demo.load()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    refused = []
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))
    sign_in(page, office, "dieuphoi")
    page.get_by_role("link", name="Bảng điều hành").click()
    page.get_by_label("Năm", exact=True).select_option("2023")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("period")).to_contain_text("Số liệu từ 15/12/2022 đến 14/12/2023")
    expect(page.get_by_test_id("heatmap")).to_be_visible()
    expect(page.get_by_test_id("report-calendar")).to_contain_text("Quá hạn")
    shot(page, "bang-dieu-hanh")
    page.get_by_test_id("figure-plans").click()
    expect(page.get_by_role("heading", name=re.compile("Kế hoạch đã ban hành"))).to_be_visible()
    expect(page.get_by_test_id("source")).to_contain_text("Thông tin, tuyên truyền")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_label("Năm", exact=True).select_option("2023")
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("row", name=re.compile("^Năm 2023")).get_by_role(
        "button", name="Lập báo cáo"
    ).click()
    page.get_by_label("Tồn tại, hạn chế và nguyên nhân").fill(
        "Một số đơn vị chưa tổ chức sinh hoạt chuyên đề hằng tháng."
    )
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu thành phiên bản 2.")).to_be_visible()
    page.get_by_test_id("render").click()
    expect(page.get_by_test_id("download-docx")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("pages").locator("img").first).to_be_visible()
    shot(page, "bao-cao")
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".docx"
    assert "TỒN TẠI, HẠN CHẾ" in "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert refused == []
    page.close()


def test_the_administrator_reads_the_audit_log_and_finds_a_document_without_diacritics(
    browser, office
):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    sign_in(page, office, "admin")
    page.get_by_role("button", name="Quản trị", exact=True).click()  # the menu's group
    page.get_by_role("link", name="Nhật ký hệ thống").click()
    entries = page.get_by_test_id("audit-entries")
    expect(entries).to_be_visible()
    page.locator("input[name=q]").fill("nghi quyet")
    page.get_by_role("button", name="Tìm").click()
    rows = entries.locator("tbody tr")
    expect(rows.first).to_contain_text("Nghị quyết")
    for text in rows.all_inner_texts():
        assert "Nghị quyết" in text  # each row found names a resolution, with its diacritics
    shot(page, "nhat-ky-he-thong")
