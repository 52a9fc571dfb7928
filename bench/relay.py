"""A minimal WebSocket relay with no persistence: the ceiling for bench/chat_load.py.

Clients connect to `/pair/<id>/<side>` (side: seeker or counsellor). A frame
`{"type": "message", "key": …, "body": …}` gets an in-memory per-pair `seq`, an `ack` to the sender
and a `message` to both ends of the pair — the same frames and fan-out as xinyuan's protocol, with
no database, no channel layer and no checks.

Run: .venv/bin/python bench/relay.py --port 8765   (chat_load.py starts it itself)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from collections import defaultdict
from typing import Any

import websockets
from websockets.asyncio.server import ServerConnection, serve

pairs: dict[str, dict[str, ServerConnection]] = defaultdict(dict)
seqs: dict[str, int] = defaultdict(int)


async def relay(connection: ServerConnection) -> None:
    path = connection.request.path if connection.request else ""
    parts = path.strip("/").split("/")
    if len(parts) != 3 or parts[0] != "pair" or parts[2] not in ("seeker", "counsellor"):
        await connection.close(4404)
        return
    pair, side = parts[1], parts[2]
    pairs[pair][side] = connection
    try:
        async for raw in connection:
            frame: dict[str, Any] = json.loads(raw)
            if frame.get("type") != "message":
                continue
            seqs[pair] += 1
            seq = seqs[pair]
            await connection.send(json.dumps({"type": "ack", "key": frame.get("key"), "seq": seq}))
            message = json.dumps(
                {
                    "type": "message",
                    "seq": seq,
                    "sender": side,
                    "body": frame.get("body"),
                    "key": frame.get("key"),
                }
            )
            for peer in list(pairs[pair].values()):
                with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                    await peer.send(message)
    finally:
        if pairs[pair].get(side) is connection:
            del pairs[pair][side]


async def main(host: str, port: int) -> None:
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with serve(relay, host, port, ping_interval=None, max_queue=None):
        print(f"relay on ws://{host}:{port}/pair/<id>/<side>", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    try:
        import uvloop

        uvloop.run(main(options.host, options.port))
    except ImportError:
        asyncio.run(main(options.host, options.port))
