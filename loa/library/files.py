"""Attachments: checked by their content before anything is saved, then read for their text.

The checks in the request are cheap and bounded (size, magic bytes, a zip's table of
contents, a PDF's header and encryption flag); the full text extraction runs in the task
worker with limits on pages and characters, so no file can make a worker hang for long.
"""

import hashlib
import io
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

MAX_UNZIPPED_BYTES = 30 * 1024 * 1024  # a real .docx is far below this
MAX_ZIP_RATIO = 200  # text compresses well, but not a thousandfold
MAX_PDF_PAGES = 2000
MAX_TEXT_CHARS = 5_000_000


CONTENT_TYPES = {  # what a download is served as, by the kind its content was checked to be
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}
PHOTO_TOO_LARGE = gettext_lazy("the photo is larger than %(size)s MB")
NOT_A_PHOTO_OR_DOCUMENT = gettext_lazy(
    "Loa accepts photos (JPEG, PNG, WebP), PDF and Word (.docx) files only"
)


def download(stored, name: str, kind: str):
    """A stored, checked file as a download: named and typed by what its content was checked
    to be, not by what the uploader said."""
    from django.http import FileResponse

    stem = name.rsplit(".", 1)[0] or "tep"
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=f"{stem}.{kind}")
    response["Content-Type"] = CONTENT_TYPES[kind]
    return response


UNREADABLE = gettext_lazy("The file is damaged and cannot be read.")


class AttachmentError(Exception):
    """The file cannot be accepted; the message says why, in the user's language."""


@dataclass
class CheckedFile:
    kind: str  # "pdf", "docx", or for photos "jpeg", "png", "webp"
    size: int
    sha256: str


def check_upload(upload) -> CheckedFile:
    """Refuse what Loa cannot read, before saving anything. Raises AttachmentError."""
    limit = settings.LOA_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise AttachmentError(
            _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise AttachmentError(_("The file is empty."))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(upload)
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        _check_docx(upload)
        kind = "docx"
    else:
        raise AttachmentError(_("Loa accepts PDF and Word (.docx) files only."))
    upload.seek(0)
    return CheckedFile(kind=kind, size=upload.size, sha256=digest.hexdigest())


def check_photo_or_document(upload) -> CheckedFile:
    """A photo (JPEG, PNG, WebP, by its first bytes) or a document `check_upload` accepts: what
    proves an activity or a task was carried out. Raises AttachmentError."""
    head = upload.read(12)
    upload.seek(0)
    kind = next((k for sig, k in PHOTO_SIGNATURES.items() if head.startswith(sig)), None)
    if kind is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    if kind is None:
        if not head.startswith((b"%PDF-", b"PK\x03\x04")):
            raise AttachmentError(str(NOT_A_PHOTO_OR_DOCUMENT))
        return check_upload(upload)
    limit = settings.LOA_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise AttachmentError(str(PHOTO_TOO_LARGE % {"size": limit // (1024 * 1024)}))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(kind=kind, size=upload.size, sha256=digest.hexdigest())


def _check_pdf(upload) -> None:
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise AttachmentError(
                _("The PDF is protected by a password. Upload a copy without the password.")
            )
        pages = len(reader.pages)
    except AttachmentError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise AttachmentError(_("The PDF is damaged and cannot be read.")) from None
    if pages == 0:
        raise AttachmentError(_("The PDF is damaged and cannot be read."))


def _check_docx(upload) -> None:
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unzipped = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
    except (zipfile.BadZipFile, OSError, ValueError):
        raise AttachmentError(_("The file is damaged and cannot be read.")) from None
    if "word/document.xml" not in names:
        raise AttachmentError(_("Loa accepts PDF and Word (.docx) files only."))
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_ZIP_RATIO:
        raise AttachmentError(
            _("The .docx file unpacks to an implausible size; it was refused for safety.")
        )


EXTRACT_SECONDS = 120
EXTRACT_MEMORY_BYTES = 1536 * 1024 * 1024


def extract_text(kind: str, data: bytes) -> str:
    """The text of a checked file, read in a child process with time and memory limits, so
    a hostile file costs at most EXTRACT_SECONDS and never the worker itself. Raises
    AttachmentError if it cannot be read."""

    def limits():  # runs in the child, before it reads anything
        resource.setrlimit(resource.RLIMIT_AS, (EXTRACT_MEMORY_BYTES, EXTRACT_MEMORY_BYTES))
        seconds = max(1, int(EXTRACT_SECONDS))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))

    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "loa.library.files", kind],
            input=data,
            capture_output=True,
            timeout=EXTRACT_SECONDS,
            preexec_fn=limits,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AttachmentError(
            _("The file took too long to read; save it again as a simpler PDF or .docx.")
        ) from None
    if result.returncode != 0:
        raise AttachmentError(str(UNREADABLE))
    return result.stdout.decode("utf-8", errors="replace")[:MAX_TEXT_CHARS]


def read_text(kind: str, data: bytes) -> str:
    """The text of a file, in this process (the child of extract_text). Raises ValueError."""
    if kind == "pdf":
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            parts, total = [], 0
            for page in reader.pages[:MAX_PDF_PAGES]:
                text = page.extract_text() or ""
                parts.append(text)
                total += len(text)
                if total > MAX_TEXT_CHARS:
                    break
            return "\n".join(parts)[:MAX_TEXT_CHARS]
        except (PdfReadError, PyPdfError, KeyError, TypeError, OSError) as error:
            raise ValueError("unreadable pdf") from error
    if kind == "docx":
        return _docx_text(data)
    raise ValueError(f"unknown kind {kind}")


def _docx_text(data: bytes) -> str:
    """Paragraphs and tables in reading order; a table cell by cell (the Decree 30 header and
    signature blocks are tables), merged cells once."""
    from docx import Document as WordDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        word = WordDocument(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError) as error:
        raise ValueError("unreadable docx") from error
    lines: list[str] = []
    for child in word.element.body.iterchildren():
        if child.tag.endswith("}p"):
            lines.append(Paragraph(child, word).text)
        elif child.tag.endswith("}tbl"):
            table = Table(child, word)
            # A table of three or more columns holds data (a task list: STT | Nội dung |
            # Đơn vị chủ trì …): one line a row, cells joined by tabs. Narrower tables lay
            # out the page (the header, the signature block): read cell by cell.
            data_table = len(table.columns) >= 3
            for row in table.rows:
                seen, cells = set(), []
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        texts = [p.text for p in cell.paragraphs]
                        cells.append(" ".join(t.strip() for t in texts if t.strip()))
                        if not data_table:
                            lines.extend(texts)
                if data_table:
                    lines.append("\t".join(cells))
    return "\n".join(lines)[:MAX_TEXT_CHARS]


if __name__ == "__main__":  # python -m loa.library.files KIND < file > text
    try:
        sys.stdout.write(read_text(sys.argv[1], sys.stdin.buffer.read()))
    except Exception:  # any failure of a parser on a hostile file: say "unreadable"
        sys.exit(2)
