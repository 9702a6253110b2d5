"""Account in hedge mode (Binance): long and short legs, shared cross price, isolated legs.

Hand-worked cases on the BTCUSDT brackets of 2024-10-24 (bracket 1: notional up to 50,000,
MMR 0.4 %, cum 0, 125x; bracket 2: up to 600,000, 0.5 %, cum 50, 100x).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    InsufficientMarginError,
    LeverageError,
    MarginError,
    ModeSwitchError,
    NoPositionError,
    load_brackets,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=300, deadline=None)
TABLES = {
    "BTCUSDT": load_brackets("BTCUSDT", "2024-10-24"),
    "ETHUSDT": load_brackets("ETHUSDT", "2024-10-24"),
}


def _hedged(wallet: float, **kwargs: Any) -> Account:
    return Account(wallet_balance=wallet, brackets=dict(TABLES), position_mode="hedge", **kwargs)


# --------------------------------------------------------------------------- cross
def test_cross_legs_share_one_price_hand_worked() -> None:
    # 1 BTC long at 60,000 and 0.5 BTC short at 62,000 on a 5,000 USDT cross wallet (the IM
    # stays in the cross wallet). At the entries the long is in bracket 2; the fall root there
    # (N = 5,000 + 50 − 60,000 + 31,000 = −23,950, D = 0.005 + 0.002 − 1 + 0.5 = −0.493,
    # 48,580.12) puts the long in bracket 1, where N = −24,000, D = −0.494 and
    # LP = 24,000 / 0.494 = 48,582.9959..., in its own bracket: both legs share it.
    account = _hedged(5_000)
    account.open_position("BTCUSDT", "long", 1, price=60_000, leverage=20)
    account.open_position("BTCUSDT", "short", 0.5, price=62_000, leverage=20)
    long_price = account.liquidation_price("BTCUSDT", side="long")
    short_price = account.liquidation_price("BTCUSDT", side="short")
    assert long_price == short_price == pytest.approx(24_000 / 0.494, rel=1e-12)
    assert account.positions == {}
    assert set(account.hedge_positions["BTCUSDT"]) == {"long", "short"}
    # At 48,600: balance 5,000 − 11,400 + 6,700 = 300 > MM 194.4 + 97.2 = 291.6: alive.
    assert account.update_mark("BTCUSDT", 48_600) == []
    # At 48,580: balance 5,000 − 11,420 + 6,710 = 290 <= MM 194.32 + 97.16 = 291.48.
    (event,) = account.update_mark("BTCUSDT", 48_580, step="fall")
    assert event.margin_mode == "cross"
    assert event.symbols == ("BTCUSDT", "BTCUSDT")
    assert set(event.sides) == {"long", "short"}
    assert event.margin_ratio == pytest.approx(291.48 / 290, rel=1e-12)
    assert event.balance_error() == pytest.approx(0.0, abs=1e-9)
    assert account.hedge_positions == {} and account.wallet_balance == 0.0
    assert "BTCUSDT long at 48,580.00" in event.describe()


def test_cross_legs_count_the_other_symbols_positions() -> None:
    # As above, plus 1 ETH long at 2,000 (cross) marked at 1,900: UPNL = −100 and
    # TMM = 1,900 × 0.4 % = 7.6 (ETH bracket 1). N = 5,000 − 7.6 − 100 − 60,000 + 31,000
    # = −24,107.6 with the long in bracket 1, D = −0.494: LP = 24,107.6 / 0.494 = 48,800.81.
    account = _hedged(5_000)
    account.open_position("BTCUSDT", "long", 1, price=60_000, leverage=20)
    account.open_position("BTCUSDT", "short", 0.5, price=62_000, leverage=20)
    account.open_position("ETHUSDT", "long", 1, price=2_000, leverage=20)
    account.update_mark("ETHUSDT", 1_900)
    expected = 24_107.6 / 0.494
    assert account.liquidation_price("BTCUSDT", side="long") == pytest.approx(expected, rel=1e-12)
    assert account.hedge_outlook("BTCUSDT").fall_price == pytest.approx(expected, rel=1e-12)
    # The ETH leg alone is a one-way position backed by the wallet and both BTC legs (at
    # 62,000: MM 260 + 124, PnL +2,000): (5,000 − 384 + 2,000 − 2,000) / (0.004 − 1) < 0, so
    # no positive price liquidates it.
    assert account.liquidation_price("ETHUSDT", side="long") is None


def test_hedged_pair_with_a_thin_wallet_is_liquidated_on_a_rise() -> None:
    # 1 BTC each way at 20,000, 125x (IM 160 each), cross wallet 360. The PnL cancels:
    # N = 360, D = 0.004 + 0.004 − 1 + 1 = 0.008: a RISE to 45,000 (legs still in bracket 1).
    account = _hedged(360)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=125)
    account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=125)
    assert account.liquidation_price("BTCUSDT", side="long") == pytest.approx(45_000, rel=1e-12)
    outlook = account.hedge_outlook("BTCUSDT")
    assert outlook.rise_price == pytest.approx(45_000, rel=1e-12)
    assert outlook.rise_sides == ("long", "short")
    assert outlook.fall_price is None  # nothing a fall can do: the margin left only grows
    # A fall far away changes nothing: balance 360, MM 2 × 10,000 × 0.4 % = 80.
    assert account.update_mark("BTCUSDT", 10_000) == []
    # At 44,900: MM = 2 × 44,900 × 0.4 % = 359.2 < 360: alive. At 45,100: 360.8 >= 360.
    assert account.update_mark("BTCUSDT", 44_900) == []
    (event,) = account.update_mark("BTCUSDT", 45_100)
    assert event.mark_prices == (45_100.0, 45_100.0)
    assert event.realized_pnl in ((25_100.0, -25_100.0), (-25_100.0, 25_100.0))
    assert event.collateral_lost == 360.0
    assert event.surplus_to_insurance_fund == pytest.approx(360.0)
    assert account.hedge_positions == {}


def test_cross_bankruptcy_price_of_two_legs() -> None:
    # Margin balance zero: 5,000 + (P − 60,000) + 0.5 (62,000 − P) = 0, P = 24,000 / 0.5 = 48,000.
    account = _hedged(5_000)
    account.open_position("BTCUSDT", "long", 1, price=60_000, leverage=20)
    account.open_position("BTCUSDT", "short", 0.5, price=62_000, leverage=20)
    assert account.bankruptcy_price("BTCUSDT", side="short") == pytest.approx(48_000, rel=1e-12)
    # A fully hedged pair never goes bankrupt: the PnL cancels.
    pair = _hedged(360)
    pair.open_position("BTCUSDT", "long", 1, price=20_000, leverage=125)
    pair.open_position("BTCUSDT", "short", 1, price=20_000, leverage=125)
    assert pair.bankruptcy_price("BTCUSDT", side="long") is None


def test_both_legs_need_initial_margin_and_reduce_independently() -> None:
    # 5,000 wallet, 1 BTC long and 1 BTC short at 20,000 with 10x: 2,000 IM each, so the
    # available balance is 5,000 − 4,000 = 1,000.
    account = _hedged(5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=10)
    assert account.available_balance() == 1_000.0
    before = account.snapshot()
    with pytest.raises(InsufficientMarginError):
        account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=10)
    assert account.snapshot() == before
    account.update_mark("BTCUSDT", 21_000)
    # Closing the long realises +1,000; closing half of the short realises −500.
    assert account.close_position("BTCUSDT", side="long") == 1_000.0
    assert account.reduce_position("BTCUSDT", 0.5, side="short") == -500.0
    assert account.wallet_balance == 5_500.0
    assert account.position("BTCUSDT", side="short").quantity == 0.5
    with pytest.raises(NoPositionError, match="long leg"):
        account.position("BTCUSDT", side="long")


def test_adding_to_a_leg_averages_its_entry() -> None:
    # Long 1 at 20,000 then 1 more at 22,000: entry (20,000 + 22,000) / 2 = 21,000.
    account = _hedged(10_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    account.open_position("BTCUSDT", "short", 1, price=21_000, leverage=20)
    account.open_position("BTCUSDT", "long", 1, price=22_000, leverage=20)
    assert account.position("BTCUSDT", side="long").entry_price == 21_000.0
    assert account.position("BTCUSDT", side="long").quantity == 2.0
    assert account.position("BTCUSDT", side="short").entry_price == 21_000.0


def test_funding_settles_both_legs() -> None:
    # Rate 0.01 % at a mark of 20,000 on 1 BTC: the long pays 2, the short receives 2.
    cross = _hedged(5_000)
    cross.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    cross.open_position("BTCUSDT", "short", 1, price=20_000, leverage=10)
    payment, events = cross.settle_funding("BTCUSDT", 0.0001)
    assert payment == 0.0 and events == [] and cross.wallet_balance == 5_000.0
    isolated = _hedged(5_000)
    isolated.set_margin_mode("isolated", "BTCUSDT")
    isolated.open_position("BTCUSDT", "long", 1, price=20_000, leverage=100)
    isolated.open_position("BTCUSDT", "short", 1, price=20_000, leverage=100)
    isolated.settle_funding("BTCUSDT", 0.0001)
    assert isolated.position("BTCUSDT", side="long").isolated_wallet == 198.0
    assert isolated.position("BTCUSDT", side="short").isolated_wallet == 202.0


# --------------------------------------------------------------------------- isolated
def test_isolated_legs_each_have_their_own_wallet_and_price() -> None:
    # 1 BTC each way at 20,000, 100x: 200 USDT in each leg's wallet, 600 left in the cross one.
    # Long: (200 − 20,000) / (0.004 − 1) = 19,800 / 0.996 = 19,879.518...
    # Short: (200 + 20,000) / (0.004 + 1) = 20,200 / 1.004 = 20,119.521...
    account = _hedged(1_000)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=100)
    account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=100)
    assert account.wallet_balance == 600.0
    long_price = account.liquidation_price("BTCUSDT", side="long")
    short_price = account.liquidation_price("BTCUSDT", side="short")
    assert long_price == pytest.approx(19_800 / 0.996, rel=1e-12)
    assert short_price == pytest.approx(20_200 / 1.004, rel=1e-12)
    account.add_margin("BTCUSDT", 100, side="short")  # short: (300 + 20,000) / 1.004
    assert account.liquidation_price("BTCUSDT", side="short") == pytest.approx(
        20_300 / 1.004, rel=1e-12
    )
    assert account.wallet_balance == 500.0
    # At 19,850 only the long goes (its balance 200 − 150 = 50 <= MM 79.4).
    (event,) = account.update_mark("BTCUSDT", 19_850)
    assert event.margin_mode == "isolated" and event.sides == ("long",)
    assert event.collateral_lost == 200.0
    assert account.legs("BTCUSDT") == [account.position("BTCUSDT", side="short")]
    assert account.position("BTCUSDT", side="short").isolated_wallet == 300.0
    assert account.wallet_balance == 500.0


def test_margin_mode_and_leverage_are_per_symbol() -> None:
    account = _hedged(10_000)
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
    before = account.snapshot()
    with pytest.raises(ModeSwitchError):
        account.set_margin_mode("cross", "BTCUSDT")
    with pytest.raises(LeverageError, match="one leverage per symbol"):
        account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=10)
    with pytest.raises(LeverageError, match="-4161"):
        account.set_leverage(10, "BTCUSDT")
    assert account.snapshot() == before
    account.open_position("BTCUSDT", "short", 1, price=20_000)  # the symbol's 20x
    account.set_leverage(40, "BTCUSDT")  # raised on both legs at once
    assert {p.leverage for p in account.legs("BTCUSDT")} == {40.0}


# --------------------------------------------------------------------------- side rules
def test_side_is_required_in_hedge_mode() -> None:
    account = _hedged(5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    before = account.snapshot()
    for call in (
        lambda: account.liquidation_price("BTCUSDT"),
        lambda: account.reduce_position("BTCUSDT", 0.5),
        lambda: account.close_position("BTCUSDT"),
        lambda: account.position_summary("BTCUSDT"),
        lambda: account.bankruptcy_price("BTCUSDT"),
    ):
        with pytest.raises(MarginError, match="side is required in hedge mode"):
            call()
    with pytest.raises(MarginError, match="one-way mode"):
        account.liquidation_outlook("BTCUSDT")
    with pytest.raises(ValueError, match="side"):
        account.liquidation_price("BTCUSDT", side="up")
    assert account.snapshot() == before


def test_one_way_side_keyword_is_optional_and_checked() -> None:
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    price = account.liquidation_price("BTCUSDT")
    assert account.liquidation_price("BTCUSDT", side="long") == price
    with pytest.raises(NoPositionError, match="open long position, not a short"):
        account.reduce_position("BTCUSDT", 0.5, side="short")
    with pytest.raises(MarginError, match="hedge mode"):
        account.hedge_outlook("BTCUSDT")


# --------------------------------------------------------------------------- mode switching
def test_position_mode_switch_refused_with_open_positions() -> None:
    account = Account(wallet_balance=5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    before = account.snapshot()
    with pytest.raises(ModeSwitchError, match="-4068") as caught:
        account.set_position_mode("hedge")
    assert "Position side cannot be changed if there exists position" in str(caught.value)
    assert account.snapshot() == before
    account.close_position("BTCUSDT")
    account.set_position_mode("hedge")
    account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=10)
    before = account.snapshot()
    with pytest.raises(ModeSwitchError, match="BTCUSDT short"):
        account.set_position_mode("one_way")
    assert account.snapshot() == before
    account.close_position("BTCUSDT", side="short")
    account.set_position_mode("one_way")
    assert account.position_mode == "one_way"
    with pytest.raises(ValueError, match="mode must be one of"):
        account.set_position_mode("dual")


def test_snapshot_and_copy_carry_the_legs() -> None:
    account = _hedged(5_000)
    account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
    account.open_position("BTCUSDT", "short", 0.5, price=20_000, leverage=10)
    state = account.snapshot()
    assert state["position_mode"] == "hedge"
    assert state["exchange"] == "binance"
    assert state["hedge_positions"]["BTCUSDT"]["short"]["quantity"] == 0.5
    twin = account.copy()
    twin.close_position("BTCUSDT", side="long")
    assert account.snapshot() == state
    assert twin.snapshot() != state


# --------------------------------------------------------------------------- one leg = one-way
@st.composite
def _scenarios(draw: st.DrawFn) -> dict[str, Any]:
    mode = draw(st.sampled_from(["cross", "isolated"]))
    side = draw(st.sampled_from(["long", "short"]))
    price = draw(st.floats(1_000.0, 100_000.0))
    value = 10 ** draw(st.floats(1.0, 6.0))
    leverage = 1 + draw(st.floats(0.0, 1.0)) * (TABLES["BTCUSDT"].max_leverage(value) - 1)
    other = draw(
        st.one_of(
            st.none(),
            st.tuples(st.sampled_from(["long", "short"]), st.floats(0.01, 8.0)),
        )
    )
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("mark"), st.floats(0.3, 2.0)),
                st.tuples(st.just("eth"), st.floats(0.3, 2.0)),
                st.tuples(st.just("funding"), st.floats(-0.02, 0.02)),
                st.tuples(st.just("reduce"), st.floats(0.05, 0.9)),
                st.tuples(st.just("add"), st.floats(1.0, 1_000.0)),
            ),
            max_size=8,
        )
    )
    return {
        "mode": mode,
        "side": side,
        "quantity": value / price,
        "price": price,
        "leverage": leverage,
        "wallet": value / leverage * draw(st.floats(1.05, 3.0)) + 2_000,
        "other": other,
        "steps": steps,
    }


def _run(account: Account, hedge: bool, scenario: dict[str, Any], step: tuple[str, float]) -> Any:
    """One step; liquidation events without their hedge-mode ``sides`` (compared apart)."""
    result = _step(account, hedge, scenario, step)
    if isinstance(result, list):
        return [replace(event, sides=()) for event in result]
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
        return result[0], [replace(event, sides=()) for event in result[1]]
    return result


def _step(account: Account, hedge: bool, scenario: dict[str, Any], step: tuple[str, float]) -> Any:
    side = scenario["side"]
    keyword = {"side": side} if hedge else {}
    kind, value = step
    try:
        if kind == "mark":
            return account.update_mark("BTCUSDT", scenario["price"] * value, step=kind)
        if kind == "eth":
            return account.update_mark("ETHUSDT", 2_000 * value, step=kind)
        if kind == "funding":
            return account.settle_funding("BTCUSDT", value)
        if kind == "reduce":
            quantity = account.position("BTCUSDT", **keyword).quantity * value
            return account.reduce_position("BTCUSDT", quantity, **keyword)
        return account.add_margin("BTCUSDT", value, **keyword)
    except MarginError as error:  # the same refusal (its wording names a leg in hedge mode)
        return type(error).__name__


def _events(account: Account) -> list[Any]:
    return [replace(event, sides=()) for event in account.events]


@PROPERTY
@given(scenario=_scenarios())
def test_hedge_mode_with_one_leg_is_one_way_mode(scenario: dict[str, Any]) -> None:
    """With one leg empty, every figure and every liquidation is the one-way account's."""
    one_way = Account(wallet_balance=scenario["wallet"], brackets=dict(TABLES))
    hedge = _hedged(scenario["wallet"])
    side = scenario["side"]
    for account in (one_way, hedge):
        account.set_margin_mode(scenario["mode"], "BTCUSDT")
        account.open_position(
            "BTCUSDT",
            side,
            scenario["quantity"],
            price=scenario["price"],
            leverage=scenario["leverage"],
        )
        if scenario["other"] is not None:
            other_side, quantity = scenario["other"]
            account.open_position("ETHUSDT", other_side, quantity, price=2_000, leverage=10)
    for step in [("mark", 1.0), *scenario["steps"]]:
        result = _run(one_way, False, scenario, step)
        assert _run(hedge, True, scenario, step) == result
        assert one_way.wallet_balance == hedge.wallet_balance
        assert _events(one_way) == _events(hedge)
        assert all(e.sides for e in hedge.events)
        assert one_way.summary() == hedge.summary()
        for symbol, p in one_way.positions.items():
            assert hedge.position(symbol, side=p.side) == p
            assert one_way.liquidation_price(symbol) == hedge.liquidation_price(symbol, side=p.side)
            assert one_way.bankruptcy_price(symbol) == hedge.bankruptcy_price(symbol, side=p.side)
            assert one_way.position_summary(symbol) == hedge.position_summary(symbol, side=p.side)
            assert one_way.margin_ratio(symbol) == hedge.margin_ratio(symbol, side=p.side)
        assert sum(len(hedge.legs(s)) for s in ("BTCUSDT", "ETHUSDT")) == len(one_way.positions)
    event(f"{scenario['mode']}: {'liquidated' if one_way.events else 'not liquidated'}")
