"""Every change to plans, their tasks and evidence: one transaction, one audit row each."""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.core.models import User
from loa.core.services import audit_record, changed_fields
from loa.core.text import fold
from loa.library.files import AttachmentError, check_photo_or_document
from loa.library.models import Document
from loa.org.models import Agency, Unit
from loa.plans import permissions
from loa.plans.models import (
    CommunicationForm,
    Evidence,
    Plan,
    PlanStatus,
    Recurrence,
    Task,
    TaskStatus,
    Topic,
)

PLAN_LOCKED = _("The plan is no longer a draft: make a new revision to change it.")
WRONG_STEP = _("A plan that is “%(status)s” cannot be %(action)s.")
PLAN_NEEDS_TASKS = _("A plan needs at least one task before it is submitted.")
OVERRIDE_NEEDS_REASON = _("Say why the status is set by hand.")
EVIDENCE_NEEDS_NOTE = _("Say what this evidence shows.")
UNIT_OTHER_AGENCY = _("The unit must belong to the plan's agency.")
TASK_HAS_EVIDENCE = _("A task that has evidence cannot be removed.")
PLAN_NOT_RUNNING = _("Evidence and statuses are recorded once the plan is approved.")
UNIT_NOT_ON_TASK = _("The task is not given to that unit.")
FILE_REFUSED = _("The file %(name)s was refused: %(reason)s")

HEADER_FIELDS = (
    "year",
    "title",
    "code",
    "issued_on",
    "place",
    "signer_title",
    "signer_name",
    "parent",
    "preamble",
    "purposes",
    "requirements",
    "audiences",
    "recipients",
    "closing",
)


@dataclass
class TaskData:
    """A task as the editor or the import gives it; topics and forms by their position."""

    text: str
    lead_unit: Unit | None = None
    cooperating_units: list[Unit] = field(default_factory=list)
    all_units: bool = False
    deadline: datetime.date | None = None
    recurrence: str = Recurrence.ONCE
    output: str = ""
    topic_indexes: list[int] = field(default_factory=list)
    form_indexes: list[int] = field(default_factory=list)
    task_id: int | None = None  # the task this row edits; None for a new one


@dataclass
class PlanStructure:
    topics: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    forms: list[str] = field(default_factory=list)
    tasks: list[TaskData] = field(default_factory=list)


def _require_manager(actor: User, agency_id: int) -> None:
    if not permissions.can_manage_plans(actor, agency_id):
        raise PermissionDenied


def _require_draft(plan: Plan) -> None:
    if not plan.is_editable:
        raise ValidationError(PLAN_LOCKED, code="locked")


def _write_structure(plan: Plan, structure: PlanStructure) -> None:
    """Write topics, forms and tasks. Tasks are updated in place (by `task_id`), so their
    evidence, hand-set status and addresses survive an edit; a task with evidence cannot be
    removed."""
    plan.topics.all().delete()
    plan.forms.all().delete()
    topics = [
        Topic.objects.create(plan=plan, code=code.strip(), text=text.strip(), order=i)
        for i, (code, text) in enumerate(structure.topics)
        if text.strip()
    ]
    forms = [
        CommunicationForm.objects.create(plan=plan, text=text.strip(), order=i)
        for i, text in enumerate(structure.forms)
        if text.strip()
    ]
    existing = {t.pk: t for t in plan.tasks.all()}
    kept: set[int] = set()
    for i, data in enumerate(structure.tasks):
        if not data.text.strip():
            continue
        units = [u for u in [data.lead_unit, *data.cooperating_units] if u is not None]
        if any(u.agency_id != plan.agency_id for u in units):
            raise ValidationError(UNIT_OTHER_AGENCY, code="unit")
        task = existing.get(data.task_id) if data.task_id else None
        if task is None:
            task = Task(plan=plan)
        task.text, task.order, task.lead_unit = data.text.strip(), i, data.lead_unit
        task.all_units, task.deadline = data.all_units, data.deadline
        task.recurrence, task.output = Recurrence(data.recurrence), data.output
        task.save()
        kept.add(task.pk)
        task.cooperating_units.set([u for u in data.cooperating_units if u != data.lead_unit])
        task.topics.set([topics[j] for j in data.topic_indexes if 0 <= j < len(topics)])
        task.forms.set([forms[j] for j in data.form_indexes if 0 <= j < len(forms)])
    removed = [t for pk, t in existing.items() if pk not in kept]
    if any(t.evidence.exists() for t in removed):
        raise ValidationError(TASK_HAS_EVIDENCE, code="evidence")
    for task in removed:
        task.delete()


def plan_cite(*, plan: Plan) -> None:
    """Link the library documents the plan's text cites (derived data: no audit row)."""
    from loa.library.queries import citations_in

    text = "\n".join(
        [
            plan.preamble,
            *plan.purposes,
            *plan.requirements,
            *(t.text for t in plan.topics.all()),
            *(t.text for t in plan.tasks.all()),
            plan.closing,
        ]
    )
    plan.cited_documents.set({doc for _c, doc in citations_in(text) if doc is not None})


@transaction.atomic
def plan_create(
    *, actor: User, agency: Agency, structure: PlanStructure | None = None, **header
) -> Plan:
    _require_manager(actor, agency.pk)
    plan = Plan(agency=agency, created_by=actor, **header)
    plan.full_clean(exclude=["agency", "created_by", "previous", "parent"])
    plan.save()
    _write_structure(plan, structure or PlanStructure())
    plan_cite(plan=plan)
    audit_record(actor=actor, action="plan_create", target=plan, changes={"title": plan.title})
    return plan


@transaction.atomic
def plan_update(
    *, actor: User, plan: Plan, structure: PlanStructure | None = None, **header
) -> Plan:
    _require_manager(actor, plan.agency_id)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_draft(plan)
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"plan_update got unknown fields {sorted(unknown)}")
    changes = changed_fields(plan, header)
    plan.full_clean(exclude=["agency", "created_by", "previous", "parent"])
    plan.save()
    if structure is not None:
        _write_structure(plan, structure)
        changes["structure"] = [None, f"{len(structure.tasks)} tasks"]
    plan_cite(plan=plan)
    audit_record(actor=actor, action="plan_update", target=plan, changes=changes)
    return plan


# --- life: draft → submitted → approved → published → closed -----------------------------

_STEPS = {
    "submit": ({PlanStatus.DRAFT}, PlanStatus.SUBMITTED, _("submitted")),
    "return": ({PlanStatus.SUBMITTED}, PlanStatus.DRAFT, _("returned for changes")),
    "approve": ({PlanStatus.SUBMITTED}, PlanStatus.APPROVED, _("approved")),
    "publish": ({PlanStatus.APPROVED}, PlanStatus.PUBLISHED, _("published")),
    "close": ({PlanStatus.APPROVED, PlanStatus.PUBLISHED}, PlanStatus.CLOSED, _("closed")),
}


@transaction.atomic
def _step(actor: User, plan: Plan, step: str, *, allowed: bool, note: str = "") -> Plan:
    if not allowed:
        raise PermissionDenied
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # two people pressing at once
    sources, target, verb = _STEPS[step]
    if plan.status not in sources:
        raise ValidationError(
            WRONG_STEP,
            code="step",
            params={"status": plan.get_status_display(), "action": verb},
        )
    if step == "submit" and not plan.tasks.exists():
        raise ValidationError(PLAN_NEEDS_TASKS, code="tasks")
    before = plan.status
    plan.status = target
    if step == "approve":
        plan.approved_by, plan.approved_at = actor, timezone.now()
        if plan.previous_id:  # the revision replaces the plan it revised
            Plan.objects.filter(pk=plan.previous_id).update(status=PlanStatus.SUPERSEDED)
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action=f"plan_{step}",
        target=plan,
        changes={"status": [before, target], **({"note": note} if note else {})},
    )
    return plan


def plan_submit(*, actor: User, plan: Plan) -> Plan:
    return _step(actor, plan, "submit", allowed=permissions.can_manage_plans(actor, plan.agency_id))


def plan_return(*, actor: User, plan: Plan, note: str = "") -> Plan:
    allowed = permissions.can_approve_plan(actor, plan)
    return _step(actor, plan, "return", allowed=allowed, note=note)


def plan_approve(*, actor: User, plan: Plan) -> Plan:
    return _step(actor, plan, "approve", allowed=permissions.can_approve_plan(actor, plan))


def plan_publish(*, actor: User, plan: Plan) -> Plan:
    return _step(actor, plan, "publish", allowed=permissions.can_publish_plan(actor, plan))


def plan_close(*, actor: User, plan: Plan) -> Plan:
    allowed = permissions.can_manage_plans(actor, plan.agency_id)
    return _step(actor, plan, "close", allowed=allowed)


def _structure_of(plan: Plan) -> PlanStructure:
    topics = list(plan.topics.all())
    forms = list(plan.forms.all())
    return PlanStructure(
        topics=[(t.code, t.text) for t in topics],
        forms=[f.text for f in forms],
        tasks=[
            TaskData(
                text=t.text,
                lead_unit=t.lead_unit,
                cooperating_units=list(t.cooperating_units.all()),
                all_units=t.all_units,
                deadline=t.deadline,
                recurrence=t.recurrence,
                output=t.output,
                topic_indexes=[topics.index(x) for x in t.topics.all()],
                form_indexes=[forms.index(x) for x in t.forms.all()],
                task_id=t.pk,
            )
            for t in plan.tasks.prefetch_related("cooperating_units", "topics", "forms")
        ],
    )


def _header_of(plan: Plan) -> dict:
    return {name: getattr(plan, name) for name in HEADER_FIELDS}


@transaction.atomic
def plan_new_revision(*, actor: User, plan: Plan) -> Plan:
    """An approved plan is changed only through a new revision: a draft copy of it."""
    _require_manager(actor, plan.agency_id)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_editable or hasattr(plan, "next_revision"):
        raise ValidationError(
            WRONG_STEP,
            code="step",
            params={"status": plan.get_status_display(), "action": _("revised")},
        )
    structure = _structure_of(plan)
    for task in structure.tasks:
        task.task_id = None  # the revision's own tasks
    copy = plan_create(actor=actor, agency=plan.agency, structure=structure, **_header_of(plan))
    copy.revision, copy.previous = plan.revision + 1, plan
    copy.save(update_fields=["revision", "previous"])
    # The proof goes with the work: each task's evidence and hand-set status are carried over
    # to the same task of the revision (the same stored file, not a copy of it).
    pairs = zip(plan.tasks.order_by("order", "id"), copy.tasks.order_by("order", "id"), strict=True)
    for old, new in pairs:
        for item in old.evidence.all():
            Evidence.objects.create(
                task=new,
                unit=item.unit,
                note=item.note,
                file=item.file.name,
                file_name=item.file_name,
                added_by=item.added_by,
            )
        if old.status_override:
            new.status_override, new.override_reason = old.status_override, old.override_reason
            new.override_by, new.override_at = old.override_by, old.override_at
            new.save(
                update_fields=["status_override", "override_reason", "override_by", "override_at"]
            )
    audit_record(
        actor=actor,
        action="plan_new_revision",
        target=copy,
        changes={"revision": [plan.revision, copy.revision]},
    )
    return copy


@transaction.atomic
def plan_copy_to_year(*, actor: User, plan: Plan, year: int) -> Plan:
    """Next year's plan starts as a draft copy of this one, its years moved on."""
    _require_manager(actor, plan.agency_id)
    header = _header_of(plan)
    shift = year - plan.year
    header.update(
        year=year,
        title=re.sub(rf"\b{plan.year}\b", str(year), plan.title),
        code="",
        issued_on=None,
        parent=None,
    )
    structure = _structure_of(plan)
    for task in structure.tasks:
        task.task_id = None
        if task.deadline:
            try:
                task.deadline = task.deadline.replace(year=task.deadline.year + shift)
            except ValueError:  # 29 February
                task.deadline = task.deadline.replace(year=task.deadline.year + shift, day=28)
    copy = plan_create(actor=actor, agency=plan.agency, structure=structure, **header)
    audit_record(
        actor=actor,
        action="plan_copy_to_year",
        target=copy,
        changes={"from": plan.pk, "year": year},
    )
    return copy


# --- tasks and evidence --------------------------------------------------------------------


def _unit_proved(actor: User, task: Task) -> Unit | None:
    """Whose work the evidence proves: for a task of every unit, the unit its head leads
    (the one at the top of what they head, not one of its sub-units)."""
    if not task.all_units:
        return task.lead_unit
    headed = permissions.actor_for(actor).headed_unit_ids()
    units = Unit.objects.filter(pk__in=headed, agency_id=task.plan.agency_id)
    return units.exclude(parent_id__in=headed).order_by("name").first() or units.first()


def _require_running(task: Task) -> None:
    status = Plan.objects.filter(pk=task.plan_id).values_list("status", flat=True).first()
    if status not in (PlanStatus.APPROVED, PlanStatus.PUBLISHED):
        raise ValidationError(PLAN_NOT_RUNNING, code="not_running")


@transaction.atomic
def task_override_status(*, actor: User, task: Task, status: str, reason: str) -> Task:
    _require_manager(actor, task.plan.agency_id)
    _require_running(task)
    if status and not reason.strip():
        raise ValidationError({"reason": ValidationError(OVERRIDE_NEEDS_REASON, code="reason")})
    before = task.status_override
    task.status_override = TaskStatus(status) if status else ""
    task.override_reason = reason.strip() if status else ""
    task.override_by, task.override_at = (actor, timezone.now()) if status else (None, None)
    task.save(update_fields=["status_override", "override_reason", "override_by", "override_at"])
    audit_record(
        actor=actor,
        action="task_override_status",
        target=task,
        changes={"status_override": [before, task.status_override], "reason": reason.strip()},
    )
    return task


@transaction.atomic
def evidence_add(
    *, actor: User, task: Task, note: str, upload=None, unit: Unit | None = None
) -> Evidence:
    """Evidence that the task was carried out. A unit head's evidence proves their unit's
    part; a coordinator collecting the units' reports may say which unit it proves (`unit`)."""
    if not permissions.can_add_evidence(actor, task):
        raise PermissionDenied
    _require_running(task)
    if not note.strip():
        raise ValidationError({"note": ValidationError(EVIDENCE_NEEDS_NOTE, code="note")})
    if unit is not None:
        if not permissions.can_manage_plans(actor, task.plan.agency_id):
            raise PermissionDenied
        named = {task.lead_unit_id, *task.cooperating_units.values_list("id", flat=True)}
        given = unit.agency_id == task.plan.agency_id and (task.all_units or unit.pk in named)
        if not given or not unit.is_active:
            raise ValidationError({"unit": ValidationError(UNIT_NOT_ON_TASK, code="unit")})
    evidence = Evidence(
        task=task, note=note.strip(), added_by=actor, unit=unit or _unit_proved(actor, task)
    )
    if upload is not None:
        name = (upload.name or "minh-chung").rsplit("/", 1)[-1][:200]
        try:  # judged by its content, never by its name
            evidence.file_kind = check_photo_or_document(upload).kind
        except AttachmentError as error:
            raise ValidationError(
                {"file": ValidationError(FILE_REFUSED, params={"name": name, "reason": str(error)},
                                         code="file")}
            ) from None  # fmt: skip
        evidence.file_name = name
        evidence.file.save(evidence.file_name, upload, save=False)
    evidence.save()
    changes = {"note": evidence.note[:100], "unit": evidence.unit_id}
    audit_record(actor=actor, action="evidence_add", target=task, changes=changes)
    return evidence


# --- from an imported text -----------------------------------------------------------------


def match_unit(agency: Agency, name: str) -> Unit | None:
    """The agency's unit a written name means, without regard to diacritics, dashes or case."""
    key = fold(name)
    for unit in Unit.objects.filter(agency=agency, dissolved_on__isnull=True):
        if key in (fold(unit.name), fold(unit.short_name or "\0")):
            return unit
    return None


def parent_document(citation) -> Document | None:
    from loa.library.queries import match_citations

    return match_citations([citation])[0] if citation else None


_QUARTER_ENDS = {"I": (3, 31), "II": (6, 30), "III": (9, 30), "IV": (12, 31)}


def timing(text: str, year: int) -> tuple[datetime.date | None, str]:
    """(deadline, recurrence) as a plan writes them: "Thường xuyên", "hằng quý",
    "trước ngày 15/12/2024", "Quý II/2024"."""
    folded = fold(text)
    recurrence = Recurrence.ONCE
    for words, value in (
        (("hang thang",), Recurrence.MONTHLY),
        (("hang quy",), Recurrence.QUARTERLY),
        (("hang nam",), Recurrence.YEARLY),
        (("thuong xuyen", "dinh ky", "lien tuc"), Recurrence.REGULARLY),
    ):
        if any(word in folded for word in words):
            recurrence = value
            break
    deadline = None
    if date := re.search(r"(\d{1,2})/(\d{1,2})/(20\d\d)", text):
        try:
            deadline = datetime.date(int(date[3]), int(date[2]), int(date[1]))
        except ValueError:
            deadline = None
    elif quarter := re.search(r"quý\s+(IV|III|II|I)\b(?:\D*(20\d\d))?", text, re.IGNORECASE):
        month, day = _QUARTER_ENDS[quarter[1].upper()]
        deadline = datetime.date(int(quarter[2] or year), month, day)
    return deadline, recurrence


def structure_from_parsed(agency: Agency, parsed) -> tuple[PlanStructure, list[list[str]]]:
    """The editable structure of an imported plan; and, per task, the unit names that no
    unit of the agency matched (offered for creation on the review page)."""
    from loa.plans.importing import is_generic

    year = parsed.year or timezone.localdate().year
    unknown: list[list[str]] = []
    tasks = []
    for task in parsed.tasks:
        names = [n for n in [*task.units, *task.cooperating] if not is_generic(n)]
        matched = {name: match_unit(agency, name) for name in names}
        unknown.append([name for name, unit in matched.items() if unit is None])
        leads = [u for n in task.units if not is_generic(n) and (u := matched[n]) is not None]
        helpers = [
            u for n in task.cooperating if not is_generic(n) and (u := matched[n]) is not None
        ]
        deadline, recurrence = timing(f"{task.text} {task.when or ''}", year)
        tasks.append(
            TaskData(
                text=task.text,
                lead_unit=leads[0] if leads else None,
                cooperating_units=list(dict.fromkeys(leads[1:] + helpers)),
                all_units=any(is_generic(n) for n in task.units),
                deadline=deadline,
                recurrence=recurrence,
            )
        )
    structure = PlanStructure(
        topics=[(t.code or "", t.text) for t in parsed.topics],
        forms=list(parsed.forms),
        tasks=tasks,
    )
    return structure, unknown


def header_from_parsed(parsed) -> dict:
    return {
        "year": parsed.year or timezone.localdate().year,
        "title": parsed.title[:300],
        "code": parsed.number or "",
        "issued_on": datetime.date.fromisoformat(parsed.date) if parsed.date else None,
        "place": parsed.place or "",
        "signer_title": parsed.signer.get("title") or "",
        "signer_name": parsed.signer.get("name") or "",
        "parent": parent_document(parsed.parent),
        "preamble": parsed.preamble,
        "purposes": parsed.purposes,
        "requirements": parsed.requirements,
        "audiences": parsed.audiences,
        "recipients": parsed.recipients,
        "closing": parsed.closing,
    }


def plan_create_from_parsed(*, actor: User, agency: Agency, parsed) -> Plan:
    structure, _unknown = structure_from_parsed(agency, parsed)
    return plan_create(
        actor=actor, agency=agency, structure=structure, **header_from_parsed(parsed)
    )
