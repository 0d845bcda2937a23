"""`loa restore FILE [--force]`: put back what `loa backup` wrote, checked before and after."""

from django.core.management.base import BaseCommand, CommandError

from loa.core import backup


class Command(BaseCommand):
    help = (
        "Restore the database and the media files from an archive of `loa backup`, into an "
        "empty database (--force: replace what the database holds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `loa backup`")
        parser.add_argument(
            "--force", action="store_true", help="restore even if the database holds data"
        )

    def handle(self, *args, file, force=False, **options):
        try:
            result = backup.backup_restore(file, force=force, progress=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(result.summary))
