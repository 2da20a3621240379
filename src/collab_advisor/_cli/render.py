"""A small document model for the command line's answers, written as text, Markdown or HTML.

``what-if``, ``why-not``, ``path-to`` and ``compare`` build a ``Doc`` of headings,
paragraphs, tables and lists; one renderer per format writes it, so every
subcommand offers every format with the same content. All text is escaped
for Markdown and HTML.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

_WIDTH = 88


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table: a header row and rows of cells; ``numeric`` columns align right."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Bullets:
    """A list of items; an item may carry indented detail lines."""

    items: tuple[tuple[str, tuple[str, ...]], ...]


Block = Para | Heading | Table | Bullets


@dataclass
class Doc:
    """A titled document, built block by block."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""

    def para(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(Para(text))

    def heading(self, text: str) -> None:
        """Add a section heading."""
        self.blocks.append(Heading(text))

    def table(self, header: tuple[str, ...], rows: Sequence[tuple[str, ...]],
              numeric: set[int] | None = None) -> None:
        """Add a table."""
        self.blocks.append(Table(header, tuple(rows), frozenset(numeric or ())))

    def bullets(self, items: Sequence[tuple[str, tuple[str, ...]] | str]) -> None:
        """Add a list; items are text, or text with detail lines."""
        self.blocks.append(Bullets(tuple(
            (item, ()) if isinstance(item, str) else item for item in items)))


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False) or [first.rstrip()]


def to_text(doc: Doc) -> str:
    """Plain text for a terminal, wrapped at 88 columns."""
    lines = [doc.title, "=" * min(len(doc.title), _WIDTH)]
    for block in doc.blocks:
        if isinstance(block, Para):
            lines += _wrap(block.text, "", "")
        elif isinstance(block, Heading):
            lines += [block.text, "-" * min(len(block.text), _WIDTH)]
            continue
        elif isinstance(block, Table):
            widths = [max(len(row[i]) for row in (block.header, *block.rows))
                      for i in range(len(block.header))]
            for row in (block.header, *block.rows):
                cells = [cell.rjust(widths[i]) if i in block.numeric else cell.ljust(widths[i])
                         for i, cell in enumerate(row)]
                lines.append("  " + "  ".join(cells).rstrip())
        else:
            for text, details in block.items:
                lines += _wrap(text, "  - ", "    ")
                for detail in details:
                    lines += _wrap(detail, "      ", "        ")
        lines.append("")
    if doc.footer:
        lines += _wrap(doc.footer, "", "")
    return "\n".join(lines).rstrip("\n") + "\n"


def _md(text: str) -> str:
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def to_markdown(doc: Doc) -> str:
    """Markdown, starting at a top-level heading."""
    out = [f"# {_md(doc.title)}", ""]
    for block in doc.blocks:
        if isinstance(block, Para):
            out.append(_md(block.text))
        elif isinstance(block, Heading):
            out.append(f"## {_md(block.text)}")
        elif isinstance(block, Table):
            out.append("| " + " | ".join(_md(cell) for cell in block.header) + " |")
            out.append("|" + "|".join("---:" if i in block.numeric else "---"
                                      for i in range(len(block.header))) + "|")
            out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in block.rows]
        else:
            for text, details in block.items:
                out.append(f"- {_md(text)}")
                out += [f"  - {_md(detail)}" for detail in details]
        out.append("")
    if doc.footer:
        out.append(f"*{_md(doc.footer)}*")
    return "\n".join(out).rstrip("\n") + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;
  max-width:920px;line-height:1.45;margin:1em auto;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #d6dbe4;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e6e9ef;vertical-align:top}
th{background:#f3f5f9}td.num,th.num{text-align:right;white-space:nowrap}
.note{color:#5b6577;font-size:.9em}
"""


def _cell(tag: str, table: Table, index: int, text: str) -> str:
    css = ' class="num"' if index in table.numeric else ""
    return f"<{tag}{css}>{escape(text)}</{tag}>"


def to_html(doc: Doc) -> str:
    """A self-contained, printable HTML page (inline CSS, no scripts or external assets)."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{escape(doc.title)}</title>",
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<style>{_CSS}</style></head><body>", f"<h1>{escape(doc.title)}</h1>"]
    for block in doc.blocks:
        if isinstance(block, Para):
            parts.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, Heading):
            parts.append(f"<h2>{escape(block.text)}</h2>")
        elif isinstance(block, Table):
            head = "".join(_cell("th", block, i, text) for i, text in enumerate(block.header))
            body = "".join("<tr>" + "".join(_cell("td", block, i, text)
                                            for i, text in enumerate(row))
                           + "</tr>" for row in block.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        else:
            items = []
            for text, details in block.items:
                inner = ("<ul>" + "".join(f"<li>{escape(d)}</li>" for d in details) + "</ul>"
                         if details else "")
                items.append(f"<li>{escape(text)}{inner}</li>")
            parts.append("<ul>" + "".join(items) + "</ul>")
    if doc.footer:
        parts.append(f'<p class="note">{escape(doc.footer)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(doc: Doc, form: str) -> str:
    """The document in a format: text, markdown or html."""
    if form == "markdown":
        return to_markdown(doc)
    if form == "html":
        return to_html(doc)
    return to_text(doc)
