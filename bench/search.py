"""The search step of the benchmark (issue 11): the search API on the district sample.

The district sample is the demo's registry of Asht (``keyholder generate``: about 168,000
persons in 113 sample villages), with real Tajik names, in a database of its own:
``KEYHOLDER_BENCH_SEARCH_DATABASE_URL``, by default the SQLite file
``var/bench/search-asht.sqlite3``, made once and reused. The synthetic country of the other
steps names everyone "P123", which says nothing about searching names.

Queries are made from persons drawn at random, as users type them: the family name in lower
case without the Tajik letters (as on a Russian keyboard), the name in Latin letters, the
first four letters, given and family name together, and the house's street and number. Each
is asked of ``GET /api/v1/persons`` and ``GET /api/v1/households`` within the district, as
the district's officer; the target p95 is 200 ms.
"""

from __future__ import annotations

import random
import statistics
import time
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
        return elapsed, len(response.json()["results"])

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
        for kind, q in queries:
            elapsed, found = get(url, q)
            times.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            empty += found == 0
        out[name] = {
            "p95": round(percentile(times, 0.95), 4),
            "p50": round(statistics.median(times), 4),
            "max": round(max(times), 4),
            "queries_finding_nothing": empty,
            "p95_by_kind": {k: round(percentile(v, 0.95), 4) for k, v in by_kind.items()},
        }
    out["p95"] = max(out["persons"]["p95"], out["households"]["p95"])
    return out
