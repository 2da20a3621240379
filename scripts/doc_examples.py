"""Run every code example in README.md and docs/*.md and compare its shown output.

    python scripts/doc_examples.py            # check: list each example whose output differs
    python scripts/doc_examples.py --update   # rewrite the shown outputs from real runs

What runs, by the fence's language:

- ``pycon``: a doctest (``>>>`` lines and their output; ELLIPSIS and NORMALIZE_WHITESPACE
  on), the examples of one page sharing one namespace, in order;
- ``python``: executed in the page's namespace (it must not fail);
- ``console``: each ``$ command`` runs in bash from the checkout (stdout and stderr
  together, COLUMNS=80, NO_COLOR=1); the lines shown under it must appear in the real
  output in order, a line ``...`` standing for any number of lines and ``...`` inside a
  line for any text. A block that calls http://127.0.0.1:8000 runs against a
  `collab-advisor serve` started for it;
- ``yaml``: parsed safely; a rule file (``schema_version``) is also loaded and checked;
- anything else needs ``<!-- not-run: why -->`` on the line before the fence.

The tests (tests/test_readme.py) run ``check`` for every page; ``--update`` is for after
an intended change to what the library prints.
"""

from __future__ import annotations

import argparse
import contextlib
import doctest
import io
import os
import re
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
SHOWN_LINES = 14
"""At most this many lines of a long output are shown by --update (then ``...``)."""
LONGEST = 160
"""Longer lines are cut by --update (then ``...``, which matches the rest)."""
SERVER = "http://127.0.0.1:8000"
_FENCE = re.compile(r"^```(\w*)\s*$")
_NOT_RUN = re.compile(r"<!--\s*not-run:\s*(.+?)\s*-->")


@dataclass
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int
    """The line of its opening fence (1-based)."""
    language: str
    text: str
    not_run: str | None = None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


@dataclass
class Result:
    """What running a block found: a problem (or none) and the text it should have."""

    block: Block
    problem: str | None = None
    updated: str | None = None


@dataclass
class Page:
    """The namespace the python examples of one page share."""

    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__docs__"})


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, with any not-run reason given just before them."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        before = lines[index - 1] if index else ""
        reason = _NOT_RUN.search(before)
        found.append(Block(page, index + 1, opening.group(1), "\n".join(lines[index + 1:end]),
                           reason.group(1) if reason else None))
        index = end + 1
    return found


def _shorten(text: str) -> str:
    lines = [line if len(line) <= LONGEST else line[:LONGEST - 3].rstrip() + "..."
             for line in text.rstrip("\n").splitlines()]
    if len(lines) <= SHOWN_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[:SHOWN_LINES - 1], "..."])


# -- pycon ----------------------------------------------------------------------------


@contextlib.contextmanager
def _in_root() -> Iterator[None]:
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def _run_source(source: str, namespace: dict[str, Any]) -> str:
    captured = io.StringIO()
    hook = sys.displayhook

    def show(value: object) -> None:
        if value is not None:
            namespace["_"] = value
            captured.write(repr(value) + "\n")

    sys.displayhook = show
    try:
        with contextlib.redirect_stdout(captured):
            exec(compile(source, "<docs>", "single"), namespace)  # noqa: S102 - our own docs
    except Exception as error:  # shown as a doctest would show it
        captured.write(f"Traceback (most recent call last):\n{type(error).__name__}: {error}\n")
    finally:
        sys.displayhook = hook
    return captured.getvalue()


def run_pycon(block: Block, page: Page) -> Result:
    parser = doctest.DocTestParser()
    checker = doctest.OutputChecker()
    pieces = parser.parse(block.text)
    problems: list[str] = []
    rewritten: list[str] = []
    with _in_root():
        for piece in pieces:
            if isinstance(piece, str):
                rewritten.append(piece)
                continue
            got = _run_source(piece.source, page.namespace)
            prompt = "\n".join(
                (">>> " if n == 0 else "... ") + line
                for n, line in enumerate(piece.source.rstrip("\n").splitlines()))
            if checker.check_output(piece.want, got, FLAGS):
                rewritten.append(prompt + "\n" + piece.want)
                continue
            problems.append(f"{piece.source.strip()}\n  shown: {piece.want.strip()!r}\n"
                            f"  got:   {got.strip()!r}")
            shown = "\n".join(line or "<BLANKLINE>" for line in _shorten(got).splitlines())
            rewritten.append(prompt + "\n" + (shown + "\n" if shown else ""))
    text = "".join(rewritten).rstrip("\n")
    return Result(block, "\n".join(problems) or None, text if problems else None)


def run_python(block: Block, page: Page) -> Result:
    with _in_root(), contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(compile(block.text, block.where, "exec"), page.namespace)  # noqa: S102
        except Exception as error:
            return Result(block, f"raised {type(error).__name__}: {error}")
    return Result(block)


# -- console --------------------------------------------------------------------------


def _commands(text: str) -> list[tuple[str, list[str]]]:
    """Each ``$`` command (continuation lines joined) with the lines shown under it."""
    runs: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            if runs:
                runs[-1][1].append(line)
            index += 1
            continue
        command = [line[2:]]
        while (command[-1].endswith("\\") or _open_quote(" ".join(command))) \
                and index + 1 < len(lines):
            index += 1
            command.append(lines[index])
        runs.append(("\n".join(command), []))
        index += 1
    return runs


def _open_quote(command: str) -> bool:
    return command.count("'") % 2 == 1


def _line_pattern(shown: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in shown.rstrip().split("...")))


def output_matches(shown: list[str], actual: str) -> bool:
    """Whether the shown lines appear in the actual output in order (a line ``...``: any
    lines; ``...`` within a line: any text). With nothing shown, any output matches."""
    got = [line.rstrip() for line in actual.rstrip().splitlines()]
    while shown and not shown[-1].strip():
        shown = shown[:-1]
    if not shown:
        return True
    chunks: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == "...":
            chunks.append([])
        else:
            chunks[-1].append(line.rstrip())
    open_start, open_end = chunks[0] == [], chunks[-1] == []
    position = 0
    for number, chunk in enumerate(c for c in chunks if c):
        patterns = [_line_pattern(line) for line in chunk]
        anchored = number == 0 and not open_start
        starts = [position] if anchored else range(position, len(got) - len(chunk) + 1)
        for start in starts:
            window = got[start:start + len(chunk)]
            if len(window) == len(chunk) and all(
                    p.fullmatch(g) for p, g in zip(patterns, window, strict=True)):
                position = start + len(chunk)
                break
        else:
            return False
    return open_end or position == len(got)


@contextlib.contextmanager
def _server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found is None:
            raise RuntimeError(f"the server did not start: {line!r}")
        yield found.group(0)
    finally:
        process.terminate()
        process.communicate(timeout=15)


def run_console(block: Block) -> Result:
    runs = _commands(block.text)
    environment = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb",
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("FORCE_COLOR", None)
    problems: list[str] = []
    rewritten: list[str] = []
    with contextlib.ExitStack() as stack:
        address = stack.enter_context(_server()) if SERVER in block.text else SERVER
        for command, shown in runs:
            result = subprocess.run(["bash", "-c", command.replace(SERVER, address)],
                                    cwd=ROOT, env=environment, capture_output=True,
                                    text=True, timeout=120, stdin=subprocess.DEVNULL,
                                    check=False)
            actual = result.stdout + result.stderr
            rewritten.append("$ " + command)
            if not any(line.strip() for line in shown) and result.returncode != 0:
                problems.append(f"$ {command}\n  failed ({result.returncode}): {actual[-2000:]}")
                rewritten.extend(shown)
            elif output_matches(shown, actual):
                rewritten.extend(shown)
            else:
                problems.append(f"$ {command}\n  shown:\n    " + "\n    ".join(shown)
                                + "\n  got:\n    " + "\n    ".join(actual.splitlines()[:40]))
                shortened = _shorten(actual)
                if shortened:
                    rewritten.extend(shortened.splitlines())
    return Result(block, "\n".join(problems) or None,
                  "\n".join(rewritten) if problems else None)


# -- yaml and the rest ----------------------------------------------------------------


def run_yaml(block: Block) -> Result:
    import yaml

    from collab_advisor import load_rules

    try:
        data = yaml.safe_load(block.text)
        if isinstance(data, dict) and "schema_version" in data:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder, "example.yaml")
                path.write_text(block.text, encoding="utf-8")
                load_rules(path)
    except Exception as error:
        return Result(block, f"{type(error).__name__}: {error}")
    return Result(block)


def check_page(page: Path) -> list[Result]:
    """Run every block of one page, in order."""
    shared = Page()
    results: list[Result] = []
    for block in blocks(page):
        if block.not_run is not None:
            results.append(Result(block))
        elif block.language == "pycon":
            results.append(run_pycon(block, shared))
        elif block.language == "python":
            results.append(run_python(block, shared))
        elif block.language == "console":
            results.append(run_console(block))
        elif block.language == "yaml":
            results.append(run_yaml(block))
        else:
            results.append(Result(block, f"a '{block.language or 'plain'}' block is not run: "
                                  "make it pycon, python, console or yaml, or say why not "
                                  "with <!-- not-run: why --> on the line before it"))
    return results


def _update(page: Path, results: list[Result]) -> int:
    lines = page.read_text(encoding="utf-8").splitlines()
    changed = 0
    for result in sorted(results, key=lambda r: -r.block.line):
        if result.updated is None:
            continue
        start = result.block.line  # the line after the fence, 0-based
        end = start + len(result.block.text.splitlines())
        lines[start:end] = result.updated.splitlines()
        changed += 1
    if changed:
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true",
                        help="rewrite the shown output of examples that differ")
    parser.add_argument("pages", nargs="*", type=Path, help="pages (default: all)")
    args = parser.parse_args()
    failed = 0
    for page in [p.resolve() for p in args.pages] or PAGES:
        results = check_page(page)
        for result in results:
            if result.problem:
                failed += 1
                print(f"{result.block.where}: {result.problem}\n")
        if args.update:
            print(f"{page.relative_to(ROOT)}: {_update(page, results)} blocks rewritten")
    return 1 if failed and not args.update else 0


if __name__ == "__main__":
    raise SystemExit(main())
