"""What `leadscore calibrate` is asked to do, and the errors it reports without a traceback."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_OUTCOME_DAYS = 90
DEFAULT_MQL_SHARE = 0.2
DEFAULT_MAX_RULES = 30

# A model id is written into CSV seeds and rule ids: keep it to what reads plainly there.
MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


class CalibrateError(RuntimeError):
    """The calibration cannot be done as asked (bad input or data); the message says why."""


class WarehouseBusyError(CalibrateError):
    """Another process holds the warehouse: try again when it is done."""


@dataclass(frozen=True)
class Options:
    model_id: str
    train_until: dt.date
    outcome_days: int = DEFAULT_OUTCOME_DAYS
    mql_share: float = DEFAULT_MQL_SHARE
    out: Path | None = None  # None: the project's seeds folder
    max_rules: int = DEFAULT_MAX_RULES
    window_days: int | None = None  # None: outcome_days, at most 365
    bootstrap: int = 50
    seed: int = 42

    @property
    def window(self) -> int:
        return self.window_days or min(self.outcome_days, 365)

    def check(self) -> None:
        if not MODEL_ID.match(self.model_id):
            raise CalibrateError(
                f"--model {self.model_id!r}: a model id is 1 to 63 letters, digits, '_', '-' or '.', "
                "starting with a letter or digit"
            )
        if not 1 <= self.outcome_days <= 3650:
            raise CalibrateError(f"--outcome-days {self.outcome_days}: give 1 to 3650 days")
        if not 0 < self.mql_share < 1:
            raise CalibrateError(f"--mql-share {self.mql_share}: give a share between 0 and 1, e.g. 0.2")
        if not 1 <= self.max_rules <= 500:
            raise CalibrateError(f"--max-rules {self.max_rules}: give 1 to 500")
        if self.window_days is not None and not 1 <= self.window_days <= 3650:
            raise CalibrateError(f"--window-days {self.window_days}: give 1 to 3650 days")
