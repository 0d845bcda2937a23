"""`loa bench NAME [args]`: run bench/NAME.py, a benchmark that prints its figures."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a benchmark from bench/ (e.g. loa bench library --db postgres)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("args", nargs="*")

    def handle(self, *args, name, **options):
        script = Path(settings.BASE_DIR) / "bench" / f"{name}.py"
        if not script.is_file() or not name.isidentifier():
            found = sorted(p.stem for p in script.parent.glob("*.py"))
            raise CommandError(f"No benchmark {name!r}; there are: {', '.join(found)}")
        result = subprocess.run(  # noqa: S603 - our own script, arguments passed through
            [sys.executable, str(script), *options["args"]], check=False
        )
        if result.returncode:
            raise CommandError(f"{name} failed with exit code {result.returncode}")
