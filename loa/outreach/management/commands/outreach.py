"""`loa outreach remind`: queue today's automatic reminders, and resume any dispatch a dead
worker left "sending" (run it once a day)."""

from django.core.management.base import BaseCommand

from loa.outreach import services


class Command(BaseCommand):
    help = "Outreach jobs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "remind",
            help="Queue today's reminders, and resume dispatches a dead worker left 'sending'.",
        )

    def handle(self, *args, action, **options):
        resumed = services.resume_stuck()
        count = services.remind_due()
        self.stdout.write(f"{count} lời nhắc đã được xếp hàng gửi / reminders queued")
        if resumed:
            self.stdout.write(f"{resumed} đợt gửi được tiếp tục / dispatches resumed")
