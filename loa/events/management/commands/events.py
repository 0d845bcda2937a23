"""`loa events cadence` (daily): tell the head and the coordinator of each unit that has had
no activity for the agency's number of days."""

from django.core.management.base import BaseCommand

from loa.events import services


class Command(BaseCommand):
    help = "Activity jobs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("cadence", help="E-mail the silent units' heads and coordinators (daily).")

    def handle(self, *args, action, **options):
        count = services.cadence_alert()
        self.stdout.write(f"{count} đơn vị được báo chưa có hoạt động / silent units reported")
