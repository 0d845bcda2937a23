"""Import a plan: read .docx/.txt/pasted text, parse it, and build the draft the user reviews."""

import io

from django.conf import settings
from django.utils.translation import gettext as _

from loa.library.files import AttachmentError, _check_docx, extract_text
from loa.plans.parser import GENERIC_UNITS, NotAPlan, ParsedPlan, parse_plan


class PlanImportError(Exception):
    """The input cannot be imported; the message says why, in the user's language."""


def docx_text(data: bytes) -> str:
    """The text of a .docx in reading order, read like a library attachment: checked first,
    then in a child process with time and memory limits."""
    try:
        _check_docx(io.BytesIO(data))
        return extract_text("docx", data)
    except AttachmentError as error:
        raise PlanImportError(str(error)) from None


def read_upload(upload) -> str:
    limit = settings.LOA_PLAN_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise PlanImportError(
            _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}
        )
    data = upload.read()
    if data[:4] == b"PK\x03\x04":
        return docx_text(data)
    if (upload.name or "").lower().endswith((".txt", ".text")) or not data[:4].startswith(b"%PDF"):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanImportError(_("The text file must be saved as UTF-8.")) from None
    raise PlanImportError(_("Upload the plan as .docx or .txt, or paste its text."))


def parse(text: str, *, known_units: list[str] | None = None) -> ParsedPlan:
    if not text.strip():
        raise PlanImportError(_("The text is empty."))
    try:
        plan = parse_plan(text, known_units=known_units)
    except NotAPlan:
        raise PlanImportError(
            _(
                "Loa found no plan in this text: a plan has a title line “KẾ HOẠCH” or "
                "sections numbered I, II, III."
            )
        ) from None
    if not (plan.topics or plan.tasks or plan.purposes or plan.forms):
        raise PlanImportError(
            _("Loa found no purposes, content, forms or tasks in this text; is it a plan?")
        )
    return plan


def is_generic(unit_name: str) -> bool:
    return bool(GENERIC_UNITS.fullmatch(unit_name))
