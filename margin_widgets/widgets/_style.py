"""Every pixel decision of the explorers: palette, line styles, markers, number formats, figures.

The palette is Okabe and Ito's colour-blind-safe set. Colour never carries meaning alone: the
two margin modes also differ by line style and marker (isolated = solid line + circles,
cross = dashed line + squares), and every line that matters is labelled or has a tooltip.

Explorer modules build their figures with the helpers here (:func:`figure`, :func:`axis`,
:func:`line`, :func:`points`, :func:`labels`, :func:`tooltip`) so that sizes, margins, fonts and
``animation_duration=0`` are the same everywhere.

Examples
--------
>>> format_price(57228.9157)
'57,228.92'
>>> format_price(None)
'--'
>>> format_percent(-0.04618)
'-4.6 %'
>>> MODE_STYLES["cross"].line_style, MODE_STYLES["cross"].marker
('dashed', 'square')
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bqplot as bq
import numpy as np

__all__ = [
    "COLORS",
    "FIGURE_HEIGHT",
    "FIGURE_WIDTH",
    "MODES",
    "MODE_STYLES",
    "ModeStyle",
    "axis",
    "css_kebab",
    "escape",
    "figure",
    "format_leverage",
    "format_number",
    "format_percent",
    "format_price",
    "format_usdt",
    "hline",
    "labels",
    "line",
    "mode_line",
    "mode_points",
    "points",
    "tooltip",
    "vline",
]

#: Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), by name.
COLORS: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#777777",
}

#: Semantic colours used by every explorer (all Okabe-Ito).
ENTRY_COLOR = COLORS["black"]
MARK_COLOR = COLORS["bluish_green"]
BANKRUPTCY_COLOR = COLORS["reddish_purple"]
LIMIT_COLOR = COLORS["orange"]
GUIDE_COLOR = COLORS["grey"]

FIGURE_WIDTH = "460px"
FIGURE_HEIGHT = "320px"
FIGURE_MARGIN = {"top": 40, "bottom": 50, "left": 75, "right": 20}
LABEL_SIZE = 13.0


@dataclass(frozen=True)
class ModeStyle:
    """How one margin mode is drawn.

    Attributes
    ----------
    color : str
        Okabe-Ito hex colour.
    line_style : str
        bqplot ``Lines.line_style`` (``"solid"``, ``"dashed"``, ``"dotted"``, ``"dash_dotted"``).
    marker : str
        bqplot ``Scatter.marker`` (``"circle"``, ``"square"``, ...).
    label : str
        Word used in legends, labels and descriptions.
    """

    color: str
    line_style: str
    marker: str
    label: str


#: The two margin modes, in display order.
MODES: tuple[str, str] = ("isolated", "cross")

#: Isolated = blue, solid, circles; cross = vermillion, dashed, squares.
MODE_STYLES: dict[str, ModeStyle] = {
    "isolated": ModeStyle(COLORS["blue"], "solid", "circle", "isolated"),
    "cross": ModeStyle(COLORS["vermillion"], "dashed", "square", "cross"),
}


# --------------------------------------------------------------------------- formatting


def format_number(value: float | None, decimals: int = 2) -> str:
    """Thousands separators and a fixed number of decimals; ``"--"`` for None, NaN or inf.

    Examples
    --------
    >>> format_number(1234567.891)
    '1,234,567.89'
    >>> format_number(float("nan"))
    '--'
    """
    if value is None or not math.isfinite(value):
        return "--"
    return f"{value:,.{decimals}f}"


def format_price(value: float | None) -> str:
    """A price as the exchange shows it: ``"57,228.92"``; ``"--"`` when there is none."""
    return format_number(value, 2)


def format_usdt(value: float | None, decimals: int = 2) -> str:
    """An amount in USDT: ``"5,000.00 USDT"`` (``"--"`` for None)."""
    text = format_number(value, decimals)
    return text if text == "--" else f"{text} USDT"


def format_percent(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage with a thin space: ``0.046 -> "4.6 %"``."""
    if fraction is None or not math.isfinite(fraction):
        return "--"
    return f"{fraction * 100:,.{decimals}f} %"


def format_leverage(value: float) -> str:
    """Leverage as ``"20x"`` (``"12.5x"`` when not whole)."""
    return f"{value:g}x"


def escape(text: str) -> str:
    """HTML-escape text for an ``HTML`` widget value."""
    return html.escape(text, quote=False)


def css_kebab(name: str) -> str:
    """CSS-style name: ``"MarginModeExplorer"`` -> ``"margin-mode-explorer"``.

    Underscores become hyphens too: ``"price_ladder"`` -> ``"price-ladder"``.
    """
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("-")
        out.append("-" if ch == "_" else ch.lower())
    return "".join(out)


# --------------------------------------------------------------------------- bqplot pieces


def tooltip(
    x_label: str, y_label: str, x_format: str = ",.2f", y_format: str = ",.2f"
) -> bq.Tooltip:
    """A tooltip showing a mark's x and y with labels that carry the units.

    Parameters
    ----------
    x_label, y_label : str
        Field labels, e.g. ``"leverage (x)"``, ``"liq. price (USDT)"``.
    x_format, y_format : str
        d3-format strings.
    """
    return bq.Tooltip(fields=["x", "y"], labels=[x_label, y_label], formats=[x_format, y_format])


def axis(
    scale: bq.Scale,
    label: str,
    *,
    vertical: bool = False,
    tick_format: str | None = None,
    grid: bool = True,
) -> bq.Axis:
    """An axis with a label that states the unit, e.g. ``"liquidation price (USDT)"``."""
    kwargs: dict[str, Any] = {
        "scale": scale,
        "label": label,
        "grid_lines": "dashed" if grid else "none",
        "label_offset": "55px" if vertical else "35px",
    }
    if vertical:
        kwargs["side"] = "left"  # bqplot 0.13: the side sets the orientation
    if tick_format is not None:
        kwargs["tick_format"] = tick_format
    return bq.Axis(**kwargs)


def line(
    scales: dict[str, bq.Scale],
    color: str,
    *,
    line_style: str = "solid",
    width: float = 2.0,
    marker: str | None = None,
    label: str = "",
    tip: bq.Tooltip | None = None,
    x: Sequence[float] | np.ndarray = (),
    y: Sequence[float] | np.ndarray = (),
) -> bq.Lines:
    """A ``Lines`` mark, empty unless ``x``/``y`` are given; NaN in ``y`` draws a gap."""
    kwargs: dict[str, Any] = {
        "x": np.asarray(x, dtype=float),
        "y": np.asarray(y, dtype=float),
        "scales": scales,
        "colors": [color],
        "line_style": line_style,
        "stroke_width": width,
        "labels": [label] if label else [],
        "display_legend": bool(label),
    }
    if marker is not None:
        kwargs["marker"] = marker
        kwargs["marker_size"] = 24
    if tip is not None:
        kwargs["tooltip"] = tip
    return bq.Lines(**kwargs)


def points(
    scales: dict[str, bq.Scale],
    color: str,
    *,
    marker: str = "circle",
    size: float = 80.0,
    label: str = "",
    tip: bq.Tooltip | None = None,
    x: Sequence[float] | np.ndarray = (),
    y: Sequence[float] | np.ndarray = (),
) -> bq.Scatter:
    """A ``Scatter`` mark (the current point, markers on a ladder)."""
    kwargs: dict[str, Any] = {
        "x": np.asarray(x, dtype=float),
        "y": np.asarray(y, dtype=float),
        "scales": scales,
        "colors": [color],
        "marker": marker,
        "default_size": size,
        "stroke": COLORS["black"],
        "labels": [label] if label else [],
        "display_legend": bool(label),
    }
    if tip is not None:
        kwargs["tooltip"] = tip
    return bq.Scatter(**kwargs)


def mode_line(scales: dict[str, bq.Scale], mode: str, label: str = "", **kwargs: Any) -> bq.Lines:
    """A line in the style of ``mode`` (``"isolated"``: solid, ``"cross"``: dashed)."""
    style = MODE_STYLES[mode]
    return line(
        scales, style.color, line_style=style.line_style, label=label or style.label, **kwargs
    )


def mode_points(
    scales: dict[str, bq.Scale], mode: str, label: str = "", **kwargs: Any
) -> bq.Scatter:
    """Markers in the style of ``mode`` (``"isolated"``: circles, ``"cross"``: squares)."""
    style = MODE_STYLES[mode]
    return points(scales, style.color, marker=style.marker, label=label, **kwargs)


def labels(
    scales: dict[str, bq.Scale],
    *,
    colors: Sequence[str] = (COLORS["black"],),
    align: str = "start",
    x_offset: int = 6,
    y_offset: int = -4,
    size: float = LABEL_SIZE,
) -> bq.Label:
    """An empty ``Label`` mark (set ``x``, ``y`` and ``text`` together inside ``hold_sync``)."""
    return bq.Label(
        x=np.zeros(0),
        y=np.zeros(0),
        text=np.array([], dtype=str),
        scales=scales,
        colors=list(colors),
        align=align,
        x_offset=x_offset,
        y_offset=y_offset,
        default_size=size,
        font_weight="normal",
        apply_clip=False,
    )


def hline(
    scales: dict[str, bq.Scale], color: str, *, line_style: str = "dotted", width: float = 1.5
) -> bq.Lines:
    """A horizontal guide; set its ``x`` to the x-range and ``y`` to ``[v, v]``."""
    return line(scales, color, line_style=line_style, width=width)


def vline(
    scales: dict[str, bq.Scale], color: str, *, line_style: str = "dotted", width: float = 1.5
) -> bq.Lines:
    """A vertical guide; set its ``x`` to ``[v, v]`` and ``y`` to the y-range."""
    return line(scales, color, line_style=line_style, width=width)


def figure(
    key: str,
    marks: Sequence[bq.Mark],
    axes: Sequence[bq.Axis],
    title: str,
    *,
    legend: bool = True,
    width: str = FIGURE_WIDTH,
    height: str = FIGURE_HEIGHT,
    legend_location: str = "top-left",
) -> bq.Figure:
    """A bqplot Figure with CSS class ``mw-figure-<key>`` and ``animation_duration=0``.

    Parameters
    ----------
    key : str
        Short name of the figure (``"price-ladder"``); underscores become hyphens.
    marks, axes : sequence
        bqplot marks and axes.
    title : str
        Figure title.
    legend : bool, default True
        Show the legend of marks that have ``labels``.
    """
    fig = bq.Figure(
        marks=list(marks),
        axes=list(axes),
        title=title,
        animation_duration=0,
        fig_margin=dict(FIGURE_MARGIN),
        legend_location=legend_location,
        legend_text={"font-size": "11px"},
        title_style={"font-size": "14px"},
        layout={"width": width, "height": height, "min_width": "300px"},
    )
    fig.add_class("mw-figure")
    fig.add_class(f"mw-figure-{css_kebab(key)}")
    if not legend:
        for mark in fig.marks:
            mark.display_legend = False
    return fig
