"""Serving the ASGI application with uvicorn, optionally with the worker in the same process."""

from __future__ import annotations

import os
import threading

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
    stop = threading.Event()
    thread: threading.Thread | None = None
    if with_worker:
        thread = threading.Thread(target=worker.run_forever, args=(stop,), name="xinyuan-worker", daemon=True)
        thread.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn has already shut down gracefully; Ctrl-C is the normal way to stop
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=10)
