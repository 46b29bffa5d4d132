"""HTML pieces of the outcome report: escaping, numbers, tables, the no-data note."""

from __future__ import annotations

import html


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def with_n(rate: str, n) -> str:
    """A rate with the count it is a rate of beside it: `12.5 % <small>(n = 8)</small>`."""
    if n is None or rate == "–":
        return rate
    return f'{rate} <small class="n">(n = {n:,})</small>'


def num(x, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def table(headers: list[str], rows: list[list], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"n" if i >= numeric_from else ""}">{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def nodata(what: str) -> str:
    return f'<p class="nodata">No data yet for {esc(what)}.</p>'
