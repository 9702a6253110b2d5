"""PathStress: probability of liquidation over a horizon, along paths, cross versus isolated.

Two equal long positions are held for 30 days, once as isolated positions and once in one cross
account. Their prices follow seeded, correlated daily paths (engine
:func:`~margin_widgets.engine.simulate_paths`), Gaussian or Student-t with ν degrees of freedom
(fat tails at the same volatility). A position is liquidated the first day its mark crosses its
liquidation price, even if the price comes back by the horizon; the one-shock model (one move at
the horizon, the same random numbers) is shown beside it on request.

The left figure is the probability of liquidation against leverage, for the cross account and
for each isolated position, with the current leverage marked; the right one compares, at the
current leverage, the one-shock model, Gaussian paths and fat-tailed paths. An isolated
position's probability does not depend on the correlation; the cross account's does.

Speed: the random numbers are drawn once per (ν, number of paths, seed) and kept (engine
:class:`~margin_widgets.engine.paths.CommonDraws`); a correlation or a volatility correlates
and scales them into paths without a new draw, and leverage and margin are answered from the
paths by the engine's look-ups (:meth:`~margin_widgets.engine.PathSet.isolated_probability`,
:meth:`~margin_widgets.engine.PathSet.cross_probability`), within one frame. Correlation and
volatility re-scan the paths, and the seed, the number of paths and the tail weight draw new
numbers; the explorer says "computing…" while they update. Every setting is compared over the
same random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import Leg, PathSet, equal_legs
from margin_widgets.engine.paths import CommonDraws
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    correlation_slider,
    leverage_slider,
    seed_box,
)

__all__ = ["HORIZON_DAYS", "MAX_LEVERAGE", "MODELS", "TAILS", "PathStress"]

_LOOK = ControlLook("26em", "11em")
HORIZON_DAYS = 30.0
N_ASSETS = 2
#: Leverages on the curve: 1x to this (whole numbers).
MAX_LEVERAGE = 25
#: Tail weights offered: 0 for Gaussian shocks, else Student-t degrees of freedom ν.
TAILS: tuple[tuple[str, int], ...] = (
    ("normal", 0),
    ("t, ν = 30", 30),
    ("t, ν = 10", 10),
    ("t, ν = 5", 5),
    ("t, ν = 3", 3),
)
#: The models compared in the right figure.
MODELS: tuple[str, ...] = ("one shock", "paths, normal", "paths, fat tails")
#: Path sets kept per part (each a few MB at 2,000 paths).
CACHE_SIZE = 6
ONE_SHOCK_STYLE = "dotted"
#: Top margin (px) of the leverage figure: the title, then a row naming each mode's curves.
LEVERAGE_TOP_MARGIN = 80


class PathStress(Explorer):
    """Liquidation probability along 30-day paths: cross versus isolated, paths versus one shock.

    Controls
    --------
    correlation : float
        Correlation ρ of the two assets' daily shocks.
    volatility : float
        σ of each asset's log return over the 30 days.
    tail : int
        0 for Gaussian shocks, else ν of Student-t shocks (smaller: fatter tails).
    leverage : int
        Leverage of each position.
    position_margin : float
        Margin of each position, USDT (the cross wallet holds both).
    one_shock : bool
        Also draw the one-shock model's curves.
    n_paths : int
        Number of paths.
    seed : int
        Seed of the random numbers.

    Examples
    --------
    >>> explorer = PathStress()
    >>> p = explorer.probabilities()
    >>> p["paths"]["isolated"] >= p["one shock"]["isolated"]
    True
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "correlation": "Correlation of the two assets' daily shocks, from -1 to 1.",
        "volatility": "Standard deviation of each asset's log return over the 30 days.",
        "tail": "Normal shocks, or Student-t shocks with ν degrees of freedom (fat tails).",
        "leverage": "Leverage of each position: its size is its margin x leverage.",
        "position_margin": "Initial margin of each position, in USDT; the cross wallet holds both.",
        "one_shock": "Also draw the one-shock model: one move at the horizon, same numbers.",
        "n_paths": "Number of simulated 30-day paths.",
        "seed": "Seed of the random numbers: the same seed, the same paths.",
    }

    #: controls whose change draws (or re-scans) paths: "computing…" shows meanwhile
    DRAWING: ClassVar[frozenset[str]] = frozenset(
        {"correlation", "volatility", "tail", "n_paths", "seed"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._now: dict[str, dict[str, float]] = {}
        super().__init__(*args, **kwargs)
        self.enable_debounce(0.15)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        correlation = self.add_control("correlation", correlation_slider(_LOOK, value=0.3))
        volatility = self.add_control(
            "volatility",
            _LOOK.slider(
                w.FloatSlider,
                value=0.2,
                min=0.02,
                max=0.6,
                step=0.02,
                readout_format=".2f",
                description="volatility σ (30 days)",
            ),
        )
        tail = self.add_control(
            "tail",
            _LOOK.widget(w.Dropdown, options=list(TAILS), value=5, description="tail weight"),
        )
        leverage = self.add_control(
            "leverage",
            leverage_slider(_LOOK, value=10, max=MAX_LEVERAGE, description="leverage (x)"),
        )
        collateral = self.add_control(
            "position_margin",
            collateral_slider(
                _LOOK,
                value=1_000.0,
                min=100.0,
                max=1_000.0,
                step=50.0,
                description="margin (USDT/pos.)",
            ),
        )
        one_shock = self.add_control(
            "one_shock",
            _LOOK.widget(
                w.ToggleButtons,
                options=[("paths only", False), ("with one shock", True)],
                value=True,
                description="one-shock model",
                tooltips=["only the path model", "also the one-shock model, dotted"],
                style={"button_width": "10em"},
            ),
        )
        n_paths = self.add_control(
            "n_paths",
            _LOOK.slider(
                w.IntSlider, value=2_000, min=200, max=5_000, step=200, description="paths"
            ),
        )
        seed = self.add_control("seed", seed_box(_LOOK, value=0))

        # --- probability against leverage
        ls = {
            "x": bq.LinearScale(min=1.0, max=float(MAX_LEVERAGE)),
            "y": bq.LinearScale(min=0.0, max=1.0),
        }
        tip = st.tooltip("leverage (x)", "P(liquidation)", ".0f", ".1%")
        self.path_lines = st.per_mode(st.mode_line, ls, label="{mode}, paths", tip=tip)
        self.shock_lines = {
            mode: st.line(
                ls,
                st.MODE_STYLES[mode].color,
                line_style=ONE_SHOCK_STYLE,
                width=1.5,
                label=f"{mode}, one shock",
                tip=tip,
            )
            for mode in st.MODES
        }
        self.current_points = st.per_mode(st.mode_points, ls, tip=tip, size=90.0)
        # the curves' names above the plot area, one row per mode: a legend inside the plot
        # sits where the curves run once they reach 100 %
        per_px = 1.0 / (
            float(st.FIGURE_HEIGHT.removesuffix("px"))
            - LEVERAGE_TOP_MARGIN
            - st.FIGURE_MARGIN["bottom"]
        )
        self.curve_names = st.labels(
            ls,
            colors=[st.MODE_STYLES[m].color for m in st.MODES],
            x_offset=0,
            y_offset=0,
            size=st.SMALL_LABEL_SIZE,
        )
        self.curve_names.x = np.array([1.0] * len(st.MODES))
        self.curve_names.y = np.array(
            [1.0 + (20.0 - 14.0 * k) * per_px for k in range(len(st.MODES))]
        )
        self.curve_names.text = np.array(
            [
                f"{m}: paths ({st.MODE_STYLES[m].line_style}), one shock ({ONE_SHOCK_STYLE})"
                for m in st.MODES
            ]
        )
        self.leverage_figure = self.add_figure(
            "leverage",
            st.figure(
                "leverage",
                [
                    *self.shock_lines.values(),
                    *self.path_lines.values(),
                    *self.current_points.values(),
                    self.curve_names,
                ],
                st.axes(
                    ls,
                    "leverage (x)",
                    "probability of liquidation (%)",
                    x_format=".0f",
                    y_format=".0%",
                ),
                "Liquidation within 30 days against leverage",
                legend=False,
                margin={**st.FIGURE_MARGIN, "top": LEVERAGE_TOP_MARGIN},
            ),
        )
        self.leverage_scales = ls

        # --- the models at the current leverage
        ms = {"x": bq.OrdinalScale(domain=list(MODELS)), "y": bq.LinearScale(min=0.0, max=1.0)}
        mtip = bq.Tooltip(
            fields=["x", "y"], labels=["model", "P(liquidation)"], formats=["", ".1%"]
        )
        self.model_points = {
            mode: st.Scatter(
                x=np.array([], dtype=str),
                y=np.zeros(0),
                scales=ms,
                colors=[st.MODE_STYLES[mode].color],
                marker=st.MODE_STYLES[mode].marker,
                default_size=110,
                stroke="black",
                tooltip=mtip,
                labels=[st.MODE_STYLES[mode].label],
                display_legend=True,
            )
            for mode in st.MODES
        }
        self.model_figure = self.add_figure(
            "models",
            st.figure(
                "models",
                list(self.model_points.values()),
                [
                    bq.Axis(scale=ms["x"], label="model", grid_lines="none"),
                    st.axis(
                        ms["y"], "probability of liquidation (%)", vertical=True, tick_format=".0%"
                    ),
                ],
                "At the current leverage",
            ),
        )
        self.model_scales = ms

        controls = w.VBox(
            [correlation, volatility, tail, leverage, collateral, one_shock, n_paths, seed]
        )
        figures = w.HBox(
            [self.leverage_figure, self.model_figure], layout={"flex_flow": "row wrap"}
        )
        return [controls, figures]

    # ------------------------------------------------------------------ engine
    def _set_key(self, model: str) -> tuple[Any, ...]:
        v = self._raw_values()
        nu = int(v["tail"]) if model == "paths, fat tails" else 0
        return (
            model == "one shock",
            float(v["correlation"]),
            float(v["volatility"]),
            nu,
            int(v["n_paths"]),
            int(v["seed"]),
        )

    def path_set(self, model: str) -> PathSet:
        """The engine's :class:`~margin_widgets.engine.PathSet` of ``model`` (kept per seed).

        ``model`` is one of :data:`MODELS`; ``"paths, fat tails"`` with the normal tail is the
        Gaussian path set.
        """
        key = self._set_key(model)
        rho, sigma = key[1], key[2]
        return self.cached(
            "paths",
            key,
            lambda: self.draws(model).paths(rho, sigma),
            keep=CACHE_SIZE,
        )

    def draws(self, model: str) -> CommonDraws:
        """The random numbers of ``model`` (engine :class:`CommonDraws`), drawn once per seed.

        Correlation and volatility correlate and scale these kept numbers
        (:meth:`CommonDraws.paths`); only the seed, the number of paths and the tail weight
        draw new ones.
        """
        one_shock, _, _, nu, count, seed = self._set_key(model)
        if nu:  # the normals of the Gaussian paths, with Student-t factors drawn for ν
            normal = self.draws("paths, normal")
            return self.cached(
                "draws",
                (one_shock, nu, count, seed),
                lambda: normal.with_degrees_of_freedom(nu),
                keep=CACHE_SIZE,
            )
        return self.cached(
            "draws",
            (one_shock, nu, count, seed),
            lambda: CommonDraws(
                N_ASSETS,
                count,
                horizon_days=HORIZON_DAYS,
                step_days=HORIZON_DAYS if one_shock else 1.0,
                seed=seed,
            ),
            keep=CACHE_SIZE,
        )

    def legs(self, leverage: float | None = None) -> list[Leg]:
        """The two equal long legs (engine :func:`equal_legs`) at ``leverage`` (default: now)."""
        v = self._raw_values()
        lev = float(v["leverage"]) if leverage is None else leverage
        return equal_legs(N_ASSETS, lev, float(v["position_margin"]))

    @staticmethod
    def _answer(paths: PathSet, legs: list[Leg]) -> dict[str, float]:
        return {
            "cross": paths.cross_probability(legs),
            "isolated": paths.isolated_probability(legs[0]),
        }

    def _curve(self, model: str) -> dict[str, list[float]]:
        """Cross and isolated probability at leverage 1..MAX_LEVERAGE (engine look-ups)."""
        key = (*self._set_key(model), float(self.controls["position_margin"].value))

        def compute() -> dict[str, list[float]]:
            paths = self.path_set(model)
            found: dict[str, list[float]] = {"cross": [], "isolated": []}
            for lev in range(1, MAX_LEVERAGE + 1):
                answer = self._answer(paths, self.legs(float(lev)))
                found["cross"].append(answer["cross"])
                found["isolated"].append(answer["isolated"])
            return found

        return self.cached(f"curve {model}", key, compute, keep=4 * CACHE_SIZE)

    def probabilities(self) -> dict[str, dict[str, float]]:
        """Probabilities at the current leverage, by model, then ``"cross"`` and ``"isolated"``.

        Models: ``"paths"`` (the chosen tail weight), ``"one shock"``, ``"gaussian"`` (normal
        paths) and ``"fat tails"`` (Student-t paths; the Gaussian ones with the normal tail).
        """
        self.flush()
        return {k: dict(v) for k, v in self._now.items()}

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        lev = int(v["leverage"])
        chosen = "paths, fat tails" if int(v["tail"]) else "paths, normal"
        curves = {model: self._curve(model) for model in MODELS}
        now = {model: {m: curves[model][m][lev - 1] for m in st.MODES} for model in MODELS}
        self._now = {
            "paths": now[chosen],
            "one shock": now["one shock"],
            "gaussian": now["paths, normal"],
            "fat tails": now["paths, fat tails"],
        }
        x = np.arange(1, MAX_LEVERAGE + 1, dtype=float)
        show_shock = bool(v["one_shock"])
        for mode in st.MODES:
            set_mark_data(self.path_lines[mode], x=x, y=np.array(curves[chosen][mode]))
            set_mark_data(
                self.shock_lines[mode],
                x=x if show_shock else np.zeros(0),
                y=np.array(curves["one shock"][mode]) if show_shock else np.zeros(0),
            )
            set_mark_data(
                self.current_points[mode],
                x=np.array([float(lev)]),
                y=np.array([now[chosen][mode]]),
            )
        models = list(MODELS) if int(v["tail"]) else list(MODELS[:2])
        with self.model_scales["x"].hold_sync():
            self.model_scales["x"].domain = models
        for mode in st.MODES:
            set_mark_data(
                self.model_points[mode],
                x=np.array(models, dtype=str),
                y=np.array([now[m][mode] for m in models], dtype=float),
            )
        self.set_readout(self._summary())

    def _summary(self) -> str:
        v = self._raw_values()
        paths, shock = self._now["paths"], self._now["one shock"]
        return (
            f"{int(v['leverage'])}x over 30 days: the cross account is liquidated on "
            f"{st.format_percent(paths['cross'])} of {int(v['n_paths']):,} paths, each isolated "
            f"position on {st.format_percent(paths['isolated'])} (one shock at the horizon: "
            f"{st.format_percent(shock['cross'])} and {st.format_percent(shock['isolated'])})"
        )

    def _describe(self) -> str:
        v = self._raw_values()
        tail = next(label for label, value in TAILS if value == int(v["tail"]))
        gauss, fat = self._now["gaussian"], self._now["fat tails"]
        tails = (
            f" Fat-tailed paths ({tail}): cross {st.format_percent(fat['cross'])}, isolated "
            f"{st.format_percent(fat['isolated'])}; normal paths: cross "
            f"{st.format_percent(gauss['cross'])}, isolated "
            f"{st.format_percent(gauss['isolated'])}."
            if int(v["tail"])
            else ""
        )
        shock = " Dotted: the one-shock model." if v["one_shock"] else ""
        return (
            f"Two equal long positions with "
            f"{st.format_usdt(float(v['position_margin']), 0)} of margin each, held 30 days along "
            f"{int(v['n_paths']):,} seeded daily paths (seed {int(v['seed'])}, "
            f"correlation {float(v['correlation']):.2f}, volatility "
            f"{float(v['volatility']):.2f} over the horizon, {tail} shocks), as isolated "
            f"positions and in one cross account. {self._summary()}. Left: probability of "
            "liquidation within the horizon against leverage, cross dashed, each isolated "
            f"position solid.{shock} Right: the models at the current leverage.{tails}"
        )
