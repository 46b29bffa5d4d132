"""`leadscore report`: one self-contained HTML page on whether the scoring predicts revenue.

Reads the public marts read-only: from the serving copy (`serving/leadscore.duckdb`,
schema main) when there is one, else from the warehouse (schema marts). Charts are inline
SVG, styles inline CSS: no script, no font, no link, so the page opens offline. A
warehouse without the marts (nothing built yet) gives a page that says so.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.runtime import config

REPORT_FILE = "report.html"
PALETTE = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"]
BAND_COLOURS = {"cold": "#60a5fa", "warm": "#f59e0b", "hot": "#dc2626"}


def default_source() -> Path:
    """The serving copy when published, else the warehouse."""
    from orchestration.serving.publish import serving_file

    served = serving_file()
    return served if served.exists() else config.warehouse_path()


def default_out() -> Path:
    return config.serving_dir() / REPORT_FILE


# ---------------------------------------------------------------- reading


@dataclass
class Marts:
    """The public marts found in one DuckDB file, as lists of dicts."""

    source: Path | None
    tables: dict[str, list[dict]] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict]:
        return self.tables.get(name, [])

    @property
    def empty(self) -> bool:
        return not any(self.tables.values())


QUERIES = {
    "lead_scores": "select model_id, model_version, score_date, total_score, band from {t}",
    "mql_events": "select model_id, model_version, event_date from {t} where direction = 'up' and is_active_version",
    "band_outcomes": "select * from {t}",
    "model_backtest": "select * from {t}",
    "attribute_lift": "select * from {t}",
    "funnel": "select * from {t}",
    "channel_costs": "select * from {t}",
}


def read_marts(source: Path | None) -> Marts:
    """Every mart the report uses that exists in `source` (read-only); missing ones are empty."""
    marts = Marts(source=source)
    if source is None or not Path(source).exists():
        return marts
    import duckdb

    con = duckdb.connect(str(source), read_only=True)
    try:
        found = {
            name: schema
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('main', 'marts')"
            ).fetchall()
        }
        for name, sql in QUERIES.items():
            if name not in found:
                continue
            cur = con.execute(sql.format(t=f'"{found[name]}"."{name}"'))
            cols = [d[0] for d in cur.description]
            marts.tables[name] = [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()
    return marts


# ---------------------------------------------------------------- formatting


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _num(x, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def _table(headers: list[str], rows: list[list], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"n" if i >= numeric_from else ""}">{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _nodata(what: str) -> str:
    return f'<p class="nodata">No data yet for {_e(what)}.</p>'


# ---------------------------------------------------------------- SVG charts


def bar_chart(
    labels: list[str],
    values: list[float],
    colours: list[str] | None = None,
    fmt=lambda v: f"{v:g}",
    width: int = 560,
    height: int = 220,
    title: str = "",
) -> str:
    """Vertical bars with their values on top; inline SVG."""
    if not values:
        return ""
    top = max(max(values), 1e-12)
    n = len(values)
    left, bottom, pad = 40, 40, 20
    plot_w, plot_h = width - left - pad, height - bottom - pad
    slot = plot_w / n
    bw = slot * 0.7
    parts = [f'<svg class="chart" width="{width}" height="{height}" role="img" aria-label="{_e(title)}">']
    parts.append(
        f'<line x1="{left}" y1="{pad + plot_h}" x2="{left + plot_w}" y2="{pad + plot_h}" class="axis"/>'
    )
    for i, (label, v) in enumerate(zip(labels, values)):
        h = plot_h * (v / top) if top > 0 else 0
        x = left + i * slot + (slot - bw) / 2
        y = pad + plot_h - h
        colour = colours[i] if colours else PALETTE[0]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{_e(label)}: {_e(fmt(v))}</title></rect>"
        )
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{y - 4:.1f}" class="val">{_e(fmt(v))}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{pad + plot_h + 16}" class="lab">{_e(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: dict[str, list[tuple[float, float]]],
    x_labels: dict[float, str] | None = None,
    width: int = 640,
    height: int = 240,
    reference: float | None = None,
    title: str = "",
) -> str:
    """One line per series of (x, y) points, a legend, an optional horizontal reference line."""
    points = [p for s in series.values() for p in s]
    if not points:
        return ""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points] + ([reference] if reference is not None else [])
    x0, x1 = min(xs), max(xs)
    y1 = max(max(ys), 1e-12)
    left, bottom, pad, legend = 44, 40, 20, 20 * len(series)
    plot_w, plot_h = width - left - pad, height - bottom - pad - legend

    def sx(x):
        return left + (plot_w * (x - x0) / (x1 - x0) if x1 > x0 else plot_w / 2)

    def sy(y):
        return pad + legend + plot_h - plot_h * y / y1

    parts = [f'<svg class="chart" width="{width}" height="{height}" role="img" aria-label="{_e(title)}">']
    parts.append(f'<line x1="{left}" y1="{sy(0):.1f}" x2="{left + plot_w}" y2="{sy(0):.1f}" class="axis"/>')
    parts.append(f'<text x="{left - 6}" y="{sy(y1) + 4:.1f}" class="tick" text-anchor="end">{y1:.3g}</text>')
    parts.append(f'<text x="{left - 6}" y="{sy(0) + 4:.1f}" class="tick" text-anchor="end">0</text>')
    if reference is not None:
        parts.append(
            f'<line x1="{left}" y1="{sy(reference):.1f}" x2="{left + plot_w}" '
            f'y2="{sy(reference):.1f}" class="ref"/>'
        )
    for x, label in (x_labels or {}).items():
        parts.append(f'<text x="{sx(x):.1f}" y="{sy(0) + 16:.1f}" class="lab">{_e(label)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in sorted(pts))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            parts.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}">'
                f"<title>{_e(name)}: {y:.3g}</title></circle>"
            )
        parts.append(
            f'<rect x="{left + 4}" y="{4 + 20 * i}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 22}" y="{14 + 20 * i}" class="leg">{_e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- sections


def _active(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("is_active_version")]


def section_distribution(m: Marts) -> str:
    rows = m.rows("lead_scores")
    if not rows:
        return _nodata("scores")
    out = []
    for model in sorted({r["model_id"] for r in rows}):
        scores = [
            float(r["total_score"]) for r in rows if r["model_id"] == model and r["total_score"] is not None
        ]
        if not scores:
            continue
        width = 10
        lo = int(min(scores) // width * width)
        hi = int(max(scores) // width * width)
        bins = list(range(lo, hi + width, width))
        counts = [sum(1 for s in scores if b <= s < b + width) for b in bins]
        out.append(f"<h3>{_e(model)} <small>({len(scores):,} leads)</small></h3>")
        out.append(
            bar_chart(
                [f"{b}–{b + width - 1}" for b in bins],
                counts,
                fmt=lambda v: f"{v:,.0f}",
                width=max(360, 44 * len(bins) + 60),
                title=f"score distribution {model}",
            )
        )
    return "".join(out)


def _band_totals(m: Marts) -> dict[tuple[str, int], list[dict]]:
    """Active versions' band_outcomes summed over cohorts, per (model, version)."""
    per: dict[tuple, dict] = {}
    for r in _active(m.rows("band_outcomes")):
        key = (r["model_id"], r["model_version"], r["band"] or "(none)")
        t = per.setdefault(
            key,
            {
                "band": r["band"] or "(none)",
                "band_rank": r["band_rank"] or 0,
                "leads": 0,
                "mqls": 0,
                "opportunities": 0,
                "customers": 0,
                "revenue": 0.0,
                "dispositioned": 0,
                "accepted": 0.0,
            },
        )
        for k in ("leads", "mqls", "opportunities", "customers"):
            t[k] += r[k] or 0
        t["revenue"] += r["revenue"] or 0
        t["dispositioned"] += r["dispositioned_leads"] or 0
        t["accepted"] += (r["acceptance_rate"] or 0) * (r["dispositioned_leads"] or 0)
    out: dict[tuple[str, int], list[dict]] = {}
    for (model, version, _), t in per.items():
        out.setdefault((model, version), []).append(t)
    for v in out.values():
        v.sort(key=lambda t: t["band_rank"])
    return out


def section_bands(m: Marts) -> str:
    totals = _band_totals(m)
    if not totals:
        return _nodata("conversion per band")
    out = []
    for (model, version), bands in sorted(totals.items()):
        conv = [t["customers"] / t["leads"] if t["leads"] else 0 for t in bands]
        rpl = [t["revenue"] / t["leads"] if t["leads"] else 0 for t in bands]
        colours = [BAND_COLOURS.get(t["band"], PALETTE[0]) for t in bands]
        labels = [t["band"] for t in bands]
        out.append(f'<h3>{_e(model)} v{_e(version)}</h3><div class="row">')
        out.append(
            "<figure>"
            + bar_chart(labels, conv, colours, fmt=_pct, width=320, title="conversion")
            + "<figcaption>lead-to-customer conversion</figcaption></figure>"
        )
        out.append(
            "<figure>"
            + bar_chart(labels, rpl, colours, fmt=lambda v: _num(v), width=320, title="revenue per lead")
            + "<figcaption>revenue per lead</figcaption></figure></div>"
        )
        out.append(
            _table(
                [
                    "band",
                    "leads",
                    "MQLs",
                    "with opportunity",
                    "customers",
                    "conversion",
                    "revenue",
                    "revenue / lead",
                    "sales acceptance",
                ],
                [
                    [
                        _e(t["band"]),
                        _num(t["leads"]),
                        _num(t["mqls"]),
                        _num(t["opportunities"]),
                        _num(t["customers"]),
                        _pct(c),
                        _num(t["revenue"]),
                        _num(r),
                        _pct(t["accepted"] / t["dispositioned"] if t["dispositioned"] else None),
                    ]
                    for t, c, r in zip(bands, conv, rpl)
                ],
            )
        )
    return "".join(out)


def section_cycle(m: Marts) -> str:
    rows = [r for r in _active(m.rows("band_outcomes")) if r["customers"]]
    if not rows:
        return _nodata("sales cycles (no customers yet)")
    out = []
    for model in sorted({r["model_id"] for r in rows}):
        mine = [r for r in rows if r["model_id"] == model]
        bands = sorted({(r["band_rank"] or 0, r["band"] or "(none)") for r in mine})
        cohorts = sorted({r["cohort_month"] for r in mine})
        cell = {(r["cohort_month"], r["band"] or "(none)"): r for r in mine}
        table_rows = []
        for c in cohorts:
            line = [_e(c.strftime("%Y-%m") if hasattr(c, "strftime") else c)]
            for _, b in bands:
                r = cell.get((c, b))
                line.append(
                    ""
                    if r is None
                    else f"{_num(r['median_cycle_days'])} / {_num(r['p90_cycle_days'])} "
                    f"<small>({r['customers']})</small>"
                )
            table_rows.append(line)
        out.append(f"<h3>{_e(model)} (active version)</h3>")
        out.append(
            "<p>Median / 90th percentile days from the first MQL day (or creation) to the "
            "first win, per cohort (month created) and best band; (customers).</p>"
        )
        out.append(_table(["cohort"] + [b for _, b in bands], table_rows))
    return "".join(out)


def section_mqls(m: Marts) -> str:
    rows = m.rows("mql_events")
    if not rows:
        return _nodata("MQLs")
    weeks: dict[str, dict[dt.date, int]] = {}
    for r in rows:
        d = r["event_date"]
        monday = d - dt.timedelta(days=d.weekday())
        name = f"{r['model_id']} v{r['model_version']}"
        weeks.setdefault(name, {}).setdefault(monday, 0)
        weeks[name][monday] += 1
    all_weeks = sorted({w for s in weeks.values() for w in s})
    index = {w: i for i, w in enumerate(all_weeks)}
    series = {name: [(index[w], float(s.get(w, 0))) for w in all_weeks] for name, s in sorted(weeks.items())}
    step = max(1, len(all_weeks) // 8)
    labels = {index[w]: w.strftime("%m-%d") for w in all_weeks[::step]}
    return (
        "<p>New MQLs per week (threshold crossed upward, active versions; weeks start on Monday).</p>"
        + line_chart(series, labels, width=720, title="MQLs per week")
    )


def section_versions(m: Marts) -> str:
    rows = m.rows("model_backtest")
    if not rows:
        return _nodata("the backtest")
    out = []
    first = rows[0]
    out.append(
        f"<p>Scores as of {_e(first['reference_date'])}; customers whose first win came in the "
        f"{_e(first['outcome_window_days'])} days after. Every version of a model on the same leads.</p>"
    )
    versions = sorted({(r["model_id"], r["model_version"]) for r in rows})
    summary = []
    for model, version in versions:
        r = next(x for x in rows if x["model_id"] == model and x["model_version"] == version)
        summary.append(
            [
                f"{_e(model)} v{_e(version)}{' (active)' if r['is_active_version'] else ''}",
                _num(r["leads"]),
                _num(r["customers"]),
                _pct(r["conversion_rate"]),
                _num(r["auc"], 3),
                _num(r["top_decile_lift"], 2),
                _pct(r["mql_recall"]),
                _pct(r["mql_precision"]),
                {True: "yes", False: "no", None: "–"}[r["conversion_rises_by_band"]],
            ]
        )
    out.append(
        _table(
            [
                "version",
                "leads",
                "customers",
                "conversion",
                "AUC",
                "top-decile lift",
                "MQL recall",
                "MQL precision",
                "conversion rises by band",
            ],
            summary,
        )
    )
    for model in sorted({v[0] for v in versions}):
        series = {
            f"v{version}": [
                (float(r["decile"]), float(r["decile_lift"] or 0))
                for r in rows
                if r["model_id"] == model and r["model_version"] == version
            ]
            for mm, version in versions
            if mm == model
        }
        out.append(f"<h3>{_e(model)}: lift by score decile (1 = highest scores; 1.0 = average)</h3>")
        out.append(
            line_chart(
                series, {float(d): str(d) for d in range(1, 11)}, reference=1.0, title=f"lift chart {model}"
            )
        )
    return "".join(out)


def section_attributes(m: Marts, top: int = 15) -> str:
    rows = [r for r in m.rows("attribute_lift") if r["lift"] is not None]
    if not rows:
        return _nodata("attribute lift (no customers yet)")
    first = rows[0]
    solid = sorted((r for r in rows if not r["is_small_sample"]), key=lambda r: -r["lift"])[:top]
    out = [
        f"<p>Overall close rate {_pct(first['overall_close_rate'])} ({_num(first['overall_customers'])} "
        f"customers of {_num(first['overall_leads'])} contacts). Attributes with the most lift, leaving "
        "out small samples; 95 % Wilson interval; suggested points = 10 × (lift − 1).</p>"
    ]
    if not solid:
        return "".join(out) + _nodata("attributes with enough leads")
    big = max(r["lift_upper"] or r["lift"] for r in solid)
    table_rows = []
    for r in solid:
        w = 160
        bar = (
            f'<svg width="{w}" height="12"><rect x="0" y="2" width="{w * r["lift"] / big:.1f}" height="8" '
            f'fill="#2563eb"/><line x1="{w * (r["lift_lower"] or 0) / big:.1f}" y1="6" '
            f'x2="{w * (r["lift_upper"] or 0) / big:.1f}" y2="6" stroke="#111" stroke-width="1"/>'
            f'<line x1="{w / big:.1f}" y1="0" x2="{w / big:.1f}" y2="12" stroke="#dc2626"/></svg>'
        )
        table_rows.append(
            [
                _e(r["attribute"]),
                _e(r["attribute_value"]),
                _num(r["leads"]),
                _num(r["customers"]),
                _pct(r["close_rate"]),
                f"{r['lift']:.2f} ({(r['lift_lower'] or 0):.2f}–{(r['lift_upper'] or 0):.2f})",
                bar,
                _num(r["suggested_points"]),
            ]
        )
    out.append(
        _table(
            [
                "attribute",
                "value",
                "leads",
                "customers",
                "close rate",
                "lift (95 % CI)",
                "",
                "suggested points",
            ],
            table_rows,
            numeric_from=2,
        )
    )
    return "".join(out)


def section_funnel(m: Marts) -> str:
    rows = _active(m.rows("funnel"))
    if not rows:
        return _nodata("the funnel")
    out = []
    for model, version in sorted({(r["model_id"], r["model_version"]) for r in rows}):
        mine = sorted(
            (r for r in rows if r["model_id"] == model and r["model_version"] == version),
            key=lambda r: r["stage_order"],
        )
        out.append(f"<h3>{_e(model)} v{_e(version)}</h3>")
        out.append(
            _table(
                ["stage", "leads", "from previous", "from lead", "stalled here"],
                [
                    [
                        ("<b>" if r["is_biggest_drop"] else "")
                        + _e(r["stage"])
                        + (" ← biggest drop</b>" if r["is_biggest_drop"] else ""),
                        _num(r["leads"]),
                        _pct(r["conversion_from_previous"]),
                        _pct(r["conversion_from_lead"]),
                        _num(r["stalled_leads"]),
                    ]
                    for r in mine
                ],
            )
        )
    return "".join(out)


def section_channels(m: Marts) -> str:
    rows = [r for r in m.rows("channel_costs") if r["spend"] is not None]
    if not rows:
        return _nodata("channel costs")
    per: dict[str, dict] = {}
    for r in rows:
        t = per.setdefault(r["channel"], {"spend": 0.0, "leads": 0, "mqls": 0, "customers": 0})
        t["spend"] += r["spend"]
        for k in ("leads", "mqls", "customers"):
            t[k] += r[k]
    return "<p>Months with recorded spend, all together.</p>" + _table(
        ["channel", "spend", "leads", "MQLs", "customers", "per lead", "per MQL", "per customer"],
        [
            [
                _e(c),
                _num(t["spend"]),
                _num(t["leads"]),
                _num(t["mqls"]),
                _num(t["customers"]),
                _num(t["spend"] / t["leads"] if t["leads"] else None, 2),
                _num(t["spend"] / t["mqls"] if t["mqls"] else None, 2),
                _num(t["spend"] / t["customers"] if t["customers"] else None, 2),
            ]
            for c, t in sorted(per.items())
        ],
    )


SECTIONS = [
    ("distribution", "Score distribution", section_distribution),
    ("bands", "Conversion and revenue per band", section_bands),
    ("cycle", "Sales cycle per band", section_cycle),
    ("mqls", "MQLs over time", section_mqls),
    ("versions", "Versions compared", section_versions),
    ("attributes", "Attributes with the most lift", section_attributes),
    ("funnel", "Funnel", section_funnel),
    ("channels", "Cost per channel", section_channels),
]

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1000px;
color:#111;padding:0 1rem}h1{margin-bottom:0}section{margin:2rem 0}h2{border-bottom:2px solid #e5e7eb}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #e5e7eb;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}.nodata{color:#6b7280;font-style:italic}
.row{display:flex;gap:1rem;flex-wrap:wrap}figure{margin:0}figcaption{font-size:.8rem;color:#6b7280;text-align:center}
.chart text{font-size:11px;fill:#374151}.chart .lab,.chart .val{text-anchor:middle}.axis{stroke:#9ca3af}
.ref{stroke:#dc2626;stroke-dasharray:4 3}.meta{color:#6b7280}.empty{padding:2rem;background:#f3f4f6;border-radius:8px}
"""


def render(marts: Marts, now: dt.datetime | None = None) -> str:
    """The whole page as a string."""
    now = now or dt.datetime.now(dt.UTC)
    score_dates = sorted({r["score_date"] for r in marts.rows("lead_scores") if r.get("score_date")})
    meta = f"Generated {now:%Y-%m-%d %H:%M} UTC from {_e(marts.source or 'nothing')}" + (
        f"; scores as of {score_dates[-1]}" if score_dates else ""
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>leadscore report</title><style>",
        CSS,
        "</style></head><body>",
        "<h1>leadscore report</h1>",
        f'<p class="meta">{meta}</p>',
    ]
    if marts.empty:
        parts.append(
            '<div class="empty" id="no-data"><h2>No data yet</h2><p>The warehouse has no scores '
            "or outcomes to report on. Land files and run <code>leadscore run</code> (or "
            "<code>leadscore demo</code>), then run <code>leadscore report</code> again.</p></div>"
        )
    else:
        parts.append("<nav>" + " · ".join(f'<a href="#{k}">{_e(t)}</a>' for k, t, _ in SECTIONS) + "</nav>")
        for key, title, fn in SECTIONS:
            parts.append(f'<section id="{key}"><h2>{_e(title)}</h2>{fn(marts)}</section>')
    parts.append("</body></html>")
    return "".join(parts)


def write_atomically(text: str, out: Path) -> Path:
    """Write `out` through a temporary file in the same folder renamed over it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def write_report(out: Path | None = None, source: Path | None = None) -> Path:
    """Render the report from `source` (default: serving copy, else warehouse) into `out`."""
    source = source or default_source()
    return write_atomically(render(read_marts(source)), out or default_out())
