"""LiquidationProcess: the crash, the fund, the partial steps and the ADL queue are the engine's."""

from __future__ import annotations

import re

import ipywidgets as w
import pytest

from margin_widgets.engine import (
    adl_ranking,
    crash_path,
    load_brackets,
    paired_traders,
    partial_liquidation_steps,
    simulate_market,
)
from margin_widgets.widgets.liquidation_process import N_STEPS, LiquidationProcess


@pytest.fixture(scope="module")
def explorer() -> LiquidationProcess:
    return LiquidationProcess()


def expected(values: dict[str, object]) -> tuple[object, object]:
    traders = paired_traders(
        values["n_traders"], values["seed"], entry_price=60_000.0,
        max_leverage=values["max_leverage"],
    )  # fmt: skip
    prices = crash_path(
        60_000.0, N_STEPS, values["seed"], crash_fraction=values["crash"],
        volatility=values["volatility"],
    )  # fmt: skip
    result = simulate_market(
        traders, prices, insurance_fund=values["insurance_fund"],
        slippage_rate=values["slippage"],
    )  # fmt: skip
    return traders, result


def test_marks_are_the_engine_market_at_each_step(explorer: LiquidationProcess) -> None:
    traders, result = expected(explorer.values)
    assert explorer.result == result
    for step in (0, 5, 20, N_STEPS):
        explorer.controls["step"].value = step
        assert list(explorer.path_line.y) == list(result.prices[: step + 1])
        assert list(explorer.fund_line.y) == list(result.fund_balance[: step + 1])
        covered = [r for r in result.liquidations if r.step <= step and not r.deleveraged]
        adl = [r for r in result.liquidations if r.step <= step and r.deleveraged]
        assert list(explorer.covered_points.x) == [r.step for r in covered]
        assert list(explorer.adl_points.y) == [r.price for r in adl]
        # the queue: untouched profitable traders by the engine's score, highest first
        mark = result.prices[step]
        touched = {r.trader for r in result.liquidations if r.step <= step}
        touched |= {e.counterparty for e in result.adl_events if e.step <= step}
        scores = sorted(
            (
                (-adl_ranking(t.side, t.quantity, t.entry_price, t.margin, mark), i)
                for i, t in enumerate(traders)
                if i not in touched
            )
        )
        want = [(i, -s) for s, i in scores if -s > 0][:10]
        assert explorer.queue() == want
        assert list(explorer.queue_bars.y) == [s for _, s in want]
        assert f"Step {step} of {N_STEPS}" in explorer.readout.value


def test_start_shows_fund_draw_and_adl(explorer: LiquidationProcess) -> None:
    explorer.controls["step"].value = N_STEPS
    result = explorer.result
    assert result.fund_balance[-1] < result.fund_start
    assert any(r.deleveraged for r in result.liquidations)
    assert explorer.event_log.value.count("mw-event-adl") == min(len(result.adl_events), 12)
    assert explorer.status_text == ""
    for text in (explorer.readout.value, explorer.description.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)


def test_large_long_is_cut_in_parts_as_the_engine_says(explorer: LiquidationProcess) -> None:
    step, parts = explorer.whale_steps() or (None, ())
    prices = explorer.result.prices
    table = load_brackets("BTCUSDT")
    # the first mark at which the engine cuts 12 BTC at 60,000 with 6,000 USDT
    first = next(
        i
        for i, mark in enumerate(prices)
        if partial_liquidation_steps("long", 12.0, 60_000.0, 6_000.0, table, mark, 0.005)
    )
    assert step == first
    assert parts == partial_liquidation_steps(
        "long", 12.0, 60_000.0, 6_000.0, table, prices[first], 0.005
    )
    assert list(explorer.whale_point.x) == [float(first)]


def test_play_is_a_follower_of_the_step(explorer: LiquidationProcess) -> None:
    assert isinstance(explorer.play, w.Play) and explorer.play.tooltip
    assert explorer.play.max == N_STEPS
    explorer.lock("step")
    assert explorer.play.disabled
    explorer.unlock("step")
    assert not explorer.play.disabled


def test_prices_shown_at_the_tick_with_the_exact_value_on_hover() -> None:
    process = LiquidationProcess(step=0)
    # the crash starts at 60,000 exactly: BTCUSDT tick 0.1
    assert process.readout_plain().startswith("Step 0 of 60, mark 60,000.0: ")
    assert '<span title="60,000 USDT">60,000.0</span>' in process.readout.value
    assert "crash of 60 steps from 60,000.0 (seed" in process.description.value
    assert process.path_line.tooltip.formats == [".0f", ",.6f"]
    process.controls["step"].value = N_STEPS
    result = process.result
    # every ADL price in the log: shown at the tick, within half a tick of the exact value in
    # its title, which is the engine's price
    shown = re.findall(
        r'BTC at <span title="([\d,.]+) USDT">([\d,.]+)</span>', process.event_log.value
    )
    assert len(shown) == min(len(result.adl_events), 12)
    for (exact, at_tick), event in zip(shown, result.adl_events[-12:], strict=True):
        assert abs(float(exact.replace(",", "")) - event.price) < 1e-8
        assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d", at_tick)
        assert abs(float(at_tick.replace(",", "")) - event.price) <= 0.05 + 1e-9
