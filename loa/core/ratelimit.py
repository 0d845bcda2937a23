"""A small fixed-window rate limit on public forms (sign-in, password reset), kept in the cache.

Ten lines do not justify a package; the production profile moves the cache to Redis so the
count is shared by every process.
"""

import hashlib

from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


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
