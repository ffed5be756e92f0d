"""The status steps of the benchmark (issue 10): every status question from the spans.

Called by ``bench/run.py``; each function runs in the step's own process against the bench
database and returns a dict of numbers. The naive way (load the persons and their events,
replay everyone with ``registry.status``) is timed beside the spans in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

STATES = ("present", "returned", "deported", "banned", "abroad", "moved", "left", "dead", "not_yet")
ON = dt.date(2024, 7, 15)


def english() -> None:
    """The JSON API answers the same in every language; English needs no compiled catalogue."""
    from django.test.utils import override_settings

    override_settings(LANGUAGE_CODE="en").enable()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _admin() -> Any:
    from keyholder.accounts.models import User

    return User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", "bench@example.org", None
    )


def _largest_district() -> Any:
    from django.db.models import Count

    from keyholder.places.models import Place

    busiest = (
        Place.objects.filter(kind="village", households__isnull=False)
        .values("parent__parent_id")
        .annotate(n=Count("households"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None, "generate the bench registry first"
    return Place.objects.get(pk=busiest["parent__parent_id"])


PAGE = 100


def naive_counts(place: Any, on: dt.date) -> tuple[dict[str, int], dict[str, list[str]], float]:
    """The way before spans: every person of the place and their events, replayed. Also the
    first page (``PAGE`` persons in the API's order) of each state, by person id."""
    from collections import Counter

    from keyholder.places.models import subtree_q
    from keyholder.registry.models import Person
    from keyholder.registry.spans import EVENT_COLUMNS, EventRow
    from keyholder.registry.status import replay

    began = time.perf_counter()
    counts: Counter[str] = Counter()
    from keyholder.registry.models import MigrationEvent

    persons = Person.objects.filter(subtree_q(place, "household__village__")).order_by()
    events: dict[Any, list[EventRow]] = {}
    for person_id, *values in (
        MigrationEvent.objects.filter(subtree_q(place, "person__household__village__"))
        .order_by()
        .values_list(*EVENT_COLUMNS)
        .iterator(chunk_size=20000)
    ):
        events.setdefault(person_id, []).append(EventRow(*values))
    named: dict[str, list[tuple[str, str, Any]]] = {}
    for person_id, birth_year, family, given in persons.values_list(
        "pk", "birth_year", "family_name", "given_name"
    ).iterator(chunk_size=20000):
        state = replay(events.get(person_id, []), birth_year, on=on).state
        counts[state] += 1
        named.setdefault(state, []).append((family, given, person_id))
    pages = {state: [str(p) for *_n, p in sorted(rows)[:PAGE]] for state, rows in named.items()}
    return dict(counts), pages, time.perf_counter() - began


def step_spans(args: Any) -> dict[str, Any]:
    """``rebuild_spans`` for the whole country, then ``check_spans`` on one district."""
    from django.core.management import call_command

    from keyholder.registry.models import StatusSpan

    began = time.perf_counter()
    call_command("rebuild_spans", quiet=True)
    seconds = time.perf_counter() - began
    district = _largest_district()
    began = time.perf_counter()
    call_command("check_spans", quiet=True, place=district.code)
    return {
        "seconds": round(seconds, 1),
        "spans": StatusSpan.objects.count(),
        "check_district": district.code,
        "check_district_seconds": round(time.perf_counter() - began, 1),
    }


def step_status(args: Any) -> dict[str, Any]:
    """Persons lists filtered by each state (district and country), with their count, and
    ``count_status`` for the country, against the naive replay."""
    english()
    import io

    from django.core.management import call_command
    from django.test import Client

    from keyholder.places.models import Place
    from keyholder.registry.queries import count_states

    client = Client()
    client.force_login(_admin())
    district = _largest_district()
    country = Place.objects.get(code="TJ")
    rng = random.Random(args.seed)
    out: dict[str, Any] = {"on": ON.isoformat(), "district_code": district.code}

    def get(params: dict[str, str]) -> float:
        began = time.perf_counter()
        response = client.get("/api/v1/persons", params)
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"{params}: {response.status_code} {response.content[:200]!r}")
        return elapsed

    get({"place": district.code, "status": "abroad", "on": ON.isoformat()})  # warm up
    for name, place in (("district", district), ("country", country)):
        times: dict[str, float] = {}
        rounds = 3 if name == "district" else 2
        for state in STATES:
            params = {"place": place.code, "status": state, "on": ON.isoformat()}
            times[state] = max(get(params) for _ in range(rounds))
        everything = list(times.values())
        # A random extra date per state, so the cache of one date does not flatter.
        for state in rng.sample(STATES, 4):
            on = ON - dt.timedelta(days=rng.randint(30, 2000))
            everything.append(get({"place": place.code, "status": state, "on": on.isoformat()}))
        out[name] = {
            "p95": round(percentile(everything, 0.95), 4),
            "p50": round(statistics.median(everything), 4),
            "slowest_state": max(times, key=lambda s: times[s]),
            "by_state": {s: round(t, 4) for s, t in times.items()},
        }
    began = time.perf_counter()
    call_command("count_status", place="TJ", on=ON.isoformat(), stdout=io.StringIO())
    out["count_status_country"] = round(time.perf_counter() - began, 3)
    spans_district = count_states(district, ON)
    naive_district, naive_pages, naive_seconds = naive_counts(district, ON)
    out["naive_district_seconds"] = round(naive_seconds, 2)
    out["naive_equals_spans"] = naive_district == {k: v for k, v in spans_district.items() if v}
    # The first page of each state the API gives for the district, as the replay orders it.
    pages_equal = True
    for state in STATES:
        params = {"place": district.code, "status": state, "on": ON.isoformat(), "limit": PAGE}
        results = client.get("/api/v1/persons", params).json()["results"]
        pages_equal &= [item["id"] for item in results] == naive_pages.get(state, [])
    out["naive_pages_equal"] = pages_equal
    from keyholder.registry.models import Person

    share = Person.objects.count() / max(1, sum(naive_district.values()))
    out["naive_country_seconds_extrapolated"] = round(naive_seconds * share, 1)
    return out


def step_write(args: Any) -> dict[str, Any]:
    """One event written through the API (spans included), p95 over 50 writes."""
    english()
    import json

    from django.test import Client
    from django.utils import timezone

    from keyholder.accounts.models import ApiToken, hash_token
    from keyholder.registry.models import Person

    admin = _admin()
    raw = ApiToken.new_raw_key()
    ApiToken.objects.create(user=admin, key_hash=hash_token(raw))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    rng = random.Random(args.seed)
    candidates = list(
        Person.objects.filter(events__isnull=True, birth_year__lte=2000).values_list(
            "pk", flat=True
        )[:5000]
    )
    chosen = rng.sample(candidates, min(51, len(candidates)))
    times = []
    today = timezone.localdate().isoformat()
    for person_id in chosen:
        body = {"kind": "departed", "date": today, "country": "RU", "destination": "Bench"}
        began = time.perf_counter()
        response = client.post(
            f"/api/v1/persons/{person_id}/events",
            json.dumps(body),
            content_type="application/json",
        )
        times.append(time.perf_counter() - began)
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} {response.content[:300]!r}")
    times = times[1:]  # the first one warms up
    return {
        "writes": len(times),
        "p95": round(percentile(times, 0.95), 4),
        "p50": round(statistics.median(times), 4),
    }
