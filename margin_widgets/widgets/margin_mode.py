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

The ``exchange`` control runs the same trade under Binance (the default, both modes and the ETH
leg), Bybit or OKX (:mod:`margin_widgets.engine.exchanges`): liquidation and bankruptcy prices,
the tier (bracket, risk limit) and the maximum leverage follow the exchange's own rules and
table. Where the exchange's documents give no rule the engine refuses it, and so does the view:
Bybit's classic formulas are for isolated margin only, OKX documents no cross liquidation
price, and no OKX BTC-USDT-SWAP tier table ships (``margin_widgets/data/okx/README.md``), so
OKX has nothing to draw; the ETH leg runs on Binance only.

Every number comes from :mod:`margin_widgets.engine`: the book is the example book's
(:func:`~margin_widgets.engine.book_account`, or an :class:`~margin_widgets.engine.Account`
under the chosen exchange), the curves are the engine's
(:func:`~margin_widgets.engine.isolated_leverage_curve` or
:func:`~margin_widgets.engine.exchange_leverage_curve`,
:func:`~margin_widgets.engine.cross_leverage_curve`,
:func:`~margin_widgets.engine.book_minimum_leverage`,
:func:`~margin_widgets.engine.margin_ratio_curve` or
:func:`~margin_widgets.engine.exchange_ratio_curve`,
:func:`~margin_widgets.engine.position_ratio_curve`), each asked again only when its inputs
change, so a leverage change only re-evaluates what leverage affects. The explorer turns the
results into marks and text; prices are shown at the symbol's tick size
(:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    Account,
    BracketTable,
    LeverageCurve,
    MarginError,
    TierTable,
    available_tier_tables,
    book_account,
    book_minimum_leverage,
    cross_leverage_curve,
    exchange_leverage_curve,
    exchange_ratio_curve,
    feasible_points,
    initial_margin,
    isolated_leverage_curve,
    linear_grid,
    load_brackets,
    load_tier_table,
    margin_ratio_curve,
    notional,
    position_ratio_curve,
    price_move,
    tick_size,
)
from margin_widgets.engine.examples import ETH
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, check_mode, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    entry_price_slider,
    leverage_slider,
    quantity_slider,
    side_toggle,
)

__all__ = ["EXCHANGES", "MarginModeExplorer"]

SYMBOL = "BTCUSDT"
#: The exchanges of the ``exchange`` control: engine convention name -> button label.
EXCHANGES: dict[str, str] = {"binance": "Binance", "bybit": "Bybit", "okx": "OKX"}
#: Tooltip of each exchange's button.
_EXCHANGE_TIPS = (
    "Binance USDⓈ-M: both modes, the ETH leg, brackets by notional",
    "Bybit USDT perpetual (classic): isolated only, risk limits by entry value",
    "OKX USDT swap: no BTC-USDT-SWAP tier table ships, nothing to draw",
)
OTHER_SYMBOL = ETH.symbol
#: Entry price of the ETH position, USDT (the example book's).
OTHER_ENTRY_PRICE = ETH.entry_price
#: Points of the margin-ratio curves.
RATIO_POINTS = 161
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


def _array(values: tuple[float | None, ...]) -> np.ndarray:
    """An engine curve as a float array for a mark (None -> NaN, a gap in the line)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


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

        ``exchange`` ("binance", "bybit" or "okx", default "binance": whose rules, tiers and
        maximum leverage; presets without it load as Binance), ``side`` ("long"/"short",
        default "long"), ``entry_price`` (USDT, 60,000), ``quantity`` (BTC, 0.5),
        ``leverage`` (1 to the bracket or tier maximum for the notional, 20), ``collateral``
        (the wallet, USDT, 5,000), ``other_quantity`` (ETH long opened at
        3,000 USDT with the same leverage, or the ETH bracket's maximum if lower; 0 for none;
        default 5), ``other_move`` (the ETH mark's move from its entry as a fraction,
        -0.5 to 0.5, default 0).

    Examples
    --------
    >>> explorer = MarginModeExplorer()
    >>> explorer.price_labels()
    {'isolated': '57,228.9', 'cross': '50,321.3'}
    >>> explorer.controls["leverage"].value = 50
    >>> explorer.price_labels()["cross"]
    '50,321.3'

    Bybit values the maintenance margin at entry (30,000 × 0.5 % = 150): at 20x the position
    holds 1,500 and ``LP = 60,000 − (1,500 − 150) / 0.5 = 57,300``; no cross rule is documented:

    >>> explorer.controls["exchange"].value = "bybit"
    >>> explorer.controls["leverage"].value = 20
    >>> explorer.liquidation_prices()
    {'isolated': 57300.0, 'cross': None}
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "exchange": "Whose rules, tier table and maximum leverage the trade runs under.",
        "side": "Long profits when the price rises, short when it falls.",
        "entry_price": "Price at which the BTC position is opened, in USDT.",
        "quantity": "Size of the BTC position, in BTC.",
        "leverage": "Notional / initial margin: the isolated margin is notional / leverage.",
        "collateral": "USDT in the wallet; cross uses all of it, isolated only the initial margin.",
        "other_quantity": "Size of the ETH long in the same cross wallet, in ETH (0 for none).",
        "other_move": "Move of the ETH price from its entry (-0.5 is a 50 % fall).",
    }

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
        self._refusals: dict[str, str] = {}
        #: why a mode shows nothing on the chosen exchange (no documented rule, no table)
        self._unavailable: dict[str, str] = {}
        self._tiers_cache: dict[str, TierTable | None] = {}
        self._lp: dict[str, float | None] = {"isolated": None, "cross": None}
        self._bp: dict[str, float | None] = {"isolated": None, "cross": None}
        self._curve_key: tuple[Any, ...] | None = None
        self._feas_key: tuple[Any, ...] | None = None
        self._lev_curve = LeverageCurve((), (), ())
        self._low: int | None = None
        self._cross: Account | None = None
        self._cross_lp: float | None = None
        self._cross_bp: float | None = None
        self._lev_points: tuple[tuple[float | None, ...], ...] = ((), ())
        self._iso_wallet: float | None = None
        self._price_grid: list[float] = []
        self._range = (0.0, 1.0)
        self._range_key: tuple[Any, ...] | None = None
        self._ratios: dict[str, tuple[float, ...] | None] = {"isolated": None, "cross": None}
        self._ratio_keys: dict[str, tuple[Any, ...]] = {}
        self._drawn: dict[str, Any] = {}
        super().__init__(preset, locked, hidden, **values)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        add = self.add_control
        # first: it says whose rules the numbers below follow, and a preset's leverage is
        # checked against that exchange's tiers (values are applied in this order)
        add(
            "exchange",
            _LOOK.widget(
                w.ToggleButtons,
                options=[(label, name) for name, label in EXCHANGES.items()],
                value="binance",
                description="Exchange",
                tooltips=list(_EXCHANGE_TIPS),
                style={"button_width": "80px"},
            ),
        )
        add(
            "side",
            # in the look's width: the default 300 px puts the buttons under the label
            side_toggle(
                _LOOK,
                tooltips=("a long loses when BTC falls", "a short loses when BTC rises"),
                description="BTC side",
                button_width="80px",
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
        # the exact prices on hover; labels and texts show them at the tick size
        lev_tip = st.tooltip("leverage (x)", "liq. price (USDT)", ".0f", ",.6f")
        self.lev_lines = st.per_mode(st.mode_line, sc, label="{mode} liq. price", tip=lev_tip)
        # the current points are not in the legend: they sit on the lines the legend names
        self.lev_points = st.per_mode(st.mode_points, sc, tip=lev_tip)
        # the limit rule and its label on a fixed 0..1 height scale: they move only when the
        # lowest affordable leverage does, not with every change of the curves' price range
        unit = {"x": sx, "y": bq.LinearScale(min=0.0, max=1.0)}
        self.lev_limit = st.vline(unit, st.LIMIT_COLOR)
        # below the two legend rows, in the band the curves never enter (see _draw_leverage_figure)
        self.lev_limit_label = st.labels(
            unit,
            colors=[st.LIMIT_TEXT_COLOR],
            y_offset=_LIMIT_LABEL_OFFSET,
            size=st.SMALL_LABEL_SIZE,
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
        price_tip = st.tooltip("", "price (USDT)", ".2f", ",.6f")
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
        # each label sits at its price: hovering it shows the exact value
        exact = bq.Tooltip(fields=["y"], labels=["exact price (USDT)"], formats=[",.6f"])
        for label in (
            self.ladder_liq_labels,
            self.ladder_bankruptcy_labels,
            self.ladder_entry_labels,
        ):
            label.tooltip = exact
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
        ratio_tip = st.tooltip("BTC price (USDT)", "margin ratio (%)", ",.6f", ".1f")
        self.ratio_lines = st.per_mode(st.mode_line, rc, label="{mode} margin ratio", tip=ratio_tip)
        self.ratio_points = st.per_mode(st.mode_points, rc, tip=ratio_tip)
        # across the whole width on a fixed 0..1 scale: never resent when the price range moves
        self.ratio_limit = st.hline(
            {"x": bq.LinearScale(min=0.0, max=1.0), "y": ry},
            st.LIMIT_COLOR,
            line_style="dash_dotted",
        )
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
    def _exchange_table(self, exchange: str) -> TierTable | None:
        """The exchange's BTCUSDT tier table (None: none ships); Binance's is :attr:`table`."""
        if exchange not in self._tiers_cache:
            shipped = {symbol for symbol, _ in available_tier_tables(exchange)}
            self._tiers_cache[exchange] = (
                load_tier_table(exchange, SYMBOL) if SYMBOL in shipped else None
            )
        return self._tiers_cache[exchange]

    def _max_leverage(self) -> int:
        q, ep = self.controls["quantity"].value, self.controls["entry_price"].value
        exchange = self.controls["exchange"].value
        if exchange == "binance":
            return int(self.table.max_leverage(notional(q, ep)))
        table = self._exchange_table(exchange)
        if table is None:
            return int(self.controls["leverage"].max)
        return int(table.tier_for(q, ep).max_leverage)

    def _sync_bounds(self) -> None:
        top = self._max_leverage()
        control = self.controls["leverage"]
        if control.max != top:
            control.max = top

    def _inactive(self) -> dict[str, str]:
        exchange = self.controls["exchange"].value
        if exchange != "binance":
            label = EXCHANGES[exchange]
            out = {
                name: f"the ETH leg runs on Binance only (its cross account), not on {label}"
                for name in ("other_quantity", "other_move")
            }
            if self._exchange_table(exchange) is None:
                why = f"no {label} {SYMBOL} tier table ships, so there is nothing to draw"
                out.update(
                    dict.fromkeys(
                        ("side", "entry_price", "quantity", "leverage", "collateral"), why
                    )
                )
            return out
        if float(self.controls["other_quantity"].value) == 0:
            return {"other_move": "there is no ETH position (ETH long is 0)"}
        return {}

    def _bound_reason(self, name: str) -> str:
        if name != "leverage":
            return ""
        q, ep = self.controls["quantity"].value, self.controls["entry_price"].value
        value = notional(q, ep)
        exchange = self.controls["exchange"].value
        table = self._exchange_table(exchange) if exchange != "binance" else None
        if table is not None:
            tier = table.tier_for(q, ep)
            return (
                f"the maximum leverage of {EXCHANGES[exchange]} tier {tier.number} for a {SYMBOL} "
                f"position of {st.format_usdt(value)} is {tier.max_leverage:g}x"
            )
        bracket = self.table.bracket_for(value)
        return (
            f"the maximum leverage of bracket {bracket.number} for a {SYMBOL} notional of "
            f"{st.format_usdt(value)} is {bracket.max_leverage:g}x"
        )

    @property
    def tick(self) -> float:
        """Tick size of BTCUSDT on the chosen exchange, USDT: the prices are shown at it."""
        return tick_size(str(self.controls["exchange"].value), SYMBOL)

    def _event_price(self, symbol: str, price: float) -> str:
        """An event's mark price at ``symbol``'s tick size on the chosen exchange."""
        return st.format_price(price, tick_size(str(self.controls["exchange"].value), symbol))

    # ------------------------------------------------------------------ engine
    def _state(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def _book(self, mode: str, leverage: float, s: dict[str, Any]) -> Account:
        """Both positions in ``mode``, opened at ``leverage``; raises MarginError if refused.

        On Bybit and OKX: the BTC position alone, in an account under that exchange's rules.
        """
        exchange = s["exchange"]
        if exchange != "binance":
            table = self._exchange_table(exchange)
            if table is None:
                raise MarginError(self._unavailable_text(exchange))
            account = Account(
                wallet_balance=s["collateral"], exchange=exchange, tier_tables={SYMBOL: table}
            )
            account.set_margin_mode(mode, SYMBOL)
            account.open_position(
                SYMBOL, s["side"], s["quantity"], price=s["entry_price"], leverage=leverage
            )
            if mode == "cross":
                account.liquidation_price(SYMBOL)  # refused where no cross rule is documented
            return account
        return book_account(
            mode,
            leverage,
            s["collateral"],
            side=s["side"],
            quantity=s["quantity"],
            entry_price=s["entry_price"],
            other_quantity=s["other_quantity"],
            other_move=s["other_move"],
            brackets=self.table,
            other_brackets=self.other_table,
        )

    def _engine_work(self, s: dict[str, Any]) -> tuple[float, float]:
        """Everything an update asks the engine (the benchmark times this); the price range."""
        self._compute(s)
        lo, hi = self._price_range(s)
        self._compute_ratios(s)
        return lo, hi

    def _compute(self, s: dict[str, Any]) -> None:
        """Every engine call of an update, each redone only when its inputs change.

        * side, size, entry, leverage cap -> the isolated curve against leverage;
        * and wallet, ETH size and move -> the lowest leverage the wallet can open, and the
          cross account (its liquidation price does not depend on the leverage);
        * and leverage -> the isolated margin and the current points (read off the curve).
        """
        top = int(self.controls["leverage"].max)
        if s["exchange"] != "binance":
            self._compute_exchange(s, top)
            return
        self._unavailable = {}
        curve_key = (s["side"], s["quantity"], s["entry_price"], top)
        curve = self.cached(
            "leverage curve",
            curve_key,
            lambda: isolated_leverage_curve(
                s["side"], s["quantity"], s["entry_price"], self.table, max_leverage=top
            ),
        )
        feas_key = (*curve_key, s["collateral"], s["other_quantity"], s["other_move"])

        def feasibility() -> tuple[Any, ...]:
            low = book_minimum_leverage(
                s["collateral"],
                s["quantity"],
                s["entry_price"],
                top,
                other_quantity=s["other_quantity"],
                other_entry_price=OTHER_ENTRY_PRICE,
                other_brackets=self.other_table,
            )
            cross = None if low is None else self._book("cross", low, s)
            lp = bp = None
            if cross is not None and SYMBOL in cross.positions:
                lp, bp = cross.liquidation_price(SYMBOL), cross.bankruptcy_price(SYMBOL)
            iso_points = feasible_points(curve.liquidation, curve.leverages, low)
            cross_points = cross_leverage_curve(lp, curve.leverages, low)
            return low, cross, lp, bp, iso_points, cross_points

        found = self.cached("feasibility", feas_key, feasibility)
        self._lev_curve = curve
        self._low, self._cross, self._cross_lp, self._cross_bp = found[:4]
        self._lev_points = found[4:]
        self._curve_key, self._feas_key = curve_key, feas_key
        lev = int(s["leverage"])
        self._refusals = {}
        if self._low is None or lev < self._low:
            # the exchange's own words for the refusal
            for mode in st.MODES:
                try:
                    self._book(mode, lev, s)
                except MarginError as exc:
                    self._refusals[mode] = str(exc)
            self._iso_wallet = None
            self._lp = {"isolated": None, "cross": None}
            self._bp = {"isolated": None, "cross": None}
            return
        self._iso_wallet = initial_margin(notional(s["quantity"], s["entry_price"]), lev)
        self._lp = {"isolated": self._lev_curve.liquidation[lev - 1], "cross": self._cross_lp}
        self._bp = {"isolated": self._lev_curve.bankruptcy[lev - 1], "cross": self._cross_bp}

    def _compute_exchange(self, s: dict[str, Any], top: int) -> None:
        """:meth:`_compute` on Bybit or OKX: the BTC position alone, isolated by the exchange.

        Cross is shown only where the exchange documents a cross liquidation price (neither
        does); the reason is the engine's own refusal.
        """
        exchange = s["exchange"]
        table = self._exchange_table(exchange)
        self._cross = None
        self._cross_lp = self._cross_bp = None
        self._refusals = {}
        self._iso_wallet = None
        self._lp = {"isolated": None, "cross": None}
        self._bp = {"isolated": None, "cross": None}
        curve_key = (exchange, s["side"], s["quantity"], s["entry_price"], top)
        feas_key = (*curve_key, s["collateral"])
        self._curve_key, self._feas_key = curve_key, feas_key
        if table is None:
            text = self._unavailable_text(exchange)
            self._unavailable = {"isolated": text, "cross": text}
            leverages = tuple(range(1, top + 1))
            nothing: tuple[float | None, ...] = (None,) * top
            self._lev_curve = LeverageCurve(leverages, nothing, nothing)
            self._low = None
            self._lev_points = (nothing, nothing)
            return
        curve = self.cached(
            "leverage curve",
            curve_key,
            lambda: exchange_leverage_curve(
                exchange, s["side"], s["quantity"], s["entry_price"], table=table, max_leverage=top
            ),
        )

        def feasibility() -> tuple[Any, ...]:
            low = book_minimum_leverage(s["collateral"], s["quantity"], s["entry_price"], top)
            iso_points = feasible_points(curve.liquidation, curve.leverages, low)
            cross_points = cross_leverage_curve(None, curve.leverages, low)
            return low, iso_points, cross_points

        low, iso_points, cross_points = self.cached("feasibility", feas_key, feasibility)
        self._lev_curve, self._low, self._lev_points = curve, low, (iso_points, cross_points)
        self._unavailable = {"cross": self._cross_refusal(exchange, s)}
        lev = int(s["leverage"])
        if low is None or lev < low:
            try:
                self._book("isolated", lev, s)
            except MarginError as exc:
                self._refusals["isolated"] = str(exc)
            return
        self._iso_wallet = initial_margin(notional(s["quantity"], s["entry_price"]), lev)
        self._lp["isolated"] = curve.liquidation[lev - 1]
        self._bp["isolated"] = curve.bankruptcy[lev - 1]

    def _cross_refusal(self, exchange: str, s: dict[str, Any]) -> str:
        """The engine's words for why ``exchange`` has no cross liquidation price here."""

        def ask() -> str:
            try:
                self._book("cross", 1, {**s, "collateral": 1e12})
            except MarginError as exc:
                return str(exc)
            return ""  # pragma: no cover - no shipped non-Binance convention has one

        return self.cached("cross refusal", exchange, ask, keep=3)

    @staticmethod
    def _unavailable_text(exchange: str) -> str:
        return (
            f"no {EXCHANGES[exchange]} {SYMBOL} tier table ships (see "
            f"margin_widgets/data/{exchange}/README.md), so the engine has no tier to price with"
        )

    def _compute_ratios(self, s: dict[str, Any]) -> None:
        """The margin-ratio curves over the price grid (engine), when their inputs change."""
        grid = self._price_grid
        wallet = self._iso_wallet
        exchange = s["exchange"]
        iso_key: tuple[Any, ...] = (self._range_key, wallet)

        def isolated() -> tuple[float, ...] | None:
            if wallet is None:
                return None
            if exchange == "binance":
                return margin_ratio_curve(
                    s["side"], s["quantity"], s["entry_price"], wallet, self.table, grid
                )
            table = self._exchange_table(exchange)
            return exchange_ratio_curve(
                exchange, s["side"], s["quantity"], s["entry_price"], wallet, grid, table=table
            )

        self._ratios["isolated"] = self.cached("isolated ratios", iso_key, isolated)
        shown = not self._refusals
        cross = self._cross
        cross_key = (self._range_key, self._feas_key, shown)
        alive = shown and cross is not None and SYMBOL in cross.positions
        self._ratios["cross"] = self.cached(
            "cross ratios",
            cross_key,
            lambda: (
                position_ratio_curve(cross, SYMBOL, grid) if alive and cross is not None else None
            ),
        )
        self._ratio_keys = {"isolated": iso_key, "cross": cross_key}

    @property
    def _cross_alive(self) -> bool:
        return self._cross is not None and SYMBOL in self._cross.positions

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
        lo, hi = self._engine_work(s)
        # the price ladder first: it carries the numbers a learner reads, so it reaches the
        # browser first (each figure's marks are one message batch, sent in this order)
        self._draw_ladder(s, lo, hi)
        self._draw_leverage_figure(s)
        self._draw_ratio(s, lo, hi)
        self.set_readout(self._readout_text(s))
        if "isolated" in self._unavailable:
            self.note(f"{EXCHANGES[s['exchange']]}: {self._unavailable['isolated']}.", "info")
        elif self._refusals:
            first = next(iter(self._refusals.values()))
            low = self._low
            hint = (
                f" Raise the leverage to at least {low}x or add to the wallet."
                if low is not None
                else " Add to the wallet or reduce the position sizes."
            )
            self.note(f"The exchange refuses this trade: {first}.{hint}")
        elif "cross" in self._unavailable:
            self.note(f"No cross price: {self._unavailable['cross']}.", "info")
        elif self._cross is not None and self._cross.events:
            self.note(
                "The ETH move liquidated the whole cross account, BTC included: "
                + self._cross.events[-1].describe(self._event_price)
                + "."
            )

    def _price_range(self, s: dict[str, Any]) -> tuple[float, float]:
        """Price range of the ladder and the ratio plot: every price drawn, with a margin.

        Independent of the leverage (it holds the whole isolated curve the wallet allows).
        """
        key = (self._curve_key, self._feas_key)
        self._range, self._price_grid = self.cached("price range", key, lambda: self._range_of(s))
        # the curves over the grid depend on the range itself, not on what set it: a move that
        # leaves the (snapped) range as it was reuses them and sends nothing for them
        self._range_key = (self._curve_key, *self._range)
        return self._range

    def _range_of(self, s: dict[str, Any]) -> tuple[tuple[float, float], list[float]]:
        entry = float(s["entry_price"])
        low = self._low
        values = [entry]
        if low is not None:
            curve = self._lev_curve
            values += [
                v
                for series in (curve.liquidation, curve.bankruptcy)
                for v in series[low - 1 :]
                if v is not None
            ]
        values += [v for v in (self._cross_lp, self._cross_bp) if v is not None]
        lo, hi = min(values), max(values)
        span = hi - lo
        pad = 0.12 * span if span > 0 else 0.1 * entry
        lo, hi = lo - pad, hi + pad
        # ends on round steps of about 1/20 of the span: a small move of a control keeps the
        # range (and the axes, the grid and the curves' x) as they are
        step = st.round_up((hi - lo) / 20)
        lo = max(math.floor(lo / step) * step, entry * 0.02)
        hi = math.ceil(hi / step) * step
        return (lo, hi), linear_grid(lo, hi, RATIO_POINTS)

    def _draw_leverage_figure(self, s: dict[str, Any]) -> None:
        lev = float(s["leverage"])
        for mode in st.MODES:
            lp = self._lp[mode]
            if not self._stale(f"lev_point_{mode}", (lev, lp)):
                continue
            if lp is None:
                set_mark_data(self.lev_points[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(self.lev_points[mode], x=np.array([lev]), y=np.array([lp]))
        key = (self._curve_key, self._feas_key)
        if not self._stale("lev_curves", key):
            return
        curve = self._lev_curve
        low = self._low
        grid = np.array(curve.leverages, dtype=float)
        iso, cross = (_array(points) for points in self._lev_points)
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
        if low is not None and low > 1:
            # from the bottom to just below the legend band, as a share of the plot's height
            top = round((hi + 0.06 * (hi - lo) - y_min) / (y_max - y_min), 3)
            y = np.array([0.0, top])
            text = f"wallet too small below {low}x"
            x_max = float(max(grid[-1], 2.0))
            right = st.fits_right(float(low), 1.0, x_max, text)
            set_mark_data(self.lev_limit, x=np.array([float(low), float(low)]), y=y)
            set_mark_data(
                self.lev_limit_label, align="start" if right else "end", x_offset=6 if right else -6
            )
            set_mark_data(
                self.lev_limit_label,
                x=np.array([float(low)]),
                y=np.array([1.0]),
                text=np.array([text]),
            )
        else:
            set_mark_data(self.lev_limit, x=np.zeros(0), y=np.zeros(0))
            set_mark_data(
                self.lev_limit_label, x=np.zeros(0), y=np.zeros(0), text=np.array([], dtype=str)
            )

    def _draw_ladder(self, s: dict[str, Any], lo: float, hi: float) -> None:
        entry = float(s["entry_price"])
        if self._stale("ladder_frame", (lo, hi, entry, self.tick)):
            set_mark_data(self.ladder_scales["y"], min=lo, max=hi)
            set_mark_data(self.ladder_entry, x=np.array([0.02, 0.98]), y=np.array([entry, entry]))
            # the mark at the left end, the entry label right-aligned: they never overlap
            set_mark_data(self.ladder_mark, x=np.array([0.06]), y=np.array([entry]))
            set_mark_data(
                self.ladder_entry_labels,
                x=np.array([0.98]),
                y=np.array([entry]),
                text=np.array([f"entry = mark {st.format_price(entry, self.tick)}"]),
            )
        columns = {"isolated": (0.05, 0.45), "cross": (0.55, 0.95)}
        long = s["side"] == "long"
        # labels on the entry side of the liquidation line, on the far side of the bankruptcy
        # line; a missing price is written at the far end of the axis, inside the plot
        tick = self.tick
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
                set_mark_data(self.ladder_liq[mode], x=xs, y=np.array([lp, lp]))
            if bp is None:
                set_mark_data(self.ladder_bankruptcy[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(self.ladder_bankruptcy[mode], x=xs, y=np.array([bp, bp]))
        # a narrow ladder (the projector's three charts in a row) names the mode only, and
        # starts the cross column's labels a little to the left, so that they stay inside
        labels = {mode: st.format_price(lp, tick) for mode, lp in self._lp.items()}
        width = self.figure_keys["price_ladder"].layout.width
        narrow = not st.fits_right(0.55, 0.0, 1.0, f"cross liq. {labels['cross']}", width)
        if not self._stale("ladder_labels", (tuple(liq_y), tuple(bank_y), tick, narrow, long)):
            return
        xs = np.array([0.03, 0.5] if narrow else [0.05, 0.55])
        name = "{mode}" if narrow else "{mode} liq."
        set_mark_data(
            self.ladder_liq_labels,
            x=xs,
            y=np.array(liq_y),
            text=np.array([f"{name.format(mode=mode)} {labels[mode]}" for mode in st.MODES]),
            y_offset=-9 if long else 19,
        )
        set_mark_data(
            self.ladder_bankruptcy_labels,
            x=xs,
            y=np.array(bank_y),
            y_offset=14 if long else -8,
            text=np.array(
                [
                    ""
                    if self._bp[mode] is None
                    else f"bankr. {st.format_price(self._bp[mode], tick)}"
                    for mode in st.MODES
                ]
            ),
        )

    def _draw_ratio(self, s: dict[str, Any], lo: float, hi: float) -> None:
        grid = np.array(self._price_grid)
        entry = float(s["entry_price"])
        frame = self._stale("ratio_frame", (lo, hi, entry))
        if frame:
            set_mark_data(self.ratio_scales["x"], min=lo, max=hi)
            set_mark_data(self.ratio_limit, x=np.array([0.0, 1.0]), y=np.array([100.0, 100.0]))
            set_mark_data(
                self.ratio_entry, x=np.array([entry, entry]), y=np.array([0.0, RATIO_TOP])
            )
        for mode in st.MODES:
            ratios = self._ratios[mode]
            lp = self._lp[mode]
            line = self.ratio_lines[mode]
            stale = self._stale(f"ratio_{mode}", (self._ratio_keys.get(mode), lp))
            if not (stale or frame):
                continue
            if not stale:  # a new price grid, the same ratios: x and y in one message
                y = line.y if line.y.shape == grid.shape else np.full(grid.shape, np.nan)
                set_mark_data(line, x=grid, y=y)
                continue
            if ratios is None:
                set_mark_data(line, x=grid, y=np.full(grid.shape, np.nan))
                set_mark_data(self.ratio_points[mode], x=np.zeros(0), y=np.zeros(0))
                continue
            percent = np.array(ratios, dtype=float) * 100
            # not drawn: no margin left (inf) and ratios above the top of the axis
            percent[~(percent <= RATIO_TOP)] = np.nan
            set_mark_data(line, x=grid, y=percent)
            if lp is None:
                set_mark_data(self.ratio_points[mode], x=np.zeros(0), y=np.zeros(0))
            else:
                set_mark_data(self.ratio_points[mode], x=np.array([lp]), y=np.array([100.0]))

    # ------------------------------------------------------------------ text
    def _distance_text(self, mode: str, s: dict[str, Any]) -> str:
        lp = self._lp[mode]
        if mode in self._unavailable:
            return f"{mode}: not available on {EXCHANGES[s['exchange']]}"
        if self._refusals:
            return f"{mode} cannot open the trade"
        if mode == "cross" and not self._cross_alive:
            return f"{mode} was liquidated by the ETH move"
        move = price_move(s["entry_price"], lp)
        if move is None:
            return f"{mode} cannot be liquidated at any positive price"
        where = "below" if move < 0 else "above"
        return f"{mode} liquidates {st.format_percent(abs(move))} {where} entry"

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
        tick = self.tick
        exchange = EXCHANGES[s["exchange"]]
        parts = [
            "Three charts: liquidation price versus leverage for both margin modes, a price "
            "ladder, and the margin ratio versus the BTC price.",
            f"Trade on {exchange}: {side} {q:g} BTC at {st.format_price(entry, tick)} USDT with "
            f"{st.format_leverage(s['leverage'])} leverage, wallet "
            f"{st.format_usdt(s['collateral'])}.",
        ]
        if s["exchange"] != "binance":
            for mode, why in self._unavailable.items():
                parts.append(f"No {mode} price on {exchange}: {why}.")
        elif s["other_quantity"] > 0:
            mark = OTHER_ENTRY_PRICE * (1 + s["other_move"])
            parts.append(
                f"Other position: long {s['other_quantity']:g} ETH at "
                f"{st.format_price(OTHER_ENTRY_PRICE)} USDT, ETH mark {st.format_price(mark)} "
                f"({st.format_percent(s['other_move'])})."
            )
        margin = self._iso_wallet
        if margin is not None:
            parts.append(
                f"Isolated: the position holds {st.format_usdt(margin)} of margin; liquidation "
                f"price {st.format_price(self._lp['isolated'], tick)}, bankruptcy price "
                f"{st.format_price(self._bp['isolated'], tick)}."
            )
        cross_account = self._cross
        if cross_account is not None and not self._refusals:
            if SYMBOL in cross_account.positions:
                backs = (
                    "both positions" if OTHER_SYMBOL in cross_account.positions else "the position"
                )
                parts.append(
                    f"Cross: the whole wallet backs {backs}; liquidation price "
                    f"{st.format_price(self._lp['cross'], tick)} at every leverage the wallet "
                    f"allows, bankruptcy price {st.format_price(self._bp['cross'], tick)}."
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
        """The liquidation prices as the ladder shows them, at the tick: ``"57,228.9"``, ``"--"``.

        The exact values are :meth:`liquidation_prices` (and the labels' tooltips).
        """
        prices = self.liquidation_prices()
        return {mode: st.format_price(lp, self.tick) for mode, lp in prices.items()}

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
        if mode in self._unavailable:
            raise ValueError(self._unavailable[mode])
        if mode in self._refusals:
            raise ValueError(self._refusals[mode])
        s = self._state()
        try:
            return self._book(mode, s["leverage"], s)
        except MarginError as exc:  # pragma: no cover - the update saw the same refusal
            raise ValueError(str(exc)) from None

    @property
    def minimum_leverage(self) -> dict[str, int | None]:
        """Lowest whole leverage at which the wallet can open the trade, per mode."""
        self.flush()
        return {mode: None if mode in self._unavailable else self._low for mode in st.MODES}
