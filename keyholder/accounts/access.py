"""Who may see which places. Every app's access functions build on these."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from keyholder.accounts.models import Role, User
from keyholder.core.errors import ServiceError
from keyholder.places.models import Place, subtree_q

AnyUser = User | AnonymousUser

# A Q that matches nothing: used for roles without an area.
NOTHING = Q(pk__in=[])


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def require_user(user: Any) -> User:
    if not is_authenticated(user):
        raise ServiceError("auth.required")
    assert isinstance(user, User)
    return user


def scope_places(user: User) -> list[Place]:
    """The places at the root of the user's area (cached on the user object)."""
    cached = getattr(user, "_scope_places", None)
    if cached is None:
        cached = list(user.places.all())
        user._scope_places = cached  # type: ignore[attr-defined]
    return cached


def area_q(user: AnyUser, prefix: str = "") -> Q:
    """A Q selecting, through the place field ``prefix``, the places inside the user's area.

    Owners have no area (they see their own household through ``household``). Administrators
    see everything.
    """
    if not is_authenticated(user):
        return NOTHING
    assert isinstance(user, User)
    if user.is_admin:
        return Q()
    if user.role == Role.OWNER:
        return NOTHING
    places = scope_places(user)
    if not places:
        return NOTHING
    return reduce(or_, (subtree_q(p, prefix) for p in places))


def place_in_area(user: AnyUser, place: Place) -> bool:
    if not is_authenticated(user):
        return False
    assert isinstance(user, User)
    if user.is_admin:
        return True
    if user.role == Role.OWNER:
        return False
    return any(place.is_within(scope) for scope in scope_places(user))


def users_for(user: Any) -> QuerySet[User]:
    """Accounts are managed by administrators only; everyone else sees none."""
    if not is_authenticated(user) or not user.is_admin:
        return User.objects.none()
    return User.objects.all()


def get_account(user: Any, account_id: object) -> User:
    try:
        pk = int(str(account_id))
    except ValueError as exc:
        raise ServiceError("not_found") from exc
    account = users_for(user).filter(pk=pk).first()
    if account is None:
        raise ServiceError("not_found")
    return account
