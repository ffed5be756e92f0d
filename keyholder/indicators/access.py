"""Who may read the indicators of which place, and whether exactly.

- anonymous visitors, owners and keyholders: every place down to the jamoat (a village is "not
  found"), with public disclosure control. A keyholder's job is the houses entrusted to them,
  not the village's statuses (issue 13, item 6): a village's exact counts of people abroad,
  deported or banned would name the few families they count;
- administrators: every place, exact;
- officers and enumerators: places within their area, exact; any other place is
  "not found" (404), so that an officer of another district cannot read Asht's exact figures
  and cannot even learn which places are scoped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keyholder.accounts.access import is_authenticated, place_in_area
from keyholder.accounts.models import Role, User
from keyholder.core.errors import Code, ServiceError
from keyholder.indicators.disclosure import PUBLIC_LEVEL
from keyholder.places.models import KIND_LEVEL, Place, PlaceKind, place_by_code


@dataclass(frozen=True)
class PlaceView:
    place: Place
    exact: bool


def is_public(user: Any) -> bool:
    if not is_authenticated(user):
        return True
    assert isinstance(user, User)
    return user.role in (Role.OWNER, Role.KEYHOLDER) and not user.is_admin


def view_place(user: Any, place: Place) -> PlaceView:
    if is_public(user):
        # Public pages stop at the jamoat: a village's figures reach the public only summed
        # into its jamoat's (``disclosure.PUBLIC_LEVEL``).
        if KIND_LEVEL[PlaceKind(place.kind)] > PUBLIC_LEVEL:
            raise ServiceError(Code.NOT_FOUND)
        return PlaceView(place, exact=False)
    if place_in_area(user, place):
        return PlaceView(place, exact=True)
    raise ServiceError(Code.NOT_FOUND)


def indicator_place(user: Any, place: Place | str) -> PlaceView:
    """The place (by object or code) as ``user`` may read its indicators, or ``not_found``."""
    if isinstance(place, str):
        found = place_by_code(place)
        if found is None:
            raise ServiceError(Code.NOT_FOUND)
        place = found
    return view_place(user, place)


def may_enter_official_figures(user: Any, place: Place) -> bool:
    """Administrators, and officers for places within their area."""
    if not is_authenticated(user):
        return False
    assert isinstance(user, User)
    if user.is_admin:
        return True
    return user.role == Role.OFFICER and place_in_area(user, place)
