"""Solutions to the exercises of lesson 09: spot margin accounts."""

from __future__ import annotations

from margin_widgets.engine import (
    hourly_interest,
    long_liquidation_price,
    short_liquidation_price,
    spot_threshold,
)


def exercise_1() -> float:
    """Interest owed on 20,000 USDT borrowed 10.5 hours ago at 0.001 % per hour."""
    return hourly_interest(20_000, 0.00001, 10.5)


def exercise_2() -> float | None:
    """Liquidation price of the long in an isolated 10× pair account, interest included.

    The account holds 1 BTC and no USDT and owes 20,000 USDT plus the interest of exercise 1.
    """
    threshold = spot_threshold("isolated", 10).liquidation
    interest = hourly_interest(20_000, 0.00001, 10.5)
    return long_liquidation_price(1, 0, 20_000, interest, threshold)


def exercise_3() -> float | None:
    """Liquidation price of a short in a Cross 3× account: 40,000 USDT held, 1 BTC owed."""
    threshold = spot_threshold("cross", 3).liquidation
    return short_liquidation_price(40_000, 1, 0, threshold)
