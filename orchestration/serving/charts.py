"""Inline SVG charts of the outcome report: bars and lines, no script, no font.

Values come with a <title> each, so a browser shows them on hover.
"""

from __future__ import annotations

from orchestration.serving.markup import esc

PALETTE = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"]


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
    parts = [f'<svg class="chart" width="{width}" height="{height}" role="img" aria-label="{esc(title)}">']
    parts.append(
        f'<line x1="{left}" y1="{pad + plot_h}" x2="{left + plot_w}" y2="{pad + plot_h}" class="axis"/>'
    )
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * (v / top) if top > 0 else 0
        x = left + i * slot + (slot - bw) / 2
        y = pad + plot_h - h
        colour = colours[i] if colours else PALETTE[0]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{esc(label)}: {esc(fmt(v))}</title></rect>"
        )
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{y - 4:.1f}" class="val">{esc(fmt(v))}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{pad + plot_h + 16}" class="lab">{esc(label)}</text>')
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

    parts = [f'<svg class="chart" width="{width}" height="{height}" role="img" aria-label="{esc(title)}">']
    parts.append(f'<line x1="{left}" y1="{sy(0):.1f}" x2="{left + plot_w}" y2="{sy(0):.1f}" class="axis"/>')
    parts.append(f'<text x="{left - 6}" y="{sy(y1) + 4:.1f}" class="tick" text-anchor="end">{y1:.3g}</text>')
    parts.append(f'<text x="{left - 6}" y="{sy(0) + 4:.1f}" class="tick" text-anchor="end">0</text>')
    if reference is not None:
        parts.append(
            f'<line x1="{left}" y1="{sy(reference):.1f}" x2="{left + plot_w}" '
            f'y2="{sy(reference):.1f}" class="ref"/>'
        )
    for x, label in (x_labels or {}).items():
        parts.append(f'<text x="{sx(x):.1f}" y="{sy(0) + 16:.1f}" class="lab">{esc(label)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in sorted(pts))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            parts.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}">'
                f"<title>{esc(name)}: {y:.3g}</title></circle>"
            )
        parts.append(
            f'<rect x="{left + 4}" y="{4 + 20 * i}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 22}" y="{14 + 20 * i}" class="leg">{esc(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
