"""Worked solutions to lesson 13: the liquidation process.

The short: 0.5 BTC at 30,000 with 20×, so its margin is 750 USDT; MMR 0.5 %, cum 0;
clearance fee 0.3 % of the liquidated notional; filled at its liquidation price.
"""

from __future__ import annotations


def exercise_1() -> float:
    """Clearance fee of the short.

    LP = (WB + Q·EP) / (Q·(1 + MMR)) = (750 + 15,000) / 0.5025 = 31,343.28.
    Fee = 0.3 % × Q × LP = 0.003 × 0.5 × 31,343.28 = **47.01 USDT**.
    """
    price = (750 + 0.5 * 30_000) / (0.5 * (1 + 0.005))
    return 0.003 * 0.5 * price


def exercise_2() -> float:
    """What the insurance fund gains in total.

    Bankruptcy price = 30,000 × (1 + 1/20) = 31,500. The fund takes the short over at 31,500
    and buys it back at 31,343.28: 0.5 × (31,500 − 31,343.28) = **78.36 USDT** — the
    maintenance margin left at LP (0.5 % × 0.5 × 31,343.28). Fee 47.01 + remainder 31.35.
    """
    price = (750 + 0.5 * 30_000) / (0.5 * (1 + 0.005))
    return 0.5 * (30_000 * (1 + 1 / 20) - price)


def exercise_3() -> float:
    """ADL score of a 2 BTC short from 20,000 with 4,000 USDT margin, mark 16,000.

    profit % = 2 × (20,000 − 16,000) / (2 × 20,000) = 0.2; PnL = 8,000;
    effective leverage = notional at the mark / margin balance = 32,000 / 12,000 = 2.667;
    score = 0.2 × 2.667 = **0.533**.
    """
    profit = 2 * (20_000 - 16_000)
    return profit / (2 * 20_000) * (2 * 16_000 / (4_000 + profit))


def concept_1() -> str:
    """Deficits beyond the fund are taken from the opposite side's winners by ADL."""
    return "profitable traders on the other side, in ADL ranking order"


def design_1() -> dict[str, float]:
    """A 150,000 USDT fund: the crash's deficits need about 132,849 USDT (found by bisection
    over the fund size with the same seeded market); 130,000 is not enough."""
    return {"fund": 150_000}
