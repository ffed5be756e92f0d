"""Who may see which places. Every app's access functions build on these.

Places are public reference data, but which of them a user may *open* follows their role and
area: an outsider cannot tell that a place holding records exists.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from keyholder.accounts.models import Role, User
from keyholder.core.errors import Code, ServiceError
from keyholder.core.text import search_key
from keyholder.places.models import Place, subtree_q

AnyUser = User | AnonymousUser

# A Q that matches nothing: used for roles without an area.
NOTHING = Q(pk__in=[])


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def require_user(user: Any) -> User:
    if not is_authenticated(user):
        raise ServiceError(Code.AUTH_REQUIRED)
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
        raise ServiceError(Code.NOT_FOUND) from exc
    account = users_for(user).filter(pk=pk).first()
    if account is None:
        raise ServiceError(Code.NOT_FOUND)
    return account


# Places a user may open: their area and the chain of its ancestors, for navigation.


def area_anchors(user: User) -> list[Place]:
    """The places a user's area hangs from: their scope, or an owner's own village."""
    if user.role == Role.OWNER and not user.is_admin:
        if user.household_id is None:
            return []
        return list(Place.objects.filter(households__pk=user.household_id))
    return scope_places(user)


def viewable_places_q(user: Any) -> Q:
    """Places inside the user's area, and the chain of their ancestors for navigation."""
    if not is_authenticated(user):
        return NOTHING
    assert isinstance(user, User)
    if user.is_admin:
        return Q()
    anchors = area_anchors(user)
    if not anchors:
        return NOTHING
    ancestor_codes = {code for a in anchors for code in a.path.split("/")}
    return reduce(or_, (subtree_q(a) for a in anchors), Q(code__in=ancestor_codes))


def get_place(user: Any, code: str) -> Place:
    """A place the user may open, or ``not_found`` (an outsider cannot tell it exists)."""
    place = Place.objects.filter(viewable_places_q(user), code=code).first()
    if place is None:
        raise ServiceError(Code.NOT_FOUND)
    return place


def viewable_children(user: Any, place: Place) -> list[Place]:
    return list(Place.objects.filter(viewable_places_q(user), parent=place).order_by("code"))


def viewable_codes(user: Any, codes: list[str]) -> set[str]:
    """Which of these place codes the user may open (breadcrumbs link only to those)."""
    return set(
        Place.objects.filter(viewable_places_q(user), code__in=codes).values_list("code", flat=True)
    )


def home_place(user: Any) -> Place | None:
    """The page a user lands on: the first place of their scope, or the country."""
    if not is_authenticated(user):
        return None
    assert isinstance(user, User)
    if user.is_admin:
        return Place.objects.filter(parent__isnull=True).order_by("code").first()
    anchors = area_anchors(user)
    return anchors[0] if anchors else None


def find_places(user: Any, text: str, limit: int = 20) -> list[Place]:
    """Places the user may open whose name (in any language and spelling) or code has words
    starting with the words of ``text``: the account pages pick areas by name with it.

    The places are a few thousand rows of reference data, matched here rather than in SQL so
    that the names in three languages need no key column.
    """
    words = search_key(text or "").split()
    if not words:
        return []
    found: list[Place] = []
    places = (
        Place.objects.filter(viewable_places_q(user))
        .only("pk", "code", "kind", "path", "name_tg", "name_ru", "name_en", "is_sample")
        .order_by("depth", "path")
    )
    for place in places.iterator(chunk_size=2000):
        key = " " + search_key(f"{place.name_tg} {place.name_ru} {place.name_en} {place.code}")
        if all(" " + word in key for word in words):
            found.append(place)
            if len(found) >= limit:
                break
    return found
