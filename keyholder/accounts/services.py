"""Writes for accounts: users, tokens and audit rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from keyholder.accounts import throttle
from keyholder.accounts.models import ApiToken, AuditLog, Role, User, hash_token
from keyholder.core.bulk import RowWriter
from keyholder.core.errors import Code, ServiceError
from keyholder.places.models import Place, PlaceKind, require_place

TOKEN_LIFETIME = dt.timedelta(days=90)
# A token's use is written to the audit log once per this interval (see ``user_for_token``).
TOKEN_USE_EVERY = dt.timedelta(hours=1)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def audit(user: Any, action: str, object_type: str, object_id: object = "", **detail: Any) -> None:
    """Write one audit row. Reads of personal records call this too."""
    AuditLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )


def audit_created(
    user: Any, object_type: str, created: Iterable[tuple[object, dict[str, Any]]]
) -> int:
    """One ``create`` row per (id, detail), as ``audit`` writes for each record made, written
    in bulk (``core.bulk``): the import makes tens of thousands at once."""
    who = user.pk if getattr(user, "is_authenticated", False) else None
    # Rows, not model instances: building tens of thousands of instances costs more than the
    # insert (the columns are those ``audit`` fills; ``at`` is one "now" for the batch).
    writer = RowWriter(AuditLog, AUDIT_COLUMNS)
    now = timezone.now()
    for object_id, detail in created:
        writer.add(
            (who, AuditLog.Action.CREATE.value, object_type, str(object_id), "", detail, now)
        )
    return writer.flush()


AUDIT_COLUMNS = ("user_id", "action", "object_type", "object_id", "object_ids", "detail", "at")


def audit_list(
    user: Any,
    object_type: str,
    filters: Mapping[str, object],
    ids: Iterable[object],
    *,
    object_id: object = "",
    action: str = AuditLog.Action.READ_LIST,
    **detail: Any,
) -> None:
    """Write ONE row for a list of personal records shown in one request.

    The row names the filter asked (query parameters; empty ones left out), how many records
    were shown and their ids (space-separated in ``object_ids``, so a search for one id finds
    every list that showed it). One INSERT whatever the length of the page. ``action`` is
    ``export`` for a file of records written out, which names its records the same way.
    """
    shown = [str(i) for i in ids]
    AuditLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_ids=" ".join(shown),
        detail={
            # Each value cut at 200 characters: the query string is the client's to fill.
            "filter": {k[:64]: str(v)[:200] for k, v in filters.items() if v not in (None, "")},
            "count": len(shown),
            **detail,
        },
    )


def audit_refusal(user: Any, *, method: str, path: str, status: int, code: str, via: str) -> None:
    """Write a row for a read or a write refused to a signed-in user (404 outside their area,
    403 for their role). Anonymous refusals are not written: scanners would fill the table."""
    if not getattr(user, "is_authenticated", False):
        return
    found = _UUID.search(path)
    audit(
        user,
        AuditLog.Action.REFUSED,
        via,
        found.group(0).lower() if found else "",
        method=method,
        path=path[:300],
        status=status,
        code=str(code),
    )


# Which kinds of place each role may be scoped to.
SCOPE_KINDS: dict[str, set[str]] = {
    Role.OFFICER: {PlaceKind.COUNTRY, PlaceKind.REGION, PlaceKind.DISTRICT},
    Role.ENUMERATOR: {PlaceKind.VILLAGE, PlaceKind.TOWN},
    Role.KEYHOLDER: {PlaceKind.VILLAGE, PlaceKind.TOWN},
}


@transaction.atomic
def do_create_user(
    *,
    username: str,
    password: str,
    role: str,
    place_codes: list[str] | None = None,
    household_id: object = None,
    language: str = "tg",
    email: str = "",
    actor: User | None = None,
    is_sample: bool = False,
) -> User:
    if role not in Role.values:
        raise ServiceError(Code.INVALID_FIELD, field="role", detail=role)
    if User.objects.filter(username=username).exists():
        raise ServiceError(Code.INVALID_FIELD, field="username", detail=username)
    places = []
    for code in place_codes or []:
        place = require_place(code)
        allowed = SCOPE_KINDS.get(role)
        if allowed is not None and place.kind not in allowed:
            raise ServiceError(Code.INVALID_FIELD, field="place", detail=f"{code} ({place.kind})")
        places.append(place)
    if role in SCOPE_KINDS and not places:
        raise ServiceError(Code.INVALID_FIELD, field="place", detail=role)
    user = User(
        username=username,
        role=role,
        language=language,
        email=email,
        household_id=household_id,  # type: ignore[misc]
        is_superuser=role == Role.ADMIN,
        is_staff=role == Role.ADMIN,
    )
    check_password_strength(password, user)
    user.set_password(password)
    user.save()
    user.places.set(places)
    audit(actor, AuditLog.Action.CREATE, "user", user.pk, role=role, sample=is_sample)
    return user


def check_password_strength(password: str, user: User) -> None:
    """Django's validators (length, common, numeric, like the username or email), as a code."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            Code.AUTH_WEAK_PASSWORD, field="password", detail=" ".join(exc.messages)
        ) from exc


def record_failed_sign_in(username: str, addr: str, via: str) -> None:
    """Count a failed sign-in for the throttle and audit it with the username tried."""
    throttle.failed(username, addr)
    audit(None, AuditLog.Action.SIGN_IN, via, failed=True, username=username[:150], address=addr)


def do_issue_token(username: str, password: str, addr: str = "unknown") -> str:
    """Check the credentials and return a new raw bearer token.

    Refused with ``auth.throttled`` before the password is checked while the account or the
    address is locked out (keyholder/accounts/throttle.py).
    """
    throttle.check(username, addr)
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        record_failed_sign_in(username, addr, "api_token")
        raise ServiceError(Code.AUTH_INVALID_CREDENTIALS)
    throttle.succeeded(username)
    raw = ApiToken.new_raw_key()
    with transaction.atomic():
        ApiToken.objects.create(
            user=user, key_hash=hash_token(raw), expires_at=timezone.now() + TOKEN_LIFETIME
        )
        audit(user, AuditLog.Action.SIGN_IN, "api_token", user.pk, address=addr)
    return raw


@transaction.atomic
def do_set_password(*, actor: Any, user: User, password: str, how: str) -> User:
    """Set a new password (changed by its owner, or through a reset link) after the validators.

    Every API token of the account is revoked; other sessions end by themselves, since Django
    ties a session to the password's hash (the page that changed it keeps its own session).
    """
    check_password_strength(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked, _ = ApiToken.objects.filter(user=user).delete()
    audit(actor, AuditLog.Action.UPDATE, "user", user.pk, password=how, tokens_revoked=revoked)
    return user


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at < now:
        return None
    # The first use in each hour is stamped and audited; later uses in the hour write nothing,
    # so an API request costs no extra write (before, every request updated last_used_at).
    # The conditional UPDATE lets only one of several concurrent requests write the row.
    if token.last_used_at is None or token.last_used_at < now - TOKEN_USE_EVERY:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_USE_EVERY)
        if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
            audit(token.user, AuditLog.Action.TOKEN_USE, "api_token", token.pk)
    return token.user


# Account management from the administrators' pages.


def require_admin(actor: User | None) -> None:
    """Only administrators manage accounts (``None`` is the system: management commands)."""
    if actor is not None and not (actor.is_authenticated and actor.is_admin):
        raise ServiceError(Code.AUTH_FORBIDDEN)


def _scope_for(role: str, place_codes: list[str]) -> list[Place]:
    places = []
    for code in place_codes:
        place = require_place(code)
        allowed = SCOPE_KINDS.get(role)
        if allowed is not None and place.kind not in allowed:
            raise ServiceError(Code.INVALID_FIELD, field="place", detail=f"{code} ({place.kind})")
        places.append(place)
    if role in SCOPE_KINDS and not places:
        raise ServiceError(Code.INVALID_FIELD, field="place", detail=role)
    return places


@transaction.atomic
def do_update_user(
    *,
    actor: User | None,
    user: User,
    role: str,
    place_codes: list[str],
    household_id: object = None,
    language: str = "tg",
    email: str = "",
) -> User:
    require_admin(actor)
    if role not in Role.values:
        raise ServiceError(Code.INVALID_FIELD, field="role", detail=role)
    if actor is not None and user.pk == actor.pk and role != Role.ADMIN:
        raise ServiceError(Code.ACCOUNTS_OWN_ADMIN_ROLE)
    places = _scope_for(role, place_codes)
    before = {
        "role": user.role,
        "places": sorted(p.code for p in user.places.all()),
        "household": str(user.household_id or ""),
        "language": user.language,
        "email": user.email,
    }
    user.role = role
    user.household_id = household_id if role == Role.OWNER else None  # type: ignore[assignment]
    user.language = language
    user.email = email
    user.is_superuser = user.is_staff = role == Role.ADMIN
    user.save()
    user.places.set(places)
    after = {
        "role": role,
        "places": sorted(p.code for p in places),
        "household": str(user.household_id or ""),
        "language": language,
        "email": email,
    }
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit(actor, AuditLog.Action.UPDATE, "user", user.pk, changed=changed)
    return user


@transaction.atomic
def do_deactivate_user(*, actor: User | None, user: User) -> User:
    """Stop an account from signing in: inactive, and every API token revoked."""
    require_admin(actor)
    if actor is not None and user.pk == actor.pk:
        raise ServiceError(Code.ACCOUNTS_DEACTIVATE_SELF)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    revoked, _ = ApiToken.objects.filter(user=user).delete()
    audit(actor, AuditLog.Action.UPDATE, "user", user.pk, deactivated=True, tokens_revoked=revoked)
    return user


@transaction.atomic
def do_reactivate_user(*, actor: User | None, user: User) -> User:
    require_admin(actor)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit(actor, AuditLog.Action.UPDATE, "user", user.pk, reactivated=True)
    return user
