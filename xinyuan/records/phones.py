"""Recognising a phone number without keeping it in clear: normalise, then a keyed hash (HMAC).

Pure (no Django): the keys are passed in. The same number written differently ("138 0013 8000",
"+86 138-0013-8000", "0086 13800138000") gives the same hash; without the key, the hash of a
number cannot be guessed by hashing every possible number.
"""

from __future__ import annotations

import hashlib
import hmac

# The hash is for one purpose only: a derived key, so the encryption key itself is never an HMAC key.
PURPOSE = b"xinyuan.records.phone-lookup.v1"
CHINA = "86"


def normalise(number: str) -> str:
    """Digits only, the international prefix written as "+", China's +86 dropped from mobiles.

    Returns "" when there are too few digits to be a phone number.
    """
    kept = "".join(ch for ch in number if ch == "+" or (ch.isascii() and ch.isdigit()))
    digits = kept.replace("+", "")
    plus = kept.startswith("+")
    international = plus or digits.startswith("00")
    if not plus and digits.startswith("00"):
        digits = digits[2:]
    if international and digits.startswith(CHINA) and len(digits) > 11:
        # +86 138… is the national 138…; +86 10 … a landline, nationally 010 …
        digits, international = digits[len(CHINA) :], False
        if not (len(digits) == 11 and digits.startswith("1")):
            digits = "0" + digits.lstrip("0")
    elif not international and len(digits) == 13 and digits.startswith(CHINA + "1"):
        digits = digits[len(CHINA) :]  # 86 138… written without the plus
    if len(digits) < 5:
        return ""
    return ("+" if international else "") + digits


def derived_key(key: bytes) -> bytes:
    return hmac.new(key, PURPOSE, hashlib.sha256).digest()


def keyed_hash(key: bytes, number: str) -> str:
    """The hex HMAC-SHA256 of the normalised number under `key` ("" for no number)."""
    normal = normalise(number)
    if not normal:
        return ""
    return hmac.new(derived_key(key), normal.encode("ascii"), hashlib.sha256).hexdigest()
