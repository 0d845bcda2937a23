"""Outreach pages: dispatches and their reach, the inbox, reading and acknowledging."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from loa.core.agency_choice import for_agency, pick_agency
from loa.core.spreadsheets import xlsx_response
from loa.core.uploads import too_large
from loa.library.files import download
from loa.org.models import Agency
from loa.org.permissions import MANAGING_ROLES, actor_for, people_visible_to
from loa.outreach import forms, permissions, queries, services
from loa.outreach.models import (
    Channel,
    Delivery,
    Dispatch,
    DispatchFile,
    GroupLink,
    Webhook,
    ZaloAccount,
    ZaloGroup,
)


def _agency(request) -> Agency:
    actor = actor_for(request.user)
    managed = (
        Agency.objects.filter(dissolved_on__isnull=True)
        if actor.is_superuser
        else Agency.objects.filter(pk__in=actor.agency_ids_with(MANAGING_ROLES))
    )
    return pick_agency(request, managed)


@login_required
@require_safe
def dispatch_list(request):
    visible = permissions.dispatches_visible_to(request.user)
    actor = actor_for(request.user)
    context = {
        "dispatches": queries.dispatches_for_list(request.user, visible),
        "can_send": actor.is_superuser or bool(actor.agency_ids_with(MANAGING_ROLES)),
        "section": "outreach",
    }
    return render(request, "outreach/list.html", context)


@login_required
@for_agency("outreach")
def dispatch_create(request):
    agency = _agency(request)
    if message := too_large(request):
        messages.error(request, message)
        return redirect(reverse("outreach:create") + f"?agency={agency.pk}")
    form = forms.DispatchForm(request.POST or None, request.FILES or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the dispatch and its saved audience: both or neither
                dispatch = services.dispatch_create(
                    actor=request.user,
                    agency=agency,
                    title=form.cleaned_data["title"],
                    message=form.cleaned_data["message"],
                    audience=form.audience(),
                    channels=form.channels(),
                    documents=form.cleaned_data["document_codes"],
                    tasks=form.cleaned_data["tasks"],
                    topics=form.cleaned_data["topics"],
                    files=form.cleaned_data["files"],
                    acknowledge_by=form.cleaned_data["acknowledge_by"],
                )
                if form.cleaned_data["save_as"].strip():
                    services.audience_group_save(
                        actor=request.user,
                        agency=agency,
                        name=form.cleaned_data["save_as"],
                        rules=form.audience(),
                    )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("outreach:dispatch", dispatch.pk)
    head_count = None
    if form.is_bound and form.is_valid():
        head_count = queries.audience(agency, form.audience()).count()
    context = {"form": form, "agency": agency, "head_count": head_count, "section": "outreach"}
    return render(request, "outreach/form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def audience_count(request):
    """The head-count of the audience being built, shown before anything is sent (htmx)."""
    agency = _agency(request)
    form = forms.DispatchForm(request.POST, agency=agency)
    form.is_valid()
    count = None
    if all(k not in form.errors for k in form.AUDIENCE_KEYS):
        form.cleaned_data.setdefault("whole_agency", False)
        count = queries.audience(agency, form.audience()).count()
    return render(request, "outreach/_count.html", {"head_count": count})


@login_required
@require_safe
def dispatch_detail(request, pk):
    dispatch = get_object_or_404(
        permissions.dispatches_visible_to(request.user).select_related("agency", "created_by"),
        pk=pk,
    )
    rounds = list(range(1, dispatch.current_round + 1))
    wanted = request.GET.get("round", "")
    shown = int(wanted) if wanted.isdigit() and int(wanted) in rounds else dispatch.current_round
    deliveries = permissions.deliveries_visible_to(request.user, dispatch).filter(round=shown)
    by_unit = queries.reach_by_unit(deliveries)
    links = {link.group_id: link for link in dispatch.group_links.all()}
    groups = [
        (
            group,
            links.get(group.pk),
            services.group_link_url(links[group.pk]) if group.pk in links else None,
        )
        for group in ZaloGroup.objects.filter(agency=dispatch.agency_id)
    ]
    context = {
        "rounds": rounds,
        "shown_round": shown,
        "changed_documents": dispatch.documents.exclude(validity="in_force").select_related(
            "replaced_by"
        ),
        "groups": groups,
        "zalo_opens": deliveries.filter(opened_channel=Channel.ZALO)
        .values("opened_group__name")
        .annotate(n=Count("id"))
        .order_by("opened_group__name"),
        "dispatch": dispatch,
        "reach": queries.reach(deliveries),
        "by_unit": by_unit,
        "unit_chart": _unit_chart(by_unit),
        "pending": deliveries.filter(acknowledged_at__isnull=True)
        .select_related("person", "unit")
        .order_by("unit__name", "person__sort_key")[:500],
        "failed": queries.failed_messages(deliveries).select_related("delivery__person")[:200],
        "by_channel": [
            {**row, "label": Channel(row["channel"]).label}
            for row in queries.messages_by_channel(deliveries)
        ],
        "can_send": permissions.can_send(request.user, dispatch.agency_id),
        "section": "outreach",
    }
    if request.htmx:
        response = render(request, "outreach/detail.html#progress", context)
        if dispatch.status != "sending":
            response["HX-Refresh"] = "true"  # done: show the whole page with its lists
        return response
    return render(request, "outreach/detail.html", context)


def _unit_chart(by_unit: list) -> dict:
    """Each unit's people as one bar: acknowledged, opened only, not opened (for charts.js)."""
    rows = by_unit[:40]  # a page's worth; the table below lists them all
    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "labels": [row["unit__name"] or "—" for row in rows],
        "datasets": [
            {"label": _("acknowledged"), "data": [row["acknowledged"] for row in rows]},
            {
                "label": _("opened, not acknowledged"),
                "data": [row["opened"] - row["acknowledged"] for row in rows],
            },
            {"label": _("not opened"), "data": [row["total"] - row["opened"] for row in rows]},
        ],
    }


@login_required
@require_POST
def dispatch_send(request, pk):
    dispatch = get_object_or_404(Dispatch, pk=pk)
    try:
        services.dispatch_send(actor=request.user, dispatch=dispatch)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Sending: Loa is delivering it to everyone in the audience."))
    return redirect("outreach:dispatch", dispatch.pk)


@login_required
@require_POST
def dispatch_zalo(request, pk):
    """Make a Zalo group (by name) and/or its short link for this dispatch."""
    dispatch = get_object_or_404(Dispatch, pk=pk)
    if not permissions.can_send(request.user, dispatch.agency_id):
        raise PermissionDenied
    try:
        if name := request.POST.get("name", "").strip()[:120]:
            group = services.zalo_group_create(
                actor=request.user, agency=dispatch.agency, name=name
            )
        else:
            group = get_object_or_404(
                ZaloGroup, pk=request.POST.get("group") or 0, agency=dispatch.agency_id
            )
        services.group_link_create(actor=request.user, dispatch=dispatch, group=group)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(reverse("outreach:dispatch", args=[dispatch.pk]) + "#zalo")


@login_required
@require_POST
def dispatch_ask_again(request, pk):
    dispatch = get_object_or_404(Dispatch, pk=pk)
    try:
        count = services.dispatch_ask_again(
            actor=request.user, dispatch=dispatch, reason=request.POST.get("reason", "")[:300]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Round %(round)s: %(count)s people are asked to read it again.")
            % {"round": dispatch.current_round + 1, "count": count},
        )
    return redirect("outreach:dispatch", dispatch.pk)


@login_required
@require_POST
def dispatch_dms(request, pk):
    dispatch = get_object_or_404(Dispatch, pk=pk)
    services.dispatch_set_dms_number(
        actor=request.user, dispatch=dispatch, number=request.POST.get("dms_number", "")
    )
    messages.success(request, _("The changes have been saved."))
    return redirect("outreach:dispatch", dispatch.pk)


@login_required
@require_safe
def zalo_qr(request, code):
    link = get_object_or_404(GroupLink.objects.select_related("dispatch"), code=code)
    if not permissions.can_send(request.user, link.dispatch.agency_id):
        raise Http404
    out = io.BytesIO()
    segno.make(services.group_link_url(link), error="m").save(out, kind="svg", scale=5, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
@require_safe
def zalo(request, code):
    """A dispatch's link pasted into a Zalo group: the open counts for that group and for the
    signed-in person, if the dispatch was sent to them."""
    link = get_object_or_404(GroupLink.objects.select_related("group", "dispatch"), code=code)
    delivery = (
        Delivery.objects.filter(dispatch=link.dispatch, person__user=request.user)
        .exclude(dispatch__status="draft")
        .order_by("-round")  # the round the person is asked to read now
        .first()
    )
    if delivery is None:  # not even its title: Zalo groups hold people outside the audience
        return render(request, "outreach/not_for_you.html", status=404)
    services.delivery_open(
        actor=request.user, delivery=delivery, channel=Channel.ZALO, group=link.group
    )
    return redirect(reverse("outreach:read", args=[delivery.pk]) + "?via=zalo")


@login_required
@for_agency("outreach")
def zalo_account(request):
    """Connect the agency's Zalo Official Account; its secrets are never shown back."""
    agency = _agency(request)
    account = ZaloAccount.objects.filter(agency=agency).first()
    form = forms.ZaloAccountForm(request.POST if "connect" in request.POST else None)
    if request.method == "POST":
        if "disconnect" in request.POST and account is not None:
            services.zalo_account_disconnect(actor=request.user, account=account)
            messages.success(request, _("The Zalo Official Account is no longer used."))
            return redirect(reverse("outreach:zalo_account") + f"?agency={agency.pk}")
        if form.is_valid():
            services.zalo_account_connect(actor=request.user, agency=agency, **form.cleaned_data)
            messages.success(request, _("The Zalo Official Account is connected."))
            return redirect(reverse("outreach:zalo_account") + f"?agency={agency.pk}")
    context = {"agency": agency, "account": account, "form": form, "section": "outreach"}
    response = render(request, "outreach/zalo_account.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@for_agency("outreach")
def webhooks(request):
    """The agency's webhooks. A new one's secret is shown on this response only."""
    agency = _agency(request)
    secret = None
    if request.method == "POST":
        if deactivate := request.POST.get("deactivate"):
            webhook = get_object_or_404(Webhook, pk=deactivate, agency=agency)
            services.webhook_deactivate(actor=request.user, webhook=webhook)
        else:
            form = forms.WebhookForm(request.POST)
            if form.is_valid():
                try:
                    _webhook, secret = services.webhook_create(
                        actor=request.user, agency=agency, url=form.cleaned_data["url"]
                    )
                except ValidationError as error:
                    messages.error(request, error.messages[0])
            else:
                messages.error(request, _("Enter an http:// or https:// address."))
    context = {
        "agency": agency,
        "webhooks": Webhook.objects.filter(agency=agency),
        "form": forms.WebhookForm(),
        "secret": secret,
        "section": "outreach",
    }
    response = render(request, "outreach/webhooks.html", context)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def dispatch_remind(request, pk):
    dispatch = get_object_or_404(permissions.dispatches_visible_to(request.user), pk=pk)
    count = services.dispatch_remind(actor=request.user, dispatch=dispatch)
    messages.success(
        request,
        _("Reminders are on their way to %(count)s people (at most one a day each).")
        % {"count": count},
    )
    return redirect("outreach:dispatch", dispatch.pk)


@login_required
@require_safe
def dispatch_export(request, pk):
    """The reach, person by person, as .xlsx (what this user may see of it)."""
    dispatch = get_object_or_404(permissions.dispatches_visible_to(request.user), pk=pk)
    deliveries = (
        permissions.deliveries_visible_to(request.user, dispatch)
        .select_related("person", "unit")
        .prefetch_related("messages")
        .order_by("round", "unit__name", "person__sort_key")
    )
    header = [
        _("Round"),
        _("Full name"),
        _("Unit"),
        _("Opened"),
        _("Acknowledged"),
        _("Channel"),
        _("Comment"),
        _("Messages"),
    ]
    rows = (
        [
            d.round,
            d.person.full_name,
            d.unit.name if d.unit else "",
            timezone.localtime(d.opened_at).strftime("%d/%m/%Y %H:%M") if d.opened_at else "",
            timezone.localtime(d.acknowledged_at).strftime("%d/%m/%Y %H:%M")
            if d.acknowledged_at
            else "",
            str(Channel(channel).label)
            if (channel := d.acknowledged_channel or d.opened_channel)
            else "",
            d.comment,
            "; ".join(
                f"{m.get_channel_display()}: {m.get_state_display()}"
                + (f" ({m.error})" if m.error else "")
                for m in d.messages.all()
            ),
        ]
        for d in deliveries
    )
    return xlsx_response(
        title=_("Reach"), header=header, rows=rows, filename=f"tiep-nhan-{dispatch.pk}.xlsx"
    )


@login_required
@require_safe
def dispatch_file(request, pk):
    """A file of a dispatch, for those who may see the dispatch and those it was sent to."""
    sent_to = Delivery.objects.filter(
        person__user=request.user, dispatch=OuterRef("dispatch")
    ).exclude(dispatch__status="draft")
    visible = permissions.dispatches_visible_to(request.user).values("pk")
    attached = DispatchFile.objects.annotate(sent_to=Exists(sent_to)).filter(
        Q(dispatch__in=visible) | Q(sent_to=True)
    )
    attached_file = get_object_or_404(attached, pk=pk)
    return download(attached_file.file, attached_file.name, attached_file.kind)


@login_required
@require_safe
def person_reach(request, pk):
    """Per person: what they were sent, and what they opened and acknowledged."""
    person = get_object_or_404(
        people_visible_to(request.user).select_related("agency", "unit"), pk=pk
    )
    deliveries = (
        permissions.person_deliveries_visible_to(request.user, person)
        .select_related("dispatch")
        .prefetch_related("messages")
        .order_by("-created_at", "-round")
    )
    context = {
        "person": person,
        "deliveries": deliveries[:500],
        "reach": queries.reach(deliveries),
        "section": "people",
    }
    return render(request, "outreach/person.html", context)


@login_required
@require_safe
def inbox(request):
    context = {"deliveries": queries.inbox_of(request.user), "section": "inbox"}
    return render(request, "outreach/inbox.html", context)


def _own_delivery(request, pk) -> Delivery:
    delivery = get_object_or_404(
        Delivery.objects.select_related("dispatch", "dispatch__agency", "person"), pk=pk
    )
    if delivery.person.user_id != request.user.pk or delivery.dispatch.status == "draft":
        raise Http404  # never show that someone else was sent something
    return delivery


@login_required
def read(request, pk):
    channel = request.GET.get("via") if request.GET.get("via") in Channel.values else "inbox"
    form = forms.AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:  # the service checks whose it is: nothing is loaded before
            services.delivery_acknowledge(
                actor=request.user,
                delivery_id=pk,
                channel=channel,
                comment=form.cleaned_data["comment"],
            )
        except Delivery.DoesNotExist:
            raise Http404 from None  # never show that someone else was sent something
        messages.success(request, _("Thank you: your acknowledgement has been recorded."))
        return redirect("outreach:read", pk)
    delivery = _own_delivery(request, pk)
    delivery = services.delivery_open(actor=request.user, delivery=delivery, channel=channel)
    context = {
        "delivery": delivery,
        "dispatch": delivery.dispatch,
        "documents": delivery.dispatch.documents.prefetch_related("attachments"),
        "form": form,
        "channel": channel,
        "section": "inbox",
    }
    return render(request, "outreach/read.html", context)


@login_required
@require_safe
def link(request, token):
    """A personal link from an e-mail or a Zalo OA message: signed, expiring, and only for its
    own person."""
    named = services.delivery_from_link(token)
    if named is None:
        raise Http404
    delivery_id, channel = named
    delivery = _own_delivery(request, delivery_id)
    return redirect(reverse("outreach:read", args=[delivery.pk]) + f"?via={channel}")
