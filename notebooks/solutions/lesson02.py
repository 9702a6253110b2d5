"""Solutions to lesson 02: isolated margin."""

from __future__ import annotations

from margin_widgets.engine import Account, load_brackets

TABLES = {symbol: load_brackets(symbol, "2024-10-24") for symbol in ("BTCUSDT", "ETHUSDT")}


def _isolated_btc(wallet: float = 5_000) -> Account:
    """0.5 BTC long at 60,000 with 20x, isolated, in a wallet of ``wallet`` USDT."""
    account = Account(wallet_balance=wallet, brackets=dict(TABLES))
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=20)
    return account


def exercise_1() -> float:
    """Liquidation price (USDT) after adding 500 USDT of margin."""
    account = _isolated_btc()
    account.add_margin("BTCUSDT", 500)
    price = account.liquidation_price("BTCUSDT")
    assert price is not None
    return price


def exercise_2() -> float:
    """Largest removable margin (USDT) after adding 500 USDT, with the mark at 59,000."""
    account = _isolated_btc()
    account.add_margin("BTCUSDT", 500)
    account.update_mark("BTCUSDT", 59_000)
    return account.max_removable_margin("BTCUSDT")


def exercise_3() -> float:
    """What the trader loses (USDT) when the mark gaps from 60,000 to 55,000."""
    account = _isolated_btc()
    before = account.summary().total_wallet_balance
    account.update_mark("BTCUSDT", 55_000)
    return before - account.summary().total_wallet_balance
