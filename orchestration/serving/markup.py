"""HTML pieces of the outcome report: escaping, numbers, tables, the no-data note."""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse

_TAG = re.compile(r"<[^>]+>")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


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


def cell_text(cell) -> str:
    """What a table cell shows, as text: tags dropped, entities decoded, and numbers
    without thousands separators (so a spreadsheet reads them as numbers)."""
    text = html.unescape(_TAG.sub("", str(cell))).strip()
    return text.replace(",", "") if _THOUSANDS.match(text) else text


def csv_link(headers: list[str], rows: list[list], name: str = "table") -> str:
    """A link that downloads the table as CSV: the file is in the link itself (a data: URI
    built now), so it works offline and needs no script."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([cell_text(c) for c in r] for r in rows)
    # every character but letters and digits percent-encoded: no "/" reaches the page
    uri = "data:text/csv;charset=utf-8," + urllib.parse.quote(buf.getvalue(), safe="")
    return f'<a class="csv" download="{esc(name)}.csv" href="{uri}">Download CSV</a>'


def table(
    headers: list[str],
    rows: list[list],
    numeric_from: int = 1,
    name: str = "table",
    csv: tuple[list[str], list[list]] | None = None,
) -> str:
    """An HTML table and the link to its CSV: the same cells, or `csv` (headers and rows)
    where the page shows them more compactly than a spreadsheet wants them."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"n" if i >= numeric_from else ""}">{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    # a table whose CSV has other columns says so (the browser test reads it)
    tag = '<table class="csv-columns-differ">' if csv else "<table>"
    return (
        f"{tag}<thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
        f'<p class="download">{csv_link(*(csv or (headers, rows)), name)}</p>'
    )


def nodata(what: str) -> str:
    return f'<p class="nodata">No data yet for {esc(what)}.</p>'
