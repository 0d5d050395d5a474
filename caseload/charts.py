"""Charts drawn on the server as SVG: no CDN, no JavaScript, the same markup on the page and in
the PDF. Every label is escaped. Each chart sits beside a table of its numbers, which is what
screen readers use; the SVG carries a short title for them.
"""

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = "#1d70b8"
GUIDE = "#d4351c"
TEXT = "#0b0c0c"

# Character widths in ems, rounded up from DejaVu Sans: the PDF's font and the widest of the sans
# fonts the pages fall back to, so that a label measured with them fits whichever font draws it.
_NARROW = frozenset(" ijlIJ.,:;'!|/\\")  # at most 0.34 em
_SEMI_NARROW = frozenset('ftr-–()[]"*_`')  # at most 0.5 em
_WIDE = frozenset("mwMW%@#+<=>^~…")  # at most 1 em


def _em(character: str) -> float:
    if character in _NARROW:
        return 0.34
    if character in _SEMI_NARROW:
        return 0.5
    if character in _WIDE:
        return 1.0
    if character.isupper() or character == "&":
        return 0.8
    return 0.64  # lower case, digits and the rest


def text_width(text: str, font_size: float) -> float:
    """An upper estimate of how wide `text` is drawn at `font_size` (SVG user units)."""
    return sum(_em(character) for character in text) * font_size


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


# sin 45°: a column label is drawn turned 45° back from its anchor, so it reaches this share of its
# length (plus the ascent and descent) to the left of the anchor and below it.
_SLANT = 0.7072
_COLUMN_FONT = 10
_BAR_FONT = 11
_LINE = 13  # from one line of a wrapped bar label to the next
_LABEL_COLUMN_MOST = 260  # the widest a bar chart's label column grows before its labels wrap


def _wrap(text: str, font_size: float, most: float) -> list[str]:
    """`text` in lines at most `most` wide, broken between words; a word wider than a line on its
    own is broken between characters. Nothing is left out."""
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, font_size) <= most:
            lines[-1] = joined
            continue
        while len(word) > 1 and text_width(word, font_size) > most:
            cut = max((n for n in range(1, len(word)) if text_width(word[:n], font_size) <= most), default=1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def column_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    guides: Sequence[tuple[float, str]] = (),
    unit: str = "",
) -> SafeString:
    """Vertical bars, one per label (months, quarters), with optional horizontal guide lines
    (the 50–70 caseload band, for instance). The slanted labels under the bars set the margins
    below and to the left, so that the longest ("28 Nov 2026 (to date)") is drawn whole."""
    width, top, right, plot_height = 640, 16, 8, 176
    label_every = max(1, len(labels) // 12)
    shown = [(index, text_width(label, _COLUMN_FONT)) for index, label in enumerate(labels)][::label_every]
    longest = max((extent for _index, extent in shown), default=0)
    bottom = max(48, math.ceil(12 + _SLANT * (longest + 0.25 * _COLUMN_FONT)) + 2)
    height = top + plot_height + bottom
    # The anchor of label i is at left + step * (i + 0.5), with step = (width - right - left) / n:
    # the smallest left margin that keeps each label's slanted start at x >= 0.
    plot_width, count = width - right, max(len(labels), 1)
    left = 40
    for index, extent in shown:
        share = (index + 0.5) / count
        reach = _SLANT * (extent + 0.8 * _COLUMN_FONT) + 2
        left = max(left, math.ceil((reach - plot_width * share) / (1 - share)))
    numbers = [value or 0 for value in values]
    ceiling = max([*numbers, *(value for value, _ in guides), 1]) * 1.1
    step = (plot_width - left) / count
    parts = [
        _svg_open(width, height, title),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>', left, height - bottom, width, height - bottom, TEXT
        ),
    ]
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
                    '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
                    _f(x + step * 0.35),
                    _f(height - bottom - bar_height - 3),
                    _COLUMN_FONT,
                    TEXT,
                    _number(value),
                )
            )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}" '
                    'transform="rotate(-45 {} {})">{}</text>',
                    _f(x + step * 0.35),
                    height - bottom + 12,
                    _COLUMN_FONT,
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
                '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
                left,
                _f(y),
                width,
                _f(y),
                GUIDE,
                2,
                _f(y + 3),
                _COLUMN_FONT,
                GUIDE,
                name,
            )
        )
    return _join(parts)


def bar_chart(labels: Sequence[str], values: Sequence[float | None], *, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per category (PN codes, legal status, distance bands). The label
    column is as wide as the longest label, up to a limit past which labels wrap onto more lines
    (and their row grows to hold them): every label is drawn whole, never cut."""
    width, bar_height, gap = 640, 16, 6
    numbers = [value or 0 for value in values]
    wrapped = [_wrap(label, _BAR_FONT, _LABEL_COLUMN_MOST) for label in labels]
    widest = max((text_width(line, _BAR_FONT) for lines in wrapped for line in lines), default=0)
    label_width = math.ceil(widest) + 2 + gap  # where the bars start
    shown = [f"{_number(value)}{unit}" for value in numbers]
    value_room = max((text_width(value, _BAR_FONT) for value in shown), default=0) + 4 + 2
    ceiling = max([*numbers, 1])
    scale = (width - label_width - value_room) / ceiling
    rows = [max(22, _LINE * len(lines) + 9) for lines in wrapped]
    height = sum(rows) + 8
    parts = [_svg_open(width, height, title)]
    y = 4
    for label, lines, value, value_shown, row in zip(labels, wrapped, numbers, shown, rows, strict=True):
        middle = y + row / 2
        first = middle + 4 - (len(lines) - 1) * _LINE / 2  # the lines' baselines, centred on the bar
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}</title></rect>'
                '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
                label_width - gap,
                _f(first),
                _BAR_FONT,
                TEXT,
                format_html_join(
                    "",
                    '<tspan x="{}" y="{}">{}</tspan>',
                    ((label_width - gap, _f(first + n * _LINE), line) for n, line in enumerate(lines)),
                ),
                label_width,
                _f(middle - bar_height / 2),
                _f(value * scale),
                bar_height,
                BAR,
                label,
                _number(value),
                unit,
                _f(label_width + value * scale + 4),
                _f(middle + 4),
                _BAR_FONT,
                TEXT,
                value_shown,
            )
        )
        y += row
    return _join(parts)
