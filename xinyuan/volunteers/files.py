"""Credential scans: type checked by magic bytes, encrypted with the key ring, kept off the web root.

A stored file is `XYF1` + key id (8 ASCII hex digits) + nonce (12 bytes) + AES-GCM ciphertext, with
the file's own stored name as associated data, so a file cannot be swapped for another record's.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from xinyuan.core.crypto import DecryptionError, key_ring

MAX_BYTES = 5 * 1024 * 1024
MAGIC = b"XYF1"
# What the first bytes must be for each accepted type, and the file name endings that go with it.
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)


def sniff(head: bytes, file_name: str) -> str | None:
    """The content type if the bytes and the name's ending agree on PDF, JPEG or PNG, else None."""
    ending = os.path.splitext(file_name.lower())[1]
    for signature, content_type, endings in SIGNATURES:
        if head.startswith(signature) and ending in endings:
            return content_type
    return None


def upload_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads" / "credentials"


def _seal(name: str, data: bytes) -> bytes:
    key_id, cipher = key_ring().keys[0]
    nonce = os.urandom(12)
    return MAGIC + key_id.encode("ascii") + nonce + cipher.encrypt(nonce, data, name.encode("ascii"))


def store(data: bytes) -> str:
    """Encrypt and write `data`; returns the stored name."""
    name = secrets.token_hex(16)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    with open(path, "xb") as handle:
        handle.write(_seal(name, data))
    os.chmod(path, 0o600)
    return name


def rotate_all() -> int:
    """Re-encrypt every stored file not under the newest key; returns how many.

    Each file is replaced atomically (write beside it, then rename), so an interrupted run resumes."""
    folder = upload_dir()
    if not folder.is_dir():
        return 0
    newest = key_ring().newest_id.encode("ascii")
    done = 0
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.read_bytes()[4:12] == newest:
            continue
        name = _safe(path.name)
        partial = folder / f".{name}.new"
        partial.write_bytes(_seal(name, read(name)))
        os.chmod(partial, 0o600)
        os.replace(partial, path)
        done += 1
    return done


def read(name: str) -> bytes:
    blob = (upload_dir() / _safe(name)).read_bytes()
    if not blob.startswith(MAGIC):
        raise DecryptionError("not an encrypted upload")
    key_id = blob[4:12].decode("ascii")
    nonce, sealed = blob[12:24], blob[24:]
    for candidate_id, cipher in key_ring().keys:
        if candidate_id == key_id:
            return cipher.decrypt(nonce, sealed, name.encode("ascii"))
    raise DecryptionError(f"no key {key_id} in XINYUAN_ENCRYPTION_KEYS")


def delete(name: str) -> None:
    (upload_dir() / _safe(name)).unlink(missing_ok=True)


def _safe(name: str) -> str:
    if not name or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("bad stored file name")
    return name
