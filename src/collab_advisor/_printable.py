"""Text that is safe to show: control characters made visible, not obeyed.

Context names and rule texts come from users and rule files. A NUL, an ANSI
escape sequence (which can recolour or rewrite a terminal), a carriage return
or a bidirectional override (which can make text read differently from what it
is) is shown as a visible escape such as ``\\x1b`` or ``\\u202e`` wherever text
leaves the library as explanations, Markdown or HTML.
"""

from __future__ import annotations

import re

_BIDI_AND_SEPARATORS = (
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u2028\u2029"  # line and paragraph separators
)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSAFE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *map(ord, _BIDI_AND_SEPARATORS)]
_ONE_LINE: dict[int, str] = {code: _escape(code) for code in _UNSAFE}
_KEEP_LINES: dict[int, str] = {code: text for code, text in _ONE_LINE.items()
                               if code not in (0x09, 0x0A)}


def _finder(codes: dict[int, str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"\\u{code:04x}" for code in sorted(codes)) + "]")


# A search in C finds whether anything needs escaping: most text needs nothing, and
# translating a long document character by character costs far more than looking.
_ONE_LINE_FIND = _finder(_ONE_LINE)
_KEEP_LINES_FIND = _finder(_KEEP_LINES)


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape; newlines and tabs kept."""
    if _KEEP_LINES_FIND.search(text) is None:
        return text
    return text.translate(_KEEP_LINES)


def one_line(text: str) -> str:
    """``text`` as one line: newlines and tabs are escaped too (for names in titles)."""
    if _ONE_LINE_FIND.search(text) is None:
        return text
    return text.translate(_ONE_LINE)
