"""Web app benchmarks: the live-coach socket under load, on loopback, bounded in time.

The server is the real `hipcoach serve --workers N` in a process of its own (with N
worker processes under it when N > 1), on a throwaway SQLite file. The landmark rows run
for N = 1, 2 and the core count; server CPU counts the supervisor and its workers. Every
figure comes from one run on whatever machine runs it, shared with whatever else runs
there: each landmark row notes the load average, the last row the core count.

- Camera frames: 1 and 3 concurrent clients (in this process) send 640x480 JPEGs of a real
  clip at up to 30 fps, one frame in flight each (as the page does). Reported: the server's
  own time per frame (decode + pose + analysis, measured inside the server) and the round
  trip.
- Landmark messages, 50 / 100 / 200 clients: what a row measures is the round trip of
  each landmark message (p50/p95/p99, ms), from just before the client writes it to just
  after it has read the reply, over `LANDMARK_SECONDS`. Each client opens one landmark-mode
  socket and sends a message of the real clip every 1/30 s, waiting for each reply before
  the next (the page's pattern); "per client/s" is the rate actually achieved (the target
  needs >= 95% of 30). The clients run in a separate, lean process (bench/web_load.py:
  one uvloop loop, websockets' sans-I/O protocol) so they do not share the server's
  interpreter; they still share the machine's cores, and their CPU per message is in the
  notes next to the server's (from /proc, user + system, over the whole row, so it
  includes opening and closing the sockets) and the coach's own time per message (the
  analysis alone, inside the server: `server_ms` of each reply).
- Landmark clients plus one camera client (in this process) at the same time: extra.
- Idle camera sockets: the server's RSS with `IDLE_SOCKETS` camera sockets open and idle,
  after each sent one frame (each then holds a MediaPipe graph), and after they closed.

Targets from the issues: frames p95 <= 50 ms with one client; landmarks p95 <= 20 ms with
50 clients (issue #7) and with 100 clients (issue #9).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from bench.browser import free_port

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO.parent / "shared" / "data" / "real" / "side_lying_leg_lift.mp4"
FRAME_SECONDS = 8.0
LANDMARK_SECONDS = 10.0
LANDMARK_CLIENTS = (50, 100, 200)
IDLE_SOCKETS = 8
LANDMARK_RATE_HZ = 30.0
FRAME_RATE_HZ = 30.0


def _start_server(data_dir: str, workers: int = 1) -> tuple[subprocess.Popen[bytes], int]:
    """`hipcoach serve --workers N` on a free port, on a throwaway SQLite file."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIPCOACH_")}
    env |= {
        "HIPCOACH_DATA_DIR": data_dir,
        "HIPCOACH_DATABASE_URL": f"sqlite:///{data_dir}/bench-{port}.db",
        "HIPCOACH_MAX_CAMERA_SOCKETS": str(IDLE_SOCKETS),
    }
    command = [sys.executable, "-c", "from hipcoach.cli.main import app; app()", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    _wait_for_workers(process.pid, workers, deadline)
                    return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the benchmark server did not start")


def _wait_for_workers(pid: int, workers: int, deadline: float) -> None:
    """With several workers, the first answers before the others are up: wait for all
    (each imports the app and beats in the database once started)."""
    if workers <= 1:
        return
    while time.monotonic() < deadline and len(child_pids(pid)) < workers + 1:
        time.sleep(0.2)
    time.sleep(3.0)  # the last ones finish importing


def child_pids(pid: int) -> list[int]:
    """Direct child processes of `pid` (Linux /proc; empty elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _load_clip() -> tuple[list[bytes], list[Any]]:
    """640x480 JPEGs of the clip, and its poses (MediaPipe, run once here)."""
    import cv2

    from hipcoach.pose.source import default_estimator

    cap = cv2.VideoCapture(str(CLIP))
    jpegs: list[bytes] = []
    poses: list[Any] = []
    estimator = default_estimator()
    index = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frame = cv2.resize(bgr, (640, 480))
        jpegs.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 75])[1].tobytes())
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        poses.append(estimator.estimate(rgb, index / 30.0))
        index += 1
    cap.release()
    estimator.close()
    return jpegs, poses


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time so far of a process and its children (the worker
    processes of `serve --workers N`; Linux /proc), None elsewhere."""
    total = 0.0
    for one in (pid, *child_pids(pid)):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            if one == pid:
                return None
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _percentiles(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def _p99(values: list[float]) -> float:
    return float(np.percentile(values, 99)) if values else float("nan")


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc), NaN elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def _frame_client(
    url: str, jpegs: list[bytes], seconds: float, out: dict[str, list[float]]
) -> None:
    from websockets.asyncio.client import connect

    from hipcoach.web.protocol import encode_binary_frame

    async with connect(url, max_size=2**22, compression=None) as ws:
        await ws.send(json.dumps({"type": "start", "exercise": "side_lying_leg_lift"}))
        json.loads(await ws.recv())
        start = time.perf_counter()
        i = 0
        while (now := time.perf_counter()) - start < seconds:
            sent = now
            await ws.send(encode_binary_frame(jpegs[i % len(jpegs)], now - start))
            reply = json.loads(await ws.recv())
            if reply.get("type") == "result":
                out["server"].append(reply["server_ms"])
                out["rtt"].append((time.perf_counter() - sent) * 1000)
            i += 1
            await asyncio.sleep(max(0.0, 1 / FRAME_RATE_HZ - (time.perf_counter() - sent)))
        await ws.send(json.dumps({"type": "end"}))
        await ws.recv()


def _landmark_texts(poses: list[Any]) -> list[str]:
    from hipcoach.web.protocol import format_landmark_message

    texts = []
    for pose in poses:
        message = format_landmark_message(pose, 0.0)
        message["t"] = "__T__"
        texts.append(json.dumps(message).replace('"__T__"', "__T__"))
    return texts


def _cpu_share(used: float | None, wall: float, messages: int) -> str:
    """The server process's CPU use over the row's `wall` seconds (clients starting,
    connecting, sending and closing): share of one core, and per message answered."""
    if used is None or not messages:
        return "server CPU n/a"
    return f"server CPU {100 * used / wall:.0f}% of a core, {1e6 * used / messages:.0f} us/msg"


def _frame_rows(url: str, jpegs: list[bytes]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for clients in (1, 3):
        out: dict[str, list[float]] = {"server": [], "rtt": []}

        async def run(n: int = clients, sink: dict[str, list[float]] = out) -> None:
            await asyncio.gather(
                *(_frame_client(url, jpegs, FRAME_SECONDS, sink) for _ in range(n))
            )

        asyncio.run(run())
        p50, p95 = _percentiles(out["server"])
        r50, r95 = _percentiles(out["rtt"])
        rows.append(
            {
                "test": "camera frames 640x480, server ms",
                "clients": clients,
                "workers": 1,
                "msgs": len(out["server"]),
                "per client/s": round(len(out["server"]) / FRAME_SECONDS / clients, 1),
                "p50 ms": round(p50, 1),
                "p95 ms": round(p95, 1),
                "p99 ms": round(_p99(out["server"]), 1),
                "notes": f"decode+pose+analysis; round trip {r50:.0f}/{r95:.0f} ms",
                "target": "p95 <= 50" if clients == 1 else "",
                "met": ("yes" if p95 <= 50 else "NO") if clients == 1 else "",
            }
        )
    return rows


def _run_landmark_clients(
    url: str,
    texts_file: str,
    n_clients: int,
    camera: dict[str, list[float]] | None,
    jpegs: list[bytes] | None,
) -> dict[str, Any]:
    """The landmark clients in their own process (bench/web_load.py); with `camera`, one
    camera client in this process at the same time."""
    out_file = f"{texts_file}.{n_clients}.out.json"
    command = [sys.executable, "-m", "bench.web_load", url, texts_file, str(n_clients)]
    clients = subprocess.Popen([*command, str(LANDMARK_SECONDS), out_file], cwd=REPO)
    if camera is not None and jpegs:
        asyncio.run(_frame_client(url, jpegs, LANDMARK_SECONDS, camera))
    if clients.wait(timeout=LANDMARK_SECONDS + 120) != 0:
        raise RuntimeError(f"the landmark clients failed (exit {clients.returncode})")
    result: dict[str, Any] = json.loads(Path(out_file).read_text())
    return result


def _landmark_row(
    url: str,
    texts_file: str,
    server_pid: int,
    camera_jpegs: list[bytes] | None = None,
    n_clients: int = LANDMARK_CLIENTS[0],
    workers: int = 1,
) -> dict[str, object]:
    """`n_clients` landmark clients; with `camera_jpegs`, one camera client alongside."""
    camera: dict[str, list[float]] | None = {"server": [], "rtt": []} if camera_jpegs else None
    cpu_before, wall_before = _cpu_seconds(server_pid), time.perf_counter()
    out = _run_landmark_clients(url, texts_file, n_clients, camera, camera_jpegs)
    cpu_after, wall = _cpu_seconds(server_pid), time.perf_counter() - wall_before
    used = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    rtt = out["rtt"]
    r50, r95 = _percentiles(rtt)
    s50, s95 = _percentiles(out["server"])
    rate = sum(out["sent"]) / LANDMARK_SECONDS / n_clients
    clients_cpu = 1e6 * out["cpu_s"] / max(1, len(rtt))
    test = "landmark msgs, round trip ms"
    notes = f"coach (analysis) {s50:.2f}/{s95:.2f} ms; "
    notes += _cpu_share(used, wall, len(rtt)) + f"; clients {clients_cpu:.0f} us/msg"
    if camera:
        c50, c95 = _percentiles(camera["server"])
        test = "landmark msgs + 1 camera, round trip ms"
        notes += f"; camera server ms {c50:.0f}/{c95:.0f}"
    target = {50: "p95 <= 20 at 30/s (#7)", 100: "p95 <= 20 at 30/s (#9)"}.get(n_clients, "")
    return {
        "test": test,
        "clients": n_clients,
        "workers": workers,
        "msgs": len(rtt),
        "per client/s": round(rate, 1),
        "p50 ms": round(r50, 1),
        "p95 ms": round(r95, 1),
        "p99 ms": round(_p99(rtt), 1),
        "notes": notes,
        # The target is for landmark clients alone; the mixed row is extra load.
        "target": target if not camera_jpegs else "(extra: mixed load)",
        "met": ("yes" if r95 <= 20 and rate >= 0.95 * LANDMARK_RATE_HZ else "NO")
        if target and not camera_jpegs
        else "",
    }


async def _idle_sockets(url: str, jpeg: bytes, pid: int, rss: dict[str, float]) -> None:
    from websockets.asyncio.client import connect

    start = json.dumps({"type": "start", "exercise": "side_lying_leg_lift", "mode": "frames"})
    sockets = [await connect(url, max_size=2**22, compression=None) for _ in range(IDLE_SOCKETS)]
    for ws in sockets:
        await ws.send(start)
        json.loads(await ws.recv())
    await asyncio.sleep(1.0)
    rss["idle"] = _rss_mb(pid)
    for ws in sockets:
        await ws.send(jpeg)
        json.loads(await ws.recv())
    await asyncio.sleep(1.0)
    rss["one frame each"] = _rss_mb(pid)
    for ws in sockets:
        await ws.close()
    await asyncio.sleep(3.0)  # graphs are closed on the sockets' own threads
    rss["closed"] = _rss_mb(pid)


def _memory_row(url: str, jpeg: bytes, server_pid: int) -> dict[str, object]:
    """Server RSS growth with idle camera sockets, after a frame each, after closing."""
    base = _rss_mb(server_pid)
    rss: dict[str, float] = {}
    asyncio.run(_idle_sockets(url, jpeg, server_pid, rss))
    growth = {k: round(v - base, 0) for k, v in rss.items()}
    per_idle = growth["idle"] / IDLE_SOCKETS
    return {
        "test": "camera sockets, server RSS growth MB",
        "clients": IDLE_SOCKETS,
        "workers": 1,
        "notes": f"base {base:.0f} MB; "
        + "; ".join(f"{k} +{v:.0f}" for k, v in growth.items())
        + f"; idle {per_idle:.1f} MB/socket",
        "target": "idle socket << 104 MB",
        "met": "yes" if per_idle < 20 else "NO",
    }


def _worker_counts() -> list[int]:
    """1, 2 and the machine's core count (`serve --workers N`)."""
    return sorted({1, 2, os.cpu_count() or 1})


def run_web_bench() -> list[dict[str, object]]:
    """Rows for `make bench` (see the module docstring). The last row notes the machine's
    load, since other work on the same cores shifts every figure."""
    if not CLIP.exists():
        return [{"test": f"skipped: {CLIP} is missing"}]
    load_before = os.getloadavg()[0]
    jpegs, poses = _load_clip()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="hipcoach-bench-") as data_dir:
        texts_file = str(Path(data_dir) / "landmark-messages.json")
        Path(texts_file).write_text(json.dumps(_landmark_texts(poses)))
        for workers in _worker_counts():
            server, port = _start_server(data_dir, workers)
            url = f"ws://127.0.0.1:{port}/ws/live"
            try:
                if workers == 1:
                    rows += _frame_rows(url, jpegs)
                for n_clients in LANDMARK_CLIENTS:
                    row = _landmark_row(url, texts_file, server.pid, None, n_clients, workers)
                    row["notes"] = f"{row['notes']}; load {os.getloadavg()[0]:.1f}"
                    rows.append(row)
                if workers == 1:
                    rows.append(_landmark_row(url, texts_file, server.pid, camera_jpegs=jpegs))
                    rows.append(_memory_row(url, jpegs[len(jpegs) // 2], server.pid))
            finally:
                server.terminate()
                server.wait(timeout=30)
    load = f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    rows.append({"test": f"machine: {os.cpu_count()} cores", "notes": load})
    return rows


if __name__ == "__main__":
    for row in run_web_bench():
        print(row)
