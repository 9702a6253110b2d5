"""Worked solutions to lesson 05: correlation and cascading liquidations.

Exercises 1 and 2 are simulations: the working is the set-up (book, shocks, seed) and the
count of failing scenarios; exercise 3 is worked by hand with the cross formula.
"""

from __future__ import annotations

from margin_widgets.engine import equal_legs, liquidation_probability


def exercise_1() -> float:
    """Cross liquidation probability, in %, of the lesson's book at ρ = 0.6 with σ = 10 %.

    Three longs, 1,000 USDT each at 10×; 2,000 seeded scenarios (seed 0). The cross account
    fails in 246 of the 2,000 scenarios: **12.30 %**.
    """
    legs = equal_legs(3, leverage=10, collateral=1_000)
    result = liquidation_probability(legs, correlation=0.6, volatility=0.10, n_scenarios=2_000)
    return 100 * sum(result.cross_liquidated) / 2_000


def exercise_2() -> float:
    """Cross liquidation probability, in %, of a long/short pair at ρ = 0.3 (σ = 8 %).

    One long and one short, 1,000 USDT each at 10×, 2,000 scenarios, seed 0: the pair fails
    in 42 scenarios, **2.10 %** (two longs: 5.20 %).
    """
    legs = equal_legs(2, leverage=10, collateral=1_000, sides=["long", "short"])
    result = liquidation_probability(legs, correlation=0.3, volatility=0.08, n_scenarios=2_000)
    return 100 * sum(result.cross_liquidated) / 2_000


def exercise_3() -> float:
    """ETH's cross liquidation price after BTC has fallen 8 %, by hand.

    The book: 1/6 BTC long at 60,000 and 10/3 ETH long at 3,000, 10,000 USDT each, in a
    2,000 USDT cross wallet, bracket 1 (MMR 0.4 %, cum 0) for both.

    * BTC at 55,200: UPNL = (1/6) × (55,200 − 60,000) = −800; its MM = 9,200 × 0.4 % = 36.80.
    * ETH: LP = (WB − TMM + UPNL + cum − Q·EP) / (Q·MMR − Q)
      = (2,000 − 36.80 − 800 + 0 − 10,000) / ((10/3) × 0.004 − 10/3)
      = −8,836.80 / −3.32 = **2,661.69 USDT**.
    """
    q_btc, q_eth = 1 / 6, 10 / 3
    mark = 60_000 * (1 - 0.08)
    upnl = q_btc * (mark - 60_000)  # -800
    tmm = q_btc * mark * 0.004  # 36.80
    return (2_000 - tmm + upnl + 0 - q_eth * 3_000) / (q_eth * 0.004 - q_eth)


def concept_1() -> str:
    """Correlated losses add up in the one wallet instead of offsetting."""
    return "correlated losses add up instead of offsetting, and one wallet absorbs their sum"


def design_1() -> dict[str, object]:
    """Isolated at 5×: 5,000 USDT of notional each.

    With σ = 8 %, ρ = 0.8 and 2,000 scenarios (seed 0) no scenario takes all three isolated
    positions, and 0.70 % of them liquidate at least one (below 5 %). Cross works at 5× or
    6× too (0.15 %, 0.90 %); 7× is too much in both modes.
    """
    return {"mode": "isolated", "leverage": 5}
