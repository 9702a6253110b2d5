"""HedgeModeExplorer: a long and a short leg on one symbol, in cross and in isolated margin.

In hedge mode a symbol holds a LONG and a SHORT leg at once. In cross margin both legs draw on
one wallet and share **one** liquidation price; a fully hedged pair's PnL cancels, but the
maintenance margin of both legs grows with the price, so a thin wallet is liquidated on a
**rise**. In isolated margin each leg has its own wallet and its own price: the long goes on a
fall, the short on a rise, each alone.

The left figure shows the liquidation prices against the short leg's size (from no hedge to
at least twice the long, out to a round number): the cross account's fall and rise prices and
each isolated leg's price, with the current size marked. The right figure shows the cross
prices against the cross wallet (up to at least four times it, out to a round number).
Every price is the engine's :func:`~margin_widgets.engine.hedge_outlook` (brackets chosen by
each leg's notional at the price, :func:`~margin_widgets.engine.hedge_liquidation_price_in_brackets`
in cross); the curves are the same numbers from
:func:`~margin_widgets.engine.hedge.hedge_size_curve`,
:func:`~margin_widgets.engine.hedge.hedge_wallet_curve` and
:func:`~margin_widgets.engine.hedge.isolated_size_curve` (the solvers' pieces and arithmetic
without a call per point). Each curve is kept per the inputs it depends on: the curves against
the short size do not depend on the current short size (only their range does), the isolated
short's curve not on the long leg. Prices are shown at the symbol's tick size
(:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    BracketTable,
    HedgeOutlook,
    hedge_outlook,
    linear_grid,
    load_brackets,
    tick_size,
)
from margin_widgets.engine.hedge import (
    hedge_size_curve,
    hedge_wallet_curve,
    isolated_size_curve,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, nan_for_none, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    entry_price_slider,
    quantity_slider,
)
from margin_widgets.widgets._format import price_html

__all__ = ["HedgeModeExplorer"]

_LOOK = ControlLook("27em", "12em")
SYMBOL = "BTCUSDT"
#: Price tick size of the BTCUSDT perpetual (USDT): prices are shown rounded to it.
TICK = tick_size("binance", SYMBOL)
#: Points of each curve.
GRID_POINTS = 161
RISE_COLOR = st.COLORS["vermillion"]
FALL_COLOR = st.COLORS["blue"]


_EMPTY = np.zeros(0)


#: Round ends of an axis (times a power of ten): an axis out to the next one keeps its range,
#: and the curves along it, while a control moves a little.
_ROUND_ENDS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _grid(low: float, high: float) -> tuple[list[float], np.ndarray]:
    """The engine's grid of :data:`GRID_POINTS` values, as a list and as an array."""
    values = linear_grid(low, high, GRID_POINTS)
    return values, np.array(values, dtype=float)


def _column(prices: list[float | None]) -> np.ndarray:
    """Prices as a float array, NaN for None (a gap in the line)."""
    return np.array(prices, dtype=float)


def _columns(pairs: list[tuple[float | None, float | None]]) -> tuple[np.ndarray, np.ndarray]:
    """(fall, rise) pairs as two float arrays, NaN for None."""
    if not pairs:
        return _EMPTY, _EMPTY
    falls, rises = zip(*pairs, strict=True)
    return np.array(falls, dtype=float), np.array(rises, dtype=float)


def _at_tick(price: float | None) -> str:
    return st.format_price(price, TICK)


def _where(price: float | None, direction: str, show: Callable[[float], str] = _at_tick) -> str:
    """``"on a fall to 59,949.7"``, ``show(price)`` writing the price; ``""`` for no price."""
    return f"on a {direction} to {show(price)}" if price is not None else ""


class HedgeModeExplorer(Explorer):
    """Hedge mode: the shared cross liquidation price of a long and a short leg, and isolated.

    Controls
    --------
    long_quantity, short_quantity : float
        Sizes of the legs, BTC (0 closes a leg).
    long_entry, short_entry : float
        Entry prices, USDT.
    position_margin : float
        USDT behind each leg: each isolated leg's wallet; the cross wallet holds both.

    Examples
    --------
    A fully hedged pair, 1 BTC each way at 60,000 with 300 USDT per leg (60,000 of notional:
    bracket 2, 0.5 %, cum 50): ``N = 600 + 50 + 50 = 700``, ``D = 0.005 + 0.005 = 0.01``; the
    cross account survives every fall and is liquidated on a rise to 700 / 0.01 = 70,000.

    >>> explorer = HedgeModeExplorer()
    >>> round(explorer.outlook("cross").rise_price, 6), explorer.outlook("cross").fall_price
    (70000.0, None)
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "long_quantity": "Size of the LONG leg, in BTC.",
        "long_entry": "Entry price of the LONG leg, in USDT.",
        "short_quantity": "Size of the SHORT leg, in BTC; equal to the long: fully hedged.",
        "short_entry": "Entry price of the SHORT leg, in USDT.",
        "position_margin": (
            "Initial margin of each leg, in USDT: each isolated leg's wallet; the cross wallet "
            "holds both."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._outlooks: dict[str, HedgeOutlook] = {}
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        long_q = self.add_control(
            "long_quantity", quantity_slider(_LOOK, value=1.0, description="long leg (BTC)")
        )
        long_ep = self.add_control(
            "long_entry", entry_price_slider(_LOOK, value=60_000.0, description="long entry")
        )
        short_q = self.add_control(
            "short_quantity",
            quantity_slider(_LOOK, value=1.0, min=0.0, description="short leg (BTC)"),
        )
        short_ep = self.add_control(
            "short_entry", entry_price_slider(_LOOK, value=60_000.0, description="short entry")
        )
        margin = self.add_control(
            "position_margin",
            collateral_slider(
                _LOOK,
                value=300.0,
                min=0.0,
                max=50_000.0,
                step=50.0,
                description="margin per leg (USDT)",
            ),
        )

        # --- prices against the short leg's size
        hs = {"x": bq.LinearScale(min=0.0), "y": bq.LinearScale()}
        # the exact prices on hover; the readout and the description show them at the tick size
        tip = st.tooltip("short leg (BTC)", "liq. price (USDT)", ",.3f", ",.6f")
        cross, iso = st.MODE_STYLES["cross"], st.MODE_STYLES["isolated"]
        self.hedge_lines = {
            "cross_fall": st.line(
                hs, FALL_COLOR, line_style=cross.line_style, label="cross: fall", tip=tip
            ),
            "cross_rise": st.line(
                hs, RISE_COLOR, line_style=cross.line_style, label="cross: rise", tip=tip
            ),
            "isolated_long": st.line(
                hs,
                FALL_COLOR,
                line_style=iso.line_style,
                width=1.5,
                label="isolated long",
                tip=tip,
            ),
            "isolated_short": st.line(
                hs,
                RISE_COLOR,
                line_style=iso.line_style,
                width=1.5,
                label="isolated short",
                tip=tip,
            ),
        }
        self.hedge_points = {
            key: st.points(
                hs,
                line.colors[0],
                marker="square" if key.startswith("cross") else "circle",
                tip=tip,
            )
            for key, line in self.hedge_lines.items()
        }
        self.entry_line = st.hline(hs, st.ENTRY_COLOR)
        self.hedge_figure = self.add_figure(
            "hedge",
            st.figure(
                "hedge",
                [self.entry_line, *self.hedge_lines.values(), *self.hedge_points.values()],
                st.axes(
                    hs,
                    "short leg (BTC)",
                    "liquidation price (USDT)",
                    x_format=",.4~g",
                    y_format=",.0f",
                ),
                "Liquidation prices against the hedge",
            ),
        )
        self.hedge_scales = hs

        # --- cross prices against the cross wallet
        ws = {"x": bq.LinearScale(min=0.0), "y": bq.LinearScale()}
        wtip = st.tooltip("cross wallet (USDT)", "liq. price (USDT)", ",.0f", ",.6f")
        self.wallet_lines = {
            "fall": st.line(
                ws, FALL_COLOR, line_style=cross.line_style, label="cross: fall", tip=wtip
            ),
            "rise": st.line(
                ws, RISE_COLOR, line_style=cross.line_style, label="cross: rise", tip=wtip
            ),
        }
        self.wallet_points = {
            key: st.points(ws, line.colors[0], marker="square", tip=wtip)
            for key, line in self.wallet_lines.items()
        }
        self.wallet_entry = st.hline(ws, st.ENTRY_COLOR)
        self.wallet_figure = self.add_figure(
            "wallet",
            st.figure(
                "wallet",
                [self.wallet_entry, *self.wallet_lines.values(), *self.wallet_points.values()],
                st.axes(ws, "cross wallet (USDT)", "liquidation price (USDT)", y_format=",.0f"),
                "Cross: the shared price against the wallet",
            ),
        )
        self.wallet_scales = ws

        controls = w.VBox([long_q, long_ep, short_q, short_ep, margin])
        figures = w.HBox([self.hedge_figure, self.wallet_figure], layout={"flex_flow": "row wrap"})
        return [controls, figures]

    # ------------------------------------------------------------------ engine
    @property
    def brackets(self) -> BracketTable:
        """The symbol's newest bracket table."""
        return load_brackets(SYMBOL)

    def _outlook(
        self, mode: str, short_quantity: float | None = None, wallet: float | None = None
    ) -> HedgeOutlook:
        v = self._raw_values()
        short_q = float(v["short_quantity"]) if short_quantity is None else short_quantity
        margin = float(v["position_margin"])
        legs = (float(v["long_quantity"]), float(v["long_entry"]), short_q, float(v["short_entry"]))
        if mode == "cross":
            cross_wallet = margin + margin if wallet is None else wallet
            return hedge_outlook(*legs, self.brackets, wallet_balance=cross_wallet)
        return hedge_outlook(
            *legs,
            self.brackets,
            margin_mode="isolated",
            long_wallet_balance=margin,
            short_wallet_balance=margin,
        )

    def outlook(self, mode: str) -> HedgeOutlook:
        """The engine's :class:`~margin_widgets.engine.HedgeOutlook` now shown for ``mode``."""
        self.flush()
        return self._outlooks[mode]

    def readout_plain(self) -> str:
        """The readout line as plain text, each price at the tick (``"rise to 70,000.0"``).

        The readout itself carries each price's exact value in a title (shown on hover).
        """
        self.flush()
        return self._summary()

    @staticmethod
    def _leg_price(outlook: HedgeOutlook, side: str) -> float | None:
        for leg in outlook.legs:
            if leg.side == side:
                return leg.fall_price if side == "long" else leg.rise_price
        return None

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        long_q, long_ep = float(v["long_quantity"]), float(v["long_entry"])
        short_now, short_ep = float(v["short_quantity"]), float(v["short_entry"])
        margin = float(v["position_margin"])
        if long_q == 0 and short_now == 0:
            raise ValueError("both legs are empty: give the long or the short a size")
        cross = self._outlook("cross")
        iso = self._outlook("isolated")
        self._outlooks = {"cross": cross, "isolated": iso}
        entries = [long_ep, short_ep]

        # prices against the short leg's size: no hedge to at least twice the long (out to a
        # round number). Each curve is kept
        # per the inputs it depends on (none depends on the current short size, only the
        # range does): the cross prices on every leg and the margin, the isolated short on
        # its entry and margin, the isolated long is one price.
        top_q = st.round_up(max(2.0 * long_q, short_now, 0.002), _ROUND_ENDS)
        sizes = self.cached("sizes", top_q, lambda: _grid(0.0, top_q), keep=4)
        cross_curve = self.cached(
            "cross size curve",
            (long_q, long_ep, short_ep, margin, top_q),
            lambda: _columns(
                hedge_size_curve(long_q, long_ep, sizes[0], short_ep, self.brackets, 2 * margin)
            ),
            keep=4,
        )
        short_curve = self.cached(
            "isolated short curve",
            (short_ep, margin, top_q),
            lambda: _column(
                isolated_size_curve("short", sizes[0], short_ep, margin, self.brackets)
            ),
            keep=4,
        )
        long_price = nan_for_none(self._leg_price(iso, "long")) if long_q else math.nan
        series = {
            "cross_fall": cross_curve[0],
            "cross_rise": cross_curve[1],
            "isolated_long": np.full(GRID_POINTS, long_price),
            "isolated_short": short_curve,
        }
        now = {
            "cross_fall": nan_for_none(cross.fall_price),
            "cross_rise": nan_for_none(cross.rise_price),
            "isolated_long": nan_for_none(self._leg_price(iso, "long")),
            "isolated_short": nan_for_none(self._leg_price(iso, "short")),
        }
        self._draw(
            self.hedge_scales,
            self.hedge_lines,
            self.hedge_points,
            self.entry_line,
            sizes[1],
            series,
            now,
            short_now,
            entries,
            rows=4,
        )

        # cross prices against the wallet
        wallet_now = margin + margin
        top_wallet = st.round_up(max(4.0 * wallet_now, 1_000.0), _ROUND_ENDS)
        wallets = self.cached("wallets", top_wallet, lambda: _grid(0.0, top_wallet), keep=4)
        wallet_curve = self.cached(
            "wallet curve",
            (long_q, long_ep, short_now, short_ep, top_wallet),
            lambda: _columns(
                hedge_wallet_curve(long_q, long_ep, short_now, short_ep, self.brackets, wallets[0])
            ),
            keep=4,
        )
        wnow = {"fall": now["cross_fall"], "rise": now["cross_rise"]}
        self._draw(
            self.wallet_scales,
            self.wallet_lines,
            self.wallet_points,
            self.wallet_entry,
            wallets[1],
            {"fall": wallet_curve[0], "rise": wallet_curve[1]},
            wnow,
            wallet_now,
            entries,
            rows=2,
        )
        if cross.legs and cross.legs[0].already:
            self.note("The cross account is below maintenance at every price.", "warning")
        # the exact prices in the titles (on hover)
        readout = f"<b>{self._summary(lambda p: price_html(p, TICK))}</b>"
        if self.readout.value != readout:
            self.readout.value = readout

    def _draw(
        self,
        scales: dict[str, bq.Scale],
        lines: dict[str, bq.Lines],
        points: dict[str, bq.Scatter],
        entry_line: bq.Lines,
        x: np.ndarray,
        series: dict[str, np.ndarray],
        now: dict[str, float],
        x_now: float,
        entries: list[float],
        rows: int,
    ) -> None:
        # keep the axis readable: prices within three times the entry range
        cap = 3.0 * max(entries)
        ys = np.concatenate(list(series.values()))
        shown = ys[ys <= cap]  # NaN compares False: left out
        low = min(float(shown.min()), *entries) if shown.size else min(entries)
        high = max(float(shown.max()), *entries) if shown.size else max(entries)
        low, high = st.headroom(low, high, rows=rows)
        # out to the next multiple of half a tick step: a small move keeps the same scale
        ticks = st.nice_ticks(low, high)
        half = float(ticks[1] - ticks[0]) / 2 if ticks.size > 1 else 0.0
        if half > 0:
            low, high = math.floor(low / half) * half, math.ceil(high / half) * half
        set_mark_data(scales["x"], min=float(x[0]), max=float(x[-1]))
        set_mark_data(scales["y"], min=max(0.0, low), max=high)
        for key, line in lines.items():
            set_mark_data(line, x=x, y=series[key])
            drawn = math.isfinite(now[key])
            set_mark_data(
                points[key],
                x=np.array([x_now]) if drawn else _EMPTY,
                y=np.array([now[key]]) if drawn else _EMPTY,
            )
        mid = entries[0] if entries[0] == entries[1] else math.nan
        drawn = math.isfinite(mid)
        set_mark_data(
            entry_line,
            x=np.array([x[0], x[-1]]) if drawn else _EMPTY,
            y=np.array([mid, mid]) if drawn else _EMPTY,
        )

    def _summary(self, show: Callable[[float], str] = _at_tick) -> str:
        """The readout line; ``show(price)`` writes each price (default: at the tick)."""
        cross, iso = self._outlooks["cross"], self._outlooks["isolated"]
        if cross.legs and cross.legs[0].already:
            cross_text = "already liquidatable"
        else:
            ways = [_where(cross.fall_price, "fall", show), _where(cross.rise_price, "rise", show)]
            cross_text = (
                "every leg " + " or ".join(t for t in ways if t)
                if any(ways)
                else ("never liquidated")
            )
        iso_parts = []
        for side in ("long", "short"):
            price = self._leg_price(iso, side)
            if any(leg.side == side for leg in iso.legs):
                way = "fall" if side == "long" else "rise"
                iso_parts.append(f"{side} {_where(price, way, show) or 'never'}")
        return f"Cross: {cross_text}; isolated: " + ", ".join(iso_parts)

    def _describe(self) -> str:
        v = self._raw_values()
        margin = float(v["position_margin"])
        return (
            f"Hedge mode on {SYMBOL}: a long of {float(v['long_quantity']):g} BTC at "
            f"{_at_tick(float(v['long_entry']))} and a short of "
            f"{float(v['short_quantity']):g} BTC at {_at_tick(float(v['short_entry']))}, "
            f"{st.format_usdt(margin, 0)} per leg (the cross wallet holds "
            f"{st.format_usdt(margin + margin, 0)}). {self._summary()}. Left: liquidation prices "
            "against the short leg's size, the cross account's fall and rise prices dashed, each "
            "isolated leg's price solid, the current size marked; a fully hedged cross pair "
            "cannot be liquidated by a fall, only by a rise, as both legs' maintenance margin "
            "grows with the price. Right: the cross prices against the cross wallet."
        )
