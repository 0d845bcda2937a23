from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from loa.org import demo


class Command(BaseCommand):
    help = "Load the demo office (once) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.SITE_URL)

    def handle(self, *args, url, **options):
        password_file = Path(settings.VAR_DIR) / "demo-password"
        if demo.demo_exists():
            password = password_file.read_text().strip() if password_file.exists() else None
            self.stdout.write("Dữ liệu mẫu đã có sẵn; giữ nguyên. / Demo data kept as it was.")
        else:
            self.stdout.write("Đang tạo dữ liệu mẫu… / Loading demo data…")
            password = demo.load_demo()
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password)
            password_file.chmod(0o600)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"  Loa: {url}"))
        if password:
            self.stdout.write(
                self.style.SUCCESS(f"  Tài khoản quản trị / admin: admin / {password}")
            )
            self.stdout.write("  Tài khoản theo vai trò (cùng mật khẩu) / one account per role:")
            for username, label in demo.ACCOUNTS[1:]:
                self.stdout.write(f"    {username:<14} {label}")
        else:
            self.stdout.write(f"  (mật khẩu mẫu không còn trong {password_file})")
        self.stdout.write("")
