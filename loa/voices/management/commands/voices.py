"""`loa voices forget` (daily): erase the contact details of citizens' feedback answered longer
ago than the agency's box keeps them (Decree 13/2023/NĐ-CP)."""

from django.core.management.base import BaseCommand

from loa.voices import services


class Command(BaseCommand):
    help = "Citizens' feedback jobs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("forget", help="Erase contact details whose term has passed (daily).")

    def handle(self, *args, action, **options):
        count = services.feedback_contacts_expire()
        self.stdout.write(
            f"{count} ý kiến đã xoá thông tin liên hệ / feedback whose contact details were erased"
        )
