"""Work a stage may send elsewhere: each such stage keeps, in a context variable, where its
work goes instead of this process (a job on Spark sends it to the cluster's executors),
and sets it for a block with :func:`held`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
