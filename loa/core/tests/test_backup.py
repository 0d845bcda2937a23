"""Backups: `loa backup` then `loa restore` gives back every row and file; bad archives and
non-empty databases are refused and change nothing. Runs on SQLite and PostgreSQL."""

import io
import json
import re
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from loa.core import backup
from loa.library import search
from loa.library import services as library
from loa.library.models import Attachment, Document
from loa.library.tests.factories import docx_bytes, make_document, pdf_bytes
from loa.org.models import Person
from loa.org.tests.factories import make_person
from loa.settings import media_storage

# pg_dump and pg_restore connect on their own: the data must be committed for them to see it.
pytestmark = pytest.mark.django_db(transaction=True)

FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
DOCX = docx_bytes("Đề án đẩy mạnh chuyển đổi số trong cơ quan", "Lưu VT.")
PDF = pdf_bytes("Nghi quyet 76/NQ-CP ve cai cach hanh chinh")


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in their English msgids, whatever the catalogues say."""
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def office(world, media):
    """The personas' office, with a library document that has two files attached."""
    document = make_document(world.admin, "1204/QĐ-UBND", doc_type="decision", issuer="UBND tỉnh")
    for name, data in [("de-an.docx", DOCX), ("nghi-quyet.pdf", PDF)]:
        library.attachment_add(
            actor=world.admin,
            document=document,
            upload=library.attachment_from_bytes(name, data),
        )
    assert Attachment.objects.filter(status="done").count() == 2  # the worker read them
    return world


def loa(*args) -> str:
    out = io.StringIO()
    call_command(*[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def checksums(root: Path) -> dict[str, str]:
    return {name: backup.sha256_of(root / name) for name in backup.media_files(root)}


def data_rows() -> dict[str, int]:
    """Rows in every table except those `migrate` fills by itself."""
    return {t: n for t, n in backup.row_counts().items() if t not in backup.MIGRATE_FILLS}


def wipe(media: Path) -> None:
    call_command("flush", "--noinput", verbosity=0)
    shutil.rmtree(media, ignore_errors=True)
    assert not any(data_rows().values())


def rewrite(archive: Path, target: Path, change: Callable[[str, bytes], list[tuple[str, bytes]]]):
    """Copy an archive member by member through change(name, data) -> [(name, data), …]."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            handle = source.extractfile(member)
            assert handle is not None
            for name, data in change(member.name, handle.read()):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
    return target


def test_a_backup_restored_into_an_emptied_database_gives_back_every_row_and_file(
    office, media, tmp_path
):
    rows_before, files_before = backup.row_counts(), checksums(media)
    assert len(files_before) == 2
    archive = tmp_path / "loa.tar.gz"

    output = loa("backup", "--out", archive)
    assert f"Backup written to {archive}" in output
    assert "media files: 2" in output
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's alone

    wipe(media)
    output = loa("restore", archive)

    assert "Archive checked" in output
    assert "media files: 2; everything matches." in output
    assert backup.row_counts() == rows_before
    assert checksums(media) == files_before
    attachment = Attachment.objects.get(name="de-an.docx")
    with attachment.file.open("rb") as handle:
        assert handle.read() == DOCX
    # The search index came back with the rows (a tsvector column, or SQLite's FTS5 table).
    found = search.search(Document.objects.all(), "chuyen doi so")
    assert [str(d) for d in found[:10]] == ["Quyết định 1204/QĐ-UBND"]


def test_the_manifest_names_the_versions_the_vendor_the_row_counts_and_the_checksums(
    office, media, tmp_path
):
    archive = tmp_path / "loa.tar.gz"
    loa("backup", "--out", archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    assert names[-1] == backup.MANIFEST  # last: an archive cut short has none
    assert manifest["format"] == "loa-backup" and manifest["loa_version"] == backup.loa_version()
    assert manifest["django_version"].startswith("5.2")
    assert manifest["database"]["vendor"] in ("sqlite", "postgresql")
    assert manifest["database"]["tables"] == backup.row_counts()
    assert manifest["media"]["files"] == checksums(media)
    assert {f"media/{name}" for name in checksums(media)} <= set(names)


def test_without_out_the_backup_goes_to_var_backups_with_the_time_in_its_name(
    office, settings, tmp_path
):
    settings.VAR_DIR = tmp_path / "var"
    loa("backup")
    (written,) = (tmp_path / "var" / "backups").iterdir()
    assert re.fullmatch(r"loa-\d{8}-\d{6}\.tar\.gz", written.name)


def test_a_backup_does_not_overwrite_an_existing_file(office, tmp_path):
    archive = tmp_path / "loa.tar.gz"
    archive.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="already exists"):
        loa("backup", "--out", archive)
    assert archive.read_bytes() == b"yesterday's backup"


def test_restore_into_a_database_that_holds_data_is_refused_without_force(office, media, tmp_path):
    archive = tmp_path / "loa.tar.gz"
    loa("backup", "--out", archive)
    make_person(office.admin, office.agency, "Vũ Thị Lan")
    rows, files = backup.row_counts(), checksums(media)

    with pytest.raises(CommandError, match="The database already holds data .*--force"):
        loa("restore", archive)
    assert backup.row_counts() == rows and checksums(media) == files

    loa("restore", archive, "--force")  # replaces what the database holds
    assert not Person.objects.filter(full_name="Vũ Thị Lan").exists()


def _truncated(archive: Path, target: Path) -> Path:
    target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return target


def _flipped(archive: Path, target: Path) -> Path:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def _not_gzip(archive: Path, target: Path) -> Path:
    target.write_text("just some text")
    return target


def _someone_elses(archive: Path, target: Path) -> Path:
    return rewrite(archive, target, lambda name, data: [("notes.txt", b"hello")])


def _without_manifest(archive: Path, target: Path) -> Path:
    return rewrite(
        archive, target, lambda name, data: [] if name == backup.MANIFEST else [(name, data)]
    )


def _tampered_file(archive: Path, target: Path) -> Path:
    return rewrite(
        archive,
        target,
        lambda name, data: [(name, b"not the file" if name.endswith(".pdf") else data)],
    )


def _escaping(archive: Path, target: Path) -> Path:
    return rewrite(archive, target, lambda name, data: [("../outside", data)])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_truncated, "is damaged or not a .tar.gz archive"),
        (_flipped, "is damaged or not a .tar.gz archive"),
        (_not_gzip, "is damaged or not a .tar.gz archive"),
        (_someone_elses, "is not a Loa backup: it holds notes.txt"),
        (_without_manifest, "it has no manifest.json"),
        (_tampered_file, "does not match its checksum in the manifest"),
        (_escaping, "is not a Loa backup: it holds ../outside"),
    ],
)
def test_a_damaged_or_foreign_archive_is_refused_and_nothing_changes(
    office, media, tmp_path, damage, message
):
    archive = tmp_path / "loa.tar.gz"
    loa("backup", "--out", archive)
    make_person(office.admin, office.agency, "Vũ Thị Lan")  # so a restore would show
    rows, files = backup.row_counts(), checksums(media)
    bad = damage(archive, tmp_path / "bad.tar.gz")

    # --force: it is the archive check that refuses, not the non-empty database.
    with pytest.raises(CommandError, match=f"{re.escape(message)}.*Nothing was changed"):
        loa("restore", bad, "--force")
    assert backup.row_counts() == rows and checksums(media) == files
    assert not (tmp_path / "outside").exists()


def test_a_backup_of_the_other_database_vendor_is_refused(office, media, tmp_path):
    archive = tmp_path / "loa.tar.gz"
    loa("backup", "--out", archive)
    here = connection.vendor
    other = "postgresql" if here == "sqlite" else "sqlite"

    def as_other(name, data):
        if name == backup.MANIFEST:
            manifest = json.loads(data)
            manifest["database"].update(vendor=other, file=backup.DATABASE_FILES[other])
            return [(name, json.dumps(manifest).encode())]
        if name == backup.DATABASE_FILES[here]:
            return [(backup.DATABASE_FILES[other], data)]
        return [(name, data)]

    foreign = rewrite(archive, tmp_path / "other.tar.gz", as_other)
    # The checksum of the database file in the manifest still matches, so only the vendor is off.
    wipe(media)
    with pytest.raises(
        CommandError, match=f"holds a {backup.VENDOR_NAMES[other]} database.*does not convert"
    ):
        loa("restore", foreign)
    assert not any(data_rows().values()) and not media.exists()


def test_no_media_leaves_the_files_to_the_storage_and_says_so(office, media, tmp_path):
    archive = tmp_path / "loa.tar.gz"
    output = loa("backup", "--out", archive, "--no-media")
    assert f"Media files left out (--no-media): back up {media} with the storage's own" in output
    assert "media files: not included" in output
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(backup.MANIFEST))
        assert not any(name.startswith("media/") for name in tar.getnames())
    assert manifest["media"]["included"] is False and manifest["media"]["files"] == {}
    assert manifest["media"]["storage"] == "django.core.files.storage.filesystem.FileSystemStorage"

    output = loa("restore", archive, "--force")
    assert f"The backup holds no media files (they were in {media})" in output
    assert "everything matches" in output


# --- Media in an S3 bucket (a real S3 server on loopback: conftest.py) ----------------------


@pytest.fixture
def bucket_office(world, s3_bucket):
    """The personas' office with its two attachments in the bucket."""
    document = make_document(world.admin, "1204/QĐ-UBND", doc_type="decision", issuer="UBND tỉnh")
    for name, data in [("de-an.docx", DOCX), ("nghi-quyet.pdf", PDF)]:
        library.attachment_add(
            actor=world.admin, document=document, upload=library.attachment_from_bytes(name, data)
        )
    assert len(s3_bucket.keys()) == 2
    return world


def bucket_contents(bucket) -> dict[str, bytes]:
    return {key: bucket.read(key) for key in bucket.keys()}


def test_the_files_in_a_bucket_are_backed_up_and_restored_into_it(
    bucket_office, s3_bucket, client_for, tmp_path
):
    rows_before, objects_before = backup.row_counts(), bucket_contents(s3_bucket)
    archive = tmp_path / "loa.tar.gz"

    output = loa("backup", "--out", archive)
    where = f"s3://{s3_bucket.name}/loa-tinh ({s3_bucket.environ['LOA_S3_ENDPOINT_URL']})"
    assert f"Adding media files from {where}: 2." in output
    assert "media files: 2" in output
    with tarfile.open(archive) as tar:
        archived = {
            f"loa-tinh/{name.removeprefix('media/')}": tar.extractfile(name).read()
            for name in tar.getnames()
            if name.startswith("media/")
        }
    assert archived == objects_before  # every object under the prefix, byte for byte

    call_command("flush", "--noinput", verbosity=0)
    s3_bucket.empty()  # the bucket lost, or a new one on another store
    output = loa("restore", archive)
    assert f"Restoring media files into {where}: 2." in output
    assert "media files: 2; everything matches." in output
    assert backup.row_counts() == rows_before
    assert bucket_contents(s3_bucket) == objects_before  # same keys, same bytes

    attachment = Attachment.objects.get(name="de-an.docx")
    download = client_for(bucket_office.staff_b.user).get(
        reverse("library:attachment", args=[attachment.pk])
    )
    assert b"".join(download.streaming_content) == DOCX


def test_a_restore_writes_over_a_changed_object_and_leaves_others_alone(
    bucket_office, s3_bucket, tmp_path
):
    archive = tmp_path / "loa.tar.gz"
    loa("backup", "--out", archive)
    objects_before = bucket_contents(s3_bucket)
    changed = next(iter(objects_before))
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=changed, Body=b"not the file")
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="loa-tinh/later.txt", Body=b"later")

    assert "everything matches" in loa("restore", archive, "--force")
    assert bucket_contents(s3_bucket) == {**objects_before, "loa-tinh/later.txt": b"later"}


def test_a_backup_from_the_disk_restores_into_a_bucket(
    office, media, s3_bucket, settings, tmp_path
):
    """How an installation moves its uploads to object storage: back up with the files on the
    disk, set LOA_MEDIA_STORAGE=s3, restore."""
    files_before = {name: (media / name).read_bytes() for name in backup.media_files(media)}
    assert len(files_before) == 2 and s3_bucket.keys() == []
    in_bucket = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": FILE_SYSTEM_STORAGE}}
    archive = tmp_path / "loa.tar.gz"
    loa("backup", "--out", archive)
    call_command("flush", "--noinput", verbosity=0)

    settings.STORAGES = {**settings.STORAGES, "default": in_bucket}
    output = loa("restore", archive)
    assert "media files: 2; everything matches." in output
    assert bucket_contents(s3_bucket) == {f"loa-tinh/{k}": v for k, v in files_before.items()}
    attachment = Attachment.objects.get(name="nghi-quyet.pdf")
    with attachment.file.open("rb") as handle:  # read back from the bucket
        assert handle.read() == PDF


def test_an_unreachable_bucket_stops_the_backup_with_the_reason(
    world, s3_bucket, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage({**s3_bucket.environ, "LOA_S3_BUCKET": "no-such-bucket"}),
    }
    archive = tmp_path / "loa.tar.gz"
    with pytest.raises(CommandError, match="Loa cannot reach the media storage s3://no-such"):
        loa("backup", "--out", archive)
    assert not archive.exists() and not archive.with_name("loa.tar.gz.partial").exists()
