"""Load on `collab-advisor serve` over loopback: latency percentiles and errors.

Starts the real server on a free loopback port, measures the median of single
requests one at a time, then sends a bounded number of requests from a number
of concurrent clients (keep-alive connections, one per client), and prints p50,
p95, the errors and the ratio of p95 to the single-request median, for the API
(POST /api/recommend) and for the full results page (GET /?...).

Then, unless ``--no-bare``, it starts a bare FastAPI app on uvicorn
(``scripts/bare_app.py``) with as many workers, answering both paths with fixed
bodies of the advisor's median response sizes, drives it with the same client, and
prints the advisor's throughput as a share of the bare app's (issue 20's budgets: API
at least 50%, results page at least 25%). The load client runs in this process, the
servers in their own.

    python scripts/web_load.py                    # 2,000 requests at 20 concurrent
    python scripts/web_load.py --requests 600 --workers 2
    python scripts/web_load.py --requests 500 --concurrency 8 --no-bare
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from collab_advisor import Approach, Context, recommend

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 30.0
"""Seconds any one request may take before it counts as an error."""
AIM = 10.0
"""The aim: p95 under load within this many times the single-request median."""


def contexts(count: int, seed: int = 7) -> list[dict[str, object]]:
    """Random partial contexts over every choice field (about half the fields known)."""
    schema = Context.model_json_schema()
    choices: dict[str, list[object]] = {}
    for name, prop in schema["properties"].items():
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
        ref = variants[0].get("$ref") if variants else None
        if ref:
            choices[name] = list(schema["$defs"][ref.rsplit("/", 1)[-1]]["enum"])
        elif variants and variants[0].get("type") == "boolean":
            choices[name] = [True, False]
    rng = random.Random(seed)
    return [{name: rng.choice(values) for name, values in choices.items() if rng.random() < 0.5}
            for _ in range(count)]


def page_query(context: dict[str, object]) -> str:
    """A context as the page's query string."""
    return urlencode({k: ("yes" if v is True else "no" if v is False else v)
                      for k, v in context.items()})


class Client:
    """One keep-alive connection; each call returns (seconds, ok)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[float, bool]:
        headers = {"content-type": "application/json"} if body is not None else {}
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                         timeout=TIMEOUT)
            ok = False
        return time.perf_counter() - start, ok


Call = Callable[[Client, int], tuple[float, bool]]


def api_call(bodies: list[bytes]) -> Call:
    def call(client: Client, i: int) -> tuple[float, bool]:
        return client.request("POST", "/api/recommend", bodies[i % len(bodies)])
    return call


def page_call(queries: list[str]) -> Call:
    def call(client: Client, i: int) -> tuple[float, bool]:
        return client.request("GET", "/?" + queries[i % len(queries)])
    return call


def single(port: int, call: Call, count: int) -> tuple[float, int]:
    """The median of ``count`` requests sent one at a time, and the errors."""
    client = Client(port)
    call(client, 0)  # warm the connection and the server's caches
    results = [call(client, i) for i in range(count)]
    return statistics.median(t for t, _ in results), sum(not ok for _, ok in results)


def loaded(port: int, call: Call, requests: int, concurrency: int) -> dict[str, float]:
    """p50, p95, errors and throughput of ``requests`` sent by ``concurrency`` clients."""
    local = threading.local()
    counter = iter(range(requests))
    lock = threading.Lock()
    times: list[float] = []
    errors = 0

    def worker() -> None:
        nonlocal errors
        local.client = Client(port)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            seconds, ok = call(local.client, i)
            with lock:
                times.append(seconds)
                errors += not ok

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    wall = time.perf_counter() - start
    cuts = statistics.quantiles(times, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "errors": errors, "rps": len(times) / wall}


def library_medians(sample: list[dict[str, object]]) -> tuple[float, float]:
    """In this process, without HTTP: the medians of the API's and the page's library calls."""
    api, page = [], []
    for context in sample:
        start = time.perf_counter()
        rec = recommend(context)
        rec.report().model_dump(mode="json")
        api.append(time.perf_counter() - start)
        for approach in Approach:
            rec.why_not(approach)
            rec.path_to(approach)
        page.append(time.perf_counter() - start)
    return statistics.median(api), statistics.median(page)


def start_server(workers: int = 1) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser",
         "--workers", str(workers), "--no-workspaces"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, int(found.group(1))


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_bare(workers: int, api_bytes: int, page_bytes: int) -> tuple[subprocess.Popen[str],
                                                                         int]:
    """The bare app (``scripts/bare_app.py``) on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "bare_app.py"), "--port", str(port),
         "--workers", str(workers), "--api-bytes", str(api_bytes),
         "--page-bytes", str(page_bytes)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the bare app did not start")


def body_sizes(port: int, bodies: list[bytes], queries: list[str]) -> tuple[int, int]:
    """The median sizes of the advisor's API answers and result pages for the sample."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    api, page = [], []
    for body, query in zip(bodies[:50], queries[:50], strict=True):
        connection.request("POST", "/api/recommend", body=body,
                           headers={"content-type": "application/json"})
        api.append(len(connection.getresponse().read()))
        connection.request("GET", "/?" + query)
        page.append(len(connection.getresponse().read()))
    connection.close()
    return int(statistics.median(api)), int(statistics.median(page))


def measure(port: int, bodies: list[bytes], queries: list[str],
            args: argparse.Namespace) -> dict[str, float]:
    """Print and return each path's figures on the server at ``port``."""
    throughput = {}
    for label, call in (("POST /api/recommend", api_call(bodies)),
                        ("GET / (results page)", page_call(queries))):
        median, single_errors = single(port, call, args.single)
        figures = loaded(port, call, args.requests, args.concurrency)
        ratio = figures["p95"] / median
        throughput[label] = figures["rps"]
        print(f"  {label}: single median {median * 1000:.1f} ms ({single_errors} errors); "
              f"under load p50 {figures['p50'] * 1000:.1f} ms, "
              f"p95 {figures['p95'] * 1000:.1f} ms, "
              f"{figures['errors']:.0f} errors, {figures['rps']:.0f} requests/s; "
              f"p95 / single median = {ratio:.1f} "
              f"({'within' if ratio <= AIM else 'over'} the {AIM:.0f}x aim)")
    return throughput


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests under load")
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent clients")
    parser.add_argument("--single", type=int, default=200,
                        help="requests for the single-request median")
    parser.add_argument("--port", type=int, default=None,
                        help="measure a server already running on this loopback port "
                        "instead of starting one (no bare comparison)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes for the advisor and the bare app")
    parser.add_argument("--no-bare", action="store_true",
                        help="skip the comparison with a bare FastAPI app")
    args = parser.parse_args()
    sample = contexts(200)
    bodies = [json.dumps(c).encode() for c in sample]
    queries = [page_query(c) for c in sample]
    api_alone, page_alone = library_medians(sample)
    process, port = start_server(args.workers) if args.port is None else (None, args.port)
    try:
        print(f"{args.requests} requests at {args.concurrency} concurrent, "
              f"{args.workers} worker(s); Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs")
        print(f"library alone, no HTTP (median over {len(sample)} contexts): the API's "
              f"report {api_alone * 1000:.2f} ms; the page's analyses "
              f"{page_alone * 1000:.2f} ms")
        print("the advisor:")
        advisor = measure(port, bodies, queries, args)
        sizes = body_sizes(port, bodies, queries)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
    if args.no_bare or args.port is not None:
        return 0
    bare_process, bare_port = start_bare(args.workers, *sizes)
    try:
        print(f"the bare app (fixed bodies of {sizes[0]} and {sizes[1]} bytes):")
        bare = measure(bare_port, bodies, queries, args)
    finally:
        bare_process.terminate()
        bare_process.wait(timeout=15)
    for label, target in (("POST /api/recommend", 50), ("GET / (results page)", 25)):
        share = 100 * advisor[label] / bare[label]
        print(f"{label}: the advisor serves {share:.0f}% of the bare app's requests/s "
              f"(target at least {target}%: {'met' if share >= target else 'not met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
