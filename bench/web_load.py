"""Landmark clients for the web benchmark, in a process of their own.

`python -m bench.web_load URL TEXTS_FILE CLIENTS SECONDS OUT_FILE` opens CLIENTS landmark sockets to
URL. Each sends one landmark message every 1/30 s (the clients' send times spread evenly
over that period) and waits for the reply before sending the next, as the page does. A
client that falls behind its schedule sends the next message as soon as the reply is in
(never more than one in flight), so a slow server lowers the rate actually sent (reported)
rather than building a backlog. It writes one JSON object to OUT_FILE: every round trip
(ms, send to reply, on this process's clock), the server's own time from each reply,
messages sent per client, and this process's CPU seconds.

The clients are lean on purpose, so that on a small machine they take as little CPU as
possible from the server they measure: one uvloop event loop and websockets' sans-I/O
protocol on plain asyncio transports, with no task or queue per socket beyond one future
per reply. Their CPU per message is recorded so that a row can say what they cost.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, cast

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

RATE_HZ = 30.0
START = json.dumps(
    {
        "type": "start",
        "exercise": "side_lying_leg_lift",
        "mode": "landmarks",
        "image_size": [640, 352],
    }
)
END = '{"type": "end"}'


class LeanSocket(asyncio.Protocol):
    """One WebSocket client connection: send a text, await the next text reply."""

    def __init__(self, url: str) -> None:
        self.ws = ClientProtocol(parse_uri(url), max_size=2**22)
        self.transport: asyncio.WriteTransport | None = None
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.reply: asyncio.Future[str] | None = None
        self._parts: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCP transport writes like asyncio's but is not registered as its subclass.
        self.transport = cast(asyncio.WriteTransport, transport)
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                self._settle(self.opened, None, event.status_code == 101, event.status_code)
            elif isinstance(event, Frame) and event.opcode in (Opcode.TEXT, Opcode.CONT):
                self._parts.append(bytes(event.data))
                if event.fin:
                    text = b"".join(self._parts).decode()
                    self._parts.clear()
                    if self.reply is not None:
                        self._settle(self.reply, text, True, None)
        self._flush()  # pongs and close frames the protocol wants to send

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.opened, self.reply):
            if future is not None and not future.done():
                future.set_exception(ConnectionError("the server closed the socket"))

    @staticmethod
    def _settle(future: asyncio.Future[Any], value: object, ok: bool, status: int | None) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(ConnectionError(f"handshake refused: HTTP {status}"))

    def _flush(self) -> None:
        data = self.ws.data_to_send()
        if data and self.transport is not None:
            self.transport.write(b"".join(data))

    async def ask(self, text: str) -> str:
        """Send one text message and wait for the next text message back."""
        self.reply = asyncio.get_running_loop().create_future()
        self.ws.send_text(text.encode())
        self._flush()
        return await self.reply

    def close(self) -> None:
        if self.ws.state is State.OPEN:  # else the server closed first, and was answered
            self.ws.send_close(1000)
            self._flush()
        if self.transport is not None:
            self.transport.close()


async def _client(
    url: str, texts: list[str], seconds: float, offset: float, out: dict[str, list[float]]
) -> None:
    await asyncio.sleep(offset)  # spread the clients over one send period
    uri = parse_uri(url)
    loop = asyncio.get_running_loop()
    _, sock = await loop.create_connection(lambda: LeanSocket(url), uri.host, uri.port)
    await sock.opened
    json.loads(await sock.ask(START))
    start = time.perf_counter()
    i = 0
    while (now := time.perf_counter()) - start < seconds:
        reply = json.loads(
            await sock.ask(texts[i % len(texts)].replace("__T__", f"{now - start:.4f}", 1))
        )
        if reply.get("type") == "result":
            out["rtt"].append((time.perf_counter() - now) * 1000)
            out["server"].append(reply["server_ms"])
        i += 1
        await asyncio.sleep(max(0.0, start + i / RATE_HZ - time.perf_counter()))
    out["sent"].append(float(i))
    await sock.ask(END)  # the set_end message
    sock.close()


async def run_clients(
    url: str, texts: list[str], n_clients: int, seconds: float
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"server": [], "rtt": [], "sent": []}
    period = 1 / RATE_HZ
    await asyncio.gather(
        *(_client(url, texts, seconds, k / n_clients * period, out) for k in range(n_clients))
    )
    return out


def main(argv: list[str]) -> None:
    url, texts_file, n_clients, seconds, out_file = (
        argv[0],
        argv[1],
        int(argv[2]),
        float(argv[3]),
        argv[4],
    )
    texts = json.loads(Path(texts_file).read_text())
    cpu = time.process_time()
    try:
        import uvloop
    except ImportError:
        out = asyncio.run(run_clients(url, texts, n_clients, seconds))
    else:
        out = uvloop.run(run_clients(url, texts, n_clients, seconds))
    # A file, not stdout: nothing a library prints can get mixed into the figures.
    Path(out_file).write_text(json.dumps({**out, "cpu_s": time.process_time() - cpu}))


if __name__ == "__main__":
    main(sys.argv[1:])
