"""Time start-up: the import, the first recommend(), and loading a 5,000-rule file.

Run by hand (never in the test suite; these machines are shared and noisy):

    .venv/bin/python scripts/startup.py [--runs 15] [--load-runs 3]

Every process figure is the processor time (user and system) of a whole fresh
interpreter, started in turn with its reference (A B A B ...) so that the ratios hold
when the machine's speed drifts; medians are printed, and ratios are the median of the
pairwise ratios. Figures measured inside a process are its processor time too. Compiled
bytecode is cached in a temporary folder, as in an installed wheel, even where
``PYTHONDONTWRITEBYTECODE`` is set; ``--no-bytecode-cache`` writes none instead, so that
the modules of a source checkout are compiled in every process. It prints:

- ``import collab_advisor`` and ``from collab_advisor import recommend``, as ratios to
  ``import pydantic`` alone; for scale, also a process that defines one one-field
  pydantic model (what any library with a model pays);
- the first ``recommend()`` in a fresh process on each engine that runs here (the
  time from just before the call to just after it, measured inside the process);
- loading a custom file of 5,000 threshold rules on ``sites`` with the shipped rules
  and analysing a context with it (score ranges, ``is_settled``, ``next_questions``),
  against reading the same file with PyYAML's libyaml loader alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

REFERENCE = "import pydantic"
ONE_MODEL = "from pydantic import BaseModel\nclass One(BaseModel):\n    x: int"
FIRST_CALL = """
import time
start = time.process_time()
from collab_advisor import recommend
imported = time.process_time()
recommend(time_span="fixed_term", aim="close_practice_gap", engine={engine!r})
called = time.process_time()
print(1000 * (imported - start), 1000 * (called - imported))
"""
LOAD = """
import sys, time
start = time.process_time()
import yaml
with open(sys.argv[1], encoding="utf-8") as handle:
    yaml.load(handle.read(), Loader=yaml.CSafeLoader)
read = time.process_time()
from collab_advisor import load_rules, recommend, shipped_rules_dir
imported = time.process_time()
rules = load_rules(shipped_rules_dir(), sys.argv[1])
loaded = time.process_time()
rec = recommend({"aim": "share_know_how", "time_span": "fixed_term"}, rules=rules)
([r.score_range for r in rec.ranking], rec.is_settled, rec.next_questions)
analysed = time.process_time()
print(read - start, loaded - imported, analysed - loaded, len(rules), rec.engine)
"""


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


_ENV = dict(os.environ)
"""The children's environment: bytecode is cached (see ``main``), as an installed
wheel has it, however this shell is set up."""


def _wall(code: str, *args: str) -> tuple[float, str]:
    """Processor seconds (user and system) a fresh interpreter takes to run ``code``, and
    what it printed. Processor time, not wall time: on a shared machine it drifts less."""
    start = _cpu()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, check=True, env=_ENV)
    return _cpu() - start, done.stdout


def _paired(code: str, runs: int) -> tuple[float, float, float, list[str]]:
    """Median seconds of ``code`` and of the reference, the median pairwise ratio, and
    what ``code`` printed in each counted run."""
    _wall(code)
    _wall(REFERENCE)
    mine, theirs, printed = [], [], []
    for _ in range(runs):
        seconds, out = _wall(code)
        mine.append(seconds)
        printed.append(out)
        theirs.append(_wall(REFERENCE)[0])
    ratios = [a / b for a, b in zip(mine, theirs, strict=True)]
    return (statistics.median(mine), statistics.median(theirs), statistics.median(ratios),
            printed)


def _engines() -> list[str]:
    from collab_advisor import durable_available

    return ["python", "durable"] if durable_available() else ["python"]


def _threshold_file(folder: Path, count: int) -> Path:
    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    rules = [{"id": f"sites-{i}", "title": f"Rule sites-{i}", "status": "experimental",
              "when": {"field": "sites", "gt": 3 * i + 1},
              "score": [{"approach": "managed_clinical_network", "points": 1 if i % 2 else -1,
                         "why": "A threshold rule."}],
              "source": [{"reference": "Benchmark 2025, thresholds"}]}
             for i in range(count)]
    path = folder / "thresholds.yaml"
    path.write_text(yaml.dump({"schema_version": 1, "ruleset_version": "0.1.0",
                               "rules": rules}, Dumper=NoAliases, sort_keys=False),
                    encoding="utf-8")
    return path


def main() -> None:
    """Print the start-up figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--load-runs", type=int, default=3)
    parser.add_argument("--rules", type=int, default=5000)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="write no bytecode, as PYTHONDONTWRITEBYTECODE=1 does: a "
                        "source checkout's modules are then compiled in every process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        if args.no_bytecode_cache:
            # Bytecode is read where it was installed (site-packages) and never written:
            # a source checkout's modules are compiled in every process.
            _ENV["PYTHONDONTWRITEBYTECODE"] = "1"
            _ENV.pop("PYTHONPYCACHEPREFIX", None)
        else:
            # Every module's bytecode is written once (by the warm-up runs) to a cache of
            # its own, and read from there, for the package and pydantic alike.
            _ENV.pop("PYTHONDONTWRITEBYTECODE", None)
            _ENV["PYTHONPYCACHEPREFIX"] = cache
        _measure(args)


def _measure(args: argparse.Namespace) -> None:
    print(f"Python {platform.python_version()}, {args.runs} fresh processes each, "
          f"in turn with `python -c {REFERENCE!r}`; processor time per process; bytecode "
          f"{'never written' if args.no_bytecode_cache else 'cached'}")
    for label, code in (("import collab_advisor", "import collab_advisor"),
                        ("from collab_advisor import recommend",
                         "from collab_advisor import recommend"),
                        ("(scale) one pydantic model", ONE_MODEL)):
        mine, theirs, ratio, _ = _paired(code, args.runs)
        print(f"{label:44} median {1000 * mine:6.1f} ms, import pydantic "
              f"{1000 * theirs:5.1f} ms: x{ratio:4.2f}")
    for engine in _engines():
        mine, theirs, ratio, printed = _paired(FIRST_CALL.format(engine=engine), args.runs)
        inside = [[float(figure) for figure in out.split()] for out in printed]
        imported = statistics.median(figures[0] for figures in inside)
        called = statistics.median(figures[1] for figures in inside)
        print(f"{'import and first recommend(), ' + engine:44} median {1000 * mine:6.1f} ms, "
              f"import pydantic {1000 * theirs:5.1f} ms: x{ratio:4.2f}")
        print(f"{'':4}inside: importing recommend median {imported:5.1f} ms, the first call "
              f"median {called:5.1f} ms = x{called / (1000 * theirs):4.2f} import pydantic")
    with tempfile.TemporaryDirectory() as folder:
        path = _threshold_file(Path(folder), args.rules)
        rows = [_wall(LOAD, str(path))[1].split() for _ in range(args.load_runs)]
        read = statistics.median(float(r[0]) for r in rows)
        load = statistics.median(float(r[1]) for r in rows)
        analyse = statistics.median(float(r[2]) for r in rows)
        print(f"{args.rules:,} threshold rules on sites ({path.stat().st_size / 1e6:.2f} MB, "
              f"{rows[0][3]} rules with the shipped ones, engine {rows[0][4]}): load median "
              f"{load:.2f} s, analysis {analyse:.2f} s, together {load + analyse:.2f} s = "
              f"x{(load + analyse) / read:.1f} reading the file with yaml.CSafeLoader alone "
              f"({read:.2f} s)")


if __name__ == "__main__":
    main()
