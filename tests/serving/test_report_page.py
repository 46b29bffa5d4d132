"""The report page drawn from a small hand-made DuckDB file (real marts' columns, a few
rows): the charts' marks (threshold, cap, partial week, lift baseline), rates with their
n, n/a costs and return without spend, the call-now list, weekly conversion by band, the
page head, and the CSV behind each download link."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import urllib.parse

import duckdb
import pytest

from orchestration.serving.marts import read_marts
from orchestration.serving.report import render

# 7 leads of model core: 2 held at the cap of 100, 1 at 99.5 (in the 90–100 bin, not
# capped), 3 at or above the threshold of 50 besides the capped ones.
SCORES = [5.0, 12.0, 48.0, 50.0, 61.0, 99.5, 100.0, 100.0]


def _warehouse(path, last_day: dt.date, published: str | None = None) -> None:
    con = duckdb.connect(str(path))
    schema = "main" if published else "marts"
    con.execute(f"create schema if not exists {schema}")
    con.execute("create schema rules")
    con.execute(
        "create table rules.scoring_models as select * from (values "
        "('core', 1, true, 0, 100), ('core', 2, false, 0, 80)) "
        "as t(model_id, model_version, is_active, min_score, max_score)"
    )
    values = ", ".join(
        f"('core', 1, date '{last_day}', {s}::decimal(18,2), 'cold', 50::decimal(18,2))" for s in SCORES
    )
    con.execute(
        f"create table {schema}.lead_scores as select * from (values {values}) "
        "as t(model_id, model_version, score_date, total_score, band, mql_threshold)"
    )
    # three weeks of MQLs: 2, 1 and 3, the last week ending at last_day
    days = [last_day - dt.timedelta(days=d) for d in (15, 14, 8, 1, 0, 0)]
    values = ", ".join(f"('core', 1, date '{d}', 'up', true)" for d in days)
    con.execute(
        f"create table {schema}.mql_events as select * from (values {values}) "
        "as t(model_id, model_version, event_date, direction, is_active_version)"
    )
    con.execute(
        f"""
        create table {schema}.channel_costs as select * from (values
            ('paid_ad', date '2026-05-01', 1200.0, 40, 8, 2, 3000.0),
            ('paid_ad', date '2026-06-01', null, 10, 1, 1, 500.0),
            ('referral', date '2026-05-01', null, 12, 3, 1, 800.0)
        ) as t(channel, month, spend, leads, mqls, customers, revenue)
        """
    )
    # the call-now list: a new MQL whose crossing late data revealed, then two movers
    crossed = last_day - dt.timedelta(days=2)
    con.execute(
        f"""
        create table {schema}.call_now as select * from (values
            ('core', 1, date '{last_day}', 'c-204', 'k-7', 'mover', 3, null::date,
             48.00::decimal(18,2), 20.00::decimal(18,2), 'warm', 'B2', 'evaluation',
             'Visited the pricing page (2 events from 2026-06-20 to 2026-06-24) (+15.00)', null, null),
            ('core', 1, date '{last_day}', 'c-101', 'k-3', 'new_mql', 1, date '{crossed}',
             61.00::decimal(18,2), 30.50::decimal(18,2), 'hot', 'A1', 'decision',
             'Requested a demo (1 event on 2026-06-23) (+25.00)', 'Role is CTO (cto) (+15.00)',
             'Competitor email domain (-10.00)'),
            ('core', 1, date '{last_day}', 'c-150', null, 'mover', 2, null::date,
             40.00::decimal(18,2), 22.00::decimal(18,2), 'warm', 'C2', null, null, null, null)
        ) as t(model_id, model_version, score_date, contact_id, company_id, reason_kind,
               list_rank, mql_crossing_date, total_score, score_change_7d, band, priority,
               buying_stage, reason_1, reason_2, reason_3)
        """
    )
    # weekly conversion: three cohort weeks, the last one partial (last_day a Thursday)
    monday = last_day - dt.timedelta(days=last_day.weekday())
    weeks = [monday - dt.timedelta(days=14), monday - dt.timedelta(days=7), monday]
    values = ", ".join(
        f"('core', 1, true, '{band}', {rank}, date '{w}', date '{last_day}', {leads}, {customers}, "
        f"{customers / leads}, {100.0 * customers}, {str(w == monday).lower()}, {str(i > 0).lower()})"
        for i, w in enumerate(weeks)
        for band, rank, leads, customers in (("cold", 1, 10, 1), ("hot", 3, 4, 2 - (i == 2)))
    )
    con.execute(
        f"create table {schema}.band_conversion_weekly as select * from (values {values}) "
        "as t(model_id, model_version, is_active_version, band, band_rank, cohort_week, score_date, "
        "leads, customers, conversion_rate, revenue, is_partial_week, is_immature)"
    )
    con.execute(
        f"""
        create table {schema}.attribute_lift as select * from (values
            ('role', 'cto', 40, 8, 0.2, 2.5, 1.4, 3.9, false, 15.0, 0.08, 16, 200),
            ('role', 'intern', 30, 0, 0.0, 0.0, 0.0, 0.9, false, -10.0, 0.08, 16, 200),
            ('country', 'fr', 3, 1, 0.33, 4.1, 0.8, 9.0, true, 31.0, 0.08, 16, 200)
        ) as t(attribute, attribute_value, leads, customers, close_rate, lift, lift_lower,
               lift_upper, is_small_sample, suggested_points, overall_close_rate,
               overall_customers, overall_leads)
        """
    )
    if published:
        con.execute("create schema leadscore_publish")
        con.execute(f"create table leadscore_publish.published as select '{published}' as version")
    con.close()


def _downloads(html: str) -> dict[str, list[list[str]]]:
    """Each CSV download link's file name and its rows, decoded from the data: URI."""
    out = {}
    for name, uri in re.findall(r'<a class="csv" download="([^"]+)" href="([^"]+)"', html):
        prefix = "data:text/csv;charset=utf-8,"
        assert uri.startswith(prefix), uri[:40]
        out[name] = list(csv.reader(io.StringIO(urllib.parse.unquote(uri[len(prefix) :]))))
    return out


@pytest.fixture
def page(tmp_path, monkeypatch):
    # a home of its own: the report also shows calibration reports found under the home
    monkeypatch.setenv("LEADSCORE_HOME", str(tmp_path / "home"))
    path = tmp_path / "warehouse.duckdb"
    # a Thursday: the last week (Monday to Thursday) holds 4 of its 7 days
    _warehouse(path, dt.date(2026, 6, 25))
    return render(read_marts(path), now=dt.datetime(2026, 6, 26, 6, 30, tzinfo=dt.UTC))


def test_distribution_marks_the_threshold_and_the_capped_leads(page):
    section = page.split('<section id="distribution">', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and "xmlns" not in section
    assert "8 leads; 5 at or above the MQL threshold of 50 points; 2 held at the cap of 100 points" in section
    assert "MQL threshold 50" in section and "held at the cap of 100" in section
    # the capped leads have a bar of their own, starting at the cap; 99.5 stays in 90–100
    assert "total score (points; bins of 10): 100; leads (count): 2" in section
    assert "total score (points; bins of 10): 90; leads (count): 1" in section
    # axes carry titles with units
    assert "X-axis titled 'total score (points; bins of 10)'" in section
    assert "Y-axis titled 'leads (count)'" in section


def test_last_week_is_flagged_only_when_partial(page, tmp_path):
    section = page.split('<section id="mqls">', 1)[1].split("</section>", 1)[0]
    assert "partial week: 4 of 7 days" in section and "to 2026-06-25" in section
    assert "Y-axis titled 'new MQLs (leads per week)'" in section
    # data ending on a Sunday: the last week is whole, nothing flagged
    path = tmp_path / "sunday.duckdb"
    _warehouse(path, dt.date(2026, 6, 28))
    whole = render(read_marts(path)).split('<section id="mqls">', 1)[1].split("</section>", 1)[0]
    assert "partial week" not in whole and "<svg" in whole


def test_channel_return_shows_revenue_and_na_without_spend(page):
    section = page.split('<section id="channels">', 1)[1].split("</section>", 1)[0]
    assert "<h2>Channel return</h2>" in section and "reporting currency" in section
    rows = {r[0]: r for r in _downloads(page)["channels.csv"][1:]}
    # paid_ad: only the month with spend counts (40 leads, 8 MQLs, 2 customers, 3000 won):
    # 3000 / 2 customers per customer, 3000 / 1200 spent back
    assert rows["paid_ad"] == [
        "paid_ad", "1200", "40", "8", "2", "3000", "30.00", "150.00", "600.00", "1500.00", "2.50"
    ]  # fmt: skip
    # referral: no spend, so no cost and no return; its revenue and revenue per customer show
    assert rows["referral"] == [
        "referral",
        "n/a",
        "12",
        "3",
        "1",
        "800",
        "n/a",
        "n/a",
        "n/a",
        "800.00",
        "n/a",
    ]
    assert "0.00" not in "".join(rows["referral"][6:9])


def test_call_now_comes_first_new_mqls_then_movers_with_reasons(page):
    sections = re.findall(r'<section id="([^"]+)">', page)
    assert sections[0] == "call-now"
    assert page.index('<span id="run-status">') < page.index('<section id="call-now">')
    section = page.split('<section id="call-now">', 1)[1].split("</section>", 1)[0]
    assert "<h3>core v1 <small>(as of 2026-06-25: 1 new MQL, 2 movers)</small></h3>" in section
    rows = _downloads(page)["call-now.csv"]
    assert rows[0][:6] == [
        "#",
        "contact",
        "company",
        "why now",
        "total score (points)",
        "change over 7 days (points)",
    ]
    assert rows[0][-3:] == ["reason 1", "reason 2", "reason 3"]
    # in list order (the mart's list_rank, not the file's order): the new MQL, then movers
    assert [r[:4] for r in rows[1:]] == [
        ["1", "c-101", "k-3", "new MQL (crossed on 2026-06-23, found late)"],
        ["2", "c-150", "", "score mover"],
        ["3", "c-204", "k-7", "score mover"],
    ]
    assert rows[1][4:] == [
        "61.00", "+30.50", "hot", "A1", "decision", "Requested a demo (1 event on 2026-06-23) (+25.00)",
        "Role is CTO (cto) (+15.00)", "Competitor email domain (-10.00)",
    ]  # fmt: skip
    assert rows[2][8] == "none" and rows[2][9:] == ["", "", ""]
    assert "@" not in section


def test_weekly_conversion_by_band_flags_the_partial_week_with_n(page):
    section = page.split('<section id="weekly">', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and "partial week: 4 of 7 days" in section
    assert "Y-axis titled 'conversion (customers / leads, %)'" in section
    assert "X-axis titled 'cohort week (Monday the leads were created); immature from 2026-06-15'" in section
    # one line per band, in the bands' colours
    assert "#dc2626" in section and "#60a5fa" in section
    rows = _downloads(page)["weekly.csv"]
    assert rows[0] == [
        "cohort week", "flag", "cold: conversion", "hot: conversion", "leads", "customers", "conversion",
        "revenue (reporting currency)",
    ]  # fmt: skip
    assert rows[1] == [
        "2026-06-08",
        "",
        "10.0 % (n = 10)",
        "50.0 % (n = 4)",
        "14",
        "3",
        "21.4 % (n = 14)",
        "300",
    ]
    assert rows[2][:2] == ["2026-06-15", "immature"]
    assert rows[3][:4] == [
        "2026-06-22",
        "partial (4 of 7 days), immature",
        "10.0 % (n = 10)",
        "25.0 % (n = 4)",
    ]


def test_every_section_shows_something_without_its_mart(tmp_path, monkeypatch):
    """A copy with scores only (an older copy, a young warehouse): each section says what
    it lacks, so every section of the page has visible text."""
    from orchestration.serving.report import SECTIONS

    monkeypatch.setenv("LEADSCORE_HOME", str(tmp_path / "home"))
    path = tmp_path / "scores-only.duckdb"
    _warehouse(path, dt.date(2026, 6, 25))
    con = duckdb.connect(str(path))
    for t in ("mql_events", "channel_costs", "attribute_lift", "call_now", "band_conversion_weekly"):
        con.execute(f"drop table marts.{t}")
    con.close()
    html = render(read_marts(path))
    for key, title, _ in SECTIONS:
        body = html.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
        text = re.sub(r"<[^>]+>", "", body).replace(title, "", 1).strip()
        assert text, key
    assert "No data yet for the call-now list" in html and "No data yet for weekly conversion by band" in html
    calibration = html.split('<section id="calibration">', 1)[1].split("</section>", 1)[0]
    assert "leadscore calibrate --model MODEL --train-until YYYY-MM-DD" in calibration


def test_calibration_puts_the_candidate_beside_the_active_version():
    from orchestration.calibrate.html import section

    def figures(leads, won, auc, top, bottom, share, band_conv):
        return {
            "leads": leads, "conversions": won, "auc": auc, "top_decile_conversion": top,
            "bottom_decile_conversion": bottom, "top_band_share_of_leads": share,
            "top_band_share_of_conversions": 0.5, "top_band_conversion": band_conv,
        }  # fmt: skip

    report = {
        "model_id": "core", "model_version": 3, "is_new_model": False, "active_version": 1,
        "generated_at": "2026-06-26T06:30:00+00:00", "seeds": {"folder": "seeds"},
        "options": {"train_until": "2026-04-30", "outcome_days": 60},
        "leads": {"train": 400, "train_won": 40, "test": 200, "test_won": 20},
        "levels": {"mql_threshold": 50, "train_share_mql": 0.2},
        "evaluation": {
            "candidate": figures(200, 20, 0.81, 0.4, 0.0, 0.2, 0.25),
            "active": figures(180, 18, 0.7, 0.2, 0.05, 0.1, 0.3),
            "regression": figures(200, 20, 0.83, 0.45, 0.0, 0.2, 0.26),
        },
        "rules": [],
    }  # fmt: skip
    html = section(report)
    cells = (re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", html))
    rows = {r[0]: r for r in cells if r}
    # leads, won, AUC, top-decile lift (top tenth's conversion / overall), top band converts
    assert rows["candidate v3"][1:5] == ["200", "20", "0.810", "4.00"]
    assert rows["active v1"][1:5] == ["180", "18", "0.700", "2.00"]
    assert rows["active v1"][7] == '30.0 % <small class="n">(n = 18)</small>'
    assert "regression" in rows
    assert "Conversion by band" not in html  # no band figures in this report


def test_calibration_compares_conversion_by_band():
    """evaluate.figures counts each band's leads and wins (a band from its min_score to the
    next band's); the section puts the candidate's and the active version's side by side."""
    import numpy as np

    from orchestration.calibrate.evaluate import figures
    from orchestration.calibrate.html import section

    y = np.array([0, 0, 1, 0, 1, 1, 0, 1])
    candidate = figures(
        y, np.array([5, 10, 20, 30, 49.9, 50, 70, 90]), 50, [("cold", 0), ("warm", 20), ("hot", 50)]
    )
    # the candidate's bands: cold 5, 10 (0 of 2); warm 20, 30, 49.9 (2 of 3); hot 50, 70, 90 (2 of 3)
    assert [(b["band"], b["leads"], b["conversions"]) for b in candidate["bands"]] == [
        ("cold", 2, 0), ("warm", 3, 2), ("hot", 3, 2),
    ]  # fmt: skip
    active = figures(y, np.array([1, 2, 3, 4, 5, 6, 7, 80]), 60, [("cold", 0), ("hot", 60)])
    report = {
        "model_id": "core", "model_version": 3, "is_new_model": False, "active_version": 1,
        "generated_at": "2026-06-26T06:30:00+00:00", "seeds": {"folder": "seeds"},
        "options": {"train_until": "2026-04-30", "outcome_days": 60},
        "leads": {"train": 400, "train_won": 40, "test": 8, "test_won": 4},
        "levels": {"mql_threshold": 50, "train_share_mql": 0.2},
        "evaluation": {"candidate": candidate, "active": active, "regression": figures(y, y * 1.0, 0.5)},
        "rules": [],
    }  # fmt: skip
    html = section(report).split("Conversion by band", 1)[1]
    cells = (re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", html))
    rows = [r for r in cells if r][:4]
    n = '<small class="n">(n = {})</small>'
    assert rows == [
        ["band", "candidate v3", "active v1"],
        ["hot", f"66.7 % {n.format(3)}", f"100.0 % {n.format(1)}"],
        ["warm", f"66.7 % {n.format(3)}", "–"],
        ["cold", f"0.0 % {n.format(2)}", f"42.9 % {n.format(7)}"],
    ]


def test_page_head_has_run_date_data_range_and_run_status(page, tmp_path):
    assert '<span id="run-date">Report run 2026-06-26 06:30 UTC</span>' in page
    # data: first MQL day to the scoring day
    assert '<span id="data-range">Data: 2026-06-10 to 2026-06-25</span>' in page
    assert "not recorded in this file" in page

    path = tmp_path / "serving.duckdb"
    _warehouse(path, dt.date(2026, 6, 25), published="20260626T063000-abc123")
    served = render(read_marts(path))
    assert "serving copy 20260626T063000-abc123, published by a run whose blocking checks passed" in served


def test_every_table_downloads_as_csv_without_any_url(page):
    downloads = _downloads(page)
    assert set(downloads) == {"call-now.csv", "weekly.csv", "attributes.csv", "channels.csv"}
    assert len(re.findall(r"<table[ >]", page)) == len(downloads)
    header = downloads["channels.csv"][0]
    assert header == [
        "channel",
        "spend (reporting currency)",
        "leads",
        "MQLs",
        "customers",
        "revenue (reporting currency)",
        "cost per lead",
        "cost per MQL",
        "cost per customer",
        "revenue per customer",
        "return on spend (revenue / spend)",
    ]
    assert not re.search(r"(https?:)?//[a-z0-9]", page, re.I)
    assert "<script" not in page


def test_serving_copy_takes_the_cap_from_the_warehouse(tmp_path):
    served = tmp_path / "serving.duckdb"
    _warehouse(served, dt.date(2026, 6, 25), published="v1")
    con = duckdb.connect(str(served))
    con.execute("drop table rules.scoring_models")  # as published: no seeds in the copy
    con.close()
    alone = render(read_marts(served))
    assert "the score cap is not known to this file" in alone and "held at the cap" not in alone

    warehouse = tmp_path / "warehouse.duckdb"
    _warehouse(warehouse, dt.date(2026, 6, 25))
    both = render(read_marts(served, rules_from=warehouse))
    assert "2 held at the cap of 100 points" in both


def test_attribute_lift_chart_with_interval_baseline_and_n(page):
    section = page.split('<section id="attributes">', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and "1.0 = overall close rate" in section
    # small samples left out of chart and table, the others ranked by lift
    assert "country = fr" not in section
    assert section.index("role = cto") < section.index("role = intern")
    assert "n = 40" in section and "n = 30" in section
    rows = _downloads(page)["attributes.csv"]
    assert [r[:2] for r in rows[1:]] == [["role", "cto"], ["role", "intern"]]
    assert rows[1][4] == "20.0 % (n = 40)"
