from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from loa.core import audit, health, telemetry
from loa.core import permissions as core_permissions
from loa.core import queries as core_queries
from loa.core.forms import AuditFilterForm
from loa.core.models import AuditEntry
from loa.core.spreadsheets import xlsx_response
from loa.org import permissions, queries


@login_required
@require_safe
def home(request):
    actor = permissions.actor_for(request.user)
    agencies = (
        queries.agencies_for_list(request.user)[:20] if actor.is_superuser or actor.roles() else []
    )
    return render(
        request, "core/home.html", {"actor": actor, "agencies": agencies, "section": "home"}
    )


def healthz(request):
    """The process is alive (nothing else is asked: a load balancer restarts on this)."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def readyz(request):
    """Ready to take work: the database, Redis and the task queues (loa.core.health); 503 with
    the failing check named otherwise. Open to all, as load balancers ask without signing in,
    so it names what fails but never a secret or an address."""
    ready, checks = health.readiness()
    body = {
        "ready": ready,
        "checks": [
            {
                "name": c.name,
                "ok": c.ok,
                "detail": c.detail if c.ok else _public(c),
                "ms": c.milliseconds,
            }
            for c in checks
        ],
    }
    return JsonResponse(body, status=200 if ready else 503)


def _public(check) -> str:
    # A failing database or Redis names the error's kind only: its message may hold a host.
    return check.detail.split(":")[0] if check.name in ("database", "redis") else check.detail


@require_safe
def metrics(request):
    """Prometheus metrics, for a scraper presenting LOA_METRICS_TOKEN as a bearer token; without
    a configured token the page does not exist."""
    token = settings.LOA_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not constant_time_compare(given, f"Bearer {token}"):
        raise Http404
    body, content_type = telemetry.metrics_page()
    return HttpResponse(body, content_type=content_type)


def csrf_failure(request, reason=""):
    """An expired or forged form: say so in the user's language, inside Loa's own page."""
    return render(request, "403_csrf.html", status=403)


# --- the audit log ------------------------------------------------------------------------


def _audit_filters(request) -> tuple[AuditFilterForm, core_queries.AuditFilters]:
    """The filter form read from the address, and what it asks for (a filter typed wrong is
    shown as an error and left out)."""
    if not core_permissions.can_read_audit_log(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    filters = core_queries.AuditFilters(
        start=data.get("start"),
        end=data.get("end"),
        actor=data.get("actor") or "",
        action=data.get("action") or "",
        target_type=data.get("target_type") or "",
        text=data.get("q") or "",
    )
    return form, filters


def _filters_query(request) -> str:
    """The address's filters without its page cursor, for the links to other pages."""
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return query.urlencode()


@login_required
@require_safe
def audit_log(request):
    """Who did what, newest first, 50 a page; read only (nothing here writes)."""
    form, filters = _audit_filters(request)
    page = core_queries.audit_page(
        core_permissions.audit_entries_visible_to(request.user),
        filters,
        before=request.GET.get("before"),
        after=request.GET.get("after"),
    )
    rows = [
        {
            "entry": entry,
            "who": audit.actor_name(entry),
            "action": audit.action_label(entry.action),
            "kind": audit.type_label(entry.target_type),
            "url": audit.target_url(entry),
            "changes": audit.describe_changes(entry),
        }
        for entry in page.entries
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "paged": bool(request.GET.get("before") or request.GET.get("after")),
        "search_window": number_format(core_queries.SEARCH_WINDOW, force_grouping=True),
        "filters_query": _filters_query(request),
        "headers": {
            name: capfirst(AuditEntry._meta.get_field(name).verbose_name)
            for name in ("at", "actor", "action", "target_label", "changes")
        },
        "section": "audit",
    }
    return render(request, "core/audit_log.html", context)


@login_required
@require_safe
def audit_export(request):
    """The filtered rows as .xlsx, newest first, at most EXPORT_CAP of them (the file says so
    when there were more: narrow the dates and export again)."""
    _form, filters = _audit_filters(request)
    entries = core_queries.audit_entries(
        core_permissions.audit_entries_visible_to(request.user), filters
    )
    cap = core_queries.EXPORT_CAP
    header = [
        capfirst(AuditEntry._meta.get_field(name).verbose_name)
        for name in ("at", "actor", "action", "target_type", "target_label", "target_id", "changes")
    ]

    def rows():
        for number, entry in enumerate(entries[: cap + 1].iterator(chunk_size=2000)):
            if number == cap:
                yield [
                    _(
                        "Only the newest %(cap)s entries are in this file. "
                        "Narrow the dates to export the others."
                    )
                    % {"cap": number_format(cap, force_grouping=True)}
                ]
                return
            yield [
                timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
                audit.actor_name(entry),
                audit.action_label(entry.action),
                audit.type_label(entry.target_type),
                entry.target_label,
                entry.target_id,
                audit.changes_text(entry),
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        title=_("Audit log"), header=header, rows=rows(), filename=f"nhat-ky-{stamp}.xlsx"
    )
