"""Small static SVG charts for the briefing and the situation reports (pure: no Django).

ECharts draws the interactive pages, but a report is archived as issued and printed by
WeasyPrint, which runs no JavaScript; so the report's charts are plain SVG, written here,
the same in the page and in the PDF. Text is escaped; sizes are in CSS pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = "Noto Sans CJK SC, sans-serif"
BAR = "#2f6db5"
BAR_LIGHT = "#b9cde6"
AXIS = "#8a94a3"
TEXT = "#2b3440"


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="{FONT}" font-size="11" fill="{TEXT}">')
    return head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"


def hbars(rows: Sequence[tuple[str, float]], *, title: str, width: int = 360, bar: int = 14,
          label_width: int = 110, previous: Sequence[float] | None = None) -> str:
    """Horizontal bars, one per (label, value), largest scale at the longest bar; with
    `previous`, a thin light bar under each for the same label's earlier value."""
    gap = 6
    height = max(1, len(rows)) * (bar + gap) + gap
    top = max([value for _label, value in rows] + list(previous or []) + [1.0])
    room = width - label_width - 40
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar + gap)
        length = room * value / top
        body.append(f'<text x="{label_width - 6}" y="{y + bar - 3}" text-anchor="end">{escape(label[:14])}</text>')
        if previous is not None and i < len(previous):
            old = room * previous[i] / top
            body.append(f'<rect x="{label_width}" y="{y + bar - 3}" width="{old:.1f}" height="3" fill="{BAR_LIGHT}"/>')
        body.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar - 4}" fill="{BAR}"/>')
        body.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 4}">{_number(value)}</text>')
    return _svg(width, height, title, body)


def columns(values: Sequence[float], *, title: str, labels: Sequence[str] = (), width: int = 360,
            height: int = 120, every: int = 1) -> str:
    """Vertical columns (a day-by-day or hour-of-day series); every `every`-th label shown."""
    bottom, left, top_pad = 18, 24, 14
    n = max(1, len(values))
    step = (width - left - 4) / n
    top = max(list(values) + [1.0])
    room = height - bottom - top_pad
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 2}" y2="{height - bottom}" stroke="{AXIS}"/>',
            f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{_number(top)}</text>']
    for i, value in enumerate(values):
        h = room * value / top
        x = left + i * step
        body.append(f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
                    f'height="{h:.1f}" fill="{BAR}"><title>{escape(labels[i] if i < len(labels) else "")} '
                    f'{_number(value)}</title></rect>')
        if i < len(labels) and i % max(every, 1) == 0:
            body.append(f'<text x="{x + step / 2:.1f}" y="{height - 5}" text-anchor="middle" font-size="9">'
                        f'{escape(labels[i])}</text>')
    return _svg(width, height, title, body)
