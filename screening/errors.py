"""One exception root for everything the engine reports to a person.

Every error says what is wrong, where (file:line, table:row, column) and what to
do about it. The CLI prints ``str(error)`` as one line and exits non-zero; only a
bug (any other exception) prints a traceback.
"""

from __future__ import annotations


class ScreeningError(Exception):
    """Base of all expected, user-facing errors.

    ``where`` locates the problem (``"rules/dep_missing.yaml:14"``,
    ``"deposits.csv:203, column 实存金额"``); ``hint`` says what to do.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class ConfigError(ScreeningError):
    """A job config, manifest or CLI option is invalid."""


class StoreError(ScreeningError):
    """The database cannot be opened, migrated or published to."""


class IngestError(ScreeningError):
    """A source file cannot be read at all (rows that can be read but not loaded are rejects)."""


class RuleError(ScreeningError):
    """A rule file is invalid or refers to something that does not exist."""


class ResolveError(ScreeningError):
    """Entity resolution cannot proceed (e.g. contradictory reviewer judgements)."""


class GenerateError(ScreeningError):
    """The synthetic world cannot be generated as asked."""
