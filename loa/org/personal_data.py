"""The personal data Loa holds about one person (Decree 13/2023/NĐ-CP): found, and packed.

What points at a person is found by walking Django's model relations, not from a list kept by
hand: every ForeignKey, OneToOneField and ManyToManyField to `Person` or to the user model, in
every installed app. A new app's rows about people are therefore in the export (and known to
the erasure) the day the app is installed.

Two things cannot be found that way and are stated here once:
- WRITTEN_BY_PERSON: the free text a person typed themself in a row that points at them. Only
  a person can tell a field someone typed about their own matters (a delivery's comment) from
  one the agency wrote (a dispatch's message), so the erasure blanks exactly these.
- BY_USERNAME: rows that name an account by its user name instead of pointing at it
  (django-axes' sign-in attempts).

This module only reads; `services.person_data_export` and `services.person_erase` write.
"""

import datetime
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from loa.core.models import AuditEntry, User
from loa.org.models import Person, RoleAssignment

# (model label, the field pointing at the Person, the field holding what the person wrote).
# Blanked by the erasure; the rows themselves stay, since they are the facts the agency must
# keep (who was sent what, who acknowledged it and when).
WRITTEN_BY_PERSON: tuple[tuple[str, str, str], ...] = (
    # The remark typed with "Tôi đã đọc và nắm được nội dung" (outreach.delivery_acknowledge).
    ("outreach.Delivery", "person", "comment"),
)
# The same words copied into the audit rows of the person's own actions: {action: keys}.
WRITTEN_BY_PERSON_IN_AUDIT: dict[str, tuple[str, ...]] = {
    "delivery_acknowledge": ("comment",),
}
# Models that name an account by its user name: (model label, field). Skipped when the app
# is not installed.
BY_USERNAME: tuple[tuple[str, str], ...] = (
    ("axes.AccessAttempt", "username"),
    ("axes.AccessLog", "username"),
    ("axes.AccessFailureLog", "username"),
)

# Never exported, whoever's row it is: secrets (passwords, keys of authenticator apps, webhook
# secrets, feed tokens, check-in codes) are not personal data and would let the file's reader
# act as someone. A field is secret if a word of its name is one of SECRET_WORDS.
SECRET_WORDS = frozenset({"password", "secret", "token", "key", "hash"})
SECRET_FIELDS = frozenset({"checkin_code"})
# Fields that hold someone else's personal data in a row that points at the person: the
# citizen's name, contact and words in the feedback a staff member answered. Left out of that
# staff member's export; the citizen's own request is answered by voices.services.
OTHERS_DATA: dict[str, frozenset[str]] = {
    # The reference opens the citizen's public page; the answer often names them.
    "voices.feedback": frozenset(
        {"name", "email", "phone", "subject", "content", "reference", "answer", "contact_until"}
    ),
}
# Fields of a person that are derived from others (and so say nothing more).
DERIVED_PERSON_FIELDS = frozenset({"search_name", "sort_key"})

ERASED_NAME = gettext_lazy("Erased person #%(id)s")
# What replaces an erased e-mail, phone or code where it was copied into text (audit rows).
ERASED_VALUE = "—"
OTHER_PERSON = gettext_lazy("Another person #%(id)s")
OTHER_ACCOUNT = gettext_lazy("Another account #%(id)s")

FORMAT = "loa-personal-data/1"


def erased_name(person: Person) -> str:
    """The name an erased person keeps, in the agency's language (it is data, not interface)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(ERASED_NAME % {"id": person.pk})


def username_after_erasure(person: Person) -> str:
    return f"erased-{person.pk}"


def is_secret(model_field: models.Field) -> bool:
    words = set(model_field.name.lower().split("_"))
    return bool(words & SECRET_WORDS) or model_field.name in SECRET_FIELDS


def model_or_none(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:  # the app is not installed
        return None


# --- what points at a person ---------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A relation from `model` (through `field_name`) to Person or to the user model."""

    model: type[models.Model]
    field_name: str
    to_user: bool

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


# Relations the export shows in their own section (or that are the person themself).
_OWN_SECTIONS = {("org.person", "user"), ("org.roleassignment", "person")}


def links() -> list[Link]:
    """Every relation, in every installed app, that points at a Person or at an account."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:  # the same rows as the model it stands for
            continue
        for model_field in model._meta.get_fields():
            if not (model_field.is_relation and model_field.concrete):
                continue
            related = model_field.related_model
            if related is not Person and related is not User:
                continue
            link = Link(model=model, field_name=model_field.name, to_user=related is User)
            if (link.label, link.field_name) not in _OWN_SECTIONS:
                found.append(link)
    return sorted(found, key=lambda link: (link.label, link.field_name))


def rows_pointing_at(person: Person, link: Link) -> models.QuerySet | None:
    target: models.Model | None = person.user if link.to_user else person
    if target is None:
        return None
    return link.model._default_manager.filter(**{link.field_name: target}).order_by("pk")


def username_rows(user: User | None) -> Iterator[tuple[type[models.Model], str, models.QuerySet]]:
    if user is None:
        return
    names = {user.username, user.email} - {""}
    for label, field_name in BY_USERNAME:
        model = model_or_none(label)
        if model is not None:
            rows = model._default_manager.filter(**{f"{field_name}__in": names})
            yield model, field_name, rows.order_by("pk")


def audit_rows_about(person: Person) -> models.QuerySet[AuditEntry]:
    """Audit rows whose object is the person or their account (not found by the walk: the
    audit log names its object by type and id, so that the row outlives it)."""
    about = models.Q(target_type=Person._meta.label_lower, target_id=str(person.pk))
    if person.user_id:
        about |= models.Q(target_type=User._meta.label_lower, target_id=str(person.user_id))
    return AuditEntry.objects.filter(about).order_by("at", "pk")


def erased_at(person: Person) -> datetime.datetime | None:
    """When the person's personal data was erased (None: it was not)."""
    return (
        AuditEntry.objects.filter(
            action="person_erase", target_type=Person._meta.label_lower, target_id=str(person.pk)
        )
        .values_list("at", flat=True)
        .first()
    )


# --- gathering ---------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of one model: `columns` are (field name, label); each row is {"id", "fields"}."""

    key: str  # "outreach.delivery" or a section name
    title: str  # the model's verbose name, plural, for the sheet
    verbose_name: str
    via: str  # the field that points at the person ("person", "created_by")
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PersonalData:
    person: list[tuple[str, str, Any]]  # (field name, label, value)
    account: list[tuple[str, str, Any]]  # empty when the person has no account
    tables: list[Table]  # roles first, then what points at the person, then audit rows

    @property
    def record_count(self) -> int:
        return sum(len(table.rows) for table in self.tables)


class _Subject:
    """Tells the person and their account from everyone else in foreign keys."""

    def __init__(self, person: Person):
        self.person_id = person.pk
        self.user_id = person.user_id
        # Their own name and user name, read once rather than through every row's key.
        self.own: dict[tuple[Any, Any], str] = {(Person, person.pk): str(person)}
        if person.user is not None:
            self.own[(User, person.user.pk)] = str(person.user)

    def value(self, obj: models.Model, model_field: models.Field) -> Any:
        if model_field.is_relation:
            pk = getattr(obj, model_field.attname)
            if pk is None:
                return None
            related = model_field.related_model
            if related is Person and pk != self.person_id:
                return str(OTHER_PERSON % {"id": pk})  # another person's name is theirs
            if related is User and pk != self.user_id:
                return str(OTHER_ACCOUNT % {"id": pk})
            if (related, pk) in self.own:
                return self.own[(related, pk)]
            return str(getattr(obj, model_field.name))
        if model_field.choices:
            return str(getattr(obj, f"get_{model_field.name}_display")())
        return plain(getattr(obj, model_field.attname))


def plain(value: Any) -> Any:
    """A value as JSON can hold it (datetimes and dates stay objects until written)."""
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return value


def _columns(model: type[models.Model]) -> list[models.Field]:
    others = OTHERS_DATA.get(model._meta.label_lower, frozenset())
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key or is_secret(f) or f.name in others)
    ]


def _table(
    model: type[models.Model], via: str, rows: Iterable[models.Model], subject: _Subject
) -> Table:
    columns = _columns(model)
    meta = model._meta
    table = Table(
        key=meta.label_lower,
        title=str(meta.verbose_name_plural),
        verbose_name=str(meta.verbose_name),
        via=via,
        columns=[(f.name, str(f.verbose_name)) for f in columns],
    )
    for obj in rows:
        table.rows.append(
            {"id": obj.pk, "fields": {f.name: subject.value(obj, f) for f in columns}}
        )
    return table


def _joined(rows: models.QuerySet) -> models.QuerySet:
    """Select the foreign keys shown by str() in the same query (not one query per row)."""
    names = [
        f.name
        for f in _columns(rows.model)
        if f.many_to_one or f.one_to_one
        if f.related_model not in (Person, User)
    ]
    return rows.select_related(*names) if names else rows


def _redact_audit(table: Table, person: Person) -> None:
    """An audit row of the person's own actions whose object is another person or account
    names that other person: their label and changes are theirs, not this person's."""
    mine = {
        (Person._meta.label_lower, str(person.pk)),
        (User._meta.label_lower, str(person.user_id)),
    }
    others = {Person._meta.label_lower: OTHER_PERSON, User._meta.label_lower: OTHER_ACCOUNT}
    for row in table.rows:
        values = row["fields"]
        kind, pk = values.get("target_type"), values.get("target_id")
        if kind in others and (kind, pk) not in mine:
            values["target_label"] = str(others[kind] % {"id": pk})
            values["changes"] = {}


def _person_section(person: Person) -> list[tuple[str, str, Any]]:
    subject = _Subject(person)
    section = []
    for model_field in Person._meta.concrete_fields:
        if model_field.name in DERIVED_PERSON_FIELDS or is_secret(model_field):
            continue
        section.append(
            (model_field.name, str(model_field.verbose_name), subject.value(person, model_field))
        )
    history = audit_rows_about(person).filter(target_type=Person._meta.label_lower)
    first = history.values_list("at", flat=True).first()
    last = history.values_list("at", flat=True).last()
    section.append(("recorded_since", _("recorded since"), first))
    section.append(("last_changed", _("last changed"), last))
    return section


ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "last_login",
    "date_joined",
)  # never `password`: its hash is a secret, not personal data one may hand out


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _account_section(user: User | None) -> list[tuple[str, str, Any]]:
    if user is None:
        return []
    section = [(name, _label(User, name), plain(getattr(user, name))) for name in ACCOUNT_FIELDS]
    groups = ", ".join(user.groups.order_by("name").values_list("name", flat=True))
    section.append(("groups", _label(User, "groups"), groups))
    return section


def collect(person: Person) -> PersonalData:
    """Everything Loa holds about `person` and their account, as tables of plain values."""
    subject = _Subject(person)
    roles = RoleAssignment.objects.filter(person=person).select_related("agency", "unit")
    tables = [_table(RoleAssignment, "person", roles.order_by("granted_at", "pk"), subject)]
    for link in links():
        rows = rows_pointing_at(person, link)
        if rows is None:
            continue
        table = _table(link.model, link.field_name, _joined(rows), subject)
        if table.key == AuditEntry._meta.label_lower:
            _redact_audit(table, person)
        if table.rows:
            tables.append(table)
    about = _table(AuditEntry, "target", audit_rows_about(person), subject)
    about.key = "audit_about"
    about.title = _("Audit entries about them")
    if about.rows:
        tables.append(about)
    for model, field_name, rows in username_rows(person.user):
        table = _table(model, field_name, rows, subject)
        if table.rows:
            tables.append(table)
    return PersonalData(
        person=_person_section(person), account=_account_section(person.user), tables=tables
    )


# --- packing -------------------------------------------------------------------------------


def as_json(data: PersonalData) -> bytes:
    document = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "person": {name: value for name, _label, value in data.person},
        "account": {name: value for name, _label, value in data.account} or None,
        "records": [
            {
                "model": table.key,
                "verbose_name": table.verbose_name,
                "via": table.via,
                "rows": table.rows,
            }
            for table in data.tables
        ],
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if value is None or isinstance(value, str | int | float | bool | datetime.date):
        return value
    return str(value)


def _sheet_title(title: str, taken: set[str]) -> str:
    base = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:28] or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base} {n}"
    taken.add(name.lower())
    return name


def as_xlsx(data: PersonalData) -> bytes:
    """The same data for people to read: the person and the account as two columns, then one
    sheet per kind of record. What people typed stays text, never a formula."""
    workbook = Workbook()
    taken: set[str] = set()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Person"), taken)
    for _name, label, value in data.person:
        sheet.append([label, _cell(value)])
    if data.account:
        sheet = workbook.create_sheet(_sheet_title(_("Account"), taken))
        for _name, label, value in data.account:
            sheet.append([label, _cell(value)])
    for table in data.tables:
        sheet = workbook.create_sheet(_sheet_title(table.title.capitalize(), taken))
        sheet.append(["id", *(label for _name, label in table.columns)])
        for row in table.rows:
            sheet.append([row["id"], *(_cell(row["fields"][n]) for n, _label in table.columns)])
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                elif isinstance(cell.value, datetime.datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(cell.value, datetime.date):
                    cell.number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_zip(data: PersonalData) -> bytes:
    """One .zip: data.json (every value, for machines) and data.xlsx (the same, for people)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", as_json(data))
        archive.writestr("data.xlsx", as_xlsx(data))
    return out.getvalue()


def export_filename(person: Person) -> str:
    return f"loa-du-lieu-ca-nhan-{person.pk}.zip"
