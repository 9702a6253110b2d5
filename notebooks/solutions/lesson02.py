"""Worked solutions to lesson 02: isolated margin.

The book: 0.5 BTC long at 60,000 with 20× (margin 1,500) and 5 ETH long at 3,000 with 10×
(margin 1,500), both isolated, from a 5,000 USDT wallet; BTCUSDT and ETHUSDT tables of
2024-10-24 (both positions in bracket 1: MMR 0.4 %, cum 0).
"""

from __future__ import annotations


def exercise_1() -> float:
    """ETH's liquidation price after adding 300 USDT.

    Isolated: WB = the position's margin = 1,500 + 300 = 1,800; TMM = UPNL = cum = 0.
    LP = (WB − Q·EP) / (Q·MMR − Q) = (1,800 − 15,000) / (5 × 0.004 − 5)
    = −13,200 / −4.98 = **2,650.60 USDT** (before: 13,500 / 4.98 = 2,710.84; the price
    moved by 300 / (5 × 0.996) = 60.24).
    """
    margin = 1_500 + 300
    return (margin - 5 * 3_000) / (5 * 0.004 - 5)


def exercise_2() -> float:
    """Largest removable margin with 500 added to BTC and the mark at 61,000.

    Binance's rule: max(0, min(margin − MM, margin + PnL − notional at the mark / leverage)).
    margin = 1,500 + 500 = 2,000; MM = 0.5 × 61,000 × 0.4 % = 122;
    PnL = 0.5 × (61,000 − 60,000) = 500; initial margin at the mark = 30,500 / 20 = 1,525.
    min(2,000 − 122, 2,000 + 500 − 1,525) = min(1,878, 975) = **975 USDT**.
    """
    margin = 1_500 + 500
    first = margin - 0.5 * 61_000 * 0.004
    second = margin + 0.5 * (61_000 - 60_000) - 0.5 * 61_000 / 20
    return max(0.0, min(first, second))


def exercise_3() -> float:
    """What the insurance fund absorbs when BTC gaps from 60,000 to 55,500.

    Price loss = 0.5 × (60,000 − 55,500) = 2,250 USDT. The trader loses the margin, 1,500;
    the fund absorbs the rest: 2,250 − 1,500 = **750 USDT**.
    """
    return 0.5 * (60_000 - 55_500) - 1_500


def concept_1() -> str:
    """Added isolated margin moves only that position's liquidation price, down."""
    return "BTC's liquidation price moves down; ETH's does not move"


def design_1() -> dict[str, float]:
    """20× and 1,300 USDT added.

    Margin 1,500 + 1,300 = 2,800 ≤ 3,000 (all that a liquidation can cost).
    LP = (2,800 − 30,000) / (0.5 × 0.004 − 0.5) = 27,200 / 0.498 = 54,618.47 < 55,000.
    Any total margin above 30,000 − 55,000 × 0.498 = 2,610 and at most 3,000 works, at any
    leverage from 10× (margin 3,000) up.
    """
    return {"leverage": 20, "added": 1_300}
