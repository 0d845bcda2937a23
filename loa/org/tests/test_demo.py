"""The README's first command: the demo office from the sample plan, loaded once, kept after."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from loa.core.models import User
from loa.org.models import Agency, Category, Person, Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_demo_has_the_office_its_units_about_80_people_and_an_account_per_role(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", stdout=out)
    office = Agency.objects.get(name="Văn phòng UBND tỉnh Vĩnh Phúc")
    units = set(office.units.values_list("name", flat=True))
    assert {"Phòng Hành chính – Quản trị", "Trung tâm Tin học – Công báo"} <= units
    assert office.units.filter(parent__isnull=False).exists()  # sub-units
    people = Person.objects.filter(agency=office)
    assert 75 <= people.count() <= 90
    assert set(people.values_list("category", flat=True)) == set(Category.values)
    with_diacritics = [p for p in people if not p.full_name.isascii()]
    assert len(with_diacritics) > 0.9 * len(people)
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values) - {Role.ADMIN, Role.APPROVER}
    password = (tmp_path / "demo-password").read_text()
    assert f"admin / {password}" in out.getvalue()
    for username in ("admin", "chanhvanphong", "dieuphoi", "truongphong", "canbo", "sonoivu"):
        assert User.objects.get(username=username).check_password(password)
    # The public feedback box is open, with citizens' feedback, one of them answered.
    assert office.feedback_box.is_open
    assert office.feedback.filter(status="answered").count() == 1


def test_running_the_demo_again_keeps_the_data(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=StringIO())
    Person.objects.filter(code="VP010").update(phone="0900000000")
    before = Person.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert Person.objects.count() == before
    assert Person.objects.get(code="VP010").phone == "0900000000"
    assert "giữ nguyên" in out.getvalue()
    assert f"admin / {(tmp_path / 'demo-password').read_text()}" in out.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(tmp_path, port):
    # The README's run command is the embedded default: SQLite, whatever the suite runs on.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOA_", "SECRET_KEY", "DATABASE_URL"))
    }
    env.update(LOA_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "loa", "run", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:
                return process, page.read().decode()
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise AssertionError(process.stdout.read())


def _stop(process) -> str:
    os.killpg(process.pid, 2)  # Ctrl+C, as a person would
    output, _ = process.communicate(timeout=30)
    return output


@pytest.mark.slow
def test_loa_run_serves_the_demo_and_keeps_it_on_a_second_run(tmp_path):
    port = _free_port()
    process, page = _start(tmp_path, port)
    first = _stop(process)
    assert "Đăng nhập Loa" in page
    password = (tmp_path / "demo-password").read_text()
    assert f"http://127.0.0.1:{port}/" in first and f"admin / {password}" in first
    # The public feedback box's address (as in its QR code) is on the port it runs on.
    box = re.search(rf"citizens' feedback box: (http://127\.0\.0\.1:{port}/gop-y/\w+/)", first)
    assert box, first
    process, _page = _start(tmp_path, port)
    with urllib.request.urlopen(box.group(1)) as page:
        assert "Góp ý về cải cách hành chính" in page.read().decode()
    second = _stop(process)
    assert "Dữ liệu mẫu đã có sẵn; giữ nguyên." in second
    assert f"admin / {password}" in second
