"""Account operations and the exchange's rules, on hand-worked numbers.

Unless stated, brackets are BTCUSDT/ETHUSDT of 2024-10-24 (bracket 1: MMR 0.4 %, cum 0, up to
50,000 USDT and 125x). Every expected number is worked by hand in the comments.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from margin_widgets.engine import (
    Account,
    InsufficientMarginError,
    LeverageError,
    MarginError,
    ModeSwitchError,
    NoPositionError,
    dip_path,
    liquidation_price,
    load_brackets,
)

ETH_TABLE = load_brackets("ETHUSDT", "2024-10-24")


def lp(account: Account, symbol: str) -> float:
    """The account's liquidation price of ``symbol``, which these positions always have."""
    price = account.liquidation_price(symbol)
    assert price is not None
    return price


def isolated_btc_account(wallet: float = 1_000, leverage: float = 50) -> Account:
    account = Account(wallet_balance=wallet)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=leverage)
    return account


# --------------------------------------------------------------------------- open, increase, reduce
def test_open_increase_reduce_close_isolated() -> None:
    account = isolated_btc_account()
    # initial margin 20,000 / 50 = 400 moves from the cross wallet to the position
    assert account.wallet_balance == 600
    p = account.position("BTCUSDT")
    assert (p.quantity, p.entry_price, p.leverage, p.isolated_wallet) == (1, 20_000, 50, 400)
    assert (p.margin_mode, account.mark_price("BTCUSDT")) == ("isolated", 20_000)
    # LP = (400 − 20,000) / (0.004 − 1) = 19,600 / 0.996 = 4,900,000 / 249
    assert account.liquidation_price("BTCUSDT") == pytest.approx(float(F(4_900_000, 249)))

    # increase: 1 more at 22,000, same leverage -> margin 440; entry (20,000 + 22,000) / 2
    account.open_position("BTCUSDT", "long", 1, price=22_000)
    p = account.position("BTCUSDT")
    assert (p.quantity, p.entry_price, p.isolated_wallet) == (2, 21_000, 840)
    assert account.wallet_balance == pytest.approx(160)

    # reduce 0.5 at 23,000: realised 0.5·(23,000 − 21,000) = 1,000; a quarter of the isolated
    # wallet (210) is released; the cross wallet gets 160 + 1,000 + 210 = 1,370
    account.update_mark("BTCUSDT", 23_000)
    assert account.reduce_position("BTCUSDT", 0.5) == pytest.approx(1_000)
    p = account.position("BTCUSDT")
    assert p.quantity == 1.5
    assert p.isolated_wallet == pytest.approx(630)
    assert account.wallet_balance == pytest.approx(1_370)

    # close: realised 1.5·2,000 = 3,000, released 630 -> 5,000 = 1,000 deposited + 4,000 profit
    assert account.close_position("BTCUSDT") == pytest.approx(3_000)
    assert account.positions == {}
    assert account.wallet_balance == pytest.approx(5_000)


def test_open_and_close_cross_long_and_short() -> None:
    account = Account(wallet_balance=1_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    # cross: nothing leaves the wallet; the initial margin (1,000) only has to be available
    assert account.wallet_balance == 1_000
    assert account.available_balance() == 0
    # LP = (1,000 − 20,000) / (0.004 − 1) = 19,000 / 0.996 = 4,750,000 / 249
    assert account.liquidation_price("BTCUSDT") == pytest.approx(float(F(4_750_000, 249)))
    account.update_mark("BTCUSDT", 21_000)
    assert account.close_position("BTCUSDT") == pytest.approx(1_000)
    assert account.wallet_balance == pytest.approx(2_000)

    account.open_position("ETHUSDT", "short", 2, price=3_000, leverage=10)
    account.update_mark("ETHUSDT", 2_900)
    # short: PnL = −1·2·(2,900 − 3,000) = +200
    assert account.close_position("ETHUSDT") == pytest.approx(200)
    assert account.wallet_balance == pytest.approx(2_200)


def test_position_and_account_summary() -> None:
    account = isolated_btc_account()
    account.update_mark("BTCUSDT", 19_800)
    s = account.position_summary("BTCUSDT")
    # notional 19,800; initial margin 19,800 / 50 = 396; MM 19,800·0.004 = 79.2;
    # UPNL −200; margin balance 400 − 200 = 200; ratio 79.2 / 200 = 0.396;
    # position leverage 19,800 / 200 = 99; ROE −200 / 400 = −0.5; bankruptcy 20,000 − 400
    assert s.notional == pytest.approx(19_800)
    assert s.initial_margin == pytest.approx(396)
    assert s.maintenance_margin == pytest.approx(79.2)
    assert (s.maintenance_margin_rate, s.maintenance_amount) == (0.004, 0)
    assert s.unrealized_pnl == pytest.approx(-200)
    assert s.margin_balance == pytest.approx(200)
    assert s.margin_ratio == pytest.approx(0.396)
    assert s.effective_leverage == pytest.approx(99)
    assert s.return_on_equity == pytest.approx(-0.5)
    assert s.collateral == 400
    assert s.liquidation_price == pytest.approx(float(F(4_900_000, 249)))
    assert s.bankruptcy_price == pytest.approx(19_600)
    total = account.summary()
    assert total.cross_wallet_balance == 600
    assert total.isolated_wallet_balance == 400
    assert total.total_wallet_balance == 1_000
    assert total.total_margin_balance == pytest.approx(800)
    assert total.available_balance == 600
    assert (total.cross_margin_ratio, total.effective_leverage) == (0, 0)


def test_cross_summary_effective_leverage_and_margin_ratio() -> None:
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=20)
    account.open_position("ETHUSDT", "long", 5, price=3_000, leverage=20)
    total = account.summary()
    # F3: effective leverage = total notional / margin balance = (30,000 + 15,000) / 5,000 = 9
    assert total.effective_leverage == pytest.approx(9)
    # C3: one ratio for the account: MM (120 + 60) / margin balance 5,000 = 0.036
    assert total.cross_margin_ratio == pytest.approx(0.036)
    assert account.margin_ratio("BTCUSDT") == account.margin_ratio("ETHUSDT")
    # available = 5,000 − (1,500 + 750) = 2,750
    assert total.available_balance == pytest.approx(2_750)
    # flagship numbers: cross LP = (5,000 − 60 − 30,000) / (−0.498) = 50,321.29
    assert account.liquidation_price("BTCUSDT") == pytest.approx(float(F(12_530_000, 249)))


# --------------------------------------------------------------------------- refusals
def test_trading_refusals() -> None:
    account = isolated_btc_account()
    with pytest.raises(MarginError, match="side must be 'long' to add to the open BTCUSDT"):
        account.open_position("BTCUSDT", "short", 1, price=20_000)
    with pytest.raises(MarginError, match="quantity must be <= the open size 1 of BTCUSDT"):
        account.reduce_position("BTCUSDT", 2)
    with pytest.raises(NoPositionError, match="'ETHUSDT' has no open position"):
        account.close_position("ETHUSDT")
    with pytest.raises(ValueError, match="'ETHUSDT' has no mark price"):
        account.open_position("ETHUSDT", "long", 1)
    # 600 available; 1 ETH at 3,000 with 2x needs 1,500
    with pytest.raises(InsufficientMarginError, match=r"needs 1,500\.00 USDT of initial margin"):
        account.open_position("ETHUSDT", "long", 1, price=3_000, leverage=2)
    # max withdrawable = min(600 − 0 cross MM, 600 available) = 600
    with pytest.raises(InsufficientMarginError, match=r"must be <= the withdrawable 600\.00"):
        account.withdraw(600.01)
    account.withdraw(600)
    assert account.wallet_balance == 0


@pytest.mark.parametrize(
    ("quantity", "leverage", "allowed"),
    [
        (2, 125, True),  # 40,000 USDT: bracket 1, up to 125x
        (2, 126, False),
        (3, 100, True),  # 60,000 USDT: bracket 2, up to 100x
        (3, 101, False),
        (1, 0.5, False),  # below 1x
    ],
)
def test_leverage_is_capped_by_the_bracket_of_the_notional(
    quantity: float, leverage: float, allowed: bool
) -> None:
    account = Account(wallet_balance=100_000)
    if allowed:
        account.open_position("BTCUSDT", "long", quantity, price=20_000, leverage=leverage)
        assert account.leverage("BTCUSDT") == leverage
    else:
        before = account.snapshot()
        with pytest.raises(LeverageError, match="leverage must be between 1 and"):
            account.open_position("BTCUSDT", "long", quantity, price=20_000, leverage=leverage)
        assert account.snapshot() == before


def test_set_leverage_checks_the_open_notional() -> None:
    account = Account(wallet_balance=100_000)
    account.set_leverage(125, "BTCUSDT")  # nothing open: bracket 1
    with pytest.raises(LeverageError, match=r"between 1 and 125 for a BTCUSDT notional of 0\.00"):
        account.set_leverage(126, "BTCUSDT")
    account.open_position("BTCUSDT", "long", 3, price=20_000, leverage=50)  # 60,000: bracket 2
    account.set_leverage(100, "BTCUSDT")
    with pytest.raises(LeverageError, match=r"between 1 and 100 .* 60,000.00 USDT \(bracket 2\)"):
        account.set_leverage(101, "BTCUSDT")
    assert account.leverage("BTCUSDT") == 100


# --------------------------------------------------------------------------- isolated margin
def test_add_and_reduce_isolated_margin_with_the_initial_margin_limit() -> None:
    account = isolated_btc_account(wallet=5_000, leverage=10)  # isolated wallet 2,000
    # LP = 18,000 / 0.996 -> after adding 500: (2,500 − 20,000) / (−0.996) = 17,500 / 0.996
    before = account.liquidation_price("BTCUSDT")
    account.add_margin("BTCUSDT", 500)
    assert (account.wallet_balance, account.position("BTCUSDT").isolated_wallet) == (2_500, 2_500)
    assert before == pytest.approx(18_000 / 0.996)
    assert account.liquidation_price("BTCUSDT") == pytest.approx(17_500 / 0.996)  # I4: at once
    # removable = max(0, min(wallet − MM, wallet + UPNL − IM at the mark)) (Binance FAQ)
    # at the entry: min(2,500 − 80, 2,500 + 0 − 2,000) = 500
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(500)
    # at 19,000: UPNL −1,000 counts, 2,500 − 1,000 − 1,900 < 0 -> nothing removable
    account.update_mark("BTCUSDT", 19_000)
    assert account.max_removable_margin("BTCUSDT") == 0
    # at 21,000: unrealised profit counts, min(2,500 − 84, 2,500 + 1,000 − 2,100) = 1,400
    account.update_mark("BTCUSDT", 21_000)
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(1_400)
    with pytest.raises(InsufficientMarginError, match=r"its initial margin of 2,100\.00 USDT"):
        account.reduce_margin("BTCUSDT", 1_400.01)
    account.reduce_margin("BTCUSDT", 1_400)
    assert account.position("BTCUSDT").isolated_wallet == pytest.approx(1_100)
    assert account.wallet_balance == pytest.approx(3_900)
    # addable = min(3,900 − 0 cross MM, available 3,900) = 3,900
    with pytest.raises(InsufficientMarginError, match=r"the available balance 3,900\.00"):
        account.add_margin("BTCUSDT", 3_900.01)


def test_margin_cannot_be_added_to_a_cross_position() -> None:
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    with pytest.raises(MarginError, match="'BTCUSDT' is in cross margin mode; margin is shared"):
        account.add_margin("BTCUSDT", 100)
    with pytest.raises(MarginError, match="cross margin mode"):
        account.max_removable_margin("BTCUSDT")


# --------------------------------------------------------------------------- mode switch
def test_mode_switch_only_without_open_position() -> None:
    account = Account(wallet_balance=10_000)
    assert account.margin_mode("BTCUSDT") == "cross"  # CCXT default
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    # S1: no switch while the pair has an open position
    with pytest.raises(ModeSwitchError) as caught:
        account.set_margin_mode("isolated", "BTCUSDT")
    assert str(caught.value) == (
        "cannot switch BTCUSDT to isolated margin: it has an open cross position; close it first"
    )
    account.set_margin_mode("cross", "BTCUSDT")  # no change: allowed
    account.set_margin_mode("isolated", "ETHUSDT")  # C2/I2: per pair
    account.close_position("BTCUSDT")
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    # S2: back to cross needs the isolated position closed too
    with pytest.raises(ModeSwitchError, match="open isolated position"):
        account.set_margin_mode("cross", "BTCUSDT")
    with pytest.raises(ValueError, match="mode must be 'cross' or 'isolated', got 'portfolio'"):
        account.set_margin_mode("portfolio", "ETHUSDT")
    with pytest.raises(ValueError, match="symbol must be one of"):
        account.set_margin_mode("cross", "DOGEUSDT")


# --------------------------------------------------------------------------- transfers
def two_isolated_positions() -> Account:
    account = Account(wallet_balance=10_000)
    for symbol in ("BTCUSDT", "ETHUSDT"):
        account.set_margin_mode("isolated", symbol)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)  # wallet 2,000
    account.open_position("ETHUSDT", "short", 2, price=3_000, leverage=10)  # wallet 600
    return account


def test_transfer_between_cross_wallet_and_isolated_positions() -> None:
    account = two_isolated_positions()  # cross wallet 10,000 − 2,600 = 7,400
    account.transfer(1_000, "cross", "BTCUSDT")
    assert account.position("BTCUSDT").isolated_wallet == 3_000
    account.transfer(1_000, "BTCUSDT", "cross")
    assert account.position("BTCUSDT").isolated_wallet == 2_000
    assert account.wallet_balance == 7_400
    # isolated to isolated: through the cross wallet, which ends where it started
    account.add_margin("BTCUSDT", 500)
    account.transfer(300, "BTCUSDT", "ETHUSDT")
    assert account.position("BTCUSDT").isolated_wallet == 2_200
    assert account.position("ETHUSDT").isolated_wallet == 900
    assert account.wallet_balance == 6_900


def test_transfer_refused_on_one_leg_changes_nothing() -> None:
    account = two_isolated_positions()
    account.brackets["SOLUSDT"] = ETH_TABLE
    account.open_position("SOLUSDT", "long", 10, price=100, leverage=10)  # a cross position
    before = account.snapshot()
    # first leg refused: BTCUSDT's wallet equals its initial margin, nothing is removable
    with pytest.raises(InsufficientMarginError):
        account.transfer(1, "BTCUSDT", "ETHUSDT")
    assert account.snapshot() == before
    account.add_margin("BTCUSDT", 500)
    before = account.snapshot()
    # second leg refused: the destination is a cross position (margin is shared)
    with pytest.raises(MarginError, match="cross margin mode"):
        account.transfer(100, "BTCUSDT", "SOLUSDT")
    assert account.snapshot() == before
    # second leg refused: no position at all
    with pytest.raises(NoPositionError):
        account.transfer(100, "BTCUSDT", "XRPUSDT")
    assert account.snapshot() == before
    with pytest.raises(MarginError, match="destination must differ from source"):
        account.transfer(100, "BTCUSDT", "BTCUSDT")
    assert account.snapshot() == before


# --------------------------------------------------------------------------- funding
def test_funding_to_isolated_wallet_moves_only_that_liquidation_price() -> None:
    account = two_isolated_positions()
    btc_before = lp(account, "BTCUSDT")
    eth_before = lp(account, "ETHUSDT")
    payment, events = account.settle_funding("BTCUSDT", 0.0001)
    # the long pays 20,000·1·0.0001 = 2 out of its own isolated wallet
    assert payment == pytest.approx(-2)
    assert events == []
    assert account.position("BTCUSDT").isolated_wallet == pytest.approx(1_998)
    assert account.wallet_balance == 7_400
    # Funding on an isolated long: its's LP rises by payment / (Q·(1 − MMR)) = 2 / 0.996
    shift = lp(account, "BTCUSDT") - btc_before
    assert shift == pytest.approx(2 / (1 * (1 - 0.004)), rel=1e-9)
    assert account.liquidation_price("ETHUSDT") == eth_before


def test_funding_to_cross_wallet_moves_every_cross_liquidation_price() -> None:
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=20)
    account.open_position("ETHUSDT", "long", 5, price=3_000, leverage=20)
    btc_before = lp(account, "BTCUSDT")
    eth_before = lp(account, "ETHUSDT")
    payment, _ = account.settle_funding("BTCUSDT", 0.0003)
    # 60,000·0.5·0.0003 = 9 paid out of the shared wallet
    assert payment == pytest.approx(-9)
    assert account.wallet_balance == pytest.approx(4_991)
    assert lp(account, "BTCUSDT") - btc_before == pytest.approx(9 / (0.5 * 0.996))
    assert lp(account, "ETHUSDT") - eth_before == pytest.approx(9 / (5 * 0.996))


def test_funding_rate_does_not_depend_on_the_mode() -> None:
    # F4: the same position pays the same amount in both modes; only the booking differs
    isolated = isolated_btc_account(wallet=10_000, leverage=10)
    cross = Account(wallet_balance=10_000)
    cross.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    assert (
        isolated.settle_funding("BTCUSDT", -0.0002)[0]
        == cross.settle_funding("BTCUSDT", -0.0002)[0]
        == pytest.approx(4)
    )


def test_funding_can_liquidate() -> None:
    account = isolated_btc_account()  # isolated wallet 400, LP 19,678.71
    account.update_mark("BTCUSDT", 19_700)  # margin balance 100, MM 78.8
    payment, events = account.settle_funding("BTCUSDT", 0.002, step="16:00")  # pays 39.4
    assert payment == pytest.approx(-39.4)
    assert [(e.margin_mode, e.step, e.symbols) for e in events] == [
        ("isolated", "16:00", ("BTCUSDT",))
    ]


# --------------------------------------------------------------------------- liquidations
def test_isolated_liquidation_takes_only_that_margin() -> None:
    account = isolated_btc_account()
    account.open_position("ETHUSDT", "long", 1, price=3_000, leverage=20)  # cross, IM 150
    # 19,650: PnL −350, margin balance 50 <= MM 19,650·0.004 = 78.6 -> liquidated
    events = account.update_mark("BTCUSDT", 19_650, step=1)
    (event,) = events
    assert (event.sequence, event.step, event.margin_mode, event.symbols) == (
        0,
        1,
        "isolated",
        ("BTCUSDT",),
    )
    assert event.mark_prices == (19_650,)
    assert event.realized_pnl[0] == pytest.approx(-350)
    assert event.collateral_lost == 400  # F1: the margin is lost ...
    assert event.surplus_to_insurance_fund == pytest.approx(50)  # ... the rest goes to the fund
    assert event.deficit_absorbed == 0
    assert event.margin_ratio == pytest.approx(78.6 / 50)
    assert account.wallet_balance == 600  # ... and nothing else moves
    assert list(account.positions) == ["ETHUSDT"]
    assert account.events == [event]
    assert account.insurance_fund_received == pytest.approx(50)
    assert event.describe() == (
        "#0 (step 1): isolated liquidation of BTCUSDT at 19,650.00; collateral lost 400.00 USDT"
    )


def test_isolated_gap_through_bankruptcy_deficit_goes_to_insurance_fund() -> None:
    account = isolated_btc_account()
    # a gap to 19,000: PnL −1,000, margin balance 400 − 1,000 = −600
    (event,) = account.update_mark("BTCUSDT", 19_000)
    assert event.collateral_lost == 400
    assert event.deficit_absorbed == pytest.approx(600)
    assert account.insurance_fund_absorbed == pytest.approx(600)
    assert account.wallet_balance == 600  # the trader is not charged the deficit
    assert "insurance fund absorbed 600.00 USDT" in event.describe()


def test_cross_liquidation_closes_every_cross_position_and_takes_the_wallet() -> None:
    account = Account(wallet_balance=2_500, brackets={"SOLUSDT": ETH_TABLE})
    account.set_margin_mode("isolated", "ETHUSDT")
    account.open_position("ETHUSDT", "long", 1, price=3_000, leverage=6)  # isolated, 500
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)  # cross
    account.open_position("SOLUSDT", "long", 20, price=150, leverage=20)  # cross, notional 3,000
    # cross wallet 2,000; BTC LP = (2,000 − 12 − 20,000) / (−0.996) with TMM = 3,000·0.004
    assert account.liquidation_price("BTCUSDT") == pytest.approx(18_012 / 0.996)
    (event,) = account.update_mark("BTCUSDT", 18_050, step="t1")
    # margin balance 2,000 − 1,950 = 50 <= MM 72.2 + 12 = 84.2
    assert event.margin_mode == "cross"
    assert event.symbols == ("BTCUSDT", "SOLUSDT")  # worst PnL first
    assert event.realized_pnl[0] == pytest.approx(-1_950)
    assert event.realized_pnl[1] == 0
    assert event.collateral_lost == 2_000
    assert event.surplus_to_insurance_fund == pytest.approx(50)
    assert account.wallet_balance == 0
    assert list(account.positions) == ["ETHUSDT"]  # the isolated position survives
    assert account.position("ETHUSDT").isolated_wallet == 500


def test_dip_liquidates_isolated_but_not_cross() -> None:
    """C4: a short dip that the isolated position does not survive and the cross one does."""
    isolated = isolated_btc_account(wallet=5_000, leverage=20)  # LP 19,000 / 0.996 = 19,076
    cross = Account(wallet_balance=5_000)
    cross.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)  # LP 15,000 / 0.996
    for step, price in enumerate(dip_path(20_000, 0.08, n_steps=20)):  # low 18,400
        isolated.update_mark("BTCUSDT", price, step=step)
        cross.update_mark("BTCUSDT", price, step=step)
    # the path falls 160 a step: step 5 is 19,200 (above the LP), step 6 is 19,040 (below)
    assert [e.step for e in isolated.events] == [6]
    assert cross.events == []
    assert cross.position("BTCUSDT").unrealized_pnl(cross.mark_price("BTCUSDT")) == 0


def test_cascade_along_a_price_path() -> None:
    """Isolated positions fall one by one, highest leverage first; the cross account goes last
    and all at once. Events carry their sequence numbers and steps in order."""
    tables = {s: ETH_TABLE for s in ("AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT", "EEEUSDT")}
    account = Account(wallet_balance=600, brackets=tables)
    # 10 units at 100 each (notional 1,000, bracket 1): isolated LP = (M − 1,000) / (−9.96)
    for symbol, leverage in (("AAAUSDT", 50), ("BBBUSDT", 20), ("CCCUSDT", 10)):
        account.set_margin_mode("isolated", symbol)
        account.open_position(symbol, "long", 10, price=100, leverage=leverage)
    #   50x: M 20  -> 980 / 9.96 = 98.39;  20x: M 50 -> 95.38;  10x: M 100 -> 90.36
    for symbol in ("DDDUSDT", "EEEUSDT"):
        account.open_position(symbol, "long", 10, price=100, leverage=5)
    # cross wallet 600 − 170 = 430. DDD's own LP, EEE held at 100 (TMM 4, UPNL 0):
    # (430 − 4 − 1,000) / (10·0.004 − 10) = 574 / 9.96 = 57.63. When both fall together:
    # 430 + 20·(P − 100) = 20·P·0.004 -> P = 1,570 / 19.92 = 78.82
    assert account.liquidation_price("DDDUSDT") == pytest.approx(574 / 9.96)
    path = dip_path(100, 0.3, n_steps=60)  # 100, 99, ..., 70, ..., 100
    for step, price in enumerate(path):
        account.update_marks(dict.fromkeys(tables, price), step=step)
    summary = [(e.sequence, e.step, e.margin_mode, e.symbols) for e in account.events]
    assert summary == [
        (0, 2, "isolated", ("AAAUSDT",)),
        (1, 5, "isolated", ("BBBUSDT",)),
        (2, 10, "isolated", ("CCCUSDT",)),
        (3, 22, "cross", ("DDDUSDT", "EEEUSDT")),
    ]
    # every USDT deposited is gone: 20 + 50 + 100 isolated, 430 cross
    assert sum(e.collateral_lost for e in account.events) == pytest.approx(600)
    assert account.positions == {} and account.wallet_balance == 0


# --------------------------------------------------------------------------- state
def test_copy_is_independent_and_snapshot_is_plain_data() -> None:
    account = isolated_btc_account()
    before = account.snapshot()
    twin = account.copy()
    twin.add_margin("BTCUSDT", 50)
    twin.set_leverage(5, "ETHUSDT")
    twin.update_mark("BTCUSDT", 15_000)
    assert twin.events and not account.events
    assert account.snapshot() == before  # nothing done to the twin reached the account
    snap = account.snapshot()
    assert snap["wallet_balance"] == 600
    assert snap["positions"]["BTCUSDT"]["isolated_wallet"] == 400
    assert snap["brackets"] == {}  # the shipped tables are looked up, not stored


def test_account_uses_given_bracket_tables() -> None:
    old = load_brackets("BTCUSDT", "2021-03-18")
    account = Account(wallet_balance=10_000, brackets={"BTCUSDT": old})
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
    assert account.snapshot()["brackets"] == {"BTCUSDT": "2021-03-18"}
    # the formula with the 2021 table's bracket 1 (0.4 %): 19,600 / 0.996
    assert account.liquidation_price("BTCUSDT") == pytest.approx(
        liquidation_price("long", 1, 20_000, 400, 0.004, 0)
    )


def test_bad_account_inputs() -> None:
    with pytest.raises(ValueError, match="wallet_balance must be >= 0"):
        Account(wallet_balance=-1)
    account = Account(wallet_balance=100)
    with pytest.raises(ValueError, match="amount must be > 0"):
        account.deposit(0)
    with pytest.raises(ValueError, match=r"prices\['BTCUSDT'\] must be > 0"):
        account.update_mark("BTCUSDT", 0)
    with pytest.raises(TypeError, match="quantity must be a real number"):
        account.open_position("BTCUSDT", "long", "1", price=100)  # type: ignore[arg-type]
