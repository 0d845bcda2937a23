"""Citizens' feedback: the public box (no sign-in), its follow-up page, and the agency's side:
the list, answering, the box's address and QR, and a citizen's data under Decree 13."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from loa.core import ratelimit
from loa.core.agency_choice import for_agency, pick_agency
from loa.core.forms import call_service
from loa.voices import forms, permissions, queries, services
from loa.voices.models import Feedback

PAGE_SIZE = 50


def box_url(box) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("voices:submit", args=[box.code])


# --- public ---------------------------------------------------------------------------------


@never_cache
def submit(request, code):
    box = queries.open_box(code)
    if box is None:
        raise Http404
    if not box.is_open or not box.agency.is_active:
        context = {"box": box, "closed": True}
        return render(request, "voices/submit.html", context, status=410)
    form = forms.FeedbackForm(
        request.POST if request.method == "POST" else None, request=request, box_code=box.code
    )
    if request.method == "POST" and form.is_valid():
        feedback = call_service(form, services.feedback_submit, box=box, **form.cleaned_data)
        if feedback:
            messages.success(request, _("Thank you. Your feedback has been received."))
            return redirect("voices:status", feedback.reference)
    limited = any(e.code == "rate_limited" for e in form.non_field_errors().as_data())
    status = 429 if limited else 400 if form.errors else 200
    context = {"box": box, "form": form}
    return render(request, "voices/submit.html", context, status=status)


@require_safe
@never_cache
def status(request, reference):
    feedback = get_object_or_404(
        Feedback.objects.select_related("agency"), reference=reference.upper()
    )
    context = {"feedback": feedback, "box": queries.box_of(feedback.agency)}
    response = render(request, "voices/status.html", context)
    response["X-Robots-Tag"] = "noindex"  # a citizen's page: for them, not for search engines
    return response


@require_safe
@never_cache
def lookup(request):
    """A reference typed by the citizen: their page, or a plain word on what went wrong. At
    most 30 tries an hour from one address, so references cannot be guessed by the thousand."""
    form = forms.ReferenceForm(request.GET or None)
    error, status = "", 200
    if form.is_bound:
        if not ratelimit.hit("feedback-lookup", ratelimit.client_address(request), limit=30,
                             window=60 * 60):  # fmt: skip
            error, status = _("Too many tries from your connection. Try again in an hour."), 429
        elif form.is_valid():
            reference = form.cleaned_data["reference"].upper()
            if Feedback.objects.filter(reference=reference).exists():
                return redirect("voices:status", reference)
            error = _("No feedback has this reference. Check the 10 characters and try again.")
            status = 404
        else:
            error, status = _("A reference has 10 letters and digits, e.g. D8XJNVQVSH."), 400
    context = {"error": error, "reference": request.GET.get("reference", "")[:10]}
    return render(request, "voices/lookup.html", context, status=status)


# --- the agency's side ----------------------------------------------------------------------


@login_required
@require_safe
@for_agency("voices")
def feedback_list(request):
    agency = pick_agency(request, permissions.agencies_reading_feedback(request.user))
    state = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    state = state if state in Feedback.Status.values else ""
    kind = kind if kind in Feedback.Kind.values else ""
    rows = queries.feedback_of(agency, status=state, kind=kind)
    box = queries.box_of(agency)
    context = {
        "agency": agency,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "counts": queries.counts_of(agency),
        "status": state,
        "kind": kind,
        "statuses": Feedback.Status.choices,
        "kinds": Feedback.Kind.choices,
        "box": box,
        "box_url": box_url(box) if box else "",
        "box_form": forms.BoxForm(initial={"contact_days": box.contact_days if box else 90}),
        "can_manage_box": permissions.can_manage_box(request.user, agency.pk),
        "can_manage_citizen_data": permissions.can_manage_citizen_data(request.user, agency.pk),
        "section": "voices",
    }
    return render(request, "voices/list.html", context)


def _feedback(user, pk) -> Feedback:
    """The feedback `user` may read: 404 for anyone else's."""
    return get_object_or_404(
        Feedback.objects.select_related("agency", "answered_by").filter(
            agency__in=permissions.agencies_reading_feedback(user)
        ),
        pk=pk,
    )


@login_required
def feedback_detail(request, pk):
    feedback = _feedback(request.user, pk)
    can_answer = permissions.can_answer_feedback(request.user, feedback.agency_id)
    if request.method == "POST" and not can_answer:
        raise PermissionDenied
    form = forms.AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, services.feedback_answer, actor=request.user, feedback=feedback,
            answer=form.cleaned_data["answer"],
        ):  # fmt: skip
            messages.success(request, _("The answer has been saved."))
            return redirect("voices:detail", feedback.pk)
        feedback.refresh_from_db()  # someone else's answer, shown above the kept text
    context = {
        "feedback": feedback,
        "form": form,
        "can_answer": can_answer,
        "section": "voices",
    }
    return render(request, "voices/detail.html", context, status=400 if form.errors else 200)


def _managed_box_agency(request):
    agencies = permissions.agencies_reading_feedback(request.user)
    agency = pick_agency(request, agencies)
    if not permissions.can_manage_box(request.user, agency.pk):
        raise PermissionDenied
    return agency


@login_required
@require_POST
@for_agency("voices")
def box_open(request):
    agency = _managed_box_agency(request)
    form = forms.BoxForm(request.POST)
    if form.is_valid() and call_service(
        form, services.feedback_box_open, actor=request.user, agency=agency,
        contact_days=form.cleaned_data["contact_days"],
    ):  # fmt: skip
        messages.success(request, _("The feedback box is open. Share its address or QR code."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("voices:list") + f"?agency={agency.pk}")


def _box_action(service, done: str):
    """A POST that changes an existing box (close it, give it a new address), then the list."""

    @login_required
    @require_POST
    @for_agency("voices")
    def view(request):
        agency = _managed_box_agency(request)
        box = queries.box_of(agency)
        if box is None:
            raise Http404
        service(actor=request.user, box=box)
        messages.success(request, done)
        return redirect(reverse("voices:list") + f"?agency={agency.pk}")

    return view


box_close = _box_action(
    services.feedback_box_close,
    gettext_lazy("The feedback box is closed; its address says so to visitors."),
)
box_new_address = _box_action(
    services.feedback_box_new_address,
    gettext_lazy("The box has a new address and QR code; the old ones no longer work."),
)


@login_required
@require_safe
@for_agency("voices")
def box_qr(request):
    agency = pick_agency(request, permissions.agencies_reading_feedback(request.user))
    box = queries.box_of(agency)
    if box is None:
        raise Http404
    out = io.BytesIO()
    segno.make(box_url(box), error="m").save(out, kind="svg", scale=8, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
@never_cache
@for_agency("voices")
def citizen_data(request):
    """An administrator answers a citizen's request (Decree 13) to see or erase their data.
    Every step is a POST, so the citizen's e-mail or phone stays out of addresses and logs."""
    agency = pick_agency(request, permissions.agencies_keeping_citizen_data(request.user))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    lookup = forms.CitizenLookupForm(request.POST if action in ("find", "export") else None)
    erase = forms.CitizenEraseForm(request.POST if action == "erase" else None)
    found = None
    if action == "export" and lookup.is_valid():
        data = call_service(
            lookup, services.citizen_data_export, actor=request.user, agency=agency,
            contact=lookup.cleaned_data["contact"],
        )  # fmt: skip
        if data:
            response = HttpResponse(data, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.json"'
            return response
    elif action == "erase" and erase.is_valid():
        erased = call_service(
            erase, services.citizen_data_erase, actor=request.user, agency=agency,
            contact=erase.cleaned_data["contact"], reason=erase.cleaned_data["reason"],
        )  # fmt: skip
        if erased:
            messages.success(
                request,
                _("Erased from %(count)s feedback. The rows stay, without the citizen's data.")
                % {"count": erased},
            )
            return redirect(reverse("voices:citizen_data") + f"?agency={agency.pk}")
    elif action == "find" and lookup.is_valid():
        contact = lookup.cleaned_data["contact"]
        found = list(queries.feedback_of_citizen(agency, contact))
        erase = forms.CitizenEraseForm(initial={"contact": contact})
    context = {
        "agency": agency,
        "lookup": lookup,
        "erase": erase,
        "found": found,
        "section": "voices",
    }
    failed = lookup.errors or erase.errors
    return render(request, "voices/citizen_data.html", context, status=400 if failed else 200)
