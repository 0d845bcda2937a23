"""`loa outreach remind` (daily): queue today's automatic reminders.
`loa outreach resume` (every 10 minutes): mend what a worker that died left behind."""

from django.core.management.base import BaseCommand

from loa.outreach import services


class Command(BaseCommand):
    help = "Outreach jobs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("remind", help="Queue today's reminders (run it once a day).")
        resume = sub.add_parser(
            "resume",
            help="Deliver again dispatches left 'sending', queue messages never tried, and "
            "mark failed the messages a dead worker was sending (run it every 10 minutes).",
        )
        resume.add_argument("--older-than-minutes", type=int, default=15)

    def handle(self, *args, action, **options):
        if action == "remind":
            count = services.remind_due()
            self.stdout.write(f"{count} lời nhắc đã được xếp hàng gửi / reminders queued")
        else:
            mended = services.resume_stuck(older_than_minutes=options["older_than_minutes"])
            self.stdout.write(f"{mended} việc gửi dở dang đã được xử lý / unfinished sends mended")
