"""Plan import benchmark: the sample plan, and a plan 100 times its size.

    python bench/plan_import.py

Prints the time to read a plan's text into its structure (parser and citation finder) and
to save it as a draft (SQLite, in var/bench/), for the sample (target ≤ 300 ms) and for a
plan 100× its size (target: linear, ≤ 10 s).
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "loa/library/fixtures/kh-tuyen-truyen-cchc-2023-vp-ubnd-vinh-phuc.txt"


def big_plan(text: str, times: int) -> str:
    """The sample with its topics, forms and tasks repeated `times` times."""
    topics = re.search(r"(a\) .*?)(?=\n3\. Hình thức)", text, re.S).group(1)
    forms = re.search(r"(- Xen lẫn.*?)(?=\nIII\.)", text, re.S).group(1)
    tasks = re.search(r"(1\. Trưởng các.*?)(?=\nTrên đây)", text, re.S).group(1)
    return (
        text.replace(topics, "\n".join([topics] * times))
        .replace(forms, "\n".join([forms] * times))
        .replace(tasks, "\n".join([tasks] * times))
    )


def setup() -> None:
    path = ROOT / "var" / "bench" / "plan_import.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="loa.settings",
        SECRET_KEY="bench-only",
        LOA_DEBUG="false",
        LOA_HTTPS="false",
        DATABASE_URL=f"sqlite:///{path}",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from loa.org import demo

    demo.load_demo(password="bench-only-password")  # noqa: S106 - a throw-away database


def measure(label: str, text: str, rounds: int) -> None:
    from loa.core.models import User
    from loa.org.models import Agency
    from loa.plans import importing, services

    agency = Agency.objects.get(name="Văn phòng UBND tỉnh Vĩnh Phúc")
    admin = User.objects.get(username="admin")
    units = [u.name for u in agency.units.all()]
    parse_times, save_times = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        parsed = importing.parse(text, known_units=units)
        parsed_at = time.perf_counter()
        services.plan_create_from_parsed(actor=admin, agency=agency, parsed=parsed)
        saved_at = time.perf_counter()
        parse_times.append((parsed_at - started) * 1000)
        save_times.append((saved_at - parsed_at) * 1000)
    print(
        f"{label:28} {len(text) / 1024:8.0f} KB {len(parsed.tasks):6} tasks "
        f"read {statistics.median(parse_times):8.1f} ms  "
        f"save {statistics.median(save_times):8.1f} ms"
    )


def main() -> None:
    setup()
    text = SAMPLE.read_text(encoding="utf-8")
    print("plan import, median of the rounds (SQLite)")
    measure("the sample", text, rounds=20)
    measure("10× the sample", big_plan(text, 10), rounds=3)
    measure("100× the sample", big_plan(text, 100), rounds=1)


if __name__ == "__main__":
    main()
