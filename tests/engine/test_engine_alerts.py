"""Alert prices (a target margin ratio) and the margin ratio against the price."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    liquidation_price_in_brackets,
    load_brackets,
    margin_ratio_price,
)

BTC = load_brackets("BTCUSDT", "2024-10-24")
ETH = load_brackets("ETHUSDT", "2024-10-24")


def test_alert_price_worked_by_hand() -> None:
    # 1 BTC long at 20,000, 1,000 USDT isolated, bracket 1 (MMR 0.4 %, cum 0):
    # 0.8·(1,000 − 20,000) / (0.004 − 0.8) = −15,200 / −0.796 = 19,095.477...
    price = margin_ratio_price("long", 1, 20_000, 1_000, BTC, 0.8)
    assert price == pytest.approx(15_200 / 0.796, rel=1e-12)
    # short: 0.8·(1,000 + 20,000) / (0.004 + 0.8) = 16,800 / 0.804 = 20,895.52...
    short = margin_ratio_price("short", 1, 20_000, 1_000, BTC, 0.8)
    assert short == pytest.approx(16_800 / 0.804, rel=1e-12)


def test_ratio_one_is_the_liquidation_price() -> None:
    for side in ("long", "short"):
        expected, _ = liquidation_price_in_brackets(side, 3, 60_000, 9_000, BTC, 120.0, -300.0)
        price = margin_ratio_price(side, 3, 60_000, 9_000, BTC, 1.0, 120.0, -300.0)
        assert expected is not None
        assert price == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("bad", [0, -0.1, 1.01, math.nan])
def test_margin_ratio_out_of_range_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="margin_ratio"):
        margin_ratio_price("long", 1, 20_000, 1_000, BTC, bad)
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    with pytest.raises(ValueError, match="margin_ratio"):
        account.price_at_margin_ratio("BTCUSDT", bad)


def _account(mode: str, side: str, leverage: float, eth_move: float) -> Account:
    account = Account(wallet_balance=30_000, brackets={"BTCUSDT": BTC, "ETHUSDT": ETH})
    account.set_margin_mode(mode, "BTCUSDT")
    account.open_position("BTCUSDT", side, 1.5, price=60_000, leverage=leverage)
    account.open_position("ETHUSDT", "long", 10, price=3_000, leverage=10)
    account.update_mark("ETHUSDT", 3_000 * (1 + eth_move))
    return account


@settings(parent=settings.get_profile("margin-engine"))
@given(
    mode=st.sampled_from(["cross", "isolated"]),
    side=st.sampled_from(["long", "short"]),
    leverage=st.integers(min_value=10, max_value=100),
    eth_move=st.floats(min_value=-0.3, max_value=0.3),
    ratio=st.floats(min_value=0.05, max_value=1.0),
)
def test_at_the_alert_price_the_ratio_is_the_target(
    mode: str, side: str, leverage: int, eth_move: float, ratio: float
) -> None:
    account = _account(mode, side, leverage, eth_move)
    if "BTCUSDT" not in account.positions:
        return
    price = account.price_at_margin_ratio("BTCUSDT", ratio)
    if price is None:
        return
    assert account.margin_ratio_at("BTCUSDT", price) == pytest.approx(ratio, rel=1e-9)
    before = account.snapshot()
    account.margin_ratio_curve("BTCUSDT", [price, price * 1.01])
    assert account.snapshot() == before


def test_margin_ratio_at_the_mark_is_the_account_figure() -> None:
    for mode in ("cross", "isolated"):
        account = _account(mode, "long", 20, -0.1)
        mark = account.mark_price("BTCUSDT")
        assert account.margin_ratio_at("BTCUSDT", mark) == account.margin_ratio("BTCUSDT")
