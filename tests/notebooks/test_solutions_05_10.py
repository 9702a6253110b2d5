"""The worked solutions of lessons 05-10 agree with hand-worked answers and pass a check.

Each ``solutions/lessonNN.exercise_N()`` computes its answer the way a learner would. Here it
is compared with the answer worked by hand (or counted from the seeded scenarios; the working
is in the comments of ``CASES``), and an :class:`AnswerCheck` with the lesson's tolerance must
accept it. The lessons' own checks are given the solutions in each lesson's closing course-checks
cell, run under ``pytest --nbval-lax``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from margin_widgets.engine import (
    Account,
    funding_payment,
    isolated_liquidation_price,
    liquidation_price,
    load_brackets,
)
from margin_widgets.widgets.exercise import AnswerCheck

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
if str(NOTEBOOKS) not in sys.path:
    sys.path.insert(0, str(NOTEBOOKS))

from solutions import (  # noqa: E402
    lesson05,
    lesson06,
    lesson07,
    lesson08,
    lesson09,
    lesson10,
)

BTC_2021 = load_brackets("BTCUSDT", "2021-03-18")
BTC_2024 = load_brackets("BTCUSDT", "2024-10-24")


def _two_longs(mode: str) -> Account:
    account = Account(wallet_balance=2_000)
    for symbol, price in (("BTCUSDT", 60_000.0), ("ETHUSDT", 3_000.0)):
        account.set_margin_mode(mode, symbol)
        account.open_position(symbol, "long", 10_000 / price, price=price, leverage=10)
    return account


def _eth_after_btc_fall() -> float | None:
    account = _two_longs("cross")
    account.update_mark("BTCUSDT", 55_200)
    return account.liquidation_price("ETHUSDT")


def _isolated_btc(quantity: float, leverage: float) -> Account:
    account = Account(wallet_balance=10_000)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", quantity, price=60_000, leverage=leverage)
    return account


# (solution, the hand-worked expected answer, tolerance of the lesson's check)
CASES: dict[str, tuple[Callable[[], object], Callable[[], object], float]] = {
    # counted from the seeded scenarios (246 and 42 failures in 2,000), see solutions/lesson05
    "05-1": (lesson05.exercise_1, lambda: 12.30, 0.01),
    "05-2": (lesson05.exercise_2, lambda: 2.10, 0.01),
    # hand-worked: (2,000 − 36.80 − 800 − 10,000) / ((10/3) × 0.004 − 10/3)
    "05-3": (lesson05.exercise_3, lambda: 8_836.80 / 3.32, 0.01),
    # hand-worked: 700,000 × 0.65 % − 950; bracket 4 (3M – 12M) allows 50x;
    # bracket 2 at the price: (31,200 + 50 − 624,000) / (10.4 × 0.005 − 10.4) = 57,281.60
    "06-1": (lesson06.exercise_1, lambda: 3_600.0, 0.01),
    "06-2": (lesson06.exercise_2, lambda: 50.0, 0.0),
    "06-3": (lesson06.exercise_3, lambda: 592_750 / 10.348, 0.01),
    # hand-worked: a short pays 4 × 2,800 × 0.0002 at a rate of −0.02 %;
    # (2,400 − 6 × 12 − 24,000) / (0.4 × 0.004 − 0.4) = 21,672 / 0.3984;
    # min(3,000 − (310 − 50), 3,000 + 2,000 − 3,100)
    "07-1": (lesson07.exercise_1, lambda: -2.24, 0.01),
    "07-2": (lesson07.exercise_2, lambda: 54_397.590361, 0.01),
    "07-3": (lesson07.exercise_3, lambda: 1_900.0, 0.01),
    # hand-worked: (0.5 × (10,000 − 30,000) − 60) / (0.5 × 0.004 − 0.5 × 0.5) = 10,060 / 0.248;
    # LP = (5,200 − 10,000) / ((1/6) × 0.004 − 1/6) = 4,800 / 0.166, then 100 × (60,000 − LP)
    # / 60,000; the 25x bet's 240 USDT + 9 × 1.50 of core funding + 0.25 × 6,000
    "08-1": (lesson08.exercise_1, lambda: 40_564.516129, 0.01),
    "08-2": (lesson08.exercise_2, lambda: 51.807229, 0.01),
    "08-3": (lesson08.exercise_3, lambda: 1_753.5, 0.01),
    # hand-worked: 8 started hours × 30,000 × 0.00002; 1.05 × (20,000 + 4.80);
    # 45,000 / (1.1 × 1.2)
    "09-1": (lesson09.exercise_1, lambda: 4.80, 0.01),
    "09-2": (lesson09.exercise_2, lambda: 21_005.04, 0.01),
    "09-3": (lesson09.exercise_3, lambda: 34_090.909090909, 0.01),
    # hand-worked: 15,750 / 0.5025; 31,500 − 150; their difference; 19,200 / 0.996
    "10-1": (lesson10.exercise_1, lambda: 31_343.283582, 0.01),
    "10-2": (lesson10.exercise_2, lambda: 31_350.0, 0.01),
    "10-3": (lesson10.exercise_3, lambda: 31_350.0 - 31_343.283582, 0.01),
    "10-4": (lesson10.exercise_4, lambda: 19_277.108434, 0.01),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_solution_matches_hand_worked_value_and_passes_check(case: str) -> None:
    solution, engine, tolerance = CASES[case]
    answer = solution()
    expected = engine()
    assert isinstance(answer, float | int) and isinstance(expected, float | int)
    assert math.isclose(answer, expected, rel_tol=1e-9, abs_tol=1e-6), (answer, expected)
    check = AnswerCheck(f"exercise {case}", expected, tolerance=tolerance)
    correct, feedback = check.check(answer)
    assert correct, feedback
    # a clearly wrong answer is refused
    assert not check.is_correct(expected + 10 * tolerance + 1)


def test_worked_examples_of_lessons_06_and_10() -> None:
    # lesson 06: the 2021 look-ups; lesson 10: the two conventions on the same inputs
    assert BTC_2021.bracket_for(264_000).maintenance_margin_rate == 0.01
    assert BTC_2021.bracket_for(500_000).maintenance_amount == 1_300
    assert round(liquidation_price("long", 1, 20_000, 400, 0.005, 0), 2) == 19_698.49
    # Bybit's documented example: bankruptcy 19,600, liquidation 19,700
    assert isolated_liquidation_price("bybit", "long", 1, 20_000, 50, 0.005) == 19_700


def test_funding_shift_of_an_isolated_long() -> None:
    account = _isolated_btc(1, 20)
    before = account.liquidation_price("BTCUSDT")
    payment, _ = account.settle_funding("BTCUSDT", 0.0003)
    after = account.liquidation_price("BTCUSDT")
    assert before is not None and after is not None
    mmr = account.position_summary("BTCUSDT").maintenance_margin_rate
    assert payment == funding_payment("long", 1, 60_000, 0.0003)
    assert math.isclose(after - before, -payment / (1 * (1 - mmr)))


def test_lesson08_alert_prices_reach_the_target_per_mode() -> None:
    # The lesson's alert prices come from Account.price_at_margin_ratio: moving the mark there
    # puts the governing gauge (the account's in cross, the position's in isolated) at 80 %.
    prices = {}
    for mode in ("cross", "isolated"):
        account = lesson08.alerts_account(mode)
        price = account.price_at_margin_ratio("BTCUSDT", 0.8)
        assert price is not None
        trial = account.copy()
        trial.update_mark("BTCUSDT", price)
        assert math.isclose(trial.margin_ratio("BTCUSDT"), 0.8, abs_tol=1e-9)
        liquidation = account.liquidation_price("BTCUSDT")
        assert liquidation is not None and liquidation < price < 60_000
        prices[mode] = price
    assert prices["cross"] < prices["isolated"]  # the shared wallet puts the alert lower
