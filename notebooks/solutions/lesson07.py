"""Solutions to the exercises of lesson 07: funding, transfers and switching modes."""

from __future__ import annotations

from margin_widgets.engine import Account, funding_payment


def exercise_1() -> float:
    """Funding received by a 5 ETH short at a mark of 3,000 with a rate of +0.03 %."""
    return funding_payment("short", 5, 3_000, 0.0003)


def exercise_2() -> float | None:
    """Liquidation price of an isolated 0.5 BTC long (60,000, 10×) after 9 fundings of 0.03 %."""
    account = Account(wallet_balance=10_000)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=10)
    for interval in range(9):
        account.settle_funding("BTCUSDT", 0.0003, step=interval)
    return account.liquidation_price("BTCUSDT")


def exercise_3() -> float:
    """Margin that may go back to the cross wallet after adding 1,000 and a fall to 59,000."""
    account = Account(wallet_balance=10_000)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 1, price=60_000, leverage=20)
    account.transfer(1_000, "cross", "BTCUSDT")
    account.update_mark("BTCUSDT", 59_000)
    return account.max_removable_margin("BTCUSDT")
