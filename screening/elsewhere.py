"""Work a stage may send elsewhere: each such stage keeps, in a context variable, where its
work goes instead of this process (a job on Spark sends it to the cluster's executors),
and sets it for a block with :func:`held`. Work done elsewhere, or stored by an earlier
run, is trusted only when it was done by the same build (:func:`code_digest`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import metadata, resources
from importlib.abc import Traversable
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def held(variable: ContextVar[T | None], value: T) -> Iterator[None]:
    """``variable`` holds ``value`` in the block, then what it held before."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def code_digest(libraries: Iterable[str], paths: Iterable[str], *more: str) -> str:
    """A digest of the installed versions of ``libraries``, the package's files at
    ``paths`` (a folder counts with every file in it, ``""`` is the whole package) and any
    ``more`` text: what a result depends on besides its input."""
    digest = hashlib.sha256()
    for library in libraries:
        digest.update(f"{library} {metadata.version(library)}\n".encode())
    root = resources.files("screening")
    for name in paths:
        for where, path in _files(root.joinpath(name), name):
            digest.update(f"{where}\n".encode())
            digest.update(path.read_bytes())
    for text in more:
        digest.update(text.encode())
    return digest.hexdigest()[:16]


def _files(path: Traversable, where: str) -> list[tuple[str, Traversable]]:
    """``path`` (at ``where`` in the package) if a file, else its Python files and data,
    recursively, in name order, each with where it is."""
    if path.is_file():
        return [(where, path)]
    found = []
    for child in sorted(path.iterdir(), key=lambda each: each.name):
        inside = f"{where}/{child.name}" if where else child.name
        if child.is_dir() and child.name != "__pycache__":
            found += _files(child, inside)
        elif child.is_file() and not child.name.endswith(".pyc"):
            found.append((inside, child))
    return found
