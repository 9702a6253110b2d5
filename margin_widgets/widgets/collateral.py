"""MultiAssetsCollateral: a coin as cross collateral (Binance Multi-Assets mode) against USDT.

In Multi-Assets mode a cross account counts BTC, ETH or BNB toward its margin balance at their
value less a haircut. When the collateral moves with the position's coin, a long's loss and the
shrinking collateral add up (the liquidation price is *higher* than with the same value held in
USDT), and a short's loss is partly paid by the collateral's gain. The correlation between the
collateral and the position decides which.

The left figure is the margin left above maintenance (``MB − MM``) against the BTC mark, with
the coin collateral and with its counted value held in USDT, and the liquidation prices where
each reaches zero; the right figure is the probability of liquidation over seeded correlated
shocks against the correlation, both ways. Everything is the engine's
(:mod:`margin_widgets.engine.collateral`): the coin collateral and its USDT twin
(:func:`~margin_widgets.engine.coin_collateral`, :func:`~margin_widgets.engine.usdt_equivalent`;
the coin's price follows the mark with β = max(ρ, 0)),
:func:`~margin_widgets.engine.multi_assets_excess_curve` over a grid of prices,
:func:`~margin_widgets.engine.multi_assets_liquidation_prices` and
:func:`~margin_widgets.engine.multi_assets_stress_curve` over a grid of correlations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    HAIRCUTS,
    BracketTable,
    Collateral,
    CollateralStress,
    coin_collateral,
    correlation_grid,
    linear_grid,
    load_brackets,
    multi_assets_excess_curve,
    multi_assets_liquidation_prices,
    multi_assets_stress_curve,
    tick_size,
    usdt_equivalent,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    correlation_slider,
    quantity_slider,
    seed_box,
    side_toggle,
)
from margin_widgets.widgets._format import price_html

__all__ = ["COIN_PRICES", "MultiAssetsCollateral"]

_LOOK = ControlLook("26em", "11em")
SYMBOL = "BTCUSDT"
#: The BTC mark (and entry) of the position, USDT.
MARK = 60_000.0
#: Each collateral coin's price when BTC is at :data:`MARK`, USDT.
COIN_PRICES: dict[str, float] = {"BTC": 60_000.0, "ETH": 3_000.0, "BNB": 600.0}
#: Tick size of the BTCUSDT perpetual, USDT: prices are shown at it (the exact value on hover).
TICK = tick_size("binance", SYMBOL)
GRID_POINTS = 241
CURVE_POINTS = 11
#: Top margin (px) of the stress figure: the title, then one row naming the curves.
STRESS_TOP_MARGIN = 60
COIN_COLOR = st.COLORS["vermillion"]
USDT_COLOR = st.COLORS["blue"]


class MultiAssetsCollateral(Explorer):
    """Coin collateral in Multi-Assets mode: liquidation prices and stress probability.

    Controls
    --------
    side : {"long", "short"}
        Direction of the BTCUSDT position (entry and mark 60,000).
    quantity : float
        Size, BTC.
    usdt_balance : float
        USDT wallet (may be below zero: the coin collateral carries the losses).
    asset : {"BTC", "ETH", "BNB"}
        The collateral coin.
    collateral_value : float
        Value of the coin collateral at today's prices, USDT (before the haircut).
    haircut : float
        Share of its value not counted (the FAQ: 5 % for BTC, ETH and BNB).
    correlation : float
        Correlation ρ of the coin's and BTC's log returns (1: the same coin).
    volatility : float
        σ of the log return over the horizon, both coins.
    n_scenarios, seed : int
        The seeded stress test.

    Examples
    --------
    1 BTC long at 60,000 backed by 6,000 USDT of BTC (5 % haircut): ``0.095·P + (P − 60,000)
    = 0.005·P − 50`` gives 55,000; with the 5,700 counted in USDT, 54,522.61:

    >>> explorer = MultiAssetsCollateral()
    >>> [round(p, 2) for p in explorer.liquidation_prices()["coin"]]
    [55000.0]
    >>> [round(p, 2) for p in explorer.liquidation_prices()["usdt"]]
    [54522.61]
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "side": "Long or short BTCUSDT position, entry and mark 60,000.",
        "quantity": "Size of the BTCUSDT position, in BTC.",
        "usdt_balance": "USDT in the cross wallet; below zero the coin carries the loss.",
        "asset": "The coin held as collateral.",
        "collateral_value": "The coin's value today, in USDT; the haircut is taken off it.",
        "haircut": "Share of the coin's value the exchange does not count.",
        "correlation": "How the coin moves with BTC (1: the same coin).",
        "volatility": "Standard deviation of both coins' log return over the horizon.",
        "n_scenarios": "Number of seeded scenarios of the stress test.",
        "seed": "Seed of the scenarios: the same seed, the same scenarios.",
    }

    #: controls whose change draws new scenarios: "computing…" shows meanwhile
    DRAWING: ClassVar[frozenset[str]] = frozenset({"n_scenarios", "seed"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._roots: dict[str, tuple[float, ...]] = {}
        self._stress: CollateralStress | None = None
        self._curve: dict[str, list[float]] = {}
        super().__init__(*args, **kwargs)
        self.enable_debounce(0.1)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        side = self.add_control(
            "side",
            side_toggle(
                _LOOK,
                tooltips=("a long loses when BTC falls", "a short loses when BTC rises"),
                description="BTC side",
            ),
        )
        quantity = self.add_control(
            "quantity", quantity_slider(_LOOK, value=1.0, max=10.0, description="size (BTC)")
        )
        usdt = self.add_control(
            "usdt_balance",
            collateral_slider(
                _LOOK,
                value=0.0,
                min=-50_000.0,
                max=50_000.0,
                step=100.0,
                description="USDT wallet",
            ),
        )
        asset = self.add_control(
            "asset",
            _LOOK.widget(
                w.ToggleButtons,
                options=list(COIN_PRICES),
                value="BTC",
                description="collateral coin",
                tooltips=[f"{coin} at {price:,.0f} USDT" for coin, price in COIN_PRICES.items()],
                style={"button_width": "4em"},
            ),
        )
        value = self.add_control(
            "collateral_value",
            collateral_slider(
                _LOOK,
                value=6_000.0,
                min=0.0,
                max=100_000.0,
                step=100.0,
                description="coin value (USDT)",
            ),
        )
        haircut = self.add_control(
            "haircut",
            _LOOK.slider(
                w.FloatSlider,
                value=HAIRCUTS["BTC"],
                min=0.0,
                max=0.5,
                step=0.01,
                readout_format=".0%",
                description="haircut",
            ),
        )
        correlation = self.add_control("correlation", correlation_slider(_LOOK, value=1.0))
        volatility = self.add_control(
            "volatility",
            _LOOK.slider(
                w.FloatSlider,
                value=0.1,
                min=0.01,
                max=0.5,
                step=0.01,
                readout_format=".2f",
                description="volatility σ",
            ),
        )
        n_scenarios = self.add_control(
            "n_scenarios",
            _LOOK.slider(
                w.IntSlider, value=2_000, min=500, max=20_000, step=500, description="scenarios"
            ),
        )
        seed = self.add_control("seed", seed_box(_LOOK, value=0))

        # --- margin left against the mark
        es = {"x": bq.LinearScale(), "y": bq.LinearScale()}
        tip = st.tooltip("BTC mark (USDT)", "MB − MM (USDT)", ",.6f", ",.2f")
        self.excess_lines = {
            "coin": st.line(es, COIN_COLOR, label="coin collateral", tip=tip),
            "usdt": st.line(
                es, USDT_COLOR, line_style="dashed", label="same value in USDT", tip=tip
            ),
        }
        self.root_points = {
            "coin": st.points(es, COIN_COLOR, marker="circle", tip=tip),
            "usdt": st.points(es, USDT_COLOR, marker="square", tip=tip),
        }
        self.zero_line = st.hline(es, st.GUIDE_COLOR, line_style="solid", width=1.0)
        self.mark_rule = st.vline(es, st.ENTRY_COLOR)
        self.root_labels = st.labels(es, size=st.SMALL_LABEL_SIZE, colors=[COIN_COLOR, USDT_COLOR])
        self.excess_figure = self.add_figure(
            "excess",
            st.figure(
                "excess",
                [
                    self.zero_line,
                    self.mark_rule,
                    *self.excess_lines.values(),
                    *self.root_points.values(),
                    self.root_labels,
                ],
                st.axes(
                    es,
                    "BTC mark price (USDT)",
                    "margin left, MB − MM (USDT)",
                    x_format=",.0f",
                    y_format=",.0f",
                ),
                "Margin left against the mark",
            ),
        )
        self.excess_scales = es

        # --- stress probability against the correlation
        ps = {"x": bq.LinearScale(min=-1.0, max=1.0), "y": bq.LinearScale(min=0.0, max=1.0)}
        ptip = st.tooltip("correlation ρ", "P(liquidation)", ".2f", ".1%")
        self.curve_lines = {
            "coin": st.line(ps, COIN_COLOR, marker="circle", label="coin collateral", tip=ptip),
            "usdt": st.line(
                ps,
                USDT_COLOR,
                line_style="dashed",
                marker="square",
                label="same value in USDT",
                tip=ptip,
            ),
        }
        self.curve_points = {
            "coin": st.points(ps, COIN_COLOR, marker="circle", size=110.0, tip=ptip),
            "usdt": st.points(ps, USDT_COLOR, marker="square", size=110.0, tip=ptip),
        }
        # the curves' names above the plot area (a legend inside would need room above 100 %)
        self.curve_names = st.labels(
            ps, colors=[COIN_COLOR, USDT_COLOR], x_offset=0, y_offset=0, size=st.SMALL_LABEL_SIZE
        )
        self.curve_names.text = np.array(["coin collateral", "same value in USDT"])
        self.curve_names.x = np.array([-1.0, 0.0])
        self.curve_names.y = np.array([1.0, 1.0])
        self.curve_names.align = "start"
        self.stress_figure = self.add_figure(
            "stress",
            st.figure(
                "stress",
                [*self.curve_lines.values(), *self.curve_points.values(), self.curve_names],
                st.axes(
                    ps,
                    "correlation ρ (coin vs BTC)",
                    "probability of liquidation (%)",
                    x_format=".1f",
                    y_format=".0%",
                ),
                "Stress: probability of liquidation",
                legend=False,
                margin={**st.FIGURE_MARGIN, "top": STRESS_TOP_MARGIN},
            ),
        )
        self.stress_scales = ps

        controls = w.VBox(
            [
                side,
                quantity,
                usdt,
                asset,
                value,
                haircut,
                correlation,
                volatility,
                n_scenarios,
                seed,
            ]
        )
        figures = w.HBox([self.excess_figure, self.stress_figure], layout={"flex_flow": "row wrap"})
        return [controls, figures]

    # ------------------------------------------------------------------ engine
    @property
    def brackets(self) -> BracketTable:
        """The newest BTCUSDT bracket table."""
        return load_brackets(SYMBOL)

    def collateral(self, correlation: float | None = None) -> list[Collateral]:
        """The engine's coin collateral (:func:`~margin_widgets.engine.coin_collateral`)."""
        v = self._raw_values()
        rho = float(v["correlation"]) if correlation is None else correlation
        coin = str(v["asset"])
        return list(
            coin_collateral(
                coin,
                float(v["collateral_value"]),
                COIN_PRICES[coin],
                correlation=rho,
                haircut=float(v["haircut"]),
            )
        )

    def _usdt_twin(self) -> float:
        """The USDT wallet with the coin's counted value added (the baseline account)."""
        return usdt_equivalent(float(self._raw_values()["usdt_balance"]), self.collateral())

    def _args(self) -> tuple[str, float, float, float]:
        v = self._raw_values()
        return str(v["side"]), float(v["quantity"]), MARK, MARK

    def liquidation_prices(self) -> dict[str, tuple[float, ...]]:
        """Liquidation prices with the coin (``"coin"``) and with its value in USDT (``"usdt"``)."""
        self.flush()
        return dict(self._roots)

    @property
    def stress(self) -> CollateralStress:
        """The engine's stress result at the current correlation."""
        self.flush()
        if self._stress is None:  # pragma: no cover - only if the first update failed
            raise ValueError("no stress result: the last update failed (see the status line)")
        return self._stress

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        side, q, ep, mark = self._args()
        table = self.brackets
        coins = self.collateral()
        usdt = float(v["usdt_balance"])
        twin = self._usdt_twin()
        roots = {
            "coin": multi_assets_liquidation_prices(side, q, ep, mark, usdt, coins, table),
            "usdt": multi_assets_liquidation_prices(side, q, ep, mark, twin, [], table),
        }
        self._roots = roots
        (now,) = multi_assets_excess_curve(side, q, ep, mark, usdt, coins, table, [mark])
        if now <= 0:
            self.note("The account is already below maintenance at today's mark.", "warning")
        if float(v["correlation"]) < 0:
            self.note(
                "Below ρ = 0 the coin's price is held fixed for the liquidation prices (β = 0).",
                "info",
            )

        found = [p for r in roots.values() for p in r if 0 < p < 10 * mark]
        low = max(min([mark, *found]) * 0.85, 1.0)
        high = max([mark, *found]) * 1.15
        grid = linear_grid(low, high, GRID_POINTS)
        curves = {
            "coin": multi_assets_excess_curve(side, q, ep, mark, usdt, coins, table, grid),
            "usdt": multi_assets_excess_curve(side, q, ep, mark, twin, [], table, grid),
        }
        ys = [y for c in curves.values() for y in c]
        bottom, top = st.headroom(min(ys), max(ys), rows=2)
        set_mark_data(self.excess_scales["x"], min=low, max=high)
        set_mark_data(self.excess_scales["y"], min=bottom, max=top)
        x = np.array(grid, dtype=float)
        for key, line in self.excess_lines.items():
            set_mark_data(line, x=x, y=np.array(curves[key], dtype=float))
            shown = [p for p in roots[key] if low <= p <= high]
            set_mark_data(
                self.root_points[key],
                x=np.array(shown, dtype=float),
                y=np.zeros(len(shown)),
            )
        set_mark_data(self.zero_line, x=np.array([low, high]), y=np.zeros(2))
        set_mark_data(self.mark_rule, x=np.array([mark, mark]), y=np.array([bottom, max(ys)]))
        # the liquidation prices at the top right, in the band the legend's headroom keeps free
        # of lines: under the zero line, where the markers are, the other curve runs through
        labels = [
            (f"{name} liq. " + " / ".join(st.format_price(p, TICK) for p in shown), color)
            for key, name, color in (("coin", "coin", COIN_COLOR), ("usdt", "USDT", USDT_COLOR))
            if (shown := [p for p in roots[key] if low <= p <= high])
        ]
        per_px = (top - bottom) / st.plot_height()
        with self.root_labels.hold_sync():
            self.root_labels.x = np.array([high] * len(labels), dtype=float)
            self.root_labels.y = np.array(
                [top - (18.0 + st.LEGEND_ROW_PX * i) * per_px for i in range(len(labels))],
                dtype=float,
            )
            self.root_labels.text = np.array([t for t, _ in labels], dtype=str)
            self.root_labels.colors = [c for _, c in labels] or [COIN_COLOR]
            self.root_labels.align = "end"
            self.root_labels.x_offset = -4

        self._update_stress(changed)
        # the exact prices in the titles (on hover)
        readout = f"<b>{self._summary(lambda p: price_html(p, TICK))}</b>"
        if self.readout.value != readout:
            self.readout.value = readout

    def _update_stress(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        side, q, ep, mark = self._args()
        table = self.brackets
        usdt = float(v["usdt_balance"])
        sigma, n, seed = float(v["volatility"]), int(v["n_scenarios"]), int(v["seed"])
        rho = float(v["correlation"])
        grid = correlation_grid(2, CURVE_POINTS)
        inputs = tuple(v[name] for name in self.controls if name != "correlation")

        def compute() -> dict[str, list[float]]:
            # the stress test does not use the coin's β (the draws carry the co-movement)
            results = multi_assets_stress_curve(
                side, q, ep, mark, usdt, self.collateral(), table, grid, sigma, n, seed
            )
            return {
                "correlation": grid,
                "coin": [r.probability for r in results],
                "usdt": [r.usdt_probability for r in results],
            }

        # every control but the correlation: a correlation change only moves the point
        self._curve = self.cached("curve", inputs, compute, keep=4)
        (self._stress,) = multi_assets_stress_curve(
            side, q, ep, mark, usdt, self.collateral(), table, [rho], sigma, n, seed
        )
        now = {"coin": self._stress.probability, "usdt": self._stress.usdt_probability}
        top = max([0.05, *self._curve["coin"], *self._curve["usdt"], *now.values()])
        high = min(1.0, top * 1.04)  # a probability axis ends at 100 % at most
        set_mark_data(self.stress_scales["y"], min=0.0, max=high)
        plot_px = float(st.FIGURE_HEIGHT.removesuffix("px")) - STRESS_TOP_MARGIN
        per_px = high / (plot_px - st.FIGURE_MARGIN["bottom"])
        with self.curve_names.hold_sync():  # one row, 6 px above the plot area
            self.curve_names.x = np.array([-1.0, 0.0])
            self.curve_names.y = np.array([high + 6.0 * per_px] * 2)
        x = np.array(grid, dtype=float)
        for key, line in self.curve_lines.items():
            set_mark_data(line, x=x, y=np.array(self._curve[key], dtype=float))
            set_mark_data(self.curve_points[key], x=np.array([rho]), y=np.array([now[key]]))

    def _summary(self, price_text: Any = None) -> str:
        """The readout line; ``price_text(price)`` writes each price (default: at the tick)."""
        show = price_text or (lambda p: st.format_price(p, TICK))
        v = self._raw_values()

        def prices(key: str) -> str:
            roots = self._roots.get(key, ())
            return " and ".join(show(p) for p in roots) or "no price"

        stress = self._stress
        odds = (
            f"; liquidated in {st.format_percent(stress.probability)} of "
            f"{stress.n_scenarios:,} scenarios (USDT: {st.format_percent(stress.usdt_probability)})"
            if stress is not None
            else ""
        )
        return (
            f"Liquidation at {prices('coin')} with {v['asset']} collateral, at "
            f"{prices('usdt')} with its counted value in USDT{odds}"
        )

    def _describe(self) -> str:
        v = self._raw_values()
        coins = self.collateral()
        counted = sum(c.counted_value for c in coins)
        curve = self._curve
        return (
            f"A BTCUSDT {v['side']} of {float(v['quantity']):g} BTC at "
            f"{st.format_price(MARK, TICK)} in Multi-Assets mode, USDT wallet "
            f"{st.format_usdt(float(v['usdt_balance']))}, "
            f"{st.format_usdt(float(v['collateral_value']))} of {v['asset']} as collateral at a "
            f"{st.format_percent(float(v['haircut']), 0)} haircut (counted "
            f"{st.format_usdt(counted)}), correlation {float(v['correlation']):.2f} with BTC. "
            f"{self._summary()}. Left: the margin left above maintenance against the BTC mark, "
            "with the coin (solid) and with the same counted value in USDT (dashed); the account "
            "is liquidated where a line crosses zero (markers). Right: probability of "
            f"liquidation over seeded shocks (σ {float(v['volatility']):.2f}, seed "
            f"{int(v['seed'])}) against the correlation from -1 to 1: with the coin from "
            f"{st.format_percent(curve['coin'][0])} to {st.format_percent(curve['coin'][-1])}, "
            f"with USDT from {st.format_percent(curve['usdt'][0])} to "
            f"{st.format_percent(curve['usdt'][-1])}."
        )

    def readout_plain(self) -> str:
        """The readout line as plain text (prices at the tick size)."""
        self.flush()
        return self._summary()
