"""Reading configuration from the environment and the embedded `var/` folder.

No Django imports: settings.py and the CLI both use this before Django is set up.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


def var_dir() -> Path:
    """The folder for the embedded form's database and generated keys."""
    path = Path(os.environ.get("XINYUAN_VAR_DIR", Path.cwd() / "var"))
    return path.resolve()


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """Return the secret kept in `path`, generating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(64)


def new_encryption_key() -> str:
    """A 256-bit AES-GCM key, URL-safe base64 encoded."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key() -> str:
    value = os.environ.get("XINYUAN_SECRET_KEY", "").strip()
    if value:
        return value
    return read_or_create_secret(var_dir() / "secret_key", new_secret_key)


def encryption_keys() -> list[str]:
    """Encryption keys, newest first; the first one encrypts, all of them decrypt."""
    keys = env_list("XINYUAN_ENCRYPTION_KEYS", [])
    if keys:
        return keys
    return [read_or_create_secret(var_dir() / "encryption_key", new_encryption_key)]
