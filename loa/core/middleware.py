"""Loa's own middleware: Vietnamese first, sessions that end after inactivity, and the second
step of signing in."""

import datetime
import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from loa.core import two_factor


class VietnameseFirstMiddleware:
    """The interface is Vietnamese until a person chooses English.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office
    computers run an English browser; civil servants should still get Vietnamese by default.
    The choice made with the language switch (Django's language cookie) is kept as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# --- sessions that end after inactivity --------------------------------------------------------

# When the session was last seen in use (epoch seconds). Written at most every SEEN_EVERY
# seconds, not on every request: most requests (an acknowledgement) write no session at all.
SEEN_KEY = "loa_seen"
SEEN_EVERY = 5 * 60
SESSION_ENDED = _("You were signed out after a time without activity. Sign in again to go on.")


def _idle_seconds() -> int:
    return settings.LOA_SESSION_IDLE_MINUTES * 60


def _fix_expiry(session) -> None:
    """The session ends SESSION_COOKIE_AGE after it began, however often it is written since
    (Django would otherwise count the age again from each write)."""
    if "_session_expiry" not in session:
        session.set_expiry(timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE))


def session_started(sender, request, user, **kwargs):
    """On every sign-in (user_logged_in): the session's clocks and its two-factor answer."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[SEEN_KEY] = int(time.time())
    _fix_expiry(session)
    two_factor.mark_checked(session, two_factor.step_for(user))


def _away(request, url: str) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(url)  # htmx would swap the page into a fragment
    return HttpResponseRedirect(url)


def _with_next(request, url: str) -> str:
    """`url`, with the page to come back to: the page htmx was on, or the page asked for (a
    form sent with POST is not sent again)."""
    back = None
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.netloc == request.get_host() and current.path:
            back = f"{current.path}?{current.query}" if current.query else current.path
    elif request.method in ("GET", "HEAD"):
        back = request.get_full_path()
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: back})}" if back else url


class IdleSessionMiddleware:
    """Signs out a session unused for LOA_SESSION_IDLE_MINUTES and sends the person to the
    sign-in page with a message. Activity is recorded in SEEN_EVERY steps, so the sign-out comes
    between LOA_SESSION_IDLE_MINUTES - 5 and LOA_SESSION_IDLE_MINUTES minutes after the last
    request, never later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if isinstance(seen, int) and now - seen >= _idle_seconds():
                logout(request)
                messages.info(request, SESSION_ENDED)
                return _away(request, _with_next(request, resolve_url(settings.LOGIN_URL)))
            if not isinstance(seen, int) or now - seen >= min(SEEN_EVERY, _idle_seconds() // 2):
                request.session[SEEN_KEY] = now
                _fix_expiry(request.session)
        return self.get_response(request)


# --- two-factor sign-in ------------------------------------------------------------------------


class TwoFactorMiddleware:
    """A signed-in person who still owes a second step (core.two_factor.pending_step) reaches
    only the code and setup pages, the sign-out, the language switch, static files and the
    health probes; any other page sends them there, and back afterwards."""

    OPEN_PREFIXES = ("/healthz", "/readyz")

    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def _is_open(self, path: str) -> bool:
        if self._open is None:
            names = ("logout", "core:two_factor_verify", "core:two_factor_setup", "set_language")
            self._open = (
                *(reverse(name) for name in names),
                "/" + settings.STATIC_URL.lstrip("/"),
                *self.OPEN_PREFIXES,
            )
        return path.startswith(self._open)

    def __call__(self, request):
        if request.user.is_authenticated and not self._is_open(request.path_info):
            step = two_factor.pending_step(request)
            if step:
                name = (
                    "core:two_factor_verify"
                    if step == two_factor.VERIFY
                    else "core:two_factor_setup"
                )
                return _away(request, _with_next(request, reverse(name)))
        return self.get_response(request)
