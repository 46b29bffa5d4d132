"""`leadscore calibrate`, start to end: read the warehouse (holding the run lock, so a run
waits rather than fails), fit, write the candidate's seeds and the report."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.calibrate import candidates as cand
from orchestration.calibrate import extract, points, seeds, version
from orchestration.calibrate.evaluate import figures
from orchestration.calibrate.fit import fit
from orchestration.calibrate.leads import select_leads
from orchestration.calibrate.options import CalibrateError, Options, WarehouseBusyError
from orchestration.calibrate.report import as_text, write_json
from orchestration.calibrate.warehouse import attached, engagement_filters, model_info
from orchestration.runtime import config

MIN_CLASS = 5


@dataclass
class Outcome:
    report: dict
    text: str
    seed_files: list[Path]
    json_files: list[Path]
    # per lead: contact_id, created_date, as_of, label, is_train, active_score, and the
    # candidate's total (score) and the regression's probability on the as-of day
    leads: pd.DataFrame
    # the candidate features and their 0/1 matrix (a row per lead above)
    features: list = field(default_factory=list)
    matrix: object = None


def _nothing(_: str) -> None:
    pass


def calibrate(
    options: Options, warehouse: Path | None = None, progress: Callable[[str], None] = _nothing
) -> Outcome:
    from orchestration.runtime.run_lock import RunLockedError, hold

    options.check()
    if not Path(warehouse or config.warehouse_path()).exists():
        raise CalibrateError(
            f"no warehouse at {warehouse or config.warehouse_path()}: land files and run "
            "`leadscore ingest` and `leadscore build` (or `leadscore run`) first"
        )
    started = time.monotonic()
    out = Path(options.out) if options.out else seeds.project_seeds()
    try:
        with hold(what="leadscore calibrate (reading the warehouse)", progress=progress):
            data = _read(options, warehouse, progress)
    except RunLockedError as e:
        raise WarehouseBusyError(str(e)) from None
    progress(f"read in {time.monotonic() - started:.0f}s; fitting")
    return _fit_and_write(options, data, out, started, progress)


def default_train_until(outcome_days: int, share: float = 0.7, warehouse: Path | None = None) -> dt.date:
    """The creation day that puts `share` of the leads with a closed outcome window (and
    created since the first event) in training: what `leadscore demo` calibrates with."""
    from orchestration.calibrate.leads import data_span

    with attached(warehouse) as con:
        span = data_span(con)
        rows = con.execute(
            "select created_date from wh.intermediate.int_lead_outcomes where created_date >= coalesce(?, "
            "created_date) and created_date + cast(? as integer) <= ? order by created_date",
            [span.first_event, outcome_days, span.last_day],
        ).fetchall()
    if len(rows) < 20:
        raise CalibrateError(
            f"too few leads ({len(rows)}) have a closed {outcome_days}-day outcome window to calibrate on"
        )
    return rows[int(share * (len(rows) - 1))][0]


def _read(options: Options, warehouse: Path | None, progress) -> dict:
    with attached(warehouse) as con:
        model = model_info(con, options.model_id)
        _check_seeds(model)
        leadset = select_leads(con, options, model)
        frame = leadset.frame
        train = frame["is_train"].to_numpy()
        y = frame["label"].to_numpy()
        n_pos, n_neg = int(y[train].sum()), int((1 - y[train]).sum())
        left = "; ".join(f"{n:,} {why}" for why, n in leadset.left_out.items())
        left = f" (left out: {left})" if left else ""
        if n_pos == 0:
            raise CalibrateError(
                f"no wins among the {n_neg} training leads (created up to {options.train_until}, "
                f"windows of {options.outcome_days} days closed){left}: calibrate fits points from won "
                "opportunities; land opportunities with is_won (or stage closed_won) and closed_at"
            )
        if n_pos < MIN_CLASS or n_neg < MIN_CLASS:
            raise CalibrateError(
                f"too few training leads to fit: {n_pos} won and {n_neg} not (at least {MIN_CLASS} "
                f"of each){left}; choose a later --train-until or a longer history"
            )
        progress(f"{len(frame)} leads ({int(train.sum())} training); reading their features")
        extract.load_leads(con, frame)
        fields = extract.fields(con)
        n_events = extract.load_events(con, options.window)
        train_idx = np.flatnonzero(train)
        if n_events:
            types = extract.event_types(con, train_idx)
            props = extract.numeric_properties(con)
        else:
            types = props = None
        sources = (
            cand.event_sources(types, props, engagement_filters(con), int(train.sum()), extract.usable)
            if n_events
            else []
        )
        measured = extract.measures(con, sources, len(frame))
    return {
        "model": model,
        "leads": leadset,
        "fields": fields,
        "sources": sources,
        "measured": measured,
        "events": n_events,
    }


def _check_seeds(model) -> None:
    in_seeds = seeds.versions_in(seeds.project_seeds(), model.model_id)
    if model.is_new and in_seeds:
        raise CalibrateError(
            f"the seeds hold model {model.model_id} (versions {in_seeds}) but the warehouse has not "
            "built it: run `leadscore build` first"
        )


def _fit_and_write(options: Options, data: dict, out: Path, started: float, progress) -> Outcome:
    model, leadset = data["model"], data["leads"]
    frame = leadset.frame
    n = len(frame)
    train = frame["is_train"].to_numpy()
    y = frame["label"].to_numpy().astype(int)
    features = cand.field_candidates(data["fields"], train, int(train.sum()))
    features += cand.aggregate_candidates(data["sources"], data["measured"], train, options.window)
    source_index = {s: i for i, s in enumerate(data["sources"])}
    features, X = cand.matrix(features, data["fields"], data["measured"], source_index, n, train)
    groups = [f.columns for f in features]
    train_idx = np.flatnonzero(train)
    progress(f"fitting {len(features)} candidate rules ({X.shape[1]} columns) on {len(train_idx)} leads")
    created = frame["created_date"].to_numpy()[train_idx]
    order = np.argsort(created, kind="stable")
    result = fit(
        X[train_idx], y[train_idx], order, groups, options.max_rules, options.bootstrap, options.seed
    )
    rules, weights = points.make_rules(features, result.coef, result.boot_coefs)
    if not rules:
        raise CalibrateError("every fitted weight is worth less than one point: no rule to write")
    comp = points.component_weights(rules, X.shape[1])
    totals = points.scores(X, weights)
    parts = {c: points.scores(X, w) for c, w in comp.items()}
    train_scores = {
        "total": totals[train],
        "fit": parts["fit"][train],
        "engagement": parts["engagement"][train],
    }
    levels = points.levels(rules, train_scores, options.mql_share)

    version_no = 1 + max([0, *model.versions, *seeds.versions_in(seeds.project_seeds(), options.model_id)])
    description = (
        f"Fitted by leadscore calibrate on {int(train.sum())} leads created up to {options.train_until} "
        f"({int(y[train].sum())} won within {options.outcome_days} days); +10 points = twice the odds."
    )
    rows = version.rows(options, model, version_no, rules, levels, description)

    test = ~train
    yt = y[test]
    probability = 1 / (1 + np.exp(-np.asarray(result.decision(X))))
    train_prob_cut = float(np.quantile(probability[train], 1 - options.mql_share))
    evaluation = None
    if test.any():
        evaluation = {
            "candidate": figures(yt, totals[test], levels.mql_threshold, levels.bands),
            "regression": figures(yt, probability[test], train_prob_cut),
        }
        if not model.is_new:
            active = frame["active_score"].to_numpy()[test]
            have = ~np.isnan(active)
            evaluation["active"] = figures(yt[have], active[have], model.top_band_min, model.bands)
            evaluation["active"]["leads_without_score"] = int((~have).sum())

    report = {
        "model_id": options.model_id,
        "model_version": version_no,
        "is_new_model": model.is_new,
        "active_version": model.active_version,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "options": {
            "train_until": options.train_until.isoformat(),
            "outcome_days": options.outcome_days,
            "mql_share": options.mql_share,
            "max_rules": options.max_rules,
            "window_days": options.window,
        },
        "data": {
            "first_event": leadset.span.first_event.isoformat() if leadset.span.first_event else None,
            "last_day": leadset.span.last_day.isoformat(),
            "events_read": int(data["events"]),
        },
        "leads": {
            "train": int(train.sum()),
            "train_won": int(y[train].sum()),
            "test": int(test.sum()),
            "test_won": int(yt.sum()),
            "left_out": leadset.left_out,
            "notes": leadset.notes,
            "comparable_age_days": leadset.comparable_age,
        },
        "fit": {
            "candidate_rules": len(features),
            "candidate_columns": int(X.shape[1]),
            "rules": len(rules),
            "c_l1": result.c_l1,
            "c_l2": result.c_l2,
            "validation_leads": result.validation_leads,
            "validation_auc": result.validation_auc,
            "bootstrap_rounds": 0 if result.boot_coefs is None else len(result.boot_coefs),
            "note": result.note,
            "path": result.path,
            "train_auc_points": figures(y[train], totals[train], levels.mql_threshold)["auc"],
        },
        "levels": {
            "mql_threshold": levels.mql_threshold,
            "min_score": levels.min_score,
            "max_score": levels.max_score,
            "bands": [{"band": b, "min_score": s} for b, s in levels.bands],
            "grades": {d: [{"grade": g, "min_points": p} for g, p in v] for d, v in levels.grades.items()},
            "train_share_mql": float((totals[train] >= levels.mql_threshold).mean()),
        },
        "evaluation": evaluation,
        "rules": [
            _rule_json(r, X[train_idx])
            for r in sorted(rules, key=lambda r: -max(abs(b.points) for b in r.bins))
        ],
    }
    seed_files = seeds.write(rows, out, options.model_id, version_no)
    report["seeds"] = {"folder": str(out), "files": [p.name for p in seed_files]}
    report["seconds"] = round(time.monotonic() - started, 1)
    json_files = write_json(report, out)
    leads = frame.assign(score=totals, probability=probability)
    return Outcome(report, as_text(report), seed_files, json_files, leads, features, X)


def _rule_json(r: points.Rule, X_train) -> dict:
    """A rule for the report; support = training leads it gives points to."""
    f = r.feature
    given = np.asarray(X_train[:, f.columns] @ np.array(r.step_points, dtype=float)).ravel() != 0
    return {
        "rule_id": r.rule_id,
        "kind": "fit" if f.kind != "aggregate" else "aggregate",
        "description": f.label,
        "component": r.component,
        "support": int(given.sum()),
        "bins": [
            {
                "min": b.low_text,
                "max": b.high_text,
                "points": b.points,
                "interval": list(b.interval) if b.interval else None,
            }
            for b in r.bins
        ],
    }
