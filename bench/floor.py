"""The floor of this machine under the two targets of issue 10 that the code misses.

``python -m bench.run --steps floor``: what the database alone, with no Python per row, takes
for the least work each of the two jobs must do, on the bench database itself:

- ``rebuild_spans`` of the country (target 120 s) must at least write every span once, with
  the table's indexes. The step copies the spans into a new table of the same database by
  ``INSERT ... SELECT`` (no event read, no replay, no foreign-key check; on PostgreSQL in one
  session per core, on SQLite, which has one writer, into a file of its own without journal
  or sync), then makes the table's own indexes after the load, as a bulk rebuild would (the
  rebuild keeps them while it writes, which costs more). The copy is dropped at the end.
- the full ``build_indicators`` (target 30 s) must at least read every span and every
  event with its village. The step reads them, every column the build needs, folded into one
  row by the database (nothing transferred), on every core: PostgreSQL's parallel scans, and
  on SQLite one connection per core, each over its share of the rows. The build's NumPy and
  its writing of the series (the ``build`` step) come on top.

The copy needs free space about the size of the spans and their indexes: the step says so
and copies nothing when there is not.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

COPY = "bench_floor_span"


def _timed(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return round(time.perf_counter() - began, 3)


def _best(work: Callable[[], Any]) -> float:
    """The faster of two runs: the first may read from the disk what the second finds in
    memory (a floor is the best case)."""
    return min(_timed(work), _timed(work))


def _on_every_core(statements: list[tuple[str, list[Any]]], setup: str = "") -> None:
    """Each statement on a connection of its own, at once (the drivers let go of the GIL while
    the database works), after ``setup`` on that connection."""
    from django.db import connections

    def run(statement: tuple[str, list[Any]]) -> None:
        try:
            with connections["default"].cursor() as cursor:
                if setup:
                    cursor.execute(setup)
                cursor.execute(*statement)
                if cursor.description is not None:
                    cursor.fetchall()
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(len(statements)) as pool:
        list(pool.map(run, statements))


def _shares(table: str, cores: int, column: str = "id") -> list[tuple[int, int]]:
    """The table's integer ``column`` in ``cores`` ranges of about as many rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN({column}), MAX({column}) FROM {table}")
        low, high = cursor.fetchone()
    if low is None:
        return [(0, -1)]
    step = (high - low) // cores + 1
    return [(low + step * n, min(high, low + step * (n + 1) - 1)) for n in range(cores)]


def _data_directory() -> Path | None:
    """Where PostgreSQL keeps its files, when on this machine (else the bench's folder)."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT current_setting('data_directory')")
        except DatabaseError:  # not allowed to see it: the bench's folder stands in
            return None
        path = Path(cursor.fetchone()[0])
    return path if path.exists() else None


def _spans_size() -> int:
    """Bytes of the spans table and its indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('registry_statusspan')")
        else:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name = 'registry_statusspan'"
                " OR name IN (SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'registry_statusspan')"
            )
        return int(cursor.fetchone()[0] or 0)


def _index_statements(cursor: Any, vendor: str) -> list[tuple[str, str]]:
    """The spans table's own indexes, by name, made on the copy."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_statusspan'"
            " AND indexname NOT LIKE '%%_pkey'"
        )
        found = [row[0] for row in cursor.fetchall()]
        statements = [("primary key", f"ALTER TABLE {COPY} ADD PRIMARY KEY (id)")]
    else:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'registry_statusspan' AND sql IS NOT NULL"
        )
        found = [row[0] for row in cursor.fetchall()]
        statements = []
    # On SQLite the copy's indexes are named in its own file (``floor.``).
    prefix = "floor." if vendor == "sqlite" else ""
    for sql in found:
        sql = re.sub(r'ON\s+"?(public\.)?registry_statusspan"?', f"ON {COPY}", sql)
        name = re.search(r'INDEX\s+"?(\w+)"?', sql)
        assert name is not None, sql
        copy = sql.replace(name.group(0), f"INDEX {prefix}{COPY}_{name.group(1)}", 1)
        statements.append((name.group(1), copy))
    return statements


def _write_floor(cores: int) -> dict[str, Any]:
    """The spans copied and indexed by the database alone; the copy dropped."""
    from django.db import connection

    vendor = connection.vendor
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {COPY}")
            cursor.execute(f"CREATE TABLE {COPY} (LIKE registry_statusspan INCLUDING DEFAULTS)")
            indexes = _index_statements(cursor, vendor)
            low_high = _shares("registry_statusspan", cores)
            out["copy_seconds"] = _timed(
                lambda: _on_every_core(
                    [
                        (
                            f"INSERT INTO {COPY} SELECT * FROM registry_statusspan"
                            " WHERE id BETWEEN %s AND %s",
                            [low, high],
                        )
                        for low, high in low_high
                    ]
                )
            )
        else:
            path = Path(str(connection.settings_dict["NAME"])).with_name("bench-floor.sqlite3")
            path.unlink(missing_ok=True)
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("ATTACH DATABASE %s AS floor", [str(path)])
            cursor.execute("PRAGMA floor.journal_mode = OFF")
            cursor.execute("PRAGMA floor.synchronous = OFF")
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table'"
                " AND name = 'registry_statusspan'"
            )
            table = cursor.fetchone()[0].replace('"registry_statusspan"', f"floor.{COPY}", 1)
            cursor.execute(table)
            indexes = _index_statements(cursor, vendor)
            out["copy_seconds"] = _timed(
                lambda: cursor.execute(
                    f"INSERT INTO floor.{COPY} SELECT * FROM registry_statusspan"
                )
            )
        out["indexes"] = {}
        try:
            for name, statement in indexes:
                out["indexes"][name] = _timed(partial(cursor.execute, statement))
            cursor.execute(f"SELECT COUNT(*) FROM {'floor.' if vendor == 'sqlite' else ''}{COPY}")
            out["rows"] = cursor.fetchone()[0]
        finally:
            if vendor == "postgresql":
                cursor.execute(f"DROP TABLE IF EXISTS {COPY}")
            else:
                cursor.execute("DETACH DATABASE floor")
                path.unlink(missing_ok=True)
                cursor.execute("PRAGMA foreign_keys = ON")
    out["index_seconds"] = round(sum(out["indexes"].values()), 3)
    out["seconds"] = round(out["copy_seconds"] + out["index_seconds"], 3)
    return out


SPAN_READ = (
    "SELECT COUNT(*), MAX(CAST(s.household_id AS VARCHAR(36))), MAX(s.state), MAX(s.valid_from), MAX(s.valid_until),"
    " MAX(s.country), MAX(s.ban_until), MAX(s.sex), MAX(s.birth_year)"
    " FROM registry_statusspan s"
)
EVENT_READ = (
    "SELECT COUNT(*), MAX(h.village_id), MAX(e.kind), MAX(e.country), MAX(e.date)"
    " FROM registry_migrationevent e JOIN registry_person p ON p.id = e.person_id"
    " JOIN registry_household h ON h.id = p.household_id"
)


def _read_floor(cores: int) -> dict[str, Any]:
    """The build's reads folded into one row each by the database, on every core."""
    from django.db import connection

    out: dict[str, Any] = {}
    for name, sql, table, alias in (
        ("spans", SPAN_READ, "registry_statusspan", "s"),
        ("events", EVENT_READ, "registry_migrationevent", "e"),
    ):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
                out[f"{name}_seconds"] = _best(partial(cursor.execute, sql))
            continue
        # By rowid: the events' key is a UUID.
        statements = [
            (f"{sql} WHERE {alias}.rowid BETWEEN %s AND %s", [low, high])
            for low, high in _shares(table, cores, "rowid")
        ]
        # Memory-mapped, as the build reads (``store._tune_reads``).
        mapped = "PRAGMA mmap_size = 1073741824"
        out[f"{name}_seconds"] = _best(partial(_on_every_core, statements, mapped))
    out["seconds"] = round(out["spans_seconds"] + out["events_seconds"], 3)
    return out


def step_floor(args: Any) -> dict[str, Any]:
    from keyholder.registry.models import MigrationEvent, StatusSpan

    cores = os.cpu_count() or 1
    out: dict[str, Any] = {
        "cores": cores,
        "spans": StatusSpan.objects.count(),
        "events": MigrationEvent.objects.count(),
        "reads": _read_floor(cores),
    }
    from bench.run import BENCH_DIR

    need = _spans_size()
    free = shutil.disk_usage(_data_directory() or BENCH_DIR).free
    if free < need * 1.2:
        out["write"] = {"skipped": f"{free >> 20} MB free, {need >> 20} MB needed"}
    else:
        out["write"] = _write_floor(cores)
        if out["write"]["rows"] != out["spans"]:
            raise RuntimeError(f"copied {out['write']['rows']} spans of {out['spans']}")
    return out
