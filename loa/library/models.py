"""The legal-document library: the documents a plan relies on, searchable and citable."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    CONSTITUTION = "constitution", _("Constitution")
    LEGAL_CODE = "legal_code", _("Code of law")
    LAW = "law", _("Law")
    ORDINANCE = "ordinance", _("Ordinance")
    RESOLUTION = "resolution", _("Resolution")
    JOINT_RESOLUTION = "joint_resolution", _("Joint resolution")
    DECREE = "decree", _("Decree")
    DECISION = "decision", _("Decision")
    DIRECTIVE = "directive", _("Directive")
    CIRCULAR = "circular", _("Circular")
    JOINT_CIRCULAR = "joint_circular", _("Joint circular")
    PLAN = "plan", _("Plan")
    PROGRAMME = "programme", _("Programme")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    TELEGRAM = "telegram", _("Official telegram")
    REPORT = "report", _("Report")
    NOTICE = "notice", _("Notice")
    COMMUNIQUE = "communique", _("Communiqué")
    CONCLUSION = "conclusion", _("Conclusion")
    SCHEME = "scheme", _("Scheme")
    PROJECT = "project", _("Project")
    ACTION_PLAN = "action_plan", _("Action plan")
    GUIDANCE = "guidance", _("Guidance")
    REGULATION = "regulation", _("Regulation")
    RULES = "rules", _("Rules")
    SUBMISSION = "submission", _("Submission")
    MINUTES = "minutes", _("Minutes")
    CONTRACT = "contract", _("Contract")
    INVITATION = "invitation", _("Invitation")
    OTHER = "other", _("Other document")


# The Vietnamese name of each type, as documents write it (data, not UI: it does not change
# with the interface language). The citation finder speaks these names.
VIETNAMESE_NAMES: dict[str, str] = {
    DocumentType.CONSTITUTION: "Hiến pháp",
    DocumentType.LEGAL_CODE: "Bộ luật",
    DocumentType.LAW: "Luật",
    DocumentType.ORDINANCE: "Pháp lệnh",
    DocumentType.RESOLUTION: "Nghị quyết",
    DocumentType.JOINT_RESOLUTION: "Nghị quyết liên tịch",
    DocumentType.DECREE: "Nghị định",
    DocumentType.DECISION: "Quyết định",
    DocumentType.DIRECTIVE: "Chỉ thị",
    DocumentType.CIRCULAR: "Thông tư",
    DocumentType.JOINT_CIRCULAR: "Thông tư liên tịch",
    DocumentType.PLAN: "Kế hoạch",
    DocumentType.PROGRAMME: "Chương trình",
    DocumentType.OFFICIAL_LETTER: "Công văn",
    DocumentType.TELEGRAM: "Công điện",
    DocumentType.REPORT: "Báo cáo",
    DocumentType.NOTICE: "Thông báo",
    DocumentType.COMMUNIQUE: "Thông cáo",
    DocumentType.CONCLUSION: "Kết luận",
    DocumentType.SCHEME: "Đề án",
    DocumentType.PROJECT: "Dự án",
    DocumentType.ACTION_PLAN: "Phương án",
    DocumentType.GUIDANCE: "Hướng dẫn",
    DocumentType.REGULATION: "Quy định",
    DocumentType.RULES: "Quy chế",
    DocumentType.SUBMISSION: "Tờ trình",
    DocumentType.MINUTES: "Biên bản",
    DocumentType.CONTRACT: "Hợp đồng",
    DocumentType.INVITATION: "Giấy mời",
    DocumentType.OTHER: "Văn bản",
}
TYPE_BY_VIETNAMESE_NAME = {name: key for key, name in VIETNAMESE_NAMES.items()}


class Validity(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPLACED = "replaced", _("Replaced")
    EXPIRED = "expired", _("No longer in force")


class Subject(models.Model):
    """A subject a document is about (cải cách hành chính, văn hoá công vụ …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    doc_type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices)
    code = models.CharField(
        _("number and symbol"),
        max_length=60,
        blank=True,
        help_text=_("As printed, e.g. 76/NQ-CP or 30/2020/NĐ-CP; empty if it has none."),
    )
    number = models.CharField(_("number"), max_length=10, blank=True, editable=False)
    symbol = models.CharField(_("symbol"), max_length=50, blank=True, editable=False)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200)
    title = models.TextField(_("abstract"), blank=True, help_text=_("The “trích yếu”."))
    validity = models.CharField(
        _("validity"), max_length=20, choices=Validity.choices, default=Validity.IN_FORCE
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("amended or replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    subjects = models.ManyToManyField(Subject, verbose_name=_("subjects"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Written by the services: keys that make "76/NQ‑CP" of "Chính phủ" one document however
    # it is typed, and the search index (PostgreSQL; SQLite keeps an FTS5 table beside it).
    code_key = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    issuer_key = models.CharField(max_length=200, editable=False)
    issued_year = models.PositiveSmallIntegerField(null=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)  # head (A) and body (C)
    head_vector = SearchVectorField(null=True, editable=False)  # what ranking reads: small

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code_key", "issuer_key", "issued_year"],
                condition=~Q(code_key=""),
                name="document_unique_code_issuer_year",
            ),
        ]

    def __str__(self) -> str:
        name = VIETNAMESE_NAMES.get(self.doc_type, "")
        return f"{name} {self.code}".strip() if self.code else f"{name}: {self.title[:80]}"

    @property
    def type_name(self) -> str:
        """The type as a Vietnamese document names it ("Nghị quyết")."""
        return VIETNAMESE_NAMES.get(self.doc_type, "")


class Attachment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Reading the text…")
        DONE = "done", _("Text extracted")
        FAILED = "failed", _("Text could not be read")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="library/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)  # "pdf" or "docx", from the content
    text = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
