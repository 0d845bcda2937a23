"""The menu in a real browser: at the common desktop widths every role's menu fits one line, and
every entry it holds can be reached, with the mouse and with the keyboard.

The browser, the live demo office and the sign-in (with two-factor for the roles that need it)
are test_browser.py's.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import translation
from playwright.sync_api import expect

from loa.menu import ADMINISTRATION, shell
from loa.org.demo import ACCOUNTS, AGENCY_NAME
from loa.org.models import Agency
from loa.outreach import services as outreach
from loa.outreach.models import Delivery
from loa.tests.test_browser import browser, office, shot, sign_in

__all__ = ["browser", "office"]  # the fixtures, imported for pytest to find here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP_WIDTHS = (1280, 1366, 1440, 1920)

# What a person sees in the bar, each one box: the brand, the entries and group buttons, and the
# account's button and the language switch on the right; for each, whether its text is cut
# (wider than its box) or wrapped (taller than one line of it).
BAR = """() => {
  const nav = document.querySelector('nav.navbar');
  const items = [
    nav.querySelector('.navbar-brand'),
    ...nav.querySelectorAll('.navbar-nav > li > .nav-link'),
    ...nav.querySelectorAll('#menu-account, [data-testid=language-switch]'),
  ];
  return items.filter(e => e.offsetParent !== null).map(e => {
    const box = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    const chrome = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
      + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    return {
      text: e.innerText.trim(),
      left: box.left, right: box.right, top: box.top, bottom: box.bottom,
      cut: e.scrollWidth > e.clientWidth + 1,
      wrapped: box.height > parseFloat(style.lineHeight) * 1.5 + chrome,
    };
  });
}"""


@pytest.fixture
def busy_office(office):
    """The demo office where everyone has ten documents to read: the inbox's entry carries its
    widest unread badge."""
    admin = get_user_model().objects.get(username="admin")
    agency = Agency.objects.get(name=AGENCY_NAME)
    for number in range(10):
        dispatch = outreach.dispatch_create(
            actor=admin, agency=agency, title=f"Văn bản {number}", audience={"whole_agency": True}
        )
        outreach.dispatch_send(actor=admin, dispatch=dispatch)
        outreach.dispatch_deliver(dispatch_id=dispatch.pk)
    return office


def expected_menu(username: str) -> list[tuple[str, str, str]]:
    """The entries the server gives this person, in Vietnamese: the browser must offer each."""
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=username)
    with translation.override("vi"):
        return [(url, str(label), key) for url, label, key in shell(request)["menu"]]


def assert_fits_one_line(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
    boxes = page.evaluate(BAR)
    assert len(boxes) >= 4
    for box in boxes:
        assert not box["cut"], f"{box['text']!r} is cut at {width} px"
        assert not box["wrapped"], f"{box['text']!r} wraps at {width} px"
        assert 0 <= box["left"] and box["right"] <= width, f"{box['text']!r} leaves the screen"
    # One line: every box overlaps the brand's band, and none overlaps its neighbour.
    brand = boxes[0]
    for box in boxes[1:]:
        assert box["top"] < brand["bottom"] and box["bottom"] > brand["top"], (
            f"{box['text']!r} is on another line at {width} px"
        )
    ordered = sorted(boxes, key=lambda box: box["left"])
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before["right"] <= after["left"] + 0.5, (
            f"{before['text']!r} overlaps {after['text']!r} at {width} px"
        )


def assert_reachable_by_mouse(page, office: str, entries) -> None:
    """Each entry is a visible link in the bar or in the group it belongs to, and leads there."""
    nav = page.locator("nav.navbar")
    for url, label, key in entries:
        page.goto(f"{office}/")
        name = re.compile(f"^{re.escape(label)}")  # the inbox's label may end in its unread count
        link = nav.get_by_role("link", name=name)
        if not link.is_visible():
            group = nav.locator(".loa-menu-group").filter(
                has=page.get_by_role("link", name=name, include_hidden=True)
            )
            group.locator("[data-bs-toggle=dropdown]").click()
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
        link.click()
        page.wait_for_url(f"{office}{url}*")
        if key not in ("admin",):  # Django's admin has its own shell
            assert "menu-account" in page.content()


def assert_reachable_by_keyboard(page, office: str, entries) -> None:
    """Tab reaches the administration button; Enter opens it and the arrows go through every
    entry in it; Escape closes it again on its button."""
    grouped = [label for _url, label, key in entries if key in ADMINISTRATION]
    if not grouped:
        return
    page.goto(f"{office}/")
    toggle = page.locator("#menu-administration")
    for _press in range(40):
        page.keyboard.press("Tab")
        if toggle.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches the administration menu")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    focused = []
    for _label in grouped:
        page.keyboard.press("ArrowDown")
        focused.append(page.evaluate("document.activeElement.innerText.trim()"))
    assert focused == grouped
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert toggle.evaluate("button => button === document.activeElement")


@pytest.mark.parametrize("username", [username for username, _label in ACCOUNTS])
def test_every_roles_menu_fits_one_line_on_a_desktop_and_each_entry_can_be_reached(
    browser, busy_office, username
):
    office = busy_office
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    sign_in(page, office, username)
    entries = expected_menu(username)
    if Delivery.objects.filter(person__user__username=username).exists():
        expect(page.get_by_test_id("unread")).to_have_text(re.compile("^10"))
    for width in DESKTOP_WIDTHS:
        assert_fits_one_line(page, width)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_reachable_by_keyboard(page, office, entries)
    assert_reachable_by_mouse(page, office, entries)
    page.close()


def test_the_superuser_and_the_coordinator_menus_fit_in_english_too_and_on_a_phone_open_flat(
    browser, office
):
    for username in ("admin", "dieuphoi"):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
        page = context.new_page()
        sign_in(page, office, username)
        entries = expected_menu(username)
        if username == "admin":
            page.locator("#menu-administration").click()
            expect(page.get_by_role("link", name="Nhật ký hệ thống")).to_be_visible()
            shot(page, "menu-quan-tri")
            page.keyboard.press("Escape")
        page.get_by_test_id("language-switch").click()
        page.wait_for_selector("html[lang=en]")
        assert_fits_one_line(page, 1280)
        page.get_by_test_id("language-switch").click()
        page.wait_for_selector("html[lang=vi]")
        # Below Bootstrap's lg the bar collapses; opened, it lists every entry without a
        # dropdown to press, and the sign-out button.
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name="Mở menu").click()
        menu = page.locator("#menu")
        menu.wait_for(state="visible")
        for _url, label, _key in entries:
            link = menu.get_by_role("link", name=re.compile(f"^{re.escape(label)}"))
            expect(link).to_be_visible()
        expect(menu.get_by_role("button", name="Đăng xuất")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
