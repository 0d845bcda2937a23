"""Import people from an .xlsx or .csv file.

The whole file is checked first; a file with any bad row is rejected whole, every error
named by row and column, and nothing is saved. People are matched by staff code, so
importing the same file twice changes nothing the second time.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from loa.core.models import User
from loa.core.services import audit_record
from loa.core.text import fold
from loa.org import services
from loa.org.models import Agency, Category, Person, Position, Unit

# (field, header as printed in the template, required)
COLUMNS = [
    ("code", gettext_lazy("Staff code"), True),
    ("full_name", gettext_lazy("Full name"), True),
    ("unit", gettext_lazy("Unit"), False),
    ("position", gettext_lazy("Position"), False),
    ("category", gettext_lazy("Category"), True),
    ("email", gettext_lazy("E-mail"), False),
    ("phone", gettext_lazy("Phone"), False),
]
# Headers are recognised in Vietnamese or English, with or without diacritics.
HEADER_ALIASES = {
    "code": {"ma can bo", "ma", "ma nhan su", "staff code", "code"},
    "full_name": {"ho va ten", "ho ten", "full name", "name"},
    "unit": {"don vi", "phong", "phong ban", "unit"},
    "position": {"chuc vu", "position"},
    "category": {"phan loai", "loai", "category"},
    "email": {"email", "e-mail", "thu dien tu"},
    "phone": {"dien thoai", "so dien thoai", "phone"},
}
CATEGORY_WORDS = {
    "can bo": Category.CADRE,
    "cong chuc": Category.CIVIL_SERVANT,
    "vien chuc": Category.PUBLIC_EMPLOYEE,
    "nguoi lao dong": Category.WORKER,
    "lao dong hop dong": Category.WORKER,
}
PHONE = re.compile(r"^\+?[0-9 .\-]{9,20}$")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_positions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in the user's language."""


def column_label(field_name: str) -> str:
    return str(next(label for name, label, _req in COLUMNS if name == field_name))


def read_rows(upload) -> list[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, {field: text}) for every non-empty row."""
    if upload.size > settings.LOA_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB.")
            % {"size": settings.LOA_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    name = (upload.name or "").lower()
    if data[:4] == b"PK\x03\x04":
        table = _xlsx_table(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _csv_table(data)
    else:
        raise ImportFileError(_("Loa reads .xlsx and .csv files only."))
    if not any(_cell_text(cell) for row in table for cell in row):
        raise ImportFileError(_("The file is empty."))
    header, *body = table
    columns = _map_header(header)
    if len(body) > settings.LOA_IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)s rows; split it into smaller files.")
            % {"max": settings.LOA_IMPORT_MAX_ROWS}
        )
    rows = []
    for offset, cells in enumerate(body, start=2):
        values = {
            field_name: _cell_text(cells[index]) if index < len(cells) else ""
            for field_name, index in columns.items()
        }
        if any(values.values()):
            rows.append((offset, values))
    if not rows:
        raise ImportFileError(_("The file has a header but no people."))
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _xlsx_table(data: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from None
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_table(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The .csv file must be saved as UTF-8.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _map_header(header: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = fold(_cell_text(cell)).rstrip(" *")
        for field_name, aliases in HEADER_ALIASES.items():
            if key in aliases and field_name not in columns:
                columns[field_name] = index
    missing = [str(label) for name, label, required in COLUMNS if required and name not in columns]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return columns


def check_rows(agency: Agency, rows: list[tuple[int, dict[str, str]]]) -> ImportResult:
    """Every error of every row, without saving anything."""
    result = ImportResult()
    units = {}
    for unit in Unit.objects.filter(agency=agency, dissolved_on__isnull=True):
        units.setdefault(fold(unit.name), unit)
        if unit.short_name:
            units.setdefault(fold(unit.short_name), unit)
    people_by_code = {p.code: p for p in Person.objects.filter(agency=agency).exclude(code="")}
    emails_in_use = {
        email.lower(): code
        for email, code in Person.objects.exclude(email="").values_list("email", "code")
    }
    accounts = {u.lower() for u in User.objects.values_list("username", flat=True)}
    seen_codes: dict[str, int] = {}
    seen_emails: dict[str, int] = {}

    def error(row: int, field_name: str, message: str) -> None:
        result.errors.append(RowError(row, column_label(field_name), message))

    for row, values in rows:
        code, email = values.get("code", ""), values.get("email", "").lower()
        if not code:
            error(row, "code", _("The staff code is missing."))
        elif code in seen_codes:
            error(
                row,
                "code",
                _("The staff code %(code)s is already used on row %(row)s.")
                % {"code": code, "row": seen_codes[code]},
            )
        else:
            seen_codes[code] = row
        if not values.get("full_name"):
            error(row, "full_name", _("The full name is missing."))
        elif len(values["full_name"]) > 120:
            error(row, "full_name", _("The full name is longer than 120 characters."))
        category = values.get("category", "")
        if not category:
            error(row, "category", _("The category is missing."))
        elif fold(category) not in CATEGORY_WORDS:
            error(
                row,
                "category",
                _(
                    "“%(value)s” is not a category; write Cán bộ, Công chức, Viên chức "
                    "or Người lao động."
                )
                % {"value": category},
            )
        unit_name = values.get("unit", "")
        if unit_name and fold(unit_name) not in units:
            error(
                row,
                "unit",
                _("The agency has no unit named “%(value)s”.") % {"value": unit_name},
            )
        if len(values.get("position", "")) > 120:
            error(row, "position", _("The position is longer than 120 characters."))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error(row, "email", _("“%(value)s” is not an e-mail address.") % {"value": email})
            else:
                owner = people_by_code.get(code)
                used_by_other = emails_in_use.get(email, code) != code or (
                    email in accounts
                    and not (owner and owner.user and owner.email.lower() == email)
                )
                if email in seen_emails:
                    error(
                        row,
                        "email",
                        _("The e-mail %(email)s is already used on row %(row)s.")
                        % {"email": email, "row": seen_emails[email]},
                    )
                elif used_by_other:
                    error(
                        row,
                        "email",
                        _("The e-mail %(email)s belongs to another person.") % {"email": email},
                    )
                seen_emails[email] = row
        phone = values.get("phone", "")
        if phone and not PHONE.match(phone):
            error(row, "phone", _("“%(value)s” is not a phone number.") % {"value": phone})
    return result


def import_people(*, actor: User, agency: Agency, upload) -> ImportResult:
    """Check the whole file; save it only if every row is good. Raises ImportFileError."""
    rows = read_rows(upload)
    result = check_rows(agency, rows)
    if not result.ok:
        return result
    units = {}
    for unit in Unit.objects.filter(agency=agency, dissolved_on__isnull=True):
        units.setdefault(fold(unit.name), unit)
        if unit.short_name:
            units.setdefault(fold(unit.short_name), unit)
    with transaction.atomic():
        positions = {fold(p.name): p for p in Position.objects.filter(agency=agency)}
        existing = {p.code: p for p in Person.objects.filter(agency=agency).exclude(code="")}
        for _row, values in rows:
            position = None
            if values.get("position"):
                key = fold(values["position"])
                if key not in positions:
                    positions[key] = services.position_create(
                        actor=actor, agency=agency, name=values["position"]
                    )
                    result.new_positions.append(values["position"])
                position = positions[key]
            data = {
                "full_name": values["full_name"],
                "category": CATEGORY_WORDS[fold(values["category"])],
                "unit": units.get(fold(values.get("unit", ""))),
                "position": position,
                "email": values.get("email", ""),
                "phone": values.get("phone", ""),
            }
            person = existing.get(values["code"])
            if person is None:
                services.person_create(actor=actor, agency=agency, code=values["code"], **data)
                result.created += 1
                continue
            before = {name: getattr(person, name) for name in data}
            if before == data and person.is_active:
                result.unchanged += 1
                continue
            services.person_update(actor=actor, person=person, is_active=True, **data)
            result.updated += 1
        audit_record(
            actor=actor,
            action="people_import",
            target=agency,
            changes={
                "file": upload.name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def template_workbook() -> bytes:
    """The import template: the header row, and a second sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("People")
    sheet.append([str(label) + (" *" if required else "") for _n, label, required in COLUMNS])
    for index, width in enumerate((14, 28, 32, 22, 18, 30, 16), start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    guide = workbook.create_sheet(_("Guide"))
    guide.append([_("Column"), _("What to write")])
    for row in column_guide():
        guide.append(row)
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def column_guide() -> list[tuple[str, str]]:
    return [
        (
            column_label("code"),
            _("Required. The agency's own code for the person; the import matches people by it."),
        ),
        (column_label("full_name"), _("Required. Full name with diacritics.")),
        (
            column_label("unit"),
            _("Name or abbreviation of an existing unit; empty for people of the agency itself."),
        ),
        (column_label("position"), _("A new position is created if the agency lacks it.")),
        (
            column_label("category"),
            _("Required. Cán bộ, Công chức, Viên chức or Người lao động."),
        ),
        (column_label("email"), _("Optional. With it, the person can sign in to Loa.")),
        (column_label("phone"), _("Optional.")),
    ]
