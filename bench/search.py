"""The search step of the benchmark (issue 11): the search API on the district sample.

The district sample is the demo's registry of Asht (``keyholder generate``: about 227,000
persons)), with real Tajik names, in a database of its own:
``KEYHOLDER_BENCH_SEARCH_DATABASE_URL``, by default the SQLite file
``var/bench/search-asht.sqlite3``, made once and reused. The synthetic country of the other
steps names everyone "P123", which says nothing about searching names.

Queries are made from persons drawn at random, as users type them: the family name in lower
case without the Tajik letters (as on a Russian keyboard), the name in Latin letters, the
first four letters, given and family name together, and the house's street and number. Each
is asked of ``GET /api/v1/persons`` and ``GET /api/v1/households`` within the district, as
the district's officer; the target p95 is 200 ms. The same queries are then asked the old
way (``LIKE`` on the stored keys, before the word tables) for the ratio, and must count the
same records.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import time
from collections.abc import Iterator
from typing import Any

from bench.status import english, percentile

DISTRICT = "TJ-SU-ASHT"
QUERIES = 20
# What a Russian keyboard types for the Tajik letters.
RUSSIAN_KEYBOARD = str.maketrans("ҳқғӣӯҷҲҚҒӢӮҶ", "хкгиучХКГИУЧ")


def ensure_sample(seed: int) -> None:
    from django.core.management import call_command

    from keyholder.places.models import Place

    call_command("migrate", verbosity=0, interactive=False)
    if not Place.objects.filter(code=DISTRICT).exists():
        call_command("load_places", verbosity=0)
    call_command("generate", district=DISTRICT, seed=seed, if_empty=True, no_progress=True)


def _officer() -> Any:
    from keyholder.accounts.models import Role, User
    from keyholder.places.models import Place

    officer, created = User.objects.get_or_create(
        username="bench-search-officer", defaults={"role": Role.OFFICER}
    )
    if created:
        officer.places.set([Place.objects.get(code=DISTRICT)])
    return officer


def queries_for(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, text) pairs made from persons of the district drawn at random."""
    from keyholder.core.text import search_key
    from keyholder.registry.models import Person

    ids = list(
        Person.objects.filter(household__village__path__startswith=f"TJ/TJ-SU/{DISTRICT}/")
        .order_by()
        .values_list("pk", flat=True)
    )
    assert ids, "the district sample was not generated"
    picked = Person.objects.filter(pk__in=rng.sample(ids, count)).select_related("household__house")
    made: list[tuple[str, str]] = []
    for person in picked:
        family = person.family_name or person.household.name
        made.append(("russian keyboard", family.lower().translate(RUSSIAN_KEYBOARD)))
        made.append(("latin", search_key(family).capitalize()))
        made.append(("prefix", family[:4]))
        made.append(("given and family", f"{person.given_name} {family}"))
        house = person.household.house
        if house is not None and house.street:
            made.append(("address", f"{house.street} {house.number}"))
    return made


# The search as it was before the word tables (kept here only to measure the ratio): each
# query word a LIKE on the stored key, which no B-tree index serves.
def _like_q(field: str, words: Any) -> Any:
    from django.db.models import Q

    q = Q()
    for word in words:
        q &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": " " + word})
    return q


def _like_households(households: Any, query: Any) -> Any:
    from django.db.models import Q

    from keyholder.registry.models import House, Person

    if query.empty:
        return households.none()
    found = Q(pk__in=[])
    if query.words:
        houses = House.objects.filter(_like_q("search_name", query.words)).values("pk")
        found |= _like_q("search_name", query.words) | Q(house_id__in=houses)
    if query.phone_digits:
        found |= Q(
            pk__in=Person.objects.filter(phone__endswith=query.phone_digits).values("household_id")
        )
    return households.filter(found)


def _like_persons(persons: Any, query: Any) -> Any:
    from django.db.models import Q

    from keyholder.registry.models import House, Household

    if query.empty:
        return persons.none()
    found = Q(pk__in=[])
    if query.words:
        houses = House.objects.filter(_like_q("search_name", query.words)).values("pk")
        found |= _like_q("search_name", query.words) | Q(
            household_id__in=Household.objects.filter(house_id__in=houses).values("pk")
        )
    if query.phone_digits:
        found |= Q(phone__endswith=query.phone_digits)
    return persons.filter(found)


@contextlib.contextmanager
def like_search() -> Iterator[None]:
    """The API searching the old way (LIKE on the keys, each match's record read) while
    inside: no search is answered from the word rows of an area (``search.Found``)."""
    from keyholder.registry import access, api

    saved = api.search_households, api.search_persons, access.search_villages
    api.search_households, api.search_persons = _like_households, _like_persons
    access.search_villages = lambda user, place=None: None
    try:
        yield
    finally:
        api.search_households, api.search_persons, access.search_villages = saved


def step_search(args: Any) -> dict[str, Any]:
    english()
    from django.test import Client

    ensure_sample(args.seed)
    from keyholder.registry.models import Person

    client = Client()
    client.force_login(_officer())
    rng = random.Random(args.seed)
    queries = queries_for(rng, QUERIES)

    def get(url: str, q: str) -> tuple[float, int]:
        began = time.perf_counter()
        response = client.get(url, {"q": q, "place": DISTRICT})
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"{url} {q!r}: {response.status_code} {response.content[:200]!r}")
        # The count of all matches (the page holds at most 100 of them).
        return elapsed, response.json()["count"]

    get("/api/v1/persons", "warm up")
    out: dict[str, Any] = {
        "district": DISTRICT,
        "persons_in_sample": Person.objects.count(),
        "queries": len(queries),
    }
    for name, url in (("persons", "/api/v1/persons"), ("households", "/api/v1/households")):
        times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        empty = 0
        counts: list[int] = []
        for kind, q in queries:
            elapsed, found = get(url, q)
            times.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            empty += found == 0
            counts.append(found)
        # The same queries the old way, for the ratio; they must find the same records.
        like_times: list[float] = []
        with like_search():
            for (_kind, q), count in zip(queries, counts, strict=True):
                elapsed, found = get(url, q)
                like_times.append(elapsed)
                if found != count:
                    raise RuntimeError(f"{url} {q!r}: {found} the old way, {count} now")
        out[name] = {
            "p95": round(percentile(times, 0.95), 4),
            "p50": round(statistics.median(times), 4),
            "max": round(max(times), 4),
            "queries_finding_nothing": empty,
            "p95_by_kind": {k: round(percentile(v, 0.95), 4) for k, v in by_kind.items()},
            "like_p95": round(percentile(like_times, 0.95), 4),
            "like_p50": round(statistics.median(like_times), 4),
        }
    out["p95"] = max(out["persons"]["p95"], out["households"]["p95"])
    return out
