"""Rows of one model inserted in bulk around the ORM: ``COPY`` on PostgreSQL, ``executemany``
on SQLite.

``bulk_create`` spends most of its time building the SQL and preparing each value of each
row through the model fields; for tens of thousands of rows that is seconds. ``RowWriter``
adapts the values itself, as the backend's own adapters would (on SQLite UUIDs as hex, dates
and times as ISO text, JSON as text; on PostgreSQL JSON as text, everything else as is), and
hands them to the driver in one go. It writes what it is given: the caller checks and
normalises the values first, as the model's writers (the services) do, and fills the columns
that ``save`` would fill (``auto_now``, defaults).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Adapter = Callable[[Any], Any]


def _target(field: Any) -> Any:
    return field.target_field if field.is_relation else field


def _sqlite_adapter(field: Any) -> Adapter | None:
    kind = _target(field).get_internal_type()
    if kind == "UUIDField":
        return lambda value: value.hex
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return dt.date.isoformat
    if kind == "JSONField":
        return json.dumps
    return None


def _postgres_adapter(field: Any) -> Adapter | None:
    if _target(field).get_internal_type() == "JSONField":
        return json.dumps
    return None


class RowWriter:
    """Collects rows (one value per column, in ``columns`` order) and inserts them in bulk."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.postgres = connection.vendor == "postgresql"
        meta = model._meta
        self.table = meta.db_table
        fields = [meta.get_field(name) for name in columns]
        self.columns: list[str] = [field.column for field in fields]  # type: ignore[union-attr,misc]
        adapter = _postgres_adapter if self.postgres else _sqlite_adapter
        self.adapters = [(index, a) for index, f in enumerate(fields) if (a := adapter(f))]
        self.rows: list[Sequence[Any]] = []

    def add(self, values: Sequence[Any]) -> None:
        if self.adapters:
            row = list(values)
            for index, adapt in self.adapters:
                if row[index] is not None:
                    row[index] = adapt(row[index])
            values = row
        self.rows.append(values)

    def flush(self) -> int:
        count = len(self.rows)
        if not count:
            return 0
        ops = connection.ops
        table = ops.quote_name(self.table)
        names = ", ".join(ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # the psycopg cursor, for COPY
                # Around Django's cursor, psycopg's own errors would escape as they are: wrapped,
                # a refused COPY is a django.db.DatabaseError like any refused INSERT, which
                # callers catch (the import then checks the batch's rows one by one).
                with (
                    connection.wrap_database_errors,
                    raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
                ):
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
                for start in range(0, count, 5000):
                    cursor.executemany(sql, self.rows[start : start + 5000])
        self.rows = []
        return count


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """``bulk_create`` through ``RowWriter``: every concrete column of the instances as they
    are (an automatic integer id is left to the database and not read back), the
    ``auto_now`` and ``auto_now_add`` times all set to one "now". Nothing else of ``save``
    runs: the caller fills what a model's ``save`` would (``set_search_name``)."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    stamps = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    writer = RowWriter(model, [f.attname for f in fields])
    now = timezone.now()
    for obj in objs:
        for name in stamps:
            setattr(obj, name, now)
        writer.add([getattr(obj, f.attname) for f in fields])
        obj._state.adding = False
        obj._state.db = connection.alias
    return writer.flush()
