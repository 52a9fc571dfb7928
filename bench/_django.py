"""Set up Django on a fresh SQLite database in a temp dir, for the benches that need the ORM."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def temp_sqlite() -> None:
    var = tempfile.mkdtemp(prefix="xinyuan-bench-")
    os.environ["XINYUAN_VAR_DIR"] = var
    os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyuan.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
