"""Property-based tests of the Account: invariants that hold for every position and state."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    InsufficientMarginError,
    LeverageError,
    MarginError,
    ModeSwitchError,
    NoPositionError,
    liquidation_price,
    load_brackets,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=500, deadline=None)

SIGN = {"long": 1, "short": -1}
TABLES = {"BTCUSDT": load_brackets("BTCUSDT"), "ETHUSDT": load_brackets("ETHUSDT")}
sides = st.sampled_from(["long", "short"])


@st.composite
def trades(draw: st.DrawFn, symbol: str, max_log_value: float = 7.5) -> dict[str, Any]:
    """A position to open: side, quantity, price and an allowed leverage for its notional."""
    value = 10 ** draw(st.floats(1.0, max_log_value))
    price = draw(st.floats(1.0, 1e5))
    top = TABLES[symbol].max_leverage(value)
    leverage = 1 + draw(st.floats(0.0, 1.0)) * (top - 1)
    return {"side": draw(sides), "quantity": value / price, "price": price, "leverage": leverage}


def _total_wallets(account: Account) -> float:
    return account.wallet_balance + sum(p.isolated_wallet for p in account.positions.values())


# --------------------------------------------------------------------------- I1 / F1
@PROPERTY
@given(
    trade=trades("BTCUSDT"),
    extra=st.floats(0.0, 2.0),
    other=st.one_of(st.none(), trades("ETHUSDT", max_log_value=5.0)),
    beyond=st.floats(1e-7, 1.0),
)
def test_isolated_liquidation_never_loses_more_than_the_allocated_margin(
    trade: dict[str, Any], extra: float, other: dict[str, Any] | None, beyond: float
) -> None:
    initial = trade["quantity"] * trade["price"] / trade["leverage"]
    other_initial = 0.0 if other is None else other["quantity"] * other["price"] / other["leverage"]
    account = Account(wallet_balance=(initial * (1 + extra) + other_initial) * 1.5)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", **trade)
    if initial * extra > 0:  # a tiny extra can underflow to no amount at all
        account.add_margin("BTCUSDT", initial * extra)
    if other is not None:
        account.open_position("ETHUSDT", **other)  # a cross position, its mark never moves
    lp = account.liquidation_price("BTCUSDT")
    assume(lp is not None)
    assert lp is not None
    p = account.position("BTCUSDT")
    s, ep = p.sign, p.entry_price

    # just on the safe side of LP: nothing happens
    assert account.update_mark("BTCUSDT", lp + s * 1e-7 * ep) == []
    # to LP or beyond (a long below it, a short above it, up to a gap through bankruptcy)
    mark = lp - s * max(beyond * (lp if s > 0 else 3 * ep), 1e-7 * ep)
    assume(mark > 0)
    cross_wallet = account.wallet_balance
    others = {k: v for k, v in account.positions.items() if k != "BTCUSDT"}
    before = _total_wallets(account)
    (event,) = account.update_mark("BTCUSDT", mark)

    pnl = s * p.quantity * (mark - ep)
    balance = p.isolated_wallet + pnl
    assert (event.margin_mode, event.symbols) == ("isolated", ("BTCUSDT",))
    assert event.collateral_lost == p.isolated_wallet
    # the trader's total (cross wallet + isolated wallets) falls by exactly that margin
    # (to rounding of the total)
    lost = before - _total_wallets(account)
    assert lost == pytest.approx(p.isolated_wallet, rel=1e-12, abs=1e-12 * before)
    assert account.wallet_balance == cross_wallet  # the cross wallet is untouched
    assert account.positions == others  # so is every other position
    assert event.deficit_absorbed == pytest.approx(max(0.0, -balance), rel=1e-9, abs=1e-9)
    assert account.insurance_fund_absorbed == event.deficit_absorbed
    assert event.surplus_to_insurance_fund == pytest.approx(max(0.0, balance), abs=1e-9)
    # the trader loses the margin, the PnL beyond it is the fund's: M = −PnL − deficit + surplus
    assert p.isolated_wallet == pytest.approx(
        -pnl - event.deficit_absorbed + event.surplus_to_insurance_fund,
        rel=1e-9,
        abs=1e-9 * p.quantity * ep,
    )


# --------------------------------------------------------------------------- identities
@st.composite
def cross_accounts(draw: st.DrawFn) -> Account:
    """Cross BTC and ETH positions (or one isolated), the ETH mark moved afterwards."""
    btc, eth = draw(trades("BTCUSDT")), draw(trades("ETHUSDT", max_log_value=6.5))
    initial = sum(t["quantity"] * t["price"] / t["leverage"] for t in (btc, eth))
    account = Account(wallet_balance=initial * draw(st.floats(1.001, 4.0)))
    account.set_margin_mode(draw(st.sampled_from(["cross", "isolated"])), "BTCUSDT")
    account.open_position("ETHUSDT", **eth)
    account.open_position("BTCUSDT", **btc)
    account.update_mark("ETHUSDT", eth["price"] * (1 + draw(st.floats(-0.2, 0.2))))
    assume(len(account.positions) == 2)  # not liquidated by the move
    return account


@PROPERTY
@given(account=cross_accounts())
def test_account_liquidation_price_satisfies_the_margin_equation(account: Account) -> None:
    """At Account.liquidation_price the governing margin balance equals its maintenance
    margin (isolated: the position's own; cross: the whole cross account, other marks held),
    and the formula with the bracket at that price gives the same price."""
    for symbol, p in account.positions.items():
        lp = account.liquidation_price(symbol)
        if lp is None:
            continue
        twin = account.copy()
        twin.marks[symbol] = lp  # look at the account at LP without liquidating it
        if p.margin_mode == "isolated":
            balance = twin.isolated_margin_balance(symbol)
            maintenance = twin.position_summary(symbol).maintenance_margin
            wallet, tmm, upnl = p.isolated_wallet, 0.0, 0.0
        else:
            balance, maintenance = twin.cross_margin_balance(), twin.cross_maintenance_margin()
            wallet = account.wallet_balance
            tmm = sum(
                account.position_summary(o).maintenance_margin
                for o, q in account.positions.items()
                if o != symbol and q.margin_mode == "cross"
            )
            upnl = sum(
                account.position_summary(o).unrealized_pnl
                for o, q in account.positions.items()
                if o != symbol and q.margin_mode == "cross"
            )
        scale = abs(wallet) + tmm + abs(upnl) + p.quantity * max(lp, p.entry_price)
        assert balance == pytest.approx(maintenance, rel=1e-9, abs=1e-9 * scale)
        bracket = TABLES[symbol].bracket_for(p.quantity * lp)
        formula = liquidation_price(
            p.side,
            p.quantity,
            p.entry_price,
            wallet,
            bracket.maintenance_margin_rate,
            bracket.maintenance_amount,
            tmm,
            upnl,
        )
        assert formula == pytest.approx(lp, rel=1e-9)


@PROPERTY
@given(account=cross_accounts(), step=st.floats(1e-7, 1e-2))
def test_liquidation_happens_at_the_liquidation_price(account: Account, step: float) -> None:
    """Moving BTC's mark just short of its LP liquidates nothing; just past it liquidates BTC
    (alone if isolated, with ETH and the cross wallet if cross)."""
    lp = account.liquidation_price("BTCUSDT")
    assume(lp is not None)
    assert lp is not None
    p = account.position("BTCUSDT")
    s, ep = p.sign, p.entry_price
    safe, past = lp + s * step * ep, lp - s * step * ep
    assume(past > 0)
    twin = account.copy()
    assert twin.update_mark("BTCUSDT", safe) == []
    (event,) = account.update_mark("BTCUSDT", past)
    assert event.margin_mode == p.margin_mode
    if p.margin_mode == "cross":
        assert set(event.symbols) == {"BTCUSDT", "ETHUSDT"}
        assert account.positions == {} and account.wallet_balance == 0
    else:
        assert list(account.positions) == ["ETHUSDT"]


@PROPERTY
@given(trade=trades("BTCUSDT"), spare=st.floats(0.0, 3.0))
def test_one_cross_position_equals_isolated_with_the_same_wallet(
    trade: dict[str, Any], spare: float
) -> None:
    initial = trade["quantity"] * trade["price"] / trade["leverage"]
    wallet = initial * (1 + spare)
    cross = Account(wallet_balance=wallet)
    cross.open_position("BTCUSDT", **trade)
    isolated = Account(wallet_balance=wallet)
    isolated.set_margin_mode("isolated", "BTCUSDT")
    isolated.open_position("BTCUSDT", **trade)
    if wallet - initial > 0:
        isolated.add_margin("BTCUSDT", isolated.wallet_balance)  # all of it
    a, b = cross.liquidation_price("BTCUSDT"), isolated.liquidation_price("BTCUSDT")
    if a is None or b is None:
        assert (a or 0.0) <= 1e-9 * trade["price"] and (b or 0.0) <= 1e-9 * trade["price"]
    else:
        assert a == pytest.approx(b, rel=1e-12)


@PROPERTY
@given(trade=trades("BTCUSDT"), rate=st.floats(-0.003, 0.003))
def test_funding_shifts_an_isolated_liquidation_price_by_payment_over_q_one_minus_mmr(
    trade: dict[str, Any], rate: float
) -> None:
    """Funding: an isolated long's LP moves by payment / (Q·(1 − MMR)); the short's by
    payment / (Q·(1 + MMR)) the other way (while the bracket at LP stays the same)."""
    account = Account(wallet_balance=trade["quantity"] * trade["price"])
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", **trade)
    before = account.liquidation_price("BTCUSDT")
    payment, events = account.settle_funding("BTCUSDT", rate)
    assume(not events and before is not None)
    after = account.liquidation_price("BTCUSDT")
    assume(after is not None)
    assert before is not None and after is not None
    p = account.position("BTCUSDT")
    table = TABLES["BTCUSDT"]
    bracket = table.bracket_for(p.quantity * before)
    assume(bracket == table.bracket_for(p.quantity * after))
    s, mmr = p.sign, bracket.maintenance_margin_rate
    expected = -s * payment / (p.quantity * (1 - s * mmr))
    assert after - before == pytest.approx(expected, rel=1e-6, abs=1e-10 * p.entry_price)
    # at a leverage near 1 the wallet left is a difference of two near-equal amounts, so its
    # rounding is relative to the deposit, not to the small result
    deposit = trade["quantity"] * trade["price"]
    assert account.wallet_balance == pytest.approx(
        deposit * (1 - 1 / trade["leverage"]), rel=1e-9, abs=1e-12 * deposit
    )


# --------------------------------------------------------------------------- refusals
@st.composite
def account_states(draw: st.DrawFn) -> Account:
    """Zero to two positions in either mode, sometimes with marks moved, sometimes none at all.

    Bracket tables are never pre-loaded: a refused operation on a fresh symbol must not leave
    a table behind either.
    """
    account = Account(wallet_balance=draw(st.floats(100.0, 1e6)))
    for symbol in ("BTCUSDT", "ETHUSDT"):
        kind = draw(st.sampled_from(["none", "mark", "cross", "isolated"]))
        if kind == "mark":
            account.update_mark(symbol, draw(st.floats(10.0, 1e5)))
        elif kind in ("cross", "isolated"):
            trade = draw(trades(symbol, max_log_value=6.0))
            available = account.available_balance()
            initial = trade["quantity"] * trade["price"] / trade["leverage"]
            if initial > available * 0.9:
                trade["quantity"] *= available * 0.9 / initial
            if trade["quantity"] <= 0:
                continue
            account.set_margin_mode(kind, symbol)
            account.open_position(symbol, **trade)
            if draw(st.booleans()):
                move = draw(st.floats(-0.05, 0.05))
                account.update_mark(symbol, trade["price"] * (1 + move))
    return account


Refusal = tuple[Callable[[], object], type[Exception]]


def _refusal(account: Account, data: st.DataObject) -> Refusal | None:
    kind = data.draw(
        st.sampled_from(
            [
                "reduce_margin_too_much",
                "switch_mode_with_position",
                "open_beyond_available",
                "leverage_above_cap",
                "set_leverage_above_cap",
                "add_margin_to_cross",
                "add_margin_beyond_available",
                "transfer_first_leg",
                "transfer_second_leg",
                "transfer_from_cross_too_much",
                "withdraw_too_much",
                "reduce_position_too_much",
                "open_opposite_side",
                "close_without_position",
                "funding_bad_rate",
                "marks_one_bad_price",
                "deposit_nothing",
                "lower_isolated_leverage",
                "open_at_another_leverage",
                "lower_cross_leverage_beyond_available",
                "withdraw_beyond_withdrawable",
                "add_margin_beyond_addable",
            ]
        ),
        label="refusal",
    )
    symbol = data.draw(st.sampled_from(["BTCUSDT", "ETHUSDT"]), label="symbol")
    other = "ETHUSDT" if symbol == "BTCUSDT" else "BTCUSDT"
    p = account.positions.get(symbol)
    extra = data.draw(st.floats(0.01, 1e4), label="extra")
    available = account.available_balance()
    isolated = p is not None and p.margin_mode == "isolated"
    if kind == "reduce_margin_too_much" and isolated:
        amount = account.max_removable_margin(symbol) + extra
        return (lambda: account.reduce_margin(symbol, amount)), InsufficientMarginError
    if kind == "switch_mode_with_position" and p is not None:
        mode = "cross" if isolated else "isolated"
        return (lambda: account.set_margin_mode(mode, symbol)), ModeSwitchError
    if kind == "open_beyond_available":
        side = p.side if p is not None else data.draw(sides, label="side")
        price = account.marks.get(symbol, 1_000.0)
        # at the position's leverage (1x if none): margin = available + extra
        lev = p.leverage if p is not None else 1.0
        quantity = (available + extra) * lev / price
        assume(TABLES[symbol].max_leverage((quantity + (p.quantity if p else 0.0)) * price) >= lev)
        return (
            lambda: account.open_position(symbol, side, quantity, price=price, leverage=lev)
        ), InsufficientMarginError
    if kind == "leverage_above_cap":
        side = p.side if p is not None else data.draw(sides, label="side")
        price = account.marks.get(symbol, 1_000.0)
        quantity = data.draw(st.floats(0.001, 100.0), label="quantity")
        total = quantity + (p.quantity if p is not None else 0.0)
        leverage = TABLES[symbol].max_leverage(total * price) + data.draw(st.floats(0.5, 100))
        return (
            lambda: account.open_position(symbol, side, quantity, price=price, leverage=leverage)
        ), LeverageError
    if kind == "set_leverage_above_cap":
        price = account.marks.get(symbol, 1.0)
        size = p.quantity * price if p is not None else 0.0
        leverage = TABLES[symbol].max_leverage(size) + data.draw(st.floats(0.5, 100))
        return (lambda: account.set_leverage(leverage, symbol)), LeverageError
    if kind == "add_margin_to_cross" and p is not None and not isolated:
        return (lambda: account.add_margin(symbol, extra)), MarginError
    if kind == "add_margin_beyond_available" and isolated:
        return (lambda: account.add_margin(symbol, available + extra)), InsufficientMarginError
    if kind == "transfer_first_leg" and isolated:
        amount = account.max_removable_margin(symbol) + extra
        return (lambda: account.transfer(amount, symbol, other)), InsufficientMarginError
    if kind == "transfer_second_leg" and isolated:
        q = account.positions.get(other)
        removable = account.max_removable_margin(symbol)
        if removable > 0 and (q is None or q.margin_mode == "cross"):
            amount = removable * data.draw(st.floats(0.01, 1.0), label="share")
            return (lambda: account.transfer(amount, symbol, other)), MarginError
    if kind == "transfer_from_cross_too_much" and isolated:
        return (lambda: account.transfer(available + extra, "cross", symbol)), MarginError
    if kind == "withdraw_too_much":
        return (lambda: account.withdraw(available + extra)), InsufficientMarginError
    if kind == "reduce_position_too_much" and p is not None:
        amount = p.quantity * 1.001 + extra
        return (lambda: account.reduce_position(symbol, amount)), MarginError
    if kind == "open_opposite_side" and p is not None:
        opposite = "short" if p.side == "long" else "long"
        return (lambda: account.open_position(symbol, opposite, 1.0)), MarginError
    if kind == "close_without_position" and p is None:
        return (lambda: account.close_position(symbol)), NoPositionError
    if kind == "funding_bad_rate" and p is not None:
        rate = data.draw(st.sampled_from([1.0, -1.5, math.nan, math.inf]), label="rate")
        return (lambda: account.settle_funding(symbol, rate)), ValueError
    if kind == "marks_one_bad_price":
        bad = data.draw(st.sampled_from([0.0, -1.0, math.nan, math.inf]), label="bad")
        prices = {symbol: 1_000.0, other: bad}
        return (lambda: account.update_marks(prices)), ValueError
    if kind == "deposit_nothing":
        amount = data.draw(st.sampled_from([0.0, -5.0, math.nan]), label="amount")
        return (lambda: account.deposit(amount)), ValueError
    if kind == "lower_isolated_leverage" and isolated and p is not None and p.leverage > 1:
        lower = 1 + (p.leverage - 1) * data.draw(st.floats(0.0, 0.99), label="share")
        return (lambda: account.set_leverage(lower, symbol)), LeverageError
    if kind == "open_at_another_leverage" and p is not None:
        other_leverage = p.leverage + data.draw(st.sampled_from([-0.5, 1.0]), label="step")
        assume(other_leverage >= 1)
        small = p.quantity * 1e-3
        return (
            lambda: account.open_position(symbol, p.side, small, leverage=other_leverage)
        ), LeverageError
    if kind == "lower_cross_leverage_beyond_available" and p is not None and not isolated:
        value = p.quantity * account.marks[symbol]
        # notional/L − notional/lev > available  <=>  L < notional / (available + IM)
        ceiling = value / (available + value / p.leverage)
        assume(ceiling > 1.001)
        lower = 1 + (ceiling - 1) * data.draw(st.floats(0.0, 0.99), label="share")
        return (lambda: account.set_leverage(lower, symbol)), InsufficientMarginError
    if kind == "withdraw_beyond_withdrawable":
        limit = account.max_withdrawable()
        return (lambda: account.withdraw(limit + extra)), InsufficientMarginError
    if kind == "add_margin_beyond_addable" and isolated:
        limit = account.max_addable_margin(symbol)
        return (lambda: account.add_margin(symbol, limit + extra)), InsufficientMarginError
    return None


@PROPERTY
@given(account=account_states(), data=st.data())
def test_refused_operation_leaves_the_account_unchanged(
    account: Account, data: st.DataObject
) -> None:
    refusal = _refusal(account, data)
    assume(refusal is not None)
    assert refusal is not None
    operation, error = refusal
    event(f"refused with {error.__name__}")
    before = account.snapshot()
    with pytest.raises(error):
        operation()
    assert account.snapshot() == before
