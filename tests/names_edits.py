"""The library's features/names.yaml with some lines changed, as the loader refuses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from screening.errors import RuleError
from screening.resolve.name_vocabulary import NAMES_FILE, load_name_vocabulary

LIBRARY = Path(__file__).resolve().parents[1] / "features" / NAMES_FILE


def refused(folder: Path, edit: Callable[[str], str]) -> tuple[Path, str, Callable[[str], int]]:
    """Write the library's file changed by ``edit`` into ``folder`` and load it, which must
    fail: its path, the error's message, and the line number of a fragment of the text."""
    text = edit(LIBRARY.read_text(encoding="utf-8"))
    path = folder / NAMES_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        load_name_vocabulary(path)
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(n for n, line in enumerate(lines, start=1) if fragment in line)

    return path, str(raised.value), line_of
