"""PricePathPlayer: liquidations along a played path, isolated versus cross, with an event log."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pytest

from margin_widgets.engine import Account, dip_path, price_paths
from margin_widgets.widgets import price_path as module
from margin_widgets.widgets._format import format_price
from margin_widgets.widgets.price_path import N_STEPS, TICKS, PricePathPlayer

MODES = ("isolated", "cross")
SYMBOLS = ("BTCUSDT", "ETHUSDT")


def engine_run(values: dict[str, Any]) -> dict[str, Any]:
    """Expected numbers straight from the engine (independent of the widget code)."""
    if values["scenario"] == "random":
        paths = price_paths(
            [60_000.0, 3_000.0],
            values["correlation"],
            values["volatility"],
            N_STEPS,
            values["seed"],
        )
    else:
        paths = [dip_path(60_000.0, values["dip"], N_STEPS), [3_000.0] * (N_STEPS + 1)]
    out: dict[str, Any] = {"paths": paths}
    for mode in MODES:
        account = Account(wallet_balance=2 * values["position_margin"])
        for symbol, path in zip(SYMBOLS, paths, strict=True):
            account.set_margin_mode(mode, symbol)
            q = values["position_margin"] * values["leverage"] / path[0]
            account.open_position(symbol, "long", q, price=path[0], leverage=values["leverage"])
        lps: list[list[float]] = [[], []]
        equity = []
        for step in range(N_STEPS + 1):
            if step:
                account.update_marks(
                    {s: p[step] for s, p in zip(SYMBOLS, paths, strict=True)}, step=step
                )
            for i, symbol in enumerate(SYMBOLS):
                lp = account.liquidation_price(symbol) if symbol in account.positions else None
                lps[i].append(math.nan if lp is None else lp)
            equity.append(account.summary().total_margin_balance)
        out[mode] = {"lp": lps, "equity": equity, "events": list(account.events)}
    return out


def same(a: Any, b: Any) -> bool:
    return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), True))


def assert_marks_match_engine(player: PricePathPlayer) -> None:
    values = player.values
    expected = engine_run(values)
    step = values["step"]
    xs = list(range(step + 1))
    for i, symbol in enumerate(SYMBOLS):
        assert same(player.path_lines[i].x, xs)
        assert same(player.path_lines[i].y, expected["paths"][i][: step + 1])
        assert same(player.current_points[i].y, [expected["paths"][i][step]])
        for mode in MODES:
            assert same(player.liquidation_lines[mode][i].y, expected[mode]["lp"][i][: step + 1])
            hits = [e for e in expected[mode]["events"] if e.step <= step and symbol in e.symbols]
            marker = player.liquidation_markers[mode][i]
            assert same(marker.x, [e.step for e in hits])
            assert same(marker.y, [e.mark_prices[e.symbols.index(symbol)] for e in hits])
    for mode in MODES:
        assert same(player.equity_lines[mode].y, expected[mode]["equity"][: step + 1])
        assert player.events(mode) == expected[mode]["events"]
        shown = [e for e in expected[mode]["events"] if e.step <= step]
        for event in shown:  # each price at its symbol's tick size (format_price's doctest)
            at_tick = event.describe(lambda symbol, p: format_price(p, TICKS[symbol]))
            assert html.escape(at_tick) in player.event_log.value
        assert len(shown) == player.event_log.value.count(f"mw-event-{mode}")


@pytest.fixture(scope="module")
def player() -> PricePathPlayer:
    return PricePathPlayer()


def test_structure_css_and_defaults(player: PricePathPlayer) -> None:
    assert player.values == {
        "scenario": "random",
        "position_margin": 1_000.0,
        "leverage": 10,
        "correlation": 0.8,
        "volatility": 0.01,
        "seed": 9,
        "dip": 0.15,
        "step": N_STEPS,
    }
    assert {"mw-explorer", "mw-price-path-player"} <= set(player._dom_classes)
    for name, control in player.controls.items():
        assert f"mw-control-{name}" in control._dom_classes
    keys = {c for f in player.figures for c in f._dom_classes if c.startswith("mw-figure-")}
    assert {"mw-figure-path-a", "mw-figure-path-b", "mw-figure-equity"} <= keys
    assert "mw-event-log" in player.event_log._dom_classes
    assert player.play.max == N_STEPS
    for fig in player.figures:
        assert fig.animation_duration == 0
        assert all(axis.label for axis in fig.axes)
        for mark in fig.marks:
            assert len(mark.x) <= 1_000
    assert player.liquidation_lines["cross"][0].line_style == "dashed"
    assert player.liquidation_markers["isolated"][0].marker == "circle"
    assert player.liquidation_markers["cross"][0].marker == "square"
    assert player.status_text == ""


def test_default_story_cross_cascade(player: PricePathPlayer) -> None:
    assert_marks_match_engine(player)
    isolated, cross = player.events("isolated"), player.events("cross")
    assert [(e.step, e.symbols) for e in isolated] == [(42, ("BTCUSDT",))]
    assert [(e.step, set(e.symbols)) for e in cross] == [(44, {"BTCUSDT", "ETHUSDT"})]
    assert "cascade" in player.event_log.value
    # the engine's 54,006.111... at BTCUSDT's 0.1 tick, as the exchange shows it
    assert isolated[0].mark_prices[0] == pytest.approx(54_006.1112, abs=1e-4)
    assert "liquidation of BTCUSDT at 54,006.1;" in player.event_log.value
    assert "lost BTCUSDT and ETHUSDT at step 44" in player.readout.value
    assert "equity 0.00 USDT" in player.readout.value


def test_step_reveals_the_path_and_the_log(player: PricePathPlayer) -> None:
    player.controls["step"].value = 43
    assert_marks_match_engine(player)
    assert "no liquidation so far" in player.event_log.value  # cross: not yet
    assert len(player.liquidation_markers["cross"][0].x) == 0
    assert len(player.liquidation_markers["isolated"][0].x) == 1
    player.controls["step"].value = 0
    assert_marks_match_engine(player)
    assert player.event_log.value.count("no liquidation so far") == 2
    player.controls["step"].value = N_STEPS


@pytest.mark.parametrize(
    "changes",
    [
        {"scenario": "dip in A", "dip": 0.25, "step": 70},
        {"correlation": -0.3, "volatility": 0.02, "seed": 4, "step": 90},
        {"position_margin": 2_500.0, "leverage": 25, "step": 33},
    ],
)
def test_setting_values_updates_every_mark_synchronously(changes: dict[str, Any]) -> None:
    player = PricePathPlayer()
    for name, value in changes.items():
        player.controls[name].value = value
        assert player.values[name] == value
        assert_marks_match_engine(player)
    assert player.status_text == ""


def test_dip_in_a_isolated_is_liquidated_cross_survives() -> None:
    """Claim C4: a temporary dip that isolated margin does not survive, cross absorbs."""
    player = PricePathPlayer(scenario="dip in A")
    assert [e.symbols for e in player.events("isolated")] == [("BTCUSDT",)]
    assert player.events("cross") == []
    assert player.run.equity["cross"][-1] == pytest.approx(2_000.0)  # back to the start
    assert player.run.equity["isolated"][-1] == pytest.approx(1_000.0)  # one margin lost
    assert_marks_match_engine(player)


def test_leverage_is_capped_by_the_brackets() -> None:
    player = PricePathPlayer()
    player.controls["position_margin"].value = 10_000.0
    assert player.controls["leverage"].max == 75
    with pytest.raises(ValueError, match="leverage must be between 1 and 75"):
        player.apply_preset({"leverage": 90})


def test_preset_export_round_trip_and_locking() -> None:
    player = PricePathPlayer(
        preset={"scenario": "dip in A", "dip": 0.3, "step": 60}, locked=["step"], hidden=["seed"]
    )
    assert player.play.disabled and player.is_hidden("seed")
    clone = PricePathPlayer()
    clone.load_json(player.to_json())
    assert clone.values == player.values
    assert same(clone.path_lines[0].y, player.path_lines[0].y)
    assert clone.event_log.value == player.event_log.value
    before = clone.values
    with pytest.raises(ValueError, match="scenario must be one of"):
        clone.load_json('{"scenario": "crash", "step": 3}')
    assert clone.values == before
    clone.reset()
    assert clone.values == PricePathPlayer().values


def test_handler_error_shows_in_status_line(monkeypatch: pytest.MonkeyPatch) -> None:
    player = PricePathPlayer()
    before = list(player.path_lines[0].y)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("path generator broke")

    monkeypatch.setattr(module, "simulate", broken)
    player.controls["seed"].value = 1
    assert "path generator broke" in player.status_text
    assert list(player.path_lines[0].y) == before
    monkeypatch.undo()
    player.controls["seed"].value = 2
    assert player.status_text == ""
    assert_marks_match_engine(player)


def test_controls_of_the_other_scenario_are_inactive_and_say_why() -> None:
    explorer = PricePathPlayer(scenario="dip in A", locked=["seed"])
    assert explorer.controls["correlation"].disabled and not explorer.controls["dip"].disabled
    assert explorer.controls["volatility"].tooltip.startswith(
        "Inactive: the scripted dip draws no random path"
    )
    explorer.controls["scenario"].value = "random"
    assert not explorer.controls["correlation"].disabled and explorer.controls["dip"].disabled
    assert explorer.controls["seed"].disabled and explorer.is_locked("seed")  # still locked
    assert explorer.controls["dip"].tooltip.startswith("Inactive: only the scripted dip uses it")
    explorer.unlock("seed")
    assert not explorer.controls["seed"].disabled


def test_prices_shown_at_each_symbols_tick() -> None:
    # BTCUSDT ticks in 0.1, ETHUSDT in 0.01 (Binance USDⓈ-M PRICE_FILTER)
    assert module.TICKS == {"BTCUSDT": 0.1, "ETHUSDT": 0.01}
    player = PricePathPlayer(scenario="dip in A", step=0)
    # 1,000 USDT at 10x: 1/6 BTC at 60,000 and 10/3 ETH at 3,000; bracket 1 MMR 0.4 % for both.
    # isolated BTC: (10,000 − 1,000) / (1/6 × 0.996) = 54,216.867...
    # isolated ETH: (10,000 − 1,000) / (10/3 × 0.996) = 2,710.843...
    # cross (wallet 2,000, the other's maintenance 40 USDT, no PnL at the start):
    # BTC (10,000 − 2,000 + 40) / (1/6 × 0.996) = 48,433.734...; ETH 8,040 / 3.32 = 2,421.686...
    text = player.description.value
    assert "BTCUSDT at step 0: mark 60,000.0, isolated liq. 54,216.9, cross liq. 48,433.7." in text
    assert "ETHUSDT at step 0: mark 3,000.00, isolated liq. 2,710.84, cross liq. 2,421.69." in text
    for line in player.path_lines:
        assert line.tooltip.formats == [".0f", ",.6f"]
