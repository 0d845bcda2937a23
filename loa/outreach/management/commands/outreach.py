"""`loa outreach remind`: queue today's automatic reminders (run once a day)."""

from django.core.management.base import BaseCommand

from loa.outreach import services


class Command(BaseCommand):
    help = "Outreach jobs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "remind", help="Queue today's reminders to people who have not acknowledged."
        )

    def handle(self, *args, action, **options):
        count = services.remind_due()
        self.stdout.write(f"{count} lời nhắc đã được xếp hàng gửi / reminders queued")
