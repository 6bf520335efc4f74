"""Source manifests: where each agency's files are and how their columns map to ours.

A manifest is YAML. A user whose agency exports other headers, another encoding or
another sheet writes a manifest and touches no code. Paths and globs are relative to the
manifest file. Every problem is reported with file:line and, for misspelt names, a
did-you-mean.
"""

from __future__ import annotations

import difflib
import glob
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from screening.errors import IngestError, ScreeningError
from screening.ingest.canonical import TABLES, Kind
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

DEFAULT_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d"]
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnSpec(_Strict):
    """How one agency header maps onto a canonical column."""

    column: str = Field(description="canonical column it fills")
    type: Kind | None = Field(None, description="the column's kind; checked against ours")
    unit: Literal["元", "万元"] = Field("元", description="for amounts: 万元 is multiplied out")
    required: bool = Field(False, description="a row without a value here is rejected")


class SourceSpec(_Strict):
    table: Literal["registry", "projects", "deposits", "arbitrations", "enforcements"]
    files: str = Field(description="path or glob, relative to the manifest")
    format: Literal["xlsx", "csv", "parquet"] | None = Field(None, description="from the suffix")
    sheet: str | int = Field(0, description="xlsx: sheet name or 0-based position")
    encoding: Literal["utf-8", "utf-8-sig", "gbk", "gb18030"] | None = Field(
        None, description="csv: detected when omitted"
    )
    delimiter: str = Field(",", min_length=1, max_length=1)
    header_row: int | None = Field(
        None, ge=1, description="1-based row of the headers; found when omitted"
    )
    date_formats: list[str] | None = Field(None, description="strptime formats tried in order")
    natural_key: list[str] = Field(default_factory=list)
    columns: dict[str, ColumnSpec | str] = Field(
        description="agency header -> canonical column (or a full column spec)"
    )

    def specs(self) -> dict[str, ColumnSpec]:
        """Header -> spec, with the ``header: column`` shorthand expanded."""
        return {
            header: spec if isinstance(spec, ColumnSpec) else ColumnSpec(column=spec)
            for header, spec in self.columns.items()
        }


class Manifest(_Strict):
    date_formats: list[str] = Field(default_factory=lambda: list(DEFAULT_DATE_FORMATS))
    sources: dict[str, SourceSpec]

    # Set by load_manifest: where the file is, for relative paths and error locations.
    _path: Path = PrivateAttr(Path("manifest.yaml"))

    @property
    def path(self) -> Path:
        return self._path

    def files(self, source: str) -> list[Path]:
        """The files of one source, sorted; an error when there are none."""
        spec = self.sources[source]
        pattern = str(self.path.parent / spec.files)
        found = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
        if not found:
            raise IngestError(
                f"source '{source}': no file matches {spec.files}",
                where=str(self.path),
                hint=f"check the path (relative to {self.path.parent}) or put the files there",
            )
        return found


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest; all problems are raised together, each with file:line."""
    document = load_yaml(path, error=IngestError)
    if not isinstance(document.data, dict):
        raise IngestError("a manifest must be a mapping with 'sources'", where=document.where())
    try:
        manifest = Manifest.model_validate(document.data)
    except ValidationError as exc:
        _raise_all(validation_errors(document, exc, Manifest, error=IngestError))
        raise  # unreachable: pydantic reported at least one problem
    manifest._path = path
    _raise_all(_semantic_problems(manifest, document))
    return manifest


def _semantic_problems(manifest: Manifest, document: YamlDocument) -> list[ScreeningError]:
    problems: list[ScreeningError] = []
    for source, spec in manifest.sources.items():
        table = TABLES[spec.table]
        mapped: dict[str, str] = {}
        for header, column in spec.specs().items():
            where = document.where(("sources", source, "columns", header))
            if column.column not in table.columns:
                close = difflib.get_close_matches(column.column, list(table.columns), n=1)
                problems.append(
                    IngestError(
                        f"'{column.column}' is not a column of table {table.name}",
                        where=where,
                        hint=f"did you mean '{close[0]}'?"
                        if close
                        else f"columns: {', '.join(table.columns)}",
                    )
                )
                continue
            kind = table.columns[column.column]
            if column.type is not None and column.type != kind:
                problems.append(
                    IngestError(
                        f"{table.name}.{column.column} holds {kind.value}, not {column.type.value}",
                        where=where,
                        hint=f"remove 'type' or write type: {kind.value}",
                    )
                )
            if column.unit != "元" and kind is not Kind.AMOUNT:
                problems.append(
                    IngestError(f"'unit' applies to amounts only, not {kind.value}", where=where)
                )
            if column.column in mapped:
                problems.append(
                    IngestError(
                        f"headers '{mapped[column.column]}' and '{header}' both fill "
                        f"{column.column}",
                        where=where,
                        hint="map each canonical column from one header",
                    )
                )
            mapped[column.column] = header
        for key in spec.natural_key:
            if key not in mapped:
                problems.append(
                    IngestError(
                        f"natural key '{key}' is not filled by any header of source '{source}'",
                        where=document.where(("sources", source, "natural_key")),
                    )
                )
    return problems


def _raise_all(problems: list[ScreeningError]) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    raise IngestError(
        "; ".join(str(problem) for problem in problems),
        hint=f"{len(problems)} problems in the manifest; fix them all and run again",
    )
