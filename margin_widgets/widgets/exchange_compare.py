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
from functools import cache, partial
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    Tier,
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
from margin_widgets.widgets._base import Explorer, set_mark_data
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
#: x of the liquidation-price curves: every whole leverage.
_LEVERAGE_X = np.arange(1.0, LEVERAGE_POINTS + 1.0)
_EMPTY = np.zeros(0)


@cache
def _tick(name: str, symbol: str) -> float | None:
    """The tick size of ``symbol`` on exchange ``name`` (None if none is stored)."""
    try:
        return tick_size(name, symbol)
    except ValueError:
        return None


@dataclass(frozen=True)
class _LiquidationCurve:
    """One exchange's liquidation prices at leverage 1 to 125 (NaN: none) and their span."""

    prices: np.ndarray
    low: float
    high: float


@dataclass(frozen=True)
class _RatioCurve:
    """One exchange's ratios on the mark grid (drawn where in 0 to the ceiling), at entry."""

    x: np.ndarray
    y: np.ndarray
    at_entry: float


@dataclass(frozen=True)
class _Grid:
    """The marks of the ratio curves and the ratio axis's ticks."""

    prices: list[float]
    x: np.ndarray
    ticks: np.ndarray


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
        self._price_texts: dict[str, str] = {}
        # the cached data each mark shows now (a curve unchanged since is not written again)
        self._shown: dict[str, object] = {}
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
        self.lp_labels = st.labels(ls, size=st.SMALL_LABEL_SIZE, align="end", x_offset=-4)
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
        # the 100 % line spans the plot whatever the marks: its x is on a fixed unit scale
        self.threshold_line = st.hline(
            {"x": bq.LinearScale(min=0.0, max=1.0), "y": rs["y"]},
            st.COLORS["vermillion"],
            line_style="dotted",
        )
        self.threshold_line.x, self.threshold_line.y = np.array([0.0, 1.0]), np.array([1.0, 1.0])
        self.ratio_figure = self.add_figure(
            "ratio",
            st.figure(
                "ratio",
                [self.threshold_line, *self.ratio_lines.values(), *self.ratio_points.values()],
                [
                    # ticks set with the grid (none at the ends), not following the scale
                    st.axis(rs["x"], "mark price (USDT)", tick_format=",.0f", tick_values=_EMPTY),
                    st.axis(rs["y"], "margin ratio (%)", vertical=True, tick_format=".0%"),
                ],
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

    def _source(self, name: str, v: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[Any, ...]]:
        """The maintenance source of exchange ``name`` (engine keywords) and its cache key.

        One rate, or its tier table; OKX's fee is part of it. Raises KeyError for an exchange
        without a tier table in "tier tables" mode.
        """
        fee = float(v["okx_fee"]) if name == "okx" else 0.0
        if v["maintenance"] == "one rate":
            rate = float(v["mmr"])
            return {"maintenance_margin_rate": rate, "fee_rate": fee}, ("rate", rate, fee)
        table = self._tables.get(name)
        if table is None:
            raise KeyError(name)
        return {"table": table, "fee_rate": fee}, ("table", str(v["symbol"]), fee)

    def _maintenance(self, name: str) -> dict[str, Any]:
        """The maintenance source of exchange ``name``: one rate, or its tier table."""
        return self._source(name, self._raw_values())[0]

    @staticmethod
    def _liquidation_curve(
        name: str, side: str, q: float, ep: float, source: dict[str, Any]
    ) -> _LiquidationCurve:
        curve = exchange_leverage_curve(name, side, q, ep, max_leverage=LEVERAGE_POINTS, **source)
        prices = np.array(curve.liquidation, dtype=float)  # None -> NaN: the line sends its span
        finite = prices[np.isfinite(prices)]
        if not finite.size:
            return _LiquidationCurve(prices, math.nan, math.nan)
        return _LiquidationCurve(prices, float(finite.min()), float(finite.max()))

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

    @staticmethod
    def _ratio_curve(
        name: str,
        side: str,
        q: float,
        ep: float,
        leverage: float,
        grid: _Grid,
        source: dict[str, Any],
    ) -> _RatioCurve:
        """The ratios on the grid and at the entry, in one engine call."""
        margin = initial_margin(notional(q, ep), leverage)
        found = exchange_ratio_curve(name, side, q, ep, margin, [*grid.prices, ep], **source)
        ratios = np.array(found[:-1], dtype=float)
        ratios[~((ratios >= 0) & (ratios <= RATIO_CEILING))] = math.nan
        return _RatioCurve(grid.x, ratios, found[-1])  # the line sends its drawable span

    def margin_ratios(self, prices: list[float]) -> dict[str, list[float]]:
        """Each drawn exchange's margin ratio (own orientation) at the given marks."""
        self.flush()
        return {name: list(self._ratios(name, prices)) for name in self._prices}

    def _tick(self, name: str) -> float | None:
        """The tick size of the chosen symbol on exchange ``name`` (None if none is stored)."""
        return _tick(name, str(self.controls["symbol"].value))

    def _write(self, key: str, mark: bq.Mark, data: object, **traits: Any) -> None:
        """``set_mark_data(mark, **traits)`` unless ``mark`` already shows ``data`` (cached)."""
        if self._shown.get(key) is not data:
            set_mark_data(mark, **traits)
            self._shown[key] = data

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        side, q, ep = str(v["side"]), float(v["quantity"]), float(v["entry_price"])
        symbol, lev_now = str(v["symbol"]), int(v["leverage"])
        tier_mode = v["maintenance"] == "tier tables"
        self._tables = (
            self.cached("tables", symbol, self.tables, keep=2)
            if tier_mode
            else dict.fromkeys(EXCHANGES)
        )
        drawn = [n for n in EXCHANGES if not tier_mode or self._tables.get(n) is not None]
        missing = [EXCHANGE_STYLES[n].label for n in EXCHANGES if n not in drawn]
        sources = {name: self._source(name, v) for name in drawn}
        # each exchange's curve depends on its own maintenance source (OKX's on the fee), and
        # never on the leverage: a leverage drag only moves the points
        curves = {
            name: self.cached(
                f"liquidation {name}",
                (side, q, ep, key),
                partial(self._liquidation_curve, name, side, q, ep, source),
                keep=4,
            )
            for name, (source, key) in sources.items()
        }
        prices: dict[str, float | None] = {}
        for name, curve in curves.items():
            price = float(curve.prices[lev_now - 1])
            prices[name] = None if math.isnan(price) else price
        if not prices:
            raise ValueError(f"no exchange ships a tier table for {symbol}: choose another symbol")
        if missing:
            self.note(
                f"No {symbol} tier table ships for {' or '.join(missing)}: not drawn.", "info"
            )
        self._prices = prices
        self._price_texts = {n: st.format_price(p, _tick(n, symbol)) for n, p in prices.items()}
        self._tiers = {}
        if tier_mode:
            for name in prices:
                table = self._tables[name]
                assert table is not None
                tier: Tier = table.tier_for(q, ep)
                self._tiers[name] = f"tier {tier.number}"
                if lev_now > tier.max_leverage:
                    self.note(
                        f"{EXCHANGE_STYLES[name].label} allows at most "
                        f"{tier.max_leverage:g}x in tier {tier.number}.",
                        "warning",
                    )
        self._draw_liquidation(curves, prices, ep, lev_now)
        self._draw_ratios(sources, prices, side, q, ep, lev_now)
        readout = f"<b>{self._summary_html()}</b>"
        if self.readout.value != readout:
            self.readout.value = readout

    def _draw_liquidation(
        self,
        curves: dict[str, _LiquidationCurve],
        prices: dict[str, float | None],
        entry: float,
        leverage: float,
    ) -> None:
        spans = [(c.low, c.high) for c in curves.values() if not math.isnan(c.low)]
        low, high = st.headroom(
            min([entry] + [lo for lo, _ in spans]), max([entry] + [hi for _, hi in spans]), rows=3
        )
        y_min, y_max = max(0.0, low), high
        set_mark_data(self.lp_scales["y"], min=y_min, max=y_max)
        set_mark_data(self.entry_line, x=np.array([1.0, 125.0]), y=np.array([entry, entry]))
        for name in EXCHANGES:
            curve = curves.get(name)
            if curve is None:
                self._write(f"lp {name}", self.lp_lines[name], _EMPTY, x=_EMPTY, y=_EMPTY)
            else:
                self._write(f"lp {name}", self.lp_lines[name], curve, x=_LEVERAGE_X, y=curve.prices)
            now = prices.get(name)
            set_mark_data(
                self.lp_points[name],
                x=np.array([leverage]) if now is not None else _EMPTY,
                y=np.array([now]) if now is not None else _EMPTY,
            )
        # the labels stack at the top right, in the band the headroom keeps free of lines (the
        # curves run nearly flat and close together: no place beside them stays clear)
        shown = sorted(
            ((n, p) for n, p in prices.items() if p is not None), key=lambda item: -item[1]
        )
        per_px = (y_max - y_min) / st.plot_height()
        set_mark_data(
            self.lp_labels,
            x=np.full(len(shown), float(LEVERAGE_POINTS)),
            y=np.array([y_max - (18.0 + st.LEGEND_ROW_PX * k) * per_px for k in range(len(shown))]),
            text=np.array(
                [f"{EXCHANGE_STYLES[n].label} {self._price_texts[n]}" for n, _ in shown],
                dtype=str,
            ),
            colors=[EXCHANGE_STYLES[n].color for n, _ in shown] or ["black"],
        )

    def _grid(self, low: float, high: float) -> _Grid:
        """The ratio curves' marks from ``low`` to ``high`` and the axis ticks between."""
        prices = linear_grid(low, high, PRICE_POINTS)
        # round ticks, none at the very ends: a label centred there would be cut by the edge
        ticks = st.nice_ticks(low, high)
        keep = TICK_END_MARGIN * (high - low)
        inside = ticks[(ticks > low + keep) & (ticks < high - keep)]
        return _Grid(prices, np.array(prices, dtype=float), inside)

    def _draw_ratios(
        self,
        sources: dict[str, tuple[dict[str, Any], tuple[Any, ...]]],
        prices: dict[str, float | None],
        side: str,
        q: float,
        entry: float,
        leverage: int,
    ) -> None:
        found = [p for p in prices.values() if p is not None]
        reach = max([abs(p - entry) for p in found] + [0.01 * entry])
        low, high = max(entry - 2.0 * reach, 1e-6), entry + 2.0 * reach
        grid = self.cached("grid", (low, high), partial(self._grid, low, high), keep=2)
        set_mark_data(self.ratio_scales["x"], min=low, max=high)
        self._write("ticks", self.ratio_figure.axes[0], grid, tick_values=grid.ticks)
        for name in EXCHANGES:
            if name not in sources:
                self._write(f"ratio {name}", self.ratio_lines[name], _EMPTY, x=_EMPTY, y=_EMPTY)
                set_mark_data(self.ratio_points[name], x=_EMPTY, y=_EMPTY)
                continue
            source, key = sources[name]
            curve = self.cached(
                f"ratio {name}",
                (side, q, entry, leverage, key, low, high),
                partial(self._ratio_curve, name, side, q, entry, leverage, grid, source),
                keep=4,
            )
            self._write(f"ratio {name}", self.ratio_lines[name], curve, x=curve.x, y=curve.y)
            shown = 0 <= curve.at_entry <= RATIO_CEILING
            set_mark_data(
                self.ratio_points[name],
                x=np.array([entry]) if shown else _EMPTY,
                y=np.array([curve.at_entry]) if shown else _EMPTY,
            )

    def _summary(self) -> str:
        parts = [f"{EXCHANGE_STYLES[n].label} {self._price_texts[n]}" for n in self._prices]
        return "Liquidation price: " + ", ".join(parts) + self._spread()

    def _spread(self) -> str:
        found = [p for p in self._prices.values() if p is not None]
        return f" (spread {st.format_price(max(found) - min(found))} USDT)" if found else ""

    def _summary_html(self) -> str:
        """:meth:`_summary` as HTML, each price's exact value in its ``title`` (on hover)."""
        symbol = str(self.controls["symbol"].value)
        parts = [
            f"{st.escape(EXCHANGE_STYLES[n].label)} {price_html(p, _tick(n, symbol))}"
            for n, p in self._prices.items()
        ]
        return "Liquidation price: " + ", ".join(parts) + self._spread()

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
