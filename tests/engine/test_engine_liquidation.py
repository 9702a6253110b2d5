"""The liquidation process: settlement, partial steps, Auto-Add Margin, the fund and ADL.

Expected values are worked by hand (exact fractions in the comments). The market model is
checked on a tiny hand-worked market, for conservation (what traders lose is what the fund,
the deleveraged traders and the book gain: exactly with Fractions, within 1e-9 relative with
floats), for determinism from a seed, and for a fund that never goes negative.
"""

from __future__ import annotations

import math
from fractions import Fraction as F
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    BracketTable,
    Trader,
    adl_ranking,
    auto_add_margin_steps,
    crash_path,
    liquidation_price_in_brackets,
    liquidation_settlement,
    load_brackets,
    paired_traders,
    partial_liquidation_steps,
    simulate_market,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=200, deadline=None)


def approx(expected: F, rel: float = 1e-12) -> Any:
    return pytest.approx(float(expected), rel=rel)


# --------------------------------------------------------------------------- settlement
def test_settlement_of_the_binance_worked_example() -> None:
    # 1 BTC long at 20,000, WB 400 (50x), MMR 0.5 %, cum 0, clearance fee 0.3 % (BTCUSDT, older
    # "Liquidation" page). LP = 3,920,000 / 199 = 19,698.49; BP = 20,000 − 400 = 19,600.
    # Margin left at LP = 400 + (3,920,000 / 199 − 20,000) = 19,600 / 199 = 98.49
    # Full: fund takes over at 19,600, sells at LP: gains 19,600 / 199; fee = 0.003 × LP =
    # 11,760 / 199 = 59.10, remainder 7,840 / 199 = 39.40; the trader loses exactly 400.
    out = liquidation_settlement("long", 1, 20_000, 400, 0.005, 0, 0.003)
    assert out.liquidation_price == approx(F(3_920_000, 199))
    assert out.bankruptcy_price == 19_600
    simple, full = out.simplified, out.full
    assert (simple.model, full.model) == ("simplified", "full")
    assert simple.close_price == approx(F(3_920_000, 199))
    assert full.close_price == 19_600
    for model in (simple, full):
        assert model.trader_realized_pnl == -400
        assert model.returned_to_trader == 0
    assert simple.insurance_fund_change == approx(F(19_600, 199), rel=1e-9)
    assert full.insurance_fund_change == approx(F(19_600, 199), rel=1e-9)
    assert full.clearance_fee == approx(F(11_760, 199))
    assert full.remainder_to_insurance_fund == approx(F(7_840, 199), rel=1e-9)
    assert full.insurance_fund_deficit == 0


def test_small_position_is_already_bankrupt_when_the_fee_rate_exceeds_the_mmr() -> None:
    # Older "Liquidation" page: for small users "the effective maintenance margin is lower than
    # the liquidation fee rate, so they are already bankrupt when first entering liquidation".
    # MMR 0.4 % < fee 0.5 %: the margin left at LP (0.4 % of LP) is all taken as the fee.
    out = liquidation_settlement("long", 1, 20_000, 400, 0.004, 0, 0.005)
    left = out.full.insurance_fund_change
    assert out.full.clearance_fee == pytest.approx(left, rel=1e-12)
    assert out.full.remainder_to_insurance_fund == pytest.approx(0, abs=1e-9)
    # LP = (400 − 20,000) / (0.004 − 1) = 19,600 / 0.996; left = 0.004 × LP
    assert left == approx(F("0.004") * F(19_600) / F("0.996"), rel=1e-9)


def test_fill_beyond_the_bankruptcy_price_is_a_fund_deficit() -> None:
    # the market gapped: the fund's takeover sells at 19,500, 100 below BP = 19,600
    out = liquidation_settlement("long", 1, 20_000, 400, 0.005, 0, 0.003, fill_price=19_500)
    assert out.full.insurance_fund_change == -100
    assert out.full.insurance_fund_deficit == 100
    assert out.full.clearance_fee == 0 and out.full.remainder_to_insurance_fund == 0
    assert out.full.trader_realized_pnl == -400  # never more than the margin


def test_short_settlement_hand_worked() -> None:
    # 2 BTC short at 3,000 (ETH-like), WB 600 (10x), MMR 1 %, cum 0, fee 0.5 %:
    # LP = (600 + 6,000) / (0.02 + 2) = 6,600 / 2.02 = 330,000 / 101 = 3,267.33
    # BP = 3,000 + 600 / 2 = 3,300; left at LP = 2 × (3,300 − LP) = 2 × 3,300 / 101 = 65.35
    # fee = 0.005 × 2 × LP = 3,300 / 101 = 32.67
    out = liquidation_settlement("short", 2, 3_000, 600, 0.01, 0, 0.005)
    assert out.liquidation_price == approx(F(330_000, 101))
    assert out.bankruptcy_price == 3_300
    assert out.full.insurance_fund_change == approx(F(6_600, 101), rel=1e-9)
    assert out.full.clearance_fee == approx(F(3_300, 101), rel=1e-9)


@PROPERTY
@given(
    st.sampled_from(["long", "short"]),
    st.floats(0.01, 100),
    st.floats(100, 100_000),
    st.floats(1.5, 125.0),
    st.floats(0.0, 0.05),
    st.floats(0.0, 0.02),
    st.floats(0.9, 1.1),
)
def test_settlement_adds_up(
    side: str, q: float, ep: float, lev: float, mmr: float, fee: float, move: float
) -> None:
    # the fund's result plus the trader's loss is the position's PnL to the fill price
    wb = q * ep / lev
    out = liquidation_settlement(side, q, ep, wb, mmr, 0, fee, fill_price=ep * move)
    s = 1 if side == "long" else -1
    full = out.full
    position_pnl = s * q * (ep * move - ep)
    assert full.trader_realized_pnl + full.insurance_fund_change == pytest.approx(
        position_pnl, abs=1e-9 * q * ep
    )
    assert full.clearance_fee >= 0 and full.remainder_to_insurance_fund >= 0
    assert full.insurance_fund_deficit * full.clearance_fee == 0


def test_settlement_refuses_bad_inputs() -> None:
    with pytest.raises(ValueError, match="clearance_fee_rate"):
        liquidation_settlement("long", 1, 20_000, 400, 0.005, 0, 1.5)
    with pytest.raises(ValueError, match="wallet_balance"):
        liquidation_settlement("long", 1, 20_000, 0, 0.005, 0, 0.003)
    with pytest.raises(ValueError, match="no positive liquidation"):
        liquidation_settlement("long", 1, 20_000, 20_000, 0.005, 0, 0.003)  # 1x long


# --------------------------------------------------------------------------- partial steps
def test_partial_liquidation_stops_once_compliant(btc_2024: BracketTable) -> None:
    # 12 BTC long at 60,000 with 8,400; mark 59,600: margin balance 8,400 − 4,800 = 3,600,
    # maintenance 715,200 × 0.0065 − 950 = 3,698.80 -> liquidation.
    # Step 1 cuts to the bracket-2 cap: 600,000 / 59,600 BTC remain; closed 115,200 notional
    # (1.93289 BTC) pays 0.5 % = 576; margin balance 3,600 − 576 = 3,024 > 600,000 × 0.005 − 50
    # = 2,950: compliant, stop.
    steps = partial_liquidation_steps("long", 12, 60_000, 8_400, btc_2024, 59_600, 0.005)
    assert len(steps) == 1
    step = steps[0]
    assert step.compliant and step.bracket is not None and step.bracket.number == 2
    assert step.remaining_quantity == approx(F(600_000, 59_600))
    assert step.closed_quantity == approx(12 - F(600_000, 59_600))
    assert step.fee == approx(F(576))
    assert step.margin_balance == approx(F(3_024))
    assert step.maintenance_margin == approx(F(2_950))
    # realised: −400 per BTC closed
    assert step.realized_pnl == approx(-400 * (12 - F(600_000, 59_600)))


def test_partial_liquidation_down_to_a_full_close(btc_2024: BracketTable) -> None:
    # the docstring case: 6,000 USDT is not enough; after the bracket-2 cut the margin balance
    # is 1,200 − 576 = 624 < 2,950; after the bracket-1 cut 624 − 2,750 < 0; then all is closed
    steps = partial_liquidation_steps("long", 12, 60_000, 6_000, btc_2024, 59_600, 0.005)
    assert [s.remaining_quantity > 0 for s in steps] == [True, True, False]
    assert steps[1].margin_balance == approx(F(624) - F(2_750), rel=1e-9)
    assert not any(s.compliant for s in steps)
    assert sum(s.closed_quantity for s in steps) == pytest.approx(12)


def test_partial_liquidation_of_a_short(btc_2024: BracketTable) -> None:
    # 10 BTC short at 60,000 with 5,000; mark 60,300: notional 603,000 is bracket 3
    # (0.65 %, cum 950): maintenance 2,969.50 against a margin balance of 5,000 − 3,000 = 2,000.
    # Step 1 cuts to the bracket-2 cap, 600,000 / 60,300 BTC: fee 0.1 % of 3,000 = 3, margin
    # balance 1,997 < 600,000 × 0.005 − 50 = 2,950. Step 2 cuts to 50,000 / 60,300 BTC
    # (bracket 1): fee 0.1 % of 550,000 = 550, margin balance 1,447 > 50,000 × 0.004 = 200.
    steps = partial_liquidation_steps("short", 10, 60_000, 5_000, btc_2024, 60_300, 0.001)
    assert [s.compliant for s in steps] == [False, True]
    first, second = steps
    assert first.remaining_quantity == approx(F(600_000, 60_300))
    assert first.fee == approx(F(3), rel=1e-9)
    assert first.margin_balance == approx(F(1_997), rel=1e-9)
    assert first.maintenance_margin == approx(F(2_950), rel=1e-9)
    assert second.remaining_quantity == approx(F(50_000, 60_300))
    assert second.fee == approx(F(550), rel=1e-9)
    assert second.margin_balance == approx(F(1_447), rel=1e-9)
    assert second.maintenance_margin == approx(F(200), rel=1e-9)


def test_no_steps_when_not_in_breach(btc_2024: BracketTable) -> None:
    assert partial_liquidation_steps("long", 12, 60_000, 20_000, btc_2024, 59_600, 0.005) == ()


@PROPERTY
@given(
    st.sampled_from(["long", "short"]),
    st.floats(0.1, 200),
    st.floats(0.0, 0.05),
    st.floats(0.9, 1.1),
    st.floats(0.0, 0.01),
)
def test_partial_steps_add_up(
    side: str, q: float, wallet_share: float, move: float, fee: float
) -> None:
    table = _table()
    ep = 60_000.0
    wb = q * ep * wallet_share
    mark = ep * move
    steps = partial_liquidation_steps(side, q, ep, wb, table, mark, fee)
    if not steps:
        return
    s = 1 if side == "long" else -1
    # every step closes something, the size only falls, and the wallet moves by PnL − fee
    wallet = wb
    remaining = q
    for step in steps:
        assert step.closed_quantity > 0
        assert step.remaining_quantity < remaining
        assert step.realized_pnl == pytest.approx(s * step.closed_quantity * (mark - ep))
        wallet += step.realized_pnl - step.fee
        assert step.wallet_balance == pytest.approx(wallet, abs=1e-6)
        remaining = step.remaining_quantity
    # it ends compliant, or with nothing left
    assert steps[-1].compliant or steps[-1].remaining_quantity == 0
    assert all(not step.compliant for step in steps[:-1])


def _table() -> BracketTable:
    return load_brackets("BTCUSDT", "2024-10-24")


# --------------------------------------------------------------------------- auto-add margin
def test_auto_add_margin_hand_worked(btc_2021: BracketTable) -> None:
    # 1 BTC long at 20,000 with 400 isolated and 200 available; top-up = 20,000 × 0.004 = 80.
    # Triggers at the liquidation price with 400, 480, 560: 19,600 / 0.996, 19,520 / 0.996,
    # 19,440 / 0.996; the last top-up is the 40 left; final LP with 600: 19,400 / 0.996.
    steps = auto_add_margin_steps("long", 1, 20_000, 400, 200, btc_2021)
    assert [s.trigger_price for s in steps] == [
        approx(F(19_600) / F("0.996")),
        approx(F(19_520) / F("0.996")),
        approx(F(19_440) / F("0.996")),
    ]
    assert [s.amount for s in steps] == [80, 80, 40]
    assert [s.available_balance for s in steps] == [120, 40, 0]
    assert steps[-1].isolated_wallet_balance == 600
    assert steps[-1].liquidation_price == approx(F(19_400) / F("0.996"))


def test_auto_add_margin_short_with_an_alert_trigger(btc_2021: BracketTable) -> None:
    # 1 BTC short at 20,000 with 1,000, 300 available, a top-up of 300 at an 80 % margin ratio:
    # 0.8 × (1,000 + 20,000) = 20,000·... solve 0.8·(WB − (P − 20,000)) = 0.004·P:
    # P = 0.8 × 21,000 / (0.004 + 0.8) = 16,800 / 0.804 = 20,895.52
    steps = auto_add_margin_steps(
        "short", 1, 20_000, 1_000, 300, btc_2021, trigger_margin_ratio=0.8, add_amount=300
    )
    assert len(steps) == 1
    assert steps[0].trigger_price == approx(F(16_800) / F("0.804"))
    # then 1,300 isolated: LP = 21,300 / 1.004
    assert steps[0].liquidation_price == approx(F(21_300) / F("1.004"))


def test_auto_add_margin_with_nothing_available(btc_2021: BracketTable) -> None:
    assert auto_add_margin_steps("long", 1, 20_000, 400, 0, btc_2021) == ()


@PROPERTY
@given(
    st.sampled_from(["long", "short"]),
    st.floats(0.01, 50),
    st.floats(0.01, 0.5),
    st.floats(1.0, 50_000),
    st.integers(1, 30),
)
def test_auto_add_margin_ends_where_the_whole_balance_would(
    side: str, q: float, wallet_share: float, available: float, top_ups: int
) -> None:
    # adding everything at once gives the same final liquidation price as the top-ups
    table = _table()
    wb = q * 60_000 * wallet_share
    steps = auto_add_margin_steps(
        side, q, 60_000, wb, available, table, add_amount=available / top_ups
    )
    assert steps
    total = sum(s.amount for s in steps)
    final = steps[-1].liquidation_price
    price, _ = liquidation_price_in_brackets(side, q, 60_000, wb + total, table)
    if total < available * (1 - 1e-12):
        # it stopped early only because a long could no longer be liquidated (wallet >= the
        # notional, give or take rounding: no positive price reaches the trigger)
        assert side == "long"
        assert final is None or final < 1e-6 * 60_000
    else:
        assert total == pytest.approx(available)
        assert (final is None and price is None) or final == pytest.approx(price, rel=1e-12)
    # each top-up moves the trigger away from the mark the adverse way
    triggers = [s.trigger_price for s in steps]
    assert triggers == sorted(triggers, reverse=side == "long")


def test_auto_add_margin_refuses_bad_inputs(btc_2021: BracketTable) -> None:
    with pytest.raises(ValueError, match="trigger_margin_ratio"):
        auto_add_margin_steps("long", 1, 20_000, 400, 100, btc_2021, trigger_margin_ratio=1.5)
    with pytest.raises(ValueError, match="add_amount"):
        auto_add_margin_steps("long", 1, 20_000, 400, 100, btc_2021, add_amount=0)


# --------------------------------------------------------------------------- ADL ranking
def test_adl_ranking_profit_times_leverage_and_loss_over_leverage() -> None:
    # profitable short: profit 2,000 on 20,000 = 10 %, balance 3,000, leverage 18,000 / 3,000 = 6
    assert adl_ranking("short", 1, 20_000, 1_000, 18_000) == approx(F(6, 10))
    # losing long: −500 on 20,000 = −2.5 %, balance 500, leverage 19,500 / 500 = 39
    assert adl_ranking("long", 1, 20_000, 1_000, 19_500) == approx(F(-25, 1000) / 39)
    # past bankruptcy: last in the queue
    assert adl_ranking("long", 1, 20_000, 1_000, 18_000) == -math.inf


# --------------------------------------------------------------------------- market, by hand
def _three_traders() -> list[Trader]:
    # a 10x long (1 BTC at 100, margin 10: LP = BP = 90 with MMR 0) against two shorts of 0.5
    # at 100: A with 50 (1x), B with 5 (10x)
    return [
        Trader("long", 1, 100, 10),
        Trader("short", 0.5, 100, 50),
        Trader("short", 0.5, 100, 5),
    ]


def test_three_traders_empty_fund_deleverages_in_ranking_order() -> None:
    # gap 100 -> 80: the long is bankrupt (fill 80 < BP 90: deficit 10); the fund (0) cannot
    # cover it, so it is closed at 90 against the shorts. At 80: A scores
    # 20 % × 40 / 60 = 0.133, B 20 % × 40 / 15 = 0.533: B first, then A, 0.5 BTC each at 90.
    out = simulate_market(_three_traders(), [100, 80], insurance_fund=0, maintenance_margin_rate=0)
    assert [(e.counterparty, e.quantity, e.price) for e in out.adl_events] == [
        (2, 0.5, 90),
        (1, 0.5, 90),
    ]
    assert out.adl_events[0].ranking == approx(F(2, 10) * F(40, 15))
    assert out.adl_events[1].ranking == approx(F(2, 10) * F(40, 60))
    (record,) = out.liquidations
    assert record.deleveraged and (record.trader, record.step, record.price) == (0, 1, 80)
    assert record.deficit == 10 and record.fund_income == 0  # 1 × (90 − 80), not covered
    # long loses its 10; each short realises 0.5 × (100 − 90) = 5 and has nothing left open
    assert out.final_pnl == (-10, 5, 5)
    assert out.fund_balance == (0, 0) and out.book_pnl == 0


def test_three_traders_fund_covers_the_deficit() -> None:
    # same gap with a fund of 100: it takes the long over at 90 and sells it at 80 (-10).
    # The book holds 1 BTC bought at 80, worth 80 at the end: book PnL 0.
    # The shorts keep their positions: 0.5 × (100 − 80) = 10 each.
    out = simulate_market(
        _three_traders(), [100, 80], insurance_fund=100, maintenance_margin_rate=0
    )
    assert out.adl_events == ()
    (record,) = out.liquidations
    assert not record.deleveraged and record.deficit == 10 and record.fill_price == 80
    assert out.fund_balance == (100, 90)
    assert out.final_pnl == (-10, 10, 10)
    assert out.book_pnl == 0
    assert sum(out.final_pnl) + out.fund_change + out.book_pnl == 0


def test_liquidation_above_bankruptcy_feeds_the_fund() -> None:
    # MMR 5 %: the long's LP = (10 − 100) / (0.05 − 1) = 1,800 / 19 = 94.74 > BP = 90.
    # The mark reaches 94 (1 % slippage: fill 93.06): the fund gains 93.06 − 90 = 3.06.
    # Then the mark returns to 100: the book, long 1 from 93.06, gains 6.94; the shorts are flat.
    prices = [100, 94, 100]
    traders = _three_traders()
    out = simulate_market(
        traders, prices, insurance_fund=0, maintenance_margin_rate=0.05, slippage_rate=0.01
    )
    (record,) = out.liquidations
    assert record.fill_price == pytest.approx(93.06)
    assert record.fund_income == pytest.approx(3.06)
    assert out.fund_balance == pytest.approx((0, 3.06, 3.06))
    assert out.book_pnl == pytest.approx(6.94)
    assert out.final_pnl == pytest.approx((-10, 0, 0))


def test_fractions_give_exact_conservation_on_a_seeded_crash() -> None:
    traders = [
        Trader(t.side, F(t.quantity), F(t.entry_price), F(t.margin))
        for t in paired_traders(40, seed=3)
    ]
    prices = [F(p) for p in crash_path(60_000, 60, seed=3, crash_fraction=0.4)]
    out = simulate_market(
        traders,
        prices,
        insurance_fund=F(50),
        maintenance_margin_rate=F(5, 1000),
        slippage_rate=F(3, 1000),
    )
    assert out.liquidations and out.adl_events  # the case exercises both paths
    assert sum(out.final_pnl) + out.fund_change + out.book_pnl == 0


# --------------------------------------------------------------------------- market, properties
@settings(PROPERTY, max_examples=25)
@given(
    st.integers(0, 10_000),
    st.sampled_from([0.0, 500.0, 5_000.0, 1e6]),
    st.sampled_from([0.0, 0.002, 0.02]),
    st.sampled_from([0.1, 0.3, 0.6]),
)
def test_market_conserves_money_and_keeps_the_fund_non_negative(
    seed: int, fund: float, slippage: float, crash: float
) -> None:
    traders = paired_traders(200, seed=seed)
    prices = crash_path(60_000, 100, seed=seed, crash_fraction=crash)
    out = simulate_market(traders, prices, insurance_fund=fund, slippage_rate=slippage)
    scale = sum(t.margin for t in traders) + sum(t.quantity * 60_000 for t in traders)
    assert abs(sum(out.final_pnl) + out.fund_change + out.book_pnl) <= 1e-9 * scale
    assert min(out.fund_balance) >= 0
    assert len(out.fund_balance) == len(prices)
    # a liquidated trader loses its margin, never more
    for record in out.liquidations:
        assert out.final_pnl[record.trader] >= -traders[record.trader].margin * (1 + 1e-12)
    # ADL takes the opposite side only, in non-increasing ranking order per bankrupt position
    by_bankrupt: dict[tuple[int, int], list[float]] = {}
    for event in out.adl_events:
        if event.counterparty >= 0:
            assert traders[event.counterparty].side != traders[event.bankrupt].side
            by_bankrupt.setdefault((event.step, event.bankrupt), []).append(event.ranking)
    for scores in by_bankrupt.values():
        assert scores == sorted(scores, reverse=True)
    # deleveraging happens only when the fund could not pay the deficit at that step
    for record in out.liquidations:
        if record.deleveraged:
            before = out.fund_balance[record.step - 1] if record.step else fund
            assert record.bankruptcy_price == record.fill_price
            assert before >= 0


def test_market_is_reproducible_from_a_seed() -> None:
    def run(seed: int) -> Any:
        return simulate_market(
            paired_traders(100, seed=seed),
            crash_path(60_000, 50, seed=seed),
            insurance_fund=1_000,
            slippage_rate=0.002,
        )

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_a_larger_fund_deleverages_no_more() -> None:
    traders = paired_traders(300, seed=1)
    prices = crash_path(60_000, 150, seed=1, crash_fraction=0.5, volatility=0.03)
    small = simulate_market(traders, prices, insurance_fund=0, slippage_rate=0.01)
    huge = simulate_market(traders, prices, insurance_fund=1e9, slippage_rate=0.01)
    assert small.adl_events and not huge.adl_events


def test_paired_traders_net_to_zero() -> None:
    traders = paired_traders(50, seed=2)
    assert sum((1 if t.side == "long" else -1) * t.quantity for t in traders) == 0
    assert sum((1 if t.side == "long" else -1) * t.quantity * t.entry_price for t in traders) == 0
    assert all(1 <= round(t.leverage, 9) <= 100 for t in traders)
    assert paired_traders(50, seed=2) == traders


def test_crash_path_without_noise_is_geometric() -> None:
    # 30 % in 3 steps: each step multiplies by 0.7 ** (1/3)
    path = crash_path(1_000, 3, seed=0, crash_fraction=0.3, volatility=0)
    assert path[-1] == pytest.approx(700)
    assert path[1] == pytest.approx(1_000 * 0.7 ** (1 / 3))
    assert crash_path(1_000, 3, seed=5) == crash_path(1_000, 3, seed=5)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: paired_traders(3, seed=0), "count"),
        (lambda: crash_path(100, 0, seed=0), "steps"),
        (lambda: crash_path(100, 5, seed=0, crash_fraction=1), "crash_fraction"),
        (lambda: simulate_market([], [], insurance_fund=0), "prices"),
        (lambda: simulate_market([], [100], insurance_fund=-1), "insurance_fund"),
        (
            lambda: simulate_market([Trader("flat", 1, 1, 1)], [100], insurance_fund=0),
            r"traders\[0\]\.side",
        ),
        (
            lambda: simulate_market([Trader("long", 1, 1, 0)], [100], insurance_fund=0),
            r"traders\[0\]\.margin",
        ),
    ],
)
def test_market_refuses_bad_inputs(call: Any, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()
