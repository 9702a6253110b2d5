"""Every pixel decision of the explorers: palette, line styles, markers, number formats, figures.

The palette, mode styles and number formats live in the numpy-free
:mod:`margin_widgets.widgets._format` (shared with the exercise widgets) and are re-exported
here. The palette is Okabe and Ito's colour-blind-safe set. Colour never carries meaning alone: the
two margin modes also differ by line style and marker (isolated = solid line + circles,
cross = dashed line + squares), and every line that matters is labelled or has a tooltip.

Explorer modules build their figures with the helpers here (:func:`figure`, :func:`axis`,
:func:`line`, :func:`points`, :func:`labels`, :func:`tooltip`) so that sizes, margins, fonts and
``animation_duration=0`` are the same everywhere. Their marks (:class:`Lines`, :class:`Scatter`,
:class:`Label`) keep what the explorer writes, NaN for a missing value, and send the browser only
what it can draw (:func:`drawable`): a missing value draws nothing, never invalid SVG.

Layout rules: every figure is :data:`FIGURE_WIDTH` wide (two fit side by side in a notebook),
axes have few ticks (:data:`X_TICKS`, :data:`Y_TICKS`), and the legend sits in the top-left
corner of the plot, in a band that the data never enters: explorers set their value scales with
:func:`headroom`, which reserves :data:`LEGEND_ROW_PX` pixels per legend entry above the data.

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

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import bqplot as bq
import numpy as np
from bqplot.traits import array_to_json
from traitlets import All

from margin_widgets.widgets._format import (
    BANKRUPTCY_COLOR,
    COLORS,
    ENTRY_COLOR,
    GUIDE_COLOR,
    LIMIT_COLOR,
    LIMIT_TEXT_COLOR,
    MARK_COLOR,
    MODE_STYLES,
    MODES,
    ModeStyle,
    css_kebab,
    escape,
    format_leverage,
    format_number,
    format_percent,
    format_price,
    format_usdt,
)

__all__ = [
    "BANKRUPTCY_COLOR",
    "COLORS",
    "ENTRY_COLOR",
    "FIGURE_HEIGHT",
    "FIGURE_WIDTH",
    "GUIDE_COLOR",
    "HIGH_CONTRAST",
    "LIMIT_COLOR",
    "LIMIT_TEXT_COLOR",
    "MARK_COLOR",
    "MODES",
    "MODE_STYLES",
    "PROJECTOR_CSS",
    "Bars",
    "Label",
    "Lines",
    "ModeStyle",
    "Scatter",
    "axes",
    "axis",
    "compact_format",
    "css_kebab",
    "decade_ticks",
    "drawable",
    "escape",
    "figure",
    "fits_right",
    "format_leverage",
    "format_number",
    "format_percent",
    "format_price",
    "format_step",
    "format_usdt",
    "headroom",
    "high_contrast",
    "hline",
    "labels",
    "legend_px",
    "line",
    "mode_line",
    "mode_points",
    "nice_ticks",
    "per_mode",
    "plot_height",
    "plot_width",
    "points",
    "projector_widths",
    "px",
    "round_up",
    "set_mark_data",
    "set_tick_count",
    "spread",
    "title_px",
    "tooltip",
    "vline",
]

#: Width of every figure: two side by side fit the output area of a 1280 px JupyterLab window.
FIGURE_WIDTH = "410px"
FIGURE_HEIGHT = "320px"
#: Height of a square-ish figure (a scenario cloud) and of its neighbour in the same row.
TALL_HEIGHT = "410px"
FIGURE_MARGIN = {"top": 40, "bottom": 50, "left": 75, "right": 20}
#: Right margin of a figure with a second value axis on the right.
RIGHT_AXIS_MARGIN = 60
LABEL_SIZE = 13.0
#: Smaller labels: guides and annotations next to lines.
SMALL_LABEL_SIZE = 11.0
#: Approximate number of ticks of horizontal and vertical axes (d3 picks round values).
X_TICKS = 5
Y_TICKS = 5
#: Height of one legend entry (bqplot draws entries 16 px apart) and the gap below the legend.
LEGEND_ROW_PX = 16
LEGEND_GAP_PX = 12
#: Width of one character of an 11 px label, to keep right-hand labels inside the plot.
CHAR_PX = 6.5


# --------------------------------------------------------------------------- drawable data
#
# bqplot draws invalid SVG (a console error in every front end) for numbers it cannot place:
# a ``Lines`` curve with no finite point gets ``d="null"``; its hidden end-of-curve label and
# its markers are translated to the last (every) point, ``translate(x,undefined)`` when that
# point is NaN; a ``Scatter`` or ``Label`` entry with a NaN coordinate gets the same transform.
# The marks below keep the explorers' data as written (NaN where the engine has no value) and
# send the browser only what it can draw.


def _finite(values: np.ndarray) -> np.ndarray:
    """Boolean mask of the entries of a 1-d array that a scale can place."""
    if values.dtype.kind in "fc":
        return np.asarray(np.isfinite(values))
    if values.dtype.kind == "M":
        return np.asarray(~np.isnat(values))
    if values.dtype.kind == "O":
        return np.array([_finite_number(v) for v in values], dtype=bool)
    return np.ones(values.shape, dtype=bool)


def _finite_number(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return value is not None


def _drawable_curve(
    x: np.ndarray, y: np.ndarray, markers: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    """One curve as bqplot can draw it, or None if it already can.

    No finite point: empty. With markers (drawn at every point): the finite points only.
    Otherwise the span from the first to the last finite point, NaN gaps inside kept (a point
    with a non-finite x becomes a gap too).
    """
    n = min(len(x), len(y))
    ok = _finite(x[:n]) & _finite(y[:n])
    if len(x) == len(y) and bool(ok.all()):
        return None
    if not ok.any():
        return x[:0], y[:0]
    if markers:
        return x[:n][ok], y[:n][ok]
    where = np.flatnonzero(ok)
    first, last = int(where[0]), int(where[-1]) + 1
    xs, ys = x[first:last], y[first:last]
    bad_x = ~_finite(xs)
    if bad_x.any():
        ys = ys.astype(float, copy=True)
        ys[bad_x] = np.nan
    return xs, ys


def _drawable_lines(mark: bq.Lines) -> dict[str, Any]:
    x, y = np.asarray(mark.x), np.asarray(mark.y)
    markers = mark.marker is not None
    if x.ndim <= 1 and y.ndim <= 1:
        curve = _drawable_curve(x.reshape(-1), y.reshape(-1), markers)
        return {} if curve is None else {"x": curve[0], "y": curve[1]}
    if y.ndim != 2:
        return {}
    # several curves: drop those with no finite point (their per-curve styles with them) and
    # trim the points that no curve has at either end
    xs = x if x.ndim == 2 else np.broadcast_to(x.reshape(1, -1), (y.shape[0], x.size))
    if xs.shape != y.shape:
        return {}
    ok = np.array([_finite(xr) & _finite(yr) for xr, yr in zip(xs, y, strict=True)])
    if ok.size and bool(ok.all()):
        return {}
    rows = np.asarray(ok.any(axis=1) if ok.size else np.zeros(y.shape[0], dtype=bool))
    if not rows.any():
        return {"x": x.reshape(-1)[:0], "y": y.reshape(-1)[:0]}
    columns = np.flatnonzero(ok[rows].any(axis=0))
    span = slice(int(columns[0]), int(columns[-1]) + 1)
    out: dict[str, Any] = {"y": y[rows][:, span]}
    out["x"] = x[rows][:, span] if x.ndim == 2 else x[span]
    if not rows.all():
        for name in ("labels", "colors", "opacities", "fill_colors", "fill_opacities"):
            values = list(getattr(mark, name) or [])
            if len(values) == len(rows):
                out[name] = [v for v, keep in zip(values, rows.tolist(), strict=True) if keep]
    return out


#: Per-entry data of a ``Scatter`` or ``Label``: an entry dropped is dropped from each.
_ENTRY_TRAITS = ("color", "opacity", "rotation", "size", "skew", "names", "text")
#: Style lists that cycle over the entries (entry ``i`` takes item ``i % len``).
_CYCLED_TRAITS = ("colors", "opacities")


def _drawable_entries(mark: bq.Mark) -> dict[str, Any]:
    """The entries of a ``Scatter`` or ``Label`` that have a finite position, styles aligned."""
    x, y = np.asarray(mark.x).reshape(-1), np.asarray(mark.y).reshape(-1)
    n = min(len(x), len(y))
    ok = _finite(x[:n]) & _finite(y[:n])
    if len(x) == len(y) and bool(ok.all()):
        return {}
    out: dict[str, Any] = {"x": x[:n][ok], "y": y[:n][ok]}
    for name in _ENTRY_TRAITS:
        if not mark.has_trait(name):
            continue
        values = getattr(mark, name)
        if values is None or isinstance(values, str):
            continue
        array = np.asarray(values)
        if array.ndim == 1 and len(array) >= n and len(array) > 1:
            out[name] = array[:n][ok]
    for name in _CYCLED_TRAITS:
        values = list(getattr(mark, name) or [])
        if len(values) > 1:
            out[name] = [values[i % len(values)] for i in np.flatnonzero(ok)]
    return out


def drawable(mark: bq.Mark) -> dict[str, Any]:
    """The data traits of ``mark`` that must reach the browser changed to be drawable.

    Empty when the mark's data can be drawn as it is. Lines: a curve with no finite point is
    sent empty, one with NaN at its ends is trimmed to its finite span (gaps inside stay);
    with markers only the finite points are sent. Scatter and Label: entries with a non-finite
    coordinate are dropped, with their text, colour, size, ... entries.

    Examples
    --------
    >>> nan = float("nan")
    >>> drawable(Lines(x=[1.0, 2.0, 3.0], y=[nan, nan, nan]))
    {'x': array([], dtype=float64), 'y': array([], dtype=float64)}
    >>> drawable(Lines(x=[1.0, 2.0, 3.0, 4.0], y=[5.0, nan, 6.0, nan]))["y"].tolist()
    [5.0, nan, 6.0]
    >>> drawable(Lines(x=[1.0, 2.0], y=[5.0, 6.0]))
    {}
    >>> cleaned = drawable(Label(x=[0.1, 0.5], y=[57_228.92, nan], text=["iso", "cross"]))
    >>> cleaned["x"].tolist(), cleaned["text"].tolist()
    ([0.1], ['iso'])
    """
    if isinstance(mark, bq.Lines):
        return _drawable_lines(mark)
    if isinstance(mark, bq.Scatter | bq.Label):
        return _drawable_entries(mark)
    return {}


# --------------------------------------------------------------------------- projector look
#
# A classroom projector washes out light colours and thin lines, and the back row cannot read
# 11 px text. The projector look (``Explorer(projector=True)`` or
# ``margin_widgets.settings(projector=True)``) changes only what the browser is sent: marks keep
# the explorer's colours and sizes (tests and readers see them), and their state goes out with
# the high-contrast colour, thicker lines, larger markers and larger label text below.

#: High-contrast variant of the palette: each Okabe-Ito hue darkened until it reaches a contrast
#: ratio of at least 4.5:1 on white (WCAG AA for text), so lines and labels stay visible on a
#: washed-out projector; the hues stay those of the palette.
HIGH_CONTRAST: dict[str, str] = {
    COLORS["orange"]: "#A85F00",
    COLORS["sky_blue"]: "#1F6FA8",
    COLORS["bluish_green"]: "#00775A",
    COLORS["yellow"]: "#7A7000",
    COLORS["blue"]: "#004E7C",
    COLORS["vermillion"]: "#B23A00",
    COLORS["reddish_purple"]: "#A3487F",
    COLORS["grey"]: "#555555",
}
#: Projector factors: line widths, marker areas, label text.
PROJECTOR_STROKE = 1.6
PROJECTOR_MARKER_AREA = 1.1
PROJECTOR_LABEL_TEXT = 1.25
#: Projector text of axes and figures (px); category ticks (account names side by side) stay
#: smaller so that neighbours never touch.
PROJECTOR_TICK_PX = 14
PROJECTOR_CATEGORY_TICK_PX = 12
PROJECTOR_LEGEND_PX = 14
PROJECTOR_TITLE_PX = 17
#: The smallest title or legend text (px) a narrow figure falls back to rather than clip it.
PROJECTOR_MIN_TITLE_PX = 10
#: Extra room (px) left of a vertical axis for its larger tick labels.
PROJECTOR_AXIS_ROOM_PX = 12
#: Width (px) an explorer may fill in the projector look: a notebook's output area in
#: JupyterLab on a 1024 px wide screen with the side bar closed.
PROJECTOR_WIDTH_PX = 836
#: Gap between figures in a row (px).
FIGURE_GAP_PX = 6

#: The projector look's style sheet, scoped to explorers carrying the class ``mw-projector``:
#: larger widget text (ipywidgets' own CSS variables), controls in two columns, the charts in
#: one row, larger axis labels. Explorers add it only while the look is on.
PROJECTOR_CSS = """<style>
.mw-projector {
  --jp-widgets-font-size: 16px;
  --jp-widgets-inline-height: 32px;
  --jp-widgets-inline-label-width: 150px;
  font-size: 16px;
}
.mw-projector .mw-controls {
  flex-flow: row wrap !important;
  column-gap: 16px;
  align-items: flex-start;
  width: 100%;
}
.mw-projector .mw-controls .widget-label {
  white-space: normal;
  line-height: 1.1;
  height: auto;
}
.mw-projector .mw-controls > * {
  width: calc(50% - 12px) !important;
  max-width: 420px;
  box-sizing: border-box;
}
.mw-projector .mw-controls > .widget-hbox { width: 100% !important; max-width: none; }
.mw-projector .mw-figures { flex-wrap: nowrap !important; column-gap: 6px; }
.mw-projector .mw-readout, .mw-projector .mw-description, .mw-projector .mw-status {
  font-size: 17px;
}
.mw-projector .bqplot .axislabel { font-size: 15px !important; }
.mw-projector .widget-readout { font-size: 14px; min-width: 108px !important; }
.mw-projector .mw-controls .jupyter-button {
  width: auto !important;
  flex: 0 0 auto !important;
  min-width: 2.5em;
}
</style>"""


def high_contrast(color: Any) -> Any:
    """The projector variant of a colour (unchanged when it has none).

    Examples
    --------
    >>> high_contrast("#E69F00"), high_contrast("#e69f00"), high_contrast("black")
    ('#A85F00', '#A85F00', 'black')
    """
    if isinstance(color, str):
        return HIGH_CONTRAST.get(color.upper(), color)
    return color


def projector_widths(count: int, width: str = FIGURE_WIDTH) -> str:
    """Width of each of ``count`` figures sharing one row in the projector look.

    Figures keep their width when the row fits :data:`PROJECTOR_WIDTH_PX`, else share it.

    Examples
    --------
    >>> projector_widths(2), projector_widths(3)
    ('410px', '274px')
    """
    room = (PROJECTOR_WIDTH_PX - FIGURE_GAP_PX * max(count - 1, 0)) // max(count, 1)
    return f"{min(px(width), room):.0f}px"


def title_px(title: str, width: str) -> int:
    """Font size (px) of a figure's title in the projector look: large unless it would clip.

    Titles are :data:`PROJECTOR_TITLE_PX`; a long title over a narrow figure gets the size at
    which it fits (about 0.56 em a character in the default sans-serif font), never below
    :data:`PROJECTOR_MIN_TITLE_PX`.

    Examples
    --------
    >>> title_px("Price ladder", "274px")
    17
    >>> title_px("Funding paid, by the wallet that pays it", "274px")
    10
    """
    # bqplot centres a title over the plot area, which sits right of the figure's centre
    room = px(width) - FIGURE_MARGIN["left"] - PROJECTOR_AXIS_ROOM_PX + FIGURE_MARGIN["right"]
    fits = int((room - 8) / (0.62 * max(len(title), 1)))
    return max(PROJECTOR_MIN_TITLE_PX, min(PROJECTOR_TITLE_PX, fits))


def legend_px(labels: Sequence[str], width: str) -> int:
    """Legend text size (px) in the projector look: large unless the longest entry would clip.

    The top-left legend starts about 100 px into the figure (the left margin and the sample).

    Examples
    --------
    >>> legend_px(["isolated liq. price"], "410px"), legend_px(["cross wallet (A + B)"], "274px")
    (14, 13)
    """
    longest = max((len(t) for t in labels), default=0)
    if not longest:
        return PROJECTOR_LEGEND_PX
    fits = int((px(width) - 110) / (0.6 * longest))
    return max(PROJECTOR_MIN_TITLE_PX, min(PROJECTOR_LEGEND_PX, fits))


def projector_ticks(width: str, vertical: bool) -> int | None:
    """Tick count of a horizontal axis in a figure ``width`` wide in the projector look.

    ``None`` (the axis's own count) for vertical axes and for figures of full width; about
    three ticks for a figure narrower than :data:`FIGURE_WIDTH`, whose 14 px tick labels such
    as ``"60,000"`` would otherwise touch.

    Examples
    --------
    >>> projector_ticks("289px", vertical=False), projector_ticks("410px", vertical=False)
    (3, None)
    """
    if vertical or px(width) >= px(FIGURE_WIDTH):
        return None
    return 3


class _Looked:
    """Mixin of a bqplot mark sent to the browser in the projector look when ``projector``.

    Colours (``colors``, ``fill_colors``, ``stroke``) go out in their :data:`HIGH_CONTRAST`
    variant, line widths times :data:`PROJECTOR_STROKE`, marker areas times
    :data:`PROJECTOR_MARKER_AREA`, label text times :data:`PROJECTOR_LABEL_TEXT`. The traits
    themselves never change.
    """

    _LOOK: ClassVar[tuple[str, ...]] = (
        "colors",
        "fill_colors",
        "stroke",
        "stroke_width",
        "default_size",
        "marker_size",
    )
    projector = False
    text_scale = PROJECTOR_LABEL_TEXT

    def set_projector(self, on: bool, text_scale: float = PROJECTOR_LABEL_TEXT) -> None:
        """Switch the projector look of this mark (re-sends the traits it changes).

        ``text_scale`` enlarges label text (1.0 in a figure narrower than the default, whose
        labels have no more room).
        """
        if self.projector == on and self.text_scale == text_scale:
            return
        self.projector = on
        self.text_scale = text_scale
        mark: Any = self
        keys = [name for name in self._LOOK if mark.has_trait(name)]
        if keys and getattr(mark, "comm", None) is not None:
            mark.send_state(keys)

    def _looked(self, state: dict[str, Any]) -> dict[str, Any]:
        if not self.projector:
            return state
        for name in ("colors", "fill_colors"):
            if isinstance(state.get(name), list):
                state[name] = [high_contrast(c) for c in state[name]]
        if "stroke" in state:
            state["stroke"] = high_contrast(state["stroke"])
        if isinstance(state.get("stroke_width"), int | float) and isinstance(self, bq.Lines):
            state["stroke_width"] = state["stroke_width"] * PROJECTOR_STROKE
        if isinstance(state.get("default_size"), int | float):
            factor = self.text_scale if isinstance(self, bq.Label) else PROJECTOR_MARKER_AREA
            state["default_size"] = state["default_size"] * factor
        if isinstance(state.get("marker_size"), int | float):
            state["marker_size"] = state["marker_size"] * PROJECTOR_MARKER_AREA
        return state

    def _sent(self, state: dict[str, Any]) -> dict[str, Any]:
        """The state as the browser gets it, before the look (subclasses clean data here)."""
        return state

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        if key is None or drop_defaults:
            state: dict[str, Any] = super().get_state(key=key, drop_defaults=drop_defaults)  # type: ignore[misc]
        else:  # ipywidgets' get_state of these keys, float arrays serialized directly
            mark: Any = self
            state = {
                name: _to_json(mark, name, getattr(mark, name))
                for name in ([key] if isinstance(key, str) else key)
            }
        return self._looked(self._sent(state))


_FLOAT64 = np.dtype("float64")


def _to_json(mark: Any, name: str, value: Any) -> Any:
    """``mark``'s trait ``name`` as ipywidgets sends it (its ``to_json``).

    A C-contiguous float64 array of a trait serialized by bqplot's ``array_to_json`` is written
    here, as ``array_to_json`` writes it (``{"value": memoryview, "dtype": "float64", "shape",
    "type": None}``) without its type checks: a tenth of the time, on every curve sent.
    """
    to_json = mark.trait_metadata(name, "to_json", mark._trait_to_json)
    if (
        to_json is array_to_json
        and type(value) is np.ndarray
        and value.dtype is _FLOAT64
        and value.flags.c_contiguous
    ):
        return {"value": value.data, "dtype": "float64", "shape": value.shape, "type": None}
    return to_json(value, mark)


class _Drawable(_Looked):
    """Mixin of a bqplot mark whose state, as sent to the browser, is :func:`drawable`.

    The traits keep what the explorer wrote (NaN where a value is missing), so tests and
    readers see the engine's numbers. Data that can be drawn as it is goes out as it is, only
    the traits that changed. When the data needs cleaning, a send carries the traits the
    cleaning changed, cleaned, with the positions ``x`` and ``y`` always together (a trimmed
    ``y`` needs its trimmed ``x``); the next send realigns every trait that went out cleaned,
    so the browser's copies stay aligned.
    """

    _DATA: ClassVar[tuple[str, ...]] = ()
    #: the data traits the browser holds cleaned copies of (the next send realigns them)
    _sent_cleaned: frozenset[str] = frozenset()

    def _sent(self, state: dict[str, Any]) -> dict[str, Any]:
        if not any(name in state for name in self._DATA):
            return state
        mark: Any = self
        cleaned = drawable(mark)
        if not cleaned and not self._sent_cleaned:
            return state
        names = set(cleaned) | self._sent_cleaned
        if names & _POSITIONS or _POSITIONS & set(state):
            names |= _POSITIONS
        self._sent_cleaned = frozenset(cleaned)
        for name in self._DATA:
            if name not in names or not mark.has_trait(name):
                continue
            value = cleaned[name] if name in cleaned else getattr(mark, name)
            state[name] = _to_json(mark, name, value)
        return state


#: The data traits that place entries: cleaned together, sent together.
_POSITIONS = frozenset({"x", "y"})


class Bars(_Looked, bq.Bars):
    """``bqplot.Bars`` that follows the projector look."""


class Lines(_Drawable, bq.Lines):
    """``bqplot.Lines`` that never sends an undrawable curve (see :func:`drawable`)."""

    _DATA = ("x", "y", "labels", "colors", "opacities", "fill_colors", "fill_opacities")


class Scatter(_Drawable, bq.Scatter):
    """``bqplot.Scatter`` that never sends a point without a finite position."""

    _DATA = ("x", "y", *_ENTRY_TRAITS, *_CYCLED_TRAITS)


class Label(_Drawable, bq.Label):
    """``bqplot.Label`` that never sends a text without a finite position."""

    _DATA = ("x", "y", *_ENTRY_TRAITS, *_CYCLED_TRAITS)


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
    num_ticks: int | None = None,
    side: str | None = None,
    tick_values: Sequence[float] | np.ndarray | None = None,
) -> bq.Axis:
    """An axis with a label that states the unit, e.g. ``"liquidation price (USDT)"``.

    On a linear scale the ticks follow the scale's range (:func:`nice_ticks`): about
    ``num_ticks`` round values, by default :data:`Y_TICKS` (vertical) or :data:`X_TICKS`
    (horizontal), so tick labels such as ``"50,000"`` never run into each other.
    ``side="right"`` puts a vertical axis on the right (a second value scale). ``tick_values``
    fixes the ticks (e.g. none in the legend band above the data).
    """
    kwargs: dict[str, Any] = {
        "scale": scale,
        "label": label,
        "grid_lines": "dashed" if grid else "none",
        "label_offset": ("45px" if side == "right" else "55px") if vertical else "35px",
    }
    if vertical:
        kwargs["side"] = side or "left"  # bqplot 0.13: the side sets the orientation
    if tick_format is not None:
        kwargs["tick_format"] = tick_format
    count = num_ticks if num_ticks is not None else (Y_TICKS if vertical else X_TICKS)
    if tick_values is not None:
        kwargs["tick_values"] = np.asarray(tick_values, dtype=float)
    result = bq.Axis(**kwargs)
    if tick_values is None and isinstance(scale, bq.LinearScale):
        _follow_scale(result, scale, count)
    return result


# --------------------------------------------------------------------------- writing marks


def set_mark_data(mark: Any, *, check: bool = True, **traits: Any) -> bool:
    """Set a mark's data traits in place, in one message, skipping those that did not change.

    Arrays are compared by value (NaN equal to NaN), so an unchanged curve sends nothing.
    Everything is set inside ``mark.hold_sync()``; the figure is never rebuilt. Write NaN for a
    missing value: the marks of :mod:`margin_widgets.widgets._style` send the browser only the
    points and entries it can draw (:func:`~margin_widgets.widgets._style.drawable`).

    A bqplot widget whose changed traits nobody observes or cross-validates (the usual case:
    marks are written, never watched) takes a short path: each value is validated by its trait
    and stored, and the changed traits go out in one ``send_state``, the same message
    ``hold_sync`` would send, without traitlets' per-trait notification round (a third of an
    update's time). A scale whose only observers are its axes' round ticks (:func:`axis`) takes
    it too, and its axes follow once, after the scale's message.

    Parameters
    ----------
    mark : bqplot.Mark
        The mark (``Lines``, ``Scatter``, ``Label``, ...), or any widget (a scale).
    check : bool, default True
        Compare with the current values first; pass False when the caller already knows the
        data changed (saves the comparison on a hot path).
    **traits
        New values, e.g. ``x=..., y=..., text=[...]``.

    Returns
    -------
    bool
        Whether anything was sent.
    """
    if check:
        changed = {
            name: value for name, value in traits.items() if not _same(value, getattr(mark, name))
        }
        if not changed:
            return False
    else:
        changed = traits
    if _write_unobserved(mark, changed):
        return True
    # observers (an axis following its scale's range) run once all traits are set
    with mark.hold_sync(), mark.hold_trait_notifications():
        for name, value in changed.items():
            setattr(mark, name, value)
    return True


def _same(new: Any, current: Any) -> bool:
    """Whether a trait's new value equals its current one (arrays by value, NaN equal to NaN).

    Float arrays of one dtype compare bit for bit: a NaN, or a zero of the other sign, counts
    as a change (one message more, never one missed).
    """
    if isinstance(new, np.ndarray) or isinstance(current, np.ndarray):
        a, b = np.asarray(new), np.asarray(current)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        if a.dtype.kind == "f" and a.dtype == b.dtype:
            return a.tobytes() == b.tobytes()
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    return bool(current == new)


def _write_unobserved(mark: Any, changed: Mapping[str, Any]) -> bool:
    """Store and send ``changed`` on a bqplot widget nobody watches; False (nothing done) else.

    Taken only for a bqplot ``Mark``, ``Scale`` or ``Axis`` whose changed traits have no
    cross-validator, no value the browser is sending at this moment, and no observer but the
    round-tick followers of :func:`axis` (run once, after the message). Each value goes
    through its trait's own validation, so the stored value is what ``setattr`` would store;
    the message is the one ``hold_sync`` would send (``tests/widgets/test_base.py`` compares
    the two).
    """
    if not isinstance(mark, bq.Mark | bq.Scale | bq.Axis):
        return False
    notifiers, validators = mark._trait_notifiers, mark._trait_validators
    if mark._property_lock or All in notifiers:
        return False
    followers: list[Callable[..., None]] = []
    for name in changed:
        if name in validators:
            return False
        for handlers in notifiers.get(name, {}).values():
            for handler in handlers:
                if not getattr(handler, "mw_follower", False):
                    return False
                if handler not in followers:
                    followers.append(handler)
    cls = type(mark)
    stored = {name: getattr(cls, name)._validate(mark, value) for name, value in changed.items()}
    mark._trait_values.update(stored)
    if mark._holding_sync:
        mark._states_to_send.update(stored)
    elif mark.comm is not None and getattr(mark.comm, "kernel", True) is not None:
        mark.send_state(list(stored))
    for follow in followers:
        follow()
    return True


def nice_ticks(low: float, high: float, count: int = X_TICKS, min_step: float = 0.0) -> np.ndarray:
    """About ``count`` round tick values (steps of 1, 2 or 5 times a power of ten).

    bqplot's own ``num_ticks`` spaces ticks evenly between the scale's ends (``48,991``,
    ``52,907``, ...); these are the values a reader expects. The step is never below
    ``min_step`` (a power of ten): ticks the axis's format would print alike (``0``, ``0``,
    ``1`` for 0, 0.4 and 0.8 at no decimals) are never drawn.

    Examples
    --------
    >>> nice_ticks(48_991.0, 64_654.0).tolist()
    [50000.0, 55000.0, 60000.0]
    >>> nice_ticks(1.0, 125.0).tolist()
    [20.0, 40.0, 60.0, 80.0, 100.0, 120.0]
    >>> nice_ticks(-0.3, 0.3).tolist()
    [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]
    >>> nice_ticks(0.0, 1.0).tolist(), nice_ticks(0.0, 1.0, min_step=1.0).tolist()
    ([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [0.0, 1.0])
    """
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        return np.zeros(0)
    raw = (high - low) / (max(count, 1) * 1.3)
    power = 10.0 ** math.floor(math.log10(raw))
    # the smallest round step that gives at most 1.3 * ``count`` intervals
    step = next(power * m for m in (1.0, 2.0, 5.0, 10.0) if power * m >= raw * (1 - 1e-9))
    step = max(step, min_step)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return np.array([round(k * step, 12) for k in range(first, last + 1)], dtype=float)


def format_step(tick_format: str | None) -> float:
    """The smallest step between values that a d3 number format prints differently.

    ``10^-d`` for a fixed-point format with ``d`` decimals, ``10^-(d+2)`` for a percentage;
    0 for a format that adapts its digits (SI, significant digits) or none.

    Examples
    --------
    >>> format_step(",.0f"), format_step(".2f"), format_step(".0%"), format_step("~s")
    (1.0, 0.01, 0.01, 0.0)
    """
    match = re.fullmatch(r"[^.]*\.(\d+)~?([f%])", tick_format or "")
    if match is None:
        return 0.0
    digits = int(match.group(1)) + (2 if match.group(2) == "%" else 0)
    return float(f"1e-{digits}")


def _follow_scale(axis_: bq.Axis, scale: bq.LinearScale, count: int) -> None:
    """Keep ``axis_.tick_values`` on round numbers whenever the scale's range is set."""

    def update(_change: Any = None) -> None:
        if scale.min is None or scale.max is None:
            return
        step = format_step(axis_.tick_format)
        ticks = nice_ticks(scale.min, scale.max, axis_.mw_tick_count, step)
        set_mark_data(axis_, tick_values=ticks)

    # set_mark_data writes the scale without traitlets' notifications and runs this itself
    update.mw_follower = True  # type: ignore[attr-defined]
    axis_.mw_tick_count = count
    axis_.mw_default_tick_count = count
    axis_.mw_follow = update
    scale.observe(update, names=["min", "max"])
    update()


def set_tick_count(axis_: bq.Axis, count: int | None) -> None:
    """Ask an axis that follows its scale (:func:`axis`) for about ``count`` ticks.

    ``None`` restores the axis's own count; an axis with fixed ticks is left alone. A narrow
    figure with large tick text (the projector look) needs fewer ticks to keep them apart.
    """
    follow = getattr(axis_, "mw_follow", None)
    if follow is None:
        return
    count = axis_.mw_default_tick_count if count is None else count
    if count != axis_.mw_tick_count:
        axis_.mw_tick_count = count
        follow()


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
    kwargs = _mark_kwargs(scales, color, label, tip, x, y)
    kwargs.update(line_style=line_style, stroke_width=width)
    if marker is not None:
        kwargs["marker"] = marker
        kwargs["marker_size"] = 24
    return Lines(**kwargs)


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
    kwargs = _mark_kwargs(scales, color, label, tip, x, y)
    kwargs.update(marker=marker, default_size=size, stroke=COLORS["black"])
    return Scatter(**kwargs)


def _mark_kwargs(
    scales: dict[str, bq.Scale],
    color: str,
    label: str,
    tip: bq.Tooltip | None,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
) -> dict[str, Any]:
    """What every mark of :func:`line` and :func:`points` is made with (data, colour, legend)."""
    kwargs: dict[str, Any] = {
        "x": np.asarray(x, dtype=float),
        "y": np.asarray(y, dtype=float),
        "scales": scales,
        "colors": [color],
        "labels": [label] if label else [],
        "display_legend": bool(label),
    }
    if tip is not None:
        kwargs["tooltip"] = tip
    return kwargs


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


def per_mode(
    make: Callable[..., bq.Mark], scales: dict[str, bq.Scale], label: str = "", **kwargs: Any
) -> dict[str, bq.Mark]:
    """One mark per margin mode, ``{"isolated": ..., "cross": ...}``, made by ``make``.

    ``make`` is :func:`mode_line` or :func:`mode_points`; ``label`` may name the mode, as in
    ``"{mode} liq. price"``; ``kwargs`` (a tooltip, a size) go to every mark.
    """
    return {mode: make(scales, mode, label=label.format(mode=mode), **kwargs) for mode in MODES}


def axes(
    scales: dict[str, bq.Scale],
    x_label: str,
    y_label: str,
    *,
    x_format: str | None = None,
    y_format: str | None = None,
) -> list[bq.Axis]:
    """The horizontal and the vertical :func:`axis` of ``scales["x"]`` and ``scales["y"]``."""
    return [
        axis(scales["x"], x_label, tick_format=x_format),
        axis(scales["y"], y_label, vertical=True, tick_format=y_format),
    ]


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
    return Label(
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
    margin: dict[str, int] | None = None,
) -> bq.Figure:
    """A bqplot Figure with CSS class ``mw-figure-<key>`` and ``animation_duration=0``.

    The legend sits top-left (bqplot places right-hand legends by character count, often over
    the data); give it room with :func:`headroom`.

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
    margin : dict, optional
        Figure margins in px (default :data:`FIGURE_MARGIN`).
    """
    fig = bq.Figure(
        marks=list(marks),
        axes=list(axes),
        title=title,
        animation_duration=0,
        fig_margin=dict(margin or FIGURE_MARGIN),
        legend_location=legend_location,
        legend_text={"font-size": "11px"},
        # bqplot sizes the legend box from character counts (about twice the text): no box
        legend_style={"display": "none"},
        title_style={"font-size": "14px"},
        layout={"width": width, "height": height, "min_width": "300px"},
    )
    fig.add_class("mw-figure")
    fig.add_class(f"mw-figure-{css_kebab(key)}")
    if not legend:
        for mark in fig.marks:
            mark.display_legend = False
    return fig


# --------------------------------------------------------------------------- layout arithmetic


def px(size: str) -> float:
    """A CSS size in px as a number (``"410px"`` -> 410.0)."""
    return float(size.removesuffix("px"))


def plot_height(height: str = FIGURE_HEIGHT) -> float:
    """Height in px of the plot area of a figure ``height`` tall (margins removed).

    Examples
    --------
    >>> plot_height()
    230.0
    """
    return px(height) - FIGURE_MARGIN["top"] - FIGURE_MARGIN["bottom"]


def plot_width(width: str = FIGURE_WIDTH, right: int = FIGURE_MARGIN["right"]) -> float:
    """Width in px of the plot area of a figure ``width`` wide."""
    return px(width) - FIGURE_MARGIN["left"] - right


def round_up(value: float, ends: Sequence[float] = (1.0, 2.0, 5.0, 10.0)) -> float:
    """The first of ``ends`` times a power of ten at or above ``value`` > 0.

    The end of an axis (or a step along it) on a round number: a small move of a control
    keeps it, and the curves drawn along it. ``ends`` ascend from 1 to 10.

    Examples
    --------
    >>> round_up(2_400.0), round_up(0.0031), round_up(7.0)
    (5000.0, 0.005, 10.0)
    >>> round_up(2_400.0, (1.0, 1.5, 2.0, 2.5, 5.0, 10.0)), round_up(0.002)
    (2500.0, 0.002)
    """
    power = 10.0 ** math.floor(math.log10(value))
    end = next(e for e in ends if e * power >= value * (1 - 1e-12))
    return float(f"{end * power:.12g}")


def headroom(
    low: float,
    high: float,
    rows: int,
    *,
    height: str = FIGURE_HEIGHT,
    pad: float = 0.05,
    extra_px: float = 0.0,
) -> tuple[float, float]:
    """Scale bounds that show ``[low, high]`` below a legend of ``rows`` entries.

    The data gets ``pad`` of its span as margin on both sides; above it, ``rows`` legend
    entries (:data:`LEGEND_ROW_PX` each), :data:`LEGEND_GAP_PX` and ``extra_px`` (room for a
    label) stay free, so the top-left legend never covers a line.

    Examples
    --------
    >>> lo, hi = headroom(0.0, 100.0, rows=0, pad=0.0)
    >>> (lo, round(hi, 6))
    (0.0, 100.0)
    >>> lo, hi = headroom(0.0, 100.0, rows=2, pad=0.0)
    >>> round((hi - 100.0) / hi * plot_height())  # px above the data: 2 rows + the gap
    44
    """
    span = high - low
    if not span > 0:
        span = abs(high) * 0.1 or 1.0
        low, high = low - span / 2, high + span / 2
    low, high = low - pad * span, high + pad * span
    reserved = (rows * LEGEND_ROW_PX + (LEGEND_GAP_PX if rows else 0) + extra_px) / plot_height(
        height
    )
    reserved = min(reserved, 0.6)
    return low, high + (high - low) * reserved / (1.0 - reserved)


def decade_ticks(low: float, high: float) -> np.ndarray:
    """Powers of ten in ``[low, high]`` (ticks of a log axis), at most seven of them.

    Examples
    --------
    >>> decade_ticks(100, 5e8).tolist()
    [100.0, 10000.0, 1000000.0, 100000000.0]
    >>> decade_ticks(1_000, 2e6).tolist()
    [1000.0, 10000.0, 100000.0, 1000000.0]
    """
    if not (low > 0 and high > low):
        return np.zeros(0)
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    exponents = list(range(first, last + 1))
    step = 1
    while len(exponents[::step]) > 5:
        step += 1
    return np.array([10.0**e for e in exponents[::step]])


def spread(
    values: Sequence[float],
    gap: float,
    *,
    low: float | None = None,
    high: float | None = None,
) -> list[float]:
    """Move values apart (order kept) so that no two are closer than ``gap``.

    Used to keep labels that sit at nearly the same height from printing over each other.
    Values too close form a group spaced ``gap`` apart around the mean of their wishes; groups
    that then come too close merge, until no two values are closer than ``gap`` (equal values
    keep their input order). ``low`` and ``high`` keep the values inside a range when it has
    room for them all.

    Examples
    --------
    >>> spread([1.0, 1.2, 5.0], 1.0)
    [0.6, 1.6, 5.0]
    >>> spread([19_698.49, 19_700.0, 19_700.5], 10.0)  # three close values: all 10 apart
    [19689.663333333, 19699.663333333, 19709.663333333]
    >>> spread([0.0, 0.1], 1.0, low=0.0)  # kept above low
    [0.0, 1.0]
    """
    order = sorted(range(len(values)), key=lambda i: float(values[i]))
    # groups of neighbours (indices into ``order``): each group's first position and members
    groups: list[tuple[float, list[int]]] = []
    for k in range(len(order)):
        start, members = float(values[order[k]]), [k]
        while groups:
            prev_start, prev_members = groups[-1]
            if start - (prev_start + gap * (len(prev_members) - 1)) >= gap - 1e-12:
                break
            groups.pop()
            members = prev_members + members
            wishes = [float(values[order[m]]) - j * gap for j, m in enumerate(members)]
            start = sum(wishes) / len(wishes)
        groups.append((start, members))
    positions = [0.0] * len(order)
    for start, members in groups:
        for j, m in enumerate(members):
            positions[m] = start + j * gap
    n = len(positions)
    if high is not None:
        for k in range(n - 1, -1, -1):
            positions[k] = min(positions[k], high - (n - 1 - k) * gap)
    if low is not None:
        for k in range(n):
            positions[k] = max(positions[k], low + k * gap)
    out = [0.0] * n
    for k, i in enumerate(order):
        out[i] = round(positions[k], 9)
    return out


def compact_format(high: float, normal: str = ",.0f", limit: float = 1e5) -> str:
    """d3 tick format of an axis reaching ``high``: ``normal`` below ``limit``, else SI ("250M").

    Tick labels of six digits and more (``"250,000,000"``) run into each other and into the
    axis label; ``"~s"`` writes them ``"250M"``, ``"175k"``.

    Examples
    --------
    >>> compact_format(65_000.0), compact_format(3.1e8)
    (',.0f', '~s')
    """
    return normal if abs(high) < limit else "~s"


def fits_right(x: float, low: float, high: float, text: str, width: str = FIGURE_WIDTH) -> bool:
    """Whether an 11 px label starting at data ``x`` ends inside a plot spanning low..high."""
    if not high > low:
        return True
    room = (high - x) / (high - low) * plot_width(width)
    return room > len(text) * CHAR_PX + 12
