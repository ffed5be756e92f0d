"""Encrypt every value of every migrant record again with the first key of
KEYHOLDER_MIGRANT_KEY_FILE (docs/migrant.md, "Rotating the key")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from keyholder.migrant.crypto import EncryptedField, rotate
from keyholder.migrant.models import Document, Patent, PatentPayment, Registration, Trip


class Command(BaseCommand):
    help = "Re-encrypt the migrants' records with the newest key (run after adding one)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in (Trip, Registration, Patent, PatentPayment, Document):
            fields = [f for f in model._meta.fields if isinstance(f, EncryptedField)]
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [connection.ops.quote_name(f.column) for f in fields]
            pk = connection.ops.quote_name(model._meta.pk.column)
            with transaction.atomic(), connection.cursor() as cursor:
                # Raw rows: the tokens themselves are rotated, never the plain values.
                cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")
                for row in cursor.fetchall():
                    values = [None if v is None else rotate(v) for v in row[1:]]
                    assignments = ", ".join(f"{c} = %s" for c in columns)
                    cursor.execute(
                        f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                        [*values, row[0]],
                    )
                    total += 1
        self.stdout.write(f"re-encrypted {total} rows")
