"""Solutions to the exercises of lesson 08: alerts, risk management and the capstone."""

from __future__ import annotations

from margin_widgets.engine import Account, dip_path


def alerts_account(mode: str) -> Account:
    """The alerts section's account: 0.5 BTC and 5 ETH long at 20×, 10,000 USDT."""
    account = Account(wallet_balance=10_000)
    for symbol, quantity, price in (("BTCUSDT", 0.5, 60_000.0), ("ETHUSDT", 5.0, 3_000.0)):
        account.set_margin_mode(mode, symbol)
        account.open_position(symbol, "long", quantity, price=price, leverage=20)
    return account


def exercise_1() -> float:
    """BTC price at which the isolated BTC position's margin ratio reaches 80 %.

    In isolated mode the alert watches the position's own margin ratio, so only its own wallet
    counts; the engine solves for the mark in closed form.
    """
    price = alerts_account("isolated").price_at_margin_ratio("BTCUSDT", 0.8)
    if price is None:
        raise ValueError("the BTC position has no alert price")
    return price


def exercise_2() -> float:
    """Loss in cross of the 50× entry (200 USDT of margin, 5,200 wallet) after a 10 % fall."""
    account = Account(wallet_balance=5_200)
    account.set_margin_mode("cross", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 200 * 50 / 60_000, price=60_000, leverage=50)
    for step, price in enumerate(dip_path(60_000, 0.10, 40, recover_to=54_000)):
        account.update_mark("BTCUSDT", price, step=step)
    return 5_200 - account.summary().total_margin_balance


def capstone_account() -> Account:
    """The capstone: 10,000 USDT; BTC core in cross at 5×, a 50× ETH bet in isolated."""
    account = Account(wallet_balance=10_000)
    account.set_margin_mode("cross", "BTCUSDT")
    account.set_margin_mode("isolated", "ETHUSDT")
    account.open_position("BTCUSDT", "long", 0.25, price=60_000, leverage=5)
    account.open_position("ETHUSDT", "long", 2, price=3_000, leverage=50)
    return account


def capstone_path() -> list[tuple[float, float]]:
    """(BTC, ETH) marks of the capstone's downturn: both fall 20 %, then recover half-way."""
    btc = dip_path(60_000, 0.20, 40, recover_to=54_000)
    eth = dip_path(3_000, 0.20, 40, recover_to=2_700)
    return list(zip(btc, eth, strict=True))


def exercise_3() -> float:
    """Total lost by the capstone account: 9 fundings of +0.01 %, then the downturn path."""
    account = capstone_account()
    for interval in range(9):
        for symbol in ("BTCUSDT", "ETHUSDT"):
            if symbol in account.positions:
                account.settle_funding(symbol, 0.0001, step=f"funding {interval}")
    for step, (btc, eth) in enumerate(capstone_path()):
        account.update_marks({"BTCUSDT": btc, "ETHUSDT": eth}, step=step)
    return 10_000 - account.summary().total_margin_balance
