"""Charts drawn on the server as SVG: no CDN, no JavaScript, the same markup on the page and in
the PDF. Every label is escaped. Each chart sits beside a table of its numbers, which is what
screen readers use; the SVG carries a short title for them.
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = "#1d70b8"
GUIDE = "#d4351c"
TEXT = "#0b0c0c"


def _svg_open(width: int, height: int, title: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="chart" role="img" aria-label="{}">'
        "<title>{}</title>",
        width,
        height,
        title,
        title,
    )


def _join(parts: list[SafeString]) -> SafeString:
    """The SVG from its parts, each already built (and escaped) by format_html."""
    return format_html("{}</svg>", format_html_join("", "{}", ((part,) for part in parts)))


def _f(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def column_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    guides: Sequence[tuple[float, str]] = (),
    unit: str = "",
) -> SafeString:
    """Vertical bars, one per label (months, quarters), with optional horizontal guide lines
    (the 50–70 caseload band, for instance)."""
    width, height, left, bottom, top = 640, 240, 40, 48, 16
    plot_height = height - bottom - top
    numbers = [value or 0 for value in values]
    ceiling = max([*numbers, *(value for value, _ in guides), 1]) * 1.1
    step = (width - left - 8) / max(len(labels), 1)
    parts = [
        _svg_open(width, height, title),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>', left, height - bottom, width, height - bottom, TEXT
        ),
    ]
    label_every = max(1, len(labels) // 12)
    for index, (label, value) in enumerate(zip(labels, numbers, strict=True)):
        bar_height = plot_height * value / ceiling
        x = left + index * step + step * 0.15
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}</title></rect>',
                _f(x),
                _f(height - bottom - bar_height),
                _f(step * 0.7),
                _f(bar_height),
                BAR,
                label,
                _number(value),
                unit,
            )
        )
        if len(labels) <= 24:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="{}">{}</text>',
                    _f(x + step * 0.35),
                    _f(height - bottom - bar_height - 3),
                    TEXT,
                    _number(value),
                )
            )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="{}" '
                    'transform="rotate(-45 {} {})">{}</text>',
                    _f(x + step * 0.35),
                    height - bottom + 12,
                    TEXT,
                    _f(x + step * 0.35),
                    height - bottom + 12,
                    label,
                )
            )
    for value, name in guides:
        y = height - bottom - plot_height * value / ceiling
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"/>'
                '<text x="{}" y="{}" font-size="10" fill="{}">{}</text>',
                left,
                _f(y),
                width,
                _f(y),
                GUIDE,
                2,
                _f(y + 3),
                GUIDE,
                name,
            )
        )
    return _join(parts)


def bar_chart(labels: Sequence[str], values: Sequence[float | None], *, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per category (PN codes, legal status, distance bands)."""
    row, label_width, width = 22, 220, 640
    height = row * max(len(labels), 1) + 8
    numbers = [value or 0 for value in values]
    ceiling = max([*numbers, 1])
    scale = (width - label_width - 60) / ceiling
    parts = [_svg_open(width, height, title)]
    for index, (label, value) in enumerate(zip(labels, numbers, strict=True)):
        y = 4 + index * row
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}</title></rect>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{}{}</text>',
                label_width - 6,
                y + 14,
                TEXT,
                short,
                label_width,
                y + 2,
                _f(value * scale),
                row - 6,
                BAR,
                label,
                _number(value),
                unit,
                _f(label_width + value * scale + 4),
                y + 14,
                TEXT,
                _number(value),
                unit,
            )
        )
    return _join(parts)
