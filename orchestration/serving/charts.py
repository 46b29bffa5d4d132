"""Charts of the outcome report: Vega-Lite specs built with altair, drawn to static SVG by
vl-convert (a bundled Vega engine) at render time, inlined in the page.

No script, no font, no network: the page holds the drawn SVG, not the spec. Every chart has
both axes with a title and its unit; a rate is labelled with the n it is a rate of.
"""

from __future__ import annotations

import re

import altair as alt

PALETTE = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"]
REF = "#dc2626"  # reference lines: threshold, lift 1.0
FLAG = "#f97316"  # what needs a second look: the capped bin, the partial week

# Inline SVG in HTML needs no namespace declarations; dropping them keeps every URL out of
# the page (tests/serving/test_report.py asserts there is none).
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def to_svg(chart: alt.TopLevelMixin, label: str) -> str:
    """`chart` drawn to an inline <svg> with an accessible name."""
    import vl_convert as vlc

    spec = chart.configure_view(stroke=None).configure_axis(labelFontSize=11, titleFontSize=12).to_dict()
    svg = _XMLNS.sub("", vlc.vegalite_to_svg(spec))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)
    return f'<div class="chart">{svg}</div>'


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def histogram(
    bins: list[dict],
    x_title: str,
    threshold: float | None = None,
    cap: float | None = None,
    title: str = "",
    width: int = 560,
) -> str:
    """Bars from `lo` to `hi` of height `leads`, a count on top of each. A bin with
    `capped` true is drawn in the flag colour and labelled; `threshold` is a dashed line."""
    data = alt.Data(values=bins)
    base = alt.Chart(data)
    x = alt.X("lo:Q", title=x_title, axis=alt.Axis(tickMinStep=10))
    bars = base.mark_rect(stroke="white").encode(
        x=x,
        x2="hi:Q",
        y=alt.Y("leads:Q", title="leads (count)"),
        y2=alt.datum(0),
        color=alt.condition("datum.capped", alt.value(FLAG), alt.value(PALETTE[0])),
    )
    counts = base.mark_text(dy=-6, fontSize=10).encode(
        x=alt.X("mid:Q"), y="leads:Q", text=alt.Text("leads:Q", format=",")
    )
    layers = [bars, counts]
    capped = [b for b in bins if b.get("capped")]
    if cap is not None and capped:
        layers.append(
            alt.Chart(
                alt.Data(
                    values=[
                        {"x": capped[0]["mid"], "y": capped[0]["leads"], "t": f"held at the cap of {cap:g}"}
                    ]
                )
            )
            .mark_text(dy=-20, color=FLAG, fontWeight="bold", fontSize=11, align="right")
            .encode(x="x:Q", y="y:Q", text="t:N")
        )
    if threshold is not None:
        rule = alt.Data(values=[{"x": threshold, "t": f"MQL threshold {threshold:g}"}])
        layers.append(alt.Chart(rule).mark_rule(color=REF, strokeDash=[4, 3], strokeWidth=2).encode(x="x:Q"))
        layers.append(
            alt.Chart(rule)
            .mark_text(color=REF, align="left", dx=4, baseline="top", fontSize=11)
            .encode(x="x:Q", y=alt.value(2), text="t:N")
        )
    return to_svg(alt.layer(*layers).properties(width=width, height=200), title)


def bars(
    rows: list[dict],
    x_title: str,
    y_title: str,
    label_field: str = "label",
    colours: dict[str, str] | None = None,
    title: str = "",
    width: int = 260,
    y_format: str | None = None,
) -> str:
    """One bar per row (`category`, `value`), labelled on top with `label_field`, e.g.
    "12.3 % (n = 45)": the value and what it is computed from."""
    data = alt.Data(values=rows)
    order = [r["category"] for r in rows]
    colour = (
        alt.Color(
            "category:N",
            scale=alt.Scale(domain=order, range=[colours.get(c, PALETTE[0]) for c in order]),
            legend=None,
        )
        if colours
        else alt.value(PALETTE[0])
    )
    x = alt.X("category:N", sort=order, title=x_title, axis=alt.Axis(labelAngle=0))
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format) if y_format else alt.Axis()),
            color=colour,
        )
    )
    text = alt.Chart(data).mark_text(dy=-6, fontSize=10).encode(x=x, y="value:Q", text=f"{label_field}:N")
    return to_svg(alt.layer(chart, text).properties(width=width, height=200), title)


def lines(
    rows: list[dict],
    x_title: str,
    y_title: str,
    x_type: str = "Q",
    x_sort: list | None = None,
    reference: float | None = None,
    reference_label: str = "",
    flag_at=None,
    flag_label: str = "",
    title: str = "",
    width: int = 600,
    colours: dict[str, str] | None = None,
) -> str:
    """One line (with points) per `series` of (`x`, `y`) rows, a legend; optionally a dashed,
    labelled horizontal `reference` and a shaded, labelled `flag_at` x (a partial period).
    `colours` maps a series to its colour (the bands'); the others take the palette's."""
    data = alt.Data(values=rows)
    scale = alt.Scale(domain=x_sort) if x_sort else alt.Undefined
    x = alt.X(
        f"x:{x_type}", title=x_title, scale=scale, axis=alt.Axis(labelAngle=0 if x_type == "Q" else -40)
    )
    series = sorted({r["series"] for r in rows})
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(
            domain=series,
            range=[(colours or {}).get(s, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)],
        ),
        legend=alt.Legend(title=None, orient="top"),
    )
    layers = [alt.Chart(data).mark_line(point=True).encode(x=x, y=alt.Y("y:Q", title=y_title), color=colour)]
    if flag_at is not None:
        flag = alt.Data(values=[{"x": flag_at, "t": flag_label}])
        layers.insert(0, alt.Chart(flag).mark_rect(color=FLAG, opacity=0.18).encode(x=x))
        layers.append(
            alt.Chart(flag)
            .mark_text(color=FLAG, align="right", baseline="top", dy=4, fontSize=11, fontWeight="bold")
            .encode(x=x, y=alt.value(0), text="t:N")
        )
    if reference is not None:
        ref = alt.Data(values=[{"y": reference, "t": reference_label}])
        layers.append(alt.Chart(ref).mark_rule(color=REF, strokeDash=[4, 3]).encode(y="y:Q"))
        layers.append(
            alt.Chart(ref)
            .mark_text(color=REF, align="right", dy=-6, fontSize=11)
            .encode(y="y:Q", x=alt.value(width), text="t:N")
        )
    return to_svg(alt.layer(*layers).properties(width=width, height=220), title)


def interval_bars(
    rows: list[dict],
    x_title: str,
    reference: float,
    reference_label: str,
    title: str = "",
    width: int = 420,
) -> str:
    """Horizontal bars of `value` per `category` (in the rows' order) with a black line from
    `lower` to `upper` (the interval), a `label` right of each bar (e.g. its n), and a
    dashed, labelled vertical `reference`."""
    data = alt.Data(values=rows)
    order = [r["category"] for r in rows]
    y = alt.Y("category:N", sort=order, title=None)
    x_scale = alt.Scale(domainMin=0)
    layers = [
        alt.Chart(data)
        .mark_bar(color=PALETTE[0], height=10)
        .encode(y=y, x=alt.X("value:Q", title=x_title, scale=x_scale)),
        alt.Chart(data).mark_rule(color="#111").encode(y=y, x="lower:Q", x2="upper:Q"),
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=10, color="#374151")
        .encode(y=y, x="upper:Q", text="label:N"),
    ]
    ref = alt.Data(values=[{"x": reference, "t": reference_label}])
    layers.append(alt.Chart(ref).mark_rule(color=REF, strokeDash=[4, 3]).encode(x="x:Q"))
    layers.append(
        alt.Chart(ref)
        .mark_text(color=REF, align="left", dx=4, baseline="bottom", fontSize=11)
        .encode(x="x:Q", y=alt.value(-2), text="t:N")
    )
    return to_svg(alt.layer(*layers).properties(width=width, height=18 * len(rows)), title)
