"""Field encryption at rest: AES-256-GCM with a key ring (newest key first).

A stored value is `v1:<key id>:<base64url(nonce + ciphertext + tag)>`. The key id is the first 8
hex digits of SHA-256 of the key, so any key in the ring can decrypt what it wrote, and rotation
only needs the new key put first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

PREFIX = "v1"


class DecryptionError(Exception):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, AESGCM], ...]  # (key id, cipher), newest first

    @classmethod
    def from_strings(cls, encoded: list[str]) -> KeyRing:
        keys = []
        for text in encoded:
            raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
            if len(raw) != 32:
                raise ValueError("each encryption key must be 32 bytes, URL-safe base64 encoded")
            keys.append((hashlib.sha256(raw).hexdigest()[:8], AESGCM(raw)))
        if not keys:
            raise ValueError("no encryption key configured")
        return cls(tuple(keys))

    @property
    def newest_id(self) -> str:
        return self.keys[0][0]

    def encrypt(self, plaintext: str, context: bytes = b"") -> str:
        key_id, cipher = self.keys[0]
        nonce = os.urandom(12)
        sealed = cipher.encrypt(nonce, plaintext.encode("utf-8"), context)
        return f"{PREFIX}:{key_id}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, stored: str, context: bytes = b"") -> str:
        try:
            prefix, key_id, payload = stored.split(":", 2)
        except ValueError as error:
            raise DecryptionError("not an encrypted value") from error
        if prefix != PREFIX:
            raise DecryptionError("unknown format")
        for candidate_id, cipher in self.keys:
            if candidate_id == key_id:
                blob = base64.urlsafe_b64decode(payload)
                return cipher.decrypt(blob[:12], blob[12:], context).decode("utf-8")
        raise DecryptionError(f"no key {key_id} in XINYUAN_ENCRYPTION_KEYS")

    def needs_rotation(self, stored: str) -> bool:
        return not stored.startswith(f"{PREFIX}:{self.newest_id}:")


def key_ring_strings() -> list[str]:
    return list(settings.ENCRYPTION_KEYS)


@cache
def key_ring() -> KeyRing:
    return KeyRing.from_strings(key_ring_strings())


class EncryptedTextField(models.TextField):
    """Text stored encrypted; Python code sees plain text. Not searchable or orderable in SQL."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value  # empty stays empty, so "nothing left" can be found in SQL; it reveals nothing
        return key_ring().encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return key_ring().decrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """JSON stored encrypted (e.g. risk evidence, which quotes the seeker's words)."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return super().get_prep_value(json.dumps(value, ensure_ascii=False))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        return None if text is None else json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value
