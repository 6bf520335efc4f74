"""The dialects the generator can write a world in, one data module each.

- ``default`` (佛山): the original conventions (sample_data/).
- ``shenzhen`` (深圳): 深南劳人仲案〔2024〕12号, one UTF-8 arbitration ledger, no 生效日期,
  industry short names.
- ``jiangmen`` (江门): GBK CSVs with title rows, 执恢/执异/执保, no 未履行金额 or 应存金额,
  notes on natural persons.
- ``huizhou`` (惠州): 惠阳劳人仲字[2024]第5号 and a 仲裁机构 column, branches typed with the
  head office's code; nothing to derive.
- ``zhaoqing`` (肇庆): the holdout. (2024)端劳人仲案字第5号, 履行情况 instead of 备注, the most
  columns absent.
"""

from __future__ import annotations

import importlib

from screening.errors import GenerateError
from screening.synth.dialect import Dialect

DIALECTS = ("default", "shenzhen", "jiangmen", "huizhou", "zhaoqing")
HOLDOUT = "zhaoqing"  # the engine's authors must not study it while tuning


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``; a GenerateError names the choices when there is none."""
    if name not in DIALECTS:
        raise GenerateError(
            f"unknown dialect '{name}'", hint=f"choose one of: {', '.join(DIALECTS)}"
        )
    dialect: Dialect = importlib.import_module(f"{__name__}.{name}").DIALECT
    return dialect
