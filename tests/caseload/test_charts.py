"""The server-drawn SVG charts: no label is cut off. Every text element's extent,
estimated from its characters and font size, lies inside the chart's viewBox, for the longest
labels the dashboard really draws. No database: the chart builders take lists."""

import math
import re
import subprocess
import xml.etree.ElementTree as ET
from functools import cache

import pytest
from fontTools.ttLib import TTFont

from audits.codes import EscalationTheme
from caseload.charts import bar_chart, column_chart, text_width
from children.codes import LegalStatus, PlacementType, ReasonEpisodeCeased

SVG = "{http://www.w3.org/2000/svg}"

# The dashboard's bar labels are "code: label" for legal status (dashboard.legal_status); the
# longest code lists are here whether or not a panel draws them today.
LEGAL_STATUSES = [f"{status.value}: {status.label}" for status in LegalStatus]
LONGEST_LABELS = [
    max(choices.labels, key=len) for choices in (LegalStatus, PlacementType, ReasonEpisodeCeased, EscalationTheme)
]
MONTH_LABELS = [f"{month} 2025" for month in ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")] + [
    "Jan 2026",
    "Feb 2026",
    "28 Mar 2026 (to date)",
]


def _text_boxes(svg: str) -> tuple[tuple[float, float], list[tuple[str, list[tuple[float, float]]]]]:
    """The viewBox's size, and for each line of text its content and estimated corners (after any
    rotation): from the baseline, 0.8 of the font size up and 0.25 down, as wide as text_width."""
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    _x, _y, width, height = (float(part) for part in root.get("viewBox").split())
    boxes = []
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size"))
        anchor = text.get("text-anchor", "start")
        lines, x, y = [], float(text.get("x")), float(text.get("y"))
        if text.text and text.text.strip():
            lines.append((text.text, x, y))
        for tspan in text.iter(f"{SVG}tspan"):
            x = float(tspan.get("x", x))
            y = float(tspan.get("y", y)) + float(tspan.get("dy", 0))
            lines.append((tspan.text, x, y))
        angle, cx, cy = 0.0, 0.0, 0.0
        if transform := text.get("transform"):
            angle, cx, cy = (float(n) for n in re.fullmatch(r"rotate\((\S+) (\S+) (\S+)\)", transform).groups())
        for content, x, y in lines:
            extent = text_width(content, size)
            left = {"start": x, "middle": x - extent / 2, "end": x - extent}[anchor]
            corners = [(px, py) for px in (left, left + extent) for py in (y - 0.8 * size, y + 0.25 * size)]
            boxes.append((content, [_rotate(point, angle, cx, cy) for point in corners]))
    return (width, height), boxes


def _rotate(point: tuple[float, float], degrees: float, cx: float, cy: float) -> tuple[float, float]:
    turn = math.radians(degrees)
    dx, dy = point[0] - cx, point[1] - cy
    return cx + dx * math.cos(turn) - dy * math.sin(turn), cy + dx * math.sin(turn) + dy * math.cos(turn)


def _outside(svg: str) -> list[str]:
    (width, height), boxes = _text_boxes(svg)
    return [
        f"{content!r} at {[(round(x), round(y)) for x, y in corners]} (viewBox {width:g} x {height:g})"
        for content, corners in boxes
        if any(not (-0.01 <= x <= width + 0.01 and -0.01 <= y <= height + 0.01) for x, y in corners)
    ]


def _shown_text(svg: str) -> list[str]:
    """The words drawn as text (not the tooltips), line by line."""
    return [content for content, _corners in _text_boxes(svg)[1]]


@pytest.mark.parametrize(
    "labels",
    [LEGAL_STATUSES, LONGEST_LABELS, list(EscalationTheme.labels), ["PN0", "PN1"], ["A"], ["W" * 60, "M"]],
    ids=["legal-statuses", "longest-labels", "escalation-themes", "short-codes", "one-letter", "one-long-word"],
)
def test_every_bar_label_and_value_lies_inside_the_chart(labels):
    values = [1000 if i == 0 else i for i in range(len(labels))]
    assert _outside(bar_chart(labels, values, title="Children", unit="%")) == []


def test_a_long_bar_label_is_wrapped_whole_not_cut():
    labels = LONGEST_LABELS
    svg = bar_chart(labels, [3] * len(labels), title="Children")
    shown = " ".join(_shown_text(svg))
    for label in labels:
        assert label in shown.replace("\n", " ")
    assert "…" not in shown


def test_short_labels_leave_the_bars_their_room():
    """The label column is as wide as its longest label: PN codes do not get a 220-unit margin."""
    root = ET.fromstring(bar_chart(["PN0", "PN1"], [4, 2], title="Reviews"))  # noqa: S314
    bars = [float(rect.get("x")) for rect in root.iter(f"{SVG}rect")]
    assert max(bars) < 60


@pytest.mark.parametrize("count", [1, 12, 24, 36, 120])
def test_every_column_label_lies_inside_the_chart(count):
    labels = [*(MONTH_LABELS * 10)[: count - 1], "28 Mar 2026 (to date)"]
    values = [100.0 if i % 3 else 87.5 for i in range(count)]
    svg = column_chart(labels, values, title="Reviews in timescale", guides=[(50, "50"), (70, "70")], unit="%")
    assert _outside(svg) == []


@cache
def _dejavu_sans() -> TTFont:
    """The font the PDF sets (templates/reviews/pdf/base.html), through fontconfig as WeasyPrint
    finds it: the widest of the fonts the pages and the PDF use (the Dockerfile installs it)."""
    found = subprocess.run(
        ["fc-match", "--format=%{file}", "DejaVu Sans"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert found.endswith("DejaVuSans.ttf"), f"DejaVu Sans is not installed (fontconfig gave {found!r})"
    return TTFont(found)


@pytest.mark.parametrize("label", [*LEGAL_STATUSES, *LONGEST_LABELS, *MONTH_LABELS, "100%", "92.3", "–"])
def test_the_width_estimate_is_never_narrower_than_the_real_font(label):
    font = _dejavu_sans()
    glyphs, advances = font.getBestCmap(), font["hmtx"]
    real = sum(advances[glyphs[ord(character)]][0] for character in label) / font["head"].unitsPerEm * 11
    assert real <= text_width(label, 11) <= real * 1.25
