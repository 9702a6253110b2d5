"""CorrelationStress: how correlation turns the shared cross wallet from a cushion into a trap.

The same book of two or three equal long positions is stress-tested with seeded, correlated,
one-period log-normal shocks (engine :func:`~margin_widgets.engine.shock_returns` and
:func:`~margin_widgets.engine.stress_test`), once as isolated positions and once in one cross
account. The left figure is the scenario cloud (move of asset A against move of asset B), each
scenario marked by its outcome with a colour *and* a marker shape; the right figure is the
probability of liquidation against the correlation, for both modes, with the current
correlation marked (claims C1 and C5, docs/claims.md).

Probabilities are always computed on every scenario; the cloud draws at most
:data:`CLOUD_POINTS` of them (the first ones: the scenarios are independent draws).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    Leg,
    StressResult,
    cross_boundary,
    equal_legs,
    linear_grid,
    liquidation_price_in_brackets,
    load_brackets,
    price_move,
)
from margin_widgets.engine import correlation_grid as engine_correlation_grid
from margin_widgets.engine.paths import CommonDraws, PathSet
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    correlation_slider,
    leverage_cap,
    leverage_slider,
    seed_box,
)

__all__ = [
    "CLOUD_POINTS",
    "CURVE_POINTS",
    "CURVE_SCENARIOS",
    "OUTCOMES",
    "OUTCOME_STYLES",
    "CorrelationStress",
    "correlation_grid",
]

#: Size of the controls: box width, description width.
_LOOK = ControlLook("26em", "11em")

#: At most this many scenarios are drawn in the cloud (probabilities use all of them).
CLOUD_POINTS = 1_000
#: Number of correlation values on the probability curve.
CURVE_POINTS = 21
#: Scenarios per correlation value on the curve (fewer if ``n_scenarios`` is smaller).
CURVE_SCENARIOS = 2_000
#: Symbol whose bracket table every leg uses (the engine's :func:`equal_legs` default).
SYMBOL = "BTCUSDT"
#: Top margin (px) of the probability figure: the title, then a row per curve's value label.
PROBABILITY_TOP_MARGIN = 80
#: The curves' names in the value labels that stand for a legend.
CURVE_NAMES = {"isolated": "isolated (any position)", "cross": "cross account"}
ASSET_NAMES = ("A", "B", "C")


@dataclass(frozen=True)
class OutcomeStyle:
    """How one outcome of the scenario cloud is drawn (colour and marker both differ)."""

    color: str
    marker: str
    size: float
    opacity: float
    label: str


#: Outcome labels of :attr:`~margin_widgets.engine.StressResult.outcomes`, in drawing order.
OUTCOMES: tuple[str, ...] = ("survive", "isolated", "cross", "both")

OUTCOME_STYLES: dict[str, OutcomeStyle] = {
    "survive": OutcomeStyle(st.COLORS["grey"], "diamond", 14.0, 0.45, "all survive"),
    "isolated": OutcomeStyle(
        st.MODE_STYLES["isolated"].color, "circle", 22.0, 0.85, "isolated position liq."
    ),
    "cross": OutcomeStyle(st.MODE_STYLES["cross"].color, "square", 22.0, 0.85, "cross liq."),
    "both": OutcomeStyle(st.COLORS["black"], "triangle-up", 26.0, 0.85, "both liq."),
}

_OUTCOME_WORDS = {
    "survive": "every position survives",
    "isolated": "only an isolated position is liquidated",
    "cross": "only the cross account is liquidated",
    "both": "both are liquidated",
}


def correlation_grid(n_assets: int, points: int = CURVE_POINTS) -> list[float]:
    """The engine's :func:`~margin_widgets.engine.correlation_grid` (``CURVE_POINTS`` values).

    Examples
    --------
    >>> correlation_grid(2, 5)
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    """
    return engine_correlation_grid(n_assets, points)


class CorrelationStress(Explorer):
    """Stress two or three equal long positions in isolated and in cross margin.

    Controls
    --------
    n_assets : {2, 3}
        Number of positions (assets A, B and C; all on the BTCUSDT brackets, entry 100 USDT).
    correlation : float
        Pairwise correlation ρ of the log moves (-1..1 for two assets, -0.5..1 for three).
    leverage : int
        Leverage of every position (capped by the bracket of its notional).
    collateral : float
        Margin of every position in USDT; the cross wallet holds the sum.
    shock : float
        Standard deviation σ of each asset's log move over the period.
    n_scenarios : int
        Number of seeded scenarios (probabilities use all, the cloud draws at most 1,000).
    seed : int
        Seed of the scenario generator.

    Examples
    --------
    >>> explorer = CorrelationStress()
    >>> sorted(explorer.probabilities())
    ['cross', 'isolated']
    >>> explorer.result.n_scenarios
    2000
    """

    DRAWING: ClassVar[frozenset[str]] = frozenset({"n_assets", "n_scenarios", "seed"})
    ALIASES: ClassVar[Mapping[str, str]] = {"collateral": "position_margin"}
    HELP: ClassVar[Mapping[str, str]] = {
        "n_assets": "Number of equal long positions in the book.",
        "correlation": "Pairwise correlation of the assets' shocks, from -1 to 1.",
        "leverage": "Notional / initial margin: each position's size is collateral x leverage.",
        "position_margin": (
            "Initial margin of each position, in USDT (formerly 'collateral'); the cross "
            "wallet holds their sum."
        ),
        "shock": "Standard deviation of each asset's log move (0.08 is about 8 %).",
        "n_scenarios": "Number of random scenarios drawn; more is smoother and slower.",
        "seed": "Seed of the random numbers: the same seed gives the same scenarios.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._result: StressResult | None = None
        self._curve: tuple[list[float], list[float], list[float]] | None = None
        self._iso_move = math.nan
        self._counts: dict[str, int] = {}
        self._shown = 0
        super().__init__(*args, **kwargs)
        self.enable_debounce(0.15)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        n_assets = self.add_control(
            "n_assets",
            # in the _LOOK's width: the default 300 px would push the buttons under the description
            _LOOK.widget(
                w.ToggleButtons,
                options=[("2 assets", 2), ("3 assets", 3)],
                value=2,
                description="assets",
                tooltip="Number of equal long positions in the book",
                style={"button_width": "6em"},
            ),
        )
        correlation = self.add_control("correlation", correlation_slider(_LOOK, value=0.5))
        leverage = self.add_control(
            "leverage", leverage_slider(_LOOK, value=10, max=100, description="leverage (x)")
        )
        collateral = self.add_control(
            "position_margin",
            collateral_slider(
                _LOOK,
                value=1_000.0,
                min=100.0,
                max=10_000.0,
                step=100.0,
                description="margin (USDT/pos.)",
            ),
        )
        shock = self.add_control(
            "shock",
            _LOOK.slider(
                w.FloatSlider,
                value=0.08,
                min=0.01,
                max=0.3,
                step=0.005,
                description="shock σ (log move)",
                readout_format=".3f",
            ),
        )
        n_scenarios = self.add_control(
            "n_scenarios",
            _LOOK.slider(
                w.IntSlider, value=2_000, min=500, max=20_000, step=500, description="scenarios"
            ),
        )
        seed = self.add_control("seed", seed_box(_LOOK, value=0))

        # --- scenario cloud: move of A vs move of B, one Scatter per outcome
        xs = bq.LinearScale(min=-0.3, max=0.3)
        ys = bq.LinearScale(min=-0.3, max=0.3)
        scales = {"x": xs, "y": ys}
        tip = st.tooltip("move of A", "move of B", "+.2%", "+.2%")
        self.cloud_marks: dict[str, bq.Scatter] = {}
        for outcome in OUTCOMES:
            look = OUTCOME_STYLES[outcome]
            mark = st.points(
                scales, look.color, marker=look.marker, size=look.size, label=look.label, tip=tip
            )
            mark.stroke = None
            mark.opacities = [look.opacity]
            self.cloud_marks[outcome] = mark
        iso = st.MODE_STYLES["isolated"]
        cross = st.MODE_STYLES["cross"]
        self.isolated_a_line = st.line(scales, iso.color, line_style=iso.line_style, width=1.5)
        self.isolated_b_line = st.line(scales, iso.color, line_style=iso.line_style, width=1.5)
        self.isolated_a_line.labels = ["isolated liq. move"]
        self.isolated_a_line.display_legend = True
        self.cross_boundary = st.line(
            scales,
            cross.color,
            line_style=cross.line_style,
            width=2.0,
            label="cross liq. boundary",
            tip=st.tooltip("move of A", "move of B", "+.2%", "+.2%"),
        )
        self.cloud_figure = self.add_figure(
            "cloud",
            st.figure(
                "cloud",
                [
                    *self.cloud_marks.values(),
                    self.isolated_a_line,
                    self.isolated_b_line,
                    self.cross_boundary,
                ],
                st.axes(
                    scales,
                    "move of asset A (%)",
                    "move of asset B (%)",
                    x_format=".0%",
                    y_format=".0%",
                ),
                "Scenarios: move of A vs move of B",
                height=st.TALL_HEIGHT,
            ),
        )
        self.cloud_scales = scales

        # --- probability of liquidation vs correlation
        px = bq.LinearScale(min=-1.0, max=1.0)
        py = bq.LinearScale(min=0.0, max=1.0)
        pscales = {"x": px, "y": py}
        ptip = st.tooltip("correlation ρ", "P(liquidation)", ".3f", ".1%")
        self.curve_marks = {
            "isolated": st.mode_line(
                pscales, "isolated", label="isolated: any position", marker="circle", tip=ptip
            ),
            "cross": st.mode_line(
                pscales, "cross", label="cross account", marker="square", tip=ptip
            ),
        }
        self.current_rule = st.vline(pscales, st.GUIDE_COLOR)
        self.current_points = st.per_mode(st.mode_points, pscales, tip=ptip, size=90.0)
        self.current_labels = st.labels(
            pscales,
            colors=[st.MODE_STYLES[m].color for m in st.MODES],
            y_offset=0,
            size=st.SMALL_LABEL_SIZE,
        )
        self.probability_figure = self.add_figure(
            "probability",
            st.figure(
                "probability",
                [
                    *self.curve_marks.values(),
                    self.current_rule,
                    *self.current_points.values(),
                    self.current_labels,
                ],
                st.axes(
                    pscales,
                    "correlation ρ",
                    "probability of liquidation (%)",
                    x_format=".1f",
                    y_format=".0%",
                ),
                "Probability of liquidation vs correlation",
                height=st.TALL_HEIGHT,
                # no legend inside the plot (it needs headroom above 100 %): the curves are
                # named by their value labels, in the band between the title and the plot
                legend=False,
                margin={**st.FIGURE_MARGIN, "top": PROBABILITY_TOP_MARGIN},
            ),
        )
        self.probability_scales = pscales

        controls = w.VBox(
            [n_assets, correlation, leverage, collateral, shock, n_scenarios, seed],
            layout={"padding": "0 0 6px 0"},
        )
        figures = w.HBox(
            [self.cloud_figure, self.probability_figure], layout={"flex_flow": "row wrap"}
        )
        return [controls, figures]

    # ------------------------------------------------------------------ bounds
    def _sync_bounds(self) -> None:
        n = int(self.controls["n_assets"].value)
        low = -1.0 / (n - 1)
        correlation = self.controls["correlation"]
        if correlation.min != low:
            correlation.min = low
        leverage = self.controls["leverage"]
        cap = leverage_cap([load_brackets(SYMBOL)], float(self.controls["position_margin"].value))
        if leverage.max != cap:
            leverage.max = cap

    def _bound_reason(self, name: str) -> str:
        if name == "correlation":
            n = int(self.controls["n_assets"].value)
            return f"with {n} assets the pairwise correlation cannot be below {-1 / (n - 1):g}"
        if name == "leverage":
            return (
                f"the {SYMBOL} bracket of a position with "
                f"{st.format_usdt(float(self.controls['position_margin'].value), 0)} margin "
                f"allows at most {self.controls['leverage'].max}x"
            )
        return ""

    # ------------------------------------------------------------------ engine
    def legs(self) -> list[Leg]:
        """The book at the current settings (engine :func:`equal_legs`)."""
        v = self._raw_values()
        return equal_legs(int(v["n_assets"]), float(v["leverage"]), float(v["position_margin"]))

    @property
    def result(self) -> StressResult:
        """Engine :class:`~margin_widgets.engine.StressResult` of the current settings."""
        self.flush()
        if self._result is None:  # pragma: no cover - only if the first update failed
            raise ValueError("no result: the last update failed (see the status line)")
        return self._result

    def probabilities(self) -> dict[str, float]:
        """Probability of liquidation at the current settings, over every scenario.

        ``"cross"``: the cross account is liquidated; ``"isolated"``: at least one isolated
        position is liquidated.
        """
        result = self.result
        return {"cross": result.cross_probability, "isolated": result.isolated_probability}

    def curve(self) -> dict[str, list[float]]:
        """The probability-versus-correlation curve now drawn.

        Keys ``"correlation"``, ``"cross"``, ``"isolated"`` (fractions, one per correlation).
        """
        self.flush()
        if self._curve is None:  # pragma: no cover - only if the first update failed
            raise ValueError("no curve: the last update failed (see the status line)")
        grid, cross, isolated = self._curve
        return {"correlation": list(grid), "cross": list(cross), "isolated": list(isolated)}

    def _draws(self, n: int, count: int, seed: int) -> CommonDraws:
        """The random numbers of a seed (engine :class:`CommonDraws`, one shock), drawn once.

        Kept for a few (assets, count, seed): the correlation, the shock σ, leverage and
        collateral are all answered over the same numbers (common random numbers).
        """
        return self.cached(
            "draws",
            (n, count, seed),
            lambda: CommonDraws(n, count, horizon_days=1, step_days=1, seed=seed),
            keep=4,
        )

    def _paths(self, n: int, rho: float, sigma: float, count: int, seed: int) -> PathSet:
        """The seeded one-period scenarios (engine :class:`PathSet`, one step over the horizon).

        Correlated and scaled from the kept random numbers (:meth:`CommonDraws.paths`): no new
        draw for a new correlation or shock σ; leverage and collateral are look-ups over them.
        """
        draws = self._draws(n, count, seed)
        return self.cached(
            "paths", (n, rho, sigma, count, seed), lambda: draws.paths(rho, sigma), keep=4
        )

    def _compute_curve(self, legs: Sequence[Leg]) -> tuple[list[float], list[float], list[float]]:
        """Cross and isolated probability at each correlation of :func:`correlation_grid`.

        Each point is the engine's answer over the first :data:`CURVE_SCENARIOS` seeded
        scenarios at that correlation (the same numbers as :func:`liquidation_probability`),
        counted by :meth:`CommonDraws.one_shock_curve` over the kept random numbers: the
        cross account's probability and "at least one isolated position" are counts over
        per-scenario values kept per correlation and σ.
        """
        v = self._raw_values()
        n = len(legs)
        count = int(v["n_scenarios"])
        n_curve = min(count, CURVE_SCENARIOS)
        sigma, seed = float(v["shock"]), int(v["seed"])

        def compute() -> tuple[list[float], list[float], list[float]]:
            grid = correlation_grid(n)
            draws = self._draws(n, count, seed)
            cross, isolated = draws.one_shock_curve(legs, grid, sigma, n_paths=n_curve)
            return grid, cross, isolated

        book = tuple((leg.quantity, leg.collateral) for leg in legs)
        return self.cached("curve", (n, sigma, count, seed, book), compute, keep=4)

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        legs = self.legs()
        n = len(legs)
        rho = float(v["correlation"])
        sigma = float(v["shock"])
        paths = self._paths(n, rho, sigma, int(v["n_scenarios"]), int(v["seed"]))
        book = tuple((leg.quantity, leg.collateral) for leg in legs)
        result = self.cached(
            "result",
            (n, rho, sigma, int(v["n_scenarios"]), int(v["seed"]), book),
            lambda: paths.stress_test(legs),
        )
        curve = self._compute_curve(legs)
        # Isolated liquidation move and the cross boundary (engine liquidation prices).
        table = load_brackets(SYMBOL)
        leg = legs[0]
        lp_iso, _ = liquidation_price_in_brackets(
            leg.side, leg.quantity, leg.entry_price, leg.collateral, table
        )
        move = price_move(leg.entry_price, lp_iso)
        iso_move = math.nan if move is None else move

        shown = min(result.n_scenarios, CLOUD_POINTS)
        outcomes = result.outcomes[:shown]
        a = np.array([row[0] for row in result.returns[:shown]], dtype=float)
        b = np.array([row[1] for row in result.returns[:shown]], dtype=float)
        labels = np.array(outcomes)
        low = float(min(a.min(), b.min()))
        high = float(max(a.max(), b.max()))
        span = high - low or 0.01
        low, high = low - 0.05 * span, high + 0.05 * span
        # room for the legend (one row per mark with a label) above the cloud
        _, top = st.headroom(low, high, rows=len(OUTCOMES) + 2, height=st.TALL_HEIGHT, pad=0.0)
        bx, by = self._cross_boundary(legs, low, high)
        counts = {o: 0 for o in OUTCOMES}
        for o in result.outcomes:
            counts[o] += 1

        set_mark_data(self.cloud_scales["x"], min=low, max=high)
        set_mark_data(self.cloud_scales["y"], min=low, max=top)
        for outcome, mark in self.cloud_marks.items():
            pick = labels == outcome
            set_mark_data(
                mark,
                x=a[pick],
                y=b[pick],
                labels=[f"{OUTCOME_STYLES[outcome].label} ({counts[outcome]:,})"],
            )
        set_mark_data(
            self.isolated_a_line, x=np.array([iso_move, iso_move]), y=np.array([low, high])
        )  # not through the legend
        set_mark_data(
            self.isolated_b_line, x=np.array([low, high]), y=np.array([iso_move, iso_move])
        )
        with self.cross_boundary.hold_sync():
            self.cross_boundary.x = bx
            self.cross_boundary.y = by
            self.cross_boundary.labels = [
                "cross liq. boundary" + (" (C unchanged)" if n == 3 else "")
            ]

        grid, p_cross, p_iso = curve
        p_now = {"cross": result.cross_probability, "isolated": result.isolated_probability}
        data_top = max(0.05, *p_cross, *p_iso, *p_now.values())
        top = min(1.0, data_top * 1.04)  # a probability axis ends at 100 % at most
        set_mark_data(self.probability_scales["x"], min=grid[0], max=grid[-1])
        set_mark_data(self.probability_scales["y"], max=top)
        for mode, values in (("cross", p_cross), ("isolated", p_iso)):
            mark = self.curve_marks[mode]
            set_mark_data(mark, x=np.array(grid, dtype=float), y=np.array(values, dtype=float))
            point = self.current_points[mode]
            set_mark_data(point, x=np.array([rho]), y=np.array([p_now[mode]]))
        set_mark_data(self.current_rule, x=np.array([rho, rho]), y=np.array([0.0, top]))
        # the value labels name the curves: one row each above the plot area, right-aligned
        plot_px = (
            float(st.TALL_HEIGHT.removesuffix("px"))
            - PROBABILITY_TOP_MARGIN
            - st.FIGURE_MARGIN["bottom"]
        )
        per_px = top / plot_px
        rows = {"isolated": 2, "cross": 1}
        with self.current_labels.hold_sync():
            self.current_labels.align, self.current_labels.x_offset = "end", 0
            self.current_labels.x = np.array([grid[-1], grid[-1]])
            self.current_labels.y = np.array(
                [top + (6.0 + 14.0 * (rows[m] - 1)) * per_px for m in st.MODES]
            )
            self.current_labels.text = np.array(
                [f"{CURVE_NAMES[m]} {st.format_percent(p_now[m])}" for m in st.MODES]
            )
            self.current_labels.colors = [st.MODE_STYLES[m].color for m in st.MODES]

        self._result = result
        self._curve = (list(grid), list(p_cross), list(p_iso))
        self._iso_move = iso_move
        self._counts = counts
        self._shown = shown
        self.set_readout(
            f"ρ = {rho:.2f}: the cross account is liquidated in "
            f"{st.format_percent(result.cross_probability)} of {result.n_scenarios:,} scenarios, "
            f"at least one isolated position in {st.format_percent(result.isolated_probability)} "
            f"(every isolated position in {st.format_percent(result.all_isolated_probability)})"
        )

    def _cross_boundary(
        self, legs: Sequence[Leg], low: float, high: float, points: int = 81
    ) -> tuple[np.ndarray, np.ndarray]:
        """The engine's :func:`~margin_widgets.engine.cross_boundary` over moves of A, as arrays."""
        moves = linear_grid(low, high, points)
        boundary = cross_boundary(legs, moves, load_brackets(SYMBOL))
        return np.array(moves), np.array([math.nan if m is None else m for m in boundary])

    def _describe(self) -> str:
        v = self._raw_values()
        margin = float(v["position_margin"])
        result = self._result
        if result is None or self._curve is None:  # pragma: no cover
            return ""
        n = len(result.collateral)
        grid, p_cross, p_iso = self._curve
        counts = ", ".join(
            f"{_OUTCOME_WORDS[o]} in {self._counts[o]:,}" for o in OUTCOMES if self._counts[o]
        )
        drawn = (
            f"all {result.n_scenarios:,} drawn"
            if self._shown == result.n_scenarios
            else f"the first {self._shown:,} of {result.n_scenarios:,} drawn"
        )
        names = ", ".join(ASSET_NAMES[:n])
        hidden = " Asset C's move is not drawn." if n == 3 else ""
        iso_text = (
            f"An isolated position is liquidated when its asset moves "
            f"{st.format_percent(self._iso_move)} or lower (solid lines)."
            if math.isfinite(self._iso_move)
            else "An isolated position cannot be liquidated at any positive price."
        )
        return (
            f"Scenario cloud: {result.n_scenarios:,} seeded one-period moves of assets {names} "
            f"(correlation {float(v['correlation']):.2f}, shock σ {float(v['shock']):.3f}), "
            f"{drawn}; every asset is held long at {int(v['leverage'])}x with "
            f"{st.format_usdt(margin, 0)} margin each, the cross wallet holding "
            f"{st.format_usdt(margin * n, 0)}. Move of A on the horizontal axis, "
            f"move of B on the vertical axis.{hidden} Outcomes: {counts}. {iso_text} The dashed "
            f"line is the cross account's liquidation boundary. Probability of liquidation "
            f"versus correlation ({len(grid)} values from {grid[0]:g} to 1): the cross account "
            f"goes from {st.format_percent(p_cross[0])} to {st.format_percent(p_cross[-1])}, "
            f"at least one isolated position from {st.format_percent(p_iso[0])} to "
            f"{st.format_percent(p_iso[-1])}; at the current correlation cross is "
            f"{st.format_percent(result.cross_probability)} and isolated "
            f"{st.format_percent(result.isolated_probability)}."
        )
