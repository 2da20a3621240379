"""Reading YAML safely while remembering where every value came from.

Rule files are data: they are read with PyYAML's safe loader only. The loader
also keeps the node tree, so an error found later (by pydantic or by a
cross-rule check) can name the line it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._model.context import MAX_DIGITS, LongNumber

if TYPE_CHECKING:
    import yaml
    from yaml.nodes import Node

MAX_FILE_BYTES = 2_000_000
"""Rule files larger than this are refused before parsing (a real one is a few KB)."""


_LOADERS: list[type[yaml.SafeLoader]] = []


def _loader() -> type[yaml.SafeLoader]:
    """libyaml's safe loader where PyYAML has it (about ten times faster), else the Python
    one, with whole numbers bounded (see ``_bounded_int``). PyYAML is imported here, on the
    first file read, not with this module: the shipped rules are usually read from their
    snapshot, without it."""
    if _LOADERS:
        return _LOADERS[0]
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    bounded: type[yaml.SafeLoader] = type("BoundedSafeLoader", (base,), {})
    bounded.add_constructor("tag:yaml.org,2002:int", _bounded_int)
    _LOADERS.append(bounded)
    return bounded


def _bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """A YAML integer, or a ``LongNumber`` when it has more than ``MAX_DIGITS`` digits
    (PyYAML would otherwise stop at Python's 4,300-digit limit with no line)."""
    import yaml

    digits = sum(character.isdigit() for character in str(node.value))
    if digits > MAX_DIGITS:
        return LongNumber(digits)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _check_nodes(root: Node, what: str = "rule files") -> None:
    """Refuse anchors and aliases, and keys given twice in one mapping.

    Rule files need no aliases, and they let a small file stand for a huge
    structure; an alias shows as a node reached twice. A repeated key would
    silently replace the first value (a second ``status:`` can switch a rule
    off), so it is refused with the line of the repeat. Checking the node tree
    keeps libyaml's fast loader.
    """
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise YamlReadError(
                f"anchors and aliases (&name, *name) are not allowed in {what}; the value "
                "anchored here is reused", int(node.start_mark.line) + 1)
        seen.add(id(node))
        if isinstance(node, MappingNode):
            keys: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    line = int(key.start_mark.line) + 1
                    first = keys.get((key.tag, key.value))
                    if first is not None:
                        raise YamlReadError(
                            f"the key '{key.value}' is given twice in one mapping (first on "
                            f"line {first}); the second would silently replace the first",
                            line)
                    keys[(key.tag, key.value)] = line
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


class YamlReadError(ValueError):
    """The text is not YAML this library will read; ``line`` is 1-based if known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and its node tree, for finding lines."""

    data: Any
    root: Node | None

    def line_of(self, loc: Sequence[object]) -> int | None:
        """The 1-based line of the value at ``loc``, or of its nearest ancestor.

        Parts of ``loc`` that do not name a key or index (such as pydantic's
        union tags) are skipped.
        """
        node = self.root
        if node is None:
            return None
        for part in loc:
            child = _child(node, part)
            if child is not None:
                node = child
        return int(node.start_mark.line) + 1

    def key_line(self, loc: Sequence[object]) -> int | None:
        """The line of the *key* at the end of ``loc`` (where a misspelt key stands)."""
        from yaml.nodes import MappingNode, ScalarNode

        parent = self.root
        for part in loc[:-1]:
            child = _child(parent, part) if parent is not None else None
            if child is not None:
                parent = child
        if isinstance(parent, MappingNode):
            for key, _ in parent.value:
                if isinstance(key, ScalarNode) and key.value == loc[-1]:
                    return int(key.start_mark.line) + 1
        return self.line_of(loc)


def _child(node: Node, part: object) -> Node | None:
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                return value  # type: ignore[no-any-return]
    if (isinstance(node, SequenceNode) and isinstance(part, int)
            and not isinstance(part, bool) and 0 <= part < len(node.value)):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def read_yaml(text: str, what: str = "rule files") -> YamlDocument:
    """Parse one YAML document with the safe loader, keeping its node tree; ``what`` names
    the kind of file in messages ("rule files", "context files")."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise YamlReadError(
            f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; rule files are small",
            None,
        )
    import yaml

    loader: yaml.SafeLoader | None = None
    try:
        loader = _loader()(text)  # the pure-Python one checks for unprintable characters here
        root = loader.get_single_node()
        if root is not None:
            _check_nodes(root, what)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        raise YamlReadError(f"not valid YAML: {problem}", line) from None
    except yaml.reader.ReaderError as error:
        raise YamlReadError(
            f"not valid YAML: character {error.character!r} at position {error.position} "
            "is not allowed in YAML text", None) from None
    except yaml.YAMLError as error:
        raise YamlReadError(f"not valid YAML: {error}", None) from None
    except RecursionError:
        raise YamlReadError("the YAML is nested too deeply to read", None) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDocument(data, root)
