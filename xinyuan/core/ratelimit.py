"""Fixed-window counters in the cache, for limits that must hold across processes."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def hit(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one use of `key` in `scope`; False when the limit for this window is already used up.

    Keys are hashed, so no address or token is kept in the cache in clear.
    """
    window = int(time.time() // window_seconds)
    name = f"rl:{scope}:{window}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    cache.add(name, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit
