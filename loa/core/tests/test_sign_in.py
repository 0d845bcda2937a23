"""Signing in and out, and resetting a forgotten password by e-mail (through a real SMTP server)."""

import re

import pytest
from django.urls import reverse

from loa.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signs_in(client, username: str, password: str) -> bool:
    """Through the sign-in page, as a person would (django-axes needs the request)."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def test_sign_in_page_speaks_vietnamese_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập Loa" in body and "Quên mật khẩu?" in body


def test_staff_member_signs_in_and_out(world, client):
    response = client.post(
        reverse("login"), {"username": "staff_a", "password": PASSWORD}, follow=True
    )
    assert "Xin chào, Lê Thị Dung" in response.content.decode()
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_says_so_in_vietnamese(world, client):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "sai"})
    assert response.status_code == 200
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in response.content.decode()


def test_forgotten_password_is_reset_by_a_link_sent_by_email(
    world, client, smtp_inbox, django_capture_on_commit_callbacks
):
    from loa.org import services

    services.person_update(actor=world.admin, person=world.staff_a, email="dunglt@vinhphuc.gov.vn")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "dunglt@vinhphuc.gov.vn"})
    assert response.status_code == 302
    assert smtp_inbox.received.wait(timeout=10)
    envelope = smtp_inbox.messages[0]
    assert envelope.rcpt_tos == ["dunglt@vinhphuc.gov.vn"]
    mail = envelope.content.decode()
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", mail).group(1)
    page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in page.content.decode()
    new = "Cai-cach-hanh-chinh-2023"
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Đã lưu mật khẩu" in done.content.decode()
    assert signs_in(client, "staff_a", new)


def test_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    world, client, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": "ai-do@example.com"}, follow=True
        )
    assert "Hãy kiểm tra thư điện tử" in response.content.decode()
    assert not smtp_inbox.received.wait(timeout=0.5)


def test_menu_fits_the_role(world, client_for):
    def menu(person):
        page = client_for(person.user).get(reverse("core:home"))
        return [label for _url, label, _key in page.context["menu"]]

    assert menu(world.staff_a) == [
        "Trang chủ",
        "Hộp thư",
        "Kế hoạch",
        "Hoạt động",
        "Thư viện văn bản",
        "Hồ sơ của tôi",
    ]
    managing = [
        "Trang chủ",
        "Hộp thư",
        "Kế hoạch",
        "Gửi tài liệu",
        "Hoạt động",
        "Thư viện văn bản",
        "Cán bộ",
        "Cơ cấu tổ chức",
        "Hồ sơ của tôi",
    ]
    assert menu(world.head_a) == managing
    # Those who follow the agency's figures also have its dashboard, reports and feedback.
    following = [*managing[:6], "Bảng điều hành", "Báo cáo", "Góp ý", *managing[6:]]
    assert menu(world.coordinator) == following
    admin_menu = client_for(world.admin).get(reverse("core:home")).context["menu"]
    assert [key for _u, _l, key in admin_menu] == [
        "home",
        "plans",
        "outreach",
        "events",
        "library",
        "dashboard",
        "reports",
        "voices",
        "people",
        "agencies",
        "audit",
        "admin",
    ]


def test_sign_in_is_refused_after_fifty_failures_from_one_address_whatever_the_names(world, client):
    # One user name is locked after five (test_lockout); guessing across names stops here.
    for attempt in range(50):
        client.post(reverse("login"), {"username": f"ai-{attempt}", "password": "sai"})
    response = client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    assert "Có quá nhiều lần thử từ kết nối của bạn" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_successfully_many_times_never_locks_anyone_out(world, client):
    for _attempt in range(15):
        response = client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
        assert "_auth_user_id" in client.session, response.content.decode()[:200]
        client.post(reverse("logout"))


def test_password_reset_is_limited_to_five_requests_an_hour(world, client, smtp_inbox):
    for _attempt in range(5):
        client.post(reverse("password_reset"), {"email": "ai-do@example.com"})
    response = client.post(reverse("password_reset"), {"email": "ai-do@example.com"})
    assert response.status_code == 200
    assert "Có quá nhiều lần thử từ kết nối của bạn" in response.content.decode()


def test_a_person_added_with_an_email_activates_their_account_by_password_reset(
    world, client, smtp_inbox, django_capture_on_commit_callbacks
):
    from loa.org.tests.factories import make_person

    person = make_person(world.admin, world.agency, "Vũ Thị Ngân", email="nganvt@vinhphuc.gov.vn")
    assert not person.user.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "NganVT@vinhphuc.gov.vn"})
    assert smtp_inbox.received.wait(timeout=10)
    mail = smtp_inbox.messages[0].content.decode()
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", mail).group(1)
    form = client.get(link, follow=True)
    new = "Tuyen-truyen-CCHC-2023"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert signs_in(client, "nganvt@vinhphuc.gov.vn", new)


def test_a_person_who_left_can_no_longer_sign_in_or_reset(world, client, smtp_inbox):
    from loa.org import services

    services.person_update(actor=world.coordinator.user, person=world.staff_b, is_active=False)
    assert not signs_in(client, "staff_b", PASSWORD)
    world.staff_b.user.refresh_from_db()
    assert not world.staff_b.user.is_active
