"""Prints `ok` when PostgreSQL and Redis answer at the given URLs, else what is missing."""

from __future__ import annotations

import sys


def main(database_url: str, redis_url: str) -> str:
    problems = []
    try:
        import psycopg

        dsn = database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(dsn, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        problems.append(f"PostgreSQL at {database_url}: {type(error).__name__}")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as error:
        problems.append(f"Redis at {redis_url}: {type(error).__name__}")
    return "; ".join(problems) or "ok"


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]))
