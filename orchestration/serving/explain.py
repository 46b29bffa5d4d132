"""`leadscore explain`: why a lead has its score, read from the serving copy.

Reads `serving/leadscore.duckdb` read-only (never the warehouse), so it answers while a
run holds the warehouse. Per active model version (or the one `--model` names): the
lead's total, band, grades, priority and buying stage from `lead_scores`, then each rule
of `score_contributions` with its points (the `_bounds` line shows a total held inside
the model's bounds, so the lines add up to the total) and, for an engagement rule, the
events of `score_evidence` behind them.

As of a past day (`--date`): the score, band, grades and priority come from
`lead_score_history`; rules and events are published for the latest score date only, so
the explanation says so and lists none.

`explain` returns the document `--json` prints; `render` the text for people.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

# Columns of lead_scores printed when the serving copy has them (the buying stage came
# with issue 18; a copy published before it lacks them).
STAGE_COLUMNS = ("buying_stage", "stage_entered_on")
SCORE_COLUMNS = (
    "model_id",
    "model_version",
    "score_date",
    "total_score",
    "fit_score",
    "engagement_score",
    "negative_score",
    "band",
    "fit_grade",
    "engagement_grade",
    "priority",
    "is_mql",
)
# Rules print fit first, then what the lead did, then what holds the total in bounds.
COMPONENT_ORDER = {"fit": 0, "engagement": 1, "negative": 2, "bounds": 3}


class ExplainError(Exception):
    """Nothing to explain: a message for people and the exit code to end with."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _columns(con, table: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = current_database() and table_schema = 'main' and table_name = ?",
            [table],
        ).fetchall()
    }


def _plain(value):
    """A JSON value: decimals as numbers, days as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def explain(source: Path, contact_id: str, on: dt.date | None = None, model: str | None = None) -> dict:
    """The explanation of one lead as a JSON-ready document (see docs/operations.md).

    Raises ExplainError: no serving copy (1), unknown model (2), a day after the latest
    score date (2), a contact the copy does not score (1).
    """
    import duckdb

    if not Path(source).exists():
        raise ExplainError(
            f"no serving copy at {source}: run `leadscore run` (or `leadscore demo`) to publish one"
        )
    con = duckdb.connect(str(source), read_only=True)
    try:
        return _explain(con, source, contact_id, on, model)
    finally:
        con.close()


def _explain(con, source: Path, contact_id: str, on: dt.date | None, model: str | None) -> dict:
    score_cols = _columns(con, "lead_scores")
    if not score_cols:
        raise ExplainError(f"{source} has no lead_scores: nothing is published yet")
    stage_cols = [c for c in STAGE_COLUMNS if c in score_cols]
    models = [r[0] for r in con.execute("select distinct model_id from lead_scores order by 1").fetchall()]
    if model is not None and model not in models:
        raise ExplainError(
            f"unknown model {model!r}: the serving copy scores {', '.join(models) or 'no model'}", code=2
        )
    latest = con.execute("select max(score_date) from lead_scores").fetchall()[0][0]
    if latest is None:
        raise ExplainError(f"{source} scores no lead yet")
    as_of = on or latest
    if as_of > latest:
        raise ExplainError(f"no scores after {latest}, the latest score date of the serving copy", code=2)

    where, params = "contact_id = ?", [contact_id]
    if model is not None:
        where, params = where + " and model_id = ?", [*params, model]
    if as_of == latest:
        cols = ", ".join([*SCORE_COLUMNS, *stage_cols])
        scores = _rows(con, f"select {cols} from lead_scores where {where} order by model_id", params)
    else:
        scores = _history(con, where, params, as_of)
    if not scores:
        raise ExplainError(_not_scored(con, contact_id, model, as_of))

    has_evidence = bool(_columns(con, "score_evidence"))
    out_models = []
    for score in scores:
        entry = {c: _plain(score.get(c)) for c in SCORE_COLUMNS}
        entry["score_date"] = as_of.isoformat()
        for c in STAGE_COLUMNS:
            entry[c] = _plain(score.get(c))
        if as_of == latest:
            entry["rules_available"] = True
            entry["rules"] = _rules(con, contact_id, score, has_evidence)
            entry["note"] = None if has_evidence else "this serving copy has no score_evidence: publish again"
        else:
            entry["rules_available"] = False
            entry["rules"] = []
            entry["note"] = (
                f"rules and events are published for the latest score date only ({latest.isoformat()})"
            )
        out_models.append(entry)
    return {
        "contact_id": contact_id,
        "as_of": as_of.isoformat(),
        "latest_score_date": latest.isoformat(),
        "source": str(source),
        # false while the serving copy predates the buying stage: its fields are then null
        "buying_stage_published": bool(stage_cols),
        "models": out_models,
    }


def _history(con, where: str, params: list, as_of: dt.date) -> list[dict]:
    hist_cols = _columns(con, "lead_score_history")
    if not hist_cols:
        return []
    cols = [c for c in (*SCORE_COLUMNS, *STAGE_COLUMNS) if c in hist_cols]
    rows = _rows(
        con,
        f"select {', '.join(cols)}, is_in_segment from lead_score_history "
        f"where {where} and is_active_version and valid_from <= ? "
        "and (valid_to is null or valid_to > ?) order by model_id",
        [*params, as_of, as_of],
    )
    return [r for r in rows if r["is_in_segment"]]


def _not_scored(con, contact_id: str, model: str | None, as_of: dt.date) -> str:
    known = con.execute(
        "select count(*) from lead_score_history where contact_id = ?", [contact_id]
    ).fetchall()[0][0]
    which = f"model {model}" if model else "any active model"
    if not known:
        return f"unknown contact {contact_id!r}: the serving copy has no score for it under any model"
    return (
        f"contact {contact_id!r} has no score under {which} on {as_of} "
        "(outside the model's segment, or not created yet)"
    )


def _rules(con, contact_id: str, score: dict, has_evidence: bool) -> list[dict]:
    key = [contact_id, score["model_id"], score["model_version"]]
    rules = _rows(
        con,
        "select rule_id, rule_kind, component, description, buying_stage, points, occurrences, "
        "evidence from score_contributions where contact_id = ? and model_id = ? and model_version = ?",
        key,
    )
    events: dict[str, list[dict]] = {}
    if has_evidence:
        for e in _rows(
            con,
            "select rule_id, event_id, event_type, occurred_date, scored_from, counted_points, points "
            "from score_evidence where contact_id = ? and model_id = ? and model_version = ? "
            "order by occurred_date desc, event_id",
            key,
        ):
            rule_id = e.pop("rule_id")
            events.setdefault(rule_id, []).append({k: _plain(v) for k, v in e.items()})
    rules.sort(key=lambda r: (COMPONENT_ORDER.get(r["component"], 9), -r["points"], r["rule_id"]))
    return [{**{k: _plain(v) for k, v in r.items()}, "events": events.get(r["rule_id"], [])} for r in rules]


def _pts(value) -> str:
    return f"{Decimal(str(value)):+.2f}"


def render(doc: dict) -> str:
    """The explanation for people: per model version the score, then one line per rule with
    the events behind it, then the total the lines add up to."""
    lines = [f"contact {doc['contact_id']} as of {doc['as_of']}"]
    for m in doc["models"]:
        lines.append("")
        mql = "MQL" if m["is_mql"] else "not MQL"
        lines.append(
            f"{m['model_id']} v{m['model_version']}: total {Decimal(str(m['total_score'])):.2f}, "
            f"band {m['band']}, fit grade {m['fit_grade']}, engagement level {m['engagement_grade']}, "
            f"priority {m['priority']}, {mql}"
        )
        if doc["buying_stage_published"]:
            since = f" since {m['stage_entered_on']}" if m["stage_entered_on"] else ""
            lines.append(f"  buying stage: {m['buying_stage'] or 'none'}{since}")
        if not m["rules_available"]:
            lines.append(f"  {m['note']}")
            continue
        width = max((len(r["rule_id"]) for r in m["rules"]), default=8)
        for r in m["rules"]:
            said = r["description"] or ""
            if r["evidence"]:
                said += f" ({r['evidence']})"
            lines.append(f"  {r['component']:<10} {r['rule_id']:<{width}} {_pts(r['points']):>8}  {said}")
            for e in r["events"]:
                lines.append(
                    f"  {'':<10} {'':<{width}} {_pts(e['points']):>8}    "
                    f"{e['event_type']} on {e['occurred_date']}"
                )
        lines.append(f"  {'total':<10} {'':<{width}} {Decimal(str(m['total_score'])):>8.2f}")
        if m["note"]:
            lines.append(f"  {m['note']}")
    return "\n".join(lines)
