"""Encryption at rest: no plaintext of a seeker's words in the database; keys rotate."""

from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import Personas
from tests.contacts.helpers import open_contact
from xinyuan.contacts import actions
from xinyuan.contacts.models import Message, Sender
from xinyuan.core import crypto

PHRASE = "吃了一整瓶安眠药"  # a risk phrase: the evidence quotes it
MARKER = f"{PHRASE}-unique-7f3a"
# Plaintext as it could sit in a row: raw, or escaped as JSON stores it.
FORMS = (PHRASE, json.dumps(PHRASE)[1:-1])


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@pytest.mark.django_db
def test_no_plaintext_of_a_message_in_any_row(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a, f"intake {MARKER}")
    actions.do_post_message(contact.pk, sender=Sender.SEEKER, body=f"message {MARKER}")
    assert Message.objects.get(contact=contact).body == f"message {MARKER}"  # the app reads it
    contact.refresh_from_db()
    assert contact.risk_evidence and contact.risk_level == "imminent"
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [" ".join(str(value) for value in row) for row in cursor.fetchall()]
            found += [(table, row) for row in rows if any(form in row for form in FORMS)]
    assert found == []


def test_no_plaintext_in_the_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["XINYUAN_VAR_DIR"] = str(tmp_path)
    script = (
        "from xinyuan.core import demo; demo.load();"
        "from xinyuan.core.models import Hotline; from xinyuan.contacts import actions;"
        "h = Hotline.objects.get(slug='demo');"
        f"o = actions.do_open_contact(h, answers={{'what_is_happening': 'intake {MARKER}'}},"
        " language='zh-hans', consent_version=h.consent_version);"
        f"actions.do_post_message(o.contact.pk, sender='seeker', body='message {MARKER}')"
    )
    cli = [sys.executable, "-m", "xinyuan.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*cli, "shell", "-c", script], env=env, check=True)
    database = tmp_path / "xinyuan.sqlite3"
    with sqlite3.connect(database) as raw:
        assert raw.execute("SELECT count(*) FROM contacts_message").fetchone() == (1,)
    for path in tmp_path.glob("xinyuan.sqlite3*"):  # the database and its write-ahead log
        content = path.read_bytes()
        for form in FORMS:
            assert form.encode() not in content, path.name


@pytest.mark.django_db(transaction=True)
def test_rotate_keys_re_encrypts_everything_under_the_newest_key(
    personas: Personas, settings: object
) -> None:
    contact, _ = open_contact(personas.hotline_a, "旧钥匙加密的话")
    actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="第二条")
    old = crypto.key_ring().keys[0][0]
    newer = new_key()
    try:
        with override_settings(ENCRYPTION_KEYS=[newer, *crypto.key_ring_strings()]):
            crypto.key_ring.cache_clear()
            out = StringIO()
            call_command("rotate-keys", stdout=out)
            assert "contacts_message.body: 1 re-encrypted" in out.getvalue()
            call_command("rotate-keys", stdout=StringIO())  # resumable: nothing left to do
        with override_settings(ENCRYPTION_KEYS=[newer]):  # the old key is gone
            crypto.key_ring.cache_clear()
            assert Message.objects.get(contact=contact).body == "第二条"
            with connection.cursor() as cursor:
                cursor.execute("SELECT body FROM contacts_message")
                (stored,) = cursor.fetchone()
            assert not stored.startswith(f"v1:{old}:")
    finally:
        crypto.key_ring.cache_clear()
