"""Concurrency: a reader process polls the serving copy while the daily run is started
three times at the same moment on the same warehouse. The reader sees zero errors and only
complete versions; of the runs, one runs, the second waits for the run lock then runs, the
third (--wait 1) refuses cleanly with exit 75; the warehouse is intact afterwards.

The scenario is shared with test_idempotency (tests/support/reliability.py). test_serving covers a
reader holding a connection across a publish of another day, test_dagster the lock itself.
"""

from __future__ import annotations

import pytest
from support import reliability as R


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return R._memo.get("base") or R._memo.setdefault("base", tmp_path_factory.mktemp("reliability"))


def test_reader_polling_throughout_repeated_runs_sees_no_error_and_no_partial_state(base, capsys):
    ref = R.reference(base)
    again = R.reruns(base)
    reader = again.reader
    R.figures(
        capsys,
        f"concurrency: reader polls {reader['polls']}, errors {len(reader['errors'])}, "
        f"distinct states {len(reader['states'])}, published copies opened {reader['inodes']}",
    )
    assert reader["errors"] == []
    assert reader["polls"] >= 50
    # every poll saw a complete version: every public mart, with the rows of a good run
    marts = R.public_mart_names()
    for key, n in reader["states"].items():
        state = R.decode_state(key)
        assert state != "absent"
        assert set(state) >= marts
        assert state == ref.serving, f"{n} polls saw a state that no run published"
    for key in reader["parquet_states"]:
        assert R.decode_state(key) == ref.parquet
    assert reader["inodes"] >= 3  # the copy before, and the one of each run that ran


def test_runs_started_at_once_wait_or_refuse_cleanly_and_the_warehouse_is_intact(base):
    again = R.reruns(base)
    (a1, c1, o1, e1), (a2, c2, o2, e2), (a3, c3, o3, e3) = again.procs
    assert (c1, c2) == (0, 0), (e1[-3000:], e2[-3000:])
    assert "succeeded" in o1 and "succeeded" in o2
    # one of the two waited for the other's lock rather than running alongside it
    assert "waiting for the run lock" in e1 + e2
    assert c3 == 75, e3[-3000:]
    assert "another leadscore run holds" in e3 and "refusing to start" in e3
    assert o3 == ""  # no summary: it did nothing
    # the warehouse: the same raw rows, a truthful load log, the same marts
    assert again.raw_counts_after == again.raw_counts_before
    R.assert_load_log_truthful(again.home / "warehouse.duckdb")
    assert again.marts_after == R.reference(base).after_daily
    serving = again.home / "serving"
    assert not [p for p in serving.iterdir() if p.name.startswith(".publishing-")]
