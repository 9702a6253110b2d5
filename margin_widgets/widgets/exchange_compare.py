"""ExchangeComparer: the same isolated trade under Binance, Bybit and OKX.

Three exchanges, one idea, three arithmetics. Binance solves "margin balance = maintenance
margin" with the bracket of the notional *at* the liquidation price and a deduction ``cum``;
Bybit values the maintenance margin on the position's value *at entry*; OKX turns the margin
ratio upside down (equity over maintenance margin plus the liquidation fee, liquidated when it
falls to 100 %) and has no deduction. The left figure is each exchange's liquidation price
against leverage, the right one each exchange's margin ratio against the mark, in its own
orientation, with the 100 % line where each is liquidated.

Every number comes from the engine's exchange conventions
(:mod:`margin_widgets.engine.exchanges`), with one maintenance rate for all three or each
exchange's own dated tier table: the liquidation prices against leverage are
:func:`~margin_widgets.engine.exchange_leverage_curve`, the ratios against the mark
:func:`~margin_widgets.engine.exchange_ratio_curve`. An exchange that ships no table for the
symbol is drawn as nothing. Prices are shown at the symbol's tick size
(:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    LeverageCurve,
    TierTable,
    available_tier_tables,
    exchange_leverage_curve,
    exchange_ratio_curve,
    initial_margin,
    linear_grid,
    load_tier_table,
    notional,
    tick_size,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, nan_for_none, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    entry_price_slider,
    leverage_slider,
    quantity_slider,
    side_toggle,
)
from margin_widgets.widgets._format import price_html

__all__ = ["EXCHANGES", "EXCHANGE_STYLES", "ExchangeComparer", "ExchangeStyle"]

_LOOK = ControlLook("26em", "11em")

#: The compared exchanges, in display order (engine convention names).
EXCHANGES: tuple[str, ...] = ("binance", "bybit", "okx")
SYMBOLS: tuple[str, ...] = ("BTCUSDT", "ETHUSDT")
#: Highest leverage of the liquidation-price curves (one point per whole leverage).
LEVERAGE_POINTS = 125
#: Points of the ratio curves.
PRICE_POINTS = 241
#: Share of the ratio plot's width at each end kept free of x ticks (their labels would be cut).
TICK_END_MARGIN = 0.06
#: Ratios above this are not drawn (the ratio curves would dwarf the 100 % line).
RATIO_CEILING = 3.0


@dataclass(frozen=True)
class ExchangeStyle:
    """How one exchange is drawn: colour, line style and marker all differ."""

    color: str
    line_style: str
    marker: str
    label: str


EXCHANGE_STYLES: dict[str, ExchangeStyle] = {
    "binance": ExchangeStyle(st.COLORS["orange"], "solid", "circle", "Binance"),
    "bybit": ExchangeStyle(st.COLORS["blue"], "dashed", "square", "Bybit"),
    "okx": ExchangeStyle(st.COLORS["bluish_green"], "dash_dotted", "triangle-up", "OKX"),
}


class ExchangeComparer(Explorer):
    """One isolated trade, three exchanges: liquidation prices and margin ratios side by side.

    Controls
    --------
    side : {"long", "short"}
    quantity : float
        Size in base units (BTC or ETH).
    entry_price : float
        Entry price, USDT.
    leverage : int
        Leverage the position is opened at (its margin is ``notional / leverage``).
    maintenance : {"one rate", "tier tables"}
        One maintenance margin rate for every exchange (no deduction), or each exchange's own
        dated tier table for ``symbol``.
    mmr : float
        The one maintenance margin rate (``maintenance = "one rate"``).
    symbol : {"BTCUSDT", "ETHUSDT"}
        Whose tier tables are used (``maintenance = "tier tables"``).
    okx_fee : float
        OKX's liquidation (taker) fee rate, part of OKX's maintenance requirement.

    Examples
    --------
    Bybit's documented example, 1 BTC long at 20,000 with 50x and MMR 0.5 %:

    >>> explorer = ExchangeComparer(okx_fee=0.0)
    >>> {k: round(v, 2) for k, v in explorer.liquidation_prices().items()}
    {'binance': 19698.49, 'bybit': 19700.0, 'okx': 19698.49}
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "side": "Long or short: which way the price must move to liquidate the position.",
        "quantity": "Size of the position in coins (BTC or ETH).",
        "entry_price": "Entry price of the position, in USDT.",
        "leverage": "Leverage the position is opened at: its margin is notional / leverage.",
        "maintenance": "One maintenance rate for all three, or each exchange's own tier table.",
        "mmr": "The maintenance margin rate used for all three exchanges (one-rate mode).",
        "symbol": "Symbol whose tier tables are used in tier-table mode.",
        "okx_fee": "OKX adds the liquidation (taker) fee to its maintenance requirement.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._prices: dict[str, float | None] = {}
        self._tiers: dict[str, str] = {}
        self._tables: dict[str, TierTable | None] = {}
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        side = self.add_control(
            "side",
            side_toggle(
                _LOOK,
                tooltips=("a long loses when the price falls", "a short loses when it rises"),
            ),
        )
        quantity = self.add_control(
            "quantity", quantity_slider(_LOOK, value=1.0, description="quantity (coins)")
        )
        entry = self.add_control(
            "entry_price", entry_price_slider(_LOOK, value=20_000.0, description="entry (USDT)")
        )
        leverage = self.add_control(
            "leverage", leverage_slider(_LOOK, value=50, description="leverage (x)")
        )
        maintenance = self.add_control(
            "maintenance",
            _LOOK.widget(
                w.ToggleButtons,
                options=["one rate", "tier tables"],
                value="one rate",
                description="maintenance",
                tooltips=[
                    "the same maintenance margin rate on every exchange, no deduction",
                    "each exchange's own dated tier table for the symbol",
                ],
                style={"button_width": "7em"},
            ),
        )
        mmr = self.add_control(
            "mmr",
            _LOOK.slider(
                w.FloatSlider,
                value=0.005,
                min=0.001,
                max=0.1,
                step=0.0005,
                readout_format=".2%",
                description="maint. margin rate",
            ),
        )
        symbol = self.add_control(
            "symbol",
            _LOOK.widget(
                w.Dropdown,
                options=list(SYMBOLS),
                value="BTCUSDT",
                description="tier tables of",
            ),
        )
        fee = self.add_control(
            "okx_fee",
            _LOOK.slider(
                w.FloatSlider,
                value=0.0005,
                min=0.0,
                max=0.002,
                step=0.0001,
                readout_format=".2%",
                description="OKX liq. fee rate",
            ),
        )

        # --- liquidation price against leverage
        ls = {"x": bq.LinearScale(min=1.0, max=125.0), "y": bq.LinearScale()}
        # the exact price on hover (labels and the readout show it at the tick size)
        tip = st.tooltip("leverage (x)", "liq. price (USDT)", ".0f", ",.6f")
        self.lp_lines: dict[str, bq.Lines] = {}
        self.lp_points: dict[str, bq.Scatter] = {}
        for name, look in EXCHANGE_STYLES.items():
            self.lp_lines[name] = st.line(
                ls, look.color, line_style=look.line_style, label=look.label, tip=tip
            )
            self.lp_points[name] = st.points(ls, look.color, marker=look.marker, tip=tip)
        self.lp_labels = st.labels(ls, size=st.SMALL_LABEL_SIZE)
        self.entry_line = st.hline(ls, st.ENTRY_COLOR)
        self.lp_figure = self.add_figure(
            "liquidation",
            st.figure(
                "liquidation",
                [
                    self.entry_line,
                    *self.lp_lines.values(),
                    *self.lp_points.values(),
                    self.lp_labels,
                ],
                st.axes(ls, "leverage (x)", "liquidation price (USDT)", y_format=",.0f"),
                "Liquidation price against leverage",
            ),
        )
        self.lp_scales = ls

        # --- margin ratio against the mark, each in its own orientation
        rs = {"x": bq.LinearScale(), "y": bq.LinearScale(min=0.0, max=RATIO_CEILING)}
        rtip = st.tooltip("mark (USDT)", "margin ratio", ",.2f", ".1%")
        self.ratio_lines: dict[str, bq.Lines] = {}
        self.ratio_points: dict[str, bq.Scatter] = {}
        for name, look in EXCHANGE_STYLES.items():
            self.ratio_lines[name] = st.line(
                rs, look.color, line_style=look.line_style, label=look.label, tip=rtip
            )
            self.ratio_points[name] = st.points(rs, look.color, marker=look.marker, tip=rtip)
        self.threshold_line = st.hline(rs, st.COLORS["vermillion"], line_style="dotted")
        self.ratio_figure = self.add_figure(
            "ratio",
            st.figure(
                "ratio",
                [self.threshold_line, *self.ratio_lines.values(), *self.ratio_points.values()],
                st.axes(
                    rs, "mark price (USDT)", "margin ratio (%)", x_format=",.0f", y_format=".0%"
                ),
                "Margin ratio (own orientation) against the mark",
            ),
        )
        self.ratio_scales = rs

        controls = w.VBox([side, quantity, entry, leverage, maintenance, mmr, symbol, fee])
        figures = w.HBox([self.lp_figure, self.ratio_figure], layout={"flex_flow": "row wrap"})
        return [controls, figures]

    # ------------------------------------------------------------------ engine
    def tables(self) -> dict[str, TierTable | None]:
        """Each exchange's newest tier table for the chosen symbol (None if none ships)."""
        symbol = str(self.controls["symbol"].value)
        out: dict[str, TierTable | None] = {}
        for name in EXCHANGES:
            shipped = {s for s, _ in available_tier_tables(name)}
            out[name] = load_tier_table(name, symbol) if symbol in shipped else None
        return out

    def _maintenance(self, name: str) -> dict[str, Any]:
        """The maintenance source of exchange ``name``: one rate, or its tier table.

        Raises KeyError for an exchange without a tier table in "tier tables" mode.
        """
        v = self._raw_values()
        fee = float(v["okx_fee"]) if name == "okx" else 0.0
        if v["maintenance"] == "one rate":
            return {"maintenance_margin_rate": float(v["mmr"]), "fee_rate": fee}
        table = self._tables.get(name)
        if table is None:
            raise KeyError(name)
        return {"table": table, "fee_rate": fee}

    def _curve(self, name: str) -> LeverageCurve:
        """Engine liquidation and bankruptcy prices of exchange ``name`` at leverage 1 to 125."""
        v = self._raw_values()
        return exchange_leverage_curve(
            name,
            str(v["side"]),
            float(v["quantity"]),
            float(v["entry_price"]),
            max_leverage=LEVERAGE_POINTS,
            **self._maintenance(name),
        )

    def liquidation_prices(self) -> dict[str, float | None]:
        """Liquidation price per exchange at the current controls (absent: no tier table)."""
        self.flush()
        return dict(self._prices)

    def _ratios(self, name: str, prices: list[float]) -> tuple[float, ...]:
        """Exchange ``name``'s margin ratio at each mark (:func:`exchange_ratio_curve`)."""
        v = self._raw_values()
        q, ep = float(v["quantity"]), float(v["entry_price"])
        margin = initial_margin(notional(q, ep), float(v["leverage"]))
        return exchange_ratio_curve(
            name, str(v["side"]), q, ep, margin, prices, **self._maintenance(name)
        )

    def margin_ratios(self, prices: list[float]) -> dict[str, list[float]]:
        """Each drawn exchange's margin ratio (own orientation) at the given marks."""
        self.flush()
        return {name: list(self._ratios(name, prices)) for name in self._prices}

    def _tick(self, name: str) -> float | None:
        """The tick size of the chosen symbol on exchange ``name`` (None if none is stored)."""
        try:
            return tick_size(name, str(self.controls["symbol"].value))
        except ValueError:
            return None

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        tier_mode = v["maintenance"] == "tier tables"
        self._tables = self.tables() if tier_mode else dict.fromkeys(EXCHANGES)
        lev_now = int(v["leverage"])
        grid = [float(lev) for lev in range(1, LEVERAGE_POINTS + 1)]
        drawn = [n for n in EXCHANGES if not tier_mode or self._tables.get(n) is not None]
        missing = [EXCHANGE_STYLES[n].label for n in EXCHANGES if n not in drawn]

        def compute() -> dict[str, list[float]]:
            return {
                name: [nan_for_none(p) for p in self._curve(name).liquidation] for name in drawn
            }

        # every control but the leverage: a leverage drag only moves the points
        inputs = tuple(v[name] for name in self.controls if name != "leverage")
        curves = self.cached("curves", inputs, compute, keep=4)
        prices: dict[str, float | None] = {
            name: (None if math.isnan(p) else p)
            for name in drawn
            for p in (curves[name][lev_now - 1],)
        }
        if not prices:
            raise ValueError(
                f"no exchange ships a tier table for {v['symbol']}: choose another symbol"
            )
        if missing:
            self.note(
                f"No {v['symbol']} tier table ships for {' or '.join(missing)}: not drawn.",
                "info",
            )
        self._prices = prices
        self._tiers = {}
        if tier_mode:
            q, ep = float(v["quantity"]), float(v["entry_price"])
            for name in prices:
                table = self._tables[name]
                assert table is not None
                tier = table.tier_for(q, ep)
                self._tiers[name] = f"tier {tier.number}"
                if lev_now > tier.max_leverage:
                    self.note(
                        f"{EXCHANGE_STYLES[name].label} allows at most "
                        f"{tier.max_leverage:g}x in tier {tier.number}.",
                        "warning",
                    )
        self._draw_liquidation(grid, curves, prices, float(v["entry_price"]), lev_now)
        self._draw_ratios(prices, float(v["entry_price"]))
        readout = f"<b>{self._summary_html()}</b>"
        if self.readout.value != readout:
            self.readout.value = readout

    def _draw_liquidation(
        self,
        grid: list[float],
        curves: dict[str, list[float]],
        prices: dict[str, float | None],
        entry: float,
        leverage: float,
    ) -> None:
        values = [entry] + [p for c in curves.values() for p in c if math.isfinite(p)]
        low, high = st.headroom(min(values), max(values), rows=3)
        with self.lp_scales["y"].hold_sync():
            self.lp_scales["y"].min, self.lp_scales["y"].max = max(0.0, low), high
        set_mark_data(self.entry_line, x=np.array([1.0, 125.0]), y=np.array([entry, entry]))
        x = np.array(grid, dtype=float)
        empty = np.zeros(0)
        for name in EXCHANGES:
            now = nan_for_none(prices.get(name))
            drawn = name in curves and math.isfinite(now)
            set_mark_data(
                self.lp_lines[name],
                x=x if name in curves else empty,
                y=np.array(curves[name], dtype=float) if name in curves else empty,
            )
            set_mark_data(
                self.lp_points[name],
                x=np.array([leverage]) if drawn else empty,
                y=np.array([now]) if drawn else empty,
            )
        # the labels stack at the top right, in the band the headroom keeps free of lines (the
        # curves run nearly flat and close together: no place beside them stays clear)
        shown = sorted(
            ((n, p) for n, p in prices.items() if p is not None), key=lambda item: -item[1]
        )
        y_max = float(self.lp_scales["y"].max)
        per_px = (y_max - float(self.lp_scales["y"].min)) / st.plot_height()
        ys = [y_max - (18.0 + st.LEGEND_ROW_PX * k) * per_px for k in range(len(shown))]
        with self.lp_labels.hold_sync():
            self.lp_labels.align = "end"
            self.lp_labels.x_offset = -4
            self.lp_labels.x = np.array([float(self.lp_scales["x"].max)] * len(shown))
            self.lp_labels.y = np.array(ys, dtype=float)
            self.lp_labels.text = np.array(
                [
                    f"{EXCHANGE_STYLES[n].label} {st.format_price(p, self._tick(n))}"
                    for n, p in shown
                ],
                dtype=str,
            )
            self.lp_labels.colors = [EXCHANGE_STYLES[n].color for n, _ in shown] or ["black"]

    def _draw_ratios(self, prices: dict[str, float | None], entry: float) -> None:
        found = [p for p in prices.values() if p is not None]
        reach = max([abs(p - entry) for p in found] + [0.01 * entry])
        low, high = max(entry - 2.0 * reach, 1e-6), entry + 2.0 * reach
        grid = linear_grid(low, high, PRICE_POINTS)
        with self.ratio_scales["x"].hold_sync():
            self.ratio_scales["x"].min, self.ratio_scales["x"].max = low, high
        # round ticks, none at the very ends: a label centred there would be cut by the edge
        ticks = st.nice_ticks(low, high)
        keep = TICK_END_MARGIN * (high - low)
        set_mark_data(
            self.ratio_figure.axes[0],
            tick_values=ticks[(ticks > low + keep) & (ticks < high - keep)],
        )
        set_mark_data(self.threshold_line, x=np.array([low, high]), y=np.array([1.0, 1.0]))
        x = np.array(grid, dtype=float)
        for name in EXCHANGES:
            if name in prices:
                ratios = np.array(self._ratios(name, grid), dtype=float)  # one engine call
                ratios[~((ratios >= 0) & (ratios <= RATIO_CEILING))] = math.nan
                now = self._ratios(name, [entry])[0]
                point = np.array([now]) if 0 <= now <= RATIO_CEILING else np.zeros(0)
                set_mark_data(self.ratio_lines[name], x=x, y=ratios)
                set_mark_data(self.ratio_points[name], x=np.array([entry])[: len(point)], y=point)
            else:
                set_mark_data(self.ratio_lines[name], x=np.zeros(0), y=np.zeros(0))
                set_mark_data(self.ratio_points[name], x=np.zeros(0), y=np.zeros(0))

    def _summary(self) -> str:
        parts = [
            f"{EXCHANGE_STYLES[n].label} {st.format_price(p, self._tick(n))}"
            for n, p in self._prices.items()
        ]
        found = [p for p in self._prices.values() if p is not None]
        spread = f" (spread {st.format_price(max(found) - min(found))} USDT)" if found else ""
        return "Liquidation price: " + ", ".join(parts) + spread

    def _summary_html(self) -> str:
        """:meth:`_summary` as HTML, each price's exact value in its ``title`` (on hover)."""
        parts = [
            f"{st.escape(EXCHANGE_STYLES[n].label)} {price_html(p, self._tick(n))}"
            for n, p in self._prices.items()
        ]
        found = [p for p in self._prices.values() if p is not None]
        spread = f" (spread {st.format_price(max(found) - min(found))} USDT)" if found else ""
        return "Liquidation price: " + ", ".join(parts) + spread

    def readout_plain(self) -> str:
        """The readout line as plain text, e.g. ``"Liquidation price: Binance 19,698.5, ..."``."""
        self.flush()
        return self._summary()

    def _describe(self) -> str:
        v = self._raw_values()
        mode = (
            f"one maintenance margin rate, {st.format_percent(float(v['mmr']), 2)}, no deduction"
            if v["maintenance"] == "one rate"
            else f"each exchange's own {v['symbol']} tier table ("
            + ", ".join(f"{EXCHANGE_STYLES[n].label} {t}" for n, t in self._tiers.items())
            + ")"
        )
        return (
            f"An isolated {v['side']} of {float(v['quantity']):g} "
            f"{str(v['symbol']).removesuffix('USDT')} at "
            f"{st.format_price(float(v['entry_price']), self._tick('binance'))} USDT opened at "
            f"{int(v['leverage'])}x, "
            f"with {mode}; OKX adds a liquidation fee of "
            f"{st.format_percent(float(v['okx_fee']), 2)}. {self._summary()}. Left: each "
            "exchange's liquidation price against leverage (Binance solid, Bybit dashed, OKX "
            "dash-dotted), the entry price dotted. Right: each exchange's margin ratio against "
            "the mark in its own orientation: Binance and Bybit divide maintenance margin by "
            "margin balance and liquidate when it rises to 100 %, OKX divides equity by "
            "maintenance margin plus fee and liquidates when it falls to 100 % (dotted line); "
            "ratios above 300 % are not drawn."
        )
