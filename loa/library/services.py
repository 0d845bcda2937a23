"""Every change to the library goes through here: one transaction, one audit row each."""

import datetime
import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from loa.core.models import User
from loa.core.services import audit_record, changed_fields
from loa.core.text import fold
from loa.library import files, permissions, search
from loa.library.citations import CODE_RE
from loa.library.models import Attachment, Document, DocumentType, Subject, Validity

CODE_MALFORMED = _(
    "Write the number and symbol as printed, e.g. 76/NQ-CP, 30/2020/NĐ-CP or 18-NQ/TW."
)
DOCUMENT_EXISTS = _("The library already has %(document)s of %(issuer)s.")
REPLACED_NEEDS_DOCUMENT = _("Say which document amended or replaced this one.")
REPLACED_BY_ITSELF = _("A document cannot replace itself.")

logger = logging.getLogger(__name__)
_ISSUER_SPELLINGS = [("uy ban nhan dan", "ubnd"), ("hoi dong nhan dan", "hdnd")]


class DuplicateDocument(ValidationError):
    """The document is already in the library; `existing` is the entry to link to."""

    def __init__(self, existing: Document):
        super().__init__(
            DOCUMENT_EXISTS,
            code="duplicate",
            params={"document": str(existing), "issuer": existing.issuer},
        )
        self.existing = existing


def code_key(code: str) -> str:
    return re.sub(r"\s+", "", fold(code))


def issuer_key(issuer: str) -> str:
    key = fold(issuer)
    for long, short in _ISSUER_SPELLINGS:
        key = key.replace(long, short)
    return key


def parse_code(code: str) -> tuple[str, str, str]:
    """(code, number, symbol) from "76/NQ‑CP"; dashes made plain. Raises ValidationError."""
    code = re.sub("[\u2010-\u2013]", "-", "".join(code.split()))
    if not code:
        return "", "", ""
    match = CODE_RE.fullmatch(code)
    if not match:
        raise ValidationError({"code": ValidationError(CODE_MALFORMED, code="code")})
    return code, match.group("number"), match.group("symbol")


def _require_editor(actor: User) -> None:
    if not permissions.can_edit_library(actor):
        raise PermissionDenied


def _check(document: Document) -> None:
    if document.validity in (Validity.AMENDED, Validity.REPLACED) and not document.replaced_by_id:
        raise ValidationError(
            {"replaced_by": ValidationError(REPLACED_NEEDS_DOCUMENT, code="replaced_by")}
        )
    if document.pk and document.replaced_by_id == document.pk:
        raise ValidationError(
            {"replaced_by": ValidationError(REPLACED_BY_ITSELF, code="replaced_by")}
        )
    if not document.code_key:
        return
    same = Document.objects.filter(code_key=document.code_key, issuer_key=document.issuer_key)
    if document.pk:
        same = same.exclude(pk=document.pk)
    for other in same:
        if not document.issued_year or not other.issued_year:
            raise DuplicateDocument(other)
        if other.issued_year == document.issued_year:
            raise DuplicateDocument(other)


def _derive(document: Document) -> None:
    document.code, document.number, document.symbol = parse_code(document.code)
    document.code_key = code_key(document.code)
    document.issuer = " ".join(document.issuer.split())
    document.issuer_key = issuer_key(document.issuer)
    document.issued_year = document.issued_on.year if document.issued_on else None


def _set_subjects(document: Document, names: list[str]) -> None:
    subjects = []
    for name in names:
        name = " ".join(name.split())
        if name:
            subject = Subject.objects.filter(name__iexact=name).first()
            subjects.append(subject or Subject.objects.create(name=name))
    document.subjects.set(subjects)


@transaction.atomic
def document_create(
    *,
    actor: User,
    doc_type: str,
    issuer: str,
    code: str = "",
    issued_on: datetime.date | None = None,
    title: str = "",
    validity: str = Validity.IN_FORCE,
    replaced_by: Document | None = None,
    subject_names: list[str] | None = None,
) -> Document:
    _require_editor(actor)
    document = Document(
        doc_type=DocumentType(doc_type),
        code=code,
        issued_on=issued_on,
        issuer=issuer,
        title=title.strip(),
        validity=Validity(validity),
        replaced_by=replaced_by,
        added_by=actor,
    )
    _derive(document)
    _check(document)
    document.save()
    _set_subjects(document, subject_names or [])
    search.index_document(document)
    audit_record(
        actor=actor, action="document_create", target=document, changes={"code": document.code}
    )
    return document


@transaction.atomic
def document_update(
    *, actor: User, document: Document, subject_names: list[str] | None = None, **data
) -> Document:
    _require_editor(actor)
    allowed = {"doc_type", "code", "issued_on", "issuer", "title", "validity", "replaced_by"}
    if set(data) - allowed:
        raise TypeError(f"document_update got unknown fields {sorted(set(data) - allowed)}")
    changes = changed_fields(document, data)
    _derive(document)
    _check(document)
    document.save()
    if subject_names is not None:
        before = sorted(s.name for s in document.subjects.all())
        _set_subjects(document, subject_names)
        after = sorted(s.name for s in document.subjects.all())
        if before != after:
            changes["subjects"] = [before, after]
    search.index_document(document)
    if changes:
        audit_record(actor=actor, action="document_update", target=document, changes=changes)
    return document


@transaction.atomic
def attachment_add(*, actor: User, document: Document, upload) -> Attachment:
    """Check the file by its content, save it, and have the worker read its text."""
    _require_editor(actor)
    try:
        checked = files.check_upload(upload)
    except files.AttachmentError as error:
        raise ValidationError({"file": ValidationError(str(error), code="file")}) from None
    name = (upload.name or f"tep.{checked.kind}").rsplit("/", 1)[-1][:200]
    attachment = Attachment(
        document=document,
        name=name,
        size=checked.size,
        sha256=checked.sha256,
        kind=checked.kind,
        uploaded_by=actor,
    )
    attachment.file.save(f"{checked.sha256[:16]}.{checked.kind}", upload, save=False)
    attachment.save()
    audit_record(actor=actor, action="attachment_add", target=document, changes={"file": name})
    from loa.library.tasks import extract_attachment_text

    transaction.on_commit(lambda: extract_attachment_text.enqueue(attachment_id=attachment.pk))
    return attachment


def attachment_extract(*, attachment_id: int) -> Attachment | None:
    """Read an attachment's text and index it. Run by the worker; safe to run twice."""
    attachment = Attachment.objects.select_related("document").filter(pk=attachment_id).first()
    if attachment is None:
        return None
    with attachment.file.open("rb") as handle:
        data = handle.read()
    try:
        text = files.extract_text(attachment.kind, data)
    except files.AttachmentError as error:
        text, status, message = "", Attachment.Status.FAILED, str(error)
    except Exception:  # a parser's own error on a hostile file must not leave it "reading"
        logger.exception("Reading attachment %s failed", attachment.pk)
        text, status, message = "", Attachment.Status.FAILED, str(files.UNREADABLE)
    else:
        status, message = Attachment.Status.DONE, ""
    with transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(text=text, status=status, error=message)
        attachment.refresh_from_db()
        search.index_document(attachment.document)
        audit_record(
            actor=None,
            action="attachment_extract",
            target=attachment.document,
            changes={"file": attachment.name, "status": status, "characters": len(text)},
        )
    return attachment


def attachment_from_bytes(name: str, data: bytes) -> ContentFile:
    """An upload-like file from bytes (the demo and the tests attach generated files)."""
    return ContentFile(data, name=name)
