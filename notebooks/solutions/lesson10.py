"""Solutions to the exercises of lesson 10: why exchanges' calculators disagree."""

from __future__ import annotations

from margin_widgets.engine import liquidation_price, liquidation_price_in_brackets, load_brackets


def entry_value_liquidation_price(
    side: str, entry_price: float, leverage: float, maintenance_margin_rate: float
) -> float:
    """Another exchange's convention (Bybit's documented isolated USDT-contract method).

    The maintenance margin is taken on the position value *at entry*, so for a position with
    no extra margin and no maintenance deduction ``LP = EP × (1 − 1/leverage + MMR)`` for a
    long and ``EP × (1 + 1/leverage − MMR)`` for a short. Not Binance's formula: the engine
    holds Binance's, this is a comparison.
    """
    sign = 1 if side == "long" else -1
    return entry_price * (1 - sign / leverage + sign * maintenance_margin_rate)


def exercise_1() -> float | None:
    """Binance's liquidation price of a 1 BTC short at 20,000 with 50× (MMR 0.5 %, cum 0)."""
    return liquidation_price("short", 1, 20_000, 20_000 / 50, 0.005, 0)


def exercise_2() -> float:
    """The entry-value convention's liquidation price for the same short."""
    return entry_value_liquidation_price("short", 20_000, 50, 0.005)


def exercise_3() -> float | None:
    """The 1 BTC long at 20,000 with 50×, with the bracket of the 2021-03-18 table."""
    table = load_brackets("BTCUSDT", "2021-03-18")
    price, _bracket = liquidation_price_in_brackets("long", 1, 20_000, 20_000 / 50, table)
    return price
