"""Solutions to lesson 04: cross versus isolated on the same trade."""

from __future__ import annotations

from margin_widgets.engine import Account, dip_path, load_brackets

TABLES = {"BTCUSDT": load_brackets("BTCUSDT", "2024-10-24")}


def _one_trade(mode: str) -> Account:
    """0.5 BTC long at 60,000 with 20x in ``mode``, wallet 5,000 USDT."""
    account = Account(wallet_balance=5_000, brackets=dict(TABLES))
    account.set_margin_mode(mode, "BTCUSDT")
    account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=20)
    return account


def exercise_1() -> float:
    """How far (in % of the entry price) BTC can fall before the cross account is liquidated."""
    price = _one_trade("cross").liquidation_price("BTCUSDT")
    assert price is not None
    return 100 * (60_000 - price) / 60_000


def exercise_2() -> float:
    """Total margin balance (USDT) of the isolated account after the 8 % dip and recovery."""
    account = _one_trade("isolated")
    for step, price in enumerate(dip_path(60_000, 0.08, n_steps=40)):
        account.update_marks({"BTCUSDT": price}, step=step)
    return account.summary().total_margin_balance


def exercise_3() -> str:
    """Which mode keeps more of the 5,000 USDT after the 20 % crash (recovering to 54,000)."""
    kept = {}
    for mode in ("isolated", "cross"):
        account = _one_trade(mode)
        for step, price in enumerate(dip_path(60_000, 0.2, n_steps=40, recover_to=54_000)):
            account.update_marks({"BTCUSDT": price}, step=step)
        kept[mode] = account.summary().total_margin_balance
    return max(kept, key=lambda mode: kept[mode])
