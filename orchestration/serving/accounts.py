"""The report's account section: the top accounts by account score and the MQAs.

Reads `account_scores` (the score date's account score of each company under the active
versions) and `mqa_events` (the crossings of the MQA threshold), as marts.QUERIES reads
them.
"""

from __future__ import annotations

import datetime as dt

from orchestration.serving.markup import esc, nodata, num, table
from orchestration.serving.marts import Marts

HEADERS = ["company", "account score", "fit", "breadth", "committee", "engaged contacts", "contacts", "MQA"]


def section_accounts(m: Marts, top: int = 10) -> str:
    rows = m.rows("account_scores")
    if not rows:
        return nodata("accounts")
    events = m.rows("mqa_events")
    out = [
        "<p>Account score = company fit + engagement breadth + buying-committee coverage "
        "(seed <code>account_rules</code>); at or above the MQA threshold the account is "
        "marketing-qualified. Active versions, as of the score date.</p>"
    ]
    by_model: dict[tuple[str, int], list[dict]] = {}
    for r in rows:
        by_model.setdefault((r["model_id"], r["model_version"]), []).append(r)
    for (model_id, version), accounts in sorted(by_model.items()):
        mqas = sum(1 for r in accounts if r["is_mqa"])
        ups = [
            e["event_date"]
            for e in events
            if (e["model_id"], e["model_version"]) == (model_id, version) and e["direction"] == "up"
        ]
        last_day = max((r["score_date"] for r in accounts if r.get("score_date")), default=None)
        since = last_day - dt.timedelta(days=30) if last_day else None
        recent = sum(1 for d in ups if since is None or d > since)
        threshold = accounts[0]["mqa_threshold"]
        out.append(
            f"<h3>{esc(model_id)} v{esc(version)}</h3><p>{mqas} of {len(accounts)} accounts are MQA "
            f"(threshold {num(threshold)}); {recent} became MQA in the last 30 days, "
            f"{len(ups)} in all.</p>"
        )
        ranked = sorted(accounts, key=lambda r: (-float(r["account_score"]), str(r["company_id"])))[:top]
        out.append(
            table(
                HEADERS,
                [
                    [
                        esc(r["company_id"]),
                        num(r["account_score"]),
                        num(r["account_fit_score"]),
                        num(r["breadth_score"]),
                        num(r["committee_score"]),
                        num(r["account_engaged_contacts"]),
                        num(r["scored_contacts"]),
                        "yes" if r["is_mqa"] else "no",
                    ]
                    for r in ranked
                ],
            )
        )
    return "".join(out)
