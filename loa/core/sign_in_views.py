"""The sign-in pages Loa adds to Django's: the lockout, the second step (the code page), setting
up an authenticator app, and new backup codes. Kept beside views.py (routed by core/urls.py) so
that signing in reads as one piece; the rules are in core.two_factor, the writes in
core.services."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from loa.core import services, two_factor
from loa.core.forms import RateLimitedAuthenticationForm, TwoFactorCodeForm, call_service


def lockout_message() -> str:
    limit = settings.AXES_FAILURE_LIMIT
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    locked = ngettext(
        "Signing in to this account from your connection is locked after %(limit)d wrong password.",
        "Signing in to this account from your connection is locked after %(limit)d wrong "
        "passwords.",
        limit,
    ) % {"limit": limit}
    wait = gettext(
        "Wait %(minutes)d minutes, then sign in again, or reset your password by e-mail."
    ) % {"minutes": minutes}
    return f"{locked} {wait}"


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the sign-in page again, saying why
    the right password is refused too, and for how long."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = RateLimitedAuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_out": lockout_message(), "next": _next_url(request)}
    return render(request, "registration/login.html", context, status=429)


def _next_url(request) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _to(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def _verified(request, device) -> None:
    """The session is verified with `device`, under a new session key (its rights grew)."""
    django_otp.login(request, device)
    request.session.cycle_key()


def _backup_codes(request, tokens: list[str], next_url: str):
    """The backup codes, shown this once (never cached, kept nowhere but django-otp's table)."""
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"tokens": tokens, "next": next_url},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the code from the app, or one backup code."""
    user, next_url = request.user, _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.has_device(user):
        return redirect(_to("core:two_factor_setup", next_url))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, error = two_factor.check_code(user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", error)
        else:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a backup code, which now no longer works. "
                        "%(count)d backup code is left.",
                        "You signed in with a backup code, which now no longer works. "
                        "%(count)d backup codes are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Setting up an authenticator app: scan the QR code (or type the key), type a code the app
    shows. Once it is on, the same address shows its state and offers new backup codes."""
    user, next_url = request.user, _next_url(request)
    if two_factor.has_device(user):
        if not user.is_verified():
            return redirect(_to("core:two_factor_verify", next_url))
        return render(
            request,
            "registration/two_factor_status.html",
            {
                "device": two_factor.totp_device(user),
                "codes_left": two_factor.backup_codes_left(user),
                "required": two_factor.is_required(user),
            },
        )
    device = services.two_factor_device_pending(actor=user)
    form = TwoFactorCodeForm(request.POST or None, autofocus=False)
    if request.method == "POST" and form.is_valid():
        tokens = call_service(
            form,
            services.two_factor_enable,
            actor=user,
            device=device,
            token=form.cleaned_data["code"],
        )
        if tokens is not None:
            device.refresh_from_db()
            _verified(request, device)
            return _backup_codes(request, tokens, next_url)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "required": two_factor.is_required(user),
            "next": next_url,
        },
    )


@never_cache
@login_required
@require_POST
def backup_codes_renew(request):
    """New backup codes (the old ones stop working), for a session verified with its device."""
    if not request.user.is_verified():
        return redirect(_to("core:two_factor_verify", reverse("core:two_factor_setup")))
    try:
        tokens = services.two_factor_backup_renew(actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("core:two_factor_setup")
    return _backup_codes(request, tokens, reverse("core:two_factor_setup"))
