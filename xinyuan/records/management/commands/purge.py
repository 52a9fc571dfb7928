from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinyuan.records import retention


class Command(BaseCommand):
    help = (
        "Apply every hotline's retention now (the worker does this daily): "
        "delete transcripts, pseudonymise records."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = retention.purge()
        self.stdout.write(
            f"Transcripts deleted: {counts['transcripts']}; records pseudonymised: {counts['records']}"
        )
