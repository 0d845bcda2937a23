from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

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
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """An expired or forged form: say so in the user's language, inside Loa's own page."""
    return render(request, "403_csrf.html", status=403)
