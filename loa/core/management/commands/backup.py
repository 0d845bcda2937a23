"""`loa backup [--out FILE] [--no-media]`: one .tar.gz with the database, the media files
(on the disk or in the bucket) and a manifest."""

from django.core.management.base import BaseCommand, CommandError

from loa.core import backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database, the media files (from MEDIA_ROOT or "
        "from the S3 bucket) and a manifest (default: var/backups/loa-YYYYmmdd-HHMMSS.tar.gz)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", metavar="FILE", help="where to write the archive")
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="leave the media files out, when the storage's own tools back them up "
            "(a bucket's versioning or replication); the archive and the output say so",
        )

    def handle(self, *args, out=None, no_media=False, **options):
        try:
            result = backup.backup_create(out, media=not no_media, progress=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(result.summary))
