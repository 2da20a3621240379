"""Every shipped text is in the project's own words: no run of 8 words copied from the guidance.

The guidance the rules rest on lives outside the repository, in
``../shared/guidance/`` beside it. Where that folder is absent (a clone on its
own) the test skips and says why. Its "Useful resources" section is left out of
the comparison: it lists the titles of published works, and citing a work by
its title is not copying the guidance's prose.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

RUN = 8
"""The shortest run of consecutive shared words that counts as copied."""
GUIDANCE = next((folder / "shared" / "guidance" for folder in (ROOT.parent, ROOT.parent.parent)
                 if (folder / "shared" / "guidance").is_dir()), ROOT.parent / "shared" / "guidance")
"""``../shared/guidance`` beside the checkout (or beside its parent, for a worktree)."""
_BREAK = "\x00"
"""Stands between separate texts (or around f-string holes) so no run crosses it."""

def _words(text: str) -> list[str]:
    """Lower-case words, with apostrophes dropped and all other punctuation a space."""
    text = re.sub(r"['\u2019]", "", text.lower())
    return re.findall(r"[a-z0-9]+", text)


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - RUN + 1):
        yield tuple(words[start:start + RUN])


def _guidance_runs() -> set[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for path in sorted(GUIDANCE.iterdir()):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        text = re.split(r"^#+\s*Useful resources", text, flags=re.MULTILINE)[0]
        for block in text.split("\n\n"):
            runs.update(_runs(_words(block.replace("\n", " "))))
        runs.update(_runs(_words(text)))
    return runs


def _string_literals(path: Path) -> list[str]:
    """Every string literal in a Python file (docstrings too); f-string holes break runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts.append(_BREAK.join(
                part.value if isinstance(part, ast.Constant) and isinstance(part.value, str)
                else _BREAK for part in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
    return texts


def _notebook_texts(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    texts: list[str] = []
    for cell in cells:
        texts.append("".join(cell.get("source", [])))
        for output in cell.get("outputs", []):
            for value in output.get("data", {}).values():
                texts.append("".join(value) if isinstance(value, list) else str(value))
            texts.append("".join(output.get("text", [])))
    return texts


_TEXT_SUFFIXES = {".yaml", ".yml", ".md", ".csv", ".txt", ".json", ".jsonl", ".toml"}


def shipped_texts() -> Iterator[tuple[str, list[str]]]:
    """(relative path, its texts) for every shipped file a reader can see."""
    files: list[Path] = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "pyproject.toml"]
    files += sorted((ROOT / "src").rglob("*.py"))
    for folder in ("rules", "docs", "examples", "scripts"):
        files += sorted(p for p in (ROOT / folder).rglob("*") if p.is_file())
    for path in files:
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        name = path.relative_to(ROOT).as_posix()
        if path.suffix == ".py":
            yield name, _string_literals(path)
        elif path.suffix == ".ipynb":
            yield name, _notebook_texts(path)
        elif path.suffix in _TEXT_SUFFIXES:
            yield name, [path.read_text(encoding="utf-8")]


def copied_runs(texts: list[str], guidance: set[tuple[str, ...]]) -> list[str]:
    """The runs of ``RUN`` words these texts share with the guidance, each once, in order."""
    found: dict[str, None] = {}
    for text in texts:
        for piece in text.split(_BREAK):
            for run in _runs(_words(piece)):
                if run in guidance:
                    found[" ".join(run)] = None
    return list(found)


@pytest.fixture(scope="module")
def guidance_runs() -> set[tuple[str, ...]]:
    """The guidance's runs of ``RUN`` words, or a skip where the guidance is absent."""
    if not GUIDANCE.is_dir() or not any(p.is_file() for p in GUIDANCE.iterdir()):
        pytest.skip(f"the guidance is not beside this checkout ({GUIDANCE} is missing), "
                    "so there is nothing to compare the shipped texts with")
    return _guidance_runs()


def test_no_shipped_text_copies_the_guidance(guidance_runs: set[tuple[str, ...]]) -> None:
    """No shipped file shares a run of 8 consecutive words with the guidance."""
    problems = []
    for name, texts in shipped_texts():
        runs = copied_runs(texts, guidance_runs)
        problems += [f"{name}: '{run}'" for run in runs]
    assert not problems, "copied from the guidance:\n" + "\n".join(problems)


def test_the_comparison_catches_a_run_whatever_its_case_and_punctuation(
        guidance_runs: set[tuple[str, ...]]) -> None:
    """Eight of the guidance's words in a row are caught through changed case and punctuation."""
    copied = "As they say: different CONTEXTS require different strategies; clearly define the aim!"
    assert copied_runs([copied], guidance_runs) == [
        "different contexts require different strategies clearly define the"]
    assert not copied_runs(["Different contexts require different strategies, so define it."],
                           guidance_runs)
