"""Place pages of the registry: walk country > region > district > jamoat > village.

Which places a user may open comes from ``accounts.access``; every read of records goes
through ``registry.access`` (the scoped households and persons) and ``registry.queries`` (counts and statuses in a fixed number of
queries), so the counts cover only the user's area.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from keyholder.accounts import access as place_access
from keyholder.accounts.services import audit_list
from keyholder.core.pages import or_404
from keyholder.places.models import Place, PlaceKind, subtree_q
from keyholder.registry import access, queries, search
from keyholder.registry.status import State

VILLAGE_KINDS = (PlaceKind.VILLAGE, PlaceKind.TOWN)
PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20


def breadcrumbs(user: Any, place: Place) -> list[dict[str, str | None]]:
    """The chain from the country down to ``place``; links only to places the user may open."""
    chain = [*place.ancestors(), place]
    openable = place_access.viewable_codes(user, [p.code for p in chain])
    return [
        {
            "label": p.name,
            "url": reverse("places:detail", args=[p.code]) if p.code in openable else None,
        }
        for p in chain
    ]


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    if access.is_narrowed(request.user):
        # A keyholder's registry is the houses entrusted to them, shown on the keeping pages:
        # the village's households, statuses and counts are not theirs to browse.
        raise Http404
    place = or_404(place_access.get_place, request.user, code)
    today = timezone.localdate()
    q = request.GET.get("q", "")[: search.SEARCH_TEXT_LENGTH]
    context: dict[str, Any] = {
        "place": place,
        "crumbs": breadcrumbs(request.user, place),
        "today": today,
        "is_village": place.kind in VILLAGE_KINDS,
        "q": q,
    }
    if q.strip():
        # A search answers with its results alone: the lists of a whole village are what made
        # a household on page 5 of 10 hard to find.
        context.update(search_context(request, place, q))
    elif place.kind in VILLAGE_KINDS:
        context.update(village_context(request, place, today))
    else:
        children = place_access.viewable_children(request.user, place)
        totals, by_child = queries.counts_by_child(
            access.households_for(request.user),
            access.spans_for(request.user),
            place,
            children,
            today,
        )
        context["totals"] = totals
        context["children"] = [(child, by_child[child.pk]) for child in children]
    return render(request, "places/place.html", context)


def search_context(request: HttpRequest, place: Place, q: str) -> dict[str, Any]:
    """Households and persons inside ``place`` (and the user's area) matching ``q``."""
    query = search.parse_search(q)
    households: Any = access.households_for(request.user).filter(subtree_q(place, "village__"))
    persons: Any = access.persons_for(request.user).select_related("household__house")
    villages = access.search_villages(request.user, place)
    if villages is not None:
        # Counted and ordered from the word rows of the place; only a page's records are read.
        households = search.found_households(households, query, villages, ("name", "pk"))
        persons = search.found_persons(
            persons, query, villages, ("family_name", "given_name", "pk")
        )
    else:
        households = search.search_households(households, query).order_by("name", "pk")
        persons = search.search_persons(
            persons.filter(subtree_q(place, "household__village__")), query
        ).order_by("family_name", "given_name", "pk")
    found_households = Paginator(households, SEARCH_PAGE_SIZE).get_page(
        request.GET.get("households")
    )
    found_persons = Paginator(persons, SEARCH_PAGE_SIZE).get_page(request.GET.get("persons"))
    # A search by name is a read of the persons and households it names.
    _audit_shown(
        request,
        "place_search",
        place,
        [household.pk for household in found_households],
        [person.pk for person in found_persons],
    )
    return {
        "searching": True,
        "found_households": found_households,
        "found_persons": found_persons,
    }


def village_context(request: HttpRequest, village: Place, today: Any) -> dict[str, Any]:
    households = list(access.households_for(request.user).filter(village=village))
    # Their households are those above (no copy of each joined to its person).
    persons = (
        access.persons_for(request.user).filter(household__village=village).select_related(None)
    )
    rows = queries.household_rows(households, persons, today, with_history=False)
    away = [
        (row.household, member)
        for row in rows
        for member in row.members
        if member.status.state == State.ABROAD
    ]
    away.sort(key=lambda item: (item[1].status.since or today, item[1].person.given_name))
    # Statuses are computed for the whole village (the counts need them), but a big village's
    # lists are shown a page at a time so that a cheap phone gets a light page.
    rows_page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    away_page = Paginator(away, PAGE_SIZE).get_page(request.GET.get("away"))
    # The households listed by name and the persons named as away.
    _audit_shown(
        request,
        "village_page",
        village,
        [row.household.pk for row in rows_page],
        [member.person.pk for _household, member in away_page],
    )
    return {
        "rows": rows_page,
        "away": away_page,
        "away_count": len(away),
        "household_count": len(rows),
        "vacant_count": sum(1 for row in rows if row.members and row.status.vacant),
        "can_write": access.can_write(request.user, village),
    }


def _audit_shown(
    request: HttpRequest, kind: str, place: Place, households: list[Any], persons: list[Any]
) -> None:
    """One audit row for the households and persons a place's page showed (their ids
    together: ids are UUIDs, a search for either finds the row)."""
    audit_list(
        request.user,
        kind,
        request.GET.dict(),
        [*households, *persons],
        object_id=place.code,
        households=len(households),
        persons=len(persons),
    )
