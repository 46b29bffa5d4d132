"""Idempotency of the daily run: the same day run three times publishes identical marts,
and a backfill followed by a daily run equals daily runs one by one.

Shared scenarios (tests/support/reliability.py): the reference home lands the files of
FIRST..LAST-1, backfills them in one run, then lands LAST's files and runs LAST; the same
day is then run twice more from the command line (started together: the second waits for
the first); the in-order home runs the last three days one by one, the files of each day
landing just before its run.
"""

from __future__ import annotations

import pytest
from support import reliability as R


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return R._memo.get("base") or R._memo.setdefault("base", tmp_path_factory.mktemp("reliability"))


def test_a_day_run_three_times_gives_identical_checksums_of_every_mart(base, capsys):
    ref = R.reference(base)
    again = R.reruns(base)
    first = ref.after_daily
    assert set(first) == R.public_mart_names() and all(n > 0 for n, _ in first.values())
    ok = [(args, code) for args, code, *_ in again.procs if "--wait" not in args]
    assert [code for _, code in ok] == [0, 0], again.procs
    # the warehouse's marts after the third run are those after the first
    assert again.marts_after == first
    assert again.serving_after == ref.serving
    # every version the reader saw published (one per run) has the same checksums
    states = [R.decode_state(k) for k in again.reader["states"]]
    assert states == [ref.serving], states
    assert again.reader["inodes"] >= 3, "the reader should have opened the copy of each of the three runs"
    # the reruns loaded nothing new: every landing file is already in the load log
    assert again.raw_counts_after == again.raw_counts_before
    R.figures(
        capsys,
        f"idempotency: day {R.LAST} run 3 times; {len(first)} marts, "
        f"{sum(n for n, _ in first.values())} rows, identical checksums; "
        f"{again.reader['inodes']} published copies opened by the reader",
    )


def test_backfill_then_daily_equals_daily_runs_one_by_one(base, capsys):
    ref = R.reference(base)
    daily = R.in_order(base)
    # (the CRM feed records which run detected a change: it differs by design)
    assert R.scores_only(daily.digests_by_day[R.LAST]) == R.scores_only(ref.after_daily)
    # and as of the day before, the backfill's result equals the daily runs' one
    before_last = R.LAST - R.dt.timedelta(days=1)
    assert R.scores_only(daily.digests_by_day[before_last]) == R.scores_only(ref.after_backfill)
    R.figures(
        capsys,
        f"idempotency: backfill {R.FIRST}..{R.LAST - R.dt.timedelta(days=1)} + daily {R.LAST} "
        f"== daily runs {', '.join(map(str, R.DAILY))} one by one "
        "(the checksums of all marts but the CRM feed's)",
    )
