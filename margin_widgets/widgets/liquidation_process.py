"""LiquidationProcess: a crash step by step — liquidations, the insurance fund, partial steps, ADL.

A seeded crash runs through a small market of isolated traders in long/short pairs (engine
:func:`~margin_widgets.engine.crash_path`, :func:`~margin_widgets.engine.paired_traders` and
:func:`~margin_widgets.engine.simulate_market`). Each liquidated position is taken over by the
insurance fund: the fund keeps what is left of the trader's margin when the takeover fills
better than the bankruptcy price and pays the deficit when it fills worse. When the fund
cannot pay, the position is auto-deleveraged (ADL) against the most profitable, most leveraged
opposite positions, in the order of :func:`~margin_widgets.engine.adl_ranking`.

A Play button steps through the crash. The left figure is the mark path with each liquidation
(covered by the fund or deleveraged), the middle one the insurance fund's balance, the right one
the ADL queue at the current mark: the opposite side's untouched positions ranked by score.
Beside the market, one large position watched along the same path shows the exchange's partial
liquidation (:func:`~margin_widgets.engine.partial_liquidation_steps`): cut one bracket at a
time until it is margin compliant again. Prices are shown at the symbol's tick size
(:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    MarketResult,
    PartialLiquidationStep,
    Trader,
    adl_ranking,
    crash_path,
    load_brackets,
    paired_traders,
    partial_liquidation_steps,
    simulate_market,
    tick_size,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    play_slider,
    quantity_slider,
    seed_box,
)
from margin_widgets.widgets._format import price_html

__all__ = ["N_STEPS", "QUEUE_SIZE", "START_PRICE", "LiquidationProcess"]

_LOOK = ControlLook("26em", "11em")
START_PRICE = 60_000.0
N_STEPS = 60
#: Positions shown in the ADL queue.
QUEUE_SIZE = 10
SYMBOL = "BTCUSDT"
#: Price tick size of the BTCUSDT perpetual (USDT): prices are shown rounded to it.
TICK = tick_size("binance", SYMBOL)
#: The large position's entry price and isolated wallet.
WHALE_WALLET = 6_000.0
COVERED_COLOR = st.COLORS["blue"]
ADL_COLOR = st.COLORS["vermillion"]
WHALE_COLOR = st.COLORS["reddish_purple"]
FUND_COLOR = st.COLORS["bluish_green"]


class LiquidationProcess(Explorer):
    """A crash through a small market: liquidations, insurance fund, partial steps and ADL.

    Controls
    --------
    n_traders : int
        Traders in long/short pairs (even).
    max_leverage : int
        Highest leverage a trader draws.
    crash : float
        Expected fall of the mark over the path (fraction).
    volatility : float
        σ of each step's log move.
    insurance_fund : float
        The fund's balance before the crash, USDT.
    slippage : float
        How far beyond the mark the fund's takeover orders fill (fraction).
    whale : float
        Size of the large long watched for partial liquidation, BTC (entry 60,000, 6,000 USDT).
    clearance_fee : float
        Liquidation clearance fee rate on each closed part of the large position.
    seed : int
        Seed of the traders and of the path.
    step : int
        Current step of the path (Play).

    Examples
    --------
    >>> explorer = LiquidationProcess()
    >>> result = explorer.result
    >>> len(result.liquidations) > 0, list(explorer.fund_line.y) == list(result.fund_balance)
    (True, True)
    """

    #: controls whose change draws a new market: "computing…" shows meanwhile
    DRAWING: ClassVar[frozenset[str]] = frozenset({"n_traders", "seed"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._result: MarketResult | None = None
        self._traders: tuple[Trader, ...] = ()
        self._whale: tuple[int, tuple[PartialLiquidationStep, ...]] | None = None
        self._queue: list[tuple[int, float]] = []
        super().__init__(*args, **kwargs)

    HELP: ClassVar[Mapping[str, str]] = {
        "n_traders": "Number of traders, in long/short pairs that trade with each other.",
        "max_leverage": "Each trader's leverage is drawn from 1x up to this.",
        "crash": "How far the mark is expected to fall over the path, as a fraction.",
        "volatility": "Standard deviation of each step's log move (0.01 is about 1 %).",
        "insurance_fund": "The insurance fund's balance before the crash, in USDT.",
        "slippage": "How far beyond the mark the fund's takeover orders fill, as a fraction.",
        "whale": "Size of one large long (entry 60,000, 6,000 USDT) liquidated in steps.",
        "clearance_fee": "Liquidation fee rate charged on each closed part of the large long.",
        "seed": "Seed of the traders and the path: the same seed, the same crash.",
        "step": "The step of the crash shown; Play runs through the steps.",
    }

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        n_traders = self.add_control(
            "n_traders",
            _LOOK.slider(w.IntSlider, value=100, min=2, max=400, step=2, description="traders"),
        )
        max_leverage = self.add_control(
            "max_leverage",
            _LOOK.slider(w.IntSlider, value=100, min=1, max=125, description="max leverage (x)"),
        )
        crash = self.add_control(
            "crash",
            _LOOK.slider(
                w.FloatSlider,
                value=0.3,
                min=0.0,
                max=0.8,
                step=0.01,
                readout_format=".0%",
                description="crash depth",
            ),
        )
        volatility = self.add_control(
            "volatility",
            _LOOK.slider(
                w.FloatSlider,
                value=0.01,
                min=0.0,
                max=0.05,
                step=0.001,
                readout_format=".3f",
                description="volatility σ (per step)",
            ),
        )
        fund = self.add_control(
            "insurance_fund",
            # linear, on 500 USDT steps: the start (5,000) and round amounts lie on the
            # slider's grid, so showing it never moves them
            collateral_slider(
                _LOOK,
                value=5_000.0,
                min=0.0,
                max=100_000.0,
                step=500.0,
                description="insurance fund",
            ),
        )
        slippage = self.add_control(
            "slippage",
            _LOOK.slider(
                w.FloatSlider,
                value=0.0,
                min=0.0,
                max=0.05,
                step=0.001,
                readout_format=".1%",
                description="takeover slippage",
            ),
        )
        whale = self.add_control(
            "whale",
            quantity_slider(_LOOK, value=12.0, min=0.1, max=50.0, description="large long (BTC)"),
        )
        fee = self.add_control(
            "clearance_fee",
            _LOOK.slider(
                w.FloatSlider,
                value=0.005,
                min=0.0,
                max=0.02,
                step=0.0005,
                readout_format=".2%",
                description="clearance fee",
            ),
        )
        seed = self.add_control("seed", seed_box(_LOOK, value=1))
        step, self.play = play_slider(
            _LOOK,
            value=N_STEPS,
            max=N_STEPS,
            description="step",
            interval=200,
            tooltip="Play the crash one step at a time",
        )
        self.add_control("step", step, followers=[self.play])

        # --- the mark path with the liquidations
        ps = {"x": bq.LinearScale(min=0.0, max=float(N_STEPS)), "y": bq.LinearScale()}
        # the exact mark on hover (the log and the readout show it at the tick size)
        tip = st.tooltip("step", "mark (USDT)", ".0f", ",.6f")
        self.path_line = st.line(ps, st.COLORS["black"], label="mark price", tip=tip)
        self.covered_points = st.points(
            ps, COVERED_COLOR, marker="circle", size=40.0, label="liq., fund covers", tip=tip
        )
        self.adl_points = st.points(
            ps, ADL_COLOR, marker="triangle-up", size=60.0, label="liq., ADL", tip=tip
        )
        self.whale_point = st.points(
            ps, WHALE_COLOR, marker="diamond", size=120.0, label="large long cut", tip=tip
        )
        self.path_figure = self.add_figure(
            "path",
            st.figure(
                "path",
                [self.path_line, self.covered_points, self.adl_points, self.whale_point],
                st.axes(ps, "step", "mark price (USDT)", x_format=".0f", y_format=",.0f"),
                "Crash and liquidations",
            ),
        )
        self.path_scales = ps

        # --- the insurance fund
        fs = {"x": bq.LinearScale(min=0.0, max=float(N_STEPS)), "y": bq.LinearScale(min=0.0)}
        ftip = st.tooltip("step", "fund (USDT)", ".0f", ",.2f")
        self.fund_line = st.line(fs, FUND_COLOR, label="insurance fund", tip=ftip)
        self.fund_start = st.hline(fs, st.GUIDE_COLOR)
        self.fund_point = st.points(fs, FUND_COLOR, marker="circle", tip=ftip)
        self.fund_figure = self.add_figure(
            "fund",
            st.figure(
                "fund",
                [self.fund_start, self.fund_line, self.fund_point],
                st.axes(fs, "step", "insurance fund (USDT)", x_format=".0f", y_format=",.0f"),
                "Insurance fund",
            ),
        )
        self.fund_scales = fs

        # --- the ADL queue at the current mark
        qs = {"x": bq.OrdinalScale(), "y": bq.LinearScale(min=0.0)}
        self.queue_bars = st.Bars(
            x=np.array([], dtype=str),
            y=np.zeros(0),
            scales=qs,
            colors=[ADL_COLOR],
            padding=0.2,
            tooltip=bq.Tooltip(
                fields=["x", "y"], labels=["place in queue", "ADL score"], formats=["", ".3f"]
            ),
        )
        self.queue_figure = self.add_figure(
            "queue",
            st.figure(
                "queue",
                [self.queue_bars],
                [
                    bq.Axis(
                        scale=qs["x"],
                        label="place in the queue (1 = first)",
                        grid_lines="none",
                    ),
                    st.axis(
                        qs["y"], "score: profit % × leverage", vertical=True, tick_format=".3~g"
                    ),
                ],
                "ADL queue",
                legend=False,
            ),
        )
        self.queue_scales = qs

        self.event_log = w.HTML(value="", layout={"max_height": "16em", "overflow": "auto"})
        self.event_log.add_class("mw-event-log")

        controls = w.VBox(
            [
                n_traders,
                max_leverage,
                crash,
                volatility,
                fund,
                slippage,
                whale,
                fee,
                seed,
                w.HBox([step, self.play]),
            ]
        )
        figures = w.HBox(
            [self.path_figure, self.fund_figure, self.queue_figure],
            layout={"flex_flow": "row wrap"},
        )
        return [controls, figures, self.event_log]

    # ------------------------------------------------------------------ engine
    @property
    def result(self) -> MarketResult:
        """The engine's :class:`~margin_widgets.engine.MarketResult` of the whole crash."""
        self.flush()
        if self._result is None:  # pragma: no cover - only if the first update failed
            raise ValueError("no result: the last update failed (see the status line)")
        return self._result

    @property
    def traders(self) -> tuple[Trader, ...]:
        """The market's traders (engine :func:`paired_traders`)."""
        self.flush()
        return self._traders

    def whale_steps(self) -> tuple[int, tuple[PartialLiquidationStep, ...]] | None:
        """(step, the engine's partial-liquidation steps) where the large long is first cut."""
        self.flush()
        return self._whale

    def queue(self) -> list[tuple[int, float]]:
        """The ADL queue now drawn: (trader index, score), first in line first."""
        self.flush()
        return list(self._queue)

    def readout_plain(self) -> str:
        """The readout line as plain text, the mark at the tick (``"Step 0 of 60, mark 60,000.0"``).

        The readout itself carries the mark's exact value in a title (shown on hover).
        """
        result = self.result
        return self._summary(result, int(self.controls["step"].value))

    def _run_market(self) -> None:
        v = self._raw_values()
        seed = int(v["seed"])
        path_inputs = (float(v["crash"]), float(v["volatility"]), seed)
        prices = self.cached(
            "path",
            path_inputs,
            lambda: crash_path(
                START_PRICE, N_STEPS, seed, crash_fraction=path_inputs[0], volatility=path_inputs[1]
            ),
            keep=4,
        )
        trader_inputs = (int(v["n_traders"]), seed, int(v["max_leverage"]))
        traders = self.cached(
            "traders",
            trader_inputs,
            lambda: paired_traders(
                trader_inputs[0], seed, entry_price=START_PRICE, max_leverage=trader_inputs[2]
            ),
            keep=4,
        )
        fund, slippage = float(v["insurance_fund"]), float(v["slippage"])
        result = self.cached(
            "market",
            (path_inputs, trader_inputs, fund, slippage),
            lambda: simulate_market(traders, prices, insurance_fund=fund, slippage_rate=slippage),
            keep=4,
        )
        whale_inputs = (path_inputs, float(v["whale"]), float(v["clearance_fee"]))
        self._whale = self.cached("whale", whale_inputs, lambda: self._first_cut(prices), keep=4)
        self._traders, self._result = traders, result
        bottom, top = st.headroom(min(prices), max(prices), rows=4)
        set_mark_data(self.path_scales["y"], min=bottom, max=top)
        fund_high = max(max(result.fund_balance), result.fund_start, 1.0)
        _, ftop = st.headroom(0.0, fund_high, rows=1)
        set_mark_data(self.fund_scales["y"], max=ftop)
        set_mark_data(
            self.fund_start,
            x=np.array([0.0, float(N_STEPS)]),
            y=np.array([result.fund_start, result.fund_start]),
        )

    def _first_cut(
        self, prices: tuple[float, ...]
    ) -> tuple[int, tuple[PartialLiquidationStep, ...]] | None:
        """The first step at which the engine cuts the large long, and its parts."""
        v = self._raw_values()
        table = load_brackets(SYMBOL)
        for index, mark in enumerate(prices):
            steps = partial_liquidation_steps(
                "long",
                float(v["whale"]),
                START_PRICE,
                WHALE_WALLET,
                table,
                mark,
                float(v["clearance_fee"]),
            )
            if steps:
                return index, steps
        return None

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        self._run_market()
        result = self._result
        assert result is not None
        step = int(self.controls["step"].value)
        x = np.arange(step + 1, dtype=float)
        set_mark_data(self.path_line, x=x, y=np.array(result.prices[: step + 1], dtype=float))
        shown = [r for r in result.liquidations if r.step <= step]
        for mark, deleveraged in ((self.covered_points, False), (self.adl_points, True)):
            rows = [r for r in shown if r.deleveraged is deleveraged]
            set_mark_data(
                mark,
                x=np.array([float(r.step) for r in rows]),
                y=np.array([r.price for r in rows], dtype=float),
            )
        whale = self._whale if self._whale is not None and self._whale[0] <= step else None
        set_mark_data(
            self.whale_point,
            x=np.array([float(whale[0])]) if whale else np.zeros(0),
            y=np.array([result.prices[whale[0]]]) if whale else np.zeros(0),
        )
        set_mark_data(self.fund_line, x=x, y=np.array(result.fund_balance[: step + 1]))
        set_mark_data(
            self.fund_point, x=np.array([float(step)]), y=np.array([result.fund_balance[step]])
        )
        self._draw_queue(result, step)
        self._render_log(result, step, whale)
        # the exact mark in the title (on hover)
        readout = f"<b>{self._summary(result, step, lambda p: price_html(p, TICK))}</b>"
        if self.readout.value != readout:
            self.readout.value = readout

    def _draw_queue(self, result: MarketResult, step: int) -> None:
        """Untouched positions of the profitable side, ranked by the engine's ADL score."""
        mark = result.prices[step]
        touched = {r.trader for r in result.liquidations if r.step <= step}
        touched |= {e.counterparty for e in result.adl_events if e.step <= step}
        scores = [
            (i, adl_ranking(t.side, t.quantity, t.entry_price, t.margin, mark))
            for i, t in enumerate(self._traders)
            if i not in touched
        ]
        ranked = sorted(((i, s) for i, s in scores if s > 0), key=lambda item: (-item[1], item[0]))
        self._queue = ranked[:QUEUE_SIZE]
        # the places in the queue (1 = deleveraged first); who holds them is in the description
        labels = [str(k) for k in range(1, len(self._queue) + 1)]
        with self.queue_scales["x"].hold_sync():
            self.queue_scales["x"].domain = labels
        # an empty queue keeps a 0-1 axis rather than ticks crowded at 0
        top = max(s for _, s in self._queue) if self._queue else 1.0
        set_mark_data(self.queue_scales["y"], max=top * 1.1)
        set_mark_data(
            self.queue_bars,
            x=np.array(labels, dtype=str),
            y=np.array([s for _, s in self._queue], dtype=float),
        )

    def _render_log(
        self,
        result: MarketResult,
        step: int,
        whale: tuple[int, tuple[PartialLiquidationStep, ...]] | None,
    ) -> None:
        events = [e for e in result.adl_events if e.step <= step]
        items = []
        for e in events[-12:]:
            who = "the book" if e.counterparty < 0 else f"trader #{e.counterparty}"
            items.append(
                f'<li class="mw-event mw-event-adl">step {e.step}: trader #{e.bankrupt} '
                f"deleveraged against {who}, {e.quantity:,.4f} BTC at "
                f"{price_html(e.price, TICK)}</li>"
            )
        adl_html = "".join(items) or "<li>no auto-deleveraging so far</li>"
        if whale is None:
            whale_html = "<p>The large long has not been liquidated so far.</p>"
        else:
            rows = "".join(
                f"<tr><td>{s.step}</td><td>{s.closed_quantity:,.4f}</td>"
                f"<td>{s.remaining_quantity:,.4f}</td>"
                f"<td>{s.bracket.number if s.bracket else 'closed'}</td>"
                f"<td>{st.format_usdt(s.fee)}</td><td>{st.format_usdt(s.margin_balance)}</td>"
                f"<td>{st.format_usdt(s.maintenance_margin)}</td>"
                f"<td>{'yes' if s.compliant else 'no'}</td></tr>"
                for s in whale[1]
            )
            whale_html = (
                f"<p>The large long is liquidated at step {whale[0]} (mark "
                f"{price_html(result.prices[whale[0]], TICK)}), in parts:</p>"
                '<table class="mw-partial"><tr><th>part</th><th>closed (BTC)</th>'
                "<th>left (BTC)</th><th>bracket</th><th>fee</th><th>margin balance</th>"
                f"<th>maintenance</th><th>compliant</th></tr>{rows}</table>"
            )
        value = (
            f'<div role="log" aria-live="polite"><b>Auto-deleveraging</b> '
            f"({len(events)} matches so far, latest last)<ul>{adl_html}</ul>"
            f"<b>Partial liquidation</b>{whale_html}</div>"
        )
        if self.event_log.value != value:
            self.event_log.value = value

    def _summary(self, result: MarketResult, step: int, price_text: Any = None) -> str:
        """The readout line; ``price_text(price)`` writes the mark (default: at the tick)."""
        show = price_text or (lambda p: st.format_price(p, TICK))
        shown = [r for r in result.liquidations if r.step <= step]
        adl = sum(r.deleveraged for r in shown)
        return (
            f"Step {step} of {N_STEPS}, mark {show(result.prices[step])}: "
            f"{len(shown)} liquidations, {adl} deleveraged; insurance fund "
            f"{st.format_usdt(result.fund_balance[step])} "
            f"(started at {st.format_usdt(result.fund_start)})"
        )

    def _describe(self) -> str:
        result = self._result
        if result is None:  # pragma: no cover
            return ""
        v = self._raw_values()
        step = int(v["step"])
        queue = ", ".join(f"#{i} ({s:.3f})" for i, s in self._queue) or "empty"
        return (
            f"{int(v['n_traders'])} isolated traders in long/short pairs (leverage up to "
            f"{int(v['max_leverage'])}x) through a seeded crash of {N_STEPS} steps from "
            f"{st.format_price(START_PRICE, TICK)} (seed {int(v['seed'])}; the mark ends at "
            f"{st.format_price(result.prices[-1], TICK)}). {self._summary(result, step)}. "
            "Left: the mark up to the current step, liquidations the fund covered as circles, "
            "deleveraged ones as triangles, the large long's first cut as a diamond. Middle: "
            "the insurance fund's balance. Right: the ADL queue at the current mark, the untouched "
            "profitable positions by score (profit % × effective leverage, the exchange's "
            f"ranking): {queue}."
        )
