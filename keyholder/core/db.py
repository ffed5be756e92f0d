"""Small database helpers shared by the apps."""

from __future__ import annotations

from django.db import connection, models


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
