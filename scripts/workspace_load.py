"""Team workspaces under load: simulated members saving at once, on SQLite and PostgreSQL.

For each database, starts `collab-advisor serve --workers N` on a free loopback port,
creates a workspace, seats the members, and has every simulated member save answers as
fast as the server takes them (after an optional think time) for a fixed time. Some
members have the form open in two tabs (two clients on one edit link), so stale saves
happen and must come back as conflicts (409), never as silent overwrites. At the end
the database is read directly: every save acknowledged with 200 must be there (each
seat's version is 1 + its acknowledged saves, and its answers are the last ones
acknowledged). Prints, per database: saves sent, acknowledged and stored, conflicts,
other errors, saves per second and p50/p95/p99 latency of the saves.

    python scripts/workspace_load.py                       # 50 members, 2 workers, 60 s
    python scripts/workspace_load.py --seconds 10 --members 20
    COLLAB_ADVISOR_TEST_DATABASE_URL=postgresql+psycopg://... python scripts/workspace_load.py

PostgreSQL is measured when --postgres (or COLLAB_ADVISOR_TEST_DATABASE_URL) names a
server; a fresh database is made on it for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIMEOUT = 30.0
"""Seconds any one request may take before it counts as an error."""
TWO_TABS = 5
"""One member in this many has the form open twice (two clients on one edit link)."""


@dataclass
class Tally:
    """What the clients saw."""

    sent: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    limited: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    last: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per edit link, the highest acknowledged version and the answer it saved."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _request(connection: http.client.HTTPConnection, method: str, path: str,
             body: Any = None) -> tuple[int, Any]:
    payload = None if body is None else json.dumps(body)
    connection.request(method, path, body=payload,
                       headers={"content-type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    try:
        return response.status, json.loads(data) if data else None
    except ValueError:  # a plain-text error page (for example a 500 from the server)
        return response.status, None


def start(database: str, workers: int) -> tuple[subprocess.Popen[str], str, int]:
    """`serve` on a free loopback port; returns the process, host and port."""
    command = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
    if command is None:
        raise SystemExit("collab-advisor is not installed in this environment")
    process = subprocess.Popen(
        [command, "serve", "--port", "0", "--no-browser", "--workers", str(workers),
         "--database", database, "--save-limit", "100000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
    if not found:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r} {process.communicate()[1]}")
    host, port = found.group(1), int(found.group(2))
    deadline = time.monotonic() + 60
    while True:
        try:
            probe = http.client.HTTPConnection(host, port, timeout=5)
            if _request(probe, "GET", "/api/workspaces/public-key")[0] == 200:
                probe.close()
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("the server's workers did not answer in time") from None
            time.sleep(0.2)
    return process, host, port


def member(host: str, port: int, edit: str, tally: Tally, until: float, think: float,
           seed: int) -> None:
    """One client saving again and again until ``until``; on 409 it reloads and goes on."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    version = 1
    while time.monotonic() < until:
        value = rng.randint(1, 1_000_000)
        began = time.perf_counter()
        try:
            status, body = _request(connection, "PUT", f"/api/workspaces/e/{edit}",
                                    {"answers": {"sites": value}, "version": version})
        except (OSError, http.client.HTTPException):
            status, body = 0, None
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        took = time.perf_counter() - began
        with tally.lock:
            tally.sent += 1
            tally.latencies.append(took)
            if status == 200:
                tally.acknowledged += 1
                version = body["version"]
                if version > tally.last.get(edit, (0, 0))[0]:
                    tally.last[edit] = (version, value)
            elif status == 409 and body is not None:
                tally.conflicts += 1
                version = body["version"]  # the form is reloaded at the stored version
            elif status == 429:
                tally.limited += 1
            else:
                tally.errors += 1
        if think:
            time.sleep(rng.uniform(0, 2 * think))
    connection.close()


def run(label: str, database: str, members: int, workers: int, seconds: float,
        think: float) -> dict[str, Any]:
    """One measured run against ``database``; returns its figures."""
    process, host, port = start(database, workers)
    tally = Tally()
    try:
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        status, made = _request(connection, "POST", "/api/workspaces", {"name": "Load"})
        assert status == 201, made
        seats = members - members // TWO_TABS
        edits = []
        for _ in range(seats):
            status, seat = _request(connection, "POST",
                                    f"/api/workspaces/m/{made['member_token']}/members",
                                    {"answers": {"sites": 1}})
            assert status == 201, seat
            edits.append(seat["edit_token"])
        clients = edits + edits[:members - seats]  # the first few have two tabs open
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=member,
                                    args=(host, port, edit, tally, until, think, number))
                   for number, edit in enumerate(clients)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 2 * TIMEOUT)
        elapsed = time.monotonic() - began
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, server_errors = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, server_errors = process.communicate()
    if tally.errors:
        kinds = sorted({line.strip() for line in server_errors.splitlines()
                        if "Error" in line and not line.startswith(" ")})
        print(f"{label}: the server reported: " + " | ".join(kinds[:5]), file=sys.stderr)
    from collab_advisor import WorkspaceStore

    lost = 0
    stored = 0
    with WorkspaceStore(database) as store:
        for edit in edits:
            page = store.member_page(edit)
            assert page.seat is not None
            stored += page.seat.version - 1
            version, value = tally.last.get(edit, (1, 1))
            if page.seat.version < version or (page.seat.version == version
                                               and page.seat.answers != {"sites": value}):
                lost += 1
    ordered = sorted(tally.latencies)

    def pct(share: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"database": label, "members": members, "seats": len(edits), "workers": workers,
            "seconds": round(elapsed, 1), "sent": tally.sent, "acknowledged": tally.acknowledged,
            "stored": stored, "lost": lost, "conflicts": tally.conflicts,
            "rate_limited": tally.limited, "errors": tally.errors,
            "saves_per_s": round(tally.acknowledged / elapsed, 1),
            "p50_ms": round(pct(0.50), 1), "p95_ms": round(pct(0.95), 1),
            "p99_ms": round(pct(0.99), 1),
            "median_ms": round(1000 * statistics.median(ordered), 1) if ordered else None}


def fresh_postgres(server: str) -> tuple[str, Any]:
    """A new database on the server, and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"ws_load_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a member waits between saves (default 0: as "
                        "fast as the server answers)")
    parser.add_argument("--postgres", default=os.environ.get("COLLAB_ADVISOR_TEST_DATABASE_URL"),
                        help="a PostgreSQL server URL (default: $COLLAB_ADVISOR_TEST_DATABASE_URL)")
    args = parser.parse_args()
    if not (1 <= args.members <= 500 and 1 <= args.workers <= 16 and 0 < args.seconds <= 600):
        parser.error("bounds: --members 1..500, --workers 1..16, --seconds up to 600")
    results = []
    with tempfile.TemporaryDirectory(prefix="workspace-load-") as folder:
        results.append(run("SQLite (WAL)", str(Path(folder) / "load.sqlite3"), args.members,
                           args.workers, args.seconds, args.think))
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        try:
            results.append(run("PostgreSQL", url, args.members, args.workers, args.seconds,
                               args.think))
        finally:
            drop()
    else:
        print("PostgreSQL: not measured (give --postgres URL or set "
              "COLLAB_ADVISOR_TEST_DATABASE_URL)")
    print(f"{args.members} simulated members ({args.members // TWO_TABS} with two tabs on one "
          f"link), {args.workers} workers, {args.seconds:g} s, think time {args.think:g} s")
    header = ("database", "sent", "acknowledged", "stored", "lost", "conflicts", "errors",
              "saves_per_s", "p50_ms", "p95_ms", "p99_ms")
    print(" | ".join(header))
    for result in results:
        print(" | ".join(str(result[key]) for key in header))
    print(json.dumps(results))
    # stored may exceed acknowledged (a save that committed but whose answer never
    # arrived); fewer stored than acknowledged would be a loss
    return 1 if any(r["lost"] or r["stored"] < r["acknowledged"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
