"""Worked solutions to lesson 09: spot margin accounts.

Each exercise is worked by hand: the formula, the numbers, the result.
"""

from __future__ import annotations

import math


def exercise_1() -> float:
    """Interest on 30,000 USDT borrowed 7 h 15 min ago at 0.002 % per hour.

    Interest is simple and hourly, and every started hour counts: 7.25 h are **8 hours**.
    0.002 % per hour is 0.00002 as a fraction.
    Interest = 30,000 × 0.00002 × 8 = **4.80 USDT**.
    """
    hours = math.ceil(7.25)  # 8 started hours
    return 30_000 * 0.00002 * hours


def exercise_2() -> float:
    """Liquidation price of the isolated 10× pair long, interest included.

    Long with q = 1 BTC, c = 0 USDT, owing D = 20,000 plus I = 4.80; isolated 10× pairs are
    liquidated at level T = 1.05. P = (T × (D + I) − c) / q = 1.05 × 20,004.80 = **21,005.04**.
    """
    debt = 20_000 + exercise_1()
    return (1.05 * debt - 0) / 1


def exercise_3() -> float:
    """Liquidation price of a Cross 3× short holding 45,000 USDT and owing 1.2 BTC.

    The level A / (P × b) falls as BTC rises; it reaches T = 1.1 at
    P = A / (T × b) = 45,000 / (1.1 × 1.2) = 45,000 / 1.32 = **34,090.91**.
    """
    return 45_000 / (1.1 * 1.2)


def concept_1() -> str:
    """Only separate isolated pair accounts keep a BTC liquidation away from the ETH long."""
    return "two isolated pair accounts"


def design_1() -> dict[str, float]:
    """12,000 USDT of your own.

    You borrow 30,000 − 12,000 = 18,000 ≥ 15,000. Liquidation at level 1.15:
    P = 1.15 × 18,000 = 20,700 < 24,000. Any own stake above 30,000 − 24,000 / 1.15
    = 9,130.43 and at most 15,000 works.
    """
    return {"own": 12_000}
