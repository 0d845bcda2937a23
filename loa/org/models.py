"""Agencies, their units, the people who work there and the roles they hold.

Agencies and units change over time (renamed, moved, merged, dissolved — in 2025 Vĩnh Phúc
was merged into Phú Thọ). Each change closes a *version* row and opens the next, so a plan
or report of 2023 asks `name_on(its date)` and shows the name of its time.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Change(models.TextChoices):
    CREATED = "created", _("Created")
    RENAMED = "renamed", _("Renamed")
    MOVED = "moved", _("Moved")
    MERGED = "merged", _("Merged into another")
    DISSOLVED = "dissolved", _("Dissolved")


class Agency(models.Model):
    """A public agency (cơ quan), e.g. the Office of the Provincial People's Committee."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=100)
    governing_body = models.CharField(
        _("governing body"),
        max_length=200,
        blank=True,
        help_text=_("Printed above the agency's name in documents, e.g. UBND TỈNH VĨNH PHÚC."),
    )
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_agencies",
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["province", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def name_on(self, day: datetime.date) -> str:
        version = self.versions.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()
        return version.name if version else self.name


class AgencyVersion(models.Model):
    """The agency's name and place as they were from `valid_from` until the next change."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=100)
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["agency", "valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


class Unit(models.Model):
    """A unit of an agency (phòng, ban, đơn vị); units may have sub-units."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"),
        max_length=30,
        blank=True,
        help_text=_("Abbreviation used in document symbols, e.g. HCQT."),
    )
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_units",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def name_on(self, day: datetime.date) -> str:
        version = self.versions.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()
        return version.name if version else self.name


class UnitVersion(models.Model):
    """The unit's name and place in the tree from `valid_from` until the next change."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["unit", "valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


class Position(models.Model):
    """A position (chức vụ) such as Chánh Văn phòng, Trưởng phòng, Chuyên viên."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="positions"
    )
    name = models.CharField(_("name"), max_length=120)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=100, help_text=_("Lower comes first in lists and documents.")
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["agency", "rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="position_unique_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """The four kinds of public personnel in Vietnamese law; fixed by law, so not editable."""

    CADRE = "can_bo", _("Cadre (cán bộ)")
    CIVIL_SERVANT = "cong_chuc", _("Civil servant (công chức)")
    PUBLIC_EMPLOYEE = "vien_chuc", _("Public employee (viên chức)")
    WORKER = "nguoi_lao_dong", _("Employee (người lao động)")


class Person(models.Model):
    """Someone who works in an agency: the audience of the plan and the doer of its tasks."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="people"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    full_name = models.CharField(_("full name"), max_length=120)
    code = models.CharField(
        _("staff code"),
        max_length=30,
        blank=True,
        help_text=_("The agency's own code for the person; imports match people by it."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    zalo_id = models.CharField(
        _("Zalo ID"),
        max_length=40,
        blank=True,
        help_text=_(
            "The person's user ID as a follower of the agency's Zalo Official Account "
            "(the OA's follower list shows it)."
        ),
    )
    is_active = models.BooleanField(_("working here"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # Derived on write by the services: folded for diacritic-free search, keyed for sorting.
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    sort_key = models.CharField(max_length=250, editable=False, db_index=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"],
                condition=~Q(code=""),
                name="person_code_unique_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CHIEF = "chief", _("Chief of Office")
    LEADERSHIP = "leadership", _("Office leadership")
    COORDINATOR = "coordinator", _("Plan coordinator")
    UNIT_HEAD = "unit_head", _("Unit head")
    PUBLISHER = "publisher", _("Publisher")
    APPROVER = "approver", _("Plan approver")
    PROVINCE_REVIEWER = "province_reviewer", _("Province reviewer")


class RoleAssignment(models.Model):
    """A role held in an agency, or in one unit of it (unit heads). Revoked rows stay as history."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["agency", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "agency", "unit"],
                condition=Q(revoked_at__isnull=True),
                name="role_assignment_active_unique",
            ),
            models.CheckConstraint(
                condition=~Q(role="unit_head") | Q(unit__isnull=False),
                name="role_unit_head_needs_unit",
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.agency
        return f"{self.get_role_display()} — {scope}"
