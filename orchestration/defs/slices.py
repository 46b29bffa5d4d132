"""A long backfill in slices: bounded memory, and a killed backfill resumes.

A run over days D1..D2 is one dbt build when its events fit one slice. A longer history
is cut at month boundaries into slices of at most `slice_events()` events each (a month
with more is a slice of its own): the first slice is built as any first build, each next
one through the incremental path a daily run takes (`history_start` = the slice's first
day), each its own dbt invocation inside the same Dagster run. Only the last slice is a
`dbt build` whose data tests become the run's asset checks: the earlier ones build the
models without tests (`dbt build --exclude-resource-type test`), and the tests then judge
the final state. Peak memory is that of one slice, not of the history.

After each slice, `$LEADSCORE_HOME/.backfill/state.json` records the run's range, the
project's fingerprint, the last day built and the warehouse file's size and modification
time. A run over the same range that finds it, with the same project and a warehouse no
other write has touched since, starts after that day: a killed backfill resumes from its
last finished slice. Anything else starts over from D1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestration.runtime import config

DEFAULT_SLICE_EVENTS = 20_000_000

Span = tuple[dt.date, dt.date]  # first and last day, inclusive


def slice_events() -> int:
    """Events per slice at the most (LEADSCORE_BACKFILL_SLICE_EVENTS, default 20M)."""
    raw = os.environ.get("LEADSCORE_BACKFILL_SLICE_EVENTS", "")
    try:
        value = int(raw) if raw else DEFAULT_SLICE_EVENTS
    except ValueError:
        raise ValueError(f"LEADSCORE_BACKFILL_SLICE_EVENTS must be a whole number, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"LEADSCORE_BACKFILL_SLICE_EVENTS must be at least 1, got {value}")
    return value


def months(first: dt.date, last: dt.date) -> list[Span]:
    """The calendar months of first..last, cut to the range."""
    out = []
    start = first
    while start <= last:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(last, next_month - dt.timedelta(days=1))
        out.append((start, end))
        start = next_month
    return out


def plan(first: dt.date, last: dt.date, events_per_month: dict[dt.date, int], budget: int) -> list[Span]:
    """Slices of first..last: whole months joined while their events stay within `budget`."""
    slices: list[Span] = []
    held = 0
    for start, end in months(first, last):
        n = events_per_month.get(start.replace(day=1), 0)
        if slices and held + n <= budget:
            slices[-1] = (slices[-1][0], end)
            held += n
        else:
            slices.append((start, end))
            held = n
    return slices


def events_per_month(con, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Loaded events per month of the day they occurred, within first..last."""
    rows = con.execute(
        "select date_trunc('month', cast(occurred_at as date)) as month, count(*) from raw.events "
        "where cast(occurred_at as date) between ? and ? group by 1",
        [first, last],
    ).fetchall()
    return {(m.date() if isinstance(m, dt.datetime) else m): n for m, n in rows}


@dataclass
class State:
    first: str
    last: str
    project: str
    done_through: str
    warehouse_stat: list[int]


def state_path() -> Path:
    return config.home() / ".backfill" / "state.json"


def resume_after(first: dt.date, last: dt.date, project: str, warehouse: Path) -> dt.date | None:
    """The last day an earlier, interrupted run over first..last built, if it may be trusted:
    same range and project, and no write recorded since its last finished slice. The
    warehouse file is that slice's, or a write was killed after it (the next slice's,
    killed with the run: the run lock let no one else in, and a slice can be built again
    over its own partial writes, as a killed daily run can be run again)."""
    from orchestration.serving import ledger

    try:
        state = State(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if (state.first, state.last, state.project) != (first.isoformat(), last.isoformat(), project):
        return None
    recorded = ledger.Ledger.load()
    if recorded.stat != state.warehouse_stat:
        return None  # a write finished since: start over
    if ledger.warehouse_stat(warehouse) != state.warehouse_stat and not recorded.pending:
        return None  # changed by something the ledger does not know: start over
    return dt.date.fromisoformat(state.done_through)


def record(span: Span, project: str, done_through: dt.date, warehouse_stat: list[int]) -> None:
    first, last = span
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    state = State(first.isoformat(), last.isoformat(), project, done_through.isoformat(), warehouse_stat)
    tmp.write_text(json.dumps(asdict(state)))
    os.replace(tmp, path)


def forget() -> None:
    state_path().unlink(missing_ok=True)
