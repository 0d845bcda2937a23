from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from loa.org import permissions, queries


@login_required
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
