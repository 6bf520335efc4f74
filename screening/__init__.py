"""screening — find wage-arrears leads in agency extracts.

The public surface is re-exported here; everything else is internal.
"""

from screening.errors import (
    ConfigError,
    GenerateError,
    IngestError,
    ResolveError,
    RuleError,
    ScreeningError,
    StoreError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "GenerateError",
    "IngestError",
    "ResolveError",
    "RuleError",
    "ScreeningError",
    "StoreError",
    "__version__",
]
