"""Plan pages: the list, a plan, the editor (new, imported, draft), life-cycle steps,
tasks with their evidence, a unit head's tasks, the coverage matrix, the Decree 30 export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from loa.core.agency_choice import for_agency, pick_agency
from loa.core.uploads import too_large
from loa.library import permissions as library_permissions
from loa.library import services as library_services
from loa.library.citations import find_citations
from loa.library.files import download
from loa.library.models import TYPE_BY_VIETNAMESE_NAME, Document, DocumentType
from loa.library.queries import citations_in
from loa.org import services as org_services
from loa.org.models import Agency, Unit
from loa.org.permissions import MANAGING_ROLES, actor_for
from loa.plans import docx as plan_docx
from loa.plans import forms, importing, permissions, queries, services
from loa.plans.models import Evidence, Plan, PlanStatus, Task


def _visible_plan(user, pk) -> Plan:
    return get_object_or_404(
        permissions.plans_visible_to(user).select_related("agency", "parent", "approved_by"),
        pk=pk,
    )


def _managed_agency(request) -> Agency:
    """The agency a coordinator works for: the one the request names, or their only one;
    one who manages several is asked first (views wrapped in `for_agency`)."""
    actor = actor_for(request.user)
    managed = (
        Agency.objects.filter(dissolved_on__isnull=True)
        if actor.is_superuser
        else Agency.objects.filter(pk__in=actor.agency_ids_with(MANAGING_ROLES))
    )
    return pick_agency(request, managed.order_by("name"))


@login_required
@require_safe
def plan_list(request):
    year = request.GET.get("year", "")
    plans = queries.plans_for_list(request.user, year=int(year) if year.isdigit() else None)
    actor = actor_for(request.user)
    context = {
        "plans": plans,
        "year": year,
        "can_create": actor.is_superuser or bool(actor.agency_ids_with(MANAGING_ROLES)),
        "tasks_kind": permissions.task_list_kind(request.user),
        "section": "plans",
    }
    return render(request, "plans/list.html", context)


@login_required
@require_safe
def plan_detail(request, pk):
    plan = _visible_plan(request.user, pk)
    tasks = queries.tasks_with_status(plan.tasks.all())
    user = request.user
    context = {
        "plan": plan,
        "tasks": tasks,
        "topics": queries.topics_with_evidence(plan),
        "forms": plan.forms.all(),
        "can_manage": permissions.can_manage_plans(user, plan.agency_id),
        "can_edit": permissions.can_edit_plan(user, plan),
        "can_approve": permissions.can_approve_plan(user, plan),
        "can_publish": permissions.can_publish_plan(user, plan),
        "history": _history(plan),
        "can_add_documents": library_permissions.can_edit_library(user),
        "section": "plans",
    }
    return render(request, "plans/detail.html", context)


HISTORY_LABELS = {
    "plan_create": _("created"),
    "plan_update": _("edited"),
    "plan_submit": _("submitted for approval"),
    "plan_return": _("returned for changes"),
    "plan_approve": _("approved"),
    "plan_publish": _("published"),
    "plan_close": _("closed"),
    "plan_new_revision": _("made as a new revision"),
    "plan_copy_to_year": _("copied from last year's plan"),
}


def _history(plan: Plan):
    from loa.core.models import AuditEntry

    entries = list(
        AuditEntry.objects.filter(
            target_type="plans.plan", target_id=str(plan.pk), action__startswith="plan_"
        ).select_related("actor__person")[:30]
    )
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
    return entries


# --- the editor ----------------------------------------------------------------------------


def _units(agency: Agency):
    return Unit.objects.filter(agency=agency, dissolved_on__isnull=True).order_by("name")


def _plan_initial(header: dict, structure: services.PlanStructure) -> dict:
    return {
        **{
            k: header.get(k)
            for k in (
                "title",
                "year",
                "code",
                "issued_on",
                "place",
                "signer_title",
                "signer_name",
                "preamble",
                "closing",
            )
        },
        "parent_code": header["parent"].code if header.get("parent") else "",
        "purposes": "\n".join(header.get("purposes") or []),
        "requirements": "\n".join(header.get("requirements") or []),
        "audiences": "\n".join(header.get("audiences") or []),
        "recipients": "\n".join(header.get("recipients") or []),
        "topics": "\n".join(f"{c}) {t}" if c else t for c, t in structure.topics),
        "communication_forms": "\n".join(structure.forms),
    }


def _task_initial(structure: services.PlanStructure, unknown_by_task=None) -> list[dict]:
    rows = []
    codes = [c for c, _t in structure.topics]
    for index, task in enumerate(structure.tasks):
        unknown = (unknown_by_task or {}).get(index, "")
        rows.append(
            {
                "task_id": task.task_id,
                "text": task.text,
                "all_units": task.all_units,
                "lead_unit": task.lead_unit,
                "cooperating_units": task.cooperating_units,
                "new_unit": unknown,
                "create_unit": bool(unknown),
                "deadline": task.deadline,
                "recurrence": task.recurrence,
                "output": task.output,
                "topic_codes": ", ".join(codes[i] or str(i + 1) for i in task.topic_indexes),
                "form_numbers": ", ".join(str(i + 1) for i in task.form_indexes),
            }
        )
    return rows


def _editor(request, agency, plan_form, task_formset, *, title, action, plan=None, extra=None):
    text = "\n".join(
        [str(plan_form[name].value() or "") for name in ("preamble", "topics")]
        + [str(task_form["text"].value() or "") for task_form in task_formset]
    )
    context = {
        "agency": agency,
        "form": plan_form,
        "tasks": task_formset,
        "title": title,
        "action": action,
        "plan": plan,
        "citations": citations_in(text),
        "unplaced": request.POST.getlist("unplaced") if request.method == "POST" else [],
        "can_add_documents": library_permissions.can_edit_library(request.user),
        "section": "plans",
        **(extra or {}),
    }
    failed = plan_form.errors or any(task_formset.errors) or task_formset.non_form_errors()
    return render(request, "plans/editor.html", context, status=400 if failed else 200)


class _Invalid(Exception):
    """An error is on the form: undo everything the save did so far."""


def _save_editor(request, agency, plan_form, task_formset, plan=None) -> Plan | None:
    """Create or update a plan from the editor, all or nothing; errors go on the forms."""
    if not (plan_form.is_valid() and task_formset.is_valid()):
        return None
    try:
        with transaction.atomic():
            return _write_editor(request, agency, plan_form, task_formset, plan)
    except _Invalid:
        return None
    except ValidationError as error:
        for message in error.messages:
            plan_form.add_error(None, message)
        return None


def _write_editor(request, agency, plan_form, task_formset, plan) -> Plan:
    data = plan_form.cleaned_data
    # Cited documents ticked "add to the library" come first: the parent plan may be one.
    task_texts = [row.get("text", "") for row in task_formset.cleaned_data if row]
    _add_cited_documents(request, "\n".join([data["preamble"], data["topics"], *task_texts]))
    parent = None
    if data["parent_code"]:
        parent = Document.objects.filter(
            code_key=library_services.code_key(data["parent_code"])
        ).first()
        if parent is None:
            plan_form.add_error(
                "parent_code",
                _("The library has no document %(code)s; add it first.")
                % {"code": data["parent_code"]},
            )
            raise _Invalid
    topics = plan_form.topic_pairs()
    codes = [c for c, _t in topics]
    form_lines = forms.lines_of(data["communication_forms"])
    header = {
        "title": data["title"],
        "year": data["year"],
        "code": data["code"],
        "issued_on": data["issued_on"],
        "place": data["place"],
        "signer_title": data["signer_title"],
        "signer_name": data["signer_name"],
        "parent": parent,
        "preamble": data["preamble"],
        "purposes": forms.lines_of(data["purposes"]),
        "requirements": forms.lines_of(data["requirements"]),
        "audiences": forms.lines_of(data["audiences"]),
        "recipients": forms.lines_of(data["recipients"]),
        "closing": data["closing"],
    }
    tasks = []
    for row in task_formset.cleaned_data:
        if not row or not row.get("text", "").strip():
            continue
        lead, cooperating = row["lead_unit"], list(row["cooperating_units"])
        names = [n.strip() for n in row.get("new_unit", "").split(";") if n.strip()]
        for name in names if row.get("create_unit") else []:
            unit = services.match_unit(agency, name) or org_services.unit_create(
                actor=request.user, agency=agency, name=name
            )
            if lead is None:
                lead = unit
            elif unit != lead and unit not in cooperating:
                cooperating.append(unit)
        tasks.append(
            services.TaskData(
                task_id=row.get("task_id"),
                text=row["text"],
                lead_unit=lead,
                cooperating_units=cooperating,
                all_units=row["all_units"],
                deadline=row["deadline"],
                recurrence=row["recurrence"],
                output=row["output"],
                topic_indexes=_topic_indexes(row["topic_codes"], codes),
                form_indexes=[
                    int(n) - 1
                    for n in row["form_numbers"].replace(" ", "").split(",")
                    if n.isdigit() and 0 < int(n) <= len(form_lines)
                ],
            )
        )
    structure = services.PlanStructure(topics=topics, forms=form_lines, tasks=tasks)
    if plan is None:
        return services.plan_create(
            actor=request.user, agency=agency, structure=structure, **header
        )
    return services.plan_update(actor=request.user, plan=plan, structure=structure, **header)


def _topic_indexes(typed: str, codes: list[str]) -> list[int]:
    """Topics by letter ("a, đ") or, for topics without one, by number ("1, 3")."""
    indexes = []
    for token in (t.strip() for t in typed.split(",")):
        if token and token in codes:
            indexes.append(codes.index(token))
        elif token.isdigit() and 0 < int(token) <= len(codes):
            indexes.append(int(token) - 1)
    return indexes


def _add_cited_documents(request, text: str) -> None:
    """The cited documents the user ticked "add to the library", filled from the citation."""
    wanted = set(request.POST.getlist("add_document"))
    if not wanted or not library_permissions.can_edit_library(request.user):
        return
    import datetime

    for citation in find_citations(text):
        if citation.code not in wanted:
            continue
        wanted.discard(citation.code)
        try:
            library_services.document_create(
                actor=request.user,
                doc_type=TYPE_BY_VIETNAMESE_NAME.get(citation.type or "", DocumentType.OTHER),
                code=citation.code,
                issued_on=datetime.date.fromisoformat(citation.date) if citation.date else None,
                issuer=citation.issuer or "",
            )
        except ValidationError:  # already there, or not a well-formed symbol: nothing to add
            continue


@login_required
@for_agency("plans")
def plan_create(request):
    agency = _managed_agency(request)
    plan_form = forms.PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    tasks = forms.TaskFormSet(request.POST or None, units=_units(agency), prefix="tasks")
    if request.method == "POST":
        plan = _save_editor(request, agency, plan_form, tasks)
        if plan:
            messages.success(request, _("The draft plan has been saved."))
            return redirect("plans:detail", plan.pk)
    return _editor(
        request,
        agency,
        plan_form,
        tasks,
        title=_("New plan"),
        action=reverse("plans:create") + f"?agency={agency.pk}",
    )


@login_required
@for_agency("plans")
def plan_import(request):
    """Upload or paste a plan; Loa proposes its structure on the editor, saving nothing yet."""
    agency = _managed_agency(request)
    posted = request.method == "POST"
    form = forms.ImportForm(request.POST if posted else None, request.FILES if posted else None)
    valid = posted and form.is_valid()
    if message := too_large(request):
        form.add_error(None, message)
    elif valid:
        try:
            if form.cleaned_data["file"]:
                text = importing.read_upload(form.cleaned_data["file"])
            else:
                text = form.cleaned_data["text"]
            parsed = importing.parse(text, known_units=[u.name for u in _units(agency)])
        except importing.PlanImportError as error:
            form.add_error(None, str(error))
        else:
            structure, unknown = services.structure_from_parsed(agency, parsed)
            unknown_by_task = {i: "; ".join(names) for i, names in enumerate(unknown) if names}
            header = services.header_from_parsed(parsed)
            initial = _plan_initial(header, structure)
            if parsed.parent:  # known or not: unknown ones are offered for the library below
                initial["parent_code"] = parsed.parent.code
            plan_form = forms.PlanForm(initial=initial)
            tasks = forms.TaskFormSet(
                initial=_task_initial(structure, unknown_by_task),
                units=_units(agency),
                prefix="tasks",
            )
            return _editor(
                request,
                agency,
                plan_form,
                tasks,
                title=_("Review the imported plan"),
                action=reverse("plans:import_save") + f"?agency={agency.pk}",
                extra={
                    "unplaced": parsed.unplaced,
                    "parsed_parent": parsed.parent,
                    "same_plans": queries.same_plans(agency.pk, header["title"], header["year"]),
                },
            )
    context = {"form": form, "agency": agency, "section": "plans"}
    return render(request, "plans/import.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@for_agency("plans")
def plan_import_save(request):
    agency = _managed_agency(request)
    plan_form = forms.PlanForm(request.POST)
    tasks = forms.TaskFormSet(request.POST, units=_units(agency), prefix="tasks")
    plan = _save_editor(request, agency, plan_form, tasks)
    if plan:
        messages.success(request, _("The imported plan has been saved as a draft."))
        return redirect("plans:detail", plan.pk)
    return _editor(
        request,
        agency,
        plan_form,
        tasks,
        title=_("Review the imported plan"),
        action=reverse("plans:import_save") + f"?agency={agency.pk}",
        extra={"same_plans": _same_plans_posted(agency, plan_form)},
    )


def _same_plans_posted(agency, plan_form) -> list[Plan]:
    year = plan_form.cleaned_data.get("year") if plan_form.is_valid() else None
    return queries.same_plans(agency.pk, plan_form.data.get("title", ""), year)


@login_required
def plan_edit(request, pk):
    plan = _visible_plan(request.user, pk)
    if not permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    structure = services._structure_of(plan)
    header = services._header_of(plan)
    plan_form = forms.PlanForm(request.POST or None, initial=_plan_initial(header, structure))
    tasks = forms.TaskFormSet(
        request.POST or None,
        initial=_task_initial(structure),
        units=_units(plan.agency),
        prefix="tasks",
    )
    if request.method == "POST":
        if _save_editor(request, plan.agency, plan_form, tasks, plan=plan):
            messages.success(request, _("The changes have been saved."))
            return redirect("plans:detail", plan.pk)
    return _editor(
        request,
        plan.agency,
        plan_form,
        tasks,
        title=_("Edit the plan"),
        action=reverse("plans:edit", args=[plan.pk]),
        plan=plan,
    )


# --- life cycle ----------------------------------------------------------------------------

STEPS = {
    "submit": (services.plan_submit, _("The plan has been submitted for approval.")),
    "return": (services.plan_return, _("The plan has been returned for changes.")),
    "approve": (services.plan_approve, _("The plan has been approved.")),
    "publish": (services.plan_publish, _("The plan has been published.")),
    "close": (services.plan_close, _("The plan has been closed.")),
}


@login_required
@require_POST
def plan_step(request, pk, step):
    plan = _visible_plan(request.user, pk)
    if step not in STEPS:
        raise Http404
    service, done = STEPS[step]
    extra = {"note": request.POST.get("note", "").strip()[:500]} if step == "return" else {}
    try:
        service(actor=request.user, plan=plan, **extra)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("plans:detail", plan.pk)


@login_required
@require_POST
def plan_revise(request, pk):
    plan = _visible_plan(request.user, pk)
    try:
        copy = services.plan_new_revision(actor=request.user, plan=plan)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("plans:detail", plan.pk)
    messages.success(
        request,
        _("Revision %(n)s is a draft: change it, then submit it again.") % {"n": copy.revision},
    )
    return redirect("plans:edit", copy.pk)


@login_required
@require_POST
def plan_copy(request, pk):
    plan = _visible_plan(request.user, pk)
    copy = services.plan_copy_to_year(actor=request.user, plan=plan, year=plan.year + 1)
    messages.success(
        request, _("A draft for %(year)s has been made from this plan.") % {"year": copy.year}
    )
    return redirect("plans:edit", copy.pk)


@login_required
@require_safe
def plan_export(request, pk):
    plan = _visible_plan(request.user, pk)
    data = plan_docx.render_plan(plan)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"ke-hoach-{plan.year}-{plan.pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def plan_coverage(request, pk):
    plan = _visible_plan(request.user, pk)
    context = {"plan": plan, "coverage": queries.coverage(plan), "section": "plans"}
    return render(request, "plans/coverage.html", context)


# --- tasks and evidence --------------------------------------------------------------------


def _visible_task(user, pk) -> Task:
    task = get_object_or_404(Task.objects.select_related("plan", "lead_unit"), pk=pk)
    _visible_plan(user, task.plan_id)
    return task


@login_required
def task_detail(request, pk):
    task = _visible_task(request.user, pk)
    can_manage = permissions.can_manage_plans(request.user, task.plan.agency_id)
    # A coordinator records the units' reports for a task of every unit, unit by unit.
    units = _units(task.plan.agency) if can_manage and task.all_units else None
    evidence_form = forms.EvidenceForm(prefix="evidence", units=units)
    override_form = forms.OverrideForm(
        prefix="override",
        initial={"status": task.status_override, "reason": task.override_reason},
    )
    if request.method == "POST":
        if message := too_large(request):
            evidence_form = forms.EvidenceForm(request.POST, prefix="evidence", units=units)
            evidence_form.is_valid()
            evidence_form.add_error(None, message)
        elif "evidence-note" in request.POST:
            evidence_form = forms.EvidenceForm(
                request.POST, request.FILES, prefix="evidence", units=units
            )
            if evidence_form.is_valid():
                try:
                    services.evidence_add(
                        actor=request.user,
                        task=task,
                        note=evidence_form.cleaned_data["note"],
                        upload=evidence_form.cleaned_data["file"],
                        unit=evidence_form.cleaned_data.get("unit"),
                    )
                except ValidationError as error:
                    evidence_form.add_error(None, error)
                else:
                    messages.success(request, _("The evidence has been added."))
                    return redirect("plans:task", task.pk)
        else:
            override_form = forms.OverrideForm(request.POST, prefix="override")
            if override_form.is_valid():
                try:
                    services.task_override_status(
                        actor=request.user, task=task, **override_form.cleaned_data
                    )
                except ValidationError as error:
                    override_form.add_error(None, error)
                else:
                    messages.success(request, _("The status has been recorded."))
                    return redirect("plans:task", task.pk)
    [task_row] = queries.tasks_with_status(Task.objects.filter(pk=task.pk))
    context = {
        "task": task_row,
        "plan": task.plan,
        "evidence": task.evidence.select_related("added_by__person", "unit"),
        "evidence_form": evidence_form,
        "override_form": override_form,
        "running": task.plan.status in (PlanStatus.APPROVED, PlanStatus.PUBLISHED),
        "can_add_evidence": permissions.can_add_evidence(request.user, task),
        "can_override": can_manage,
        "can_add_documents": library_permissions.can_edit_library(request.user),
        "section": "plans",
    }
    failed = evidence_form.errors or override_form.errors
    return render(request, "plans/task.html", context, status=400 if failed else 200)


@login_required
@require_safe
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("task"), pk=pk)
    _visible_plan(request.user, evidence.task.plan_id)
    if not evidence.file:
        raise Http404
    if evidence.file_kind:  # served as what its content was checked to be
        return download(evidence.file, evidence.file_name, evidence.file_kind)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name)


@login_required
@require_safe
def my_tasks(request):
    context = {
        "tasks": queries.tasks_to_do(request.user),
        "kind": permissions.task_list_kind(request.user),
        "section": "plans",
    }
    return render(request, "plans/my_tasks.html", context)
