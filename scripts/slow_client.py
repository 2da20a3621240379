"""A slow-client (slowloris) probe of `collab-advisor serve`, on this machine only.

Starts the server twice on a loopback port, with its file-descriptor limit set to
--fd-limit (256 by default, as on macOS): once with the limits effectively off (a
day's timeouts and no connection cap: how uvicorn behaves alone) and once with the
defaults. Each time, --connections attackers connect and send request headers a
byte every --trickle seconds (reconnecting that long after being cut off), for
--seconds; meanwhile a
probe sends one quick request every 0.25 s. Prints, for each run, the connections
the attackers held (median and most), and the probe's latency (median, 95th
percentile, worst) and failures. Loopback only; counts and times are bounded.

    .venv/bin/python scripts/slow_client.py --connections 400 --seconds 30
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_ATTACKERS = 1000
MAX_SECONDS = 120.0
UNLIMITED = ["--header-timeout", "86400", "--body-timeout", "86400",
             "--max-connections", "86400", "--max-requests", "86400"]


def _start(fd_limit: int, extra: list[str]) -> tuple[subprocess.Popen[str], int]:
    def limit_fds() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser",
         *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
        preexec_fn=limit_fds)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines.get(timeout=60))
    if not found:
        process.kill()
        raise SystemExit("the server did not start")
    return process, int(found.group(1))


class Attack:
    """Attackers trickling headers; counts the connections they hold."""

    def __init__(self, port: int, count: int, trickle: float, stop: threading.Event) -> None:
        self.port, self.trickle, self.stop = port, trickle, stop
        self.held = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._one, daemon=True) for _ in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
            time.sleep(0.002)

    def _one(self) -> None:
        request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
        while not self.stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            except OSError:
                self.stop.wait(0.5)
                continue
            with self.lock:
                self.held += 1
            try:
                for byte in request:
                    if self.stop.is_set():
                        break
                    sock.sendall(bytes([byte]))
                    sock.settimeout(self.trickle)
                    with contextlib.suppress(TimeoutError):
                        if sock.recv(1024) == b"":
                            break  # cut off by the server
            except OSError:
                pass
            finally:
                sock.close()
                with self.lock:
                    self.held -= 1
            self.stop.wait(self.trickle)  # then reconnect, as a slowloris tool does


def _probe(port: int) -> float | None:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/rules", timeout=15) as r:
            r.read()
    except (OSError, urllib.error.URLError):
        return None
    return time.monotonic() - started


def run(label: str, args: argparse.Namespace, extra: list[str], attackers: int) -> None:
    process, port = _start(args.fd_limit, extra)
    stop = threading.Event()
    attack = Attack(port, attackers, args.trickle, stop)
    try:
        attack.start()
        latencies: list[float] = []
        failures = 0
        held: list[int] = []
        ends = time.monotonic() + args.seconds
        while time.monotonic() < ends:
            held.append(attack.held)
            seconds = _probe(port)
            if seconds is None:
                failures += 1
            else:
                latencies.append(seconds)
            time.sleep(0.25)
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    ordered = sorted(latencies) or [float("nan")]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{label:<22} held median {statistics.median(held):>5.0f}  most {max(held):>5}   "
          f"probe ms median {statistics.median(ordered) * 1000:>7.1f}  p95 {p95 * 1000:>7.1f}  "
          f"worst {ordered[-1] * 1000:>7.1f}  failed {failures}/{failures + len(latencies)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--connections", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--trickle", type=float, default=1.0,
                        help="seconds between an attacker's bytes (default 1)")
    parser.add_argument("--fd-limit", type=int, default=256)
    args = parser.parse_args()
    if not 1 <= args.connections <= MAX_ATTACKERS or not 0 < args.seconds <= MAX_SECONDS:
        raise SystemExit(f"--connections is 1 to {MAX_ATTACKERS}; --seconds up to {MAX_SECONDS:g}")
    print(f"{args.connections} trickling attackers for {args.seconds:g} s, server fd limit "
          f"{args.fd_limit}, probe GET /api/rules every 0.25 s")
    run("no attack (reference)", args, [], 0)
    run("limits off (uvicorn)", args, UNLIMITED, args.connections)
    run("limits on (defaults)", args, [], args.connections)


if __name__ == "__main__":
    main()
