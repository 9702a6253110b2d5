"""The exchange's rules around an open position: removable, addable, available and withdrawable
amounts, leverage changes, ROE, and how a liquidation is settled.

Brackets are BTCUSDT/ETHUSDT of 2024-10-24 (bracket 1: MMR 0.4 %, cum 0, up to 50,000 USDT and
125x). Every expected number is worked by hand in the comments. The formulas come from Binance's
FAQ "How to Adjust Margin Balance in Cross/Isolated Margin Mode?" (max addable / removable
isolated margin, max withdrawal in cross mode), "How to Check Futures Wallet Balance" (Available
for Order), the USDⓈ-M API "Error Codes" (-4161) and "How to Use the Binance Futures
Calculator" (ROE on the initial margin at entry).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    InsufficientMarginError,
    LeverageError,
    account_is_liquidated,
    load_brackets,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=300, deadline=None)


def isolated_long(wallet: float, leverage: float, quantity: float = 1.0) -> Account:
    account = Account(wallet_balance=wallet)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", quantity, price=20_000, leverage=leverage)
    return account


# --------------------------------------------------------------------------- removable margin
@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        # 1 BTC long at 20,000, 10x: isolated wallet 2,000; MM = 0.4 % of the notional
        (20_000, 0.0),  # min(2,000 − 80, 2,000 + 0 − 2,000) = 0
        (21_000, 900.0),  # min(2,000 − 84, 2,000 + 1,000 − 2,100) = 900
        (22_000, 1_800.0),  # min(2,000 − 88, 2,000 + 2,000 − 2,200) = 1,800
        (30_000, 1_880.0),  # min(2,000 − 120, 2,000 + 10,000 − 3,000): the wallet keeps MM
        (19_500, 0.0),  # min(2,000 − 78, 2,000 − 500 − 1,950) < 0 -> 0
    ],
)
def test_removable_margin_follows_the_current_faq(mark: float, expected: float) -> None:
    account = isolated_long(wallet=5_000, leverage=10)
    account.update_mark("BTCUSDT", mark)
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(expected, abs=1e-9)


def test_a_position_in_profit_may_remove_more_than_its_initial_margin_surplus() -> None:
    # the older rule (profit not counted) allowed max(0, 2,000 − 3,000) = 0 at 30,000;
    # the FAQ's formula allows 1,880 and the position keeps its maintenance margin of 120
    account = isolated_long(wallet=5_000, leverage=10)
    account.update_mark("BTCUSDT", 30_000)
    account.reduce_margin("BTCUSDT", 1_880)
    assert account.position("BTCUSDT").isolated_wallet == pytest.approx(120)
    assert account.wallet_balance == pytest.approx(3_000 + 1_880)
    # margin balance 120 + 10,000 = 10,120 >= initial margin 3,000; the LP moved up at once:
    # (120 − 20,000) / (0.004 − 1) = 19,880 / 0.996
    assert account.liquidation_price("BTCUSDT") == pytest.approx(19_880 / 0.996)
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(0, abs=1e-9)


def test_removable_margin_of_a_short_in_profit() -> None:
    account = Account(wallet_balance=2_000)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=20)  # wallet 1,000
    account.update_mark("BTCUSDT", 19_000)
    # size·(mark − entry) = −1·(19,000 − 20,000) = +1,000; IM at the mark 19,000 / 20 = 950
    # min(1,000 − 76, 1,000 + 1,000 − 950) = min(924, 1,050) = 924
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(924)
    before = account.snapshot()
    with pytest.raises(InsufficientMarginError, match=r"maintenance margin of 76\.00 USDT"):
        account.reduce_margin("BTCUSDT", 924.5)
    assert account.snapshot() == before


# --------------------------------------------------------------------------- the three balances
def profitable_cross_with_isolated_eth() -> Account:
    """1,000 USDT; cross 1 BTC long at 20,000 with 20x (IM 1,000), mark moved to 24,000;
    then an isolated 1 ETH long at 3,000 with 10x (300 leaves the cross wallet)."""
    account = Account(wallet_balance=1_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    account.update_mark("BTCUSDT", 24_000)
    account.set_margin_mode("isolated", "ETHUSDT")
    account.open_position("ETHUSDT", "long", 1, price=3_000, leverage=10)
    return account


def test_available_addable_and_withdrawable_differ_as_documented() -> None:
    account = profitable_cross_with_isolated_eth()
    assert account.wallet_balance == pytest.approx(700)
    # available = wallet + cross UPnL − cross IM at the mark = 700 + 4,000 − 1,200 = 3,500
    assert account.available_balance() == pytest.approx(3_500)
    # addable = min(wallet − cross MM, available) = min(700 − 96, 3,500) = 604
    assert account.max_addable_margin("ETHUSDT") == pytest.approx(604)
    # withdrawable = min(wallet − cross MM, available) = 604: the 4,000 profit never leaves
    assert account.max_withdrawable() == pytest.approx(604)
    assert account.summary().available_balance == pytest.approx(3_500)


def test_each_operation_uses_its_own_limit() -> None:
    account = profitable_cross_with_isolated_eth()
    before = account.snapshot()
    with pytest.raises(InsufficientMarginError, match=r"the withdrawable 604\.00 USDT"):
        account.withdraw(605)
    with pytest.raises(InsufficientMarginError, match=r"the addable 604\.00 USDT for ETHUSDT"):
        account.add_margin("ETHUSDT", 605)
    with pytest.raises(InsufficientMarginError, match=r"the addable 604\.00"):
        account.transfer(605, "cross", "ETHUSDT")
    assert account.snapshot() == before
    # a new order may use the available 3,500 (profit included): 1 more ETH at 10x needs 300
    account.open_position("ETHUSDT", "long", 1, price=3_000, leverage=10)
    assert account.wallet_balance == pytest.approx(400)
    account.withdraw(304)  # min(400 − 96, 3,500 − 300) = 304
    assert account.wallet_balance == pytest.approx(96)
    assert account.max_withdrawable() == pytest.approx(0, abs=1e-9)


def test_available_balance_counts_a_cross_loss_and_a_profit() -> None:
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)  # IM 2,000
    # profit: 5,000 + 1,000 − 2,100 = 3,900; loss: 5,000 − 1,000 − 1,900 = 2,100
    account.update_mark("BTCUSDT", 21_000)
    assert account.available_balance() == pytest.approx(3_900)
    account.update_mark("BTCUSDT", 19_000)
    assert account.available_balance() == pytest.approx(2_100)
    # withdrawable at 19,000: min(5,000 − 76, 2,100) = 2,100
    assert account.max_withdrawable() == pytest.approx(2_100)


# --------------------------------------------------------------------------- leverage changes
def test_lowering_an_open_isolated_leverage_is_refused_with_the_exchanges_reason() -> None:
    account = isolated_long(wallet=1_000, leverage=20)
    before = account.snapshot()
    with pytest.raises(LeverageError, match="-4161: Leverage reduction is not supported in"):
        account.set_leverage(10, "BTCUSDT")
    assert account.snapshot() == before


def test_raising_an_open_isolated_leverage_applies_at_once() -> None:
    account = isolated_long(wallet=1_000, leverage=20)  # isolated wallet 1,000
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(0)
    account.set_leverage(40, "BTCUSDT")
    # the position itself carries 40x now: IM 20,000 / 40 = 500, wallet kept at 1,000,
    # removable = min(1,000 − 80, 1,000 − 500) = 500
    assert account.position("BTCUSDT").leverage == 40
    assert account.position("BTCUSDT").isolated_wallet == 1_000
    assert account.position_summary("BTCUSDT").initial_margin == pytest.approx(500)
    assert account.max_removable_margin("BTCUSDT") == pytest.approx(500)


def test_changing_an_open_cross_leverage_moves_its_initial_margin_now() -> None:
    account = Account(wallet_balance=3_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)  # IM 1,000
    assert account.available_balance() == pytest.approx(2_000)
    account.set_leverage(10, "BTCUSDT")  # IM 2,000: available 3,000 − 2,000 = 1,000
    assert account.available_balance() == pytest.approx(1_000)
    assert account.summary().cross_initial_margin == pytest.approx(2_000)
    before = account.snapshot()
    # 5x needs IM 4,000: 2,000 more than the 1,000 available
    with pytest.raises(InsufficientMarginError, match=r"needs 2,000\.00 USDT more initial"):
        account.set_leverage(5, "BTCUSDT")
    assert account.snapshot() == before
    account.set_leverage(50, "BTCUSDT")  # IM 400: available 2,600
    assert account.available_balance() == pytest.approx(2_600)


def test_adding_at_another_leverage_asks_to_change_the_leverage_first() -> None:
    account = isolated_long(wallet=2_000, leverage=20)
    before = account.snapshot()
    with pytest.raises(LeverageError, match=r"change the leverage first with set_leverage\(10"):
        account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    assert account.snapshot() == before
    # the same leverage, or none given, adds at the position's 20x: 20,000 / 20 = 1,000 more
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    assert account.position("BTCUSDT").isolated_wallet == pytest.approx(2_000)


# --------------------------------------------------------------------------- ROE
def test_roe_divides_by_the_initial_margin_at_entry() -> None:
    account = Account(wallet_balance=2_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    account.update_mark("BTCUSDT", 22_000)
    s = account.position_summary("BTCUSDT")
    # UPnL 2,000; IM at entry 20,000 / 20 = 1,000; IM at the mark 22,000 / 20 = 1,100
    assert s.initial_margin_at_entry == pytest.approx(1_000)
    assert s.initial_margin == pytest.approx(1_100)
    assert s.return_on_equity == pytest.approx(2.0)  # not 2,000 / 1,100 = 1.818...
    # the calculator's identity: ROE = side·(exit / entry − 1)·leverage = (1.1 − 1)·20
    assert s.return_on_equity == pytest.approx((22_000 / 20_000 - 1) * 20)


# --------------------------------------------------------------------------- settlement
def test_a_wallet_overdrawn_by_a_close_is_settled_by_the_insurance_fund() -> None:
    account = Account(wallet_balance=3_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)  # IM 1,000
    account.open_position("ETHUSDT", "long", 10, price=3_000, leverage=20)  # IM 1,500
    account.update_marks({"BTCUSDT": 24_000, "ETHUSDT": 2_600})  # +4,000 and −4,000
    # closing ETH realises −4,000: the wallet is −1,000, BTC's +4,000 still carries it
    assert account.close_position("ETHUSDT") == pytest.approx(-4_000)
    assert account.wallet_balance == pytest.approx(-1_000)
    assert account.max_withdrawable() == 0
    # BTC falls to 20,500: margin balance −1,000 + 500 = −500 -> cross liquidation
    (event,) = account.update_mark("BTCUSDT", 20_500)
    assert event.margin_mode == "cross"
    assert event.collateral_lost == 0  # never negative
    assert event.wallet_overdraft == pytest.approx(1_000)
    assert event.realized_pnl == pytest.approx((500,))
    assert event.insurance_fund_cover == pytest.approx(500)  # brings −500 back to 0
    assert event.deficit_absorbed == event.insurance_fund_cover
    assert event.surplus_to_insurance_fund == 0
    # 0 − 1,000 + 500 + 500 − 0 = 0
    assert event.balance_error() == pytest.approx(0, abs=1e-9)
    assert account.wallet_balance == 0
    assert account.insurance_fund_absorbed == pytest.approx(500)
    assert "insurance fund absorbed 500.00 USDT" in event.describe()


def test_funding_that_overdraws_an_isolated_wallet_loses_no_negative_collateral() -> None:
    account = isolated_long(wallet=1_000, leverage=50)  # isolated wallet 400
    # rate 3 %: the long pays 20,000 × 0.03 = 600 -> isolated wallet −200 -> liquidated
    payment, (event,) = account.settle_funding("BTCUSDT", 0.03)
    assert payment == pytest.approx(-600)
    assert event.collateral_lost == 0
    assert event.wallet_overdraft == pytest.approx(200)
    assert event.insurance_fund_cover == pytest.approx(200)
    assert event.margin_ratio == math.inf
    assert event.balance_error() == pytest.approx(0, abs=1e-9)
    assert account.wallet_balance == 600  # the cross wallet is untouched


@st.composite
def busy_accounts(draw: st.DrawFn) -> tuple[Account, list[dict[str, Any]]]:
    account = Account(wallet_balance=draw(st.floats(1_000, 100_000)))
    for symbol, price in (("BTCUSDT", 20_000.0), ("ETHUSDT", 3_000.0)):
        if draw(st.booleans()):
            account.set_margin_mode("isolated", symbol)
        leverage = draw(st.floats(1, 50))
        share = draw(st.floats(0.05, 0.45))
        quantity = account.available_balance() * share * leverage / price
        side = draw(st.sampled_from(["long", "short"]))
        account.open_position(symbol, side, quantity, price=price, leverage=leverage)
    steps = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "BTCUSDT": st.floats(0.5, 1.5),
                    "ETHUSDT": st.floats(0.5, 1.5),
                    "rate": st.floats(-0.05, 0.05),
                    "close": st.booleans(),
                }
            ),
            min_size=1,
            max_size=6,
        )
    )
    return account, steps


@PROPERTY
@given(case=busy_accounts())
def test_every_liquidation_event_adds_up(case: tuple[Account, list[dict[str, Any]]]) -> None:
    account, steps = case
    for step in steps:
        prices = {s: base * step[s] for s, base in (("BTCUSDT", 2e4), ("ETHUSDT", 3e3))}
        account.update_marks(prices)
        for symbol in sorted(account.positions):
            if symbol in account.positions:  # a cross liquidation may have closed it
                account.settle_funding(symbol, step["rate"])
        if step["close"] and account.positions:
            account.close_position(sorted(account.positions)[0])
    assume(account.events)
    for done in account.events:
        event(f"{done.margin_mode}, overdraft {done.wallet_overdraft > 0}")
        scale = sum(abs(x) for x in done.realized_pnl) + done.collateral_lost + 1.0
        assert done.collateral_lost >= 0
        assert done.wallet_overdraft >= 0
        assert done.insurance_fund_cover >= 0 and done.surplus_to_insurance_fund >= 0
        assert done.insurance_fund_cover * done.surplus_to_insurance_fund == 0
        assert done.deficit_absorbed == done.insurance_fund_cover
        assert done.balance_error() == pytest.approx(0, abs=1e-9 * scale)
    assert account.wallet_balance >= 0 or account.positions


# --------------------------------------------------------------------------- one liquidation test
@pytest.mark.parametrize(
    ("maintenance", "balance", "expected"),
    [
        (79.2, 200.0, False),  # ratio 39.6 %
        (80.0, 80.0, True),  # ratio exactly 100 %
        (80.0, 79.99, True),
        (0.0, 0.0, True),  # nothing left at all
        (0.0, -5.0, True),  # past bankruptcy
        (0.0, 1.0, False),  # no position to maintain
    ],
)
def test_account_is_liquidated(maintenance: float, balance: float, expected: bool) -> None:
    assert account_is_liquidated(maintenance, balance) is expected


def test_is_liquidated_on_a_copy_with_the_mark_at_and_past_the_liquidation_price() -> None:
    account = isolated_long(wallet=1_000, leverage=50)
    lp = account.liquidation_price("BTCUSDT")
    assert lp is not None
    twin = account.copy()
    twin.marks["BTCUSDT"] = lp * (1 + 1e-9)  # just above: not yet
    assert not twin.is_liquidated("BTCUSDT")
    twin.marks["BTCUSDT"] = lp * (1 - 1e-9)
    assert twin.is_liquidated("BTCUSDT") and twin.is_liquidated()
    assert not account.is_liquidated()
    with pytest.raises(ValueError, match="maintenance_margin_value must be >= 0"):
        account_is_liquidated(-1, 10)


# --------------------------------------------------------------------------- alert prices, outlook
TABLE_2021 = load_brackets("BTCUSDT", "2021-03-18")


def ten_btc(side: str, wallet: float) -> Account:
    """10 BTC at 20,000, isolated with ``wallet`` USDT, 2021 brackets."""
    account = Account(wallet_balance=wallet, brackets={"BTCUSDT": TABLE_2021})
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", side, 10, price=20_000, leverage=2)  # 100,000
    if wallet > 100_000:
        account.add_margin("BTCUSDT", wallet - 100_000)
    return account


def test_a_low_alert_ratio_is_reached_twice_and_the_nearest_to_entry_is_returned() -> None:
    # 10 BTC long at 20,000 with 100,000: 0.05·MB(P) = 0.5·P − 5,000. Bracket 2 (MMR 0.5 %,
    # cum 50): 0.5·P − 5,000 = 0.05·P − 50 at P = 11,000; bracket 6 (MMR 10 %, cum
    # 1,266,300): 0.5·P − 5,000 = P − 1,266,300 at P = 2,522,600. 11,000 is nearer 20,000.
    account = ten_btc("long", 100_000)
    assert account.price_at_margin_ratio("BTCUSDT", 0.05) == pytest.approx(11_000)
    assert account.margin_ratio_at("BTCUSDT", 11_000) == pytest.approx(0.05)
    assert account.margin_ratio_at("BTCUSDT", 2_522_600) == pytest.approx(0.05)


def _brute_force_roots(account: Account, symbol: str, target: float) -> list[float]:
    """Prices where the account's own margin-ratio curve crosses ``target`` (grid + bisection)."""
    p = account.position(symbol)
    lo, hi = p.entry_price * 1e-4, TABLE_2021.max_notional / p.quantity * 4
    grid = [lo * (hi / lo) ** (i / 6_000) for i in range(6_001)]
    ratios = account.margin_ratio_curve(symbol, grid)

    def above(ratio: float) -> bool:
        return ratio >= target

    roots = []
    for a, b, ra, rb in zip(grid, grid[1:], ratios, ratios[1:], strict=False):
        if above(ra) != above(rb):
            side_a = above(ra)
            for _ in range(200):
                mid = (a + b) / 2
                if above(account.margin_ratio_at(symbol, mid)) == side_a:
                    a = mid
                else:
                    b = mid
            roots.append((a + b) / 2)
    return roots


@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("wallet", [100_000, 150_000, 400_000])
@pytest.mark.parametrize("target", [0.003, 0.01, 0.05, 0.2, 0.5, 0.8, 1.0])
def test_price_at_margin_ratio_is_the_nearest_crossing_to_the_entry(
    side: str, wallet: float, target: float
) -> None:
    account = ten_btc(side, wallet)
    roots = _brute_force_roots(account, "BTCUSDT", target)
    price = account.price_at_margin_ratio("BTCUSDT", target)
    if not roots:
        assert price is None
    else:
        assert price is not None
        nearest = min(roots, key=lambda root: abs(root - 20_000))
        assert price == pytest.approx(nearest, rel=1e-6)
    if target == 1.0:  # the liquidation price (up to the last bit: two solvers)
        lp = account.liquidation_price("BTCUSDT")
        assert (price is None) == (lp is None)
        assert price is None or price == pytest.approx(lp, rel=1e-12)


def test_liquidation_outlook_of_the_account() -> None:
    account = isolated_long(wallet=1_000, leverage=50)
    outlook = account.liquidation_outlook("BTCUSDT")
    # (400 − 20,000) / (0.004 − 1) = 4,900,000 / 249
    assert (outlook.kind, outlook.price) == ("at_price", account.liquidation_price("BTCUSDT"))
    assert outlook.price == pytest.approx(4_900_000 / 249)
    # a long whose liquidation price is above the mark is liquidatable already
    twin = account.copy()
    twin.marks["BTCUSDT"] = 19_600.0
    assert twin.liquidation_outlook("BTCUSDT").kind == "already"
    # a long backed by more than its notional is never liquidated: 2x plus 11,000 added
    safe = isolated_long(wallet=30_000, leverage=2)
    safe.add_margin("BTCUSDT", 11_000)
    assert safe.liquidation_outlook("BTCUSDT").kind == "never"
    assert safe.liquidation_price("BTCUSDT") is None
