"""Dispatches: documents sent to an audience, and one delivery per person who was asked to
read and acknowledge them. The audience is frozen into deliveries when the dispatch is sent,
so later staff changes never rewrite who was asked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.library.models import Document
from loa.org.models import Agency, Person, Unit
from loa.plans.models import Task, Topic


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    ZALO = "zalo", _("Zalo group")  # a tracked link pasted into the group, opened by people
    ZALO_OA = "zalo_oa", _("Zalo Official Account")  # a message from the agency's OA


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
    topics = models.ManyToManyField(
        Topic, verbose_name=_("content topics"), blank=True, related_name="dispatches"
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


class DispatchFile(models.Model):
    """A file sent with a dispatch that is not a library document (a slide deck, a leaflet).
    Checked by its content like library attachments: PDF or .docx only."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="outreach/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    kind = models.CharField(max_length=10)  # "pdf" or "docx", from the content
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["dispatch", "id"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One person asked to read one dispatch: when they opened it, and acknowledged it. It is in
    their inbox from the start; the messages that tell them of it (e-mail, Zalo) are its
    `messages`."""

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


class Message(models.Model):
    """One message telling one person of one delivery, through one channel that sends
    (e-mail, the Zalo Official Account): sent at most once, retried, failed with a reason."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a worker took it to send
    sent_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=80, blank=True)  # e.g. Zalo's message_id

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["delivery", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "channel"], name="message_once"),
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="message_state")]

    def __str__(self) -> str:
        return f"{self.delivery} ({self.channel})"


class ZaloAccount(models.Model):
    """The agency's Zalo Official Account, through which Loa messages the people who follow
    it. Zalo's access token lasts about an hour; the refresh token renews it (and is itself
    replaced each time)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="zalo_account")
    app_id = models.CharField(_("app ID"), max_length=40)
    secret_key = models.CharField(_("app secret key"), max_length=100)
    access_token = models.TextField(_("access token"))
    refresh_token = models.TextField(_("refresh token"))
    is_active = models.BooleanField(_("active"), default=True)
    last_status = models.CharField(_("last message"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zalo Official Account")
        verbose_name_plural = _("Zalo Official Accounts")

    def __str__(self) -> str:
        return f"Zalo OA {self.app_id}"


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
