"""Serving the ASGI application with uvicorn, optionally with the worker in the same process.

In the embedded form the worker runs as a task on the server's own event loop (its jobs in an
executor thread), so what the jobs announce reaches the in-memory channel layer on the loop that
owns it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import uvicorn

from xinyuan import worker


def serve(host: str, port: int, *, with_worker: bool) -> None:
    config = uvicorn.Config(
        "xinyuan.asgi:application",
        host=host,
        port=port,
        lifespan="off",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        server_header=False,
    )
    server = uvicorn.Server(config)
    from xinyuan.risk import triage

    triage.warm_up()  # load the dictionaries now, not during the first seeker's message
    try:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(_serve(server, with_worker))
    except KeyboardInterrupt:
        pass  # uvicorn has already shut down gracefully; Ctrl-C is the normal way to stop


async def _serve(server: uvicorn.Server, with_worker: bool) -> None:
    if not with_worker:
        await server.serve()
        return
    stop = asyncio.Event()
    jobs = asyncio.create_task(worker.run_async(stop))
    try:
        await server.serve()
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await jobs
