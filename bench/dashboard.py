"""Bench step for the dashboard page of districts: server time through Django's test Client.

``measure`` is called by ``bench.run``'s ``dashboard`` step against the bench database. It
times ``requests`` page loads of random districts for an anonymous visitor (public figures)
and as many for an administrator (exact figures), after one warm-up load per audience.

Python's full (generation 2) garbage collection walks every long-lived object, and a warm
Django process holds some 150,000 of them (translation catalogues, compiled templates, CLDR
country names): each full collection then pauses a request for 150-200 ms on this machine.
A long-running server should call ``gc.freeze()`` once warm (for example in gunicorn's
``post_fork`` hook) so that those objects are never walked again; the step measures both
ways and reports the frozen figure as the page's time, the other beside it.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from typing import Any


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _round(seconds: float) -> float:
    return round(seconds, 4)


def measure(seed: int = 1, requests: int = 50) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from keyholder.accounts.models import User
    from keyholder.places.models import Place

    codes = list(Place.objects.filter(kind="district").values_list("code", flat=True))
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", "bench@example.org", None
    )
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(admin)
    audiences = {"anonymous": anonymous, "signed_in": signed_in}
    sizes = []
    for client in audiences.values():
        response = client.get(reverse("indicators:dashboard", args=[codes[0]]))
        sizes.append(len(response.content))
    # Counted at the cursor: the query log is cleared when each request starts.
    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        anonymous.get(reverse("indicators:dashboard", args=[codes[0]]))

    def run(rng: random.Random) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {name: [] for name in audiences}
        for name, client in audiences.items():
            for code in rng.choices(codes, k=requests):
                began = time.perf_counter()
                response = client.get(reverse("indicators:dashboard", args=[code]))
                times[name].append(time.perf_counter() - began)
                if response.status_code != 200:
                    raise RuntimeError(f"dashboard {code}: {response.status_code}")
        return times

    unfrozen = run(random.Random(seed))
    gc.collect()
    gc.freeze()
    try:
        frozen = run(random.Random(seed))
    finally:
        gc.unfreeze()
    every = frozen["anonymous"] + frozen["signed_in"]
    every_unfrozen = unfrozen["anonymous"] + unfrozen["signed_in"]
    return {
        "requests": len(every),
        "p50": _round(statistics.median(every)),
        "p95": _round(_percentile(every, 0.95)),
        "max": _round(max(every)),
        "p95_anonymous": _round(_percentile(frozen["anonymous"], 0.95)),
        "p95_signed_in": _round(_percentile(frozen["signed_in"], 0.95)),
        "p95_without_gc_freeze": _round(_percentile(every_unfrozen, 0.95)),
        "p50_without_gc_freeze": _round(statistics.median(every_unfrozen)),
        "queries_per_page": len(executed),
        "page_kb": round(max(sizes) / 1024, 1),
    }
