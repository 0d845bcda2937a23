"""Activities: the meetings, conferences, exchanges and posts where the plan's content was
presented, with who was expected, who attended, the minutes and the cost.

The plan's forms are "party-cell thematic meetings and agency conferences" and "professional
exchanges", and its requirement is that communication be "regular and continuous": the
calendar, attendance and each unit's cadence prove both.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.library.models import Document
from loa.org.models import Agency, Person, Unit
from loa.plans.models import Task, Topic


class ActivityType(models.Model):
    """A kind of activity, editable per agency; the first ones are those of the sample plan."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="activity_types")
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["agency", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="activity_type_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


def _checkin_code() -> str:
    return secrets.token_urlsafe(12)


class Activity(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="activities"
    )
    type = models.ForeignKey(
        ActivityType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organizer = models.ForeignKey(
        Unit,
        verbose_name=_("organizing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("content topics"), blank=True, related_name="activities"
    )
    documents = models.ManyToManyField(
        Document, verbose_name=_("documents presented"), blank=True, related_name="activities"
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks it serves"), blank=True, related_name="activities"
    )
    # Who is expected, as the rules of a dispatch's audience; frozen into attendance rows.
    audience = models.JSONField(_("expected participants"), default=dict, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)  # sanitised HTML
    cost = models.PositiveBigIntegerField(_("cost (VND)"), default=0)
    # The QR check-in link's secret: a random code, never the id.
    checkin_code = models.CharField(max_length=32, unique=True, default=_checkin_code)
    held_recorded = models.BooleanField(default=False, editable=False)  # evidence written
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["agency", "starts_at"], name="activity_agency_start"),
            models.Index(fields=["organizer", "starts_at"], name="activity_unit_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActivityFile(models.Model):
    """A photo or a file of an activity (photos: JPEG, PNG, WebP; files: PDF, .docx)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="events/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    kind = models.CharField(max_length=10)  # "jpeg", "png", "webp", "pdf", "docx"
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_photo(self) -> bool:
        return self.kind in ("jpeg", "png", "webp")


class Attendance(models.Model):
    """One person and one activity: expected or not, present or not, and how it was known."""

    class Method(models.TextChoices):
        QR = "qr", _("QR check-in")
        TICKED = "ticked", _("Ticked by the organizer")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")
    unit = models.ForeignKey(  # the person's unit at the time
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected = models.BooleanField(default=False)
    present = models.BooleanField(default=False)
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)  # changed after it ended
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["activity", "unit"], name="attendance_unit")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.person}"


class CalendarFeed(models.Model):
    """A secret iCal address for an agency's (or a unit's) activities; revocable."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="calendar_feeds")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=_checkin_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.agency} / {self.unit or '—'}"


class CadenceRule(models.Model):
    """How long a unit may go without an activity before its head and the coordinator are
    told (set per agency)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="cadence_rule")
    silent_days = models.PositiveSmallIntegerField(_("days without an activity"), default=30)

    def __str__(self) -> str:
        return f"{self.agency}: {self.silent_days}"


class CadenceAlert(models.Model):
    """A unit's head and the coordinator were told on this day that it had been silent."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="cadence_alerts")
    sent_on = models.DateField()
    last_activity_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "sent_on"], name="cadence_alert_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.sent_on}"
