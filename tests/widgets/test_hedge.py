"""HedgeModeExplorer: the marks are the engine's hedge-mode prices."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from margin_widgets.engine import hedge_outlook, load_brackets
from margin_widgets.widgets.hedge import HedgeModeExplorer

TABLE = load_brackets("BTCUSDT")


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def test_fully_hedged_pair_is_liquidated_on_a_rise_by_hand() -> None:
    # 1 BTC each way at 20,000 (20,000 notional: bracket 1, 0.4 %, cum 0), 100 USDT per leg.
    # Cross: N = 200, D = 0.004 + 0.004 = 0.008 -> a rise to 25,000, no fall price.
    # Isolated long: (100 - 20,000) / (0.004 - 1) = 19,979.92; short: 20,100 / 1.004 = 20,019.92
    explorer = HedgeModeExplorer(long_entry=20_000.0, short_entry=20_000.0, position_margin=100.0)
    cross = explorer.outlook("cross")
    assert cross.rise_price == pytest.approx(25_000.0, abs=1e-6)
    assert cross.fall_price is None
    iso = explorer.outlook("isolated")
    assert iso.fall_price == pytest.approx(19_979.92, abs=0.01)
    assert iso.rise_price == pytest.approx(20_019.92, abs=0.01)
    assert explorer.hedge_points["cross_rise"].y[0] == cross.rise_price
    assert len(explorer.hedge_points["cross_fall"].y) == 0  # no fall price: nothing drawn
    # BTCUSDT tick 0.1: the prices at the tick, the exact ones in the titles
    assert explorer.readout_plain() == (
        "Cross: every leg on a rise to 25,000.0; isolated: long on a fall to 19,979.9, "
        "short on a rise to 20,019.9"
    )
    assert '<span title="25,000 USDT">25,000.0</span>' in explorer.readout.value
    assert explorer.status_text == ""


def test_curves_are_engine_outlooks_over_the_short_size() -> None:
    explorer = HedgeModeExplorer(short_quantity=0.7, position_margin=500.0)
    lines = explorer.hedge_lines
    for size, fall, rise, long_p, short_p in list(
        zip(
            lines["cross_fall"].x,
            lines["cross_fall"].y,
            lines["cross_rise"].y,
            lines["isolated_long"].y,
            lines["isolated_short"].y,
            strict=True,
        )
    )[::20]:
        cross = hedge_outlook(1.0, 60_000.0, size, 60_000.0, TABLE, wallet_balance=1_000.0)
        iso = hedge_outlook(
            1.0,
            60_000.0,
            size,
            60_000.0,
            TABLE,
            margin_mode="isolated",
            long_wallet_balance=500.0,
            short_wallet_balance=500.0,
        )
        assert np.array_equal([fall, rise], [_nan(cross.fall_price), _nan(cross.rise_price)], True)
        legs = {leg.side: leg for leg in iso.legs}
        assert long_p == legs["long"].fall_price
        short_want = legs["short"].rise_price if "short" in legs else None
        assert np.array_equal([short_p], [_nan(short_want)], equal_nan=True)


def test_wallet_curve_and_current_point() -> None:
    explorer = HedgeModeExplorer(short_quantity=0.9)
    lines = explorer.wallet_lines
    rows = zip(lines["fall"].x, lines["fall"].y, lines["rise"].y, strict=True)
    for wallet, fall, rise in list(rows)[::25]:
        cross = hedge_outlook(1.0, 60_000.0, 0.9, 60_000.0, TABLE, wallet_balance=wallet)
        assert np.array_equal([fall, rise], [_nan(cross.fall_price), _nan(cross.rise_price)], True)
    assert list(explorer.wallet_points["fall"].x) == [600.0]
    assert explorer.wallet_points["fall"].y[0] == explorer.outlook("cross").fall_price


def test_one_leg_alone_text_has_no_nan() -> None:
    explorer = HedgeModeExplorer()
    before = np.asarray(explorer.hedge_lines["cross_rise"].y).copy()
    explorer.controls["short_quantity"].value = 0.0
    explorer.controls["long_quantity"].value = 0.001
    assert explorer.status_text == ""
    explorer.apply_preset({"long_quantity": 0.001, "short_quantity": 0.0})
    for text in (explorer.readout.value, explorer.description.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)
    assert not np.array_equal(before, explorer.hedge_lines["cross_rise"].y, equal_nan=True)


def test_prices_shown_at_the_tick_with_the_exact_value_on_hover() -> None:
    # 1 BTC each way at 60,000, 300 USDT per leg; ~60,000 of notional: bracket 2 (0.5 %, cum 50).
    # Cross: N = 600 + 50 + 50 = 700, D = 0.01 -> a rise to 70,000, no fall.
    # Isolated long:  (300 + 50 - 60,000) / (0.005 - 1) = 59,650 / 0.995 = 59,949.748743718...
    # Isolated short: (300 + 50 + 60,000) / (1 + 0.005) = 60,350 / 1.005 = 60,049.751243781...
    # BTCUSDT tick 0.1: 59,949.7 and 60,049.8 (two decimals would have shown .75 for both)
    explorer = HedgeModeExplorer()
    assert explorer.readout_plain() == (
        "Cross: every leg on a rise to 70,000.0; isolated: long on a fall to 59,949.7, "
        "short on a rise to 60,049.8"
    )
    readout = explorer.readout.value
    assert '<span title="70,000 USDT">70,000.0</span>' in readout
    assert '<span title="59,949.74874372 USDT">59,949.7</span>' in readout
    assert '<span title="60,049.75124378 USDT">60,049.8</span>' in readout
    text = explorer.description.value
    assert "a long of 1 BTC at 60,000.0 and a short of 1 BTC at 60,000.0, 300 USDT" in text
    assert "long on a fall to 59,949.7, short on a rise to 60,049.8." in text
    for mark in (*explorer.hedge_lines.values(), *explorer.hedge_points.values()):
        assert mark.tooltip.formats == [",.3f", ",.6f"]
    for mark in (*explorer.wallet_lines.values(), *explorer.wallet_points.values()):
        assert mark.tooltip.formats == [",.0f", ",.6f"]
    # an entry off the tick is shown rounded to it: 60,000.06 -> 60,000.1
    explorer.controls["long_entry"].value = 60_000.06
    assert "a long of 1 BTC at 60,000.1 and" in explorer.description.value


def test_every_drawn_point_is_the_engine_after_each_control_moves() -> None:
    # each curve is kept per the inputs it depends on: after any sequence of changes every
    # point of every line is still the general solvers' number at that point
    from margin_widgets.engine import hedge_liquidation_price_in_brackets as cross_solver
    from margin_widgets.engine import liquidation_price_in_brackets as one_way

    explorer = HedgeModeExplorer()
    moves = [
        ("short_entry", 61_000.0),
        ("long_entry", 59_000.0),
        ("short_quantity", 0.4),
        ("position_margin", 2_000.0),
        ("long_quantity", 1.5),
        ("short_quantity", 1.2),
        ("long_entry", 61_500.0),
    ]
    for name, value in moves:
        explorer.controls[name].value = value
        v = explorer.values
        lq, le = v["long_quantity"], v["long_entry"]
        sq, se, margin = v["short_quantity"], v["short_entry"], v["position_margin"]
        lines = explorer.hedge_lines
        for k, size in enumerate(lines["cross_fall"].x):
            shared = cross_solver(2 * margin, lq, le, size, se, TABLE)
            got = [lines["cross_fall"].y[k], lines["cross_rise"].y[k]]
            assert np.array_equal(got, [_nan(shared.fall_price), _nan(shared.rise_price)], True)
            short = one_way("short", size, se, margin, TABLE)[0] if size else None
            assert np.array_equal([lines["isolated_short"].y[k]], [_nan(short)], True)
        assert set(lines["isolated_long"].y) == {one_way("long", lq, le, margin, TABLE)[0]}
        wallet_lines = explorer.wallet_lines
        for k, wallet in enumerate(wallet_lines["fall"].x):
            shared = cross_solver(wallet, lq, le, sq, se, TABLE)
            got = [wallet_lines["fall"].y[k], wallet_lines["rise"].y[k]]
            assert np.array_equal(got, [_nan(shared.fall_price), _nan(shared.rise_price)], True)
