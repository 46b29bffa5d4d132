"""`leadscore report`: one self-contained HTML page, for an empty warehouse and for
generated demo data, and written by the daily run next to the serving copy."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from support import query, run_cli

SECTIONS = [
    "call-now",
    "distribution",
    "bands",
    "weekly",
    "cycle",
    "stages",
    "mqls",
    "accounts",
    "versions",
    "attributes",
    "funnel",
    "channels",
]


class _Tags(HTMLParser):
    """Every tag and attribute of a page, to look for anything fetched from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _assert_self_contained(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    # nothing to download: no URL at all, no script, stylesheet link, image or frame
    assert not re.search(r"(https?:)?//[a-z0-9]", text, re.I), re.search(r"(https?:)?//[a-z0-9]", text, re.I)
    parser = _Tags()
    parser.feed(text)
    names = {t for t, _ in parser.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for tag, attrs in parser.tags:
        assert attrs.get("src") is None, attrs
        # links go to a section of the page, or download a table's CSV held in the link
        href = attrs.get("href")
        assert (
            href is None
            or href.startswith("#")
            or (tag == "a" and href.startswith("data:text/csv;charset=utf-8,") and attrs.get("download"))
        ), attrs


def test_report_for_an_empty_warehouse(home):
    # no warehouse file at all
    proc = run_cli("report")
    out = home / "serving" / "report.html"
    assert f"report: {out}" in proc.stdout
    text = out.read_text()
    _assert_self_contained(text)
    assert 'id="no-data"' in text and "No data yet" in text

    # a warehouse file with no tables: same message, and the file is only read
    import duckdb

    db = home / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    before = db.stat().st_mtime_ns
    other = home / "elsewhere" / "r.html"
    run_cli("report", "--out", str(other), "--source", str(db))
    assert "No data yet" in other.read_text()
    assert db.stat().st_mtime_ns == before


def test_report_on_generated_data_and_from_the_daily_run(home):
    # A small demo: 500 contacts over 100 days, scored in one backfill run of the daily
    # job, which publishes the serving copy and writes the report next to it.
    start = dt.date.today() - dt.timedelta(days=101)
    end = start + dt.timedelta(days=99)
    run_cli("generate", "--contacts", "500", "--days", "100", "--start", start.isoformat(), "--seed", "7")
    run_cli("backfill", "--start", start.isoformat(), "--end", end.isoformat(), timeout=1500)
    daily = home / "serving" / "report.html"
    assert daily.exists()

    out = home / "report-copy.html"
    run_cli("report", "--out", str(out))
    for text in (daily.read_text(), out.read_text()):
        _assert_self_contained(text)
        assert "No data yet</h2>" not in text
        for section in SECTIONS:
            assert f'<section id="{section}">' in text, section
        assert text.count("<svg") >= 5
        assert "<th>AUC</th>" in text and "suggested points" in text

    # the figures shown are the marts' figures: each band's conversion of the active core
    # version, summed over cohorts
    served = home / "serving" / "leadscore.duckdb"
    bands = query(
        served,
        "select band, sum(customers), sum(leads) from band_outcomes "
        "where model_id = 'core' and is_active_version group by band",
    )
    assert bands, "band_outcomes is empty on generated data"
    text = out.read_text()
    core = text.split("<h3>core v1</h3>", 1)[1].split("<h3>", 1)[0]
    for band, customers, leads in bands:
        assert f'<td class="">{band}</td>' in core
        assert f"{100 * customers / leads:.1f} %" in core

    # the call-now list is the mart's, in its order, first on the page; each listed lead is
    # a new MQL of the last day or rose over the last 7 days
    listed = query(
        served,
        "select contact_id, reason_kind, score_change_7d from call_now where model_id = 'core' "
        "order by list_rank",
    )
    assert listed, "call_now is empty on generated data"
    assert all(kind == "new_mql" or change > 0 for _, kind, change in listed)
    assert text.index('<section id="call-now">') < text.index('<section id="distribution">')
    call_now = text.split('<section id="call-now">', 1)[1].split("</section>", 1)[0]
    call_now = call_now.split("<h3>core v1 ", 1)[1].split("<h3>", 1)[0]
    places = [call_now.index(f'<td class="">{contact}</td>') for contact, _, _ in listed]
    assert places == sorted(places)
    # weekly conversion: a chart and, per cohort week, the week's leads of the mart
    weekly = text.split('<section id="weekly">', 1)[1].split("</section>", 1)[0]
    assert "<svg" in weekly
    weekly = weekly.split("<h3>core v1 ", 1)[1].split("<h3>", 1)[0]
    for week, leads in query(
        served,
        "select cohort_week, sum(leads) from band_conversion_weekly "
        "where model_id = 'core' and is_active_version group by cohort_week "
        "order by cohort_week desc limit 26",  # the weeks the report shows
    ):
        row = weekly.split(f'<td class="">{week}</td>', 1)[1].split("</tr>", 1)[0]
        assert f"(n = {leads:,})" in row, week
    # channel return: the mart's revenue of a channel without spend is shown beside n/a
    channels = text.split('<section id="channels">', 1)[1].split("</section>", 1)[0]
    assert "return on spend" in channels
    assert Path(served).exists()
