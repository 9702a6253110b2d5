"""Palette, mode styles and number formats of every widget, without numpy or bqplot.

The explorers (through :mod:`margin_widgets.widgets._style`, which re-exports all of this) and
the exercise widgets, which must work where numpy is missing (JupyterLite offline), share these.
No text made here ever reads ``"nan"`` or ``"-0.00"``: a missing or non-finite number is
``"--"`` and a rounded zero has no sign.

Examples
--------
>>> format_price(57228.9157)
'57,228.92'
>>> format_percent(-0.0004)
'0.0 %'
>>> MODE_STYLES["cross"].line_style, MODE_STYLES["cross"].marker
('dashed', 'square')
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

__all__ = [
    "BANKRUPTCY_COLOR",
    "COLORS",
    "ENTRY_COLOR",
    "GUIDE_COLOR",
    "LIMIT_COLOR",
    "LIMIT_TEXT_COLOR",
    "MARK_COLOR",
    "MODES",
    "MODE_STYLES",
    "ModeStyle",
    "css_kebab",
    "escape",
    "format_leverage",
    "format_number",
    "format_percent",
    "format_price",
    "format_usdt",
    "price_exact",
    "price_html",
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

#: Dark orange for text on white (the Okabe-Ito orange itself is too light for text).
LIMIT_TEXT_COLOR = "#8a5a00"


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
    >>> format_number(-0.001)  # never "-0.00"
    '0.00'
    """
    if value is None or not math.isfinite(value):
        return "--"
    return _no_negative_zero(f"{value:,.{decimals}f}")


def format_price(value: float | None, tick: float | None = None) -> str:
    """A price as the exchange shows it: ``"57,228.92"``; ``"--"`` when there is none.

    With ``tick`` (the symbol's tick size, e.g. 0.1 for BTCUSDT) the price is rounded to the
    nearest tick and shown with the tick's decimals.

    >>> format_price(57228.9157, tick=0.1), format_price(2999.995, tick=0.01)
    ('57,228.9', '3,000.00')
    """
    if tick is None or value is None or not math.isfinite(value):
        return format_number(value, 2)
    if not tick > 0:
        raise ValueError(f"tick must be > 0, got {tick!r}")
    text = f"{tick:.10f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return format_number(round(value / tick) * tick, decimals)


def price_exact(value: float | None) -> str:
    """A price as computed, for a tooltip: up to 8 decimals, trailing zeros dropped.

    >>> price_exact(57228.91573), price_exact(19700.0), price_exact(None)
    ('57,228.91573 USDT', '19,700 USDT', '--')
    """
    if value is None or not math.isfinite(value):
        return "--"
    text = _no_negative_zero(f"{value:,.8f}").rstrip("0").rstrip(".")
    return f"{text} USDT"


def price_html(value: float | None, tick: float | None = None) -> str:
    """A price at the tick size, the exact value in its ``title`` (shown on hover), as HTML.

    >>> price_html(57228.91573, tick=0.1)
    '<span title="57,228.91573 USDT">57,228.9</span>'
    """
    shown = format_price(value, tick)
    if shown == "--":
        return shown
    return f'<span title="{html.escape(price_exact(value))}">{html.escape(shown)}</span>'


def _no_negative_zero(text: str) -> str:
    """``"-0.00"`` -> ``"0.00"``: a rounded zero has no sign."""
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def format_usdt(value: float | None, decimals: int = 2) -> str:
    """An amount in USDT: ``"5,000.00 USDT"`` (``"--"`` for None)."""
    text = format_number(value, decimals)
    return text if text == "--" else f"{text} USDT"


def format_percent(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage with a thin space: ``0.046 -> "4.6 %"``."""
    if fraction is None or not math.isfinite(fraction):
        return "--"
    return _no_negative_zero(f"{fraction * 100:,.{decimals}f}") + " %"


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
