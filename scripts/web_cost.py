"""Processor time of one request inside the web app, and how much of it is the library.

Runs the app in this process through its ASGI interface (middleware, routing, validation,
the endpoint, JSON or the page's template; no socket, no HTTP parsing), one request at a
time, and prints the median processor time per request for the API
(``POST /api/recommend``) and the results page (``GET /?...``), beside the library's own
calls for the same contexts (the API's report; the page's analyses, with its paths found
without the recommendation under them). Processor time, and the least of a few runs per
context, so that other work on a shared machine does not count; ``scripts/web_load.py``
measures throughput over real HTTP.

    python scripts/web_cost.py                  # 200 contexts, 3 runs each
    python scripts/web_cost.py --contexts 100 --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collab_advisor import Approach, load_rules, recommend
from collab_advisor._advice.counterfactual import path_to

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import contexts, page_query

LOOP = asyncio.new_event_loop()


def asgi_call(app: Any, method: str, path: str, query: str = "", body: bytes = b"") -> int:
    """One request through ``app``; its status."""
    headers = [(b"host", b"127.0.0.1")]
    if body:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode("ascii"))]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode("ascii"), "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    LOOP.run_until_complete(app(scope, receive, send))
    return status[0]


def least_cpu_ms(func: Callable[[int], object], count: int, runs: int) -> list[float]:
    """Per item, the least processor time of ``runs`` calls, in milliseconds."""
    func(0)
    out = []
    for i in range(count):
        best = float("inf")
        for _ in range(runs):
            start = time.process_time()
            func(i)
            best = min(best, time.process_time() - start)
        out.append(best * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contexts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs per context (the least)")
    args = parser.parse_args()
    from collab_advisor.web import create_app

    rules = load_rules()
    app = create_app(rules)
    sample = contexts(args.contexts)
    bodies = [json.dumps(c).encode("utf-8") for c in sample]
    queries = [page_query(c) for c in sample]

    def api(i: int) -> object:
        assert asgi_call(app, "POST", "/api/recommend", body=bodies[i]) == 200
        return None

    def page(i: int) -> object:
        assert asgi_call(app, "GET", "/", query=queries[i]) == 200
        return None

    def library_api(i: int) -> object:
        return recommend(sample[i], rules=rules).report().model_dump(mode="json")

    def library_page(i: int) -> object:
        rec = recommend(sample[i], rules=rules)
        return (rec.next_questions, rec.is_settled, rec.considerations, rec.fit,
                [(rec.why_not(a), path_to(rec, rules, a, with_result=False))
                 for a in Approach])

    print(f"{args.contexts} contexts, the least processor time of {args.runs} runs each, "
          "medians in ms:")
    for name, whole, alone in (("POST /api/recommend", api, library_api),
                               ("GET / (results page)", page, library_page)):
        served = statistics.median(least_cpu_ms(whole, args.contexts, args.runs))
        library = statistics.median(least_cpu_ms(alone, args.contexts, args.runs))
        print(f"  {name}: through the app {served:.2f}; the library's calls alone "
              f"{library:.2f} ({library / served:.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
