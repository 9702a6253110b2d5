"""The example book: defined once, opened by the explorers and lessons through book_account."""

from __future__ import annotations

import pytest

from margin_widgets.engine import (
    BOOK,
    InsufficientMarginError,
    book_account,
    load_brackets,
)
from margin_widgets.engine.examples import BTC, ETH, LEVERAGE, WALLET


def test_the_book() -> None:
    assert (BTC.symbol, BTC.side, BTC.quantity, BTC.entry_price) == (
        "BTCUSDT",
        "long",
        0.5,
        60_000.0,
    )
    assert (ETH.symbol, ETH.side, ETH.quantity, ETH.entry_price) == (
        "ETHUSDT",
        "long",
        5.0,
        3_000.0,
    )
    assert BOOK == (BTC, ETH) and (WALLET, LEVERAGE) == (5_000.0, 20)
    assert (BTC.notional, ETH.notional) == (30_000.0, 15_000.0)


def test_isolated_and_cross_accounts_hand_worked() -> None:
    # isolated at 20x: 30,000 / 20 = 1,500 and 15,000 / 20 = 750 leave the 5,000 wallet
    iso = book_account("isolated")
    assert iso.position("BTCUSDT").isolated_wallet == 1_500.0
    assert iso.position("ETHUSDT").isolated_wallet == 750.0
    assert iso.wallet_balance == 2_750.0
    # cross: nothing leaves the wallet; both legs are cross
    cross = book_account("cross")
    assert cross.wallet_balance == 5_000.0
    assert {p.margin_mode for p in cross.positions.values()} == {"cross"}


def test_options_of_the_book() -> None:
    short = book_account("isolated", 10, 20_000, side="short", quantity=1.0, entry_price=50_000)
    p = short.position("BTCUSDT")
    assert (p.side, p.quantity, p.entry_price, p.isolated_wallet) == (
        "short",
        1.0,
        50_000.0,
        5_000.0,
    )
    assert "ETHUSDT" in short.positions
    assert "ETHUSDT" not in book_account("cross", other_quantity=0).positions
    # the ETH leg takes the leverage, or its bracket's maximum when that is lower:
    # 100 ETH at 3,000 = 300,000 USDT
    table = load_brackets("ETHUSDT")
    cap = table.max_leverage(300_000.0)
    big = book_account("cross", 125, 100_000, other_quantity=100)
    assert big.position("ETHUSDT").leverage == min(125.0, cap)
    # an ETH fall of 40 % costs 6,000 on the cross wallet of 5,000: the whole account goes
    moved = book_account("cross", other_move=-0.4)
    assert moved.positions == {} and moved.events[0].symbols == ("ETHUSDT", "BTCUSDT")
    # the isolated BTC leg does not notice
    assert "BTCUSDT" in book_account("isolated", other_move=-0.4).positions


def test_refusals_and_bad_input() -> None:
    with pytest.raises(InsufficientMarginError, match="initial margin"):
        book_account("isolated", 5)  # 45,000 / 5 = 9,000 > 5,000
    with pytest.raises(ValueError, match="mode"):
        book_account("hedge")
    with pytest.raises(ValueError, match="other_move must be > -1"):
        book_account("cross", other_move=-1.0)
    with pytest.raises(ValueError, match="other_quantity"):
        book_account("cross", other_quantity=-1)


@pytest.mark.parametrize("bad", [None, "20", [20]])
def test_book_account_names_a_leverage_that_is_not_a_number(bad: object) -> None:
    with pytest.raises(TypeError, match="leverage must be a real number"):
        book_account("cross", bad)  # type: ignore[arg-type]
