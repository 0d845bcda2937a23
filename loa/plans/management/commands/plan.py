"""`loa plan import FILE [--dry-run] [--json] [--agency ID]`: read a plan from .docx or .txt."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from loa.core.models import User
from loa.org.models import Agency
from loa.plans import importing, services


class _File:
    def __init__(self, path: str):
        self.name = path
        with open(path, "rb") if path != "-" else sys.stdin.buffer as handle:
            self.data = handle.read()
        self.size = len(self.data)

    def read(self) -> bytes:
        return self.data


class Command(BaseCommand):
    help = "Plans: import one from its text."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Read a plan (.docx, .txt or - for stdin).")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="print, save nothing")
        imp.add_argument("--json", action="store_true", help="print the structure as JSON")
        imp.add_argument("--agency", type=int, help="the agency's id, to save a draft for it")

    def handle(self, *args, action, file, dry_run, json: bool, agency, **options):
        try:
            upload = _File(file)
        except OSError as error:
            raise CommandError(f"Không đọc được tệp / cannot read {file}: {error}") from None
        target = None
        if agency is not None:
            target = Agency.objects.filter(pk=agency).first()
            if target is None:
                raise CommandError(f"Không có cơ quan số {agency} / no agency {agency}")
        elif not dry_run:
            raise CommandError("Cần --agency để lưu, hoặc --dry-run / give --agency or --dry-run")
        try:
            text = importing.read_upload(upload)
            known = [u.name for u in target.units.all()] if target else None
            parsed = importing.parse(text, known_units=known)
        except importing.PlanImportError as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps(parsed.as_dict()))
        if dry_run:
            if not json:
                self.stdout.write(f"{parsed.title} ({parsed.year}): {len(parsed.tasks)} tasks")
            return
        admin = User.objects.filter(is_superuser=True).order_by("id").first()
        plan = services.plan_create_from_parsed(actor=admin, agency=target, parsed=parsed)
        self.stdout.write(f"Đã lưu bản nháp / draft saved: {plan.pk} {plan.title}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
