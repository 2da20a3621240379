"""Mutation testing of the compiler, the engines, the scoring core and the analyses.

Runs mutmut 3 on the modules in ``MODULES`` with the fast tests in ``TESTS`` and prints,
per module and in total: mutants, killed, survived, timeouts, equivalent (from
``scripts/mutation_equivalents.txt``, each with its reason) and the kill rate leaving the
equivalent mutants out. Not part of CI: it takes several minutes.

    .venv/bin/pip install mutmut==3.8.1
    .venv/bin/python scripts/mutation.py                 # every module in MODULES
    .venv/bin/python scripts/mutation.py compile.py      # one module (a suffix of its path)
    .venv/bin/python scripts/mutation.py --sample 200 --seed 1   # a seeded sample of mutants
    .venv/bin/python scripts/mutation.py --mutants FILE  # only the mutants named in FILE
    .venv/bin/python scripts/mutation.py --report        # figures of the last run, no new run

The run happens in a scratch copy (``.mutation/``, git-ignored) of src, tests, rules and
pyproject.toml with a ``[tool.mutmut]`` section added, so the worktree is never touched.
mutmut puts the mutated copy first on ``sys.path`` and, before any mutant, runs the tests
with every mutated function forced to fail (the run stops if they still pass, so the
mutated copy is the one imported). Mutants run in processes forked from a server that has
run no test (``process_isolation = "forkserver"``): forked from a process that had run the
tests, the engines' per-process state (durable-rules' registered rule sets, each rule
set's compiled core) kept the unmutated code in use, and such mutants survived unrun.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

# The modules to mutate, relative to the repository root. Update when modules move.
MODULES = [
    "src/collab_advisor/_rulebook/compile.py",
    "src/collab_advisor/_rulebook/evaluation.py",
    "src/collab_advisor/_engines/python.py",
    "src/collab_advisor/_engines/durable.py",
    "src/collab_advisor/_engines/plan.py",
    "src/collab_advisor/_engines/scoring.py",
    "src/collab_advisor/_advice/analysis.py",
]
# The fast test selection each mutant is run against (only the tests that reach it).
TESTS = [
    "tests/test_conditions.py",
    "tests/test_core.py",
    "tests/test_engines.py",
    "tests/test_reasoning.py",
    "tests/test_durable_hazards.py",
    "tests/test_durable_process.py",
    "tests/test_advice.py",
    "tests/test_mutation_kills.py",
]
# Slow tests left out of the selection: what they check is also checked by faster ones.
DESELECT = [
    "tests/test_reasoning.py::test_asking_the_top_question_repeatedly_settles_the_advice",
    "tests/test_durable_hazards.py::test_five_thousand_calls_leak_no_sessions",
    "tests/test_durable_hazards.py::test_eight_threads_get_the_same_results_as_one",
]
# Folders and files the tests read besides src and tests.
ALSO_COPY = ["rules", "casebook", "examples", "docs", "README.md", "CHANGELOG.md"]
WORKERS = 2
# Functions left unmutated in the scratch copy, with the reason. durable-rules inspects the
# signature of a rule's callback; mutmut's trampoline (``*args, **kwargs``) makes it refuse
# the rules ("Invalid function signature"), so no test could run at all.
NOT_MUTATED = {
    "src/collab_advisor/_engines/durable.py": ["def _session_action("],
}

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.txt"

# mutmut 3's exit codes, grouped as this report counts them.
KILLED = {1, 3, -11, -9, 11, 9}
SURVIVED = {0}
TIMEOUT = {-24, 24, 36, 152, 255}
NO_TESTS = {33, 5}


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def prepare(modules: list[str]) -> None:
    """Make the scratch copy with a [tool.mutmut] section for ``modules``."""
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ["src", "tests", *ALSO_COPY]:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, WORK / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, WORK / name)
    for module, starts in NOT_MUTATED.items():
        path = WORK / module
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for start in starts:
            hits = [i for i, line in enumerate(lines) if line.lstrip().startswith(start)]
            if len(hits) != 1:
                raise SystemExit(f"NOT_MUTATED: {start!r} found {len(hits)} times in {module}")
            line = lines[hits[0]].rstrip("\n")
            lines[hits[0]] = f"{line}  # pragma: no mutate block\n"
        path.write_text("".join(lines), encoding="utf-8")
    tests = [t for t in TESTS if (ROOT / t).exists()]
    args = [*tests, "-p", "no:cacheprovider", "-x", "-q"]
    args += [f"--deselect={d}" for d in DESELECT]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject += (
        "\n[tool.mutmut]\n"
        f"source_paths = {_toml_list(['src'])}\n"
        f"only_mutate = {_toml_list(modules)}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(args)}\n"
        f"also_copy = {_toml_list([a for a in ALSO_COPY if (ROOT / a).exists()])}\n"
        "use_git_change_detection = false\n"
        # Each mutant runs in a process forked from a server that has run no test: the
        # engines keep state per process (durable-rules' registered rule sets, each rule
        # set's compiled core), and a process that ran the tests before would keep serving
        # the unmutated versions, so mutants there would survive without being run.
        'process_isolation = "forkserver"\n'
        "timeout_multiplier = 5.0\n"
        "timeout_constant = 5.0\n"
    )
    (WORK / "pyproject.toml").write_text(pyproject, encoding="utf-8")


def mutmut(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mutmut")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(exe), *args], cwd=WORK, env=env, text=True, capture_output=True, check=False
    )


def results() -> dict[str, int | None]:
    """Every mutant's name and mutmut exit code (None: not run)."""
    out: dict[str, int | None] = {}
    for meta in (WORK / "mutants").rglob("*.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        out.update(data.get("exit_code_by_key", {}))
    return out


def all_mutant_names() -> list[str]:
    """Generate the mutants and list their names (mutmut's run with a name that never matches)."""
    mutmut("run", "--max-children", str(WORKERS), "no.such.mutant")
    return sorted(results())


def load_equivalents() -> dict[str, str]:
    """Mutant name -> reason, from the committed list (``name  # reason`` lines)."""
    out: dict[str, str] = {}
    if not EQUIVALENTS.exists():
        return out
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition("#")
        out[name.strip()] = reason.strip()
    return out


def module_of(mutant: str) -> str:
    # e.g. collab_advisor._rulebook.compile.x_compile__mutmut_3 -> _rulebook/compile.py
    parts = mutant.split(".")
    end = next(i for i, part in enumerate(parts) if part.startswith("x"))
    return "/".join(parts[1:end]) + ".py"


def report(codes: dict[str, int | None], modules: list[str]) -> int:
    equivalents = load_equivalents()
    rows: dict[str, Counter[str]] = {}
    survivors: list[str] = []
    for name, code in sorted(codes.items()):
        c = rows.setdefault(module_of(name), Counter())
        c["mutants"] += 1
        if code is None:
            c["not run"] += 1
        elif name in equivalents:
            c["equivalent"] += 1
        elif code in KILLED:
            c["killed"] += 1
        elif code in TIMEOUT:
            c["timeout"] += 1
        elif code in SURVIVED or code in NO_TESTS:
            c["survived"] += 1
            survivors.append(name)
        else:
            c["other"] += 1
    print(f"{'module':<22}{'mutants':>8}{'killed':>8}{'survived':>9}{'timeout':>8}"
          f"{'equiv':>7}{'not run':>8}  kill rate")
    total: Counter[str] = Counter()
    for module in sorted(rows):
        c = rows[module]
        total.update(c)
        print(_row(module, c))
    print(_row("total", total))
    print("(kill rate = (killed + timeout) / (mutants run - equivalent); "
          "a timeout counts as killed)")
    stale = sorted(set(equivalents) - set(codes))
    if stale and len(modules) == len(MODULES):
        print(f"{len(stale)} names in {EQUIVALENTS.name} are not mutants any more: {stale[:5]}")
    out = WORK / "survivors.txt"
    out.write_text("".join(s + "\n" for s in survivors), encoding="utf-8")
    print(f"survivors listed in {out.relative_to(ROOT)}; "
          "show one with: cd .mutation && mutmut show NAME")
    return 0


def _row(module: str, c: Counter[str]) -> str:
    run = c["mutants"] - c["not run"] - c["equivalent"]
    rate = 100.0 * (c["killed"] + c["timeout"]) / run if run else 0.0
    return (
        f"{module:<22}{c['mutants']:>8}{c['killed']:>8}{c['survived']:>9}{c['timeout']:>8}"
        f"{c['equivalent']:>7}{c['not run']:>8}  {rate:5.1f}%"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="suffixes of paths in MODULES (default: all)")
    parser.add_argument("--sample", type=int, help="run only this many mutants, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mutants", type=Path,
                        help="run only the mutants named in this file (e.g. last run's survivors)")
    parser.add_argument("--report", action="store_true", help="print the last run's figures")
    ns = parser.parse_args()
    modules = [m for m in MODULES if not ns.modules or any(m.endswith(s) for s in ns.modules)]
    if not modules:
        parser.error(f"no module in MODULES ends with {ns.modules}")
    if ns.report:
        return report(results(), modules)
    start = time.monotonic()
    prepare(modules)
    names = all_mutant_names()
    if not names:
        print("mutmut generated no mutants", file=sys.stderr)
        return 1
    print(f"{len(names)} mutants in {len(modules)} modules")
    chosen = names
    if ns.mutants:
        wanted = set(ns.mutants.read_text(encoding="utf-8").split())
        chosen = [name for name in names if name in wanted]
        print(f"{len(chosen)} mutants named in {ns.mutants}")
    elif ns.sample and ns.sample < len(names):
        chosen = sorted(random.Random(ns.seed).sample(names, ns.sample))
        print(f"sampled {len(chosen)} with seed {ns.seed}")
    run = mutmut("run", "--max-children", str(WORKERS), *chosen)
    (WORK / "mutmut-run.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", file=sys.stderr)
        print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
        return 1
    codes = {n: c for n, c in results().items() if n in set(chosen)}
    print(f"ran in {time.monotonic() - start:.0f} s with {WORKERS} workers")
    return report(codes, modules)


if __name__ == "__main__":
    raise SystemExit(main())
