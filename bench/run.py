"""The national-scale benchmark: ``make bench`` (or ``python -m bench.run --scale 0.01``).

Runs each step in its own process, so that the peak memory reported for a step (maxrss) is
that step's alone, then prints a table and writes the results as JSON under ``var/bench/``.

The database is ``KEYHOLDER_DATABASE_URL`` (PostgreSQL or SQLite), by default a SQLite file
``var/bench/bench-<scale>.sqlite3``. The synthetic country is generated once per database and
reused; ``--regenerate`` starts again. Steps:

- ``prepare``: migrate, load the real places;
- ``generate``: the synthetic Tajikistan (``bench.generate``);
- ``build``: ``build_indicators`` in full, from the status spans (target under 30 s);
- ``refresh``: 1,000 new events, then the incremental refresh (target under 1 s), once with
  the events in 5 villages (one enumerator's day) and once spread over 100 villages;
- ``api``: ``GET /api/v1/indicators`` for 100 random places, 10 years monthly (p95 < 50 ms);
- ``naive``: the same series computed the naive way, a COUNT per place per month over the
  events, for a sample of places, checked equal to the store, timed as a ratio;
- ``dashboard``: the dashboard page of districts (p95 < 200 ms), measured by
  ``bench/dashboard.py``;
- ``spans``: ``rebuild_spans`` for the whole country (target under 120 s), ``check_spans`` on
  the largest district;
- ``status``: persons lists filtered by each state with their count, a district (p95 under
  200 ms) and the country (p95 under 1 s), ``count_status`` for the country (under 5 s), and
  the naive replay of the district beside them;
- ``write``: one event through the API, spans included (p95 under 50 ms);
- ``import``: the export of the Asht sample (26,102 rows) imported into a registry emptied
  of it (under 15 s), in a database of its own (``bench/importing.py``);
- ``floor``: the least the database alone takes, with no Python per row, for the two jobs
  whose targets the code misses: every span written again with its indexes (under
  ``rebuild_spans``) and the build's reads of every span and event (under ``build``), in
  ``bench/floor.py``;
- ``search``: the search API (``q``) on the Asht district sample, p95 under 200 ms, in a
  database of its own (``bench/search.py``), with the old ``LIKE`` path on the same queries
  beside it as a ratio.

The status steps live in ``bench/status.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("KEYHOLDER_VAR_DIR", PROJECT / "var")) / "bench"
STEPS = (
    "prepare",
    "generate",
    "spans",
    "build",
    "refresh",
    "api",
    "naive",
    "dashboard",
    "status",
    "write",
    "import",
    "search",
    "floor",
)
TARGETS = {
    "build": 30.0,
    "refresh": 1.0,
    "api": 0.050,
    "dashboard": 0.200,
    "spans": 120.0,
    "status_district": 0.200,
    "status_country": 1.0,
    "count_status": 5.0,
    "write": 0.050,
    "import": 15.0,
    "search": 0.200,
}


def scale_name(scale: float) -> str:
    return "national" if scale == 1.0 else f"s{scale:g}"


def configure(scale: float) -> None:
    """Environment for Django in a step process: production settings, bench database."""
    os.environ.setdefault(
        "KEYHOLDER_DATABASE_URL", f"sqlite:///{BENCH_DIR / f'bench-{scale_name(scale)}.sqlite3'}"
    )
    os.environ.setdefault("KEYHOLDER_SECRET_KEY", "bench-only-secret-key-never-used-for-serving")
    os.environ["KEYHOLDER_DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ.setdefault("KEYHOLDER_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyholder.settings")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- steps (each runs in its own process) -------------------------------------------------


def step_prepare(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from keyholder.places.models import Place

    call_command("migrate", verbosity=0, interactive=False)
    if not Place.objects.filter(kind="district").exists():
        call_command("load_places", verbosity=0)
    return {"places": Place.objects.count()}


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from tqdm import tqdm

    from bench.generate import NATIONAL_PERSONS, VILLAGE_SOURCE, generate
    from keyholder.places.models import Place
    from keyholder.registry.models import Household, MigrationEvent, Person

    villages = max(1, round(4500 * args.scale))
    if Place.objects.filter(source=VILLAGE_SOURCE).count() == villages and Person.objects.exists():
        return {
            "reused": True,
            "villages": villages,
            "households": Household.objects.count(),
            "persons": Person.objects.count(),
            "events": MigrationEvent.objects.count(),
        }
    began = time.perf_counter()
    with tqdm(total=int(NATIONAL_PERSONS * args.scale), unit="person", disable=args.quiet) as bar:
        stats = generate(args.scale, seed=args.seed, progress=bar.update)
    generated = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "reused": False,
        "villages": stats.villages,
        "households": stats.households,
        "persons": stats.persons,
        "events": stats.events,
        "seconds": round(time.perf_counter() - began, 1),
        "generate_seconds": round(generated, 1),
    }


def step_build(args: argparse.Namespace) -> dict[str, Any]:
    from keyholder.indicators.models import IndicatorSeries
    from keyholder.indicators.months import month_index
    from keyholder.indicators.store import build_all
    from keyholder.places.models import Place

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    began, cpu, forked = time.perf_counter(), time.process_time(), children_cpu()
    report = build_all(jobs=os.cpu_count() or 1)
    seconds = time.perf_counter() - began
    cpu, forked = time.process_time() - cpu, children_cpu() - forked
    country = Place.objects.get(code="TJ")

    def value(name: str, year: int, month: int) -> int:
        row = IndicatorSeries.objects.filter(place=country, indicator=name, dimension="").first()
        import datetime as dt

        return row.value_at(month_index(dt.date(year, month, 1))) if row else 0

    return {
        "seconds": round(seconds, 2),
        # CPU time of the build's process (the database's too on SQLite, which runs inside
        # it): what the build costs when the machine's cores are shared with others. Its
        # pool's processes (``jobs``, every core) are counted apart.
        "cpu_seconds": round(cpu, 2),
        "jobs": report.jobs,
        "pool_cpu_seconds": round(forked, 2),
        "rows": report.rows,
        "villages": report.villages,
        "households": report.households,
        "skipped_persons": report.skipped_persons,
        "abroad_2023_12": value("abroad", 2023, 12),
        "abroad_2024_07": value("abroad", 2024, 7),
        "residents_2023_12": value("residents", 2023, 12),
        "departures_2023": sum(value("departures", 2023, m) for m in range(1, 13)),
    }


def _new_events(village_ids: list[int], count: int, rng: random.Random) -> int:
    """``count`` departures today, of persons of these villages who have no events yet."""
    from django.utils import timezone

    from keyholder.registry.models import MigrationEvent, Person

    per_village = -(-count // len(village_ids))
    created: list[Any] = []
    for village_id in village_ids:
        persons = list(
            Person.objects.filter(
                household__village_id=village_id, events__isnull=True
            ).values_list("pk", flat=True)[: per_village * 3]
        )
        for person_id in rng.sample(persons, min(per_village, len(persons))):
            if len(created) < count:
                created.append(
                    MigrationEvent(
                        person_id=person_id,
                        kind="departed",
                        date=timezone.localdate(),
                        country="RU",
                        is_sample=True,
                    )
                )
    MigrationEvent.objects.bulk_create(created, batch_size=500)
    # Written around the services, so their spans are rewritten, and the change feed written,
    # here as the services would.
    from keyholder.registry.spans import log_event, rewrite_spans

    for person in Person.objects.filter(pk__in=[e.person_id for e in created]).select_related(
        "household"
    ):
        rewrite_spans(person, list(person.events.order_by()))
        log_event(person, 1, "departed", "RU", timezone.localdate())
    return len(created)


def step_refresh(args: argparse.Namespace) -> dict[str, Any]:
    from django.utils import timezone

    from bench.generate import VILLAGE_SOURCE
    from keyholder.indicators.store import refresh_villages
    from keyholder.places.models import Place

    rng = random.Random(args.seed)
    villages = list(Place.objects.filter(source=VILLAGE_SOURCE).values_list("pk", flat=True))
    out: dict[str, Any] = {}
    for name, spread in (("clustered", 5), ("spread", 100)):
        chosen = rng.sample(villages, min(spread, len(villages)))
        events = _new_events(chosen, 1000, rng)
        began, cpu = time.perf_counter(), time.process_time()
        # As the worker is asked after the events were recorded: the store moves by the
        # change feed, and the flows are counted again from the events' date (today).
        report = refresh_villages(chosen, since=timezone.localdate(), logged=True)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        # For comparison, the same villages recomputed from their spans from that month (the
        # refresh of a write the feed does not hold, and the only one before the feed).
        # It must change nothing: the feed's difference is exact.
        again = time.perf_counter()
        check = refresh_villages(chosen, since=timezone.localdate())
        recomputed = time.perf_counter() - again
        out[name] = {
            "events": events,
            "villages": len(chosen),
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu, 3),
            "recomputed_seconds": round(recomputed, 3),
            "recompute_changed_rows": check.rows if check is not None else None,
            "full_build_instead": bool(report and report.full),
        }
    out["seconds"] = out["clustered"]["seconds"]
    return out


def _sample_places(rng: random.Random, count: int) -> list[str]:
    from keyholder.indicators.models import IndicatorSeries
    from keyholder.places.models import Place

    with_data = set(IndicatorSeries.objects.values_list("place_id", flat=True).distinct())
    places = list(Place.objects.filter(pk__in=with_data).values_list("code", "kind"))
    by_kind: dict[str, list[str]] = {}
    for code, kind in places:
        by_kind.setdefault(kind, []).append(code)
    # Every level is asked, villages most (as users drill down).
    picks = [c for c, _k in rng.sample(places, min(count, len(places)))]
    for kind in ("country", "region", "district"):
        if by_kind.get(kind):
            picks[rng.randrange(len(picks))] = rng.choice(by_kind[kind])
    return picks


def _timed_get(client: Any, url: str, params: dict[str, str]) -> float:
    began = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params}: {response.status_code} {response.content[:200]!r}")
    return elapsed


def step_api(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client

    rng = random.Random(args.seed)
    client = Client()
    places = _sample_places(rng, 100)
    url = "/api/v1/indicators"
    base = {"indicator": "abroad", "from": "2015-01", "to": "2024-12"}
    _timed_get(client, url, {**base, "place": places[0]})  # warm up imports and caches
    times = [_timed_get(client, url, {**base, "place": code}) for code in places]
    children = [
        _timed_get(client, url, {**base, "place": code, "by": "children"}) for code in places[:30]
    ]
    return {
        "requests": len(times),
        "p50": round(statistics.median(times), 4),
        "p95": round(percentile(times, 0.95), 4),
        "max": round(max(times), 4),
        "children_p95": round(percentile(children, 0.95), 4),
    }


NAIVE_ABROAD = """
SELECT COUNT(*) FROM {person} p
JOIN {household} h ON h.id = p.household_id
JOIN {place} v ON v.id = h.village_id
WHERE (v.path = %s OR v.path LIKE %s)
AND (
    SELECT e.kind FROM {event} e
    WHERE e.person_id = p.id AND e.date <= %s
      AND e.kind IN ('departed', 'returned', 'deported', 'moved', 'left', 'died', 'joined')
    ORDER BY e.date DESC,
      CASE e.kind WHEN 'joined' THEN 1 WHEN 'returned' THEN 2 WHEN 'deported' THEN 3
        WHEN 'moved' THEN 5 WHEN 'departed' THEN 6 WHEN 'left' THEN 7 ELSE 8 END DESC
    LIMIT 1
) = 'departed'
"""

NAIVE_DEPARTURES = """
SELECT COUNT(*) FROM {event} e
JOIN {person} p ON p.id = e.person_id
JOIN {household} h ON h.id = p.household_id
JOIN {place} v ON v.id = h.village_id
WHERE (v.path = %s OR v.path LIKE %s) AND e.kind = 'departed' AND e.date >= %s AND e.date <= %s
"""


def step_naive(args: argparse.Namespace) -> dict[str, Any]:
    """A COUNT per place per month over the events, for the same series as the API step."""
    import datetime as dt

    from django.db import connection

    from keyholder.indicators.models import IndicatorSeries
    from keyholder.indicators.months import month_end, month_index, month_start
    from keyholder.places.models import Place
    from keyholder.registry.models import Household, MigrationEvent, Person

    tables = {
        "person": Person._meta.db_table,
        "household": Household._meta.db_table,
        "place": Place._meta.db_table,
        "event": MigrationEvent._meta.db_table,
    }
    abroad_sql = NAIVE_ABROAD.format(**tables)
    departures_sql = NAIVE_DEPARTURES.format(**tables)
    rng = random.Random(args.seed)
    first, last = month_index(dt.date(2015, 1, 1)), month_index(dt.date(2024, 12, 1))
    months = list(range(first, last + 1))
    samples: list[dict[str, Any]] = []
    kinds = ["village", "village", "village", "jamoat", "district", "region", "country"]
    day = connection.ops.adapt_datefield_value
    for kind in kinds:
        codes = list(
            Place.objects.filter(
                kind=kind, pk__in=IndicatorSeries.objects.values("place_id")
            ).values_list("code", flat=True)
        )
        if not codes:
            continue
        place = Place.objects.get(code=rng.choice(codes))
        stored = {
            r.indicator: r
            for r in IndicatorSeries.objects.filter(
                place=place, dimension="", indicator__in=["abroad", "departures"]
            )
        }
        began = time.perf_counter()
        done, mismatches = 0, 0
        with connection.cursor() as cursor:
            for month in months:
                params = [place.path, place.path + "/%"]
                cursor.execute(abroad_sql, [*params, day(month_end(month))])
                abroad = cursor.fetchone()[0]
                cursor.execute(
                    departures_sql, [*params, day(month_start(month)), day(month_end(month))]
                )
                departures = cursor.fetchone()[0]
                row_a, row_d = stored.get("abroad"), stored.get("departures")
                if abroad != (row_a.value_at(month) if row_a else 0) or departures != (
                    row_d.value_at(month) if row_d else 0
                ):
                    mismatches += 1
                done += 1
                if time.perf_counter() - began > args.naive_cap:
                    break
        seconds = time.perf_counter() - began
        samples.append(
            {
                "place": place.code,
                "kind": kind,
                "months_done": done,
                "seconds": round(seconds, 3),
                "seconds_for_120_months": round(seconds * len(months) / done, 2),
                "extrapolated": done < len(months),
                "mismatched_months": mismatches,
            }
        )
    return {"samples": samples}


def step_dashboard(args: argparse.Namespace) -> dict[str, Any]:
    """The dashboard pages of districts, timed by ``bench/dashboard.py``."""
    # The bench runs with DEBUG off but without collectstatic: plain static storage.
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override = override_settings(STORAGES=storages)
    override.enable()
    from bench.dashboard import measure

    return measure(seed=args.seed, requests=50)


def _status_steps() -> dict[str, Any]:
    from bench import floor, importing, search, status

    return {
        "floor": floor.step_floor,
        "spans": status.step_spans,
        "status": status.step_status,
        "write": status.step_write,
        "import": importing.step_import,
        "search": search.step_search,
    }


STEP_FUNCTIONS = {
    "prepare": step_prepare,
    "generate": step_generate,
    "build": step_build,
    "refresh": step_refresh,
    "api": step_api,
    "naive": step_naive,
    "dashboard": step_dashboard,
}


# --- orchestration -----------------------------------------------------------------------


def run_step(name: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--step",
        name,
        "--scale",
        str(args.scale),
        "--seed",
        str(args.seed),
        "--naive-cap",
        str(args.naive_cap),
    ]
    if args.quiet:
        command.append("--quiet")
    began = time.perf_counter()
    process = subprocess.run(command, cwd=PROJECT, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - began
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        return {
            "error": f"step failed with exit code {process.returncode}",
            "wall_seconds": round(wall, 1),
        }
    result = json.loads(lines[-1][len("RESULT ") :])
    result["wall_seconds"] = round(wall, 1)
    return result


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}{unit}" if value < 10 else f"{value:.1f}{unit}"
    return f"{value}{unit}"


def table(results: dict[str, Any]) -> str:
    rows = [("step", "measure", "value", "target", "peak MB")]
    steps = results["steps"]

    def verdict(value: float | None, target: float) -> str:
        if value is None:
            return f"< {target:g} s"
        return f"< {target:g} s {'ok' if value < target else 'MISSED'}"

    g = steps.get("generate", {})
    rows.append(
        (
            "generate",
            f"{g.get('persons', '?')} persons, {g.get('households', '?')} households, {g.get('villages', '?')} villages, {g.get('events', '?')} events",
            _fmt(g.get("seconds"), " s") if "seconds" in g else "reused",
            "",
            _fmt(g.get("peak_mb")),
        )
    )
    b = steps.get("build", {})
    rows.append(
        (
            "build_indicators",
            f"full, {b.get('rows', '?')} series, {b.get('jobs', '?')} processes",
            _fmt(b.get("seconds"), " s"),
            verdict(b.get("seconds"), TARGETS["build"]),
            _fmt(b.get("peak_mb")),
        )
    )
    r = steps.get("refresh", {})
    for variant in ("clustered", "spread"):
        v = r.get(variant, {})
        rows.append(
            (
                "refresh",
                f"1,000 events in {v.get('villages', '?')} villages, by the change feed"
                f" (recomputing them: {_fmt(v.get('recomputed_seconds'), ' s')},"
                f" rows it changed: {v.get('recompute_changed_rows', '?')})",
                _fmt(v.get("seconds"), " s"),
                verdict(v.get("seconds"), TARGETS["refresh"]),
                _fmt(r.get("peak_mb")),
            )
        )
    a = steps.get("api", {})
    rows.append(
        (
            "api",
            "/api/v1/indicators 10 y monthly, p95 (p50)",
            f"{_fmt(a.get('p95'), ' s')} ({_fmt(a.get('p50'), ' s')})",
            verdict(a.get("p95"), TARGETS["api"]),
            _fmt(a.get("peak_mb")),
        )
    )
    rows.append(("api", "same with by=children, p95", _fmt(a.get("children_p95"), " s"), "", ""))
    n = steps.get("naive", {})
    for sample in n.get("samples", []):
        ratio = sample["seconds_for_120_months"] / a["p50"] if a.get("p50") else None
        note = " (extrapolated)" if sample["extrapolated"] else ""
        rows.append(
            (
                "naive",
                f"{sample['kind']} {sample['place']}: COUNTs for 120 months{note}, mismatches {sample['mismatched_months']}",
                _fmt(sample["seconds_for_120_months"], " s"),
                f"x{ratio:,.0f} the API" if ratio else "",
                _fmt(n.get("peak_mb")),
            )
        )
    d = steps.get("dashboard", {})
    rows.append(
        (
            "dashboard",
            (
                f"district page p95 (p50 {_fmt(d.get('p50'), ' s')}; without gc.freeze "
                f"{_fmt(d.get('p95_without_gc_freeze'), ' s')}; {d.get('queries_per_page')} "
                "queries)"
            )
            if "p95" in d
            else d.get("skipped", d.get("error", "")),
            _fmt(d.get("p95"), " s"),
            verdict(d.get("p95"), TARGETS["dashboard"]) if "p95" in d else "",
            _fmt(d.get("peak_mb")),
        )
    )
    rows.extend(status_rows(steps, verdict))
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def status_rows(steps: dict[str, Any], verdict: Any) -> list[tuple[str, str, str, str, str]]:
    """The rows of the status steps (issue 10), with the naive replay as a ratio."""
    rows: list[tuple[str, str, str, str, str]] = []
    sp = steps.get("spans", {})
    rows.append(
        (
            "spans",
            f"rebuild_spans, whole country ({sp.get('spans', '?')} spans)",
            _fmt(sp.get("seconds"), " s"),
            verdict(sp.get("seconds"), TARGETS["spans"]),
            _fmt(sp.get("peak_mb")),
        )
    )
    st = steps.get("status", {})
    naive_d = st.get("naive_district_seconds")
    naive_c = st.get("naive_country_seconds_extrapolated")
    for name, naive in (("district", naive_d), ("country", naive_c)):
        v = st.get(name, {})
        label = st.get("district_code", "") if name == "district" else "TJ"
        ratio = f", naive replay {_fmt(naive, ' s')}" if naive else ""
        if naive and v.get("p95"):
            ratio += f" (x{naive / v['p95']:,.0f})"
        if name == "district" and "naive_pages_equal" in st:
            ratio += ", first pages " + ("= replay" if st["naive_pages_equal"] else "DIFFER")
        rows.append(
            (
                "status",
                f"persons list by state, {name} {label}, p95{ratio}",
                _fmt(v.get("p95"), " s"),
                verdict(v.get("p95"), TARGETS[f"status_{name}"]),
                _fmt(st.get("peak_mb")),
            )
        )
    count = st.get("count_status_country")
    ratio = f" (naive x{naive_c / count:,.0f})" if naive_c and count else ""
    rows.append(
        (
            "status",
            f"count_status --place TJ{ratio}",
            _fmt(count, " s"),
            verdict(count, TARGETS["count_status"]),
            "",
        )
    )
    w = steps.get("write", {})
    rows.append(
        (
            "write",
            f"one event through the API, p95 (p50 {_fmt(w.get('p50'), ' s')})",
            _fmt(w.get("p95"), " s"),
            verdict(w.get("p95"), TARGETS["write"]),
            _fmt(w.get("peak_mb")),
        )
    )
    im = steps.get("import", {})
    rows.append(
        (
            "import",
            f"Asht export, {im.get('rows', '?')} rows, ok={im.get('ok', '?')} "
            f"(CPU {_fmt(im.get('cpu_seconds'), ' s')})",
            _fmt(im.get("seconds"), " s"),
            verdict(im.get("seconds"), TARGETS["import"]),
            _fmt(im.get("peak_mb")),
        )
    )
    se = steps.get("search", {})
    for name in ("persons", "households"):
        v = se.get(name, {})
        # The old LIKE path on the same queries, as a ratio (bench/search.py).
        like = v.get("like_p95")
        old = f"; old LIKE p95 {_fmt(like, ' s')}" if like else ""
        if like and v.get("p95"):
            old += f" (x{like / v['p95']:,.1f})"
        rows.append(
            (
                "search",
                (
                    f"/api/v1/{name}?q= in {se.get('district', '?')} sample "
                    f"({se.get('persons_in_sample', '?')} persons), p95 (p50 "
                    f"{_fmt(v.get('p50'), ' s')}{old})"
                ),
                _fmt(v.get("p95"), " s"),
                verdict(v.get("p95"), TARGETS["search"]),
                _fmt(se.get("peak_mb")),
            )
        )
    # What the database alone takes for the least of the two jobs that miss their targets: a
    # floor, not a target; the verdict says what the floor leaves of the target for the rest.
    fl = steps.get("floor", {})
    reads, write = fl.get("reads", {}), fl.get("write", {})
    rows.append(
        (
            "floor",
            f"the build's reads alone: {fl.get('spans', '?')} spans "
            f"{_fmt(reads.get('spans_seconds'), ' s')}, {fl.get('events', '?')} events with "
            f"their villages {_fmt(reads.get('events_seconds'), ' s')}",
            _fmt(reads.get("seconds"), " s"),
            _floor_verdict(reads.get("seconds"), TARGETS["build"]),
            _fmt(fl.get("peak_mb")),
        )
    )
    rows.append(
        (
            "floor",
            f"the spans written again: copy {_fmt(write.get('copy_seconds'), ' s')}, "
            f"indexes {_fmt(write.get('index_seconds'), ' s')}"
            + (f" ({write['skipped']})" if "skipped" in write else ""),
            _fmt(write.get("seconds"), " s"),
            _floor_verdict(write.get("seconds"), TARGETS["spans"]),
            "",
        )
    )
    return rows


def _floor_verdict(value: float | None, target: float) -> str:
    """A floor against a target: the time it leaves for everything else, or that it is above."""
    if value is None:
        return f"< {target:g} s"
    if value >= target:
        return f"< {target:g} s: ABOVE IT"
    return f"< {target:g} s: leaves {target - value:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="share of the national size (1.0 = 10 million persons)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps to run")
    parser.add_argument("--regenerate", action="store_true", help="start from an empty database")
    parser.add_argument(
        "--naive-cap",
        type=float,
        default=20.0,
        help="seconds per place for the naive way before extrapolating",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)

    if args.step:
        if args.step == "search":
            # The district sample lives in a database of its own (bench/search.py).
            os.environ["KEYHOLDER_DATABASE_URL"] = os.environ.get(
                "KEYHOLDER_BENCH_SEARCH_DATABASE_URL",
                f"sqlite:///{BENCH_DIR / 'search-asht.sqlite3'}",
            )
        elif args.step == "import":
            # So does the Asht sample whose export is imported (bench/importing.py).
            os.environ["KEYHOLDER_DATABASE_URL"] = os.environ.get(
                "KEYHOLDER_BENCH_IMPORT_DATABASE_URL",
                f"sqlite:///{BENCH_DIR / 'import-asht.sqlite3'}",
            )
        configure(args.scale)
        result = {**STEP_FUNCTIONS, **_status_steps()}[args.step](args)
        result["peak_mb"] = round(peak_mb(), 1)
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return

    os.environ.setdefault(
        "KEYHOLDER_DATABASE_URL",
        f"sqlite:///{BENCH_DIR / f'bench-{scale_name(args.scale)}.sqlite3'}",
    )
    url = os.environ["KEYHOLDER_DATABASE_URL"]
    vendor = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    if args.regenerate:
        if vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        else:
            configure(args.scale)
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
    out = BENCH_DIR / f"results-{vendor}-{scale_name(args.scale)}.json"
    # A run of some steps updates the results of the others from an earlier run.
    earlier = (
        json.loads(out.read_text(encoding="utf-8")) if out.exists() and not args.regenerate else {}
    )
    results: dict[str, Any] = {
        "scale": args.scale,
        "scale_name": scale_name(args.scale),
        "database": vendor,
        "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "steps": earlier.get("steps", {}),
    }
    for name in args.steps.split(","):
        print(f"-- {name}", file=sys.stderr, flush=True)
        result = run_step(name, args)
        previous = results["steps"].get(name, {})
        if name == "generate" and result.get("reused") and "seconds" in previous:
            # Keep the timing of the run that generated this database.
            result = {**previous, "reused_later": True}
        results["steps"][name] = result
        print(json.dumps({name: results["steps"][name]}), file=sys.stderr, flush=True)
    text = table(results)
    print(text)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    (BENCH_DIR / f"results-{vendor}-{scale_name(args.scale)}.txt").write_text(
        text + "\n", encoding="utf-8"
    )
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
