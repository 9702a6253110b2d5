"""Solutions to the exercises of lesson 06: maintenance brackets."""

from __future__ import annotations

from margin_widgets.engine import liquidation_price_in_brackets, load_brackets


def exercise_1() -> float:
    """Maintenance margin of a 700,000 USDT BTCUSDT position (table of 2024-10-24)."""
    table = load_brackets("BTCUSDT", "2024-10-24")
    return table.maintenance_margin(700_000)


def exercise_2() -> float:
    """Maximum leverage for a 5,000,000 USDT BTCUSDT position (table of 2024-10-24)."""
    return load_brackets("BTCUSDT", "2024-10-24").max_leverage(5_000_000)


def exercise_3() -> float | None:
    """Liquidation price of an isolated long of 10.2 BTC at 60,000 with 20× (2024 table).

    The notional at entry (612,000 USDT) is in bracket 3; at the liquidation price it is below
    600,000, so the bracket is re-selected: ``liquidation_price_in_brackets`` does that.
    """
    table = load_brackets("BTCUSDT", "2024-10-24")
    quantity, entry, leverage = 10.2, 60_000.0, 20
    wallet = quantity * entry / leverage
    price, _bracket = liquidation_price_in_brackets("long", quantity, entry, wallet, table)
    return price
