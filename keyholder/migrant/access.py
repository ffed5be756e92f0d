"""The one way to the migrant's record: a user gets their own, or nothing.

No function here takes another user's id. Every role (administrator included) reaches a
record only as its own user, so an officer, a keyholder, an owner of the same household or an
administrator gets *not found* at every page, endpoint and export of somebody else's calendar.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from keyholder.accounts.access import is_authenticated
from keyholder.accounts.models import Role
from keyholder.core.errors import Code, ServiceError
from keyholder.migrant.models import MigrantProfile, hash_feed_token

M = TypeVar("M", bound=models.Model)

# The roles that may keep a calendar for themselves. Officials of any kind may not: their
# accounts are for work, and a calendar on them would sit beside powers over others' records.
SELF_SERVICE_ROLES = {Role.MIGRANT, Role.OWNER}


def may_keep_calendar(user: Any) -> bool:
    return (
        is_authenticated(user)
        and user.role in SELF_SERVICE_ROLES
        and not user.is_admin
        and not user.is_staff
    )


def profile_of(user: Any) -> MigrantProfile:
    """The user's own calendar, or not found."""
    if not may_keep_calendar(user):
        raise ServiceError(Code.NOT_FOUND)
    profile = MigrantProfile.objects.filter(user=user).first()
    if profile is None:
        raise ServiceError(Code.NOT_FOUND)
    return profile


def own_item(user: Any, model: type[M], item_id: Any) -> M:
    """One item of the user's own record, by id, or not found."""
    profile = profile_of(user)
    item = model._default_manager.filter(pk=item_id, profile=profile).first()
    if item is None:
        raise ServiceError(Code.NOT_FOUND)
    return item


def profile_by_feed_token(raw: str) -> MigrantProfile:
    """The calendar whose feed token is ``raw`` (a guess, or a renewed token: not found)."""
    if not raw or len(raw) > 100:
        raise ServiceError(Code.NOT_FOUND)
    profile = (
        MigrantProfile.objects.select_related("user")
        .filter(feed_token_hash=hash_feed_token(raw), user__is_active=True)
        .first()
    )
    if profile is None or not may_keep_calendar(profile.user):
        raise ServiceError(Code.NOT_FOUND)
    return profile
