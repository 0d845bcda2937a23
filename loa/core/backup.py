"""Backups: one .tar.gz holding the database, the media files and a manifest; and the restore.

An archive holds

    database.pgdump | database.sqlite3   `pg_dump --format=custom`, or an SQLite online-backup copy
    media/<path>                         every file of the default storage: MEDIA_ROOT on
                                         this disk, or the bucket under LOA_S3_PREFIX
    manifest.json                        versions, vendor, row counts, checksums (written last)

`backup_create` and `backup_restore` are what `loa backup` and `loa restore` call. Both raise
`BackupError` with a message for the operator. A restore reads and checks the whole archive
before it changes anything, and compares the result with the manifest afterwards.

Media files are read and written through Django's storage API, so an archive made with the
files on the disk restores into a bucket and the other way round (which is how an installation
moves its uploads to object storage). `loa backup --no-media` leaves them out, for a store whose
own versioning or replication is its backup; the archive and the output then say so.
"""

import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import DatabaseError, connection, connections, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "loa-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
MEDIA_DIR = "media"
# `loa migrate` fills these by itself, so rows there do not mean a database "holds data".
MIGRATE_FILLS = {ContentType._meta.db_table, Permission._meta.db_table}
# Connection settings libpq reads from the environment (Django's OPTIONS → pg_dump's variables).
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or a restore cannot go on; the message tells the operator why."""


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


@dataclass
class BackupResult:
    path: Path
    size: int
    tables: int
    rows: int
    files: int
    media_included: bool

    @property
    def summary(self) -> str:
        """The last line `loa backup` prints."""
        return _(
            "Backup written to %(file)s (%(size)s) — tables: %(tables)s, rows: %(rows)s, "
            "media files: %(files)s."
        ) % {
            "file": self.path,
            "size": filesizeformat(self.size),
            "tables": self.tables,
            "rows": self.rows,
            "files": self.files if self.media_included else _("not included"),
        }


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int

    @property
    def summary(self) -> str:
        """The last line `loa restore` prints: what was compared with the manifest."""
        return _(
            "Restore checked against the manifest — tables: %(tables)s, rows: %(rows)s, "
            "media files: %(files)s; everything matches."
        ) % {"tables": self.tables, "rows": self.rows, "files": self.files}


# --- What there is to back up -------------------------------------------------------------


def loa_version() -> str:
    """The installed version of Loa (pyproject's), or "unknown" in a bare checkout."""
    try:
        return importlib.metadata.version("loa")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def model_tables() -> list[str]:
    """The table of every installed model, many-to-many tables included, each once."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if not model._meta.proxy  # a proxy shares its parent's table
        }
    )


def _count_rows(cursor: Any, tables: list[str]) -> dict[str, int]:
    """Rows in each table, through `cursor` (Django's or sqlite3's)."""
    counts = {}
    for table in tables:
        # COUNT(*) on the table, not through the model's manager, which may hide rows.
        # The table is a model's own name, quoted: no user input reaches this SQL.
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def row_counts(tables: list[str] | None = None) -> dict[str, int]:
    """Rows in each of `tables` (default: every model table) that exists in the configured
    database. A database not created or not migrated yet has none."""
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).is_file():
        return {}  # connecting would create the file, and a refused restore changes nothing
    wanted = model_tables() if tables is None else tables
    try:
        with connection.cursor() as cursor:
            existing = set(connection.introspection.table_names(cursor))
            return _count_rows(cursor, [table for table in wanted if table in existing])
    except DatabaseError as error:
        raise BackupError(
            _("Loa cannot read the configured database: %(error)s") % {"error": error}
        ) from None


def _vendor() -> str:
    """The configured database's vendor, if Loa can back it up."""
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            _("Loa backs up PostgreSQL and SQLite databases, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


@dataclass
class _Media:
    """The default storage, where media files are read from and written to."""

    storage: Storage
    backend: str  # its class, for the manifest
    where: str  # for the operator: a directory, or s3://bucket/prefix at the endpoint
    root: Path | None  # the directory, when the files are on this machine's disk


def _media_storage() -> _Media:
    storage = storages["default"]
    backend = f"{type(storage).__module__}.{type(storage).__qualname__}"
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)  # MEDIA_ROOT, unless STORAGES gives a location
        return _Media(storage, backend, str(root), root)
    bucket = getattr(storage, "bucket_name", None)
    if bucket:  # django-storages' S3Storage (and its kin)
        where = f"s3://{bucket}/{getattr(storage, 'location', '')}".rstrip("/")
        if endpoint := getattr(storage, "endpoint_url", None):
            where += f" ({endpoint})"
        return _Media(storage, backend, where, None)
    return _Media(storage, backend, backend, None)


def _storage_error(media: _Media, error: Exception) -> BackupError:
    return BackupError(
        _("Loa cannot reach the media storage %(where)s: %(error)s")
        % {"where": media.where, "error": error}
    )


def stored_files(media: _Media) -> list[str]:
    """Every file of the media storage, as sorted relative POSIX paths."""
    if media.root is not None:
        return media_files(media.root)
    found: list[str] = []

    def walk(directory: str) -> None:
        subdirectories, names = media.storage.listdir(directory)
        found.extend(posixpath.join(directory, name) for name in names if name)
        for subdirectory in subdirectories:
            walk(posixpath.join(directory, subdirectory))

    try:
        walk("")
    except Exception as error:  # each storage has its own errors (boto3's, OSError, …)
        raise _storage_error(media, error) from None
    return sorted(found)


def media_files(root: Path) -> list[str]:
    """Every file under `root`, as sorted relative POSIX paths."""
    if not root.is_dir():
        return []
    found = []
    for directory, _subdirectories, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            if path.is_file():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """libpq's environment for the configured database, so pg_dump and pg_restore connect as
    Loa does, and the password stays out of the process list."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, value in [
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
    ]:
        if value:
            env[variable] = str(value)
    for option, variable in _LIBPQ_OPTIONS.items():
        if option in db.get("OPTIONS", {}):
            env[variable] = str(db["OPTIONS"][option])
    return env


def _major_version(tool: Path) -> int:
    """The major version a PostgreSQL client program reports (0 if it cannot say)."""
    try:
        output = subprocess.run(  # noqa: S603 - a PostgreSQL client program, no shell
            [str(tool), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"PostgreSQL\)\s*(\d+)", output)  # "pg_dump (PostgreSQL) 15.20 …"
    return int(match.group(1)) if match else 0


def _pg_tool(name: str) -> str:
    """The server's own pg_dump or pg_restore: the one of the server's major version (Debian
    keeps each under /usr/lib/postgresql/<major>/bin), else one on PATH not older than it.
    An older one cannot dump a newer server, and its archive may not restore there."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    if configured := getattr(settings, "LOA_PG_BIN_DIR", ""):
        candidates.insert(0, Path(configured) / name)
    if on_path := shutil.which(name):
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and _major_version(candidate) >= major:
            return str(candidate)
    raise BackupError(
        _(
            "No %(tool)s for PostgreSQL %(major)s was found. Install the client programs of "
            "the server's version (on Debian: apt-get install postgresql-client-%(major)s)."
        )
        % {"tool": name, "major": major}
    )


def _run_pg_tool(command: list[str]) -> None:
    """Run pg_dump or pg_restore against the configured database; its error, if it fails."""
    result = subprocess.run(  # noqa: S603 - a PostgreSQL client program, fixed arguments, no shell
        command, env=_pg_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {
                "tool": Path(command[0]).name,
                "error": result.stderr.strip() or f"exit code {result.returncode}",
            }
        )


def _dump_postgresql(target: Path, progress: Progress) -> dict[str, int]:
    """pg_dump the configured database into `target` and return the row counts, both read
    from one snapshot: the manifest describes exactly the dump even while Loa keeps writing."""
    if connection.in_atomic_block:
        # pg_dump could not see this transaction's uncommitted rows.
        raise BackupError(_("A backup cannot run inside a database transaction."))
    pg_dump = _pg_tool("pg_dump")
    progress(_("Dumping the PostgreSQL database with %(tool)s…") % {"tool": pg_dump})
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            existing = set(connection.introspection.table_names(cursor))
            counts = _count_rows(cursor, [t for t in model_tables() if t in existing])
            # The snapshot lives as long as this transaction: pg_dump runs inside it.
            _run_pg_tool(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-password",  # a nightly timer has nobody to type one
                    f"--file={target}",
                ]
            )
    except DatabaseError as error:
        raise BackupError(
            _("Loa cannot read the configured database: %(error)s") % {"error": error}
        ) from None
    return counts


def _restore_postgresql(dump: Path, progress: Progress) -> None:
    """pg_restore `dump` into the configured database, in one transaction (a failure leaves
    the database as it was); owners and grants are left out, since the roles of the machine
    the backup came from need not exist here."""
    pg_restore = _pg_tool("pg_restore")
    progress(_("Restoring the PostgreSQL database with %(tool)s…") % {"tool": pg_restore})
    connections.close_all()  # Loa's own connection must not hold what pg_restore drops
    _run_pg_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
    )


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_tables(db: sqlite3.Connection) -> set[str]:
    """The tables of an SQLite database opened with sqlite3."""
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _copy_sqlite(target: Path, progress: Progress) -> dict[str, int]:
    """Copy the configured SQLite database into `target` with SQLite's online backup API and
    return the row counts of the copy. Copying the file instead could catch a half-written
    page or miss what is still in the WAL file."""
    source = connection.settings_dict["NAME"]
    if not Path(source).is_file():
        raise BackupError(_("The SQLite database %(file)s does not exist.") % {"file": source})
    progress(
        _("Copying the SQLite database %(file)s with the online backup API…") % {"file": source}
    )
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as live,
            closing(sqlite3.connect(target)) as copy,
        ):
            live.backup(copy)
            # Counted in the copy, so the manifest describes exactly what the archive holds.
            existing = _sqlite_tables(copy)
            return _count_rows(copy.cursor(), [t for t in model_tables() if t in existing])
    except sqlite3.Error as error:
        raise BackupError(
            _("Loa cannot read the configured database: %(error)s") % {"error": error}
        ) from None


def _restore_sqlite(copy: Path, progress: Progress) -> None:
    """Write `copy` over the configured SQLite database with the online backup API, which
    takes the database's lock and replaces it in one transaction."""
    target = Path(connection.settings_dict["NAME"])
    progress(
        _("Restoring the SQLite database %(file)s with the online backup API…") % {"file": target}
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    try:
        with (
            closing(sqlite3.connect(copy)) as source,
            closing(sqlite3.connect(target, timeout=30)) as live,
        ):
            source.backup(live)
    except sqlite3.Error as error:
        raise BackupError(
            _(
                "Writing the SQLite database failed: %(error)s. Stop Loa's web server and "
                "workers before restoring."
            )
            % {"error": error}
        ) from None


# --- The archive ----------------------------------------------------------------------------


class _HashingReader:
    """Hands a file to tarfile and hashes what it reads: the checksum in the manifest is that
    of the bytes archived, even if the file changed on disk in between."""

    def __init__(self, handle: Any):  # anything with read(): a file, a storage's file
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> str:
    """Add `source` to the archive as `name`; return its SHA-256."""
    with open(source, "rb") as handle:
        info = tarfile.TarInfo(name)
        stat = os.fstat(handle.fileno())
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
        reader = _HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]  # tarfile needs only read()
    return reader.digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """Add `data` to the archive as the file `name`."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o644
    tar.addfile(info, io.BytesIO(data))


def default_backup_path() -> Path:
    """var/backups/loa-YYYYmmdd-HHMMSS.tar.gz, in local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"loa-{stamp}.tar.gz"


def backup_create(
    out: Path | str | None = None, *, media: bool = True, progress: Progress = _quiet
) -> BackupResult:
    """Write one archive with the database, the media files (unless not `media`) and the
    manifest to `out` (default: `default_backup_path()`).

    The archive appears under its name only once complete (it is written to NAME.partial
    first), readable by its owner only: it holds password hashes and personal data.
    """
    vendor = _vendor()
    path = Path(out) if out else default_backup_path()
    if path.exists():
        raise BackupError(
            _("%(file)s already exists; choose another name with --out.") % {"file": path}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = _media_storage()
    partial = path.with_name(path.name + ".partial")
    # The dump is staged beside the archive: on the disk meant for backups, not in /tmp.
    with tempfile.TemporaryDirectory(prefix=".loa-backup-", dir=path.parent) as work:
        database_name = DATABASE_FILES[vendor]
        database_file = Path(work) / database_name
        # The database first, then the media: Loa never changes a file once written, so every
        # file the dumped rows name is still there when the media is read.
        if vendor == "postgresql":
            counts = _dump_postgresql(database_file, progress)
        else:
            counts = _copy_sqlite(database_file, progress)
        rows = sum(counts.values())
        progress(_("Tables: %(tables)s, rows: %(rows)s.") % {"tables": len(counts), "rows": rows})
        files: dict[str, str] = {}
        partial.touch(mode=0o600)
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                database_sha = _add_file(tar, database_file, database_name)
                if media:
                    files = _add_media(tar, storage, progress)
                else:
                    progress(
                        _(
                            "Media files left out (--no-media): back up %(where)s with the "
                            "storage's own tools (versioning, replication, a copy elsewhere)."
                        )
                        % {"where": storage.where}
                    )
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "loa_version": loa_version(),
                    "django_version": django.get_version(),
                    "created_at": timezone.now().isoformat(timespec="seconds"),
                    "database": {
                        "vendor": vendor,
                        "file": database_name,
                        "sha256": database_sha,
                        "tables": counts,
                    },
                    "media": {
                        "included": media,
                        "storage": storage.backend,
                        "where": storage.where,
                        "files": files,
                        "note": "" if media else "Left out with --no-media.",
                    },
                }
                # Last, so an archive cut short has no manifest and is refused as incomplete.
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            os.replace(partial, path)
        except OSError as error:
            raise BackupError(
                _("Writing %(file)s failed: %(error)s") % {"file": path, "error": error}
            ) from None
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        tables=len(counts),
        rows=rows,
        files=len(files),
        media_included=media,
    )


def _add_media(tar: tarfile.TarFile, media: _Media, progress: Progress) -> dict[str, str]:
    """Add every file of the media storage as media/<path>; return {path: sha256}."""
    names = stored_files(media)
    progress(
        _("Adding media files from %(where)s: %(count)s.")
        % {"where": media.where, "count": len(names)}
    )
    files = {}
    for name in names:
        try:
            if media.root is not None:
                files[name] = _add_file(tar, media.root / name, f"{MEDIA_DIR}/{name}")
            else:
                files[name] = _add_stored(tar, media, name)
        except FileNotFoundError:
            # Deleted since it was listed, so no row of the dump (taken before) can name it.
            progress(_("%(file)s was deleted during the backup; skipped.") % {"file": name})
    return files


def _add_stored(tar: tarfile.TarFile, media: _Media, name: str) -> str:
    """Add the file `name` of a storage that is not this disk (a bucket) as media/<name>,
    streamed; return its SHA-256."""
    try:
        handle = media.storage.open(name, "rb")
        size = handle.size  # S3: the object's length, before anything is written to the tar
    except Exception as error:
        if not media.storage.exists(name):
            raise FileNotFoundError(name) from None
        raise _storage_error(media, error) from None
    with handle:
        info = tarfile.TarInfo(f"{MEDIA_DIR}/{name}")
        info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o644
        reader = _HashingReader(handle)
        try:
            tar.addfile(info, reader)  # type: ignore[arg-type]  # tarfile needs only read()
        except OSError:
            raise  # writing the archive failed: backup_create says so
        except Exception as error:  # the store failed half-way: the archive is unusable
            raise _storage_error(media, error) from None
    return reader.digest.hexdigest()


def _member_name(member: tarfile.TarInfo, archive: Path) -> str:
    """The member's name, if it is one a Loa backup holds: a regular file named as
    backup_create names them, nowhere outside the directory it is unpacked into."""
    path = PurePosixPath(member.name)
    name = path.as_posix()
    expected = name in (MANIFEST, *DATABASE_FILES.values()) or (
        len(path.parts) > 1 and path.parts[0] == MEDIA_DIR
    )
    if not member.isfile() or path.is_absolute() or ".." in path.parts or not expected:
        raise BackupError(
            _("%(file)s is not a Loa backup: it holds %(name)s. Nothing was changed.")
            % {"file": archive, "name": member.name}
        )
    return name


def _unpack(archive: Path, staging: Path) -> dict[str, str]:
    """Unpack every member into `staging`, reading the archive to its end (which is where
    gzip's checksum is); return {member name: sha256}."""
    digests: dict[str, str] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = _member_name(member, archive)
                if name in digests:
                    raise BackupError(
                        _("%(file)s holds %(name)s twice: it is damaged. Nothing was changed.")
                        % {"file": archive, "name": name}
                    )
                source = tar.extractfile(member)
                if source is None:  # never for a regular file; checked above
                    raise tarfile.ReadError(member.name)
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with source, open(target, "wb") as out:
                    digest = hashlib.sha256()
                    while chunk := source.read(1024 * 1024):
                        digest.update(chunk)
                        out.write(chunk)
                digests[name] = digest.hexdigest()
            # tarfile stops quietly at a header it cannot read; reading the rest of the
            # stream makes gzip check its checksum, so a damaged archive is refused.
            while tar.fileobj is not None and tar.fileobj.read(1024 * 1024):
                pass
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(
            _("%(file)s is damaged or not a .tar.gz archive (%(error)s). Nothing was changed.")
            % {"file": archive, "error": error}
        ) from None
    except OSError as error:
        raise BackupError(
            _("%(file)s could not be read: %(error)s. Nothing was changed.")
            % {"file": archive, "error": error}
        ) from None
    return digests


def _damaged_manifest(archive: Path) -> BackupError:
    """The error for a manifest that is not what backup_create writes."""
    return BackupError(
        _("The manifest of %(file)s is damaged. Nothing was changed.") % {"file": archive}
    )


def _read_manifest(archive: Path, staging: Path, digests: dict[str, str]) -> dict:
    """The archive's manifest, once it is known to be a Loa backup whose every member matches
    its checksum (and nothing else is in it)."""
    if MANIFEST not in digests:
        raise BackupError(
            _(
                "%(file)s is not a Loa backup, or an incomplete one: it has no %(manifest)s. "
                "Nothing was changed."
            )
            % {"file": archive, "manifest": MANIFEST}
        )
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise _damaged_manifest(archive) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(file)s is not a Loa backup. Nothing was changed.") % {"file": archive}
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "%(file)s is a Loa backup of format %(version)s, which this Loa cannot read. "
                "Nothing was changed."
            )
            % {"file": archive, "version": manifest.get("format_version")}
        )
    try:
        database, media = manifest["database"], manifest["media"]
        tables = database["tables"]
        ok = (
            database["vendor"] in DATABASE_FILES
            and database["file"] == DATABASE_FILES[database["vendor"]]
            and all(isinstance(n, int) for n in tables.values())
            and isinstance(media["files"], dict)
        )
        expected = {database["file"]: database["sha256"]}
        expected.update({f"{MEDIA_DIR}/{name}": sha for name, sha in media["files"].items()})
    except (KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise _damaged_manifest(archive)
    for name, sha in expected.items():
        if name not in digests:
            raise BackupError(
                _("%(file)s lacks %(name)s, which its manifest lists. Nothing was changed.")
                % {"file": archive, "name": name}
            )
        if digests[name] != sha:
            raise BackupError(
                _(
                    "%(name)s in %(file)s does not match its checksum in the manifest: the "
                    "archive is damaged. Nothing was changed."
                )
                % {"file": archive, "name": name}
            )
    unlisted = sorted(set(digests) - set(expected) - {MANIFEST})
    if unlisted:
        raise BackupError(
            _("%(file)s holds files its manifest does not list (%(names)s). Nothing was changed.")
            % {"file": archive, "names": ", ".join(unlisted[:5])}
        )
    return manifest


def _refuse_unless_empty() -> None:
    """Refuse to restore over data (the rows `migrate` writes by itself do not count)."""
    held = {
        table: rows for table, rows in row_counts().items() if rows and table not in MIGRATE_FILLS
    }
    if held:
        tables = ", ".join(sorted(held)[:5]) + (", …" if len(held) > 5 else "")
        raise BackupError(
            _(
                "The database already holds data (%(tables)s). Restore only into an empty "
                "database, or add --force to replace what it holds. Nothing was changed."
            )
            % {"tables": tables}
        )


def backup_restore(
    archive: Path | str, *, force: bool = False, progress: Progress = _quiet
) -> RestoreResult:
    """Put back the database and the media files of an archive `backup_create` wrote.

    Nothing changes until everything is checked: the archive reads to its end, it is a Loa
    backup of this database's vendor (Loa does not convert between PostgreSQL and SQLite),
    every member matches its checksum in the manifest, and the database holds no data
    (unless `force`). Afterwards the row counts and the files are compared with the manifest.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("%(file)s does not exist.") % {"file": archive})
    vendor = _vendor()
    storage = _media_storage()
    progress(_("Checking %(file)s…") % {"file": archive})
    with tempfile.TemporaryDirectory(prefix="loa-restore-") as work:
        staging = Path(work)
        manifest = _read_manifest(archive, staging, _unpack(archive, staging))
        database, media = manifest["database"], manifest["media"]
        if database["vendor"] != vendor:
            raise BackupError(
                _(
                    "%(file)s holds a %(backup)s database, but Loa is configured for "
                    "%(current)s. Restore it into a %(backup)s database: Loa does not convert "
                    "between databases. Nothing was changed."
                )
                % {
                    "file": archive,
                    "backup": VENDOR_NAMES[database["vendor"]],
                    "current": VENDOR_NAMES[vendor],
                }
            )
        progress(
            _(
                "Archive checked: made %(created)s by Loa %(version)s on %(vendor)s — "
                "tables: %(tables)s, rows: %(rows)s, media files: %(files)s."
            )
            % {
                "created": manifest.get("created_at", "?"),
                "version": manifest.get("loa_version", "?"),
                "vendor": VENDOR_NAMES[vendor],
                "tables": len(database["tables"]),
                "rows": sum(database["tables"].values()),
                "files": len(media["files"]),
            }
        )
        if not force:
            _refuse_unless_empty()

        if vendor == "postgresql":
            _restore_postgresql(staging / database["file"], progress)
        else:
            _restore_sqlite(staging / database["file"], progress)
        ContentType.objects.clear_cache()  # ids are the backup's now
        if media["files"]:
            progress(
                _("Restoring media files into %(where)s: %(count)s.")
                % {"where": storage.where, "count": len(media["files"])}
            )
            for name in media["files"]:
                _put_media(storage, name, staging / MEDIA_DIR / name)
        if not media["included"]:
            progress(
                _(
                    "The backup holds no media files (they were in %(storage)s); restore them "
                    "with that storage's own tools."
                )
                % {"storage": media.get("where") or media.get("storage", "?")}
            )
    if manifest.get("loa_version") != loa_version():
        progress(
            _(
                "The backup was made by Loa %(backup)s and this is Loa %(current)s: run "
                "`loa migrate` before starting Loa."
            )
            % {"backup": manifest.get("loa_version", "?"), "current": loa_version()}
        )
    return _verify(manifest, storage)


def _put_media(media: _Media, name: str, source: Path) -> None:
    """Write the staged file `source` into the media storage as `name`, over what is there."""
    if media.root is not None:
        target = media.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return
    try:
        if media.storage.exists(name):
            media.storage.delete(name)  # else the storage would pick another name
        with open(source, "rb") as handle:
            saved = media.storage.save(name, File(handle, name=name))
    except Exception as error:
        raise _storage_error(media, error) from None
    if saved != name:
        raise BackupError(
            _("The media storage %(where)s saved %(file)s as %(saved)s.")
            % {"where": media.where, "file": name, "saved": saved}
        )


def _stored_sha256(media: _Media, name: str) -> str | None:
    """The SHA-256 of the file `name` in the media storage, or None if it is not there."""
    if media.root is not None:
        path = media.root / name
        return sha256_of(path) if path.is_file() else None
    try:
        if not media.storage.exists(name):
            return None
        digest = hashlib.sha256()
        with media.storage.open(name, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    except Exception as error:
        raise _storage_error(media, error) from None
    return digest.hexdigest()


def _verify(manifest: dict, media: _Media) -> RestoreResult:
    """Compare the restored database and media files with the manifest."""
    expected_rows: dict[str, int] = manifest["database"]["tables"]
    actual_rows = row_counts(list(expected_rows))
    problems = []
    for table, rows in expected_rows.items():
        if table not in actual_rows:
            problems.append(_("table %(table)s is missing") % {"table": table})
        elif actual_rows[table] != rows:
            problems.append(
                _("%(table)s has %(actual)s rows instead of %(expected)s")
                % {"table": table, "actual": actual_rows[table], "expected": rows}
            )
    files: dict[str, str] = manifest["media"]["files"]
    for name, sha in files.items():
        found = _stored_sha256(media, name)
        if found is None:
            problems.append(_("media file %(file)s is missing") % {"file": name})
        elif found != sha:
            problems.append(_("media file %(file)s differs from the backup") % {"file": name})
    if problems:
        raise BackupError(
            _("The restore finished but does not match the backup: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    return RestoreResult(
        tables=len(expected_rows), rows=sum(expected_rows.values()), files=len(files)
    )
