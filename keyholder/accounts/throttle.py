"""Throttling of password guessing, per account and per address, on Django's cache.

The sign-in page and ``POST /api/v1/auth/token`` both ask ``check`` before the password is
checked at all, so a refused guess costs no hashing and does not slow anyone else's requests;
each failure is counted by ``failed`` and a success forgets the account's failures. A window
opens with the first failure and lasts ``SIGNIN_WINDOW_MINUTES``: once the limit is reached,
even the right password waits until that window ends.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from keyholder.core.errors import Code, ServiceError


def address(request: HttpRequest) -> str:
    """The client's address: behind a proxy, the last entry of the header it sets.

    The last entry, because that is the one the proxy added; earlier ones the client may forge.
    """
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        forwarded = request.headers.get(header, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _keys(username: str, addr: str) -> list[tuple[str, int]]:
    return [
        (f"signin:user:{username.strip().lower()}", settings.SIGNIN_LIMIT),
        (f"signin:addr:{addr}", settings.SIGNIN_ADDRESS_LIMIT),
    ]


def _window() -> int:
    return int(settings.SIGNIN_WINDOW_MINUTES) * 60


def retry_after(username: str, addr: str) -> int:
    """Seconds until the attempt may be made again; 0 when it may be made now."""
    now = time.time()
    wait = 0
    for key, limit in _keys(username, addr):
        count = cache.get(f"{key}:n", 0)
        started = cache.get(f"{key}:t")
        if count >= limit and started is not None:
            wait = max(wait, math.ceil(started + _window() - now))
    return max(wait, 0)


def check(username: str, addr: str) -> None:
    """Refuse with ``auth.throttled`` (429) while the account or the address is locked out."""
    wait = retry_after(username, addr)
    if wait > 0:
        raise ServiceError(
            Code.AUTH_THROTTLED, retry_after=wait, minutes=max(1, math.ceil(wait / 60))
        )


def failed(username: str, addr: str) -> None:
    for key, _limit in _keys(username, addr):
        # The first failure opens the window; both keys expire with it.
        cache.add(f"{key}:t", time.time(), _window())
        cache.add(f"{key}:n", 0, _window())
        try:
            cache.incr(f"{key}:n")
        except ValueError:
            # Expired between add and incr: this failure opens a new window.
            cache.set(f"{key}:n", 1, _window())


def succeeded(username: str) -> None:
    key = _keys(username, "")[0][0]
    cache.delete_many([f"{key}:n", f"{key}:t"])
