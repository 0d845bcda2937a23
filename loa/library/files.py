"""Attachments: checked by their content before anything is saved, then read for their text.

The checks in the request are cheap and bounded (size, magic bytes, a zip's table of
contents, a PDF's header and encryption flag); the full text extraction runs in the task
worker with limits on pages and characters, so no file can make a worker hang for long.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a real .docx is far below this
MAX_ZIP_RATIO = 200  # text compresses well, but not a thousandfold
MAX_PDF_PAGES = 2000
MAX_TEXT_CHARS = 5_000_000


UNREADABLE = gettext_lazy("The file is damaged and cannot be read.")


class AttachmentError(Exception):
    """The file cannot be accepted; the message says why, in the user's language."""


@dataclass
class CheckedFile:
    kind: str  # "pdf" or "docx"
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


def extract_text(kind: str, data: bytes) -> str:
    """The text of a checked file. Raises AttachmentError if it turns out unreadable."""
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
        except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError):
            raise AttachmentError(_("The PDF is damaged and cannot be read.")) from None
    if kind == "docx":
        from docx import Document as WordDocument

        try:
            word = WordDocument(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError):
            raise AttachmentError(str(UNREADABLE)) from None
        lines = [p.text for p in word.paragraphs]
        for table in word.tables:
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
        return "\n".join(lines)[:MAX_TEXT_CHARS]
    raise AttachmentError(_("Loa accepts PDF and Word (.docx) files only."))
