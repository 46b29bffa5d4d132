"""The report's account section, read from a real DuckDB file holding the two marts it
reads (account_scores, mqa_events) with a few hand-made rows."""

from __future__ import annotations

import re

import duckdb

from orchestration.serving.accounts import section_accounts
from orchestration.serving.marts import read_marts


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.account_scores as select * from (values
            ('c-low', 'core', 1, date '2026-06-30', 3, 1, 20.0, 0.0, 5.0, 25.0, 50.0, false),
            ('c-top', 'core', 1, date '2026-06-30', 6, 5, 35.0, 30.0, 25.0, 90.0, 50.0, true),
            ('c-mid', 'core', 1, date '2026-06-30', 2, 2, 30.0, 10.0, 10.0, 50.0, 50.0, true),
            ('c-none', 'core', 1, date '2026-06-30', 1, 0, null, null, null, null, 50.0, false)
        ) as t(company_id, model_id, model_version, score_date, scored_contacts,
               account_engaged_contacts, account_fit_score, breadth_score, committee_score,
               account_score, mqa_threshold, is_mqa)
        """
    )
    con.execute(
        """
        create table marts.mqa_events as select * from (values
            ('c-top', 'core', 1, true, date '2026-06-20', 'up'),
            ('c-mid', 'core', 1, true, date '2026-03-01', 'up'),
            ('c-mid', 'core', 1, true, date '2026-03-09', 'down'),
            ('c-mid', 'core', 1, true, date '2026-04-01', 'up'),
            ('c-old', 'core', 2, false, date '2026-06-25', 'up')
        ) as t(company_id, model_id, model_version, is_active_version, event_date, direction)
        """
    )
    con.close()


def test_accounts_section_ranks_accounts_and_counts_mqas(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    _warehouse(path)
    html = section_accounts(read_marts(path))

    # accounts without an account score are left out; the others ranked by score
    companies = re.findall(r"<tr><td class=\"\">([^<]+)</td>", html)
    assert companies == ["c-top", "c-mid", "c-low"]
    assert "2 of 3 accounts are MQA (threshold 50)" in html
    # up crossings of the active version: one in the 30 days to 2026-06-30, three in all
    # (the inactive version's crossing does not count)
    assert "1 became MQA in the last 30 days, 3 in all" in html


def test_accounts_section_without_accounts(tmp_path):
    assert "No data yet for accounts" in section_accounts(read_marts(tmp_path / "missing.duckdb"))
