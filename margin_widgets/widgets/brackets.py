"""Maintenance brackets: maintenance margin and liquidation price versus position size.

The bracket (leverage tier) is chosen by the position's notional. Its maintenance margin rate
rises, and its maximum leverage falls, with size. Plotted against the notional, the maintenance
margin has kinks at the bracket edges (it stays continuous thanks to the maintenance amount
``cum``), and so has the liquidation price of an isolated position at a fixed leverage. The
leverage cap of each bracket limits how large a position may be at a given leverage.

Every number comes from the engine: the bracket table
(:func:`~margin_widgets.engine.load_brackets`), read along the notional axis by
:func:`~margin_widgets.engine.bracket_curve`, and the liquidation prices against size from
:func:`~margin_widgets.engine.size_curve` (the current position is a one-point curve, so the
point always sits on the line). The entry price is shown at the symbol's tick size
(:func:`~margin_widgets.engine.tick_size`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    BracketTable,
    available_bracket_tables,
    bracket_curve,
    initial_margin,
    load_brackets,
    log_grid,
    price_move,
    price_moves,
    size_curve,
    tick_size,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, set_mark_data
from margin_widgets.widgets._controls import ControlLook, leverage_slider, log_usdt_slider

__all__ = ["BracketExplorer"]

#: Entry price used for each symbol's liquidation prices, USDT (the distance in % does not
#: depend on it).
REFERENCE_PRICES: dict[str, float] = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0}
#: Price tick size of each symbol's perpetual (USDT): prices are shown rounded to it.
TICKS: dict[str, float] = {symbol: tick_size("binance", symbol) for symbol in REFERENCE_PRICES}
GRID_POINTS = 400
MIN_NOTIONAL_EXPONENT = 2.0  # 100 USDT
SIDE = "long"
#: Size of the controls: box width, description width.
_LOOK = ControlLook("420px", "150px")


@cache
def _dates(symbol: str) -> tuple[str, ...]:
    """The shipped table dates of ``symbol``, oldest first."""
    return tuple(d for s, d in available_bracket_tables() if s == symbol)


@dataclass(frozen=True)
class _Distances:
    """How far below the entry each size is liquidated, % (NaN: no point), per mode."""

    isolated: np.ndarray
    cross: np.ndarray
    top: float  # the plot's data top: the largest finite distance within [1, 100] (10 if none)


def _below_entry(moves: tuple[float | None, ...]) -> np.ndarray:
    """The engine's price moves as % below the entry (NaN where there is no price)."""
    return -np.array(moves, dtype=float) * 100


class BracketExplorer(Explorer):
    """Maintenance margin and liquidation price versus position size, bracket by bracket.

    Parameters
    ----------
    preset, locked, hidden
        See :class:`~margin_widgets.widgets._base.Explorer`.
    **values
        Start values: ``symbol`` ("BTCUSDT" or "ETHUSDT"), ``date`` (a shipped table date for
        the symbol, default the newest), ``notional`` (position size in USDT, log slider,
        default 100,000), ``leverage`` (1 to the bracket maximum for the notional, 20),
        ``collateral`` (the cross wallet behind the cross curve, USDT, log slider, 10,000).

    Examples
    --------
    >>> explorer = BracketExplorer(notional=500_000, date="2021-03-18")
    >>> explorer.bracket().number, explorer.maintenance_margin()
    (3, 3700.0)
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "symbol": "Contract whose maintenance brackets are shown.",
        "date": "Date of the bracket table (exchanges change their brackets over time).",
        "notional": "Position size (notional), in USDT: it chooses the bracket.",
        "leverage": "Notional / initial margin: the isolated margin is notional / leverage.",
        "collateral": "USDT in the cross wallet that backs the position in cross mode.",
    }

    def __init__(
        self,
        preset: dict[str, Any] | str | None = None,
        locked: Any = (),
        hidden: Any = (),
        **values: Any,
    ) -> None:
        self._curve_keys: dict[str, Any] = {}
        self._readout = ""
        self._lp: dict[str, float | None] = {"isolated": None, "cross": None}
        super().__init__(preset, locked, hidden, **values)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        symbols = sorted({s for s, _ in available_bracket_tables()})
        add = self.add_control
        add(
            "symbol",
            _LOOK.widget(w.Dropdown, options=symbols, value="BTCUSDT", description="Symbol"),
        )
        add(
            "date",
            _LOOK.widget(
                w.Dropdown,
                options=list(_dates("BTCUSDT")),
                value=_dates("BTCUSDT")[-1],
                description="Bracket table of",
            ),
        )
        add(
            "notional",
            log_usdt_slider(
                _LOOK,
                value=100_000.0,
                min=MIN_NOTIONAL_EXPONENT,
                max=9.3,
                description="Position size (USDT)",
            ),
        )
        add("leverage", leverage_slider(_LOOK, value=20, max=125, description="Leverage (x)"))
        add(
            "collateral",
            log_usdt_slider(
                _LOOK, value=10_000.0, min=1.0, max=9.0, description="Cross wallet (USDT)"
            ),
        )

        # --- maintenance margin rate and leverage cap versus size
        mx, my, ml = bq.LogScale(), bq.LinearScale(min=0.0), bq.LinearScale(min=0.0)
        mc = {"x": mx, "y": my}
        self.mm_rate = st.line(
            mc,
            st.COLORS["blue"],
            width=2.5,
            label="maintenance margin / notional",
            tip=st.tooltip("notional (USDT)", "MM / notional (%)", ",.0f", ".3f"),
        )
        self.mmr_steps = st.line(
            mc,
            st.COLORS["orange"],
            line_style="dashed",
            width=1.5,
            label="bracket MMR",
            tip=st.tooltip("notional (USDT)", "bracket MMR (%)", ",.0f", ".2f"),
        )
        self.leverage_steps = st.line(
            {"x": mx, "y": ml},
            st.COLORS["bluish_green"],
            line_style="dotted",
            width=2,
            label="max leverage (right axis)",
            tip=st.tooltip("notional (USDT)", "max leverage (x)", ",.0f", ".0f"),
        )
        self.edges = st.line(mc, st.GUIDE_COLOR, line_style="dotted", width=1)
        self.mm_point = st.points(
            mc,
            st.COLORS["blue"],
            marker="circle",
            label="this position",
            tip=st.tooltip("notional (USDT)", "MM / notional (%)", ",.0f", ".3f"),
        )
        self.mm_scales = {"x": mx, "y": my, "leverage": ml}
        # log axes: one tick per power of ten ("1k", "1M"), set with the data range
        lx = bq.LogScale()
        self.notional_axes = [
            st.axis(scale, "position notional (USDT, log scale)", tick_format="~s")
            for scale in (mx, lx)
        ]
        fig_mm = st.figure(
            "maintenance_margin",
            [self.edges, self.mmr_steps, self.mm_rate, self.leverage_steps, self.mm_point],
            [
                self.notional_axes[0],
                st.axis(my, "maintenance margin rate (%)", vertical=True, tick_format=".1f"),
                st.axis(
                    ml,
                    "max leverage (x)",
                    vertical=True,
                    side="right",
                    tick_format=".0f",
                    grid=False,
                ),
            ],
            "Maintenance margin vs position size",
            margin={**st.FIGURE_MARGIN, "right": st.RIGHT_AXIS_MARGIN},
        )
        self.add_figure("maintenance_margin", fig_mm)

        # --- liquidation distance versus size
        ly = bq.LinearScale(min=0.0)
        lc = {"x": lx, "y": ly}
        tip = st.tooltip("notional (USDT)", "liq. below entry (%)", ",.0f", ".2f")
        self.lp_lines = {
            "isolated": st.mode_line(lc, "isolated", label="isolated at this leverage", tip=tip),
            "cross": st.mode_line(lc, "cross", label="cross with this wallet", tip=tip),
        }
        self.lp_points = st.per_mode(st.mode_points, lc, tip=tip)
        self.cap_line = st.vline(lc, st.LIMIT_COLOR, line_style="dashed", width=2)
        # under the 2 legend rows, in the band the curves never enter
        self.cap_label = st.labels(
            lc,
            colors=[st.LIMIT_TEXT_COLOR],
            y_offset=2 * st.LEGEND_ROW_PX + st.LEGEND_GAP_PX,
            size=st.SMALL_LABEL_SIZE,
            align="end",
            x_offset=-4,
        )
        self.lp_scales = lc
        fig_lp = st.figure(
            "liquidation_vs_size",
            [self.cap_line, *self.lp_lines.values(), *self.lp_points.values(), self.cap_label],
            [
                self.notional_axes[1],
                st.axis(
                    ly, "liquidation distance below entry (%)", vertical=True, tick_format=".0f"
                ),
            ],
            "Liquidation distance vs position size",
        )
        self.add_figure("liquidation_vs_size", fig_lp)
        controls = w.VBox(list(self.controls.values()))
        controls.add_class("mw-controls")
        return [controls, w.HBox([fig_mm, fig_lp], layout={"flex_flow": "row wrap"})]

    # ------------------------------------------------------------------ bounds
    @property
    def table(self) -> BracketTable:
        """The bracket table in view (symbol and date)."""
        return load_brackets(self.controls["symbol"].value, self.controls["date"].value)

    def _sync_bounds(self) -> None:
        c = self.controls
        dates = _dates(c["symbol"].value)
        if tuple(c["date"].options) != dates:
            keep = c["date"].value if c["date"].value in dates else dates[-1]
            with c["date"].hold_sync():  # the new dates and the one chosen, one message
                c["date"].options = list(dates)
                c["date"].value = keep
        table = self.table
        top = math.ceil(math.log10(table.max_notional) * 100) / 100
        if c["notional"].max != top:
            c["notional"].max = top
        lev_top = int(table.max_leverage(min(c["notional"].value, table.max_notional)))
        if c["leverage"].max != lev_top:
            c["leverage"].max = lev_top

    def _bound_reason(self, name: str) -> str:
        c = self.controls
        if name == "leverage":
            bracket = self.bracket()
            return (
                f"bracket {bracket.number} of {c['symbol'].value} ({c['date'].value}) allows at "
                f"most {bracket.max_leverage:g}x"
            )
        if name == "date":
            return f"{c['symbol'].value} has tables for {', '.join(_dates(c['symbol'].value))}"
        if name == "notional":
            return f"the largest notional in the table is {st.format_usdt(self.table.max_notional)}"
        return ""

    # ------------------------------------------------------------------ engine
    def _grid(self, table: BracketTable) -> list[float]:
        return log_grid(10.0**MIN_NOTIONAL_EXPONENT, table.max_notional, GRID_POINTS)

    def _distance(self, table: BracketTable, lp: float | None) -> float:
        """How far below the entry ``lp`` is, in % (NaN for no price): the engine's move."""
        move = price_move(REFERENCE_PRICES.get(table.symbol, 1.0), lp)
        return math.nan if move is None else -move * 100

    def _distances(
        self, table: BracketTable, grid: list[float], leverage: int, wallet: float
    ) -> _Distances:
        price = REFERENCE_PRICES.get(table.symbol, 1.0)
        sizes = size_curve(SIDE, price, grid, table, leverage, wallet)
        isolated = _below_entry(price_moves(price, sizes.isolated))
        cross = _below_entry(price_moves(price, sizes.cross))
        both = np.concatenate([isolated, cross])
        finite = both[np.isfinite(both)]
        top = float(min(max(finite.max(), 1.0), 100.0)) if finite.size else 10.0
        return _Distances(isolated, cross, top)

    def _update(self, changed: frozenset[str] | None) -> None:
        c = self.controls
        table = self.table
        key = (table.symbol, table.effective_date)
        grid, x = self.cached("grid", key, lambda: self._grid_arrays(table), keep=4)
        value = float(c["notional"].value)
        leverage = int(c["leverage"].value)
        wallet = float(c["collateral"].value)
        cap = table.max_notional_for_leverage(leverage)
        price = REFERENCE_PRICES.get(table.symbol, 1.0)

        curve = self.cached("bracket curve", key, lambda: bracket_curve(table, grid), keep=4)
        if self._curve_keys.get("mm") is not curve:
            mmr = [r * 100 for r in curve.bracket_rate]
            set_mark_data(self.mm_rate, x=x, y=np.array(curve.maintenance_rate) * 100)
            set_mark_data(self.mmr_steps, x=x, y=np.array(mmr))
            set_mark_data(self.leverage_steps, x=x, y=np.array(curve.max_leverage))
            # 4 legend rows above the data, on both value axes
            _, top = st.headroom(0.0, max(mmr), rows=4, pad=0.05)
            _, lev_top = st.headroom(0.0, max(curve.max_leverage), rows=4, pad=0.05)
            data_top = max(mmr) * 1.05
            edges = curve.edges
            set_mark_data(
                self.edges,
                x=np.array([[e, e] for e in edges]) if edges else np.zeros((0, 2)),
                y=np.array([[0.0, data_top] for _ in edges]) if edges else np.zeros((0, 2)),
            )
            set_mark_data(self.mm_scales["x"], min=grid[0], max=grid[-1])
            set_mark_data(self.mm_scales["y"], min=0.0, max=top)
            set_mark_data(self.mm_scales["leverage"], min=0.0, max=lev_top)
            set_mark_data(self.lp_scales["x"], min=grid[0], max=grid[-1])
            ticks = st.decade_ticks(grid[0], grid[-1])
            for axis in self.notional_axes:
                set_mark_data(axis, tick_values=ticks)
            self._curve_keys["mm"] = curve

        rate_now = bracket_curve(table, [value]).maintenance_rate[0] * 100
        set_mark_data(self.mm_point, x=np.array([value]), y=np.array([rate_now]))

        distances = self.cached(
            "size curves",
            (*key, leverage, wallet),
            lambda: self._distances(table, grid, leverage, wallet),
            keep=4,
        )
        if self._curve_keys.get("size") is not distances:
            set_mark_data(self.lp_lines["isolated"], x=x, y=distances.isolated)
            set_mark_data(self.lp_lines["cross"], x=x, y=distances.cross)
            self._curve_keys["size"] = distances

        point = size_curve(SIDE, price, [value], table, leverage, wallet)
        self._lp = {"isolated": point.isolated[0], "cross": point.cross[0]}
        allowed = value <= cap
        margin = initial_margin(value, leverage)
        affordable = margin <= wallet
        for mode in st.MODES:
            lp = self._lp[mode]
            if lp is None:
                set_mark_data(self.lp_points[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(
                    self.lp_points[mode],
                    x=np.array([value]),
                    y=np.array([self._distance(table, lp)]),
                )
        data_top = distances.top
        # 2 legend rows and the cap label above the curves
        _, y_top = st.headroom(0.0, data_top, rows=2, pad=0.05, extra_px=18)
        set_mark_data(self.lp_scales["y"], min=0.0, max=y_top)
        set_mark_data(self.cap_line, x=np.array([cap, cap]), y=np.array([0.0, data_top * 1.05]))
        text = f"{leverage}x allowed up to {st.format_number(cap, 0)} USDT"
        x_lo, x_hi = (math.log10(v) for v in (self.lp_scales["x"].min, self.lp_scales["x"].max))
        # left of the cap line when the text fits there (log axis: compare exponents)
        left = st.fits_right(x_hi - math.log10(cap) + x_lo, x_lo, x_hi, text)
        set_mark_data(
            self.cap_label,
            align="end" if left else "start",
            x_offset=-4 if left else 4,
            x=np.array([cap]),
            y=np.array([y_top]),
            text=np.array([text]),
        )
        if not allowed:
            self.note(
                f"A {st.format_usdt(value, 0)} position cannot be opened at {leverage}x: "
                f"{table.symbol} allows {leverage}x only up to {st.format_usdt(cap, 0)}."
            )
        elif not affordable:
            self.note(
                f"The cross wallet of {st.format_usdt(wallet)} cannot cover the initial margin "
                f"{st.format_usdt(margin)} of this position at "
                f"{leverage}x, so the cross point is not drawn.",
                "info",
            )
        self._readout = self._readout_text()
        self.set_readout(self._readout)

    def _grid_arrays(self, table: BracketTable) -> tuple[list[float], np.ndarray]:
        grid = self._grid(table)
        return grid, np.array(grid)

    # ------------------------------------------------------------------ text
    def _readout_text(self) -> str:
        c = self.controls
        b = self.bracket()
        table = self.table
        parts = [
            f"bracket {b.number}: {st.format_number(b.min_notional, 0)}–"
            f"{st.format_number(b.max_notional, 0)} USDT, "
            f"MMR {st.format_percent(b.maintenance_margin_rate, 2)}, max {b.max_leverage:g}x; "
            f"maintenance margin {st.format_usdt(self.maintenance_margin())}"
        ]
        for mode, what in (
            ("isolated", f"isolated at {c['leverage'].value}x"),
            ("cross", "cross with this wallet"),
        ):
            lp = self._lp[mode]
            if lp is None:
                parts.append(f"{what}: --")
            else:
                parts.append(f"{what} liquidates {self._distance(table, lp):.1f} % below entry")
        return "; ".join(parts)

    def _describe(self) -> str:
        c = self.controls
        table = self.table
        # the entry at the symbol's tick size (BTCUSDT 0.1, ETHUSDT 0.01)
        entry = st.format_price(REFERENCE_PRICES.get(table.symbol, 1.0), TICKS.get(table.symbol))
        return (
            f"Two charts for {table.symbol} brackets in force from {table.effective_date}. "
            f"Left: maintenance margin as a share of the notional versus position size "
            f"(log scale), with each bracket's rate and maximum leverage; the share rises "
            f"with kinks at the bracket edges. Right: how far below a "
            f"{entry} USDT entry a long is "
            f"liquidated, versus size: isolated at {c['leverage'].value}x (margin = notional / "
            f"leverage) and cross with a {st.format_usdt(c['collateral'].value)} wallet. "
            f"This position: {st.format_usdt(c['notional'].value)}; {self._readout}."
        )

    # ------------------------------------------------------------------ public API
    def bracket(self) -> Any:
        """The engine :class:`~margin_widgets.engine.Bracket` of the current notional."""
        return self.table.bracket_for(float(self.controls["notional"].value))

    def maintenance_margin(self) -> float:
        """Maintenance margin of the current notional, USDT (engine)."""
        return self.table.maintenance_margin(float(self.controls["notional"].value))

    def liquidation_prices(self) -> dict[str, float | None]:
        """Liquidation price of the long at the reference entry, per mode (None if not drawn)."""
        self.flush()
        return dict(self._lp)
