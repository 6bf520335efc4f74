"""Source manifests: where each agency's files are and how their columns map to ours.

A manifest is YAML. A user whose agency exports other headers, another encoding or
another sheet writes a manifest and touches no code. File globs are relative to the data
folder: ``root:`` (relative to the manifest file, or absolute), overridden by
``screening ingest --data`` / ``screening run --data`` / a job's ``data:``, by default the
manifest's own folder. One header may fill several columns (``结案日期: [closed_date,
effective_date]``); a column no header fills may be derived by a declared rule of
``features/derivations.yaml`` (``derive: {effective_date: award_effective_date}``). Every
problem is reported with file:line and, for misspelt names, a did-you-mean.
"""

from __future__ import annotations

import difflib
import glob
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from screening.errors import IngestError, ScreeningError
from screening.ingest.canonical import TABLES, Kind
from screening.ingest.derive import (
    AppliedDerivation,
    DerivationLibrary,
    Value,
    library_derivations,
)
from screening.yamlsource import YamlDocument, load_yaml, validation_errors

DEFAULT_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d"]
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Targets = Annotated[list[str], Field(min_length=1)]


class ColumnSpec(_Strict):
    """How one agency header maps onto a canonical column (or several, of one kind)."""

    column: str | Targets = Field(description="canonical column(s) it fills")
    type: Kind | None = Field(None, description="the column's kind; checked against ours")
    unit: Literal["元", "万元"] = Field("元", description="for amounts: 万元 is multiplied out")
    required: bool = Field(False, description="a row without a value here is rejected")

    def targets(self) -> list[str]:
        return [self.column] if isinstance(self.column, str) else list(self.column)


class DeriveSpec(_Strict):
    """A derivation of the library filling one column, with parameter overrides."""

    rule: str = Field(description="a derivation of features/derivations.yaml")
    parameters: dict[str, Value] = Field(default_factory=dict)


class SourceSpec(_Strict):
    table: Literal["registry", "projects", "deposits", "arbitrations", "enforcements"]
    files: str = Field(description="path or glob, relative to the data folder (root)")
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
    columns: dict[str, ColumnSpec | str | Targets] = Field(
        description="agency header -> canonical column, a list of them, or a full column spec"
    )
    derive: dict[str, DeriveSpec | str] = Field(
        default_factory=dict,
        description="canonical column -> derivation (features/derivations.yaml) filling it",
    )

    def specs(self) -> dict[str, ColumnSpec]:
        """Header -> spec, with the ``header: column`` and ``header: [a, b]`` shorthands
        expanded."""
        return {
            header: spec if isinstance(spec, ColumnSpec) else ColumnSpec(column=spec)
            for header, spec in self.columns.items()
        }

    def mappings(self) -> list[tuple[str, ColumnSpec]]:
        """(header, spec of one column) for every column a header fills, in manifest order."""
        return [
            (header, spec.model_copy(update={"column": column}))
            for header, spec in self.specs().items()
            for column in spec.targets()
        ]

    def mapped_columns(self) -> dict[str, str]:
        """Canonical column -> the header filling it (the last, should two: refused at load)."""
        return {str(spec.column): header for header, spec in self.mappings()}

    def derivations(self) -> dict[str, DeriveSpec]:
        """Column -> derivation, with the ``column: rule`` shorthand expanded."""
        return {
            column: spec if isinstance(spec, DeriveSpec) else DeriveSpec(rule=spec)
            for column, spec in self.derive.items()
        }


class Manifest(_Strict):
    root: str | None = Field(
        None, description="folder of the data files: relative to the manifest, or absolute"
    )
    date_formats: list[str] = Field(default_factory=lambda: list(DEFAULT_DATE_FORMATS))
    sources: dict[str, SourceSpec]

    # Set by load_manifest: where the file is, for relative paths and error locations; the
    # data folder a caller chose over `root` (--data); each source's derivations, in the
    # order they run.
    _path: Path = PrivateAttr(Path("manifest.yaml"))
    _data: Path | None = PrivateAttr(None)
    _files_where: dict[str, str] = PrivateAttr(default_factory=dict)  # source -> file:line
    _derived: dict[str, list[AppliedDerivation]] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def data_folder(self) -> Path:
        """The folder ``files:`` globs are relative to: --data, else ``root``, else the
        manifest's folder."""
        if self._data is not None:
            return self._data
        if self.root is not None:
            root = Path(self.root)
            return root if root.is_absolute() else self.path.parent / root
        return self.path.parent

    def derived(self, source: str) -> list[AppliedDerivation]:
        """The derivations of one source, in the order they run (inputs first)."""
        return self._derived.get(source, [])

    def absent_columns(self, source: str) -> list[str]:
        """Canonical columns of the source's table that no header fills and no rule derives."""
        spec = self.sources[source]
        filled = set(spec.mapped_columns()) | set(spec.derive)
        return [column for column in TABLES[spec.table].columns if column not in filled]

    def files(self, source: str) -> list[Path]:
        """The files of one source, sorted; an error when there are none."""
        spec = self.sources[source]
        folder = self.data_folder
        pattern = str(folder / spec.files)
        found = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
        if not found:
            raise IngestError(
                f"source '{source}': no file matches '{spec.files}' in the data folder {folder}",
                where=self._files_where.get(source, str(self.path)),
                hint="put the files there, fix the source's 'files', or point the manifest's "
                "'root' (or --data) at the folder that holds them",
            )
        return found


def load_manifest(
    path: Path, *, data: Path | None = None, derivations: DerivationLibrary | None = None
) -> Manifest:
    """Read and check a manifest; all problems are raised together, each with file:line.

    ``data`` is the folder of the files when the caller chose one (``--data``), instead of
    the manifest's ``root``; ``derivations`` a library instead of the engine's own.
    """
    document = load_yaml(path, error=IngestError)
    if not isinstance(document.data, dict):
        raise IngestError("a manifest must be a mapping with 'sources'", where=document.where())
    try:
        manifest = Manifest.model_validate(document.data)
    except ValidationError as exc:
        _raise_all(validation_errors(document, exc, Manifest, error=IngestError))
        raise  # unreachable: pydantic reported at least one problem
    manifest._path = path
    manifest._data = data
    manifest._files_where = {
        source: document.where(("sources", source, "files")) for source in manifest.sources
    }
    problems = _semantic_problems(manifest, document)
    problems += _derivation_problems(manifest, document, derivations or library_derivations())
    _raise_all(problems)
    _check_data_folder(manifest, document, data)
    return manifest


def _check_data_folder(manifest: Manifest, document: YamlDocument, data: Path | None) -> None:
    folder = manifest.data_folder
    if folder.is_dir():
        return
    if data is not None:
        where, what = "--data (or the job's data:)", "the data folder given"
    elif manifest.root is not None:
        where, what = document.where(("root",)), "the manifest's root"
    else:
        where, what = str(manifest.path), "the manifest's folder"
    raise IngestError(
        f"{what} {folder} is not a folder",
        where=where,
        hint="give the folder that holds the extracts (root: in the manifest, relative to it, "
        "or --data)",
    )


QUOTE_AND_LINE_BREAKS = '"\r\n'  # the CSV reader's record scan relies on these


def _semantic_problems(manifest: Manifest, document: YamlDocument) -> list[ScreeningError]:
    problems: list[ScreeningError] = []
    for source, spec in manifest.sources.items():
        table = TABLES[spec.table]
        if spec.delimiter in QUOTE_AND_LINE_BREAKS:
            problems.append(
                IngestError(
                    f"delimiter {spec.delimiter!r} of source '{source}' quotes or ends "
                    "records in CSV; it cannot also separate fields",
                    where=document.where(("sources", source, "delimiter")),
                    hint="set the character between the fields: , ; | or a tab",
                )
            )
        mapped: dict[str, str] = {}
        for header, column in spec.mappings():
            where = document.where(("sources", source, "columns", header))
            assert isinstance(column.column, str)  # mappings() gives one column each
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


def _derivation_problems(
    manifest: Manifest, document: YamlDocument, library: DerivationLibrary
) -> list[ScreeningError]:
    """Check each source's ``derive`` and fix the order its derivations run in."""
    problems: list[ScreeningError] = []
    for source, spec in manifest.sources.items():
        table = TABLES[spec.table]
        mapped = spec.mapped_columns()
        wanted: dict[str, AppliedDerivation] = {}
        for column, derive in spec.derivations().items():
            where = document.where(("sources", source, "derive", column))
            if derive.rule not in library.derivations:
                close = difflib.get_close_matches(derive.rule, list(library.derivations), n=1)
                problems.append(
                    IngestError(
                        f"unknown derivation '{derive.rule}'",
                        where=where,
                        hint=f"did you mean '{close[0]}'?"
                        if close
                        else "see `screening features derivations` for the library",
                    )
                )
                continue
            derivation = library[derive.rule]
            fills = f"{derivation.spec.table}.{derivation.spec.column}"
            if (derivation.spec.table, derivation.spec.column) != (table.name, column):
                problems.append(
                    IngestError(
                        f"derivation '{derive.rule}' fills {fills}, not {table.name}.{column}",
                        where=where,
                        hint="derive each column with a derivation made for it; "
                        "see `screening features derivations`",
                    )
                )
                continue
            if column in mapped:
                problems.append(
                    IngestError(
                        f"{table.name}.{column} is derived by '{derive.rule}' but header "
                        f"'{mapped[column]}' already fills it",
                        where=where,
                        hint="a column is derived only where the extract lacks it: remove "
                        "the derive entry, or the header's mapping",
                    )
                )
                continue
            wrong = derivation.parameter_problems(derive.parameters)
            if wrong:
                problems.append(
                    IngestError(
                        "; ".join(wrong),
                        where=document.where(("sources", source, "derive", column, "parameters")),
                        hint="see `screening features derivations` for its parameters",
                    )
                )
                continue
            wanted[column] = derivation.applied(derive.parameters)
        problems += _order(manifest, document, source, mapped, wanted)
    return problems


def _order(
    manifest: Manifest,
    document: YamlDocument,
    source: str,
    mapped: dict[str, str],
    wanted: dict[str, AppliedDerivation],
) -> list[ScreeningError]:
    """Place each derivation after the derivations whose columns it reads; refuse one whose
    inputs nothing fills, or a circle."""
    problems: list[ScreeningError] = []
    for column, item in wanted.items():
        missing = [c for c in item.inputs if c not in mapped and c not in wanted]
        if missing:
            problems.append(
                IngestError(
                    f"derivation '{item.derivation}' of {column} reads "
                    f"{', '.join(missing)}, which source '{source}' neither maps nor derives",
                    where=document.where(("sources", source, "derive", column)),
                    hint=f"map a header to {', '.join(missing)}, or leave {column} "
                    "underived (absent)",
                )
            )
    if problems:
        return problems
    ordered: list[AppliedDerivation] = []
    pending = dict(wanted)
    while pending:
        ready = [
            column
            for column, item in pending.items()
            if not any(c in pending and c != column for c in item.inputs)
        ]
        if not ready:
            return [
                IngestError(
                    f"the derivations of {', '.join(pending)} read each other's columns",
                    where=document.where(("sources", source, "derive")),
                    hint="map a header to one of them, so the circle has a start",
                )
            ]
        for column in ready:
            ordered.append(pending.pop(column))
    manifest._derived[source] = ordered
    return []


def _raise_all(problems: list[ScreeningError]) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    raise IngestError(
        "; ".join(str(problem) for problem in problems),
        hint=f"{len(problems)} problems in the manifest; fix them all and run again",
    )
