"""Scans on disk: the type check and the encryption round trip, over arbitrary bytes."""

from __future__ import annotations

import base64
import secrets
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from xinyuan.core import crypto
from xinyuan.volunteers import files

SIGNATURES = [signature for signature, _type, _endings in files.SIGNATURES]


@given(
    st.binary(max_size=64), st.sampled_from(["a.pdf", "a.PNG", "a.jpeg", "a.jpg", "a.exe", "a", "a.pdf.exe"])
)
def test_only_known_signatures_with_a_matching_name_pass(head: bytes, name: str) -> None:
    found = files.sniff(head, name)
    if found is not None:
        assert any(head.startswith(signature) for signature in SIGNATURES)
        assert name.lower().endswith(
            {"application/pdf": (".pdf",), "image/png": (".png",)}.get(found, (".jpg", ".jpeg"))
        )


@given(st.binary(max_size=2048))
def test_what_is_stored_reads_back_and_is_not_kept_in_clear(data: bytes) -> None:
    name = files.store(data)
    try:
        on_disk = (files.upload_dir() / name).read_bytes()
        assert files.read(name) == data
        if len(data) >= 8:
            assert data not in on_disk
    finally:
        files.delete(name)


def test_a_stored_file_cannot_pass_for_another(tmp_path: Path) -> None:
    first, second = files.store(b"%PDF-first"), files.store(b"%PDF-second")
    (files.upload_dir() / second).write_bytes((files.upload_dir() / first).read_bytes())
    with pytest.raises(InvalidTag):  # the stored name is bound to the ciphertext
        files.read(second)
    with pytest.raises(ValueError, match="bad stored file name"):
        files.read("../../etc/passwd")
    assert str(files.upload_dir()).startswith(str(settings.VAR_DIR))


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_stored_scans(settings: Any) -> None:
    name = files.store(b"%PDF-1.7 certificate scan")
    old = crypto.key_ring().newest_id
    newer = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    try:
        settings.ENCRYPTION_KEYS = [newer, *crypto.key_ring_strings()]
        crypto.key_ring.cache_clear()
        out = StringIO()
        call_command("rotate-keys", stdout=out)
        assert "credential scans: 1 re-encrypted" in out.getvalue()
        assert files.rotate_all() == 0  # resumable: nothing left to do
        settings.ENCRYPTION_KEYS = [newer]  # the old key is gone
        crypto.key_ring.cache_clear()
        assert files.read(name) == b"%PDF-1.7 certificate scan"
        assert (files.upload_dir() / name).read_bytes()[4:12] != old.encode("ascii")
    finally:
        crypto.key_ring.cache_clear()
        files.delete(name)
