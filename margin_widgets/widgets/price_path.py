"""PricePathPlayer: play a price path and watch positions liquidate, isolated versus cross.

The same two long positions (BTCUSDT from 60,000 and ETHUSDT from 3,000, each with
``collateral`` USDT at ``leverage``) are held in two accounts: as isolated positions in one, in
one cross account in the other. A price path (engine :func:`price_paths`, seeded and correlated,
or a scripted V-shaped dip of BTCUSDT from :func:`dip_path`) is played step by step with a Play
button; at every step the engine's :meth:`Account.update_marks` liquidates what must be
liquidated. A dip that isolated margin does not survive can be absorbed in cross (claim C4);
a broad correlated fall liquidates the cross account, taking every position with it (C5), which
the event log shows. Prices in the text are shown at each symbol's tick size
(:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    Account,
    LiquidationEvent,
    PathRun,
    load_brackets,
    make_paths,
    replay_path,
    tick_size,
)
from margin_widgets.engine.simulations import PATH_ASSETS, PATH_SCENARIOS, PATH_STEPS
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, check_mode, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    correlation_slider,
    leverage_cap,
    leverage_slider,
    play_slider,
    seed_box,
)

__all__ = [
    "ASSETS",
    "N_STEPS",
    "SCENARIOS",
    "TICKS",
    "PathRun",
    "PricePathPlayer",
    "make_paths",
    "simulate",
]

#: Size of the controls: box width, description width.
_LOOK = ControlLook("26em", "11em")

#: The assets: (symbol, start price in USDT). Asset A is the first.
ASSETS: tuple[tuple[str, float], ...] = PATH_ASSETS
#: Steps of every path (each path has ``N_STEPS + 1`` prices).
N_STEPS = PATH_STEPS
#: Path scenarios offered by the ``scenario`` control.
SCENARIOS: tuple[str, ...] = PATH_SCENARIOS
#: Price tick size of each asset's perpetual (USDT): the prices shown are rounded to it, as
#: the exchange shows them (BTCUSDT 0.1, ETHUSDT 0.01).
TICKS: dict[str, float] = {symbol: tick_size("binance", symbol) for symbol, _ in PATH_ASSETS}
PATH_COLOR = st.COLORS["black"]
#: Height (px) of the band below a price path that names its liquidation markers, and the
#: baseline of each mode's row above the plot's bottom edge.
EVENT_BAND_PX = 32.0
EVENT_ROW_PX = {"isolated": 18.0, "cross": 5.0}
#: The engine's path generator and replay (:mod:`margin_widgets.engine.simulations`).
simulate = replay_path


class PricePathPlayer(Explorer):
    """Play a price path; the same positions in one cross account and as isolated positions.

    Controls
    --------
    scenario : {"random", "dip in A"}
        Seeded correlated random paths, or a V-shaped dip of BTCUSDT while ETHUSDT holds.
    leverage : int
        Leverage of both positions (capped by the bracket of the notional).
    collateral : float
        Margin of each position in USDT (the cross wallet holds twice as much).
    correlation : float
        Correlation of the two assets' step returns (random paths).
    volatility : float
        Standard deviation of each step's log return (random paths).
    seed : int
        Seed of the random paths.
    dip : float
        Depth of BTCUSDT's dip as a fraction ("dip in A").
    step : int
        Current step, 0..120 (driven by the Play button).

    Examples
    --------
    >>> player = PricePathPlayer()
    >>> [e.step for e in player.events("isolated")], [e.step for e in player.events("cross")]
    ([42], [44])
    """

    DRAWING: ClassVar[frozenset[str]] = frozenset({"seed"})
    ALIASES: ClassVar[Mapping[str, str]] = {"collateral": "position_margin"}
    HELP: ClassVar[Mapping[str, str]] = {
        "scenario": "A random correlated path, or a scripted dip of asset A.",
        "position_margin": (
            "Initial margin of each position, in USDT (formerly 'collateral'); the cross "
            "wallet holds their sum."
        ),
        "leverage": "Notional / initial margin: each position's size is collateral x leverage.",
        "correlation": "Correlation of the two assets' steps, from -1 to 1.",
        "volatility": "Standard deviation of each step's log move (0.01 is about 1 %).",
        "seed": "Seed of the random path: the same seed gives the same path.",
        "dip": "Depth of the scripted dip of asset A, as a fraction of its price.",
        "step": "The step of the path shown; Play runs through the steps.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._run: PathRun | None = None
        super().__init__(*args, **kwargs)
        self.enable_debounce(0.15)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        scenario = self.add_control(
            "scenario",
            w.Dropdown(
                options=list(SCENARIOS),
                value="random",
                description="scenario",
                style={"description_width": _LOOK.description_width},
            ),
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
        leverage = self.add_control(
            "leverage", leverage_slider(_LOOK, value=10, max=100, description="leverage (x)")
        )
        correlation = self.add_control("correlation", correlation_slider(_LOOK, value=0.8))
        volatility = self.add_control(
            "volatility",
            _LOOK.slider(
                w.FloatSlider,
                value=0.01,
                min=0.002,
                max=0.03,
                step=0.001,
                description="volatility σ (per step)",
                readout_format=".3f",
            ),
        )
        seed = self.add_control("seed", seed_box(_LOOK, value=9))
        dip = self.add_control(
            "dip",
            _LOOK.slider(
                w.FloatSlider,
                value=0.15,
                min=0.02,
                max=0.6,
                step=0.01,
                description="dip of A (fraction)",
                readout_format=".2f",
            ),
        )
        step, self.play = play_slider(
            _LOOK,
            value=N_STEPS,
            max=N_STEPS,
            description="step",
            interval=150,
            tooltip="Play the price path one step at a time",
        )
        self.add_control("step", step, followers=[self.play])

        # --- one price figure per asset
        self.path_lines: list[bq.Lines] = []
        self.entry_lines: list[bq.Lines] = []
        self.liquidation_lines: dict[str, list[bq.Lines]] = {m: [] for m in st.MODES}
        self.liquidation_markers: dict[str, list[bq.Scatter]] = {m: [] for m in st.MODES}
        self.current_points: list[bq.Scatter] = []
        self.event_labels: list[bq.Label] = []
        self.path_scales: list[dict[str, bq.Scale]] = []
        path_figures = []
        for index, (symbol, _) in enumerate(ASSETS):
            scales = _step_scales()
            # the exact price on hover (the description shows it at the tick size)
            tip = st.tooltip("step", f"{symbol} (USDT)", ".0f", ",.6f")
            path = st.line(scales, PATH_COLOR, label="mark price", tip=tip)
            entry = st.hline(scales, st.GUIDE_COLOR)
            marks: list[bq.Mark] = [entry, path]
            for mode in st.MODES:
                lp = st.mode_line(scales, mode, label=f"{mode} liq. price", tip=tip)
                marker = st.mode_points(scales, mode, tip=tip, size=160.0)
                self.liquidation_lines[mode].append(lp)
                self.liquidation_markers[mode].append(marker)
                marks += [lp, marker]
            current = st.points(scales, st.MARK_COLOR, marker="diamond", size=90.0, tip=tip)
            event_labels = st.labels(
                scales, align="middle", x_offset=0, y_offset=0, size=st.SMALL_LABEL_SIZE
            )
            marks += [current, event_labels]
            self.event_labels.append(event_labels)
            letter = "AB"[index]
            fig = self.add_figure(
                f"path_{letter.lower()}",
                st.figure(
                    f"path_{letter.lower()}",
                    marks,
                    _step_axes(scales, f"{symbol} mark price (USDT)"),
                    f"Asset {letter}: {symbol}",
                ),
            )
            path_figures.append(fig)
            self.path_lines.append(path)
            self.entry_lines.append(entry)
            self.current_points.append(current)
            self.path_scales.append(scales)

        # --- equity of each account
        escales = _step_scales()
        etip = st.tooltip("step", "equity (USDT)", ".0f", ",.2f")
        self.equity_lines = st.per_mode(st.mode_line, escales, label="{mode} account", tip=etip)
        self.equity_points = st.per_mode(st.mode_points, escales, tip=etip)
        self.equity_figure = self.add_figure(
            "equity",
            st.figure(
                "equity",
                [*self.equity_lines.values(), *self.equity_points.values()],
                _step_axes(escales, "account equity (USDT)"),
                "Account equity",
            ),
        )
        self.equity_scales = escales

        self.event_log = w.HTML(value="", layout={"max_height": "14em", "overflow": "auto"})
        self.event_log.add_class("mw-event-log")

        controls = w.VBox(
            [
                scenario,
                collateral,
                leverage,
                correlation,
                volatility,
                seed,
                dip,
                w.HBox([step, self.play]),
            ],
            layout={"padding": "0 0 6px 0"},
        )
        figures = w.HBox([*path_figures, self.equity_figure], layout={"flex_flow": "row wrap"})
        return [controls, figures, self.event_log]

    # ------------------------------------------------------------------ bounds
    def _sync_bounds(self) -> None:
        leverage = self.controls["leverage"]
        cap = leverage_cap(
            [load_brackets(symbol) for symbol, _ in ASSETS],
            float(self.controls["position_margin"].value),
        )
        if leverage.max != cap:
            leverage.max = cap

    def _inactive(self) -> dict[str, str]:
        if self.controls["scenario"].value == "random":
            return {"dip": "only the scripted dip uses it"}
        why = "the scripted dip draws no random path"
        return {"correlation": why, "volatility": why, "seed": why}

    def _bound_reason(self, name: str) -> str:
        if name == "leverage":
            return (
                f"the brackets allow at most {self.controls['leverage'].max}x for a position "
                f"with {st.format_usdt(float(self.controls['position_margin'].value), 0)} margin"
            )
        return ""

    # ------------------------------------------------------------------ engine
    @property
    def run(self) -> PathRun:
        """The engine run behind the charts (see :class:`PathRun`)."""
        self.flush()
        if self._run is None:  # pragma: no cover - only if the first update failed
            raise ValueError("no path: the last update failed (see the status line)")
        return self._run

    def account(self, mode: str) -> Account:
        """The engine :class:`Account` of ``mode`` at the end of the path."""
        check_mode(mode)
        return self.run.accounts[mode]

    def events(self, mode: str, up_to_step: int | None = None) -> list[LiquidationEvent]:
        """Liquidation events of ``mode`` up to ``up_to_step`` (default: the whole path)."""
        check_mode(mode)
        last = N_STEPS if up_to_step is None else up_to_step
        return [e for e in self.run.events[mode] if e.step <= last]

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        path_inputs = (
            str(v["scenario"]),
            float(v["correlation"]),
            float(v["volatility"]),
            int(v["seed"]),
            float(v["dip"]),
        )
        if path_inputs[0] != "random":  # the scripted dip reads none of the random inputs
            path_inputs = (path_inputs[0], 0.0, 0.0, 0, path_inputs[4])
        else:
            path_inputs = (*path_inputs[:4], 0.0)
        paths = self.cached("paths", path_inputs, lambda: make_paths(*path_inputs), keep=4)
        book = (int(v["leverage"]), float(v["position_margin"]))
        run = self.cached("run", (path_inputs, book), lambda: simulate(paths, *book), keep=8)
        if run is not self._run:
            self._set_ranges(run)
            self._run = run
        step = int(v["step"])
        x = np.arange(step + 1, dtype=float)
        for i in range(len(ASSETS)):
            path = run.paths[i]
            set_mark_data(self.path_lines[i], x=x, y=np.array(path[: step + 1], dtype=float))
            set_mark_data(
                self.current_points[i], x=np.array([float(step)]), y=np.array([path[step]])
            )
            for mode in st.MODES:
                lp = self.liquidation_lines[mode][i]
                set_mark_data(
                    lp, x=x, y=np.array(run.liquidation[mode][i][: step + 1], dtype=float)
                )
                symbol = ASSETS[i][0]
                hits = [e for e in run.events[mode] if e.step <= step and symbol in e.symbols]
                marker = self.liquidation_markers[mode][i]
                set_mark_data(
                    marker,
                    x=np.array([float(e.step) for e in hits]),
                    y=np.array([e.mark_prices[e.symbols.index(symbol)] for e in hits]),
                )
            self._label_events(i, run, step)
        for mode in st.MODES:
            set_mark_data(
                self.equity_lines[mode], x=x, y=np.array(run.equity[mode][: step + 1], dtype=float)
            )
            set_mark_data(
                self.equity_points[mode],
                x=np.array([float(step)]),
                y=np.array([run.equity[mode][step]]),
            )
        self._render_log(run, step)
        self.set_readout(self._readout(run, step))

    def _label_events(self, index: int, run: PathRun, step: int) -> None:
        """Name each liquidation marker of asset ``index`` ("isolated liq." / "cross liq.").

        The names sit in a band below the data (one row per mode, see :meth:`_set_ranges`),
        under their marker's step: beside the marker the mark path runs through them.
        """
        symbol = ASSETS[index][0]
        scale = self.path_scales[index]["y"]
        bottom = float(scale.min) if scale.min is not None else 0.0
        per_px = (float(scale.max) - bottom) / st.plot_height() if scale.max is not None else 0.0
        # half a label's width in steps: the names stay inside the plot area
        half = 7 * st.CHAR_PX / st.plot_width() * N_STEPS
        xs: list[float] = []
        ys: list[float] = []
        texts: list[str] = []
        colors: list[str] = []
        for mode in st.MODES:
            for e in run.events[mode]:
                if e.step <= step and symbol in e.symbols:
                    xs.append(min(max(float(e.step), half), N_STEPS - half))
                    ys.append(bottom + EVENT_ROW_PX[mode] * per_px)
                    texts.append(f"{mode} liq.")
                    colors.append(st.MODE_STYLES[mode].color)
        label = self.event_labels[index]
        set_mark_data(
            label,
            x=np.array(xs),
            y=np.array(ys),
            text=np.array(texts, dtype=str),
            colors=colors or [st.COLORS["black"]],
        )

    def _set_ranges(self, run: PathRun) -> None:
        """Fixed axes for the whole path, so nothing jumps while it plays."""
        for i, (_, start) in enumerate(ASSETS):
            values = [*run.paths[i], start] + [
                p for m in st.MODES for p in run.liquidation[m][i] if math.isfinite(p)
            ]
            low, high = min(values), max(values)
            if not high > low:
                low, high = low - 0.01 * start, high + 0.01 * start
            bottom, top = st.headroom(low, high, rows=3)  # the legend's 3 rows above the data
            # and a band of two rows below it for the liquidation markers' names
            band = EVENT_BAND_PX / st.plot_height()
            bottom -= (top - bottom) * band / (1.0 - band)
            scale = self.path_scales[i]["y"]
            set_mark_data(scale, min=max(0.0, bottom), max=top)
            set_mark_data(
                self.entry_lines[i], x=np.array([0.0, float(N_STEPS)]), y=np.array([start, start])
            )
        equity = [e for m in st.MODES for e in run.equity[m]]
        low, high = min(0.0, min(equity)), max(max(equity), 1.0)
        bottom, top = st.headroom(low, high, rows=2)  # the legend's 2 rows above the data
        set_mark_data(self.equity_scales["y"], min=bottom if low < 0 else 0.0, max=top)

    def _render_log(self, run: PathRun, step: int) -> None:
        parts = []
        for mode in st.MODES:
            events = [e for e in run.events[mode] if e.step <= step]
            items = []
            for event in events:
                text = html.escape(
                    event.describe(lambda symbol, p: st.format_price(p, TICKS[symbol]))
                )
                if event.margin_mode == "cross" and len(event.symbols) > 1:
                    text += (
                        " <em>(cascade: one cross liquidation closes every cross position, "
                        f"{html.escape(', '.join(event.symbols))})</em>"
                    )
                items.append(f'<li class="mw-event mw-event-{mode}">{text}</li>')
            body = "".join(items) or "<li>no liquidation so far</li>"
            parts.append(f"<b>{mode.capitalize()} account</b><ul>{body}</ul>")
        value = f'<div role="log" aria-live="polite">{"".join(parts)}</div>'
        if self.event_log.value != value:
            self.event_log.value = value

    def _state(self, run: PathRun, mode: str, step: int) -> str:
        lost = [
            f"{' and '.join(e.symbols)} at step {e.step}"
            for e in run.events[mode]
            if e.step <= step
        ]
        if not lost:
            return "every position open"
        return "lost " + ", ".join(lost)

    def _readout(self, run: PathRun, step: int) -> str:
        parts = [
            f"{mode}: {self._state(run, mode, step)}, equity "
            f"{st.format_usdt(run.equity[mode][step])}"
            for mode in st.MODES
        ]
        return f"Step {step} of {N_STEPS}: " + "; ".join(parts)

    def _describe(self) -> str:
        run = self._run
        if run is None:  # pragma: no cover
            return ""
        v = self._raw_values()
        step = int(v["step"])
        if v["scenario"] == "random":
            scenario = (
                f"seeded random paths (seed {int(v['seed'])}, correlation "
                f"{float(v['correlation']):.2f}, volatility {float(v['volatility']):.3f} per step)"
            )
        else:
            scenario = (
                f"a dip of BTCUSDT by {st.format_percent(float(v['dip']))} and back, "
                "with ETHUSDT unchanged"
            )
        lines = [
            f"Two long positions, BTCUSDT from 60,000 and ETHUSDT from 3,000, each with "
            f"{st.format_usdt(float(v['position_margin']), 0)} margin at {int(v['leverage'])}x, "
            f"held as isolated positions in one account and in one cross account, along "
            f"{scenario}, {N_STEPS} steps. The charts show each mark price up to step {step} "
            f"with both liquidation prices (isolated solid, cross dashed) and markers where "
            f"positions were liquidated, and each account's equity (wallet + isolated margin + "
            f"unrealised PnL).",
        ]
        for i, (symbol, _) in enumerate(ASSETS):
            now = {m: run.liquidation[m][i][step] for m in st.MODES}
            tick = TICKS[symbol]
            lines.append(
                f"{symbol} at step {step}: mark {st.format_price(run.paths[i][step], tick)}, "
                f"isolated liq. {st.format_price(now['isolated'], tick)}, "
                f"cross liq. {st.format_price(now['cross'], tick)}."
            )
        lines.append(self._readout(run, step) + ".")
        return " ".join(lines)


def _step_scales() -> dict[str, bq.Scale]:
    """Scales of a figure over the steps of the path."""
    return {"x": bq.LinearScale(min=0.0, max=float(N_STEPS)), "y": bq.LinearScale()}


def _step_axes(scales: dict[str, bq.Scale], y_label: str) -> list[bq.Axis]:
    return st.axes(scales, "step", y_label, x_format=".0f", y_format=",.0f")
