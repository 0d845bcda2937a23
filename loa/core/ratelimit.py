"""A small fixed-window rate limit on public forms (sign-in, password reset), kept in the cache.

Ten lines do not justify a package; the production profile moves the cache to Redis so the
count is shared by every process.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The address of the person asking. Behind nginx every request comes from the proxy, so a
    request from one of LOA_TRUSTED_PROXIES is taken to come from the X-Real-IP it sets (nginx
    overwrites any the client sent); from anywhere else the header is ignored, or anyone
    could choose their own address and escape the limits."""
    address = request.META.get("REMOTE_ADDR", "")
    if address in settings.LOA_TRUSTED_PROXIES:
        return request.META.get("HTTP_X_REAL_IP", "").strip() or address
    return address


def _name(scope: str, key: str) -> str:
    return "loa-rate:" + hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while `key` stays within `limit` attempts per `window` seconds."""
    name = _name(scope, key)
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count <= limit


def forgive(scope: str, key: str) -> None:
    """Take back one counted attempt (it succeeded): only failures use up the limit."""
    try:
        cache.decr(_name(scope, key))
    except ValueError:  # the window ended meanwhile
        pass
