"""`leadscore report`: one self-contained HTML page on whether the scoring predicts revenue.

Reads the public marts read-only: from the serving copy (`serving/leadscore.duckdb`,
schema main) when there is one, else from the warehouse (schema marts). Charts are inline
SVG (Vega-Lite specs drawn by vl-convert, see charts), styles inline CSS, each table's CSV a
data: link: no script, no font, no external link, so the page opens offline. A warehouse
without the marts (nothing built yet) gives a page that says so.

This module is the page: its sections in order, the styles, the file written. What it
shows is in sections (reading the marts: marts; drawing: charts; HTML pieces: markup).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from orchestration.runtime import config
from orchestration.serving.accounts import section_accounts
from orchestration.serving.call_now import section_call_now
from orchestration.serving.markup import esc
from orchestration.serving.marts import Marts, read_marts
from orchestration.serving.sections import (
    section_attributes,
    section_bands,
    section_calibration,
    section_channels,
    section_cycle,
    section_distribution,
    section_funnel,
    section_mqls,
    section_versions,
)
from orchestration.serving.stages import section_stages
from orchestration.serving.weekly import section_weekly

REPORT_FILE = "report.html"


def default_source() -> Path:
    """The serving copy when published, else the warehouse."""
    from orchestration.serving.publish import serving_file

    served = serving_file()
    return served if served.exists() else config.warehouse_path()


def default_out() -> Path:
    return config.serving_dir() / REPORT_FILE


SECTIONS = [
    ("call-now", "Call now", section_call_now),
    ("distribution", "Score distribution", section_distribution),
    ("bands", "Conversion and revenue per band", section_bands),
    ("weekly", "Weekly conversion by band", section_weekly),
    ("cycle", "Sales cycle per band", section_cycle),
    ("stages", "Conversion per buying stage", section_stages),
    ("mqls", "MQLs over time", section_mqls),
    ("accounts", "Top accounts and MQAs", section_accounts),
    ("versions", "Versions compared", section_versions),
    ("calibration", "Calibrated candidate", section_calibration),
    ("attributes", "Attributes with the most lift", section_attributes),
    ("funnel", "Funnel", section_funnel),
    ("channels", "Channel return", section_channels),
]

# Long lines are continued with a backslash: the page's bytes stay as they were.
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;\
max-width:1000px;
color:#111;padding:0 1rem}h1{margin-bottom:0}section{margin:2rem 0}h2{border-bottom:2px solid #e5e7eb}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{padding:.25rem .6rem;\
border-bottom:1px solid #e5e7eb;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}.nodata{color:#6b7280;font-style:italic}
.row{display:flex;gap:1rem;flex-wrap:wrap}figure{margin:0}figcaption{font-size:.8rem;color:#6b7280;\
text-align:center}
.chart{margin:.5rem 0}.chart svg{max-width:100%;height:auto}small.n{color:#6b7280}
.meta{color:#6b7280}.download{margin:0 0 .5rem;font-size:.8rem}.empty{padding:2rem;background:#f3f4f6;\
border-radius:8px}
ol.reasons{margin:0;padding-left:1.2rem;min-width:20rem}
"""


def render(marts: Marts, now: dt.datetime | None = None) -> str:
    """The whole page as a string."""
    now = now or dt.datetime.now(dt.UTC)
    meta = head(marts, now)
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>leadscore report</title><style>",
        CSS,
        "</style></head><body>",
        "<h1>leadscore report</h1>",
        meta,
    ]
    if marts.empty:
        parts.append(
            '<div class="empty" id="no-data"><h2>No data yet</h2><p>The warehouse has no scores '
            "or outcomes to report on. Land files and run <code>leadscore run</code> (or "
            "<code>leadscore demo</code>), then run <code>leadscore report</code> again.</p></div>"
        )
    else:
        parts.append("<nav>" + " · ".join(f'<a href="#{k}">{esc(t)}</a>' for k, t, _ in SECTIONS) + "</nav>")
        for key, title, fn in SECTIONS:
            body = _name_downloads(key, fn(marts))
            parts.append(f'<section id="{key}"><h2>{esc(title)}</h2>{body}</section>')
    parts.append("</body></html>")
    return "".join(parts)


def head(marts: Marts, now: dt.datetime) -> str:
    """The lines under the title: when the page was made, from what, which days the data
    cover, and what is known of the last run."""
    score_dates = [r["score_date"] for r in marts.rows("lead_scores") if r.get("score_date")]
    event_dates = [r["event_date"] for r in marts.rows("mql_events") if r.get("event_date")]
    days = score_dates + event_dates
    lines = [
        f'<span id="run-date">Report run {now:%Y-%m-%d %H:%M} UTC</span> '
        f"from {esc(marts.source or 'nothing')}"
    ]
    if days:
        lines.append(
            f'<span id="data-range">Data: {min(days)} to {max(days)}</span>'
            + (f"; scores as of {max(score_dates)}" if score_dates else "")
            + (f" (first MQL day {min(event_dates)})" if event_dates else "")
        )
    else:
        lines.append('<span id="data-range">Data: none yet</span>')
    if marts.published:
        status = (
            f"serving copy {esc(marts.published)}, published by a run whose blocking checks "
            "passed. The status of later runs is not recorded in the copy: a failed run leaves "
            "the copy and this page as they were"
        )
    else:
        status = (
            "not recorded in this file (read from the warehouse, not a published serving copy): "
            "see the run in the Dagster UI"
        )
    lines.append(f'<span id="run-status">Last run: {status}.</span>')
    return '<p class="meta">' + "<br>".join(lines) + "</p>"


def _name_downloads(key: str, html: str) -> str:
    """Each table's CSV file named after its section: `bands.csv`, or `bands-1.csv`, … ."""
    n = html.count('download="table.csv"')
    for i in range(n):
        html = html.replace('download="table.csv"', f'download="{key}{"" if n == 1 else f"-{i + 1}"}.csv"', 1)
    return html


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
        os.chmod(tmp, 0o666 & ~config.file_umask())  # as every file leadscore writes
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def write_report(out: Path | None = None, source: Path | None = None) -> Path:
    """Render the report from `source` (default: serving copy, else warehouse) into `out`."""
    source = source or default_source()
    marts = read_marts(source, rules_from=config.warehouse_path())
    return write_atomically(render(marts), out or default_out())
