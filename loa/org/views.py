"""Organisation pages: agencies and their unit trees, people, positions, roles, import.

Objects are fetched only through the helpers at the top, which answer 404 for what the
user may not see and 403 for what they may see but not change.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from loa.core.forms import call_service
from loa.core.text import as_id
from loa.core.uploads import too_large
from loa.org import forms, importing, permissions, personal_data, queries, services
from loa.org.models import Agency, Category, Person, Position, RoleAssignment, Unit

PAGE_SIZE = 50


def _visible_agency(user, pk) -> Agency:
    return get_object_or_404(permissions.agencies_visible_to(user), pk=pk)


def _managed_agency(user, pk) -> Agency:
    agency = _visible_agency(user, pk)
    if not permissions.can_manage_agency(user, agency):
        raise PermissionDenied
    return agency


def _managed_unit(user, pk) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("agency", "parent"), pk=pk)
    _managed_agency(user, unit.agency_id)
    return unit


def _visible_person(user, pk) -> Person:
    return get_object_or_404(
        permissions.people_visible_to(user).select_related("agency", "unit", "position", "user"),
        pk=pk,
    )


def _form_page(request, form, *, title, submit_label, cancel_url, breadcrumbs=(), **extra):
    context = {
        "form": form,
        "title": title,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
        "breadcrumbs": breadcrumbs,
        "section": "agencies",
        **extra,
    }
    return render(request, "core/form_page.html", context, status=400 if form.errors else 200)


def _agency_crumbs(agency: Agency):
    return [
        (reverse("org:agencies"), _("Organisation")),
        (reverse("org:agency", args=[agency.pk]), agency.name),
    ]


# --- people -------------------------------------------------------------------------------


@login_required
@require_safe
def people(request):
    if not permissions.can_list_people(request.user):
        raise PermissionDenied
    agencies = permissions.agencies_visible_to(request.user).filter(dissolved_on__isnull=True)
    wanted = request.GET.get("agency", "")
    agency = agencies.filter(pk=as_id(wanted)).first() if as_id(wanted) else None
    if agency is None and agencies.count() == 1:
        agency = agencies.first()
    unit = None
    if agency is not None and as_id(request.GET.get("unit")):
        unit = Unit.objects.filter(agency=agency, pk=as_id(request.GET["unit"])).first()
    search = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    found = queries.people_for_list(
        request.user, search=search, agency=agency, unit=unit, category=category
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    # The filter offers the units whose people this user sees (a unit head: their own).
    seen_units = (
        set(permissions.actor_for(request.user).headed_unit_ids())
        if agency is not None and not permissions.can_read_agency_people(request.user, agency)
        else None
    )
    units = [
        (node.unit, "– " * depth + node.unit.name)
        for depth, node in (queries.flatten_tree(queries.unit_tree(agency)) if agency else [])
        if seen_units is None or node.unit.pk in seen_units
    ]
    context = {
        "page": page,
        "search": search,
        "agency": agency,
        "agencies": agencies,
        "unit": unit,
        "units": units,
        "category": category,
        "categories": Category.choices,
        "can_create": agency is not None
        and permissions.units_assignable_by(request.user, agency).exists(),
        "can_import": agency is not None and permissions.can_import_people(request.user, agency),
        "section": "people",
    }
    template = "org/people.html#results" if request.htmx else "org/people.html"
    return render(request, template, context)


@login_required
@require_safe
def person_detail(request, pk):
    person = _visible_person(request.user, pk)
    roles = person.roles.filter(revoked_at__isnull=True).select_related("agency", "unit")
    can_manage_personal_data = permissions.can_manage_personal_data(request.user, person)
    context = {
        "person": person,
        "roles": roles,
        "can_edit": permissions.can_edit_person(request.user, person),
        "can_manage_roles": permissions.can_manage_roles(request.user, person.agency),
        "can_manage_personal_data": can_manage_personal_data,
        "erased_at": personal_data.erased_at(person) if can_manage_personal_data else None,
        "section": "people",
    }
    return render(request, "org/person_detail.html", context)


def _personal_data_person(user, pk) -> Person:
    """The person whose personal data `user` exports or erases: 404 for a person they may not
    see (another agency's), 403 for one they see but may not (a coordinator, a unit head)."""
    person = _visible_person(user, pk)
    if not permissions.can_manage_personal_data(user, person):
        raise PermissionDenied
    return person


@login_required
@require_POST
def person_data_export(request, pk):
    """A POST, not a link: the export leaves an audit row, and no other site may cause one."""
    person = _personal_data_person(request.user, pk)
    content = services.person_data_export(actor=request.user, person=person)
    response = HttpResponse(content, content_type="application/zip")
    filename = personal_data.export_filename(person)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def person_erase(request, pk):
    person = _personal_data_person(request.user, pk)
    erased_at = personal_data.erased_at(person)
    form = forms.PersonEraseForm(request.POST or None, person=person)
    if request.method == "POST" and erased_at is None and form.is_valid():
        erased = call_service(
            form,
            services.person_erase,
            actor=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
        )
        if erased:
            messages.success(
                request,
                _("The personal data has been erased. The records stay, under the name %(name)s.")
                % {"name": erased.full_name},
            )
            return redirect("org:person", erased.pk)
    context = {
        "person": person,
        "form": form,
        "erased_at": erased_at,
        "erased_name": personal_data.erased_name(person),
        "section": "people",
    }
    return render(request, "org/person_erase.html", context, status=400 if form.errors else 200)


def _person_form(request, agency, data=None, initial=None):
    return forms.PersonForm(
        data,
        initial=initial,
        units=permissions.units_assignable_by(request.user, agency).order_by("name"),
        positions=Position.objects.filter(agency=agency),
    )


@login_required
def person_create(request, agency_pk):
    agency = _visible_agency(request.user, agency_pk)
    if not permissions.units_assignable_by(request.user, agency).exists():
        raise PermissionDenied
    form = _person_form(request, agency, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
        person = call_service(
            form, services.person_create, actor=request.user, agency=agency, **data
        )
        if person:
            messages.success(request, _("%(name)s has been added.") % {"name": person.full_name})
            return redirect("org:person", person.pk)
    return _form_page(
        request,
        form,
        title=_("Add a person"),
        submit_label=_("Add"),
        cancel_url=reverse("org:people"),
        breadcrumbs=[(reverse("org:people"), _("People"))],
        section="people",
    )


@login_required
def person_edit(request, pk):
    person = _visible_person(request.user, pk)
    if not permissions.can_edit_person(request.user, person):
        raise PermissionDenied
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = _person_form(request, person.agency, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.person_update, actor=request.user, person=person, **form.cleaned_data
        ):
            messages.success(request, _("The changes have been saved."))
            return redirect("org:person", person.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": person.full_name},
        submit_label=_("Save"),
        cancel_url=reverse("org:person", args=[person.pk]),
        breadcrumbs=[(reverse("org:people"), _("People"))],
        section="people",
    )


@login_required
def profile(request):
    person = permissions.actor_for(request.user).person
    if person is None:
        raise Http404
    form = forms.ProfileForm(
        request.POST or None, initial={"email": person.email, "phone": person.phone}
    )
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.person_update, actor=request.user, person=person, **form.cleaned_data
        ):
            messages.success(request, _("Your profile has been saved."))
            return redirect("org:profile")
    context = {"person": person, "form": form, "section": "profile"}
    return render(request, "org/profile.html", context, status=400 if form.errors else 200)


@login_required
def people_import(request, agency_pk):
    agency = _visible_agency(request.user, agency_pk)
    if not permissions.can_import_people(request.user, agency):
        raise PermissionDenied
    posted = request.method == "POST"
    form = forms.ImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    valid = posted and form.is_valid()
    if message := too_large(request):
        form.add_error(None, message)
    elif valid:
        try:
            result = importing.import_people(
                actor=request.user, agency=agency, upload=form.cleaned_data["file"]
            )
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if result.ok:
                messages.success(
                    request,
                    _(
                        "Import finished: %(created)s added, %(updated)s updated, "
                        "%(unchanged)s unchanged."
                    )
                    % vars(result),
                )
                return redirect(f"{reverse('org:people')}?agency={agency.pk}")
    context = {
        "agency": agency,
        "form": form,
        "result": result,
        "guide": importing.column_guide(),
        "section": "people",
    }
    failed = form.errors or (result is not None and not result.ok)
    return render(request, "org/people_import.html", context, status=400 if failed else 200)


@login_required
@require_safe
def people_import_template(request):
    response = HttpResponse(
        importing.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="loa-mau-nhap-can-bo.xlsx"'
    return response


# --- agencies -----------------------------------------------------------------------------


@login_required
@require_safe
def agencies(request):
    context = {
        "agencies": queries.agencies_for_list(request.user),
        "can_create": permissions.can_create_agency(request.user),
        "section": "agencies",
    }
    return render(request, "org/agencies.html", context)


@login_required
def agency_create(request):
    if not permissions.can_create_agency(request.user):
        raise PermissionDenied
    form = forms.AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency = call_service(form, services.agency_create, actor=request.user, **form.cleaned_data)
        if agency:
            return redirect("org:agency", agency.pk)
    return _form_page(
        request,
        form,
        title=_("New agency"),
        submit_label=_("Create"),
        cancel_url=reverse("org:agencies"),
        breadcrumbs=[(reverse("org:agencies"), _("Organisation"))],
    )


@login_required
@require_safe
def agency_detail(request, pk):
    agency = _visible_agency(request.user, pk)
    can_manage = permissions.can_manage_agency(request.user, agency)
    context = {
        "agency": agency,
        "tree": queries.flatten_tree(
            queries.unit_tree(agency, include_dissolved=request.GET.get("all") == "1")
        ),
        "show_dissolved": request.GET.get("all") == "1",
        "positions": agency.positions.all(),
        "roles": queries.active_roles_of_agency(agency),
        "versions": agency.versions.all(),
        "can_manage": can_manage,
        "can_read_people": permissions.can_read_agency_people(request.user, agency),
        "section": "agencies",
    }
    return render(request, "org/agency_detail.html", context)


@login_required
def agency_rename(request, pk):
    agency = _managed_agency(request.user, pk)
    initial = {
        "name": agency.name,
        "short_name": agency.short_name,
        "province": agency.province,
        "governing_body": agency.governing_body,
    }
    form = forms.AgencyRenameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.agency_rename, actor=request.user, agency=agency, **form.cleaned_data
        ):
            messages.success(request, _("The changes have been saved."))
            return redirect("org:agency", agency.pk)
    return _form_page(
        request,
        form,
        title=_("Rename or edit the agency"),
        submit_label=_("Save"),
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


@login_required
def agency_merge(request, pk):
    agency = _managed_agency(request.user, pk)
    targets = (
        permissions.agencies_visible_to(request.user)
        .filter(dissolved_on__isnull=True)
        .exclude(pk=agency.pk)
    )
    targets = [a for a in targets if permissions.can_manage_agency(request.user, a)]
    form = forms.AgencyMergeForm(
        request.POST or None, agencies=Agency.objects.filter(pk__in=[a.pk for a in targets])
    )
    if request.method == "POST" and form.is_valid():
        into = call_service(
            form, services.agency_merge, actor=request.user, agency=agency, **form.cleaned_data
        )
        if into:
            messages.success(
                request,
                _("%(old)s has been merged into %(new)s.") % {"old": agency.name, "new": into.name},
            )
            return redirect("org:agency", into.pk)
    return _form_page(
        request,
        form,
        title=_("Merge %(name)s into another agency") % {"name": agency.name},
        intro=_(
            "Its units and people move to the other agency. Its roles end. Its name stays on "
            "everything dated before the merge."
        ),
        submit_label=_("Merge"),
        submit_style="danger",
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


@login_required
def agency_dissolve(request, pk):
    agency = _managed_agency(request.user, pk)
    form = forms.DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.agency_dissolve, actor=request.user, agency=agency, **form.cleaned_data
        ):
            messages.success(request, _("%(name)s has been dissolved.") % {"name": agency.name})
            return redirect("org:agency", agency.pk)
    return _form_page(
        request,
        form,
        title=_("Dissolve %(name)s") % {"name": agency.name},
        intro=_("Only an agency with nobody working there can be dissolved. Its history stays."),
        submit_label=_("Dissolve"),
        submit_style="danger",
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


# --- units --------------------------------------------------------------------------------


@login_required
def unit_create(request, agency_pk):
    agency = _managed_agency(request.user, agency_pk)
    units = agency.units.filter(dissolved_on__isnull=True)
    initial = {"parent": request.GET.get("parent")}
    form = forms.UnitForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        unit = call_service(
            form, services.unit_create, actor=request.user, agency=agency, **form.cleaned_data
        )
        if unit:
            messages.success(request, _("%(name)s has been created.") % {"name": unit.name})
            return redirect("org:agency", agency.pk)
    return _form_page(
        request,
        form,
        title=_("New unit"),
        submit_label=_("Create"),
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


@login_required
@require_safe
def unit_detail(request, pk):
    unit = get_object_or_404(Unit.objects.select_related("agency", "parent", "merged_into"), pk=pk)
    _visible_agency(request.user, unit.agency_id)
    people = queries.people_for_list(request.user, unit=unit)
    context = {
        "unit": unit,
        "people": people,
        "versions": unit.versions.select_related("parent", "agency"),
        "can_manage": permissions.can_manage_agency(request.user, unit.agency),
        "section": "agencies",
    }
    return render(request, "org/unit_detail.html", context)


def _unit_crumbs(unit: Unit):
    return [*_agency_crumbs(unit.agency), (reverse("org:unit", args=[unit.pk]), unit.name)]


@login_required
def unit_rename(request, pk):
    unit = _managed_unit(request.user, pk)
    initial = {"name": unit.name, "short_name": unit.short_name}
    form = forms.UnitRenameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.unit_rename, actor=request.user, unit=unit, **form.cleaned_data
        ):
            messages.success(request, _("The changes have been saved."))
            return redirect("org:unit", unit.pk)
    return _form_page(
        request,
        form,
        title=_("Rename %(name)s") % {"name": unit.name},
        submit_label=_("Save"),
        cancel_url=reverse("org:unit", args=[unit.pk]),
        breadcrumbs=_unit_crumbs(unit),
    )


def _other_units(unit: Unit):
    return Unit.objects.filter(agency=unit.agency_id, dissolved_on__isnull=True).exclude(
        pk__in=services._descendant_ids(unit)
    )


@login_required
def unit_move(request, pk):
    unit = _managed_unit(request.user, pk)
    form = forms.UnitMoveForm(
        request.POST or None, initial={"parent": unit.parent_id}, units=_other_units(unit)
    )
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.unit_move, actor=request.user, unit=unit, **form.cleaned_data
        ):
            messages.success(request, _("The changes have been saved."))
            return redirect("org:unit", unit.pk)
    return _form_page(
        request,
        form,
        title=_("Move %(name)s") % {"name": unit.name},
        submit_label=_("Move"),
        cancel_url=reverse("org:unit", args=[unit.pk]),
        breadcrumbs=_unit_crumbs(unit),
    )


@login_required
def unit_merge(request, pk):
    unit = _managed_unit(request.user, pk)
    form = forms.UnitMergeForm(request.POST or None, units=_other_units(unit))
    if request.method == "POST" and form.is_valid():
        into = call_service(
            form, services.unit_merge, actor=request.user, unit=unit, **form.cleaned_data
        )
        if into:
            messages.success(
                request,
                _("%(old)s has been merged into %(new)s.") % {"old": unit.name, "new": into.name},
            )
            return redirect("org:unit", into.pk)
    return _form_page(
        request,
        form,
        title=_("Merge %(name)s into another unit") % {"name": unit.name},
        intro=_(
            "Its people and sub-units move to the other unit; its head's role ends. Its name "
            "stays on everything dated before the merge."
        ),
        submit_label=_("Merge"),
        submit_style="danger",
        cancel_url=reverse("org:unit", args=[unit.pk]),
        breadcrumbs=_unit_crumbs(unit),
    )


@login_required
def unit_dissolve(request, pk):
    unit = _managed_unit(request.user, pk)
    form = forms.DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.unit_dissolve, actor=request.user, unit=unit, **form.cleaned_data
        ):
            messages.success(request, _("%(name)s has been dissolved.") % {"name": unit.name})
            return redirect("org:agency", unit.agency_id)
    return _form_page(
        request,
        form,
        title=_("Dissolve %(name)s") % {"name": unit.name},
        intro=_("Only a unit with nobody working in it and no sub-units can be dissolved."),
        submit_label=_("Dissolve"),
        submit_style="danger",
        cancel_url=reverse("org:unit", args=[unit.pk]),
        breadcrumbs=_unit_crumbs(unit),
    )


# --- positions and roles ------------------------------------------------------------------


@login_required
def position_create(request, agency_pk):
    agency = _managed_agency(request.user, agency_pk)
    form = forms.PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.position_create, actor=request.user, agency=agency, **form.cleaned_data
        ):
            return redirect(reverse("org:agency", args=[agency.pk]) + "#positions")
    return _form_page(
        request,
        form,
        title=_("New position"),
        submit_label=_("Create"),
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


@login_required
def position_edit(request, pk):
    position = get_object_or_404(Position.objects.select_related("agency"), pk=pk)
    agency = _managed_agency(request.user, position.agency_id)
    form = forms.PositionForm(
        request.POST or None, initial={"name": position.name, "rank": position.rank}
    )
    if request.method == "POST" and form.is_valid():
        if call_service(
            form,
            services.position_update,
            actor=request.user,
            position=position,
            **form.cleaned_data,
        ):
            return redirect(reverse("org:agency", args=[agency.pk]) + "#positions")
    return _form_page(
        request,
        form,
        title=_("Edit position"),
        submit_label=_("Save"),
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


@login_required
def role_grant(request, agency_pk):
    agency = _managed_agency(request.user, agency_pk)
    form = forms.RoleGrantForm(
        request.POST or None,
        initial={"person": request.GET.get("person")},
        people=agency.people.filter(is_active=True),
        units=agency.units.filter(dissolved_on__isnull=True),
    )
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.role_grant, actor=request.user, agency=agency, **form.cleaned_data
        ):
            messages.success(request, _("The role has been granted."))
            return redirect(reverse("org:agency", args=[agency.pk]) + "#roles")
    return _form_page(
        request,
        form,
        title=_("Grant a role"),
        submit_label=_("Grant"),
        cancel_url=reverse("org:agency", args=[agency.pk]),
        breadcrumbs=_agency_crumbs(agency),
    )


@login_required
@require_POST
def role_revoke(request, pk):
    assignment = get_object_or_404(RoleAssignment.objects.select_related("agency", "person"), pk=pk)
    _managed_agency(request.user, assignment.agency_id)
    services.role_revoke(actor=request.user, assignment=assignment)
    messages.success(request, _("The role has been revoked."))
    return redirect(reverse("org:agency", args=[assignment.agency_id]) + "#roles")
