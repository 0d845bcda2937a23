"""Every change to agencies, units, positions, people and roles goes through here.

Each function runs in one transaction, checks the rules (ValidationError with one of the
message constants below, or PermissionDenied), and leaves one audit row.
"""

import datetime
import re

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.core.models import AuditEntry, User
from loa.core.services import audit_record, changed_fields
from loa.core.text import fold, format_date, person_sort_key
from loa.org import permissions, personal_data
from loa.org.models import (
    Agency,
    AgencyVersion,
    Category,
    Change,
    Person,
    Position,
    Role,
    RoleAssignment,
    Unit,
    UnitVersion,
)
from loa.org.tree import subtree_ids

EFFECTIVE_BEFORE_LAST_CHANGE = _(
    "The date of the change must not be before %(date)s, the date of the last change."
)
AGENCY_INACTIVE = _("This agency has been dissolved or merged; it can no longer be changed.")
AGENCY_MERGE_INTO_SELF = _("An agency cannot be merged into itself.")
AGENCY_HAS_PEOPLE = _(
    "The agency still has %(count)s people working there. Move them or merge the agency instead."
)
UNIT_INACTIVE = _("This unit has been dissolved or merged; it can no longer be changed.")
UNIT_PARENT_OTHER_AGENCY = _("The parent unit must belong to the same agency.")
UNIT_PARENT_CYCLE = _("A unit cannot be placed under itself or under one of its own sub-units.")
UNIT_MERGE_INTO_SELF = _("A unit cannot be merged into itself or into one of its sub-units.")
UNIT_HAS_PEOPLE = _(
    "The unit still has %(count)s people working in it. Move them or merge the unit instead."
)
UNIT_HAS_SUBUNITS = _("The unit still has sub-units. Move, merge or dissolve them first.")
POSITION_EXISTS = _("The agency already has a position with this name.")
PERSON_UNIT_OTHER_AGENCY = _("The unit must belong to the person's agency.")
PERSON_CODE_TAKEN = _("Another person of this agency already has the staff code %(code)s.")
PERSON_EMAIL_TAKEN = _("Another account already uses the e-mail %(email)s.")
ROLE_NEEDS_UNIT = _("A unit head must be given the unit they head.")
ROLE_ALREADY_HELD = _("This person already holds this role here.")
ROLE_UNIT_OTHER_AGENCY = _("The unit must belong to the agency of the role.")
PERSON_ERASE_NEEDS_REASON = _(
    "Say why the personal data is erased, e.g. the person's request and its date."
)
PERSON_ALREADY_ERASED = _("The personal data of this person has already been erased.")
PERSON_LAST_ADMIN = _(
    "This person is the last administrator of %(agency)s. Make someone else an administrator first."
)
PERSON_ERASE_SUPERUSER = _(
    "This person's account is a system administrator's: only a system administrator can erase it."
)


# --- agencies -----------------------------------------------------------------------------


def _require_manager(actor: User, agency: Agency) -> None:
    if not permissions.can_manage_agency(actor, agency):
        raise PermissionDenied


def _check_effective(last_from: datetime.date | None, effective_on: datetime.date) -> None:
    if last_from and effective_on < last_from:
        raise ValidationError(
            EFFECTIVE_BEFORE_LAST_CHANGE, params={"date": format_date(last_from)}, code="date"
        )


def _agency_new_version(
    agency: Agency, *, effective_on: datetime.date, change: str, note: str = ""
) -> None:
    current = agency.versions.filter(valid_until__isnull=True).order_by("-valid_from").first()
    if current:
        _check_effective(current.valid_from, effective_on)
        current.valid_until = effective_on - datetime.timedelta(days=1)
        current.save(update_fields=["valid_until"])
    AgencyVersion.objects.create(
        agency=agency,
        valid_from=effective_on,
        name=agency.name,
        short_name=agency.short_name,
        province=agency.province,
        change=change,
        note=note,
    )


@transaction.atomic
def agency_create(
    *,
    actor: User,
    name: str,
    province: str,
    short_name: str = "",
    governing_body: str = "",
    established_on: datetime.date | None = None,
) -> Agency:
    if not permissions.can_create_agency(actor):
        raise PermissionDenied
    agency = Agency.objects.create(
        name=name, short_name=short_name, province=province, governing_body=governing_body
    )
    _agency_new_version(
        agency, effective_on=established_on or timezone.localdate(), change=Change.CREATED
    )
    audit_record(actor=actor, action="agency_create", target=agency, changes={"name": name})
    return agency


@transaction.atomic
def agency_rename(
    *,
    actor: User,
    agency: Agency,
    name: str,
    short_name: str,
    province: str,
    governing_body: str,
    effective_on: datetime.date,
    note: str = "",
) -> Agency:
    """Rename the agency (or record that its province changed) from `effective_on`."""
    _require_manager(actor, agency)
    if not agency.is_active:
        raise ValidationError(AGENCY_INACTIVE, code="inactive")
    changes = changed_fields(
        agency,
        {
            "name": name,
            "short_name": short_name,
            "province": province,
            "governing_body": governing_body,
        },
    )
    if not changes:
        return agency
    agency.save()
    if {"name", "short_name", "province"} & changes.keys():
        _agency_new_version(agency, effective_on=effective_on, change=Change.RENAMED, note=note)
    audit_record(actor=actor, action="agency_rename", target=agency, changes=changes)
    return agency


@transaction.atomic
def agency_merge(
    *, actor: User, agency: Agency, into: Agency, effective_on: datetime.date, note: str = ""
) -> Agency:
    """Merge `agency` into `into`: its units and people move there; its roles end."""
    _require_manager(actor, agency)
    _require_manager(actor, into)
    if agency.pk == into.pk:
        raise ValidationError(AGENCY_MERGE_INTO_SELF, code="self")
    if not agency.is_active or not into.is_active:
        raise ValidationError(AGENCY_INACTIVE, code="inactive")
    moved_units = list(agency.units.filter(dissolved_on__isnull=True))
    for unit in moved_units:
        unit.agency = into
        unit.save(update_fields=["agency"])
        _unit_new_version(unit, effective_on=effective_on, change=Change.MOVED, note=note)
    people = agency.people.all()
    moved_people = people.count()
    people.update(agency=into)
    # Positions are per agency; carry them over by name so people keep their titles.
    for position in agency.positions.all():
        target, _created = Position.objects.get_or_create(
            agency=into, name=position.name, defaults={"rank": position.rank}
        )
        Person.objects.filter(position=position).update(position=target)
    agency.role_assignments.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    agency.dissolved_on = effective_on
    agency.merged_into = into
    agency.save(update_fields=["dissolved_on", "merged_into"])
    _agency_new_version(agency, effective_on=effective_on, change=Change.MERGED, note=note)
    audit_record(
        actor=actor,
        action="agency_merge",
        target=agency,
        changes={"into": into, "units": len(moved_units), "people": moved_people},
    )
    return into


@transaction.atomic
def agency_dissolve(
    *, actor: User, agency: Agency, effective_on: datetime.date, note: str = ""
) -> Agency:
    _require_manager(actor, agency)
    if not agency.is_active:
        raise ValidationError(AGENCY_INACTIVE, code="inactive")
    working = agency.people.filter(is_active=True).count()
    if working:
        raise ValidationError(AGENCY_HAS_PEOPLE, params={"count": working}, code="people")
    for unit in agency.units.filter(dissolved_on__isnull=True):
        unit.dissolved_on = effective_on
        unit.save(update_fields=["dissolved_on"])
        _unit_new_version(unit, effective_on=effective_on, change=Change.DISSOLVED, note=note)
    agency.role_assignments.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    agency.dissolved_on = effective_on
    agency.save(update_fields=["dissolved_on"])
    _agency_new_version(agency, effective_on=effective_on, change=Change.DISSOLVED, note=note)
    audit_record(actor=actor, action="agency_dissolve", target=agency)
    return agency


# --- units --------------------------------------------------------------------------------


def _unit_new_version(
    unit: Unit, *, effective_on: datetime.date, change: str, note: str = ""
) -> None:
    current = unit.versions.filter(valid_until__isnull=True).order_by("-valid_from").first()
    if current:
        _check_effective(current.valid_from, effective_on)
        current.valid_until = effective_on - datetime.timedelta(days=1)
        current.save(update_fields=["valid_until"])
    UnitVersion.objects.create(
        unit=unit,
        valid_from=effective_on,
        name=unit.name,
        agency_id=unit.agency_id,
        parent_id=unit.parent_id,
        change=change,
        note=note,
    )


def _descendant_ids(unit: Unit) -> set[int]:
    return subtree_ids({unit.pk}, {unit.agency_id})


def _require_active_unit(unit: Unit) -> None:
    if not unit.is_active:
        raise ValidationError(UNIT_INACTIVE, code="inactive")


@transaction.atomic
def unit_create(
    *,
    actor: User,
    agency: Agency,
    name: str,
    short_name: str = "",
    parent: Unit | None = None,
    established_on: datetime.date | None = None,
) -> Unit:
    _require_manager(actor, agency)
    if not agency.is_active:
        raise ValidationError(AGENCY_INACTIVE, code="inactive")
    if parent is not None and parent.agency_id != agency.pk:
        raise ValidationError(UNIT_PARENT_OTHER_AGENCY, code="parent")
    unit = Unit.objects.create(
        agency=agency, name=name, short_name=short_name, parent=parent, search_name=fold(name)
    )
    _unit_new_version(
        unit, effective_on=established_on or timezone.localdate(), change=Change.CREATED
    )
    audit_record(actor=actor, action="unit_create", target=unit, changes={"name": name})
    return unit


@transaction.atomic
def unit_rename(
    *,
    actor: User,
    unit: Unit,
    name: str,
    short_name: str,
    effective_on: datetime.date,
    note: str = "",
) -> Unit:
    _require_manager(actor, unit.agency)
    _require_active_unit(unit)
    changes = changed_fields(unit, {"name": name, "short_name": short_name})
    if not changes:
        return unit
    unit.search_name = fold(unit.name)
    unit.save()
    if "name" in changes:
        _unit_new_version(unit, effective_on=effective_on, change=Change.RENAMED, note=note)
    audit_record(actor=actor, action="unit_rename", target=unit, changes=changes)
    return unit


@transaction.atomic
def unit_move(
    *,
    actor: User,
    unit: Unit,
    parent: Unit | None,
    effective_on: datetime.date,
    note: str = "",
) -> Unit:
    """Place the unit under another unit of its agency, or at the top (parent None)."""
    _require_manager(actor, unit.agency)
    _require_active_unit(unit)
    if parent is not None:
        _require_active_unit(parent)
        if parent.agency_id != unit.agency_id:
            raise ValidationError(UNIT_PARENT_OTHER_AGENCY, code="parent")
        if parent.pk in _descendant_ids(unit):
            raise ValidationError(UNIT_PARENT_CYCLE, code="cycle")
    changes = changed_fields(unit, {"parent": parent})
    if not changes:
        return unit
    unit.save(update_fields=["parent"])
    _unit_new_version(unit, effective_on=effective_on, change=Change.MOVED, note=note)
    audit_record(actor=actor, action="unit_move", target=unit, changes=changes)
    return unit


@transaction.atomic
def unit_merge(
    *, actor: User, unit: Unit, into: Unit, effective_on: datetime.date, note: str = ""
) -> Unit:
    """Merge `unit` into `into`: its people and sub-units move there; its heads' roles end."""
    _require_manager(actor, unit.agency)
    _require_active_unit(unit)
    _require_active_unit(into)
    if into.agency_id != unit.agency_id:
        raise ValidationError(UNIT_PARENT_OTHER_AGENCY, code="parent")
    if into.pk in _descendant_ids(unit):
        raise ValidationError(UNIT_MERGE_INTO_SELF, code="self")
    moved_people = unit.people.update(unit=into)
    for child in unit.children.filter(dissolved_on__isnull=True):
        child.parent = into
        child.save(update_fields=["parent"])
        _unit_new_version(child, effective_on=effective_on, change=Change.MOVED, note=note)
    unit.role_assignments.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    unit.dissolved_on = effective_on
    unit.merged_into = into
    unit.save(update_fields=["dissolved_on", "merged_into"])
    _unit_new_version(unit, effective_on=effective_on, change=Change.MERGED, note=note)
    audit_record(
        actor=actor,
        action="unit_merge",
        target=unit,
        changes={"into": into, "people": moved_people},
    )
    return into


@transaction.atomic
def unit_dissolve(*, actor: User, unit: Unit, effective_on: datetime.date, note: str = "") -> Unit:
    _require_manager(actor, unit.agency)
    _require_active_unit(unit)
    working = unit.people.filter(is_active=True).count()
    if working:
        raise ValidationError(UNIT_HAS_PEOPLE, params={"count": working}, code="people")
    if unit.children.filter(dissolved_on__isnull=True).exists():
        raise ValidationError(UNIT_HAS_SUBUNITS, code="children")
    unit.role_assignments.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    unit.dissolved_on = effective_on
    unit.save(update_fields=["dissolved_on"])
    _unit_new_version(unit, effective_on=effective_on, change=Change.DISSOLVED, note=note)
    audit_record(actor=actor, action="unit_dissolve", target=unit)
    return unit


# --- positions ----------------------------------------------------------------------------


@transaction.atomic
def position_create(*, actor: User, agency: Agency, name: str, rank: int = 100) -> Position:
    _require_manager(actor, agency)
    if Position.objects.filter(agency=agency, name__iexact=name).exists():
        raise ValidationError(POSITION_EXISTS, code="exists")
    position = Position.objects.create(agency=agency, name=name, rank=rank)
    audit_record(actor=actor, action="position_create", target=position, changes={"name": name})
    return position


@transaction.atomic
def position_update(*, actor: User, position: Position, name: str, rank: int) -> Position:
    _require_manager(actor, position.agency)
    taken = Position.objects.filter(agency=position.agency_id, name__iexact=name)
    if taken.exclude(pk=position.pk).exists():
        raise ValidationError(POSITION_EXISTS, code="exists")
    changes = changed_fields(position, {"name": name, "rank": rank})
    if changes:
        position.save()
        audit_record(actor=actor, action="position_update", target=position, changes=changes)
    return position


# --- people -------------------------------------------------------------------------------


def _check_person_fields(
    *, agency: Agency, unit: Unit | None, code: str, email: str, exclude: Person | None
) -> None:
    errors: dict[str, ValidationError] = {}
    if unit is not None and unit.agency_id != agency.pk:
        errors["unit"] = ValidationError(PERSON_UNIT_OTHER_AGENCY, code="unit")
    others = Person.objects.exclude(pk=exclude.pk) if exclude else Person.objects.all()
    if code and others.filter(agency=agency, code=code).exists():
        errors["code"] = ValidationError(PERSON_CODE_TAKEN, params={"code": code}, code="code")
    if email:
        users = User.objects.filter(username__iexact=email) | User.objects.filter(
            email__iexact=email
        )
        if exclude is not None and exclude.user_id:
            users = users.exclude(pk=exclude.user_id)
        if others.filter(email__iexact=email).exists() or users.exists():
            errors["email"] = ValidationError(
                PERSON_EMAIL_TAKEN, params={"email": email}, code="email"
            )
    if errors:
        raise ValidationError(errors)


def _sync_account(person: Person) -> None:
    """People with an e-mail get an account they activate by "forgot password".

    The account follows the person: someone no longer working here cannot sign in.
    """
    if person.user is not None and person.user.is_active != person.is_active:
        person.user.is_active = person.is_active
        person.user.save(update_fields=["is_active"])
    if not person.email:
        return
    if person.user_id is None:
        user = User(username=person.email.lower(), email=person.email)
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    elif person.user is not None and person.user.email != person.email:
        person.user.email = person.email
        person.user.save(update_fields=["email"])


@transaction.atomic
def person_create(
    *,
    actor: User,
    agency: Agency,
    full_name: str,
    category: str,
    unit: Unit | None = None,
    position: Position | None = None,
    code: str = "",
    email: str = "",
    phone: str = "",
    zalo_id: str = "",
    user: User | None = None,
) -> Person:
    if not permissions.can_manage_agency(actor, agency) and not (
        unit is not None and unit.pk in permissions.actor_for(actor).headed_unit_ids()
    ):
        raise PermissionDenied
    full_name = " ".join(full_name.split())
    _check_person_fields(agency=agency, unit=unit, code=code, email=email, exclude=None)
    person = Person.objects.create(
        agency=agency,
        unit=unit,
        position=position,
        category=Category(category),
        full_name=full_name,
        code=code,
        email=email,
        phone=phone,
        zalo_id=zalo_id.strip(),
        user=user,
        search_name=fold(full_name),
        sort_key=person_sort_key(full_name),
    )
    _sync_account(person)
    audit_record(
        actor=actor, action="person_create", target=person, changes={"full_name": full_name}
    )
    return person


# Fields a manager or unit head may change; a person changes only PROFILE_FIELDS of their own.
PERSON_FIELDS = (
    "full_name",
    "category",
    "unit",
    "position",
    "code",
    "email",
    "phone",
    "zalo_id",
    "is_active",
)
PROFILE_FIELDS = ("email", "phone")


@transaction.atomic
def person_update(*, actor: User, person: Person, **data) -> Person:
    """Change a person's record. Returns the person; records only what changed."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update got unknown fields {sorted(unknown)}")
    is_self = person.user_id is not None and person.user_id == actor.pk
    if not permissions.can_edit_person(actor, person):
        if not (is_self and set(data) <= set(PROFILE_FIELDS)):
            raise PermissionDenied
    new_unit = data.get("unit", person.unit)
    if (
        "unit" in data
        and new_unit is not None
        and new_unit != person.unit
        and not permissions.units_assignable_by(actor, person.agency).filter(pk=new_unit.pk)
    ):
        raise PermissionDenied
    if "full_name" in data:
        data["full_name"] = " ".join(data["full_name"].split())
    _check_person_fields(
        agency=person.agency,
        unit=new_unit,
        code=data.get("code", person.code),
        email=data.get("email", person.email),
        exclude=person,
    )
    changes = changed_fields(person, data)
    if not changes:
        return person
    person.search_name = fold(person.full_name)
    person.sort_key = person_sort_key(person.full_name)
    person.save()
    _sync_account(person)
    audit_record(actor=actor, action="person_update", target=person, changes=changes)
    return person


# --- roles --------------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *, actor: User, person: Person, role: str, agency: Agency, unit: Unit | None = None
) -> RoleAssignment:
    _require_manager(actor, agency)
    role = Role(role)
    if role == Role.UNIT_HEAD and unit is None:
        raise ValidationError({"unit": ValidationError(ROLE_NEEDS_UNIT, code="unit")})
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": ValidationError(ROLE_UNIT_OTHER_AGENCY, code="unit")})
    held = RoleAssignment.objects.filter(
        person=person, role=role, agency=agency, unit=unit, revoked_at__isnull=True
    )
    if held.exists():
        raise ValidationError(ROLE_ALREADY_HELD, code="held")
    assignment = RoleAssignment.objects.create(
        person=person, role=role, agency=agency, unit=unit, granted_by=actor
    )
    audit_record(
        actor=actor,
        action="role_grant",
        target=person,
        changes={"role": role.value, "agency": agency, "unit": unit},
    )
    if person.user is not None:
        permissions.forget_actor(person.user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    _require_manager(actor, assignment.agency)
    if assignment.revoked_at is None:
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="role_revoke",
            target=assignment.person,
            changes={"role": assignment.role, "agency": assignment.agency, "unit": assignment.unit},
        )
    return assignment


# --- personal data (Decree 13/2023/NĐ-CP) ----------------------------------------------------


def person_data_export(*, actor: User, person: Person) -> bytes:
    """Everything Loa holds about `person`, as one .zip (personal_data.as_zip). The audit row
    says that an export was made and how many records it held, not what they said."""
    if not permissions.can_manage_personal_data(actor, person):
        raise PermissionDenied
    with transaction.atomic():
        data = personal_data.collect(person)
        audit_record(
            actor=actor,
            action="person_data_export",
            target=person,
            changes={"records": data.record_count},
        )
    return personal_data.as_zip(data)


def _refuse_last_admin(person: Person) -> None:
    """An agency must keep someone who can manage it: its last active administrator (working
    here, with an account that signs in) is not erased."""
    held = RoleAssignment.objects.filter(
        person=person, role=Role.ADMIN, revoked_at__isnull=True, agency__dissolved_on__isnull=True
    ).select_related("agency")
    for assignment in held:
        admins = RoleAssignment.objects.filter(
            agency=assignment.agency_id, role=Role.ADMIN, revoked_at__isnull=True
        )
        # Two administrators erasing each other at once: the second waits, then sees the first.
        list(admins.select_for_update(of=("self",)).values_list("pk", flat=True))
        others = admins.exclude(person=person).filter(
            person__is_active=True, person__user__is_active=True
        )
        if not others.exists():
            raise ValidationError(
                PERSON_LAST_ADMIN, params={"agency": assignment.agency.name}, code="last_admin"
            )


class _Scrubber:
    """Replaces what an erased person was called and reached by, wherever it was copied into
    text: their name by the name they keep, their user name by the new one, an e-mail, phone,
    staff code or Zalo ID by a dash. Inside longer text only whole words are replaced (so that
    code "T0004" leaves "T00045" alone) and only values of 4 characters or more; a shorter
    value only where it is the whole text."""

    def __init__(self, person: Person, new_name: str, new_username: str):
        dash = personal_data.ERASED_VALUE
        user = person.user
        values = {person.phone: dash, person.code: dash, person.zalo_id: dash, person.email: dash}
        if user is not None:
            values |= {user.email: dash, user.get_full_name(): new_name}
            values[user.username] = new_username
        values[person.full_name] = new_name
        # Keyed case-blind: an address typed "DungLT@…" once is the same address.
        self.whole = {old.strip().casefold(): new for old, new in values.items() if old.strip()}
        inside = sorted((old for old in self.whole if len(old) >= 4), key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, inside)) + r")(?!\w)", re.I)
            if inside
            else None
        )

    def text(self, value: str) -> str:
        if value.strip().casefold() in self.whole:
            return self.whole[value.strip().casefold()]
        if self.pattern is None:
            return value
        dash = personal_data.ERASED_VALUE
        return self.pattern.sub(lambda m: self.whole.get(m.group(0).casefold(), dash), value)

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value


def _scrub_audit(person: Person, scrub: _Scrubber, full_name: str) -> int:
    """The audit rows keep who did what and when; what they copied of the person (their name
    in a label, their e-mail in a change, the comment they typed) is replaced. Returns how many
    rows changed."""
    rows = Q(pk__in=personal_data.audit_rows_about(person).values("pk"))
    if person.user_id:
        rows |= Q(actor_id=person.user_id)
    if len(full_name) >= 3:
        rows |= Q(target_label__contains=full_name)
    changed = []
    for entry in AuditEntry.objects.filter(rows).iterator(chunk_size=500):
        label, changes = scrub.text(entry.target_label), scrub.json(entry.changes)
        own_text = personal_data.WRITTEN_BY_PERSON_IN_AUDIT.get(entry.action, ())
        if person.user_id and entry.actor_id == person.user_id and isinstance(changes, dict):
            changes = {k: ("" if k in own_text else v) for k, v in changes.items()}
        if label != entry.target_label or changes != entry.changes:
            entry.target_label, entry.changes = label[:300], changes
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["target_label", "changes"], batch_size=500)
    return len(changed)


def _clear_written_text(person: Person) -> int:
    cleared = 0
    for label, via, text_field in personal_data.WRITTEN_BY_PERSON:
        model = personal_data.model_or_none(label)
        if model is not None:
            rows = model._default_manager.filter(**{via: person}).exclude(**{text_field: ""})
            cleared += rows.update(**{text_field: ""})
    return cleared


def _rename_sign_in_records(user: User, new_username: str) -> None:
    for _model, field_name, rows in personal_data.username_rows(user):
        try:
            with transaction.atomic():
                rows.update(**{field_name: new_username})
        except IntegrityError:  # two counters would meet under one name (axes' AccessAttempt)
            rows.delete()


def _close_account(user: User, new_username: str) -> None:
    user.username = new_username
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()  # also ends every session: they carry the password's hash
    user.save()
    if apps.is_installed("django_otp"):  # the authenticator app and backup codes go too
        import django_otp

        for device_model in django_otp.device_classes():
            device_model.objects.filter(user=user).delete()


def person_erase(*, actor: User, person: Person, reason: str) -> Person:
    """Erase the personal data of `person` (Decree 13/2023/NĐ-CP) by anonymising it.

    A public agency must keep its facts (who was sent what and acknowledged it, who attended,
    the audit log), so every row stays and every figure stays right; what made the rows point
    at someone is removed: the name becomes ERASED_NAME, e-mail, phone, staff code and Zalo ID
    are blanked, what they wrote (personal_data.WRITTEN_BY_PERSON) is blanked, their roles end,
    their account is closed and anonymised, and the audit log forgets the same values. The
    audit row of the erasure holds the reason and counts, never the erased values.
    """
    if not permissions.can_manage_personal_data(actor, person):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": ValidationError(PERSON_ERASE_NEEDS_REASON, code="reason")})
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if personal_data.erased_at(person) is not None:
            raise ValidationError(PERSON_ALREADY_ERASED, code="erased")
        user = person.user
        if user is not None and user.is_superuser and not actor.is_superuser:
            raise ValidationError(PERSON_ERASE_SUPERUSER, code="superuser")
        _refuse_last_admin(person)
        new_name = personal_data.erased_name(person)
        new_username = personal_data.username_after_erasure(person)
        scrub = _Scrubber(person, new_name, new_username)
        texts = _clear_written_text(person)
        roles = RoleAssignment.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_rows = _scrub_audit(person, scrub, person.full_name)
        person.full_name = new_name
        person.email = person.phone = person.code = person.zalo_id = ""
        person.is_active = False
        person.search_name = fold(new_name)
        person.sort_key = person_sort_key(new_name)
        person.save()
        if user is not None:
            _rename_sign_in_records(user, new_username)
            _close_account(user, new_username)
        audit_record(
            actor=actor,
            action="person_erase",
            target=person,
            changes={
                "reason": scrub.text(reason),
                "roles_revoked": roles,
                "texts_cleared": texts,
                "audit_rows_anonymised": audit_rows,
                "account_closed": user is not None,
            },
        )
    if user is not None:
        permissions.forget_actor(user)
    return person
