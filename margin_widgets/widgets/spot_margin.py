"""SpotMarginLevel: a spot margin account's margin level against the price, with its thresholds.

On a spot margin account the risk gauge is the **margin level**, total asset value over debt
plus unpaid interest. The exchange issues a margin call when it falls to one threshold and
liquidates at a lower one; the thresholds depend on the kind of account: the single cross
account (Cross 3x, Cross 5x) or an isolated pair account (10x, 5x, 3x pairs). A long (borrowed
USDT, holding the coin) loses level as the coin falls, a short (borrowed coin, holding USDT) as
it rises.

The left figure is the margin level against the coin's price for the chosen account, with its
margin-call and liquidation levels and the prices where they are reached; the right figure is
the liquidation and margin-call price of the same holdings in every kind of account. Levels come
from the engine's :func:`~margin_widgets.engine.curves.spot_level_curve` over a grid, prices
from :func:`~margin_widgets.engine.long_liquidation_price` and
:func:`~margin_widgets.engine.short_liquidation_price`, thresholds from
:func:`~margin_widgets.engine.spot_threshold`, where the account stands from
:func:`~margin_widgets.engine.margin_level_status`. Prices are shown at the spot pair's tick
size (:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    CROSS_THRESHOLDS,
    ISOLATED_THRESHOLDS,
    SpotThreshold,
    linear_grid,
    margin_level_status,
    spot_interest,
    spot_level_price,
    spot_threshold,
    tick_size,
)
from margin_widgets.engine.curves import spot_level_curve
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    entry_price_slider,
    quantity_slider,
    side_toggle,
)
from margin_widgets.widgets._format import price_html

__all__ = ["ACCOUNTS", "CHART_NAMES", "SpotMarginLevel"]

_LOOK = ControlLook("26em", "11em")

#: Account kinds as (label, mode, maximum leverage), in display order.
ACCOUNTS: tuple[tuple[str, str, int], ...] = tuple(
    [(f"Cross {lev}x", "cross", lev) for lev in sorted(CROSS_THRESHOLDS)]
    + [(f"isolated {lev}x", "isolated", lev) for lev in sorted(ISOLATED_THRESHOLDS, reverse=True)]
)
#: Each kind of account's name on the right figure's axis: short enough that five fit side by
#: side without touching ("isolated 10x" and "isolated 5x" ran into each other).
CHART_NAMES: dict[str, str] = {
    label: (f"cross {lev}x" if mode == "cross" else f"iso. {lev}x") for label, mode, lev in ACCOUNTS
}
#: Tick size of the spot pair the account trades (BTC/USDT on Binance), USDT.
TICK = tick_size("binance", "BTCUSDT", market="spot")
GRID_POINTS = 241
#: Highest margin level drawn (the level of a small debt runs off the chart).
LEVEL_CEILING = 3.0
CALL_COLOR = st.LIMIT_COLOR
LIQ_COLOR = st.COLORS["vermillion"]
LEVEL_COLOR = st.COLORS["black"]


class SpotMarginLevel(Explorer):
    """Margin level against price with the account's margin-call and liquidation thresholds.

    Controls
    --------
    side : {"long", "short"}
        Long: holds ``quantity`` BTC and ``quote`` USDT, owes ``debt`` USDT. Short: holds
        ``quote`` USDT, owes ``quantity`` BTC.
    account : str
        ``"cross 3"``-style value ``(mode, max leverage)`` of :data:`ACCOUNTS`.
    price : float
        BTC price now, USDT.
    quantity : float
        BTC held (long) or owed (short).
    quote : float
        USDT held.
    debt : float
        USDT owed (long only).
    hours : float
        Hours the loan has run (each started hour counts in full).
    hourly_rate : float
        Interest rate per hour.

    Examples
    --------
    Lesson 09's long: 1 BTC bought with 20,000 USDT borrowed, BTC at 30,000, a Cross 3x account
    (liquidation at 1.1, margin call at 1.3):

    >>> explorer = SpotMarginLevel()
    >>> round(explorer.level(), 6), explorer.prices()["liquidation"]
    (1.5, 22000.0)
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "side": "Long: borrowed USDT to hold BTC. Short: borrowed BTC, sold for USDT.",
        "account": "The kind of spot margin account, which sets its thresholds.",
        "price": "The BTC price now, in USDT.",
        "quantity": "Long: BTC the account holds. Short: BTC it owes.",
        "quote": "USDT the account holds.",
        "debt": "USDT the long owes (a short owes BTC instead).",
        "hours": "Hours since borrowing; any started hour counts as a full hour.",
        "hourly_rate": "Simple interest per hour on what is owed.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._prices: dict[str, float | None] = {}
        self._level = math.nan
        self._kinds: dict[str, tuple[float | None, float | None]] = {}
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        side = self.add_control(
            "side",
            side_toggle(
                _LOOK,
                tooltips=(
                    "borrowed USDT, holding BTC: the level falls with BTC",
                    "borrowed BTC, holding USDT: the level falls as BTC rises",
                ),
            ),
        )
        account = self.add_control(
            "account",
            _LOOK.widget(
                w.Dropdown,
                options=[(label, f"{mode} {lev}") for label, mode, lev in ACCOUNTS],
                value="cross 3",
                description="account",
            ),
        )
        price = self.add_control(
            "price",
            entry_price_slider(_LOOK, value=30_000.0, description="BTC price (USDT)"),
        )
        quantity = self.add_control(
            "quantity",
            quantity_slider(_LOOK, value=1.0, max=10.0, description="BTC held / owed"),
        )
        quote = self.add_control(
            "quote",
            collateral_slider(
                _LOOK, value=0.0, min=0.0, max=200_000.0, step=500.0, description="USDT held"
            ),
        )
        debt = self.add_control(
            "debt",
            collateral_slider(
                _LOOK,
                value=20_000.0,
                min=0.0,
                max=200_000.0,
                step=500.0,
                description="USDT owed (long)",
            ),
        )
        hours = self.add_control(
            "hours",
            _LOOK.slider(
                w.FloatSlider,
                value=0.0,
                min=0.0,
                max=2_160.0,
                step=0.5,
                readout_format=",.1f",
                description="hours borrowed",
            ),
        )
        rate = self.add_control(
            "hourly_rate",
            _LOOK.slider(
                w.FloatSlider,
                value=0.00001,
                min=0.0,
                max=0.0005,
                step=0.000001,
                readout_format=".4%",
                description="interest per hour",
            ),
        )

        # --- margin level against price
        # the legend's three rows above the drawn levels (none above LEVEL_CEILING)
        _, level_top = st.headroom(0.0, LEVEL_CEILING, rows=3, pad=0.0)
        ls = {"x": bq.LinearScale(), "y": bq.LinearScale(min=0.0, max=level_top)}
        tip = st.tooltip("BTC (USDT)", "margin level", ",.6f", ".3f")
        self.level_line = st.line(ls, LEVEL_COLOR, label="margin level", tip=tip)
        self.level_point = st.points(ls, st.MARK_COLOR, marker="diamond", tip=tip)
        self.call_line = st.hline(ls, CALL_COLOR, line_style="dashed")
        self.call_line.labels, self.call_line.display_legend = ["margin call"], True
        self.liq_line = st.hline(ls, LIQ_COLOR, line_style="dotted", width=2.0)
        self.liq_line.labels, self.liq_line.display_legend = ["liquidation"], True
        self.price_points = st.points(ls, LIQ_COLOR, marker="circle", tip=tip)
        self.level_figure = self.add_figure(
            "level",
            st.figure(
                "level",
                [
                    self.call_line,
                    self.liq_line,
                    self.level_line,
                    self.price_points,
                    self.level_point,
                ],
                [
                    st.axis(ls["x"], "BTC price (USDT)", tick_format=",.0f"),
                    st.axis(
                        ls["y"],
                        "margin level",
                        vertical=True,
                        tick_format=".2f",
                        tick_values=np.arange(0.0, LEVEL_CEILING + 0.25, 0.5),
                    ),
                ],
                "Margin level against price",
            ),
        )
        self.level_scales = ls

        # --- prices by kind of account
        names = [CHART_NAMES[label] for label, _, _ in ACCOUNTS]
        ks = {"x": bq.OrdinalScale(domain=names), "y": bq.LinearScale()}
        ktip = bq.Tooltip(
            fields=["x", "y"], labels=["account", "price (USDT)"], formats=["", ",.6f"]
        )
        self.kind_points: dict[str, Any] = {
            "liquidation": {
                mode: st.Scatter(
                    x=np.array([], dtype=str),
                    y=np.zeros(0),
                    scales=ks,
                    colors=[LIQ_COLOR],
                    marker=st.MODE_STYLES[mode].marker,
                    default_size=90,
                    stroke="black",
                    tooltip=ktip,
                    labels=[f"{mode}: liquidation"],
                    display_legend=True,
                )
                for mode in st.MODES
            },
            "margin call": st.Scatter(
                x=np.array([], dtype=str),
                y=np.zeros(0),
                scales=ks,
                colors=[CALL_COLOR],
                marker="diamond",
                default_size=70,
                stroke="black",
                tooltip=ktip,
                labels=["margin call"],
                display_legend=True,
            ),
        }
        self.kind_price = st.line(ks, st.MARK_COLOR, line_style="dotted", width=1.5)
        kind_marks = [
            self.kind_price,
            self.kind_points["margin call"],
            *self.kind_points["liquidation"].values(),
        ]
        self.kind_figure = self.add_figure(
            "accounts",
            st.figure(
                "accounts",
                kind_marks,
                [
                    bq.Axis(scale=ks["x"], label="kind of account", grid_lines="none"),
                    st.axis(
                        ks["y"], "price (USDT)", vertical=True, tick_format=",.0f", num_ticks=4
                    ),
                ],
                "The same holdings in each kind of account",
            ),
        )
        self.kind_scales = ks

        controls = w.VBox([side, account, price, quantity, quote, debt, hours, rate])
        figures = w.HBox([self.level_figure, self.kind_figure], layout={"flex_flow": "row wrap"})
        return [controls, figures]

    def _inactive(self) -> dict[str, str]:
        off: dict[str, str] = {}
        if self.controls["side"].value == "short":
            off["debt"] = "a short owes BTC, not USDT"
        if self.controls["hours"].value == 0:
            off["hourly_rate"] = "no interest has accrued yet: set hours borrowed above 0"
        return off

    # ------------------------------------------------------------------ engine
    def threshold(self) -> SpotThreshold:
        """The engine's thresholds of the chosen account."""
        mode, lev = str(self.controls["account"].value).split()
        return spot_threshold(mode, int(lev))

    def _interest(self) -> float:
        """Unpaid interest: USDT for a long, BTC for a short (engine ``spot_interest``)."""
        v = self._raw_values()
        return spot_interest(
            str(v["side"]),
            float(v["quantity"]),
            float(v["debt"]),
            float(v["hourly_rate"]),
            float(v["hours"]),
        )

    def _levels_at(self, prices: list[float]) -> tuple[float, ...]:
        """The engine's margin level of the holdings at each BTC price."""
        v = self._raw_values()
        debt = float(v["debt"]) if v["side"] == "long" else 0.0
        return spot_level_curve(
            str(v["side"]),
            float(v["quantity"]),
            float(v["quote"]),
            prices,
            debt=debt,
            interest=self._interest(),
        )

    def _price_at(self, level: float, interest: float | None = None) -> float | None:
        """The engine's price at which the holdings reach margin level ``level``."""
        v = self._raw_values()
        return spot_level_price(
            str(v["side"]),
            float(v["quantity"]),
            float(v["quote"]),
            level,
            debt=float(v["debt"]),
            interest=self._interest() if interest is None else interest,
        )

    def level(self) -> float:
        """Margin level at the current price."""
        self.flush()
        return self._level

    def prices(self) -> dict[str, float | None]:
        """Prices at which the chosen account reaches ``"margin call"`` and ``"liquidation"``."""
        self.flush()
        return dict(self._prices)

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        if v["side"] == "long" and float(v["debt"]) == 0:
            raise ValueError("a long owes nothing at debt 0: there is no margin level to watch")
        price = float(v["price"])
        threshold = self.threshold()
        (self._level,) = self._levels_at([price])
        self._prices = {
            "margin call": self._price_at(threshold.margin_call),
            "liquidation": self._price_at(threshold.liquidation),
        }
        status = margin_level_status(self._level, threshold)
        if status != "ok":
            self.note(f"At {st.format_price(price, TICK)} the account is in {status}.", "warning")

        known = [p for p in self._prices.values() if p is not None]
        low = min([price, *known]) * 0.6
        high = max([price, *known]) * 1.4
        grid = linear_grid(low, high, GRID_POINTS)
        levels = np.array(self._levels_at(grid), dtype=float)
        levels[~(levels <= LEVEL_CEILING)] = math.nan  # inf (nothing owed) and off-chart
        set_mark_data(self.level_scales["x"], min=low, max=high)
        set_mark_data(self.level_line, x=np.array(grid), y=levels)
        set_mark_data(
            self.level_point,
            x=np.array([price]) if self._level <= LEVEL_CEILING else np.zeros(0),
            y=np.array([self._level]) if self._level <= LEVEL_CEILING else np.zeros(0),
        )
        marks = [
            (p, t, name)
            for name, t in (
                ("call", threshold.margin_call),
                ("liq.", threshold.liquidation),
            )
            if (p := self._prices["margin call" if name == "call" else "liquidation"]) is not None
        ]
        set_mark_data(
            self.price_points,
            x=np.array([p for p, _, _ in marks], dtype=float),
            y=np.array([t for _, t, _ in marks], dtype=float),
        )
        # the prices in the legend: labels beside the points would sit on the lines, and the
        # two thresholds are close together
        ends = np.array([low, high])
        for line, name, level in (
            (self.call_line, "margin call", threshold.margin_call),
            (self.liq_line, "liquidation", threshold.liquidation),
        ):
            found = self._prices[name]
            where = "not reached" if found is None else f"at {st.format_price(found, TICK)}"
            set_mark_data(line, x=ends, y=np.full(2, level), labels=[f"{name} ({level:g}) {where}"])
        self.level_figure.axes[0].tick_format = st.compact_format(high)

        self._draw_kinds(price)
        # the exact prices in the titles (on hover); the words are escaped by price_html
        readout = f"<b>{self._summary(lambda p: price_html(p, TICK))}</b>"
        if self.readout.value != readout:
            self.readout.value = readout

    def _draw_kinds(self, price: float) -> None:
        """Liquidation and margin-call price of the same holdings in every kind of account."""
        interest = self._interest()
        found: list[float] = [price]
        self._kinds = {}
        for label, mode, lev in ACCOUNTS:
            t = spot_threshold(mode, lev)
            liq = self._price_at(t.liquidation, interest)
            call = self._price_at(t.margin_call, interest)
            self._kinds[label] = (liq, call)
            found += [p for p in (liq, call) if p is not None]
        low, high = st.headroom(min(found), max(found), rows=3)
        set_mark_data(self.kind_scales["y"], min=max(0.0, low), max=high)
        self.kind_figure.axes[1].tick_format = st.compact_format(high)
        for mode in st.MODES:
            rows = [
                (CHART_NAMES[lab], liq)
                for (lab, m, _), (liq, _c) in zip(ACCOUNTS, self._kinds.values(), strict=True)
                if m == mode and liq is not None
            ]
            set_mark_data(
                self.kind_points["liquidation"][mode],
                x=np.array([r[0] for r in rows], dtype=str),
                y=np.array([r[1] for r in rows], dtype=float),
            )
        calls = [(CHART_NAMES[lab], c) for lab, (_l, c) in self._kinds.items() if c is not None]
        set_mark_data(
            self.kind_points["margin call"],
            x=np.array([c[0] for c in calls], dtype=str),
            y=np.array([c[1] for c in calls], dtype=float),
        )
        names = [CHART_NAMES[label] for label, _, _ in ACCOUNTS]
        set_mark_data(
            self.kind_price,
            x=np.array([names[0], names[-1]], dtype=str),
            y=np.array([price, price]),
        )

    def _summary(self, price_text: Any = None) -> str:
        """The readout line; ``price_text(price)`` writes each price (default: at the tick).

        Where the account already stands at or past a threshold the line says so instead of
        naming a move "to" a price already passed.
        """
        show = price_text or (lambda p: st.format_price(p, TICK))
        v = self._raw_values()
        t = self.threshold()
        level = "no debt" if math.isinf(self._level) else f"{self._level:.3f}"
        way = "fall" if v["side"] == "long" else "rise"
        status = margin_level_status(self._level, t)
        call, liq = self._prices["margin call"], self._prices["liquidation"]
        if status != "ok":
            call_text = f"already past the margin call level {t.margin_call:g}"
            if call is not None:
                call_text += f" (reached at {show(call)})"
        elif call is not None:
            call_text = f"margin call at {t.margin_call:g} on a {way} to {show(call)}"
        else:
            call_text = f"no price brings a margin call ({t.margin_call:g})"
        if status == "liquidation":
            liq_text = f"already past liquidation at {t.liquidation:g}"
            if liq is not None:
                liq_text += f" (reached at {show(liq)})"
        elif liq is not None:
            liq_text = f"liquidation at {t.liquidation:g} at {show(liq)}"
        else:
            liq_text = f"no price liquidates ({t.liquidation:g})"
        label = next(lab for lab, m, lev in ACCOUNTS if f"{m} {lev}" == v["account"])
        return f"{label}: margin level {level} at {show(float(v['price']))}; " + (
            f"{call_text}, {liq_text}"
        )

    def readout_plain(self) -> str:
        """The readout line as plain text (prices at the tick size)."""
        self.flush()
        return self._summary()

    def _describe(self) -> str:
        v = self._raw_values()
        interest = self._interest()
        if v["side"] == "long":
            book = (
                f"A long holding {float(v['quantity']):g} BTC and "
                f"{st.format_usdt(float(v['quote']))}, owing {st.format_usdt(float(v['debt']))} "
                f"plus {st.format_usdt(interest)} of interest"
            )
        else:
            book = (
                f"A short holding {st.format_usdt(float(v['quote']))}, owing "
                f"{float(v['quantity']):g} BTC plus {interest:.8f} BTC of interest"
            )
        kinds = "; ".join(
            f"{label}: liquidation {st.format_price(liq, TICK)}, margin call "
            f"{st.format_price(call, TICK)}"
            for label, (liq, call) in self._kinds.items()
        )
        return (
            f"{book}. {self._summary()}. Left: the margin level (assets over debt plus "
            "interest) against the BTC price, the margin-call level dashed and the liquidation "
            "level dotted, with the prices where they are reached; levels above "
            f"{LEVEL_CEILING:g} are not drawn. Right: the same holdings in each kind of account "
            f"({kinds}); isolated pair accounts as circles, cross as squares, margin calls as "
            "diamonds, the current price dotted."
        )
