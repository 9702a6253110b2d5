"""Worked solutions to lesson 07: funding, transfers and switching modes.

Funding: payment = Q × mark × rate, paid by longs to shorts when the rate is positive (by
shorts to longs when it is negative). An isolated long's liquidation price
``LP = (WB + cum − Q·EP) / (Q·MMR − Q)`` moves by payment / (Q × (1 − MMR)) per payment.
"""

from __future__ import annotations


def exercise_1() -> float:
    """Funding received by a 4 ETH short at a mark of 2,800 with a rate of −0.02 %.

    **Rule.** A negative rate: shorts pay longs.
    **Numbers.** 4 × 2,800 × 0.0002 = 2.24 USDT, paid by the short.
    **Result.** **−2.24 USDT** received.
    """
    return -(4 * 2_800 * 0.0002)


def exercise_2() -> float:
    """Liquidation price of an isolated 0.4 BTC long (60,000, 10x) after 6 fundings of 0.05 %.

    **Numbers.** Initial margin 0.4 × 60,000 / 10 = 2,400. Each payment 0.4 × 60,000 ×
    0.0005 = 12 USDT; six take 72, leaving WB = 2,328. The notional, 24,000, is in bracket 1
    (MMR 0.4 %, cum 0). LP = (2,328 + 0 − 24,000) / (0.4 × 0.004 − 0.4) = −21,672 / −0.3984.

    **Result.** **54,397.59 USDT** (before funding 54,216.87; 72 / 0.3984 = 180.72 higher).
    """
    wallet = 0.4 * 60_000 / 10 - 6 * (0.4 * 60_000 * 0.0005)  # 2,400 − 72 = 2,328
    return (wallet + 0 - 0.4 * 60_000) / (0.4 * 0.004 - 0.4)


def exercise_3() -> float:
    """Margin removable from an isolated 1 BTC long (60,000, 20x) at a mark of 62,000.

    **Formula.** min(wallet − MM, wallet + UPNL − IM at the mark).

    **Numbers.** Wallet 3,000. MM at 62,000 (bracket 2: 0.5 %, cum 50) = 310 − 50 = 260, so
    the first term is 2,740. UPNL = 62,000 − 60,000 = 2,000; IM at the mark = 62,000 / 20 =
    3,100; the second term is 3,000 + 2,000 − 3,100 = 1,900.

    **Result.** **1,900 USDT**: the profit counts, within the initial margin at the mark.
    """
    keep_maintenance = 3_000 - (62_000 * 0.005 - 50)  # 2,740
    keep_initial = 3_000 + (62_000 - 60_000) - 62_000 / 20  # 1,900
    return min(keep_maintenance, keep_initial)


def concept_1() -> str:
    """Only when both are cross does ETH's payment leave the wallet that backs BTC."""
    return "BTC cross, ETH cross"


def design_1() -> dict[str, float]:
    """One valid design: 20x and 2,000 USDT added now.

    Isolated wallet after the month: 3,000 + 2,000 − 90 × 18 = 3,380. The notional, 60,000,
    is in bracket 2 (0.5 %, cum 50): LP = (3,380 + 50 − 60,000) / (0.005 − 1) = 56,854.27
    ≤ 57,000. Cross wallet: 10,000 − 3,000 − 2,000 = 5,000 ≥ 4,000. At 20x any amount from
    1,855 to 3,000 USDT works; at 10x nothing needs adding.
    """
    return {"leverage": 20, "added": 2_000}
