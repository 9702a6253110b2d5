"""Solutions to the exercises of lesson 05: correlation and cascading liquidations."""

from __future__ import annotations

from margin_widgets.engine import Account, equal_legs, liquidation_probability


def exercise_1() -> float:
    """Probability (in %) that the cross account of the lesson's book is liquidated at ρ = 0.5.

    The book: three longs with 1,000 USDT each at 10×, shocks with σ = 8 %, 2,000 scenarios,
    seed 0.
    """
    legs = equal_legs(3, leverage=10, collateral=1_000)
    result = liquidation_probability(
        legs, correlation=0.5, volatility=0.08, n_scenarios=2_000, seed=0
    )
    return 100 * result.cross_probability


def exercise_2() -> float:
    """Probability (in %) that a cross long/short pair is liquidated at ρ = 0.5.

    One long and one short, 1,000 USDT each at 10×, σ = 8 %, 2,000 scenarios, seed 0.
    """
    legs = equal_legs(2, leverage=10, collateral=1_000, sides=["long", "short"])
    result = liquidation_probability(
        legs, correlation=0.5, volatility=0.08, n_scenarios=2_000, seed=0
    )
    return 100 * result.cross_probability


def exercise_3() -> float | None:
    """ETH's liquidation price in the cross account after BTC has fallen 8 %."""
    account = Account(wallet_balance=2_000)
    for symbol, price in (("BTCUSDT", 60_000.0), ("ETHUSDT", 3_000.0)):
        account.set_margin_mode("cross", symbol)
        account.open_position(symbol, "long", 1_000 * 10 / price, price=price, leverage=10)
    account.update_mark("BTCUSDT", 60_000 * (1 - 0.08))
    return account.liquidation_price("ETHUSDT")
