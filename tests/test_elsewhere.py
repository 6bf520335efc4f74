"""The build digest that work done elsewhere, or stored earlier, is checked against."""

from __future__ import annotations

from importlib import resources

from screening.elsewhere import code_digest


def _ingest_files() -> list[str]:
    folder = resources.files("screening").joinpath("ingest")
    names = sorted(each.name for each in folder.iterdir() if each.name.endswith((".py", ".yaml")))
    return [f"ingest/{name}" for name in names]


def test_a_folder_counts_with_every_file_in_it() -> None:
    files = _ingest_files()
    assert len(files) > 3
    assert code_digest([], ["ingest"]) == code_digest([], files)
    assert code_digest([], ["ingest"]) != code_digest([], files[:-1])


def test_libraries_and_more_text_move_the_digest() -> None:
    bare = code_digest([], ["errors.py"])
    assert code_digest(["polars"], ["errors.py"]) != bare
    assert code_digest([], ["errors.py"], "15.0.0") != bare
    assert code_digest([], ["errors.py"], "15.0.0") != code_digest([], ["errors.py"], "15.1.0")
    assert code_digest([], ["errors.py"]) == bare  # the same build, the same digest
