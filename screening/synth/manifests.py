"""The source manifest each dialect ships beside its extracts.

The default dialect ships ``screening/ingest/sample_manifest.yaml`` unchanged. Another
dialect's manifest is that one re-keyed: each of the dialect's headers maps to the
canonical column its default header maps to, with the same unit and required flag;
columns the dialect does not keep are left out, and the canonical columns it lacks but
that can be computed get a ``derive`` entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from screening.synth.dialect import PERFORMANCE, SOURCES, Dialect

SAMPLE_MANIFEST = Path(__file__).resolve().parents[1] / "ingest" / "sample_manifest.yaml"


def manifest_text(dialect: Dialect) -> str:
    """The manifest YAML for ``dialect`` (deterministic: same dialect, same bytes)."""
    sample = SAMPLE_MANIFEST.read_text(encoding="utf-8")
    if not dialect.layouts and not dialect.derive:
        return sample
    base: dict[str, Any] = yaml.safe_load(sample)["sources"]
    sources: dict[str, Any] = {}
    for source in SOURCES:
        spec = base[source]
        layout = dialect.layouts.get(source)
        if layout is None:
            sources[source] = spec
            continue
        columns: dict[str, Any] = {}
        for header, field in layout.columns:
            if field == PERFORMANCE:
                columns[header] = "remark"  # 履行情况 holds what the default's 备注 does
            elif field in spec["columns"]:
                columns[header] = spec["columns"][field]
        filled = {
            value if isinstance(value, str) else value["column"] for value in columns.values()
        }
        suffix = Path(layout.files).suffix
        entry: dict[str, Any] = {
            "table": spec["table"],
            "files": f"extracts/{Path(layout.files).parent.as_posix()}/*{suffix}",
        }
        if suffix == ".csv":
            entry["encoding"] = layout.encoding
        elif layout.sheet:
            entry["sheet"] = layout.sheet
        keys = [key for key in spec.get("natural_key", []) if key in filled]
        if keys:
            entry["natural_key"] = keys
        entry["columns"] = columns
        if source in dialect.derive:
            entry["derive"] = dict(dialect.derive[source])
        sources[source] = entry
    header = (
        f"# Source manifest of the '{dialect.name}' dialect's extracts (written by\n"
        "# screening generate --dialect). Columns this dialect's agencies do not keep are\n"
        "# absent; those the engine can compute are under 'derive'.\n"
    )
    body = yaml.safe_dump(
        {"sources": sources},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=120,
    )
    return header + body
