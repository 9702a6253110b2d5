"""Worked solutions to lesson 06: maintenance brackets.

Each exercise is worked by hand from the BTCUSDT table of 2024-10-24 (brackets 1–4:
0–50,000 at 0.40 % cum 0; 50,000–600,000 at 0.50 % cum 50; 600,000–3,000,000 at 0.65 %
cum 950; 3,000,000–12,000,000 at 1.00 % cum 11,450, max leverage 125, 100, 75, 50).
"""

from __future__ import annotations


def exercise_1() -> float:
    """Maintenance margin of a 700,000 USDT position.

    700,000 is in bracket 3 (600,000 – 3,000,000: MMR 0.65 %, cum 950).
    MM = 700,000 × 0.0065 − 950 = 4,550 − 950 = **3,600 USDT**.
    """
    return 700_000 * 0.0065 - 950


def exercise_2() -> float:
    """Highest leverage for a 5,000,000 USDT position.

    5,000,000 is in bracket 4 (3,000,000 – 12,000,000), whose maximum leverage is **50×**.
    """
    return 50.0


def exercise_3() -> float:
    """Liquidation price of an isolated 10.4 BTC long at 60,000 with 20×.

    Margin = 10.4 × 60,000 / 20 = 31,200. Entry notional 624,000: bracket 3.

    1. With bracket 3: LP = (31,200 + 950 − 624,000) / (10.4 × 0.0065 − 10.4)
       = −591,850 / −10.3324 ≈ 57,280.98, where the notional is 10.4 × 57,280.98 ≈ 595,722:
       below 600,000, so bracket 2 applies.
    2. With bracket 2: LP = (31,200 + 50 − 624,000) / (10.4 × 0.005 − 10.4)
       = −592,750 / −10.348 = **57,281.60**; notional 595,729 is in bracket 2: stable.
    """
    quantity, entry, margin = 10.4, 60_000, 10.4 * 60_000 / 20
    first = (margin + 950 - quantity * entry) / (quantity * 0.0065 - quantity)
    assert quantity * first < 600_000  # the notional at that price is in bracket 2
    second = (margin + 50 - quantity * entry) / (quantity * 0.005 - quantity)
    assert 50_000 < quantity * second < 600_000  # stable in bracket 2
    return second


def concept_1() -> str:
    """The bracket follows the notional; 100× buys ten times the notional of 10×."""
    return "the bracket follows the notional, and 100× buys a 10× larger notional"


def design_1() -> dict[str, float]:
    """400,000 USDT at 20×.

    Margin 400,000 / 20 = 20,000 USDT (the limit). Bracket 2 (0.5 %, cum 50, up to 100×).
    LP = (20,000 + 50 − 400,000) / (6.6667 × 0.005 − 6.6667) = 57,278.89 ≤ 57,600.
    """
    return {"notional": 400_000, "leverage": 20}
