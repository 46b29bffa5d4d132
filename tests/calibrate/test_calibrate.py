"""`leadscore calibrate` on a built warehouse of synthetic leads (calibrate_landing): the
report, the written seeds, the MQL threshold, a new model id, the errors."""

from __future__ import annotations

import csv
import json

import pytest
from calibrate_landing import OUTCOME_DAYS, TRAIN_UNTIL
from support import run_cli

from orchestration.calibrate.seeds import HEADERS

ARGS = ["--train-until", TRAIN_UNTIL.isoformat(), "--outcome-days", str(OUTCOME_DAYS)]


def _read_csv(path):
    with path.open(newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def calibrated(built, tmp_path_factory):
    """core calibrated into a folder of its own through the CLI."""
    home, _ = built
    out = tmp_path_factory.mktemp("candidate")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADSCORE_HOME", str(home))
        proc = run_cli("calibrate", "--model", "core", *ARGS, "--mql-share", "0.25", "--out", str(out))
    report = json.loads((out / "calibration-core-v3.json").read_text())
    return home, out, proc, report


def test_report_compares_candidate_active_and_regression(calibrated):
    home, out, proc, report = calibrated
    assert report["model_id"] == "core" and report["model_version"] == 3 and report["active_version"] == 1
    # the same JSON where the HTML report looks for it
    assert json.loads((home / "calibration" / "calibration-core-v3.json").read_text()) == report
    ev = report["evaluation"]
    assert set(ev) == {"candidate", "active", "regression"}
    assert report["leads"]["test"] > 100 and ev["candidate"]["leads"] == report["leads"]["test"]
    for figures in ev.values():
        assert 0 <= figures["auc"] <= 1
        assert figures["top_decile_conversion"] >= 0 and figures["bottom_decile_conversion"] >= 0
    # whole points cost the ranking almost nothing against the regression's own probabilities
    assert ev["candidate"]["auc"] >= ev["regression"]["auc"] - 0.01
    # and the synthetic leads' behaviour and origin rank them well above chance
    assert ev["candidate"]["auc"] > 0.65
    assert "outcome window still open" in report["leads"]["left_out"]
    text = proc.stdout
    for line in ("candidate v3", "active v1", "regression", "rules (points"):
        assert line in text
    for rule in report["rules"]:
        assert rule["rule_id"] in text
        for b in rule["bins"]:
            assert b["points"] != 0 and b["interval"] is not None


def test_written_seeds_hold_only_the_candidate_in_the_seed_formats(calibrated):
    _, out, _, report = calibrated
    for name, header in HEADERS.items():
        rows = _read_csv(out / f"{name}.csv")
        assert rows[0] == header, name
        assert all(r[0] == "core" and r[1] == "3" for r in rows[1:]), name
    models = _read_csv(out / "scoring_models.csv")
    assert len(models) == 2
    model = dict(zip(models[0], models[1], strict=True))
    assert model["is_active"] == "false"  # never flips is_active
    assert int(model["mql_threshold"]) == report["levels"]["mql_threshold"]
    # behaviour is all aggregate rules: no per-event or inactivity rules
    assert len(_read_csv(out / "engagement_rules.csv")) == 1
    assert len(_read_csv(out / "inactivity_rules.csv")) == 1
    aggregates = [
        dict(zip(HEADERS["aggregate_rules"], r, strict=True))
        for r in _read_csv(out / "aggregate_rules.csv")[1:]
    ]
    fits = [dict(zip(HEADERS["fit_rules"], r, strict=True)) for r in _read_csv(out / "fit_rules.csv")[1:]]
    assert aggregates and fits
    for r in aggregates:
        assert r["measure"] in {"count", "sum", "active_days", "days_since"}
        assert (r["window_days"] == "") == (r["measure"] == "days_since")
    # core has no segment conditions: neither has its candidate
    assert len(_read_csv(out / "segment_conditions.csv")) == 1
    # the bands come from the MQL cut
    bands = _read_csv(out / "score_bands.csv")[1:]
    assert bands[-1][2] == "hot" and int(bands[-1][4]) == report["levels"]["mql_threshold"]
    assert int(bands[0][4]) == int(model["min_score"])


def test_threshold_puts_the_mql_share_of_training_leads_above_it(calibrated):
    _, _, _, report = calibrated
    assert report["options"]["mql_share"] == 0.25
    # whole-point scores tie: the share is as near 0.25 as the ties allow
    assert abs(report["levels"]["train_share_mql"] - 0.25) < 0.06


def test_a_new_model_id_gets_an_inactive_version_1_for_every_contact(built, tmp_path, monkeypatch):
    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    run_cli("calibrate", "--model", "courses", *ARGS, "--max-rules", "4", "--out", str(tmp_path))
    report = json.loads((tmp_path / "calibration-courses-v1.json").read_text())
    assert report["is_new_model"] and report["model_version"] == 1
    assert "active" not in report["evaluation"]
    assert len(report["rules"]) <= 4
    model = _read_csv(tmp_path / "scoring_models.csv")[1]
    assert model[:3] == ["courses", "1", "false"]  # never active, even for a new model
    assert len(_read_csv(tmp_path / "segment_conditions.csv")) == 1


def test_no_later_leads_still_writes_the_rules(built, tmp_path, monkeypatch):
    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    proc = run_cli(
        "calibrate", "--model", "core", "--train-until", "2026-12-31", "--outcome-days", str(OUTCOME_DAYS),
        "--out", str(tmp_path),
    )  # fmt: skip
    assert "nothing to test on" in proc.stdout
    report = json.loads((tmp_path / "calibration-core-v3.json").read_text())
    assert report["evaluation"] is None and report["leads"]["test"] == 0 and report["rules"]
    assert len(_read_csv(tmp_path / "fit_rules.csv")) > 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--model", "core", "--train-until", "2025-01-01"], 1, "no lead created on or before"),
        (["--model", "a b", "--train-until", "2026-04-01"], 1, "a model id is"),
        (
            ["--model", "core", "--train-until", "2026-04-01", "--mql-share", "1.5"],
            2,
            "share between 0 and 1",
        ),
        (["--model", "core", "--train-until", "April"], 2, "not a date"),
        (["--model", "core", "--train-until", "2026-04-01", "--max-rules", "0"], 2, "positive"),
    ],
)
def test_bad_input_is_said_plainly(built, tmp_path, monkeypatch, args, code, message):
    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    proc = run_cli("calibrate", *args, "--out", str(tmp_path), check=False)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_no_warehouse_is_said_plainly(home, tmp_path):
    proc = run_cli("calibrate", "--model", "core", *ARGS, "--out", str(tmp_path), check=False)
    assert proc.returncode == 1 and "no warehouse at" in proc.stderr and "Traceback" not in proc.stderr


def test_the_html_report_shows_the_latest_calibration(built, tmp_path, monkeypatch):
    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    run_cli("calibrate", "--model", "core", *ARGS, "--max-rules", "5", "--out", str(tmp_path / "seeds"))
    report = json.loads((tmp_path / "seeds" / "calibration-core-v3.json").read_text())
    run_cli("report", "--out", str(tmp_path / "report.html"))
    page = (tmp_path / "report.html").read_text()
    section = page[page.index('<section id="calibration">') :]
    section = section[: section.index("</section>")]
    for name in ("candidate v3", "active v1", "regression"):
        assert f'<td class="">{name}</td>' in section
    for rule in report["rules"]:
        assert rule["description"].replace("&", "&amp;") in section
    assert f"{report['evaluation']['candidate']['auc']:.3f}" in section
    # conversion by band, the candidate's and the active version's bands side by side
    bands = section.split("Conversion by band", 1)[1].split("</table>", 1)[0]
    assert "<th>candidate v3</th><th>active v1</th>" in bands
    for b in report["evaluation"]["candidate"]["bands"] + report["evaluation"]["active"]["bands"]:
        assert f'<td class="">{b["band"]}</td>' in bands
        assert f"(n = {b['leads']:,})" in bands or not b["leads"]  # an empty band shows "–"


def test_demo_calibrates_core_into_its_home_not_the_checkout(built, monkeypatch, capsys):
    from support import PROJECT_DIR

    from orchestration import cli

    home, _ = built
    monkeypatch.setenv("LEADSCORE_HOME", str(home))
    seeds_before = {p.name: p.read_bytes() for p in (PROJECT_DIR / "seeds").glob("*")}
    cli._demo_calibration()
    out = capsys.readouterr().out
    assert "candidate v3" in out and "active v1" in out
    written = _read_csv(home / "calibration" / "seeds" / "scoring_models.csv")
    assert written[1][:3] == ["core", "3", "false"]
    assert {p.name: p.read_bytes() for p in (PROJECT_DIR / "seeds").glob("*")} == seeds_before
    page = (home / "serving" / "report.html").read_text()
    assert "core version 3" in page[page.index('<section id="calibration">') :]
