"""Re-encrypting every encrypted column under the newest key, in batches, resumably."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import connection, transaction

from xinyuan.core.crypto import EncryptedTextField, KeyRing, key_ring

BATCH = 500


def encrypted_columns() -> Iterator[tuple[str, str, str]]:
    """(table, primary key column, column) of every encrypted field."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model._meta.db_table, model._meta.pk.column, field.column


def rotate_column(table: str, pk: str, column: str, ring: KeyRing | None = None) -> int:
    """Re-encrypt the column's values that are not under the newest key. Returns how many.

    Each batch commits on its own and each row is updated only if unchanged since it was read,
    so an interrupted run simply resumes, and concurrent writes are never overwritten.
    """
    ring = ring or key_ring()
    quote = connection.ops.quote_name
    prefix = f"v1:{ring.newest_id}:%"
    select = (
        f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608  (names come from the models)
        f"WHERE {quote(column)} <> '' AND {quote(column)} NOT LIKE %s ORDER BY {quote(pk)} LIMIT %s"
    )
    update = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s AND {quote(column)} = %s"  # noqa: S608
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [prefix, BATCH])
            rows = cursor.fetchall()
            for key, stored in rows:
                cursor.execute(update, [ring.encrypt(ring.decrypt(stored)), key, stored])
                done += cursor.rowcount
        if len(rows) < BATCH:
            return done
