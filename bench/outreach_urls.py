"""Loa's URLs plus the floor of the acknowledgement benchmark (bench/outreach.py)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
def ack_floor(request, pk):
    """The least an acknowledgement can cost through Django: the same middleware (session,
    CSRF) and one UPDATE of the delivery's row, without sign-in, rules or audit."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE outreach_delivery SET opened_at = now() WHERE id = %s", [pk])
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/ack-floor/<int:pk>/", ack_floor, name="bench_ack_floor"),
    path("", include("loa.urls")),
]
