"""Vietnamese by default, with diacritics; English one click away; every string translated."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
CATALOGUE = Path(settings.BASE_DIR) / "loa" / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_switching_to_english_and_back(world, client_for):
    client = client_for(world.coordinator.user)
    page = client.get(reverse("org:people")).content.decode()
    assert "Tìm theo tên, gõ có dấu hoặc không dấu" in page
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("org:people")}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Search by name, with or without diacritics" in page
    assert "Tiếng Việt" in page  # the way back
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Xin chào" in client.get(reverse("core:home")).content.decode()


def test_an_english_browser_still_gets_vietnamese_until_english_is_chosen(world, client_for):
    client = client_for(world.coordinator.user)
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    page = client.get(reverse("org:people"), **english_browser).content.decode()
    assert '<html lang="vi">' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("org:people"), **english_browser).content.decode()
    assert '<html lang="en">' in page


def test_every_string_has_a_vietnamese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    def entries(catalogue):
        return {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in catalogue}

    source = entries(polib.pofile(str(CATALOGUE)))
    assert entries(polib.mofile(str(CATALOGUE.with_suffix(".mo")))) == source


def test_catalogue_holds_every_string_the_code_marks(tmp_path):
    """makemessages on a copy of the code finds nothing the catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "loa"
    shutil.copytree(Path(settings.BASE_DIR) / "loa", copy)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "vi",
            "--no-location",
            "-i",
            "tests/*",
            "--settings=loa.settings",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "LOA_DEBUG": "true", "SECRET_KEY": "x"},
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/vi/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(CATALOGUE))}
    assert sorted(fresh - known) == []


def test_dates_are_dd_mm_yyyy_in_both_languages(world, client_for):
    import datetime

    from loa.org import services

    services.unit_rename(
        actor=world.admin,
        unit=world.unit_b,
        name="Trung tâm Công nghệ thông tin",
        short_name="",
        effective_on=datetime.date(2025, 7, 1),
    )
    client = client_for(world.coordinator.user)
    url = reverse("org:unit", args=[world.unit_b.pk])
    assert "01/07/2025" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "01/07/2025" in client.get(url).content.decode()


def test_password_rules_speak_vietnamese():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils.translation import override

    with override("vi"), pytest.raises(ValidationError) as refused:
        validate_password("123")
    assert "Mật khẩu này quá ngắn. Mật khẩu phải có ít nhất 8 ký tự." in refused.value.messages
    assert "Mật khẩu này chỉ gồm chữ số." in refused.value.messages
