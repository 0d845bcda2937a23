"""A citizen's feedback in a real browser: sent from a phone without signing in, answered by
the coordinator, read by the citizen on their follow-up page. The screenshots illustrate the
guide's chapter 10. The browser, the live demo office and the sign-in are test_browser.py's."""

import pytest
from playwright.sync_api import expect

from loa.tests.test_browser import browser, office, shot, sign_in
from loa.voices import demo
from loa.voices.models import Feedback, FeedbackBox

__all__ = ["browser", "office"]  # the fixtures, imported for pytest to find here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_sends_feedback_from_a_phone_and_reads_the_coordinators_answer(browser, office):
    demo.load()
    box = FeedbackBox.objects.get()
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    phone.goto(f"{office}/gop-y/{box.code}/")
    expect(phone.get_by_test_id("notice")).to_contain_text("Nghị định 13/2023/NĐ-CP")
    phone.get_by_label("Kiến nghị").check()
    phone.get_by_label("Chủ đề").fill("Bổ sung chỗ để xe tại Bộ phận một cửa")
    phone.get_by_role("textbox", name="Nội dung").fill(
        "Bãi xe trước Bộ phận một cửa thường kín chỗ vào buổi sáng; đề nghị bố trí thêm."
    )
    phone.get_by_label("Tôi muốn nhận trả lời").check()
    phone.get_by_label("Email", exact=True).fill("tranthib@example.com")
    phone.get_by_role("button", name="Gửi").click()
    # Without consent nothing is received, and the page says why, keeping what was typed.
    expect(phone.locator(".invalid-feedback")).to_contain_text("đồng ý")
    assert phone.get_by_label("Chủ đề").input_value() == "Bổ sung chỗ để xe tại Bộ phận một cửa"
    assert not Feedback.objects.filter(subject__startswith="Bổ sung").exists()
    shot(phone, "gop-y-nguoi-dan")
    phone.get_by_label("Tôi đã đọc thông báo trên").check()
    phone.get_by_role("button", name="Gửi").click()
    expect(phone.get_by_test_id("reference")).to_be_visible()
    feedback = Feedback.objects.get(subject__startswith="Bổ sung")
    assert feedback.reference in phone.get_by_test_id("reference").inner_text()
    expect(phone.get_by_test_id("status")).to_have_text("Đã tiếp nhận")
    shot(phone, "gop-y-ma-theo-doi")

    desk = browser.new_page(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    sign_in(desk, office, "dieuphoi")
    desk.get_by_role("link", name="Góp ý", exact=True).click()
    expect(desk.get_by_test_id("box-url")).to_contain_text(f"/gop-y/{box.code}/")
    shot(desk, "gop-y-danh-sach")
    desk.get_by_role("link", name="Bổ sung chỗ để xe tại Bộ phận một cửa").click()
    expect(desk.get_by_test_id("contact")).to_contain_text("tranthib@example.com")
    desk.get_by_label("Trả lời").fill(
        "Văn phòng đã bố trí thêm 20 chỗ để xe phía sau trụ sở từ ngày 15/01. Cảm ơn bà."
    )
    shot(desk, "gop-y-tra-loi")
    desk.get_by_role("button", name="Lưu câu trả lời").click()
    expect(desk.get_by_test_id("answer")).to_contain_text("20 chỗ để xe")

    phone.reload()
    expect(phone.get_by_test_id("status")).to_have_text("Đã trả lời")
    expect(phone.get_by_test_id("answer")).to_contain_text("20 chỗ để xe")
    desk.close()
    phone.close()
