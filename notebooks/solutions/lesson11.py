"""Worked solutions to lesson 11: hedge mode.

The hedge-mode cross formula (L = long leg, S = short leg):
``LP = (WB − TMM + UPNL + cum_L + cum_S − Q_L·EP_L + Q_S·EP_S)
/ (Q_L·MMR_L + Q_S·MMR_S − Q_L + Q_S)``, each leg's bracket taken at its notional at LP
(BTCUSDT 2024-10-24: bracket 1 up to 50,000 USDT at 0.4 %, cum 0; bracket 2 at 0.5 %, cum 50).
"""

from __future__ import annotations


def exercise_1() -> float:
    """2 BTC long and 2 BTC short at 30,000, cross wallet 600.

    Try bracket 1: 600 / (4 × 0.004) = 37,500, where each leg's notional is 75,000: bracket 2.
    With bracket 2 for both legs: numerator 600 + 50 + 50 − 60,000 + 60,000 = 700;
    denominator 0.01 + 0.01 − 2 + 2 = 0.02; LP = **35,000** (a rise), notional 70,000 per
    leg: bracket 2, stable.
    """
    numerator = 600 + 50 + 50 - 2 * 30_000 + 2 * 30_000
    denominator = 2 * 0.005 + 2 * 0.005 - 2 + 2
    price = numerator / denominator
    assert 50_000 < 2 * price <= 600_000  # bracket 2 for each leg
    return price


def exercise_2() -> float:
    """The isolated short leg, 1 BTC at 20,000 with 500 USDT of its own.

    One-way short (s = −1): (500 + 20,000) / (0.004 + 1) = 20,500 / 1.004 = **20,418.33**.
    """
    return (500 + 20_000) / (0.004 + 1)


def exercise_3() -> float:
    """1 BTC long and 0.8 BTC short at 20,000, cross wallet 1,000.

    Numerator 1,000 − 20,000 + 16,000 = −3,000; denominator 0.004 + 0.8 × 0.004 − 1 + 0.8
    = −0.1928; LP = **15,560.17** (a fall; both legs' notional stays in bracket 1).
    """
    return (1_000 - 20_000 + 0.8 * 20_000) / (0.004 + 0.8 * 0.004 - 1 + 0.8)


def concept_1() -> str:
    """Maintenance margin grows with the price; the hedged PnL does not."""
    return "its maintenance margin grows with the price while its PnL stays zero"


def design_1() -> dict[str, float]:
    """300 USDT: liquidated at 300 / 0.008 = 37,500 > 30,000 (any wallet above 240 works)."""
    return {"wallet": 300}
