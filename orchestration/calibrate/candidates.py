"""The candidate features, found in the training leads' own data, and the 0/1 matrix the
regression fits.

Every candidate is one rule when written, over one or more 0/1 columns:
- `value`: a contact or company field (custom attributes included) equals one of its
  values held by enough training leads (a fit rule `equals`);
- `missing`: the field is missing (`is_missing`);
- `numeric`: a field whose values read as numbers, in steps at its quantiles: one column
  per step, "the value is at least c" (fit rules `at_least`, whose points add up);
- `aggregate`: an event measure (count, sum of a numeric property, active days, days
  since) in bins at its quantiles: one column per bin's lower bound, "the measure is at
  least c", so a lead in bin j has columns 1..j and its points are their sum (one
  aggregate rule with a row per bin).

A value is "enough" when at least `min_support` training leads hold it and at least as
many do not: max(5, 0.5 % of the training leads).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from dataclasses import field as _list_field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from orchestration.calibrate.extract import Source

QUANTILES = (0.2, 0.4, 0.6, 0.8)
MAX_VALUES_PER_FIELD = 30
NUMERIC_SHARE = 0.95  # a field is numeric when this share of its values read as numbers
NUMERIC_DISTINCT = 8  # ... and it has at least this many distinct numbers
PROPERTY_NUMERIC_SHARE = 0.9
# A seed value the CSV loader would read as null, or that CSV and review handle badly.
_UNWRITABLE = re.compile(r"[\x00-\x1f\x7f]")


def min_support(n_train: int) -> int:
    return max(5, math.ceil(0.005 * n_train))


@dataclass
class Feature:
    key: str
    kind: str  # value | missing | numeric | aggregate
    label: str
    field: str | None = None
    value: str | None = None  # value: the text written in the seed
    value_lower: str | None = None
    source: Source | None = None
    cuts: list[float] = _list_field(default_factory=list)  # numeric, aggregate: ascending
    cut_texts: list[str] = _list_field(default_factory=list)
    columns: list[int] = _list_field(default_factory=list)
    support: int = 0  # training leads with any of its columns


def number_text(x: float) -> str:
    """A number as a seed writes it: no exponent, no trailing zeros."""
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def nice(x: float, integer: bool, up: bool = True) -> float:
    """A cut point people read easily: whole numbers for integer data below 1000, else two
    significant digits (rounded up, or down with up=False)."""
    if integer and abs(x) < 1000:
        return float(math.ceil(x) if up else math.floor(x))
    if x == 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(abs(x))) - 1)
    return float((math.ceil(x / step) if up else math.floor(x / step)) * step)


def _steps(values: np.ndarray, first: float | None, integer: bool, support: int) -> list[float]:
    """Ascending cut points over `values` (the training leads' values; NaN = none): the
    first (when given) then the quantiles, each leaving at least `support` leads at or
    above it and `support` in the bin below it."""
    present = values[~np.isnan(values)]
    cuts = [] if first is None else [first]
    positive = present[present >= (first if first is not None else -np.inf)]
    if len(positive):
        for q in np.quantile(positive, QUANTILES):
            c = nice(float(q), integer)
            if (not cuts or c > cuts[-1]) and c > present.min():
                cuts.append(c)
    kept: list[float] = []
    below = -np.inf
    for c in cuts:
        above_n = int((present >= c).sum())
        bin_n = (
            int(((present >= below) & (present < c)).sum())
            if kept
            else int((present < c).sum()) + int(np.isnan(values).sum())
        )
        if above_n >= support and bin_n >= support:
            kept.append(c)
            below = c
    return kept


def _field_name(field_: str) -> str:
    for prefix in ("contact.attributes.", "company.attributes."):
        if field_.startswith(prefix):
            return ("company " if prefix.startswith("company") else "") + field_[len(prefix) :]
    return (
        field_.split(".", 1)[1].replace("_", " ")
        if field_.startswith("contact.")
        else field_.replace(".", " ").replace("_", " ")
    )


def field_candidates(fields: pd.DataFrame, train_mask: np.ndarray, n_train: int) -> list[Feature]:
    """Candidates from the profile fields of the training leads."""
    support = min_support(n_train)
    train_idx = np.flatnonzero(train_mask)
    rows = fields[fields["lead_idx"].isin(train_idx)]
    out: list[Feature] = []
    for name, group in rows.groupby("field", sort=True):
        present = group["lead_idx"].nunique()
        missing = n_train - present
        label = _field_name(name)
        numbers = group["value_number"].to_numpy(dtype=np.float32)
        finite = numbers[~np.isnan(numbers)]
        if len(finite) >= NUMERIC_SHARE * present and len(np.unique(finite)) >= NUMERIC_DISTINCT:
            per_lead = np.full(len(train_mask), np.nan)
            per_lead[group["lead_idx"].to_numpy()] = numbers
            values = per_lead[train_idx]
            integer = bool(np.all(np.mod(finite, 1) == 0))
            present_values = values[~np.isnan(values)]
            cuts = _steps(present_values, None, integer, support)
            # the step texts are what the seed holds; the cut is that text read back
            if cuts:
                texts = [number_text(c) for c in cuts]
                out.append(
                    Feature(
                        key=f"numeric:{name}",
                        kind="numeric",
                        label=label,
                        field=name,
                        cuts=[float(np.float32(float(t))) for t in texts],
                        cut_texts=texts,
                    )
                )
        else:
            lower = group.groupby("value_lower")
            counts = lower["lead_idx"].nunique().sort_values(ascending=False, kind="stable")
            taken = 0
            for value_lower, n in counts.items():
                if taken >= MAX_VALUES_PER_FIELD or n < support:
                    break
                if n_train - n < support:
                    continue
                spelled = lower.get_group(value_lower)["value_text"].value_counts().index[0]
                if not _writable(spelled):
                    continue
                out.append(
                    Feature(
                        key=f"value:{name}:{value_lower}",
                        kind="value",
                        label=f"{label} = {spelled}",
                        field=name,
                        value=spelled,
                        value_lower=value_lower,
                    )
                )
                taken += 1
        if missing >= support and present >= support:
            out.append(Feature(key=f"missing:{name}", kind="missing", label=f"{label} missing", field=name))
    return out


def _writable(text: str) -> bool:
    return (
        bool(text.strip())
        and text.strip().lower() != "null"
        and not _UNWRITABLE.search(text)
        and len(text) <= 200
    )


def event_sources(
    types: pd.DataFrame,
    properties: pd.DataFrame,
    filters: list[tuple],
    n_train: int,
    usable,
) -> list[Source]:
    """The event measures worth binning: any event's active days and recency; each event
    type's count; each engagement rule filter's count; the sum of each numeric property."""
    support = min_support(n_train)
    frequent = [
        t for t, n in zip(types["event_type"], types["leads"], strict=True) if n >= support and _writable(t)
    ]
    if not frequent:
        return []
    sources = [Source("active_days"), Source("days_since")]
    sources += [Source("count", t) for t in frequent]
    for event_type, prop, operator, value in filters:
        if (
            event_type in frequent
            and usable(operator)
            and _writable(prop)
            and (value is None or _writable(value))
        ):
            sources.append(Source("count", event_type, prop, operator, value))
    for row in properties.itertuples(index=False):
        numeric = row.numeric >= PROPERTY_NUMERIC_SHARE * row.events
        if row.event_type in frequent and row.events >= support and numeric and _writable(row.key):
            sources.append(Source("sum", row.event_type, sum_property=row.key))
    return list(dict.fromkeys(sources))


def source_label(s: Source, window_days: int) -> str:
    what = s.event_type or "any event"
    if s.property is not None:
        what += f" where {s.property} {s.operator.replace('_', ' ')}" + (
            f" {s.value}" if s.value is not None else ""
        )
    if s.measure == "count":
        return f"{what}: events in {window_days} days"
    if s.measure == "sum":
        return f"{what}: total {s.sum_property} in {window_days} days"
    if s.measure == "active_days":
        return f"{what}: active days in {window_days} days"
    return f"{what}: days since the last one"


def aggregate_candidates(
    sources: list[Source], measured: np.ndarray, train_mask: np.ndarray, window_days: int
) -> list[Feature]:
    n_train = int(train_mask.sum())
    support = min_support(n_train)
    out = []
    for i, s in enumerate(sources):
        values = measured[train_mask, i]
        if s.measure == "days_since":
            present = values[~np.isnan(values)]
            cuts = _steps(values, 0.0, True, support) if len(present) else []
        else:
            positive = values[values > 0]
            if not len(positive):
                continue
            integer = bool(np.all(np.mod(positive, 1) == 0))
            first = 1.0 if integer or positive.min() >= 1 else nice(float(positive.min()), False, up=False)
            if first <= 0:
                continue
            cuts = _steps(np.where(values > 0, values, np.nan), first, integer, support)
            # the first cut also needs support below it: leads without a matching event
            if cuts and int((values < cuts[0]).sum()) < support:
                cuts = cuts[1:]
        if not cuts:
            continue
        texts = [number_text(c) for c in cuts]
        out.append(
            Feature(
                key=f"aggregate:{i}",
                kind="aggregate",
                label=source_label(s, window_days),
                source=s,
                cuts=[float(t) for t in texts],
                cut_texts=texts,
            )
        )
    return out


def matrix(
    features: list[Feature],
    fields: pd.DataFrame,
    measured: np.ndarray,
    source_index: dict[Source, int],
    n_leads: int,
    train_mask: np.ndarray,
) -> tuple[list[Feature], sp.csr_matrix]:
    """The features that keep a column, and their 0/1 matrix (leads x columns, sparse).

    A column the same for every training lead, or the same as an earlier column for every
    lead (two attributes holding one fact; "has a page view" and "has an event" when page
    views are the only events) is dropped, with its step or bin: the fit could only split
    its weight between the copies. Sets each kept feature's columns and support."""
    rows: list[np.ndarray] = []
    seen: set[bytes] = set()
    n_train = int(train_mask.sum())
    kept_features = []
    by_field = {name: g for name, g in fields.groupby("field", sort=False)}
    for f in features:
        masks = _masks(f, by_field, measured, source_index, n_leads)
        keep = []
        for j, m in enumerate(masks):
            in_train = int(m[train_mask].sum())
            fingerprint = hashlib.blake2b(np.flatnonzero(m).tobytes(), digest_size=16).digest()
            if 0 < in_train < n_train and fingerprint not in seen:
                seen.add(fingerprint)
                keep.append(j)
        if not keep:
            continue
        if f.kind in ("numeric", "aggregate"):
            f.cuts = [f.cuts[j] for j in keep]
            f.cut_texts = [f.cut_texts[j] for j in keep]
        f.columns = []
        for j in keep:
            f.columns.append(len(rows))
            rows.append(np.flatnonzero(masks[j]))
        f.support = int(np.logical_or.reduce([masks[j] for j in keep])[train_mask].sum())
        kept_features.append(f)
    if not rows:
        return kept_features, sp.csr_matrix((n_leads, 0))
    row_idx = np.concatenate(rows)
    col_idx = np.concatenate([np.full(len(r), j) for j, r in enumerate(rows)])
    data = np.ones(len(row_idx), dtype=np.float64)
    return kept_features, sp.csr_matrix((data, (row_idx, col_idx)), shape=(n_leads, len(rows)))


def _masks(f: Feature, by_field: dict, measured, source_index, n_leads) -> list[np.ndarray]:
    """Per column of the feature, which leads have it."""
    if f.kind in ("value", "missing", "numeric"):
        g = by_field.get(f.field)
        leads = g["lead_idx"].to_numpy() if g is not None else np.array([], dtype=int)
    if f.kind == "value":
        hit = np.zeros(n_leads, dtype=bool)
        hit[leads[(g["value_lower"] == f.value_lower).to_numpy()]] = True
        return [hit]
    if f.kind == "missing":
        hit = np.ones(n_leads, dtype=bool)
        hit[leads] = False
        return [hit]
    if f.kind == "numeric":
        per_lead = np.full(n_leads, np.nan, dtype=np.float32)
        per_lead[leads] = g["value_number"].to_numpy(dtype=np.float32)
        with np.errstate(invalid="ignore"):
            return [per_lead >= np.float32(c) for c in f.cuts]
    v = measured[:, source_index[f.source]]
    with np.errstate(invalid="ignore"):
        return [v >= c for c in f.cuts]
