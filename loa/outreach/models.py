"""Dispatches: documents sent to an audience, and one delivery per person who was asked to
read and acknowledge them. The audience is frozen into deliveries when the dispatch is sent,
so later staff changes never rewrite who was asked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.library.models import Document
from loa.org.models import Agency, Person, Unit
from loa.plans.models import Task


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    ZALO = "zalo", _("Zalo group")


class DispatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    EMPTY = "empty", _("Sent to nobody: the audience was empty")


class Dispatch(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="dispatches"
    )
    title = models.CharField(_("title"), max_length=300)
    message = models.TextField(_("message"), blank=True)
    documents = models.ManyToManyField(Document, verbose_name=_("documents"), blank=True)
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks it serves"), blank=True, related_name="dispatches"
    )
    # The audience rules, kept as chosen: {"whole_agency", "units", "subunits",
    # "categories", "people"}; resolved into deliveries when the dispatch is sent.
    audience = models.JSONField(_("audience"), default=dict)
    channels = models.JSONField(_("channels"), default=list)
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DispatchStatus.choices, default=DispatchStatus.DRAFT
    )
    # Round 2, 3 …: everyone who acknowledged is asked to read again (a document changed).
    current_round = models.PositiveSmallIntegerField(_("round"), default=1)
    dms_number = models.CharField(
        _("number in the document-management software"),
        max_length=60,
        blank=True,
        help_text=_("The number under which the same document went out there, e.g. 125/VP-HCQT."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One person asked to read one dispatch: when they opened it, and acknowledged it."""

    class Mail(models.TextChoices):
        NONE = "none", _("No e-mail")
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="deliveries")
    round = models.PositiveSmallIntegerField(default=1)
    unit = models.ForeignKey(  # the person's unit when the dispatch was sent
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_channel = models.CharField(max_length=10, blank=True)
    opened_group = models.ForeignKey(  # the Zalo group whose link it was opened through
        "ZaloGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_channel = models.CharField(max_length=10, blank=True)
    comment = models.TextField(blank=True)
    mail = models.CharField(max_length=10, choices=Mail.choices, default=Mail.NONE)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.CharField(max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["dispatch", "id"]
        constraints = [
            # Exactly once: a worker that dies and starts again cannot make a second delivery.
            models.UniqueConstraint(fields=["dispatch", "person", "round"], name="delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} → {self.person}"


class ZaloGroup(models.Model):
    """An internal Zalo group of the agency. Zalo cannot be posted to by software: Loa makes a
    short tracked link and a QR image per dispatch for a person to paste into the group."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="zalo_groups")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("Zalo group")
        verbose_name_plural = _("Zalo groups")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="zalo_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class GroupLink(models.Model):
    """The short link of one dispatch for one Zalo group: a random code, never an id."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="group_links")
    group = models.ForeignKey(ZaloGroup, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "group"], name="group_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} → {self.group}"


class Webhook(models.Model):
    """A system that wants outreach events (the document-management software, a portal):
    Loa POSTs JSON signed with HMAC-SHA256 of the body under the webhook's secret. The secret
    is shown once, when the webhook is made, and never again."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_status = models.CharField(_("last delivery"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["agency", "id"]

    def __str__(self) -> str:
        return self.url


class AudienceGroup(models.Model):
    """An audience saved under a name, to choose again later (e.g. "Ban chấp hành chi bộ")."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="audience_groups")
    name = models.CharField(_("name"), max_length=120)
    rules = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("saved audience")
        verbose_name_plural = _("saved audiences")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="audience_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
