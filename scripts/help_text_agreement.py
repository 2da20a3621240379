"""Do two careful readers answer the context questions the same way from the help text?

Two subcommands:

``sheet``
    Print the questionnaire a reader gets: every rule field's question, help text and
    allowed values with their meanings, from the installed ``Context`` model (so the
    sheet is the help text of whatever checkout runs it, before or after a change).

``compare A.yaml B.yaml``
    Per-field agreement between two readers' answers to the same programmes. Each file
    maps a programme id to a mapping of field -> answer; a field left out (or ``null``)
    is "don't know". Agreement on a field is the share of programmes where the two
    readers gave the same answer, "don't know" included as an answer. Prints a Markdown
    table and, with ``--fields``, only those fields.

    .venv/bin/python scripts/help_text_agreement.py sheet > sheet.md
    .venv/bin/python scripts/help_text_agreement.py compare a.yaml b.yaml
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from collab_advisor import Context

BORDERLINE_FIELDS = (
    "clinical_focus",
    "control",
    "scope",
    "geographic_reach",
    "sites",
    "professions",
    "agenda_set_by",
    "enabling_support",
)
"""The fields issue 18 (point 6) found two readers answering differently."""


def sheet() -> str:
    """The questionnaire: question, help text and allowed values of every answerable field."""
    schema = Context.model_json_schema()
    definitions = schema.get("$defs", {})
    lines = ["# The context questions", ""]
    for name, prop in schema["properties"].items():
        if name == "name":
            continue
        options = prop.get("anyOf", [prop])
        lines.append(f"## `{name}`")
        question = prop.get("question")
        if question:
            lines.append(f"**{question}**")
        if prop.get("description"):
            lines.append("")
            lines.append(str(prop["description"]))
        lines.append("")
        for option in options:
            ref = option.get("$ref")
            if ref is not None:
                enum = definitions[ref.rsplit("/", 1)[-1]]
                meanings = enum.get("enumDescriptions", [""] * len(enum["enum"]))
                for value, meaning in zip(enum["enum"], meanings, strict=True):
                    lines.append(f"- `{value}`: {meaning}")
            elif option.get("type") == "boolean":
                lines.append("- `true` or `false`")
            elif option.get("type") == "integer":
                lines.append("- a whole number of at least 1")
        lines.append("- (leave it out if the description does not tell you)")
        lines.append("")
    return "\n".join(lines)


def _answers(path: Path) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise SystemExit(f"{path}: expected a mapping of programme id to answers")
    out: dict[str, dict[str, Any]] = {}
    for key, answers in data.items():
        if answers is None:
            answers = {}
        if not isinstance(answers, Mapping):
            raise SystemExit(f"{path}: {key}: expected a mapping of field to answer")
        out[str(key)] = {str(f): v for f, v in answers.items() if v is not None}
    return out


def agreement(
    first: Mapping[str, Mapping[str, Any]],
    second: Mapping[str, Mapping[str, Any]],
    fields: tuple[str, ...],
) -> dict[str, tuple[int, int]]:
    """For each field, (programmes answered alike, programmes both readers saw)."""
    shared = sorted(set(first) & set(second))
    return {
        field: (sum(first[p].get(field) == second[p].get(field) for p in shared), len(shared))
        for field in fields
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sheet", help="print the questionnaire readers get")
    compare = commands.add_parser("compare", help="per-field agreement of two readers")
    compare.add_argument("first", type=Path)
    compare.add_argument("second", type=Path)
    compare.add_argument("--fields", nargs="*", default=None)
    args = parser.parse_args(argv)
    if args.command == "sheet":
        print(sheet())
        return 0
    first, second = _answers(args.first), _answers(args.second)
    every = tuple(n for n in Context.model_fields if n != "name")
    fields = tuple(args.fields) if args.fields else every
    unknown = [f for f in fields if f not in every]
    if unknown:
        print(f"error: not context fields: {', '.join(unknown)}", file=sys.stderr)
        return 2
    print("| field | agree | of | share |")
    print("|---|---|---|---|")
    for field, (alike, seen) in agreement(first, second, fields).items():
        share = f"{alike / seen:.0%}" if seen else "-"
        marker = " (borderline)" if field in BORDERLINE_FIELDS else ""
        print(f"| `{field}`{marker} | {alike} | {seen} | {share} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
