"""Periodic reports to the Department of Home Affairs: the Ministry's calendar (Quý I, 6 tháng,
Quý III, Năm) with each agency's own windows and deadlines, the reports themselves (versioned,
frozen once submitted) and their renderings as .docx and PDF."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.org.models import Agency


class PeriodKind(models.TextChoices):
    Q1 = "q1", _("First quarter")
    H1 = "h1", _("First six months")
    Q3 = "q3", _("Third quarter")
    YEAR = "year", _("Year")


class ReportingRule(models.Model):
    """An agency's own data window and deadline for one kind of report, where it departs from
    the Ministry of Home Affairs' calendar (calendar.DEFAULTS)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="reporting_rules")
    kind = models.CharField(_("report"), max_length=5, choices=PeriodKind.choices)
    starts_day = models.PositiveSmallIntegerField(_("data from: day"))
    starts_month = models.PositiveSmallIntegerField(_("data from: month"))
    starts_previous_year = models.BooleanField(_("data from the previous year"), default=False)
    ends_day = models.PositiveSmallIntegerField(_("data to: day"))
    ends_month = models.PositiveSmallIntegerField(_("data to: month"))
    due_day = models.PositiveSmallIntegerField(_("deadline: day"))
    due_month = models.PositiveSmallIntegerField(_("deadline: month"))

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="reporting_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# The narrative sections users write, in the order of the outline.
NARRATIVE = ("results", "shortcomings", "next_tasks", "proposals")


class Report(models.Model):
    """One agency's report for one period. Its figures are compiled from the records while it
    is a draft, and frozen into `figures` when it is submitted."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("report"), max_length=5, choices=PeriodKind.choices)
    window_start = models.DateField(_("data from"))
    window_end = models.DateField(_("data to"))
    due_on = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    results = models.TextField(_("results achieved"), blank=True)
    shortcomings = models.TextField(_("shortcomings and their causes"), blank=True)
    next_tasks = models.TextField(_("tasks for the next period"), blank=True)
    proposals = models.TextField(_("proposals and recommendations"), blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer"), max_length=120, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    figures = models.JSONField(default=dict, blank=True)  # frozen on submission
    number = models.CharField(_("number and symbol"), max_length=60, blank=True)
    submitted_on = models.DateField(_("date sent"), null=True, blank=True)
    recipient = models.CharField(_("sent to"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    email_to = models.EmailField(_("send by e-mail to"), blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["-year", "-due_on"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "kind"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} · {self.agency}"

    @property
    def period(self) -> str:
        """The period as the command line writes it: 2023-Q1, 2023-H1, 2023-Q3, 2023."""
        return (
            str(self.year) if self.kind == PeriodKind.YEAR else f"{self.year}-{self.kind.upper()}"
        )

    @property
    def is_frozen(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class ReportRevision(models.Model):
    """What the narrative said at each version: nothing written is lost by the next edit."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveSmallIntegerField()
    narrative = models.JSONField(default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_revision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.version}"


class RenderState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Rendering(models.Model):
    """One rendering of one version of a report: the .docx, the PDF and its pages as images,
    made by a worker, with how far it has got."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="renderings")
    version = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=RenderState.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    docx = models.FileField(upload_to="reports/%Y/", blank=True)
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    pages = models.JSONField(default=list, blank=True)  # storage names of the page images
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} v{self.version} ({self.state})"


class Inspection(models.Model):
    """The coordinator's inspection of one unit's implementation of the plan ("kiểm tra việc
    thực hiện Kế hoạch"): a checklist drawn from the unit's tasks, findings, follow-ups."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="inspections")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inspections"
    )
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="inspections")
    scheduled_on = models.DateField(_("date of the inspection"))
    conclusion = models.TextField(_("conclusion"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-scheduled_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.scheduled_on:%d/%m/%Y}"


class Finding(models.TextChoices):
    UNCHECKED = "", _("Not checked")
    MET = "met", _("Carried out")
    PARTLY = "partly", _("Partly carried out")
    NOT_MET = "not_met", _("Not carried out")


class ChecklistItem(models.Model):
    """One task of the unit, with the evidence it had when the checklist was drawn."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="+")
    evidence_count = models.PositiveIntegerField(default=0)
    finding = models.CharField(_("finding"), max_length=10, choices=Finding.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "task"], name="checklist_task_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.task}"


class FollowUp(models.Model):
    """What the inspected unit must still do, by when; open ones show on the dashboard."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(_("follow-up action"), max_length=500)
    due_on = models.DateField(_("deadline"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class DeadlineNotice(models.Model):
    """The agency's coordinators were told that a report is due soon, or late: once for each
    report and stage, so the daily job (`loa report deadlines`) never tells them twice."""

    class Stage(models.TextChoices):
        SOON = "soon", _("due soon")
        LATE = "late", _("late")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    stage = models.CharField(max_length=4, choices=Stage.choices)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind", "stage"], name="deadline_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.kind} {self.stage}"
