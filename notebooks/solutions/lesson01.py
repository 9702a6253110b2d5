"""Solutions to lesson 01: margin, leverage and the liquidation price."""

from __future__ import annotations

from margin_widgets.engine import (
    initial_margin,
    liquidation_price_in_brackets,
    load_brackets,
    maintenance_margin,
    margin_ratio,
    notional,
    return_on_equity,
    unrealized_pnl,
)

BTC_2024 = load_brackets("BTCUSDT", "2024-10-24")


def exercise_1() -> float:
    """Liquidation price (USDT) of 0.5 BTC long at 60,000 with 20x, isolated, 2024 brackets."""
    margin = initial_margin(notional(0.5, 60_000), 20)
    price, _bracket = liquidation_price_in_brackets("long", 0.5, 60_000, margin, BTC_2024)
    assert price is not None
    return price


def exercise_2() -> float:
    """ROE (in %) of the same position when the mark is 58,500."""
    pnl = unrealized_pnl("long", 0.5, 60_000, 58_500)
    return 100 * return_on_equity(pnl, initial_margin(notional(0.5, 60_000), 20))


def exercise_3() -> float:
    """Margin ratio (in %) of the same position at a mark of 58,500."""
    value = notional(0.5, 58_500)
    bracket = BTC_2024.bracket_for(value)
    maintenance = maintenance_margin(
        value, bracket.maintenance_margin_rate, bracket.maintenance_amount
    )
    balance = initial_margin(notional(0.5, 60_000), 20) + unrealized_pnl(
        "long", 0.5, 60_000, 58_500
    )
    return 100 * margin_ratio(maintenance, balance)


def exercise_4() -> float:
    """Maintenance margin (USDT) of a 500,000 USDT BTCUSDT position, brackets of 2021-03-18."""
    return load_brackets("BTCUSDT", "2021-03-18").maintenance_margin(500_000)
