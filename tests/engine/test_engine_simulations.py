"""Funding timeline and price-path replay: hand-worked figures and the engine's own accounts."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction as F
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    FundingTimeline,
    MarginError,
    book_account,
    dip_path,
    funding_interval_label,
    funding_timeline,
    make_paths,
    price_paths,
    replay_path,
)
from margin_widgets.engine.simulations import (
    INTERVALS_PER_DAY,
    MODES,
    PATH_STEPS,
    _funding_run,
    _stepped_funding_timeline,
    _stepped_run,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=60, deadline=None)


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


def test_funding_liquidates_both_accounts_hand_worked() -> None:
    # 0.3 % per interval at 20x on 5,000 USDT: BTC pays 30,000 × 0.003 = 90, ETH 45.
    # Isolated: the BTC wallet 1,500 − 90·k reaches its MM of 120 at k = 16 (1,500 − 1,440 =
    # 60 <= 120; at k = 15, 150 > 120), the ETH wallet 750 − 45·k its MM of 60 at k = 16 too
    # (30 <= 60; at 15, 75 > 60): both go at interval 16, day 5 08:00, BTC first.
    # Cross: the wallet 5,000 pays 135 an interval against a MM of 120 + 60 = 180; after BTC's
    # payment of interval 36 it holds 5,000 − 35 × 135 − 90 = 185 > 180, after ETH's 140: the
    # account goes at interval 36, day 12 00:00, having paid 36 × 135 = 4,860.
    t = funding_timeline(20, 5_000, 0.003, 20)
    assert t.event_index == {"isolated": [16, 16], "cross": [36]}
    assert [e.symbols for e in t.events["isolated"]] == [("BTCUSDT",), ("ETHUSDT",)]
    assert [e.step for m in MODES for e in t.events[m]] == ["day 5, 08:00"] * 2 + ["day 12, 00:00"]
    assert t.wallet["isolated"][15] == 150.0 and math.isnan(t.wallet["isolated"][16])
    assert t.paid["isolated"][16] == 1_440.0 and t.paid["isolated"][-1] == 1_440.0
    assert t.payments["isolated"][16] == -90.0 and t.payments["isolated"][17] == 0.0
    assert t.wallet["cross"][35] == 275.0 and math.isnan(t.wallet["cross"][36])
    assert t.paid["cross"][36] == 4_860.0 and t.paid["cross"][-1] == 4_860.0
    assert t.open["cross"][35] and not t.open["cross"][36]
    assert t.accounts["cross"].positions == {} and t.accounts["cross"].wallet_balance == 0.0
    # the isolated accounts' cross wallet keeps what opening left: 5,000 − 1,500 − 750
    assert t.accounts["isolated"].positions == {}
    assert t.accounts["isolated"].wallet_balance == 2_750.0


# --------------------------------------------------------------------------- stepped reference
SERIES = ("days", "liquidation", "paid", "wallet", "maintenance", "payments", "open")


def assert_same_timeline(fast: FundingTimeline, stepped: FundingTimeline) -> None:
    """Every series, event and final account of the fast timeline is the stepped one's."""
    assert fast.days == stepped.days
    for mode in MODES:
        for name in SERIES[1:]:
            got, want = getattr(fast, name)[mode], getattr(stepped, name)[mode]
            assert len(got) == len(want) == len(fast.days), (mode, name)
            assert got == pytest.approx(want, rel=1e-9, nan_ok=True), (mode, name)
        assert fast.events[mode] == stepped.events[mode]
        assert fast.event_index[mode] == stepped.event_index[mode]
        assert fast.accounts[mode].snapshot() == stepped.accounts[mode].snapshot()


def outcome(t: FundingTimeline) -> tuple[bool, bool]:
    """Whether the isolated account and the cross account saw a liquidation."""
    return bool(t.events["isolated"]), bool(t.events["cross"])


@pytest.mark.parametrize(
    ("leverage", "collateral", "rate", "days", "expected"),
    [
        (20, 5_000.0, 0.0003, 30, (False, False)),  # the explorer's start
        (20, 5_000.0, 0.0, 90, (False, False)),  # no funding: -0.0 payments, flat lines
        (20, 5_000.0, -0.003, 90, (False, False)),  # longs receive
        (1, 50_000.0, -0.003, 1, (False, False)),  # no positive liquidation price at all
        # 1x: the BTC wallet 30,000 pays 90 an interval, 270 × 90 = 24,300 in 90 days
        (1, 45_000.0, 0.003, 90, (False, False)),
        # isolated only: 10,000 − 90·k <= 120 from k = 110 (day 36 2/3), both legs
        (3, 37_000.0, 0.003, 90, (True, False)),
        # 600 − 90·k <= 120 from k = 6: not within 1 day (3 intervals), at the end of day 2
        (50, 40_000.0, 0.003, 1, (False, False)),
        (50, 40_000.0, 0.003, 2, (True, False)),
        # 1 % an interval: the isolated BTC wallet 600 − 300·k goes at k = 2, the cross
        # wallet 5,000 − 450·k lasts the day
        (50, 5_000.0, 0.01, 1, (True, False)),
        (20, 5_000.0, 0.003, 20, (True, True)),  # both, isolated first (hand-worked above)
        # both at interval 7: isolated 666.67 − 90·7 <= 120; cross after BTC's payment,
        # 1,000 − 6 × 135 − 90 = 100 <= 180
        (45, 1_000.0, 0.003, 90, (True, True)),
        # isolated at 2 (240 − 180 <= 120), cross at 3 after BTC's payment (500 − 270 − 90)
        (125, 500.0, 0.003, 90, (True, True)),
        (20, 5_000.0, 0.001, 90, (True, True)),
    ],
)
def test_fast_timeline_is_the_stepped_accounts(
    leverage: int, collateral: float, rate: float, days: int, expected: tuple[bool, bool]
) -> None:
    fast = funding_timeline(leverage, collateral, rate, days)
    stepped = _stepped_funding_timeline(leverage, collateral, rate, days)
    assert outcome(stepped) == expected
    assert_same_timeline(fast, stepped)
    assert fast.accounts["cross"] is not stepped.accounts["cross"]


def test_every_control_value_grid_is_the_stepped_accounts() -> None:
    # corners and middles of the explorer's sliders (leverage 1..125, collateral 500..50,000,
    # rate -0.3 %..0.3 %, days 1..90); a book the wallet cannot open is refused by both
    seen = set()
    for leverage, collateral, rate, days in itertools.product(
        (1, 10, 45, 125), (500.0, 2_300.0, 50_000.0), (-0.003, 0.0, 0.0007, 0.003), (1, 90)
    ):
        try:
            stepped = _stepped_funding_timeline(leverage, collateral, rate, days)
        except MarginError as error:
            with pytest.raises(MarginError, match=str(error).split(":")[0]):
                funding_timeline(leverage, collateral, rate, days)
            continue
        seen.add(outcome(stepped))
        assert_same_timeline(funding_timeline(leverage, collateral, rate, days), stepped)
    assert seen == {(False, False), (True, False), (True, True)}


@PROPERTY
@given(
    leverage=st.integers(1, 125),
    collateral=st.integers(5, 500).map(lambda c: c * 100.0),
    rate=st.integers(-30, 30).map(lambda r: r / 10_000) | st.sampled_from([0.01, -0.01, 0.05]),
    days=st.integers(1, 90),
)
def test_fast_timeline_property(leverage: int, collateral: float, rate: float, days: int) -> None:
    try:
        stepped = _stepped_funding_timeline(leverage, collateral, rate, days)
    except MarginError:
        with pytest.raises(MarginError):
            funding_timeline(leverage, collateral, rate, days)
        return
    assert_same_timeline(funding_timeline(leverage, collateral, rate, days), stepped)


def opener(**book: Any) -> Callable[[str], Account]:
    return lambda mode: book_account(mode, **book)


@pytest.mark.parametrize(
    ("book", "rate", "expected"),
    [
        # a BTC short with an ETH long moved 5 % down: in cross the short receives what the long
        # pays (payments of both signs), and only the cross account goes
        (
            {
                "leverage": 20,
                "wallet_balance": 20_000.0,
                "side": "short",
                "other_quantity": 40.0,
                "other_move": -0.05,
            },
            0.01,
            (False, True),
        ),
        # the short alone: it receives, its isolated wallet only grows
        ({"leverage": 20, "side": "short", "other_quantity": 0.0}, 0.003, (False, False)),
        # ETH's mark 4 % up: a constant unrealised profit in the cross balance
        ({"leverage": 50, "wallet_balance": 1_500.0, "other_move": 0.04}, 0.003, (True, True)),
        # 1 BTC at 5x: the liquidation price climbs from 48,193 across the 50,000 USDT edge of
        # BTC's first bracket (MMR 0.4 %) into the second (0.5 %) as the wallet drains; the
        # cross wallet, 225 USDT an interval, lasts 20,000 / 225 < 89 intervals
        ({"leverage": 5, "wallet_balance": 20_000.0, "quantity": 1.0}, 0.003, (True, True)),
    ],
)
def test_fast_run_of_other_books_is_the_stepped_one(
    book: dict[str, Any], rate: float, expected: tuple[bool, bool]
) -> None:
    stepped = _stepped_run(opener(**book), rate, 90 * INTERVALS_PER_DAY)
    fast = _funding_run(opener(**book), rate, 90 * INTERVALS_PER_DAY)
    assert outcome(stepped) == expected
    assert set(fast._plans) == set(MODES)  # worked out, not stepped
    assert_same_timeline(fast, stepped)
    if "quantity" in book:
        prices = [p for p in fast.liquidation["isolated"] if not math.isnan(p)]
        assert min(prices) < 50_000 < max(prices)


def test_a_book_liquidated_at_opening_is_stepped() -> None:
    # ETH's mark 50 % down liquidates the cross account as it opens; the isolated BTC leg stays
    book = opener(leverage=20, wallet_balance=2_500.0, other_move=-0.5)
    fast = _funding_run(book, 0.001, 9)
    assert list(fast._plans) == ["isolated"]
    assert not fast.open["cross"][0]
    assert_same_timeline(fast, _stepped_run(book, 0.001, 9))


@pytest.mark.parametrize(("rate", "days"), [(0.0003, 30), (0.003, 20), (0.01, 5), (-0.002, 12)])
def test_head_is_the_shorter_timeline(rate: float, days: int) -> None:
    # the marks stay put: the first d days of a long timeline are the d-day timeline
    long = funding_timeline(50, 3_000.0, rate, days)
    assert long.head(days) is long
    for d in range(1, days + 1):
        short = long.head(d)
        assert_same_timeline(short, _stepped_funding_timeline(50, 3_000.0, rate, d))
        assert short.head(1).days == [0.0, 1 / 3, 2 / 3, 1.0]
    with pytest.raises(ValueError, match=rf"days must be in \[1, {days}\], got {days + 1}"):
        long.head(days + 1)
    with pytest.raises(ValueError, match="days must be a whole number >= 1, got 0"):
        long.head(0)


def test_head_of_a_hand_made_timeline_is_refused() -> None:
    t = FundingTimeline(days=[k / 3 for k in range(7)])
    with pytest.raises(ValueError, match="head needs a timeline made by funding_timeline"):
        t.head(1)


def test_bad_rates_are_refused_like_the_stepped_accounts() -> None:
    for rate in (1.5, -1.0):
        with pytest.raises(ValueError, match=r"funding_rate must be in \(-1, 1\)"):
            funding_timeline(20, 5_000, rate, 1)
        with pytest.raises(ValueError, match=r"funding_rate must be in \(-1, 1\)"):
            _stepped_funding_timeline(20, 5_000, rate, 1)
    with pytest.raises(ValueError, match="funding_rate must be a finite number, got nan"):
        funding_timeline(20, 5_000, math.nan, 1)


def test_unhashable_book_inputs_are_refused_by_name() -> None:
    # a list is no number: refused naming the parameter, as the stepped accounts refuse it
    # (not "unhashable type" from the cache of openings)
    for timeline in (funding_timeline, _stepped_funding_timeline):
        with pytest.raises(TypeError, match="leverage must be a real number"):
            timeline([20], 5_000, 0.0003, 1)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="wallet_balance must be a real number"):
            timeline(20, [5_000], 0.0003, 1)  # type: ignore[arg-type]


def test_timelines_of_one_opening_share_nothing_mutable() -> None:
    # the same opening serves another rate: changing one timeline's account leaves the next
    first = funding_timeline(20, 5_000.0, 0.0003, 1)
    first.accounts["cross"].deposit(1_000.0)
    again = funding_timeline(20, 5_000.0, 0.0003, 1)
    assert again.accounts["cross"].wallet_balance == pytest.approx(5_000.0 - 40.5)
    assert_same_timeline(again, _stepped_funding_timeline(20, 5_000.0, 0.0003, 1))


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
