"""Account under Bybit's and OKX's rules (``exchange=``): documented examples and hand-worked cases.

Binance stays the default and is checked to be the same account whichever way it is named.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    InsufficientMarginError,
    LeverageError,
    MarginError,
    NoPositionError,
    TierTable,
    UnsupportedModeError,
    isolated_liquidation_price,
    load_brackets,
    load_tier_table,
)
from margin_widgets.engine.exchanges import Tier

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=200, deadline=None)


def _bybit_isolated(side: str = "long", **kwargs: Any) -> Account:
    account = Account(wallet_balance=1_000, exchange="bybit", **kwargs)
    account.set_margin_mode("isolated", "BTCUSDT")
    assert account.open_position("BTCUSDT", side, 1, price=20_000, leverage=50) == []
    return account


# --------------------------------------------------------------------------- Bybit
def test_bybit_documented_example_through_an_account() -> None:
    # Bybit, "Liquidation Price (USDT Contract)": 1 BTC long at 20,000 with 50x, MMR 0.5 %.
    # The shipped BTCUSDT tier 1 (position value up to 2,000,000) has MMR 0.5 %, deduction 0.
    # IM = 20,000 / 50 = 400, MM = 20,000 × 0.5 % = 100; LP = 20,000 − (400 − 100) / 1 = 19,700,
    # bankruptcy = 20,000 × (1 − 1/50) = 19,600.
    account = _bybit_isolated()
    assert account.position("BTCUSDT").isolated_wallet == 400.0
    assert account.wallet_balance == 600.0
    assert account.liquidation_price("BTCUSDT") == 19_700.0
    assert account.bankruptcy_price("BTCUSDT") == 19_600.0
    summary = account.position_summary("BTCUSDT")
    assert summary.maintenance_margin == 100.0
    assert summary.maintenance_margin_rate == 0.005
    assert summary.margin_ratio == 0.25  # 100 / 400, Bybit's orientation (liquidated at 1)
    assert summary.liquidation_price == 19_700.0
    assert summary.bankruptcy_price == 19_600.0


def test_bybit_maintenance_margin_stays_on_the_entry_value() -> None:
    # Bybit values MM on the entry: at a mark of 19,800 it is still 20,000 × 0.5 % = 100
    # (Binance would charge 19,800 × 0.5 % = 99). Ratio 100 / (400 − 200) = 0.5.
    account = _bybit_isolated()
    assert account.update_mark("BTCUSDT", 19_800) == []
    assert account.position_summary("BTCUSDT").maintenance_margin == 100.0
    assert account.margin_ratio("BTCUSDT") == 0.5
    assert account.margin_ratio_at("BTCUSDT", 19_750) == 100 / 150  # balance 400 − 250


def test_bybit_liquidation_in_check_liquidations_at_the_documented_price() -> None:
    # At 19,701 the balance is 400 − 299 = 101 > 100: alive. At 19,700 it is 100 = MM: Bybit
    # liquidates (ratio 100 %); the 100 USDT left goes to the insurance fund.
    account = _bybit_isolated()
    assert account.update_mark("BTCUSDT", 19_701) == []
    assert not account.is_liquidated("BTCUSDT")
    (event,) = account.update_mark("BTCUSDT", 19_700, step="t1")
    assert event.margin_mode == "isolated" and event.symbols == ("BTCUSDT",)
    assert event.margin_ratio == 1.0
    assert event.collateral_lost == 400.0
    assert event.surplus_to_insurance_fund == 100.0
    assert event.deficit_absorbed == 0.0
    assert account.positions == {} and account.wallet_balance == 600.0


def test_bybit_short_mirror() -> None:
    # Short: LP = 20,000 + (400 − 100) = 20,300; bankruptcy 20,000 × (1 + 1/50) = 20,400.
    account = _bybit_isolated("short")
    assert account.liquidation_price("BTCUSDT") == 20_300.0
    assert account.bankruptcy_price("BTCUSDT") == 20_400.0
    assert account.update_mark("BTCUSDT", 20_299) == []
    assert len(account.update_mark("BTCUSDT", 20_300)) == 1


def test_bybit_with_a_tier_table_passed_in() -> None:
    # A one-tier table with MMR 1 %: MM = 200, LP = 20,000 − (400 − 200) = 19,800.
    table = TierTable(
        exchange="bybit",
        symbol="BTCUSDT",
        effective_date="2024-01-01",
        source="hand-made",
        basis="notional",
        tiers=(Tier(1, 0.0, 10_000_000.0, 100.0, 0.01, 0.0),),
    )
    account = _bybit_isolated(tier_tables={"BTCUSDT": table})
    assert account.liquidation_price("BTCUSDT") == 19_800.0
    assert account.tier_table("BTCUSDT") is table
    assert account.snapshot()["tier_tables"] == {"BTCUSDT": "2024-01-01"}


def test_bybit_tier_is_chosen_at_entry() -> None:
    # 100 BTC long at 20,500 = 2,050,000 USDT: tier 2 (MMR 0.56 %, deduction 1,200), 10x:
    # IM = 205,000, MM = 11,480 − 1,200 = 10,280, LP = 20,500 − 194,720 / 100 = 18,552.8.
    account = Account(wallet_balance=300_000, exchange="bybit")
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 100, price=20_500, leverage=10)
    assert account.liquidation_price("BTCUSDT") == pytest.approx(18_552.8, rel=1e-12)
    assert account.position_summary("BTCUSDT").maintenance_margin == pytest.approx(10_280.0)
    # 18,553.5: balance 205,000 − 194,650 = 10,350 > 10,280; 18,552: 10,200 <= 10,280
    assert account.update_mark("BTCUSDT", 18_553.5) == []
    assert len(account.update_mark("BTCUSDT", 18_552)) == 1


def test_bybit_refuses_cross_margin_naming_the_exchange_and_mode() -> None:
    account = Account(wallet_balance=1_000, exchange="bybit")
    before = account.snapshot()
    with pytest.raises(UnsupportedModeError, match=r"bybit.*cross"):
        account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
    with pytest.raises(UnsupportedModeError, match=r"bybit.*cross"):
        account.set_margin_mode("cross", "BTCUSDT")
    assert account.snapshot() == before


def test_bybit_leverage_above_the_tier_maximum_is_refused() -> None:
    # Bybit BTCUSDT tier 1 allows 100x at most.
    account = Account(wallet_balance=1_000, exchange="bybit")
    account.set_margin_mode("isolated", "BTCUSDT")
    before = account.snapshot()
    with pytest.raises(LeverageError, match="between 1 and 100"):
        account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=101)
    assert account.snapshot() == before


def test_bybit_binance_only_views_are_refused() -> None:
    account = _bybit_isolated()
    with pytest.raises(UnsupportedModeError, match="bybit"):
        account.liquidation_outlook("BTCUSDT")
    with pytest.raises(UnsupportedModeError, match="bybit"):
        account.price_at_margin_ratio("BTCUSDT", 0.8)
    with pytest.raises(MarginError, match="tier_table"):
        account.table("BTCUSDT")


# --------------------------------------------------------------------------- OKX
def _okx_isolated(side: str = "long", fee_rate: float = 0.0) -> Account:
    account = Account(wallet_balance=1_000, exchange="okx", fee_rate=fee_rate)
    account.set_margin_mode("isolated", "ETHUSDT")
    assert account.open_position("ETHUSDT", side, 10, price=3_000, leverage=50) == []
    return account


def test_okx_isolated_long_hand_worked() -> None:
    # ETHUSDT tier 1 (up to 3,000 contracts = 300 ETH): MMR 0.4 %. 10 ETH at 3,000, 50x: M = 600.
    # No fee: LP = (30,000 − 600) / (10 × (1 − 0.004)) = 29,400 / 9.96 = 2,951.8072...
    account = _okx_isolated()
    assert account.liquidation_price("ETHUSDT") == pytest.approx(29_400 / 9.96, rel=1e-14)
    assert account.bankruptcy_price("ETHUSDT") == 2_940.0  # 3,000 − 600 / 10
    # Fee 0.05 %: LP = 29,400 / (10 × 0.9955) = 2,953.2898...
    with_fee = _okx_isolated(fee_rate=0.0005)
    assert with_fee.liquidation_price("ETHUSDT") == pytest.approx(29_400 / 9.955, rel=1e-14)


def test_okx_margin_ratio_is_inverted() -> None:
    # Equity / (MM + fee) at the mark: 600 / (30,000 × 0.45 %) = 600 / 135 = 4.444...
    account = _okx_isolated(fee_rate=0.0005)
    assert account.margin_ratio("ETHUSDT") == pytest.approx(600 / 135, rel=1e-14)
    summary = account.position_summary("ETHUSDT")
    assert summary.maintenance_margin == pytest.approx(135.0, rel=1e-14)
    # At 2,960: equity 600 − 400 = 200, requirement 10 × 2,960 × 0.45 % = 133.2
    assert account.margin_ratio_at("ETHUSDT", 2_960) == pytest.approx(200 / 133.2, rel=1e-14)


def test_okx_liquidated_when_the_ratio_falls_to_100_percent() -> None:
    # LP 2,953.29. At 2,953.5: equity 135, requirement 132.9075 (ratio 1.0157): alive.
    # At 2,953: equity 130, requirement 132.885 (ratio 0.978 <= 1): liquidated.
    account = _okx_isolated(fee_rate=0.0005)
    assert account.update_mark("ETHUSDT", 2_953.5) == []
    (event,) = account.update_mark("ETHUSDT", 2_953)
    assert event.margin_ratio == pytest.approx(130 / 132.885, rel=1e-12)
    assert event.margin_ratio < 1
    assert event.collateral_lost == 600.0
    assert event.surplus_to_insurance_fund == pytest.approx(130.0)
    assert account.positions == {}


def test_okx_isolated_short_hand_worked() -> None:
    # LP = (30,000 + 600) / (10 × (1 + 0.004 + 0.0005)) = 30,600 / 10.045 = 3,046.29...
    account = _okx_isolated("short", fee_rate=0.0005)
    assert account.liquidation_price("ETHUSDT") == pytest.approx(30_600 / 10.045, rel=1e-14)
    assert account.bankruptcy_price("ETHUSDT") == 3_060.0


def test_okx_tier_by_size() -> None:
    # 350 ETH = 3,500 contracts: tier 2 (MMR 0.5 %, 100x). 20x: M = 1,050,000 / 20 = 52,500.
    # LP = (1,050,000 − 52,500) / (350 × 0.995) = 997,500 / 348.25 = 2,864.32...
    account = Account(wallet_balance=60_000, exchange="okx")
    account.set_margin_mode("isolated", "ETHUSDT")
    account.open_position("ETHUSDT", "long", 350, price=3_000, leverage=20)
    assert account.position_summary("ETHUSDT").maintenance_margin_rate == 0.005
    assert account.liquidation_price("ETHUSDT") == pytest.approx(997_500 / 348.25, rel=1e-14)
    with pytest.raises(LeverageError, match="between 1 and 100"):
        account.set_leverage(110, "ETHUSDT")


def test_okx_cross_ratio_and_liquidation_test() -> None:
    # OKX documents the cross margin ratio: equity / (MM + fee) of every cross position.
    # Wallet 10,000, 10 ETH long at 3,000 with 10x, fee 0.05 %: 10,000 / 135 = 74.07 at 3,000.
    # The balance equals the requirement at 10,000 + 10 (P − 3,000) = 0.045 P, P = 2,009.04:
    # at 2,010 equity 100 > 90.45 (alive); at 2,009 equity 90 < 90.405 (liquidated).
    account = Account(wallet_balance=10_000, exchange="okx", fee_rate=0.0005)
    account.open_position("ETHUSDT", "long", 10, price=3_000, leverage=10)
    assert account.cross_margin_ratio() == pytest.approx(10_000 / 135, rel=1e-14)
    assert account.summary().cross_margin_ratio == pytest.approx(10_000 / 135, rel=1e-14)
    assert account.update_mark("ETHUSDT", 2_010) == []
    (event,) = account.update_mark("ETHUSDT", 2_009)
    assert event.margin_mode == "cross"
    assert event.margin_ratio == pytest.approx(90 / 90.405, rel=1e-12)
    assert account.wallet_balance == 0.0 and account.positions == {}
    assert account.cross_margin_ratio() == math.inf  # no cross position: no requirement


def test_okx_cross_liquidation_price_is_refused() -> None:
    account = Account(wallet_balance=10_000, exchange="okx")
    account.open_position("ETHUSDT", "long", 10, price=3_000, leverage=10)
    before = account.snapshot()
    with pytest.raises(UnsupportedModeError, match=r"okx in cross margin mode"):
        account.liquidation_price("ETHUSDT")
    with pytest.raises(UnsupportedModeError, match=r"okx in cross margin mode"):
        account.bankruptcy_price("ETHUSDT")
    summary = account.position_summary("ETHUSDT")
    assert summary.liquidation_price is None and summary.bankruptcy_price is None
    assert account.snapshot() == before


def test_okx_symbol_without_a_table_is_refused_unchanged() -> None:
    account = Account(wallet_balance=10_000, exchange="okx")
    before = account.snapshot()
    with pytest.raises(ValueError, match="ETHUSDT"):
        account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    assert account.snapshot() == before


# --------------------------------------------------------------------------- construction
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"exchange": "ftx"}, "exchange must be one of"),
        ({"exchange": "binance", "fee_rate": 0.0005}, "fee_rate must be 0 for binance"),
        ({"exchange": "bybit", "fee_rate": 0.0005}, "fee_rate must be 0 for bybit"),
        ({"exchange": "okx", "fee_rate": 1.5}, "fee_rate"),
        ({"exchange": "okx", "brackets": {"BTCUSDT": load_brackets("BTCUSDT")}}, "brackets"),
        ({"tier_tables": {"BTCUSDT": load_tier_table("bybit")}}, "tier_tables"),
        ({"exchange": "okx", "tier_tables": {"BTCUSDT": load_tier_table("bybit")}}, "okx"),
        ({"position_mode": "two_way"}, "position_mode must be one of"),
    ],
)
def test_bad_construction_is_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Account(wallet_balance=1_000, **kwargs)


@pytest.mark.parametrize("exchange", ["bybit", "okx"])
def test_hedge_mode_is_binance_only(exchange: str) -> None:
    with pytest.raises(UnsupportedModeError, match=exchange):
        Account(exchange=exchange, position_mode="hedge")
    account = Account(exchange=exchange)
    with pytest.raises(UnsupportedModeError, match=exchange):
        account.set_position_mode("hedge")
    assert account.position_mode == "one_way"


# --------------------------------------------------------------------------- properties
@PROPERTY
@given(
    exchange=st.sampled_from(["bybit", "okx"]),
    side=st.sampled_from(["long", "short"]),
    quantity=st.floats(0.01, 250.0),
    price=st.floats(100.0, 50_000.0),
    leverage_fraction=st.floats(0.0, 1.0),
    fee_rate=st.sampled_from([0.0, 0.0002, 0.0005]),
)
def test_isolated_price_is_where_the_exchange_liquidates(
    exchange: str,
    side: str,
    quantity: float,
    price: float,
    leverage_fraction: float,
    fee_rate: float,
) -> None:
    """The account's isolated price is the convention's, and check_liquidations fires there."""
    symbol = "BTCUSDT" if exchange == "bybit" else "ETHUSDT"
    fee = fee_rate if exchange == "okx" else 0.0
    table = load_tier_table(exchange, symbol)
    tier = table.tier_for(quantity, price)
    leverage = 1 + leverage_fraction * (min(tier.max_leverage, 50) - 1)
    notional = quantity * price
    account = Account(wallet_balance=notional, exchange=exchange, fee_rate=fee)
    account.set_margin_mode("isolated", symbol)
    account.open_position(symbol, side, quantity, price=price, leverage=leverage)
    expected = isolated_liquidation_price(
        exchange,
        side,
        quantity,
        price,
        leverage,
        tier.maintenance_margin_rate,
        tier.maintenance_amount,
        fee_rate=fee,
    )
    lp = account.liquidation_price(symbol)
    if expected is None:  # a long at 1x (or near it) has no positive liquidation price
        assert lp is None
        return
    assert lp == pytest.approx(expected, rel=1e-12)
    assert lp is not None
    sign = 1 if side == "long" else -1
    safe = lp * (1 + sign * 1e-6)
    beyond = lp * (1 - sign * 1e-6)
    assert not account.copy().update_mark(symbol, safe)
    assert account.copy().update_mark(symbol, beyond)


@st.composite
def _operations(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    ops: list[tuple[str, dict[str, Any]]] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(
            st.sampled_from(["open", "mark", "mode", "add", "reduce", "close", "funding", "lev"])
        )
        symbol = draw(st.sampled_from(["BTCUSDT", "ETHUSDT"]))
        base = 20_000.0 if symbol == "BTCUSDT" else 3_000.0
        args: dict[str, Any] = {"symbol": symbol}
        if kind == "open":
            args.update(
                side=draw(st.sampled_from(["long", "short"])),
                quantity=draw(st.floats(0.001, 2.0)),
                price=base * draw(st.floats(0.8, 1.2)),
                leverage=draw(st.floats(1.0, 60.0)),
            )
        elif kind == "mark":
            args.update(price=base * draw(st.floats(0.5, 1.5)))
        elif kind == "mode":
            args.update(mode=draw(st.sampled_from(["cross", "isolated"])))
        elif kind in ("add", "reduce"):
            args.update(amount=draw(st.floats(1.0, 500.0)))
        elif kind == "funding":
            args.update(rate=draw(st.floats(-0.01, 0.01)))
        elif kind == "lev":
            args.update(leverage=draw(st.floats(1.0, 125.0)))
        ops.append((kind, args))
    return ops


def _apply(account: Account, kind: str, args: dict[str, Any]) -> object:
    symbol = args["symbol"]
    try:
        if kind == "open":
            return account.open_position(
                symbol, args["side"], args["quantity"], args["price"], args["leverage"]
            )
        if kind == "mark":
            return account.update_mark(symbol, args["price"])
        if kind == "mode":
            account.set_margin_mode(args["mode"], symbol)
        elif kind == "add":
            account.add_margin(symbol, args["amount"])
        elif kind == "reduce":
            account.reduce_margin(symbol, args["amount"])
        elif kind == "lev":
            account.set_leverage(args["leverage"], symbol)
        if kind == "close":
            return account.close_position(symbol)
        if kind == "funding":
            return account.settle_funding(symbol, args["rate"])
        return None
    except (InsufficientMarginError, LeverageError, NoPositionError, MarginError) as error:
        return type(error).__name__, str(error)


@PROPERTY
@given(wallet=st.floats(100.0, 50_000.0), operations=_operations())
def test_binance_named_is_the_default_account(
    wallet: float, operations: list[tuple[str, dict[str, Any]]]
) -> None:
    """Account(exchange="binance") and Account() give the same results and the same state."""
    default = Account(wallet_balance=wallet)
    named = Account(wallet_balance=wallet, exchange="binance")
    for kind, args in operations:
        assert _apply(default, kind, args) == _apply(named, kind, args)
        assert default.snapshot() == named.snapshot()
        for symbol in default.positions:
            assert default.liquidation_price(symbol) == named.liquidation_price(symbol)
            assert default.position_summary(symbol) == named.position_summary(symbol)
        assert default.summary() == named.summary()
