"""A small fixed-window rate limit on public forms (sign-in, password reset), kept in the cache.

Ten lines do not justify a package; the production profile moves the cache to Redis so the
count is shared by every process.
"""

import hashlib

from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while `key` stays within `limit` attempts per `window` seconds."""
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
    name = f"loa-rate:{digest}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count <= limit
