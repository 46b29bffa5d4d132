"""calibrate on awkward data and situations: no events at all, no wins in the window, few
leads, a warehouse held by a run or by another writer. Never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from calibrate_landing import OUTCOME_DAYS, TRAIN_UNTIL, land
from support import PROJECT_DIR, run_cli

ARGS = ["--train-until", TRAIN_UNTIL.isoformat(), "--outcome-days", str(OUTCOME_DAYS)]


def _home(tmp_path_factory, name, **land_args):
    home = tmp_path_factory.mktemp(name) / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        land(home, **land_args)
        run_cli("ingest")
        run_cli("build")
    return home


@pytest.fixture(scope="module")
def no_events(tmp_path_factory):
    return _home(tmp_path_factory, "no_events", n=600, events=False, undated=0.3)


def test_without_events_the_profile_alone_is_fitted(no_events, tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSCORE_HOME", str(no_events))
    run_cli("calibrate", "--model", "core", *ARGS, "--out", str(tmp_path))
    report = json.loads((tmp_path / "calibration-core-v3.json").read_text())
    assert report["data"]["events_read"] == 0 and report["data"]["first_event"] is None
    assert report["rules"] and all(r["kind"] == "fit" for r in report["rules"])
    # "do not email" quarters the odds in the synthetic truth
    assert any(
        r["description"] == "Do Not Email = Yes" and r["bins"][0]["points"] < 0 for r in report["rules"]
    )
    assert (tmp_path / "aggregate_rules.csv").read_text().count("\n") == 1
    # a third of the wins have no closed_at: dated by the update that recorded them
    notes = report["leads"]["notes"]
    assert list(notes) == ["won deals without closed_at, dated by the update that recorded the win"]
    assert 0.15 < list(notes.values())[0] / report["leads"]["train_won"] < 0.6


def test_no_wins_in_the_window_is_a_clear_error(no_events, tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSCORE_HOME", str(no_events))
    # no synthetic deal closes within a day of the lead's creation
    proc = run_cli(
        "calibrate", "--model", "core", "--train-until", TRAIN_UNTIL.isoformat(), "--outcome-days", "1",
        "--out", str(tmp_path), check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "no wins among the" in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_few_leads_fit_few_rules(tmp_path_factory, tmp_path, monkeypatch):
    home = _home(tmp_path_factory, "few", n=90, seed=5)
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    proc = run_cli("calibrate", "--model", "core", *ARGS, "--out", str(tmp_path), check=False)
    assert "Traceback" not in proc.stderr
    if proc.returncode:  # too few winners for any fit: said plainly
        assert proc.returncode == 1 and "too few training leads" in proc.stderr
    else:
        report = json.loads((tmp_path / "calibration-core-v3.json").read_text())
        assert report["leads"]["train"] < 60
        assert "too few leads for a time-ordered validation" in (report["fit"]["note"] or "")
        budget = max(
            3, min(report["leads"]["train_won"], report["leads"]["train"] - report["leads"]["train_won"]) // 5
        )
        assert len(report["rules"]) <= budget


def _holder(code: str):
    """A process that runs `code` and then sleeps until killed; returns once it holds."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code + "\nprint('held', flush=True)\nimport time\ntime.sleep(120)"],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_run_holding_the_warehouse_makes_it_wait_then_refuse(built, tmp_path, monkeypatch):
    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    monkeypatch.setenv("LEADSCORE_LOCK_TIMEOUT", "1")
    holder = _holder(
        "from orchestration.runtime.run_lock import hold\nh = hold(what='a test run')\nh.__enter__()"
    )
    try:
        proc = run_cli("calibrate", "--model", "core", *ARGS, "--out", str(tmp_path), check=False)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 75, proc.stderr
    assert "a test run" in proc.stderr and "Traceback" not in proc.stderr


def test_another_writer_on_the_warehouse_is_said_plainly(built, tmp_path, monkeypatch):
    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    holder = _holder(f"import duckdb\ncon = duckdb.connect({str(home / 'warehouse.duckdb')!r})")
    try:
        proc = run_cli("calibrate", "--model", "core", *ARGS, "--out", str(tmp_path), check=False)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 75, proc.stderr
    assert "open for writing by another process" in proc.stderr and "Traceback" not in proc.stderr
