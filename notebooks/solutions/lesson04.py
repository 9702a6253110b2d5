"""Worked solutions to lesson 04: cross versus isolated on the same trade.

The trade: 0.5 BTC long at 60,000 (30,000 USDT of notional, bracket 1 of the 2024-10-24
table: MMR 0.4 %, cum 0). With one position the cross formula has TMM = UPNL = 0, so
``LP = (WB − Q·EP) / (Q·MMR − Q)`` in both modes; only WB differs (the cross wallet, or the
isolated margin).
"""

from __future__ import annotations


def exercise_1() -> float:
    """How far, in % of 60,000, BTC can fall before an 8,000 USDT cross account is liquidated.

    **Formula.** ``LP = (WB − TMM + UPNL + cum − s·Q·EP) / (Q·MMR − s·Q)``, then
    distance = (EP − LP) / EP.

    **Numbers.** WB = 8,000, TMM = UPNL = cum = 0, s = +1, Q = 0.5, EP = 60,000, MMR = 0.4 %:
    LP = (8,000 − 30,000) / (0.002 − 0.5) = −22,000 / −0.498 = 44,176.71.

    **Result.** (60,000 − 44,176.71) / 60,000 = **26.37 %**.
    """
    price = (8_000 - 0.5 * 60_000) / (0.5 * 0.004 - 0.5)  # 44,176.71
    return 100 * (60_000 - price) / 60_000


def exercise_2() -> float:
    """Margin to add to the isolated position so its liquidation price is at most 55,200.

    **Formula.** Isolated, WB = the margin M: LP = (M − 30,000) / (0.002 − 0.5). LP falls as
    M grows, so LP ≤ 55,200 ⇔ M ≥ 30,000 − 0.498 × 55,200.

    **Numbers.** 0.498 × 55,200 = 27,489.60, so M ≥ 2,510.40 USDT; the position has 1,500.

    **Result.** Add 2,510.40 − 1,500 = **1,010.40 USDT**.
    """
    needed = 30_000 - 0.498 * 55_200  # 2,510.40
    return needed - 1_500


def exercise_3() -> float:
    """Total margin balance of a 7,200 USDT cross account at the end of the crash path.

    **Reasoning.** Its liquidation price is (7,200 − 30,000) / (0.002 − 0.5) = 45,783.13,
    below the crash's low of 48,000: it is never liquidated. At the end (54,000) the margin
    balance is wallet + unrealised PnL = 7,200 + 0.5 × (54,000 − 60,000) = 7,200 − 3,000.

    **Result.** **4,200 USDT**.
    """
    price = (7_200 - 0.5 * 60_000) / (0.5 * 0.004 - 0.5)  # 45,783.13
    assert price < 48_000  # never liquidated on the way
    return 7_200 + 0.5 * (54_000 - 60_000)


def concept_1() -> str:
    """Cross survives the dip because the whole wallet stands behind the position."""
    return "more collateral stands behind the position"


def design_1() -> dict[str, object]:
    """One valid design: isolated, 5,000 USDT deposited, 10x (3,000 USDT of margin).

    Dip: LP = (3,000 − 30,000) / (−0.498) = 54,216.87 < 55,200, so it survives.
    Crash: it is liquidated on the way to 48,000 and loses its 3,000 ≤ 3,500 USDT.
    Isolated works from about 8.6x (3,500 USDT of margin) to 11.9x (2,510.40 USDT); cross
    works with a wallet from about 6,100 to 8,000 USDT (LP below 48,000, loss 3,000).
    """
    return {"mode": "isolated", "wallet": 5_000, "leverage": 10}
