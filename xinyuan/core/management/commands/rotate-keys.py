from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinyuan.core import rotation
from xinyuan.core.crypto import key_ring


class Command(BaseCommand):
    help = (
        "Re-encrypt everything under the newest key of XINYUAN_ENCRYPTION_KEYS (put the new key first, "
        "keep the old ones after it). Resumable: run it again after an interruption."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ring = key_ring()
        total = 0
        for table, pk, column in rotation.encrypted_columns():
            count = rotation.rotate_column(table, pk, column, ring)
            total += count
            self.stdout.write(f"{table}.{column}: {count} re-encrypted")
        from xinyuan.volunteers import files

        count = files.rotate_all()
        total += count
        self.stdout.write(f"credential scans: {count} re-encrypted")
        self.stdout.write(f"Done: {total} values now under key {ring.newest_id}. Old keys can be removed.")
