"""Small database helpers shared by the apps."""

from __future__ import annotations

import contextlib
import multiprocessing
from contextlib import AbstractContextManager
from typing import Any

from django.db import connection, connections, models


def analyze(*model_classes: type[models.Model]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL only).

    Right after many rows arrive in tables the planner last saw empty (a fresh database, or a
    test that emptied them), PostgreSQL estimates one row everywhere and picks nested loops
    over millions of rows; a join of the sample registry then runs for many minutes instead
    of a second. SQLite plans without such statistics, so nothing is done there.
    """
    if connection.vendor != "postgresql" or not model_classes:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in model_classes)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _forget_inherited_connections() -> None:
    """In a forked process: start with no database connection of the parent's. Closing them
    here would end the parent's sessions (their sockets are shared); the parent closes what
    it can before forking, but a connection kept apart for another context (Django keeps
    one per running event loop) would otherwise be used by two processes at once."""
    from asgiref.local import Local

    connections._connections = Local(connections.thread_critical)  # type: ignore[attr-defined]


def shareable_jobs(jobs: int, writes: bool) -> int:
    """How many processes may work on the database at once: ``jobs``, or 1 when other
    processes could not see what this one sees (inside an open transaction, or an SQLite
    database in memory) or, for ``writes``, on SQLite (one writing transaction at a time)."""
    if jobs <= 1 or connection.in_atomic_block:
        return 1
    if connection.vendor == "sqlite" and (
        writes or connection.is_in_memory_db()  # type: ignore[attr-defined]
    ):
        return 1
    return jobs


def fork_pool(jobs: int) -> AbstractContextManager[Any]:
    """A pool of ``jobs`` forked processes, each opening its own database connection, or no
    pool (a ``nullcontext`` of None) for one."""
    if jobs <= 1:
        return contextlib.nullcontext()
    # None is inherited across the fork: each process opens its own connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    return context.Pool(jobs, initializer=_forget_inherited_connections)
