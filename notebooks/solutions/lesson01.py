"""Worked solutions to lesson 01: margin, leverage and the liquidation price.

Each exercise is worked the way a learner would on paper: the formula, the numbers put in,
the result. The engine is used only where the lesson lets the learner use it as a calculator
(bracket look-ups); every step is also written out in the docstring.
"""

from __future__ import annotations

from margin_widgets.engine import load_brackets

BTC_2024 = load_brackets("BTCUSDT", "2024-10-24")
BTC_2021 = load_brackets("BTCUSDT", "2021-03-18")


def exercise_1() -> float:
    """Liquidation price of 0.5 BTC long at 60,000 with 25x, isolated, 2024 brackets.

    **Formula** (isolated: TMM = UPNL = 0, WB = the initial margin):
    ``LP = (WB + cum − s·Q·EP) / (Q·MMR − s·Q)``

    **Numbers.** IM = 0.5 × 60,000 / 25 = 1,200 USDT. The notional, 30,000 USDT, is in
    bracket 1 of the 2024 table (0 – 50,000: MMR 0.4 %, cum 0). So
    LP = (1,200 + 0 − 0.5 × 60,000) / (0.5 × 0.004 − 0.5) = −28,800 / −0.498.

    **Result.** 57,831.33 USDT. Check the bracket at LP: 0.5 × 57,831 ≈ 28,916 USDT, still
    bracket 1, so no re-selection is needed.
    """
    quantity, entry, leverage = 0.5, 60_000, 25
    margin = quantity * entry / leverage  # 1,200
    bracket = BTC_2024.bracket_for(quantity * entry)  # bracket 1: 0.4 %, cum 0
    rate, cum = bracket.maintenance_margin_rate, bracket.maintenance_amount
    price = (margin + cum - quantity * entry) / (quantity * rate - quantity)
    assert BTC_2024.bracket_for(quantity * price) == bracket  # stable at the result
    return price


def exercise_2() -> float:
    """ROE, in %, of the same position at a mark of 58,500.

    PnL = Q × (mark − EP) = 0.5 × (58,500 − 60,000) = −750 USDT.
    ROE = PnL / IM = −750 / 1,200 = −0.625, i.e. **−62.5 %** (the −2.5 % move × 25).
    """
    pnl = 0.5 * (58_500 - 60_000)  # -750
    return 100 * pnl / (0.5 * 60_000 / 25)


def exercise_3() -> float:
    """Margin ratio, in %, of the same position at 58,500.

    MM at the mark = 0.5 × 58,500 × 0.4 % − 0 = 117 USDT (bracket 1).
    Margin balance = IM + PnL = 1,200 − 750 = 450 USDT.
    Margin ratio = 117 / 450 = **26 %**.
    """
    maintenance = 0.5 * 58_500 * 0.004 - 0  # 117
    balance = 0.5 * 60_000 / 25 + 0.5 * (58_500 - 60_000)  # 450
    return 100 * maintenance / balance


def exercise_4() -> float:
    """Maintenance margin of an 800,000 USDT position, BTCUSDT brackets of 2021-03-18.

    800,000 is in bracket 3 (250,000 – 1,000,000: MMR 1 %). Its cum follows the recurrence
    cum_3 = 250,000 × (1 % − 0.5 %) + cum_2 = 1,250 + 50 = 1,300 USDT.
    MM = 800,000 × 1 % − 1,300 = **6,700 USDT**.
    """
    cum_2 = 50_000 * (0.005 - 0.004) + 0  # 50
    cum_3 = 250_000 * (0.01 - 0.005) + cum_2  # 1,300
    return 800_000 * 0.01 - cum_3


def concept_1() -> str:
    """Liquidation keeps the maintenance margin to pay for closing the position."""
    return "to keep enough margin to close the position at market"


def design_1() -> dict[str, float]:
    """One valid leverage: 12x.

    Margin = 30,000 / 12 = 2,500 USDT ≤ 4,000. LP = (30,000 − 2,500) / 0.498 = 55,220.88
    < 57,000. Any leverage from 8x (3,750 USDT) to 18x (LP 56,894.24) works: 7x needs
    4,285.71 USDT, and at 19x the liquidation price, 57,070.38, is above 57,000.
    """
    return {"leverage": 12}
