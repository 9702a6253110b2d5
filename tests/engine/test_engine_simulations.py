"""Funding timeline and price-path replay: hand-worked figures and the engine's own accounts."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest

from margin_widgets.engine import (
    Account,
    book_account,
    dip_path,
    funding_interval_label,
    funding_timeline,
    make_paths,
    price_paths,
    replay_path,
)
from margin_widgets.engine.simulations import INTERVALS_PER_DAY, PATH_STEPS


def test_funding_paid_by_each_wallet_hand_worked() -> None:
    # 0.03 % per 8 hours at the entry marks: the isolated BTC wallet pays 30,000 × 0.0003 = 9,
    # the cross wallet pays for both legs, 45,000 × 0.0003 = 13.5, three times a day.
    t = funding_timeline(20, 5_000, 0.0003, 2)
    assert len(t.days) == 2 * INTERVALS_PER_DAY + 1 and t.days[3] == 1.0
    assert t.paid["isolated"] == pytest.approx([9.0 * k for k in range(7)])
    assert t.paid["cross"] == pytest.approx([13.5 * k for k in range(7)])
    assert t.payments["isolated"][1:] == pytest.approx([-9.0] * 6)
    # the isolated BTC wallet after one payment: 1,500 − 9 = 1,491;
    # LP = (1,491 − 30,000) / (0.5 × 0.004 − 0.5) = 28,509 / 0.498
    assert t.liquidation["isolated"][1] == pytest.approx(float(F(28_509_000, 498)), rel=1e-12)
    # cross after one payment: WB = 5,000 − 13.5, TMM = 60 (ETH 15,000 × 0.4 %):
    # LP = (4,986.5 − 60 − 30,000) / −0.498 = 25,073.5 / 0.498
    assert t.liquidation["cross"][1] == pytest.approx(float(F(25_073_500, 498)), rel=1e-12)
    assert t.wallet["isolated"][1] == pytest.approx(1_491.0)
    assert all(t.open["isolated"]) and all(t.open["cross"])


def test_negative_rate_is_received_and_the_accounts_are_the_engines() -> None:
    t = funding_timeline(20, 5_000, -0.0003, 1)
    assert t.paid["cross"][-1] == pytest.approx(-40.5)
    reference = book_account("cross", 20, 5_000)
    for k in range(1, 4):
        for symbol in ("BTCUSDT", "ETHUSDT"):
            reference.settle_funding(symbol, -0.0003, step=funding_interval_label(k))
    assert t.accounts["cross"].snapshot() == reference.snapshot()
    assert t.liquidation["cross"][-1] == reference.liquidation_price("BTCUSDT")


def test_funding_can_liquidate_the_isolated_position_first() -> None:
    # 1 % per interval at 50x: the 600 USDT BTC wallet loses 300 a time (MM 120)
    t = funding_timeline(50, 5_000, 0.01, 1)
    assert t.open["isolated"][:2] == [True, True] and not t.open["isolated"][2]
    assert math.isnan(t.liquidation["isolated"][2])
    assert t.event_index["isolated"][0] == 2
    assert t.events["isolated"][0].step == "day 0, 16:00"


def test_funding_input_is_checked() -> None:
    with pytest.raises(ValueError, match="days must be a whole number >= 1, got 0"):
        funding_timeline(20, 5_000, 0.0003, 0)
    assert funding_interval_label(4) == "day 1, 08:00"
    assert funding_interval_label(0) == "day 0, 00:00"


def test_paths_dip_and_random() -> None:
    a, b = make_paths("dip in A", 0.0, 0.01, 0, 0.2)
    assert a == dip_path(60_000.0, 0.2, PATH_STEPS) and min(a) == 48_000.0  # 60,000 × 0.8
    assert b == [3_000.0] * (PATH_STEPS + 1)
    random = make_paths("random", 0.8, 0.01, 7, 0.2)
    assert random == price_paths([60_000.0, 3_000.0], 0.8, 0.01, PATH_STEPS, 7)
    with pytest.raises(ValueError, match="scenario must be one of random, dip in A"):
        make_paths("crash", 0.0, 0.01, 0, 0.2)


def test_replay_hand_worked_dip() -> None:
    # 10x with 1,000 USDT per position: BTC long of 1,000 × 10 / 60,000 = 1/6 BTC (notional
    # 10,000, MMR 0.4 %). Isolated: LP = (1,000 − 10,000) / (1/6 × 0.004 − 1/6)
    # = 54,000 / 0.996 = 54,216.87, above the dip's low of 60,000 × 0.85 = 51,000: liquidated.
    # Cross: the wallet holds 2,000 and ETH's maintenance margin is 10,000 × 0.4 % = 40:
    # LP = (2,000 − 40 − 10,000) / (−0.996 / 6) = 48,240 / 0.996 = 48,433.73, below 51,000.
    run = replay_path(make_paths("dip in A", 0.0, 0.01, 0, 0.15), 10, 1_000)
    assert run.liquidation["isolated"][0][0] == pytest.approx(float(F(54_000_000, 996)))
    assert run.liquidation["cross"][0][0] == pytest.approx(float(F(48_240_000, 996)))
    assert [e.margin_mode for e in run.events["isolated"]] == ["isolated"]
    assert run.events["cross"] == []
    assert run.equity["cross"][0] == 2_000.0 and run.equity["isolated"][0] == 2_000.0
    assert math.isnan(run.liquidation["isolated"][0][-1])
    assert isinstance(run.accounts["cross"], Account)


def test_replay_refuses_mismatched_paths() -> None:
    with pytest.raises(ValueError, match="paths must hold 2 paths, got 1"):
        replay_path([[60_000.0, 59_000.0]], 10, 1_000)
    with pytest.raises(ValueError, match="one length"):
        replay_path([[60_000.0, 59_000.0], [3_000.0]], 10, 1_000)
