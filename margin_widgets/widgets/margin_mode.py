"""The flagship explorer: one BTC trade, one wallet, cross margin versus isolated margin.

Two engine accounts hold the same trade. In the *isolated* account the BTCUSDT long (or short)
and an ETHUSDT long are isolated: each moves only its initial margin ``notional / leverage`` out
of the wallet. In the *cross* account both are cross: the whole wallet backs both positions.

What the learner should see:

* the isolated liquidation price moves with leverage (leverage sets the isolated margin);
* the cross liquidation price does not: in cross mode leverage only sets the initial margin,
  and the liquidation price depends on the wallet and on the other positions. The cross curve
  is flat in leverage, and it moves with the ETH position (``other_quantity``, ``other_move``);
* a large enough ETH move liquidates the whole cross account, BTC included, while the
  isolated BTC position does not notice.

Every number comes from :mod:`margin_widgets.engine`: the accounts are
:class:`~margin_widgets.engine.Account` objects, and the curves call the engine's functions
(``liquidation_price_in_brackets``, ``bankruptcy_price``, ``initial_margin``,
``Account.margin_ratio_curve``) point by point, cached so that a
leverage change only re-evaluates what leverage affects.
"""

from __future__ import annotations

from typing import Any

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    Account,
    BracketTable,
    MarginError,
    bankruptcy_price,
    initial_margin,
    liquidation_price_in_brackets,
    load_brackets,
    notional,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, check_mode, nan_for_none, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    entry_price_slider,
    leverage_slider,
    quantity_slider,
)

__all__ = ["MarginModeExplorer"]

SYMBOL = "BTCUSDT"
OTHER_SYMBOL = "ETHUSDT"
#: Entry price of the ETH position, USDT.
OTHER_ENTRY_PRICE = 3_000.0
#: Points of the margin-ratio curves.
RATIO_POINTS = 241
#: Margin ratios above this (1.5 = 150 %) are not drawn: the curve stops at the top of the
#: data band, below the legend.
RATIO_CAP = 1.5
#: Top of the margin-ratio axis data band, in %.
RATIO_TOP = RATIO_CAP * 100

#: Size of the controls: box width, description width.
_LOOK = ControlLook("420px", "150px")
#: px below the top of the leverage plot of the "wallet too small" label: under the 2 legend rows
_LIMIT_LABEL_OFFSET = 2 * st.LEGEND_ROW_PX + st.LEGEND_GAP_PX
#: the leverage plot reserves room for 2 legend rows and that label
_LEV_LEGEND_ROWS = 2
_LEV_LABEL_PX = 18


_MISSING = object()


class MarginModeExplorer(Explorer):
    """Cross versus isolated margin on one BTCUSDT trade with one wallet.

    Parameters
    ----------
    preset : dict or str, optional
        Start values (dict or JSON), see :class:`~margin_widgets.widgets._base.Explorer`.
    locked, hidden : iterable of str
        Controls to disable, or to hide.
    brackets : BracketTable, optional
        BTCUSDT bracket table (default: the newest shipped one).
    other_brackets : BracketTable, optional
        ETHUSDT bracket table (default: the newest shipped one).
    **values
        Start values of the controls:

        ``side`` ("long"/"short", default "long"), ``entry_price`` (USDT, 60,000),
        ``quantity`` (BTC, 0.5), ``leverage`` (1 to the bracket maximum for the notional,
        20), ``collateral`` (the wallet, USDT, 5,000), ``other_quantity`` (ETH long opened at
        3,000 USDT with the same leverage, or the ETH bracket's maximum if lower; 0 for none;
        default 5), ``other_move`` (the ETH mark's move from its entry as a fraction,
        -0.5 to 0.5, default 0).

    Examples
    --------
    >>> explorer = MarginModeExplorer()
    >>> explorer.price_labels()
    {'isolated': '57,228.92', 'cross': '50,321.29'}
    >>> explorer.controls["leverage"].value = 50
    >>> explorer.price_labels()["cross"]
    '50,321.29'
    """

    def __init__(
        self,
        preset: dict[str, Any] | str | None = None,
        locked: Any = (),
        hidden: Any = (),
        *,
        brackets: BracketTable | None = None,
        other_brackets: BracketTable | None = None,
        **values: Any,
    ) -> None:
        self.table = brackets if brackets is not None else load_brackets(SYMBOL)
        self.other_table = (
            other_brackets if other_brackets is not None else load_brackets(OTHER_SYMBOL)
        )
        self._accounts: dict[str, Account | None] = {"isolated": None, "cross": None}
        self._refusals: dict[str, str] = {}
        self._lp: dict[str, float | None] = {"isolated": None, "cross": None}
        self._bp: dict[str, float | None] = {"isolated": None, "cross": None}
        self._curve_key: tuple[Any, ...] | None = None
        self._cross_key: tuple[Any, ...] | None = None
        self._lev_grid = np.zeros(0)
        self._iso_curve = np.zeros(0)
        self._iso_bankruptcy_curve = np.zeros(0)
        self._min_leverage: dict[str, int | None] = {"isolated": None, "cross": None}
        self._price_grid = np.zeros(0)
        self._range = (0.0, 1.0)
        self._range_key: tuple[Any, ...] | None = None
        self._drawn: dict[str, Any] = {}
        super().__init__(preset, locked, hidden, **values)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        add = self.add_control
        add(
            "side",
            # in the look's width: the default 300 px puts the buttons under the label
            _LOOK.widget(
                w.ToggleButtons,
                options=[("long", "long"), ("short", "short")],
                value="long",
                description="BTC side",
                tooltips=["a long loses when BTC falls", "a short loses when BTC rises"],
                style={"button_width": "80px"},
            ),
        )
        add(
            "entry_price", entry_price_slider(_LOOK, value=60_000.0, description="BTC entry (USDT)")
        )
        add("quantity", quantity_slider(_LOOK, value=0.5, description="BTC size (BTC)"))
        add("leverage", leverage_slider(_LOOK, value=20, max=125, description="Leverage (x)"))
        add(
            "collateral",
            collateral_slider(
                _LOOK,
                value=5_000.0,
                min=10.0,
                max=100_000.0,
                step=10.0,
                description="Wallet (USDT)",
            ),
        )
        add(
            "other_quantity",
            _LOOK.slider(
                w.FloatSlider,
                value=5.0,
                min=0.0,
                max=100.0,
                step=0.1,
                readout_format=",.1f",
                description="ETH long (ETH)",
            ),
        )
        add(
            "other_move",
            _LOOK.slider(
                w.FloatSlider,
                value=0.0,
                min=-0.5,
                max=0.5,
                step=0.01,
                readout_format="+.0%",
                description="ETH move (%)",
            ),
        )

        # --- liquidation price versus leverage
        sx, sy = bq.LinearScale(min=1.0, max=125.0), bq.LinearScale()
        sc = {"x": sx, "y": sy}
        lev_tip = st.tooltip("leverage (x)", "liq. price (USDT)", ".0f", ",.2f")
        self.lev_lines = st.per_mode(st.mode_line, sc, label="{mode} liq. price", tip=lev_tip)
        # the current points are not in the legend: they sit on the lines the legend names
        self.lev_points = st.per_mode(st.mode_points, sc, tip=lev_tip)
        self.lev_limit = st.vline(sc, st.LIMIT_COLOR)
        # below the two legend rows, in the band the curves never enter (see _draw_leverage_figure)
        self.lev_limit_label = st.labels(
            sc, colors=[st.LIMIT_TEXT_COLOR], y_offset=_LIMIT_LABEL_OFFSET, size=st.SMALL_LABEL_SIZE
        )
        self.lev_scales = sc
        fig_lev = st.figure(
            "liquidation_vs_leverage",
            [
                self.lev_limit,
                *self.lev_lines.values(),
                *self.lev_points.values(),
                self.lev_limit_label,
            ],
            st.axes(
                sc, "leverage (x)", "liquidation price (USDT)", x_format=".0f", y_format=",.0f"
            ),
            "Liquidation price vs leverage",
        )
        self.add_figure("liquidation_vs_leverage", fig_lev)

        # --- price ladder
        lx, ly = bq.LinearScale(min=0.0, max=1.0), bq.LinearScale()
        lc = {"x": lx, "y": ly}
        price_tip = st.tooltip("", "price (USDT)", ".2f", ",.2f")
        self.ladder_entry = st.line(lc, st.ENTRY_COLOR, width=2, tip=price_tip)
        self.ladder_mark = st.points(
            lc, st.MARK_COLOR, marker="triangle-up", size=70, label="mark", tip=price_tip
        )
        self.ladder_liq = {
            mode: st.line(
                lc,
                st.MODE_STYLES[mode].color,
                line_style=st.MODE_STYLES[mode].line_style,
                marker=st.MODE_STYLES[mode].marker,
                width=2.5,
                label=f"{mode} liq.",
                tip=price_tip,
            )
            for mode in st.MODES
        }
        self.ladder_bankruptcy = {
            mode: st.line(
                lc,
                st.BANKRUPTCY_COLOR,
                line_style="dotted",
                marker=st.MODE_STYLES[mode].marker,
                width=1.5,
                tip=price_tip,
            )
            for mode in st.MODES
        }
        self.ladder_bankruptcy["isolated"].labels = ["bankruptcy"]
        self.ladder_bankruptcy["isolated"].display_legend = True
        # liquidation labels on the entry side of their line, bankruptcy labels on the far side
        # (offsets flip with the side, see _draw_ladder)
        self.ladder_liq_labels = st.labels(
            lc, colors=[st.MODE_STYLES[m].color for m in st.MODES], y_offset=-9
        )
        self.ladder_bankruptcy_labels = st.labels(
            lc,
            colors=[st.BANKRUPTCY_COLOR, st.BANKRUPTCY_COLOR],
            y_offset=14,
            size=st.SMALL_LABEL_SIZE,
        )
        self.ladder_entry_labels = st.labels(
            lc, colors=[st.ENTRY_COLOR], align="end", x_offset=0, y_offset=-9
        )
        self.ladder_scales = lc
        fig_ladder = st.figure(
            "price_ladder",
            [
                self.ladder_entry,
                *self.ladder_bankruptcy.values(),
                *self.ladder_liq.values(),
                self.ladder_mark,
                self.ladder_entry_labels,
                self.ladder_bankruptcy_labels,
                self.ladder_liq_labels,
            ],
            [
                bq.Axis(
                    scale=lx,
                    tick_values=np.array([0.25, 0.75]),
                    tick_labels={0.25: "isolated", 0.75: "cross"},
                    grid_lines="none",
                    label="account",
                ),
                st.axis(ly, "BTC price (USDT)", vertical=True, tick_format=",.0f"),
            ],
            "Price ladder",
            legend=False,
        )
        self.add_figure("price_ladder", fig_ladder)

        # --- margin ratio versus price
        ratio_low, ratio_high = st.headroom(0.0, RATIO_TOP, rows=3, pad=0.0)
        rx, ry = bq.LinearScale(), bq.LinearScale(min=ratio_low, max=ratio_high)
        rc = {"x": rx, "y": ry}
        ratio_tip = st.tooltip("BTC price (USDT)", "margin ratio (%)", ",.2f", ".1f")
        self.ratio_lines = st.per_mode(st.mode_line, rc, label="{mode} margin ratio", tip=ratio_tip)
        self.ratio_points = st.per_mode(st.mode_points, rc, tip=ratio_tip)
        self.ratio_limit = st.hline(rc, st.LIMIT_COLOR, line_style="dash_dotted")
        self.ratio_limit.labels = ["liquidation at 100 %"]
        self.ratio_limit.display_legend = True
        self.ratio_entry = st.vline(rc, st.ENTRY_COLOR)
        self.ratio_scales = rc
        fig_ratio = st.figure(
            "margin_ratio",
            [
                self.ratio_limit,
                self.ratio_entry,
                *self.ratio_lines.values(),
                *self.ratio_points.values(),
            ],
            [
                st.axis(rx, "BTC price (USDT)", tick_format=",.0f"),
                st.axis(
                    ry,
                    "margin ratio (%)",
                    vertical=True,
                    tick_format=".0f",
                    tick_values=np.arange(0.0, RATIO_TOP + 1.0, 50.0),
                ),
            ],
            "Margin ratio vs BTC price",
        )
        self.add_figure("margin_ratio", fig_ratio)

        controls = w.VBox(list(self.controls.values()))
        controls.add_class("mw-controls")
        figures = w.HBox([fig_lev, fig_ladder, fig_ratio], layout={"flex_flow": "row wrap"})
        return [controls, figures]

    # ------------------------------------------------------------------ bounds
    def _max_leverage(self) -> int:
        value = notional(self.controls["quantity"].value, self.controls["entry_price"].value)
        return int(self.table.max_leverage(value))

    def _sync_bounds(self) -> None:
        top = self._max_leverage()
        control = self.controls["leverage"]
        if control.max != top:
            control.max = top

    def _bound_reason(self, name: str) -> str:
        if name != "leverage":
            return ""
        value = notional(self.controls["quantity"].value, self.controls["entry_price"].value)
        bracket = self.table.bracket_for(value)
        return (
            f"the maximum leverage of bracket {bracket.number} for a {SYMBOL} notional of "
            f"{st.format_usdt(value)} is {bracket.max_leverage:g}x"
        )

    # ------------------------------------------------------------------ engine
    def _state(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def _other_leverage(self, leverage: float, other_quantity: float) -> float:
        cap = self.other_table.max_leverage(notional(other_quantity, OTHER_ENTRY_PRICE))
        return min(float(leverage), cap)

    def _open_account(self, mode: str, leverage: float, s: dict[str, Any]) -> Account:
        """Both positions in ``mode``, opened at ``leverage``; raises MarginError if refused."""
        account = Account(
            wallet_balance=s["collateral"],
            brackets={SYMBOL: self.table, OTHER_SYMBOL: self.other_table},
        )
        account.set_margin_mode(mode, SYMBOL)
        account.set_margin_mode(mode, OTHER_SYMBOL)
        account.open_position(
            SYMBOL, s["side"], s["quantity"], price=s["entry_price"], leverage=leverage
        )
        if s["other_quantity"] > 0:
            account.open_position(
                OTHER_SYMBOL,
                "long",
                s["other_quantity"],
                price=OTHER_ENTRY_PRICE,
                leverage=self._other_leverage(leverage, s["other_quantity"]),
            )
            if s["other_move"] != 0:
                account.update_mark(OTHER_SYMBOL, OTHER_ENTRY_PRICE * (1 + s["other_move"]))
        return account

    def _feasible(self, mode: str, leverage: float, s: dict[str, Any]) -> bool:
        try:
            self._open_account(mode, leverage, s)
        except MarginError:
            return False
        return True

    def _min_feasible_leverage(self, mode: str, s: dict[str, Any], top: int) -> int | None:
        """Smallest whole leverage at which the account can open both positions (bisection)."""
        if not self._feasible(mode, top, s):
            return None
        low, high = 1, top
        if self._feasible(mode, low, s):
            return low
        while high - low > 1:
            middle = (low + high) // 2
            if self._feasible(mode, middle, s):
                high = middle
            else:
                low = middle
        return high

    def _refresh_curves(self, s: dict[str, Any]) -> None:
        """Leverage-independent curves; recomputed only when their inputs change."""
        top = int(self.controls["leverage"].max)
        curve_key = (s["side"], s["quantity"], s["entry_price"], top)
        feas_key = (*curve_key, s["collateral"], s["other_quantity"], s["other_move"])
        if curve_key != self._curve_key:
            grid = np.arange(1, top + 1, dtype=float)
            value = notional(s["quantity"], s["entry_price"])
            lps, bps = [], []
            for lev in range(1, top + 1):
                margin = initial_margin(value, lev)
                lp, _ = liquidation_price_in_brackets(
                    s["side"], s["quantity"], s["entry_price"], margin, self.table
                )
                lps.append(nan_for_none(lp))
                bps.append(
                    nan_for_none(
                        bankruptcy_price(s["side"], s["quantity"], s["entry_price"], margin)
                    )
                )
            self._lev_grid = grid
            self._iso_curve = np.array(lps)
            self._iso_bankruptcy_curve = np.array(bps)
            self._curve_key = curve_key
            self._cross_key = None
        if feas_key != self._cross_key:
            for mode in st.MODES:
                self._min_leverage[mode] = self._min_feasible_leverage(mode, s, top)
            self._cross_key = feas_key
            self._range_key = None

    def _feasible_mask(self, mode: str) -> np.ndarray:
        low = self._min_leverage[mode]
        if low is None:
            return np.zeros(self._lev_grid.shape, dtype=bool)
        return self._lev_grid >= low

    # ------------------------------------------------------------------ update
    def _stale(self, group: str, key: Any) -> bool:
        """Whether the marks of ``group`` must be redrawn for inputs ``key`` (then remembered).

        A leverage change touches only the marks whose inputs it changes; the rest send nothing.
        """
        if self._drawn.get(group, _MISSING) == key:
            return False
        self._drawn[group] = key
        return True

    def _update(self, changed: frozenset[str] | None) -> None:
        if changed is None:
            self._drawn.clear()
        s = self._state()
        self._refresh_curves(s)
        leverage = s["leverage"]

        # the two engine accounts at the current leverage
        self._refusals = {}
        for mode in st.MODES:
            try:
                self._accounts[mode] = self._open_account(mode, leverage, s)
            except MarginError as exc:
                self._accounts[mode] = None
                self._refusals[mode] = str(exc)
        for mode in st.MODES:
            account = self._accounts[mode]
            if account is None or SYMBOL not in account.positions:
                self._lp[mode] = None
                self._bp[mode] = None
            else:
                self._lp[mode] = account.liquidation_price(SYMBOL)
                self._bp[mode] = account.bankruptcy_price(SYMBOL)

        # cross curve: flat in leverage where the account can open the trade
        cross_lp = self._cross_flat_value(s)
        lo, hi = self._price_range(s, cross_lp)
        # the price ladder first: it carries the numbers a learner reads, so it reaches the
        # browser first (each figure's marks are one message batch, sent in this order)
        self._draw_ladder(s, lo, hi)
        self._draw_leverage_figure(s, cross_lp)
        self._draw_ratio(s, lo, hi)
        self.set_readout(self._readout_text(s))
        if self._refusals:
            first = next(iter(self._refusals.values()))
            low = self._min_leverage["isolated"]
            hint = (
                f" Raise the leverage to at least {low}x or add to the wallet."
                if low is not None
                else " Add to the wallet or reduce the position sizes."
            )
            self.note(f"The exchange refuses this trade: {first}.{hint}")
        account = self._accounts["cross"]
        if account is not None and account.events:
            self.note(
                "The ETH move liquidated the whole cross account, BTC included: "
                + account.events[-1].describe()
                + "."
            )

    def _cross_flat_value(self, s: dict[str, Any]) -> float | None:
        """The cross liquidation price at any feasible leverage (it does not depend on it)."""
        if self._accounts["cross"] is not None:
            return self._lp["cross"]
        low = self._min_leverage["cross"]
        if low is None:
            return None
        account = self._open_account("cross", low, s)
        return account.liquidation_price(SYMBOL) if SYMBOL in account.positions else None

    def _price_range(self, s: dict[str, Any], cross_lp: float | None) -> tuple[float, float]:
        """Price range of the ladder and the ratio plot; independent of the leverage."""
        key = (self._curve_key, self._cross_key, cross_lp)
        if getattr(self, "_range_key", None) == key:
            return self._range
        entry = s["entry_price"]
        mask = self._feasible_mask("isolated")
        values = [entry]
        for curve in (self._iso_curve[mask], self._iso_bankruptcy_curve[mask]):
            finite = curve[np.isfinite(curve)]
            if finite.size:
                values += [float(finite.min()), float(finite.max())]
        if cross_lp is not None:
            values.append(cross_lp)
            account = self._accounts["cross"]
            if account is not None and SYMBOL in account.positions:
                bp = account.bankruptcy_price(SYMBOL)
                if bp is not None:
                    values.append(bp)
        lo, hi = min(values), max(values)
        span = hi - lo
        pad = 0.12 * span if span > 0 else 0.1 * entry
        lo, hi = max(lo - pad, entry * 0.02), hi + pad
        self._range = (lo, hi)
        self._range_key = key
        grid = np.linspace(lo, hi, RATIO_POINTS)
        self._price_grid = grid
        return self._range

    def _draw_leverage_figure(self, s: dict[str, Any], cross_lp: float | None) -> None:
        lev = float(s["leverage"])
        for mode in st.MODES:
            lp = self._lp[mode]
            if not self._stale(f"lev_point_{mode}", (lev, lp)):
                continue
            if lp is None:
                set_mark_data(self.lev_points[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(
                    self.lev_points[mode], check=False, x=np.array([lev]), y=np.array([lp])
                )
        key = (self._curve_key, self._cross_key, cross_lp, tuple(self._min_leverage.values()))
        if not self._stale("lev_curves", key):
            return
        grid = self._lev_grid
        iso = np.where(self._feasible_mask("isolated"), self._iso_curve, np.nan)
        cross = np.where(self._feasible_mask("cross"), nan_for_none(cross_lp), np.nan)
        set_mark_data(self.lev_scales["x"], min=1.0, max=float(max(grid[-1], 2.0)))
        set_mark_data(self.lev_lines["isolated"], x=grid, y=iso)
        set_mark_data(self.lev_lines["cross"], x=grid, y=cross)
        finite = np.concatenate([iso[np.isfinite(iso)], cross[np.isfinite(cross)]])
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
        else:
            lo = hi = float(s["entry_price"])
        if not hi > lo:
            lo, hi = lo - 0.05 * s["entry_price"], hi + 0.05 * s["entry_price"]
        # legend (2 rows) and the limit label above the curves, never on them
        y_min, y_max = st.headroom(lo, hi, _LEV_LEGEND_ROWS, pad=0.06, extra_px=_LEV_LABEL_PX)
        y_min = max(0.0, y_min)
        set_mark_data(self.lev_scales["y"], min=y_min, max=y_max)
        low = self._min_leverage["isolated"]
        if low is not None and low > 1:
            y = np.array([y_min, hi + 0.06 * (hi - lo)])  # stops below the legend band
            text = f"wallet too small below {low}x"
            x_max = float(max(grid[-1], 2.0))
            right = st.fits_right(float(low), 1.0, x_max, text)
            set_mark_data(self.lev_limit, x=np.array([float(low), float(low)]), y=y)
            with self.lev_limit_label.hold_sync():
                self.lev_limit_label.align = "start" if right else "end"
                self.lev_limit_label.x_offset = 6 if right else -6
            set_mark_data(
                self.lev_limit_label,
                x=np.array([float(low)]),
                y=np.array([y_max]),
                text=np.array([text]),
            )
        else:
            set_mark_data(self.lev_limit, x=np.zeros(0), y=np.zeros(0))
            set_mark_data(
                self.lev_limit_label, x=np.zeros(0), y=np.zeros(0), text=np.array([], dtype=str)
            )

    def _draw_ladder(self, s: dict[str, Any], lo: float, hi: float) -> None:
        entry = float(s["entry_price"])
        if self._stale("ladder_frame", (lo, hi, entry)):
            set_mark_data(self.ladder_scales["y"], min=lo, max=hi)
            set_mark_data(self.ladder_entry, x=np.array([0.02, 0.98]), y=np.array([entry, entry]))
            # the mark at the left end, the entry label right-aligned: they never overlap
            set_mark_data(self.ladder_mark, x=np.array([0.06]), y=np.array([entry]))
            set_mark_data(
                self.ladder_entry_labels,
                x=np.array([0.98]),
                y=np.array([entry]),
                text=np.array([f"entry = mark {st.format_price(entry)}"]),
            )
        columns = {"isolated": (0.05, 0.45), "cross": (0.55, 0.95)}
        long = s["side"] == "long"
        # labels on the entry side of the liquidation line, on the far side of the bankruptcy
        # line; a missing price is written at the far end of the axis, inside the plot
        if self._stale("ladder_side", long):
            with self.ladder_liq_labels.hold_sync():
                self.ladder_liq_labels.y_offset = -9 if long else 19
            with self.ladder_bankruptcy_labels.hold_sync():
                self.ladder_bankruptcy_labels.y_offset = 14 if long else -8
        far = lo + 0.08 * (hi - lo) if long else hi - 0.06 * (hi - lo)
        liq_y, bank_y = [], []
        for mode in st.MODES:
            x0, x1 = columns[mode]
            lp, bp = self._lp[mode], self._bp[mode]
            liq_y.append(far if lp is None else lp)
            bank_y.append(far if bp is None else bp)
            if not self._stale(f"ladder_{mode}", (lp, bp)):
                continue
            xs = np.array([x0, x1])
            if lp is None:
                set_mark_data(self.ladder_liq[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(self.ladder_liq[mode], check=False, x=xs, y=np.array([lp, lp]))
            if bp is None:
                set_mark_data(self.ladder_bankruptcy[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(self.ladder_bankruptcy[mode], check=False, x=xs, y=np.array([bp, bp]))
        if not self._stale("ladder_labels", (tuple(liq_y), tuple(bank_y))):
            return
        labels = {mode: st.format_price(lp) for mode, lp in self._lp.items()}
        set_mark_data(
            self.ladder_liq_labels,
            check=False,
            x=np.array([0.05, 0.55]),
            y=np.array(liq_y),
            text=np.array([f"{mode} liq. {labels[mode]}" for mode in st.MODES]),
        )
        set_mark_data(
            self.ladder_bankruptcy_labels,
            check=False,
            x=np.array([0.05, 0.55]),
            y=np.array(bank_y),
            text=np.array(
                [
                    "" if self._bp[mode] is None else f"bankr. {st.format_price(self._bp[mode])}"
                    for mode in st.MODES
                ]
            ),
        )

    def _draw_ratio(self, s: dict[str, Any], lo: float, hi: float) -> None:
        grid = self._price_grid
        entry = float(s["entry_price"])
        if self._stale("ratio_frame", (lo, hi, entry)):
            set_mark_data(self.ratio_scales["x"], min=lo, max=hi)
            set_mark_data(self.ratio_limit, x=np.array([lo, hi]), y=np.array([100.0, 100.0]))
            set_mark_data(
                self.ratio_entry, x=np.array([entry, entry]), y=np.array([0.0, RATIO_TOP])
            )
            for line in self.ratio_lines.values():
                if line.y.shape != grid.shape:
                    set_mark_data(line, check=False, x=grid, y=np.full(grid.shape, np.nan))
                else:
                    set_mark_data(line, x=grid)
        for mode in st.MODES:
            account = self._accounts[mode]
            alive = account is not None and SYMBOL in account.positions
            wallet = (
                account.positions[SYMBOL].isolated_wallet
                if account is not None and alive and mode == "isolated"
                else None
            )
            key = (self._range_key, self._cross_key, alive, wallet, self._lp[mode])
            if not self._stale(f"ratio_{mode}", key):
                continue
            if account is None or SYMBOL not in account.positions:
                set_mark_data(self.ratio_lines[mode], y=np.full(grid.shape, np.nan))
                set_mark_data(self.ratio_points[mode], x=np.zeros(0), y=np.zeros(0))
                continue
            set_mark_data(
                self.ratio_lines[mode], check=False, y=self._ratio_curve(mode, account) * 100
            )
            lp = self._lp[mode]
            if lp is None:
                set_mark_data(self.ratio_points[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(
                    self.ratio_points[mode], check=False, x=np.array([lp]), y=np.array([100.0])
                )

    def _ratio_curve(self, mode: str, account: Account) -> np.ndarray:
        """Margin ratio at each grid price, from the engine (``Account.margin_ratio_curve``)."""
        ratio = np.array(account.margin_ratio_curve(SYMBOL, self._price_grid.tolist()))
        ratio[~np.isfinite(ratio)] = np.nan
        ratio[ratio > RATIO_CAP] = np.nan
        return ratio

    # ------------------------------------------------------------------ text
    def _distance_text(self, mode: str, s: dict[str, Any]) -> str:
        lp = self._lp[mode]
        account = self._accounts[mode]
        if account is None:
            return f"{mode} cannot open the trade"
        if SYMBOL not in account.positions:
            return f"{mode} was liquidated by the ETH move"
        if lp is None:
            return f"{mode} cannot be liquidated at any positive price"
        entry = s["entry_price"]
        fraction = abs(lp - entry) / entry
        where = "below" if lp < entry else "above"
        return f"{mode} liquidates {st.format_percent(fraction)} {where} entry"

    def _readout_text(self, s: dict[str, Any]) -> str:
        iso = self._distance_text("isolated", s)
        cross = self._distance_text("cross", s)
        if iso.endswith("entry") and cross.endswith("entry"):
            cross = cross.removeprefix("cross liquidates ").removesuffix(" entry")
            return f"{iso}, cross {cross}"
        return f"{iso}; {cross}"

    def _describe(self) -> str:
        s = self._state()
        side, q, entry = s["side"], s["quantity"], s["entry_price"]
        parts = [
            "Three charts: liquidation price versus leverage for both margin modes, a price "
            "ladder, and the margin ratio versus the BTC price.",
            f"Trade: {side} {q:g} BTC at {st.format_price(entry)} USDT with "
            f"{st.format_leverage(s['leverage'])} leverage, wallet "
            f"{st.format_usdt(s['collateral'])}.",
        ]
        if s["other_quantity"] > 0:
            mark = OTHER_ENTRY_PRICE * (1 + s["other_move"])
            parts.append(
                f"Other position: long {s['other_quantity']:g} ETH at "
                f"{st.format_price(OTHER_ENTRY_PRICE)} USDT, ETH mark {st.format_price(mark)} "
                f"({st.format_percent(s['other_move'])})."
            )
        iso_account = self._accounts["isolated"]
        if iso_account is not None:
            margin = iso_account.positions[SYMBOL].isolated_wallet
            parts.append(
                f"Isolated: the position holds {st.format_usdt(margin)} of margin; liquidation "
                f"price {st.format_price(self._lp['isolated'])}, bankruptcy price "
                f"{st.format_price(self._bp['isolated'])}."
            )
        cross_account = self._accounts["cross"]
        if cross_account is not None:
            if SYMBOL in cross_account.positions:
                backs = (
                    "both positions" if OTHER_SYMBOL in cross_account.positions else "the position"
                )
                parts.append(
                    f"Cross: the whole wallet backs {backs}; liquidation price "
                    f"{st.format_price(self._lp['cross'])} at every leverage the wallet "
                    f"allows, bankruptcy price {st.format_price(self._bp['cross'])}."
                )
            else:
                parts.append("Cross: the ETH move liquidated the whole cross account.")
        if self._refusals:
            parts.append("The wallet cannot open the trade at this leverage.")
        parts.append(self.readout_plain() + ".")
        return " ".join(parts)

    def readout_plain(self) -> str:
        """The readout line as plain text, e.g. ``"isolated liquidates 4.6 % below entry, ..."``."""
        return self._readout_text(self._state())

    # ------------------------------------------------------------------ public API
    def liquidation_prices(self) -> dict[str, float | None]:
        """Liquidation price of the BTC position in each mode (None: none, refused or liquidated).

        Examples
        --------
        >>> {k: round(v, 2) for k, v in MarginModeExplorer().liquidation_prices().items()}
        {'isolated': 57228.92, 'cross': 50321.29}
        """
        self.flush()
        return dict(self._lp)

    def bankruptcy_prices(self) -> dict[str, float | None]:
        """Bankruptcy price of the BTC position in each mode (None when there is none)."""
        self.flush()
        return dict(self._bp)

    def price_labels(self) -> dict[str, str]:
        """The liquidation prices as the ladder shows them: ``"57,228.92"``, or ``"--"``."""
        return {mode: st.format_price(lp) for mode, lp in self.liquidation_prices().items()}

    def account(self, mode: str) -> Account:
        """A copy of the engine account behind the view (``"isolated"`` or ``"cross"``).

        Raises
        ------
        ValueError
            For an unknown mode, or when the exchange refuses to open the trade in that mode at
            the current settings (the message says why).
        """
        check_mode(mode)
        self.flush()
        account = self._accounts[mode]
        if account is None:
            raise ValueError(self._refusals.get(mode, f"no {mode} account"))
        return account.copy()

    @property
    def minimum_leverage(self) -> dict[str, int | None]:
        """Lowest whole leverage at which the wallet can open the trade, per mode."""
        self.flush()
        return dict(self._min_leverage)
