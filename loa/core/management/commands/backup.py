"""`loa backup [--out FILE]`: one .tar.gz with the database, the media files and a manifest."""

from django.core.management.base import BaseCommand, CommandError

from loa.core import backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database, the media files and a manifest "
        "(default: var/backups/loa-YYYYmmdd-HHMMSS.tar.gz)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", metavar="FILE", help="where to write the archive")

    def handle(self, *args, out=None, **options):
        try:
            result = backup.backup_create(out, progress=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(result.summary))
