"""Load the demo data of every app, once; print how to sign in.

Each app may have a `demo` module with `load()`: it creates the app's demo data if absent
and does nothing otherwise. The org app's `load()` returns the password of the demo accounts
when it creates them.
"""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from loa.org import demo as org_demo


class Command(BaseCommand):
    help = "Load the demo office (once) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.SITE_URL)

    def handle(self, *args, url, **options):
        password_file = Path(settings.VAR_DIR) / "demo-password"
        existed = org_demo.demo_exists()
        self.stdout.write(
            "Dữ liệu mẫu đã có sẵn; giữ nguyên. / Demo data kept as it was."
            if existed
            else "Đang tạo dữ liệu mẫu… / Loading demo data…"
        )
        modules = []
        for app in apps.get_app_configs():
            if not app.name.startswith("loa."):
                continue
            try:
                module = import_module(f"{app.name}.demo")
            except ModuleNotFoundError:
                continue
            modules.append(module)
            created_password = module.load()
            if isinstance(created_password, str):
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.write_text(created_password)
                password_file.chmod(0o600)
        password = password_file.read_text().strip() if password_file.exists() else None
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"  Loa: {url}"))
        if password:
            self.stdout.write(
                self.style.SUCCESS(f"  Tài khoản quản trị / admin: admin / {password}")
            )
            self.stdout.write("  Tài khoản theo vai trò (cùng mật khẩu) / one account per role:")
            for username, label in org_demo.ACCOUNTS[1:]:
                self.stdout.write(f"    {username:<14} {label}")
        else:
            self.stdout.write(f"  (mật khẩu mẫu không còn trong {password_file})")
        # Pages without sign-in an app offers (`public_links(url)` in its demo module).
        for module in modules:
            for label, link in getattr(module, "public_links", lambda _url: [])(url):
                self.stdout.write(f"  {label}: {link}")
        self.stdout.write("")
