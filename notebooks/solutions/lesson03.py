"""Solutions to lesson 03: cross margin."""

from __future__ import annotations

from margin_widgets.engine import Account, load_brackets

TABLES = {symbol: load_brackets(symbol, "2024-10-24") for symbol in ("BTCUSDT", "ETHUSDT")}


def _cross_book() -> Account:
    """0.5 BTC long at 60,000 and 5 ETH long at 3,000, both 20x, cross, wallet 5,000 USDT."""
    account = Account(wallet_balance=5_000, brackets=dict(TABLES))
    account.set_margin_mode("cross", "BTCUSDT")
    account.set_margin_mode("cross", "ETHUSDT")
    account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=20)
    account.open_position("ETHUSDT", "long", 5, price=3_000, leverage=20)
    return account


def exercise_1() -> float:
    """Account margin ratio (in %) after ETH falls 10 % to 2,700."""
    account = _cross_book()
    account.update_mark("ETHUSDT", 2_700)
    return 100 * account.cross_margin_ratio()


def exercise_2() -> float:
    """Effective leverage of the account at entry (total notional / margin balance)."""
    return _cross_book().effective_leverage()


def exercise_3() -> float:
    """BTC liquidation price (USDT) after ETH rises 10 % to 3,300."""
    account = _cross_book()
    account.update_mark("ETHUSDT", 3_300)
    price = account.liquidation_price("BTCUSDT")
    assert price is not None
    return price
