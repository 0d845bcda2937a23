"""Every change to agencies, units, positions, people and roles goes through here.

Each function runs in one transaction, checks the rules (ValidationError with one of the
message constants below, or PermissionDenied), and leaves one audit row.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.core.models import User
from loa.core.services import audit_record, changed_fields
from loa.core.text import fold, format_date, person_sort_key
from loa.org import permissions
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
