"""Plans, their content topics, forms of communication and tasks, and the evidence for tasks.

Evidence is the spine: a task's status comes from its evidence and its deadline, not from a
checkbox. A manual override needs a reason and is recorded.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.library.models import Document
from loa.org.models import Agency, Unit


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    SUPERSEDED = "superseded", _("Replaced by a revision")


class Plan(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    code = models.CharField(_("number and symbol"), max_length=60, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer"), max_length=120, blank=True)
    parent = models.ForeignKey(
        Document,
        verbose_name=_("implements"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implementing_plans",
        help_text=_("The plan of the level above that this plan implements."),
    )
    preamble = models.TextField(_("preamble"), blank=True)
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    requirements = models.JSONField(_("requirements"), default=list, blank=True)
    audiences = models.JSONField(_("audiences"), default=list, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    closing = models.TextField(_("closing paragraph"), blank=True)
    cited_documents = models.ManyToManyField(
        Document, verbose_name=_("cited documents"), blank=True, related_name="citing_plans"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_revision"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT

    def agency_name(self) -> str:
        """The agency's name as it was on the plan's date (2023 plans keep 2023 names)."""
        return self.agency.name_on(self.issued_on or datetime.date(self.year, 1, 1))


class Topic(models.Model):
    """A content topic of the plan (nội dung tuyên truyền), lettered a, b, c, d, đ, e …"""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="topics")
    code = models.CharField(_("letter"), max_length=5, blank=True)
    text = models.TextField(_("content"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("content topic")
        verbose_name_plural = _("content topics")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code}) {self.text[:60]}" if self.code else self.text[:60]


class CommunicationForm(models.Model):
    """A form of communication (hình thức): meetings, documents sent, professional exchange."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="forms")
    text = models.TextField(_("form of communication"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("form of communication")
        verbose_name_plural = _("forms of communication")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    REGULARLY = "regularly", _("Regularly")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    YEARLY = "yearly", _("Every year")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    text = models.TextField(_("task"))
    order = models.PositiveSmallIntegerField(default=0)
    all_units = models.BooleanField(
        _("every unit"),
        default=False,
        help_text=_("“Các phòng, ban, đơn vị”: every unit leads it."),
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_tasks"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=20, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    forms = models.ManyToManyField(
        CommunicationForm, verbose_name=_("forms of communication"), blank=True
    )
    output = models.CharField(_("expected output"), max_length=300, blank=True)
    status_override = models.CharField(
        _("status set by hand"), max_length=20, choices=TaskStatus.choices, blank=True
    )
    override_reason = models.CharField(_("reason"), max_length=300, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)

    # Set by queries.tasks_with_status, not stored: derived from evidence and deadline.
    status: str

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def derived_status(
        self,
        today: datetime.date,
        evidence_count: int,
        units_done: int = 0,
        units_total: int = 0,
    ) -> str:
        """Not started, in progress, done or overdue — from evidence and deadline. A task of
        every unit is done when every unit has proved it, in progress before."""
        if self.status_override:
            return self.status_override
        if evidence_count:
            finished = not self.all_units or units_done >= units_total
            if finished and self.recurrence == Recurrence.ONCE:
                return TaskStatus.DONE
            return TaskStatus.IN_PROGRESS
        return TaskStatus.OVERDUE if self.due() < today else TaskStatus.NOT_STARTED

    def due(self) -> datetime.date:
        return self.deadline or datetime.date(self.plan.year, 12, 31)


class Evidence(models.Model):
    """Proof that a task was carried out: for now an uploaded file with a note; activities,
    dispatches, publications and reports link here as they arrive."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The unit whose work it proves (for a task of every unit)."),
    )
    note = models.TextField(_("note"))
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    # What the file's content was checked to be (jpeg, png, webp, pdf, docx); empty for the
    # files of the first release, taken unchecked.
    file_kind = models.CharField(max_length=10, blank=True, default="")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        return self.note[:80]
