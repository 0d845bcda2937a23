from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe

from loa.core import health, telemetry
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
