"""Control factories shared by the explorers: one definition per kind of control.

Each explorer sizes its controls with one :class:`ControlLook` (box width and description
width) and builds them with the factories here, passing what really differs between explorers:
the start value, the bounds where they differ, and the description text (the unit in
parentheses). Sliders always update continuously; bounds that an explorer sets from other
controls (``_sync_bounds``) start at the values given here.

Examples
--------
>>> look = ControlLook("26em", "11em")
>>> lev = leverage_slider(look, value=10, max=100, description="leverage (x)")
>>> (lev.value, lev.min, lev.max, lev.layout.width, lev.style.description_width)
(10, 1, 100, '26em', '11em')
>>> step, play = play_slider(look, value=30, max=30, description="day", interval=250)
>>> (play.min, play.max, play.interval, play.tooltip)
(0, 30, 250, 'Play the steps one at a time')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from margin_widgets.engine import BracketTable

__all__ = [
    "ControlLook",
    "collateral_slider",
    "correlation_slider",
    "entry_price_slider",
    "leverage_cap",
    "leverage_slider",
    "log_usdt_slider",
    "play_slider",
    "quantity_slider",
    "seed_box",
    "set_bounds",
    "side_toggle",
]


@dataclass(frozen=True)
class ControlLook:
    """The size of one explorer's controls.

    Attributes
    ----------
    width : str
        CSS width of each control box (``"420px"``, ``"26em"``).
    description_width : str
        CSS width of the description in front of each control.
    """

    width: str
    description_width: str

    def widget(self, cls: type, *, style: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """``cls(**kwargs)`` with this look's layout and style (``style`` adds entries)."""
        return cls(
            style={"description_width": self.description_width, **(style or {})},
            layout={"width": self.width},
            **kwargs,
        )

    def slider(self, cls: type, **kwargs: Any) -> Any:
        """A slider of class ``cls`` with this look, updating while it is dragged."""
        return self.widget(cls, continuous_update=True, **kwargs)


def _float_slider(
    look: ControlLook,
    value: float,
    min: float,
    max: float,
    step: float,
    readout_format: str,
    description: str,
) -> w.FloatSlider:
    return look.slider(
        w.FloatSlider,
        value=value,
        min=min,
        max=max,
        step=step,
        readout_format=readout_format,
        description=description,
    )


def leverage_slider(
    look: ControlLook, *, value: int, description: str, max: int = 125
) -> w.IntSlider:
    """Whole leverage from 1x to ``max`` (explorers lower ``max`` to the bracket's cap)."""
    return look.slider(w.IntSlider, value=value, min=1, max=max, description=description)


def collateral_slider(
    look: ControlLook,
    *,
    value: float,
    min: float,
    max: float,
    step: float,
    description: str,
) -> w.FloatSlider:
    """An amount of USDT (a wallet or each position's margin), shown as ``5,000``."""
    return _float_slider(look, value, min, max, step, ",.0f", description)


def log_usdt_slider(
    look: ControlLook, *, value: float, min: float, max: float, description: str
) -> w.FloatLogSlider:
    """An amount of USDT over several powers of ten; ``min``/``max`` are base-10 exponents."""
    return look.slider(
        w.FloatLogSlider,
        value=value,
        base=10,
        min=min,
        max=max,
        step=0.01,
        readout_format=",.0f",
        description=description,
    )


def entry_price_slider(
    look: ControlLook,
    *,
    value: float,
    description: str,
    min: float = 1_000.0,
    max: float = 200_000.0,
    step: float = 100.0,
) -> w.FloatSlider:
    """An entry price in USDT (default bounds: a BTC price, 1,000 to 200,000)."""
    return _float_slider(look, value, min, max, step, ",.0f", description)


def quantity_slider(
    look: ControlLook,
    *,
    value: float,
    description: str,
    min: float = 0.001,
    max: float = 50.0,
    step: float = 0.001,
) -> w.FloatSlider:
    """A position size in coins, three decimals (default bounds: 0.001 to 50 BTC)."""
    return _float_slider(look, value, min, max, step, ",.3f", description)


def correlation_slider(
    look: ControlLook, *, value: float, description: str = "correlation ρ"
) -> w.FloatSlider:
    """A correlation from -1 to 1 in steps of 0.05 (explorers may raise the minimum)."""
    return _float_slider(look, value, -1.0, 1.0, 0.05, ".2f", description)


def side_toggle(
    look: ControlLook,
    *,
    tooltips: tuple[str, str],
    description: str = "side",
    button_width: str = "6em",
) -> w.ToggleButtons:
    """``"long"`` / ``"short"`` buttons (long first), each with its tooltip."""
    return look.widget(
        w.ToggleButtons,
        options=["long", "short"],
        value="long",
        description=description,
        tooltips=list(tooltips),
        style={"button_width": button_width},
    )


def seed_box(look: ControlLook, *, value: int, description: str = "seed") -> w.BoundedIntText:
    """The seed of a random generator, 0 to 999,999, typed in."""
    return look.widget(w.BoundedIntText, value=value, min=0, max=999_999, description=description)


def play_slider(
    look: ControlLook,
    *,
    value: int,
    max: int,
    description: str,
    interval: int,
    tooltip: str = "Play the steps one at a time",
) -> tuple[w.IntSlider, w.Play]:
    """A step slider from 0 to ``max`` and a Play button (class ``mw-play``) that drives it.

    The button shows ``tooltip`` on hover (ipywidgets shows a tooltip only when the widget has
    no description, so it has none); its Play, Pause, Stop and Repeat icons are named one by
    one in the browser by the explorers' helper widget (``_keyboard.py``).

    The Play button is linked in the browser (``jslink``), moves one step every ``interval``
    milliseconds, and is disabled whenever the slider is. Register the slider with
    ``Explorer.add_control(name, slider, followers=[play])`` so that locking or hiding the
    slider also locks or hides the button; keep the button's ``max`` equal to the slider's.
    """
    slider = look.slider(w.IntSlider, value=value, min=0, max=max, description=description)
    play = w.Play(value=value, min=0, max=max, step=1, interval=interval, tooltip=tooltip)
    play.add_class("mw-play")
    w.jslink((play, "value"), (slider, "value"))
    return slider, play


def set_bounds(control: w.Widget, low: float, high: float) -> None:
    """Set a slider's ``min`` and ``max`` in the order that never puts ``min`` above ``max``.

    Nothing is sent when the bounds do not change, and one message when they do; the value is
    clamped by the slider itself.
    """
    if (control.min, control.max) == (low, high):
        return
    with control.hold_sync():
        if low > control.max:
            control.max, control.min = high, low
        else:
            control.min, control.max = low, high


def leverage_cap(tables: Iterable[BracketTable], margin: float) -> int:
    """Largest whole leverage every table allows for ``margin`` USDT (1 with no table).

    The smallest of the engine's :meth:`BracketTable.max_leverage_for_margin` over ``tables``.

    Examples
    --------
    >>> from margin_widgets.engine import load_brackets
    >>> btc = [load_brackets("BTCUSDT")]
    >>> leverage_cap(btc, 1_000), leverage_cap(btc, 10_000)
    (100, 75)
    """
    return min((table.max_leverage_for_margin(margin) for table in tables), default=1)
