"""Worked solutions to lesson 03: cross margin.

The book: 0.5 BTC long at 60,000 and 5 ETH long at 3,000, both at 20x, cross, in a
5,000 USDT wallet. Both notionals are in bracket 1 of the 2024-10-24 tables (MMR 0.4 %,
cum 0) at every price used here. Each exercise is worked on paper: formula, numbers, result.
"""

from __future__ import annotations


def exercise_1() -> float:
    """Account margin ratio, in %, after ETH falls 15 % to 2,550.

    **Formula.** margin ratio = Σ MM / (wallet + Σ UPNL), every MM at its mark.

    **Numbers.** MM: BTC 0.5 × 60,000 × 0.4 % = 120; ETH 5 × 2,550 × 0.4 % = 51; total 171.
    Margin balance = 5,000 + 5 × (2,550 − 3,000) = 5,000 − 2,250 = 2,750.

    **Result.** 171 / 2,750 = **6.22 %**.
    """
    maintenance = 0.5 * 60_000 * 0.004 + 5 * 2_550 * 0.004  # 120 + 51 = 171
    balance = 5_000 + 5 * (2_550 - 3_000)  # 2,750
    return 100 * maintenance / balance


def exercise_2() -> float:
    """Effective leverage after BTC rises to 63,000.

    **Formula.** effective leverage = Σ notional at the marks / margin balance.

    **Numbers.** Notional = 0.5 × 63,000 + 5 × 3,000 = 31,500 + 15,000 = 46,500.
    Margin balance = 5,000 + 0.5 × (63,000 − 60,000) = 6,500.

    **Result.** 46,500 / 6,500 = **7.15x** (at entry it was 45,000 / 5,000 = 9x).
    """
    total_notional = 0.5 * 63_000 + 5 * 3_000  # 46,500
    balance = 5_000 + 0.5 * (63_000 - 60_000)  # 6,500
    return total_notional / balance


def exercise_3() -> float:
    """BTC's cross liquidation price after ETH rises 8 % to 3,240.

    **Formula.** ``LP = (WB − TMM + UPNL + cum − s·Q·EP) / (Q·MMR − s·Q)``.

    **Numbers.** WB = 5,000 (the cross wallet); TMM = ETH's MM at its mark
    = 5 × 3,240 × 0.4 % = 64.80; UPNL = ETH's PnL = 5 × (3,240 − 3,000) = +1,200; cum = 0;
    s = +1; Q = 0.5; EP = 60,000; MMR = 0.4 %.
    LP = (5,000 − 64.80 + 1,200 + 0 − 30,000) / (0.002 − 0.5) = −23,864.80 / −0.498.

    **Result.** **47,921.29 USDT** (notional there 23,961: still bracket 1).
    """
    wb, tmm, upnl, cum = 5_000, 5 * 3_240 * 0.004, 5 * (3_240 - 3_000), 0
    s, q, ep, mmr = 1, 0.5, 60_000, 0.004
    return (wb - tmm + upnl + cum - s * q * ep) / (q * mmr - s * q)


def exercise_4() -> float:
    """Most USDT that may be withdrawn after BTC rises to 66,000.

    **Formula.** max withdrawal = min(wallet − Σ MM, available balance), with available
    balance = wallet + Σ UPNL − Σ initial margin at the marks.

    **Numbers.** UPNL = 0.5 × (66,000 − 60,000) = 3,000. IM at the marks = 33,000 / 20 +
    15,000 / 20 = 1,650 + 750 = 2,400, so available = 5,000 + 3,000 − 2,400 = 5,600.
    MM = 33,000 × 0.4 % + 15,000 × 0.4 % = 132 + 60 = 192, so wallet − MM = 4,808.

    **Result.** min(4,808, 5,600) = **4,808 USDT**: the profit covers initial margin, but it
    is not withdrawn before it is realised.
    """
    available = 5_000 + 0.5 * (66_000 - 60_000) - (0.5 * 66_000 / 20 + 5 * 3_000 / 20)
    within_wallet = 5_000 - (0.5 * 66_000 * 0.004 + 5 * 3_000 * 0.004)
    return min(within_wallet, available)


def concept_1() -> str:
    """ETH's loss comes out of the one margin balance that also backs BTC."""
    return "ETH's loss lowers the margin balance that stands behind BTC too"


def design_1() -> dict[str, float]:
    """One valid design: a 7,000 USDT wallet, orders at 10x.

    After ETH falls to 2,700: LP = (7,000 − 54 − 1,500 − 30,000) / (−0.498) = 49,305.22
    < 50,000 (any wallet above 6,654 works; the leverage does not enter the formula).
    Available at entry = 7,000 − 45,000 / 10 = 2,500 ≥ 1,500 (at 7,000 USDT any leverage
    from 8.2x up works). The deposit, 7,000, is at most 8,000.
    """
    return {"wallet": 7_000, "leverage": 10}
