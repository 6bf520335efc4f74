"""Load YAML while remembering the line of every key, so errors can say file:line.

Config files, ingest manifests and rules are all YAML edited by hand. pydantic reports
a problem as a path (``("model", "n_estimators")``); :class:`YamlDocument` turns that path
back into the line a person has to fix.

They are also files a hostile or careless person can hand us, so loading is bounded: the
file's size, the nesting depth, the length of a scalar and of a number are limited, and
anchors and aliases (``&a`` / ``*a``, the "billion laughs" and the self-referencing
``&r [*r]``) and tags (``!!python/object``) are refused outright; none of our files needs
them. Every refusal is the
caller's error type with file:line, never a hang or a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from screening.errors import ConfigError, ScreeningError

PathKey = tuple[str | int, ...]


class _PlainDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic validates them with a located error
    (PyYAML's own date parsing raises a bare ValueError with no line for 2026-13-01)."""


_PlainDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

MAX_YAML_BYTES = 1_000_000  # our largest rule file is a few kB; a manifest, less
MAX_YAML_DEPTH = 32  # nested mappings and lists; ours go 6 deep
MAX_SCALAR_CHARS = 100_000  # one value (a condition is bounded far tighter by the rules)
MAX_NUMBER_CHARS = 40  # an integer literal: Python refuses to convert > 4,300 digits


class _Refused(yaml.MarkedYAMLError):
    """A well-formed YAML file that we still refuse to load, with what to do instead."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _BoundedLoader(_PlainDateLoader):
    """The loader of every hand-edited file: no anchors or aliases, bounded depth and values.

    A refusal carries the offending node's mark, so it reaches the person as file:line.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                "anchors and aliases (&name, *name) are not allowed",
                event.start_mark,
                "write each value out in full",
            )
        if getattr(event, "tag", None) is not None and not _implicit(event):
            raise _Refused(
                f"a YAML tag ({event.tag}) is not allowed",
                event.start_mark,
                "remove the tag: write the value as plain text, a number, a list or a mapping",
            )
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR_CHARS:
            raise _Refused(
                f"a value of {len(event.value):,} characters (limit {MAX_SCALAR_CHARS:,})",
                event.start_mark,
                "shorten the value",
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(
                    f"nested deeper than {MAX_YAML_DEPTH} levels",
                    event.start_mark,
                    "flatten the structure; no setting of ours nests this deep",
                )
            node: yaml.Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MAX_NUMBER_CHARS:
            raise _Refused(
                f"a number of {len(node.value)} digits (limit {MAX_NUMBER_CHARS})",
                node.start_mark,
                "write a smaller number, or quote it if it is text",
            )
        value: int = super().construct_yaml_int(node)
        return value


def _implicit(event: Any) -> bool:
    """No tag written in the file: PyYAML fills in ``!`` for a quoted scalar and the
    standard tags for plain ones itself."""
    implicit = getattr(event, "implicit", False)
    return bool(implicit[0] or implicit[1]) if isinstance(implicit, tuple) else bool(implicit)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


@dataclass
class YamlDocument:
    """Parsed YAML data plus the 1-based line of every mapping key and sequence item."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, key_path: Sequence[str | int]) -> int:
        """Line of the deepest known prefix of ``key_path`` (1 when nothing matches)."""
        key = tuple(key_path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def where(self, key_path: Sequence[str | int] = ()) -> str:
        return f"{self.path}:{self.line_of(key_path)}"

    def within(self, key: str | int) -> YamlDocument:
        """The document seen from inside ``key``, so that its problems keep their lines."""
        lines = {path[1:]: line for path, line in self.lines.items() if path[:1] == (key,)}
        return YamlDocument(self.path, self.data[key], lines)


def load_yaml(path: Path, *, error: type[ScreeningError] = ConfigError) -> YamlDocument:
    """Read ``path`` as YAML; missing files, oversized or hostile files and syntax errors
    raise ``error`` with file:line."""
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise error(
                f"the file is {size:,} bytes (limit {MAX_YAML_BYTES:,})",
                where=str(path),
                hint="is this the right file? split it, or remove what it does not need",
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", where=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise error("a folder, not a file", where=str(path), hint="give a .yaml file") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 text ({exc.reason})", where=str(path), hint="save the file as UTF-8"
        ) from None
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text)  # the reader checks for control characters here
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        if isinstance(exc, _Refused):
            raise error(
                f"refused YAML: {exc.problem}", where=f"{path}:{line}", hint=exc.hint
            ) from None
        raise error(
            f"invalid YAML: {exc.problem}", where=f"{path}:{line}", hint="fix the syntax"
        ) from None
    except yaml.YAMLError as exc:  # the reader's: a NUL or other control character
        line = text[: getattr(exc, "position", 0)].count("\n") + 1
        raise error(
            f"invalid YAML: {str(exc).splitlines()[0]}",
            where=f"{path}:{line}",
            hint="remove the control character; save the file as plain UTF-8 text",
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    document = YamlDocument(path=path, data=data)
    if root is not None:
        _record_lines(root, (), document.lines)
    return document


def _record_lines(node: yaml.Node, prefix: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            lines[key] = key_node.start_mark.line + 1
            _record_lines(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*prefix, index), lines)


def validation_errors(
    document: YamlDocument,
    exc: ValidationError,
    model: type[BaseModel],
    *,
    error: type[ScreeningError] = ConfigError,
) -> list[ScreeningError]:
    """One located error per pydantic problem, in document order, with did-you-mean hints."""
    located: list[tuple[int, ScreeningError]] = []
    for item in exc.errors():
        location = tuple(part for part in item["loc"] if isinstance(part, str | int))
        dotted = ".".join(str(part) for part in location) or "(document)"
        hint = None
        if item["type"] == "extra_forbidden":
            message = f"unknown key '{dotted}'"
            known = _known_keys(model, location[:-1])
            close = difflib.get_close_matches(str(location[-1]), known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        elif item["type"] == "missing":
            message = f"missing required key '{dotted}'"
        else:
            message = f"'{dotted}': {item['msg']}"
        line = document.line_of(location)
        located.append((line, error(message, where=f"{document.path}:{line}", hint=hint)))
    return [problem for _, problem in sorted(located, key=lambda pair: pair[0])]


def _known_keys(model: type[BaseModel], location: PathKey) -> list[str]:
    """Field names of the (nested) model found at ``location``; [] when it cannot be followed."""
    current: Any = model
    parts = [part for part in location if not isinstance(part, int)]
    while parts:
        part = parts.pop(0)
        field_info = current.model_fields.get(part) if _is_model(current) else None
        if field_info is None:
            return []
        if get_origin(field_info.annotation) is dict and parts:
            parts.pop(0)  # a free key of a mapping, e.g. a source's name
            current = _model_in(get_args(field_info.annotation)[1])
        else:
            current = _model_in(field_info.annotation)
    return sorted(current.model_fields) if _is_model(current) else []


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``Model``, ``Model | None`` or ``list[Model]``, if any."""
    if _is_model(annotation):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
