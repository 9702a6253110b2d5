"""Hedge mode: the shared cross liquidation price of a long and a short leg, and isolated legs.

Expected values are worked by hand with exact fractions (in the comments). The formula
(Binance, USDⓈ-M, hedge mode, cross)::

    LP = [WB − TMM + UPNL + cum_B + cum_L + cum_S − s·Q_B·EP_B − Q_L·EP_L + Q_S·EP_S]
         / [Q_B·MMR_B + Q_L·MMR_L + Q_S·MMR_S − s·Q_B − Q_L + Q_S]
"""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    BracketTable,
    available_bracket_tables,
    hedge_liquidation_price,
    hedge_liquidation_price_in_brackets,
    hedge_outlook,
    liquidation_price,
    liquidation_price_in_brackets,
    load_brackets,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=300, deadline=None)


def approx(expected: F, rel: float = 1e-12) -> Any:
    return pytest.approx(float(expected), rel=rel)


# --------------------------------------------------------------------------- hand-worked, cross
def test_cross_net_long_pair_falls_to_the_shared_price() -> None:
    # 2 BTC long at 30,000 and 1 BTC short at 31,000, WB 3,000, MMR 0.4 % each, cum 0.
    # N = 3,000 − 60,000 + 31,000 = −26,000; D = 2·0.004 + 1·0.004 − 2 + 1 = −0.988
    # LP = 26,000 / 0.988 = 6,500,000 / 247 = 26,315.79 (a fall: D < 0)
    out = hedge_liquidation_price(3_000, 2, 30_000, 0.004, 0, 1, 31_000, 0.004, 0)
    assert out.direction == "fall"
    assert out.price == approx(F(6_500_000, 247))
    assert out.numerator == pytest.approx(-26_000)
    assert out.denominator == pytest.approx(-0.988)


def test_cross_net_short_pair_rises_to_the_shared_price() -> None:
    # 0.5 BTC long at 60,000 and 1.5 BTC short at 59,000, WB 10,000, MMR 0.5 %, cum 50 each
    # (bracket 2 of 2024). N = 10,000 + 50 + 50 − 30,000 + 88,500 = 68,600
    # D = 0.5·0.005 + 1.5·0.005 − 0.5 + 1.5 = 1.01; LP = 68,600 / 1.01 = 6,860,000 / 101
    out = hedge_liquidation_price(10_000, 0.5, 60_000, 0.005, 50, 1.5, 59_000, 0.005, 50)
    assert out.direction == "rise"
    assert out.price == approx(F(6_860_000, 101))


def test_fully_hedged_thin_wallet_is_liquidated_on_a_rise() -> None:
    # 1 BTC each way at 20,000, WB 200, MMR 0.4 %: PnL cancels, N = 200, D = 0.008
    # LP = 200 / 0.008 = 25,000, reached from below
    out = hedge_liquidation_price(200, 1, 20_000, 0.004, 0, 1, 20_000, 0.004, 0)
    assert out.direction == "rise"
    assert out.price == approx(F(25_000))
    # the identity behind it: at 25,000 the margin balance (200, PnL cancels) equals the
    # maintenance margin 2 × 25,000 × 0.004 = 200; just below it is safe, above it is not
    maintenance = 2 * 25_000 * F("0.004")
    assert maintenance == 200
    # a fall never liquidates it: the maintenance margin shrinks with the price
    assert out.numerator > 0


def test_fully_hedged_pair_with_a_gain_locked_in_survives_longer() -> None:
    # long 1 at 20,000, short 1 at 21,000: the pair has locked in +1,000.
    # N = 200 − 20,000 + 21,000 = 1,200, D = 0.008, LP = 150,000
    out = hedge_liquidation_price(200, 1, 20_000, 0.004, 0, 1, 21_000, 0.004, 0)
    assert (out.direction, out.price) == ("rise", approx(F(150_000)))


def test_locked_in_loss_beyond_the_wallet_is_already_liquidatable() -> None:
    # long 1 at 21,000, short 1 at 20,000: a locked-in loss of 1,000 with 500 in the wallet.
    # N = 500 − 21,000 + 20,000 = −500 <= 0 and D = 0.008 > 0: below maintenance at every price
    out = hedge_liquidation_price(500, 1, 21_000, 0.004, 0, 1, 20_000, 0.004, 0)
    assert (out.price, out.direction) == (None, "always")


def test_net_long_with_enough_wallet_is_never_liquidated() -> None:
    # long 1 at 20,000, short 0.5 at 20,000, WB 12,000, MMR 0:
    # N = 12,000 − 20,000 + 10,000 = 2,000 >= 0 and D = −0.5 < 0: no positive root
    out = hedge_liquidation_price(12_000, 1, 20_000, 0, 0, 0.5, 20_000, 0, 0)
    assert (out.price, out.direction) == (None, "never")


@pytest.mark.parametrize(("wallet", "direction"), [(100, "never"), (0, "always")])
def test_zero_denominator_depends_on_the_numerator_alone(wallet: float, direction: str) -> None:
    # equal legs at MMR 0: D = 0 − 1 + 1 = 0; N = WB − 20,000 + 20,000 = WB
    out = hedge_liquidation_price(wallet, 1, 20_000, 0, 0, 1, 20_000, 0, 0)
    assert out.denominator == 0
    assert (out.price, out.direction) == (None, direction)


def test_both_position_and_other_positions_enter_the_sum() -> None:
    # BOTH short 1 at 20,000 (s = −1, MMR 0.5 %, cum 10) plus a long leg 1 at 19,000
    # (MMR 0.4 %, cum 0); WB 1,000, TMM 100, UPNL −50.
    # N = 1,000 − 100 − 50 + 10 + 0 + 20,000 − 19,000 = 1,860
    # D = 0.005 + 0.004 + 1 − 1 = 0.009; LP = 1,860 / 0.009 = 206,666.67 (rise)
    out = hedge_liquidation_price(
        1_000,
        1,
        19_000,
        0.004,
        0,
        0,
        0,
        0,
        0,
        100,
        -50,
        both_side="short",
        both_quantity=1,
        both_entry_price=20_000,
        both_maintenance_margin_rate=0.005,
        both_maintenance_amount=10,
    )
    assert out.direction == "rise"
    assert out.price == approx(F(1_860) / F("0.009"))


# --------------------------------------------------------------------------- brackets
def test_cross_pair_reselects_the_long_legs_bracket_at_the_price(btc_2024: BracketTable) -> None:
    # 1 BTC long at 60,000 (entry notional 60,000: bracket 2, 0.5 %, cum 50) and 0.5 short at
    # 62,000 (31,000: bracket 1, 0.4 %), WB 5,000. First pass: N = −23,950, D = −0.493,
    # LP = 48,580.12 — the long's notional there is bracket 1. Second: N = 5,000 − 60,000 +
    # 31,000 = −24,000, D = 0.004 + 0.002 − 0.5 = −0.494, LP = 24,000 / 0.494 (bracket 1).
    out = hedge_liquidation_price_in_brackets(5_000, 1, 60_000, 0.5, 62_000, btc_2024)
    assert out.price == approx(F(24_000) / F("0.494"))
    assert out.brackets[0] is None
    assert out.brackets[1] is not None and out.brackets[1].number == 1
    assert out.brackets[2] is not None and out.brackets[2].number == 1


def test_hedged_pair_rising_into_a_higher_bracket(btc_2024: BracketTable) -> None:
    # 1 BTC each way at 40,000, WB 800. Bracket 1 (0.4 %): LP = 800 / 0.008 = 100,000, where
    # each leg's notional (100,000) is in bracket 2 (0.5 %, cum 50):
    # N = 800 + 50 + 50 = 900, D = 0.01, LP = 90,000 — notional 90,000, still bracket 2.
    out = hedge_liquidation_price_in_brackets(800, 1, 40_000, 1, 40_000, btc_2024)
    assert out.direction == "rise"
    assert out.price == approx(F(90_000))
    assert [b.number for b in out.brackets if b is not None] == [2, 2]


# --------------------------------------------------------------------------- isolated legs
def test_isolated_legs_are_solved_alone(btc_2021: BracketTable) -> None:
    # long 1 at 20,000 with 1,000: (1,000 − 20,000) / (0.004 − 1) = 19,000 / 0.996
    # short 1 at 20,000 with 500: (500 + 20,000) / (0.004 + 1) = 20,500 / 1.004
    out = hedge_outlook(
        1,
        20_000,
        1,
        20_000,
        btc_2021,
        margin_mode="isolated",
        long_wallet_balance=1_000,
        short_wallet_balance=500,
    )
    assert out.fall_sides == ("long",) and out.rise_sides == ("short",)
    assert out.fall_price == approx(F(19_000) / F("0.996"))
    assert out.rise_price == approx(F(20_500) / F("1.004"))
    assert out.already_sides == ()


def test_cross_outlook_names_both_legs_at_one_price(btc_2024: BracketTable) -> None:
    out = hedge_outlook(1, 20_000, 1, 20_000, btc_2024, wallet_balance=200)
    assert out.margin_mode == "cross"
    assert out.rise_sides == ("long", "short") and out.fall_sides == ()
    assert out.rise_price == approx(F(25_000)) and out.fall_price is None
    assert {leg.rise_price for leg in out.legs} == {out.rise_price}


def test_cross_outlook_reports_already_liquidatable(btc_2024: BracketTable) -> None:
    out = hedge_outlook(1, 21_000, 1, 20_000, btc_2024, wallet_balance=500)
    assert out.already_sides == ("long", "short")
    assert out.fall_price is None and out.rise_price is None


def test_cross_outlook_of_a_near_hedged_pair_has_both_prices(btc_2024: BracketTable) -> None:
    # the pair of test_near_hedged_pair_dies_on_a_fall_and_on_a_rise, as an outlook
    out = hedge_outlook(1, 10_000, 0.5, 10_000, btc_2024, wallet_balance=4_000)
    assert out.fall_sides == ("long", "short") and out.rise_sides == ("long", "short")
    assert out.fall_price == approx(F(1_000) / F("0.494"))
    assert out.rise_price == approx(F(842_961_900) / F("0.25"))


def test_isolated_short_with_an_overdrawn_wallet_is_already_liquidatable(
    btc_2024: BracketTable,
) -> None:
    # (−30,000 + 20,000) / 1.004 < 0: no positive price keeps the short above maintenance
    out = hedge_outlook(
        0, 0, 1, 20_000, btc_2024, margin_mode="isolated", short_wallet_balance=-30_000
    )
    assert out.already_sides == ("short",) and out.rise_price is None


def test_outlook_with_one_leg_has_one_entry(btc_2024: BracketTable) -> None:
    out = hedge_outlook(0, 0, 1, 20_000, btc_2024, wallet_balance=500)
    assert [leg.side for leg in out.legs] == ["short"]
    # (500 + 20,000) / 1.004, as one-way
    assert out.rise_price == approx(F(20_500) / F("1.004"))


# --------------------------------------------------------------------------- properties
quantities = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)
prices = st.floats(1.0, 1e6, allow_nan=False, allow_infinity=False)
wallets = st.floats(0.0, 1e7, allow_nan=False, allow_infinity=False)
rates = st.floats(0.0, 0.5, allow_nan=False, allow_infinity=False)
amounts = st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False)
others = st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False)
pnls = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@PROPERTY
@given(
    st.sampled_from(["long", "short", "both-long", "both-short"]),
    quantities,
    prices,
    wallets,
    rates,
    amounts,
    others,
    pnls,
)
def test_one_open_leg_is_one_way_liquidation_price_exactly(
    leg: str,
    q: float,
    ep: float,
    wb: float,
    mmr: float,
    cum: float,
    tmm: float,
    upnl: float,
) -> None:
    one_way = liquidation_price(leg.rsplit("-")[-1], q, ep, wb, mmr, cum, tmm, upnl)
    empty = (0.0, 0.0, 0.0, 0.0)
    if leg == "long":
        out = hedge_liquidation_price(wb, q, ep, mmr, cum, *empty, tmm, upnl)
    elif leg == "short":
        out = hedge_liquidation_price(wb, *empty, q, ep, mmr, cum, tmm, upnl)
    else:
        out = hedge_liquidation_price(
            wb,
            *empty,
            *empty,
            tmm,
            upnl,
            both_side=leg.rsplit("-")[-1],
            both_quantity=q,
            both_entry_price=ep,
            both_maintenance_margin_rate=mmr,
            both_maintenance_amount=cum,
        )
    assert out.price == one_way  # bit for bit, including None


@PROPERTY
@given(
    st.sampled_from(available_bracket_tables()),
    st.sampled_from(["long", "short"]),
    quantities,
    prices,
    wallets,
)
def test_one_open_leg_in_brackets_is_one_way_in_brackets(
    table_key: tuple[str, str], side: str, q: float, ep: float, wb: float
) -> None:
    shipped_table = load_brackets(*table_key)
    price, bracket = liquidation_price_in_brackets(side, q, ep, wb, shipped_table)
    if side == "long":
        out = hedge_liquidation_price_in_brackets(wb, q, ep, 0, 0, shipped_table)
        used = out.brackets[1]
    else:
        out = hedge_liquidation_price_in_brackets(wb, 0, 0, q, ep, shipped_table)
        used = out.brackets[2]
    assert used is not None
    if price is None:
        assert out.price is None
    else:
        assert out.price == pytest.approx(price, rel=1e-12)
        assert used.number == bracket.number


@PROPERTY
@given(quantities, prices, quantities, prices, wallets)
def test_at_the_cross_price_margin_balance_equals_maintenance(
    ql: float, epl: float, qs: float, eps: float, wb: float
) -> None:
    table = load_brackets("BTCUSDT", "2024-10-24")
    out = hedge_liquidation_price_in_brackets(wb, ql, epl, qs, eps, table)
    assume(out.price is not None)
    p = out.price
    assert p is not None
    balance = wb + ql * (p - epl) - qs * (p - eps)
    maintenance = table.maintenance_margin(ql * p) + table.maintenance_margin(qs * p)
    scale = wb + ql * (p + epl) + qs * (p + eps)
    assert balance == pytest.approx(maintenance, abs=1e-9 * scale)
    # each leg's bracket is the one its notional at the price falls in
    for q, bracket in ((ql, out.brackets[1]), (qs, out.brackets[2])):
        assert (bracket is not None and bracket.contains(q * p)) or q * p > table.max_notional


def _margin_left(
    table: BracketTable, wb: float, ql: float, epl: float, qs: float, eps: float, p: float
) -> float:
    """Brute force: margin balance minus maintenance at price p, legs valued separately."""
    balance = wb + ql * (p - epl) - qs * (p - eps)
    return balance - table.maintenance_margin(ql * p) - table.maintenance_margin(qs * p)


def _brute_roots(
    table: BracketTable, wb: float, ql: float, epl: float, qs: float, eps: float
) -> list[float]:
    """Every sign change of the margin left on a dense log grid, 1e-3 .. 1e12, bisected."""
    grid = [10 ** (-3 + 15 * k / 6000) for k in range(6001)]
    values = [_margin_left(table, wb, ql, epl, qs, eps, p) for p in grid]
    roots = []
    for k in range(6000):
        if (values[k] < 0) != (values[k + 1] < 0):
            lo, hi = grid[k], grid[k + 1]
            low_negative = values[k] < 0
            for _ in range(100):
                mid = (lo + hi) / 2
                if (_margin_left(table, wb, ql, epl, qs, eps, mid) < 0) == low_negative:
                    lo = mid
                else:
                    hi = mid
            roots.append((lo + hi) / 2)
    return roots


@settings(PROPERTY, max_examples=60)
@given(
    st.floats(0.1, 5.0),
    st.floats(10_000, 100_000),
    st.floats(0.0, 5.0),
    st.floats(10_000, 100_000),
    st.floats(0.0, 1.0),
)
def test_fall_and_rise_prices_match_a_brute_force_scan(
    ql: float, epl: float, qs: float, eps: float, wallet_share: float
) -> None:
    # reference: scan the margin left (legs valued with the table's own maintenance margin)
    # for sign changes, without the closed form or the bracket edges
    table = load_brackets("BTCUSDT", "2024-10-24")
    wb = ql * epl * wallet_share
    out = hedge_liquidation_price_in_brackets(wb, ql, epl, qs, eps, table)
    found = [p for p in (out.fall_price, out.rise_price) if p is not None and 1e-3 < p < 1e12]
    expected = _brute_roots(table, wb, ql, epl, qs, eps)
    assert len(found) == len(expected)
    for got, want in zip(sorted(found), expected, strict=True):
        assert got == pytest.approx(want, rel=1e-9)
    if not expected:
        inside = _margin_left(table, wb, ql, epl, qs, eps, epl) > 0
        assert out.direction == ("never" if inside else "always")


def test_near_hedged_pair_dies_on_a_fall_and_on_a_rise(btc_2024: BracketTable) -> None:
    # long 1 and short 0.5 at 10,000, WB 4,000: on a fall, N = 4,000 − 10,000 + 5,000 = −1,000,
    # D = 0.004·1.5 − 0.5 = −0.494 (bracket 1): LP = 1,000 / 0.494 = 2,024.29.
    # On a rise the +0.5 BTC net gain is outgrown by the 50 % rate of the top bracket (long
    # notional above 1.2e9, short above 1.2e9 too once P > 2.4e9): N = 4,000 − 10,000 + 5,000 +
    # 2 × 421,481,450 = 842,961,900, D = 1.5·0.5 − 0.5 = 0.25, LP = 3,371,847,600.
    out = hedge_liquidation_price_in_brackets(4_000, 1, 10_000, 0.5, 10_000, btc_2024)
    assert out.direction == "fall"
    assert out.price == approx(F(1_000) / F("0.494"))
    assert out.other is not None and out.other.direction == "rise"
    assert out.rise_price == approx(F(842_961_900) / F("0.25"))
    assert out.fall_price == out.price


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"long_quantity": -1}, "long_quantity"),
        ({"long_entry_price": 0}, "long_entry_price"),
        ({"short_maintenance_margin_rate": 1.0}, "short_maintenance_margin_rate"),
        ({"wallet_balance": -1}, "wallet_balance"),
        ({"both_side": "flat"}, "both_side"),
        ({"both_quantity": 1, "both_entry_price": 0}, "both_entry_price"),
    ],
)
def test_bad_inputs_name_the_parameter(kwargs: dict[str, Any], name: str) -> None:
    args: dict[str, Any] = {
        "wallet_balance": 100,
        "long_quantity": 1,
        "long_entry_price": 20_000,
        "long_maintenance_margin_rate": 0.004,
        "long_maintenance_amount": 0,
        "short_quantity": 1,
        "short_entry_price": 20_000,
        "short_maintenance_margin_rate": 0.004,
        "short_maintenance_amount": 0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        hedge_liquidation_price(**args)


def test_outlook_refuses_the_other_modes_wallets(btc_2024: BracketTable) -> None:
    with pytest.raises(ValueError, match="long_wallet_balance"):
        hedge_outlook(1, 20_000, 1, 20_000, btc_2024, long_wallet_balance=10)
    with pytest.raises(ValueError, match="wallet_balance must be 0 in isolated"):
        hedge_outlook(1, 20_000, 1, 20_000, btc_2024, margin_mode="isolated", wallet_balance=10)
    with pytest.raises(ValueError, match="margin_mode"):
        hedge_outlook(1, 20_000, 1, 20_000, btc_2024, margin_mode="portfolio")


# --------------------------------------------------------------------------- curves
@settings(max_examples=60, deadline=None)
@given(
    long_q=st.sampled_from([0.0, 0.3, 1.0, 2.5]),
    short_q=st.floats(0.0, 6.0),
    long_ep=st.floats(5_000.0, 90_000.0),
    short_ep=st.floats(5_000.0, 90_000.0),
    wallets=st.lists(st.floats(-2_000.0, 300_000.0), min_size=1, max_size=6),
    symbol=st.sampled_from(["BTCUSDT", "ETHUSDT"]),
)
def test_curves_are_the_solver_point_by_point(
    long_q: float,
    short_q: float,
    long_ep: float,
    short_ep: float,
    wallets: list[float],
    symbol: str,
) -> None:
    """The curves solve the same pieces with the same arithmetic: equal to the bit."""
    from margin_widgets.engine.hedge import hedge_size_curve, hedge_wallet_curve

    table = load_brackets(symbol)
    if long_q == 0 and short_q == 0:
        short_q = 1.0
    expected = []
    for w in wallets:
        r = hedge_liquidation_price_in_brackets(w, long_q, long_ep, short_q, short_ep, table)
        expected.append((r.fall_price, r.rise_price))
    assert hedge_wallet_curve(long_q, long_ep, short_q, short_ep, table, wallets) == expected
    sizes = [0.0, short_q / 3, short_q, long_q, 2 * long_q + 0.5]
    curve = hedge_size_curve(long_q, long_ep, sizes, short_ep, table, wallets[0])
    for q, got in zip(sizes, curve, strict=True):
        r = hedge_liquidation_price_in_brackets(wallets[0], long_q, long_ep, q, short_ep, table)
        assert got == (r.fall_price, r.rise_price)


def test_curves_hand_worked() -> None:
    """1 BTC each way at 20,000, bracket 1 of 2024 (0.4 %): a rise at wallet / 0.008."""
    from margin_widgets.engine.hedge import hedge_size_curve, hedge_wallet_curve

    table = load_brackets("BTCUSDT", "2024-10-24")
    curve = hedge_wallet_curve(1, 20_000, 1, 20_000, table, [80.0, 160.0])
    assert [(f, r and round(r, 6)) for f, r in curve] == [(None, 10_000.0), (None, 20_000.0)]
    # unhedged with 200 USDT: (200 − 20,000) / (0.004 − 1) = 19,879.518…
    ((fall, rise),) = hedge_size_curve(1, 20_000, [0.0], 20_000, table, 200)
    assert rise is None and fall == pytest.approx(19_800 / 0.996, rel=1e-12)
    with pytest.raises(ValueError, match="wallet_balances\\[1\\]"):
        hedge_wallet_curve(1, 20_000, 1, 20_000, table, [1.0, float("nan")])
    with pytest.raises(ValueError, match="short_quantities\\[0\\]"):
        hedge_size_curve(1, 20_000, [-1.0], 20_000, table, 200)


# --------------------------------------------------------------------------- curves on grids
def _solver_pairs(
    table: BracketTable, wallet: float, ql: float, epl: float, sizes: list[float], eps: float
) -> list[tuple[float | None, float | None]]:
    """The reference: the general solver, one call per short size (no short and no long: none)."""
    out: list[tuple[float | None, float | None]] = []
    for q in sizes:
        if not ql and not q:
            out.append((None, None))
            continue
        r = hedge_liquidation_price_in_brackets(wallet, ql, epl, q, eps, table)
        out.append((r.fall_price, r.rise_price))
    return out


def _grid(top: float, points: int = 161) -> list[float]:
    return [top * k / (points - 1) for k in range(points)]


@settings(max_examples=40, deadline=None)
@given(
    long_q=st.sampled_from([0.0, 0.001, 0.3, 1.0, 2.5, 40.0]),
    long_ep=st.floats(5_000.0, 90_000.0),
    short_ep=st.floats(5_000.0, 90_000.0),
    wallet=st.floats(-5_000.0, 300_000.0),
    top=st.floats(0.002, 20.0),
    symbol=st.sampled_from(["BTCUSDT", "ETHUSDT"]),
)
def test_size_curve_on_a_grid_is_the_solver_at_every_size(
    long_q: float, long_ep: float, short_ep: float, wallet: float, top: float, symbol: str
) -> None:
    """161 growing sizes from no short on: the runs of one piece give the solver's numbers."""
    from margin_widgets.engine.hedge import hedge_size_curve

    table = load_brackets(symbol)
    sizes = _grid(max(top, 2 * long_q))
    got = hedge_size_curve(long_q, long_ep, sizes, short_ep, table, wallet)
    assert got == _solver_pairs(table, wallet, long_q, long_ep, sizes, short_ep)


@settings(max_examples=40, deadline=None)
@given(
    long_q=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
    short_q=st.sampled_from([0.0, 0.5, 1.0, 1.7]),
    long_ep=st.floats(5_000.0, 90_000.0),
    short_ep=st.floats(5_000.0, 90_000.0),
    low=st.floats(-20_000.0, 1_000.0),
    span=st.floats(10.0, 2e6),
)
def test_wallet_curve_on_a_grid_is_the_solver_at_every_wallet(
    long_q: float, short_q: float, long_ep: float, short_ep: float, low: float, span: float
) -> None:
    """161 growing wallets (some overdrawn): each piece's run of wallets, found by bisection."""
    from margin_widgets.engine.hedge import hedge_wallet_curve

    table = load_brackets("BTCUSDT")
    if not long_q and not short_q:
        short_q = 1.0
    wallets = [low + span * k / 160 for k in range(161)]
    expected = []
    for w in wallets:
        r = hedge_liquidation_price_in_brackets(w, long_q, long_ep, short_q, short_ep, table)
        expected.append((r.fall_price, r.rise_price))
    assert hedge_wallet_curve(long_q, long_ep, short_q, short_ep, table, wallets) == expected
    # the same wallets in another order: solved one by one, the same numbers
    shuffled = wallets[::-1]
    assert (
        hedge_wallet_curve(long_q, long_ep, short_q, short_ep, table, shuffled) == (expected[::-1])
    )


def test_curves_at_and_around_a_bracket_edge(btc_2024: BracketTable) -> None:
    # 1 BTC each way at 20,000 (2024: 0.4 % up to 50,000, then 0.5 %, cum 50). In bracket 1 a
    # rise liquidates at W / 0.008, which reaches the edge 50,000 at W = 400; above it,
    # bracket 2 gives (W + 100) / 0.01, also 50,000 at W = 400 (the cum recurrence): a kink.
    from margin_widgets.engine.hedge import hedge_size_curve, hedge_wallet_curve

    wallets = [399.0, 399.999999, 400.0, 400.000001, 401.0] + [390 + k / 8 for k in range(161)]
    wallets.sort()
    curve = hedge_wallet_curve(1, 20_000, 1, 20_000, btc_2024, wallets)
    assert curve == _wallet_pairs(btc_2024, wallets, 1, 20_000, 1, 20_000)
    at = dict(zip(wallets, curve, strict=True))
    for wallet, rise in ((399.0, 399 / 0.008), (400.0, 50_000.0), (401.0, 501 / 0.01)):
        assert at[wallet][0] is None  # 49,875, 50,000 and 50,100
        assert at[wallet][1] == pytest.approx(rise, rel=1e-12)
    # against the short's size, with 400: fully hedged (1 BTC short) the rise price is on both
    # legs' edge, and the short's edge 50,000 / q moves with its size; sizes packed around it
    sizes = sorted({k / 1600 for k in range(3201)} | {1.0 + k * 1e-9 for k in range(-50, 51)})
    got = hedge_size_curve(1, 20_000, sizes, 20_000, btc_2024, 400)
    assert got == _solver_pairs(btc_2024, 400, 1, 20_000, sizes, 20_000)


def _wallet_pairs(
    table: BracketTable, wallets: list[float], ql: float, epl: float, qs: float, eps: float
) -> list[tuple[float | None, float | None]]:
    out = []
    for w in wallets:
        r = hedge_liquidation_price_in_brackets(w, ql, epl, qs, eps, table)
        out.append((r.fall_price, r.rise_price))
    return out


def test_size_curve_one_leg_both_sides_already_and_never(btc_2024: BracketTable) -> None:
    from margin_widgets.engine.hedge import hedge_size_curve

    sizes = _grid(2.0)
    # no long: the short alone rises to (W + Q·EP) / (Q·(1 + MMR)); Q = 1 at 20,000 with 200:
    # 20,200 / 1.004 = 20,119.52
    alone = hedge_size_curve(0, 0, sizes, 20_000, btc_2024, 200)
    assert alone == _solver_pairs(btc_2024, 200, 0, 0, sizes, 20_000)
    assert alone[0] == (None, None) and alone[80][1] == pytest.approx(20_200 / 1.004, rel=1e-12)
    # the long alone at size 0: (200 − 20,000) / (0.004 − 1) = 19,800 / 0.996
    hedged = hedge_size_curve(1, 20_000, sizes, 20_000, btc_2024, 200)
    assert hedged[0][0] == pytest.approx(19_800 / 0.996, rel=1e-12) and hedged[0][1] is None
    # both sides: 1 long and 0.5 short at 10,000 with 4,000 (the near-hedged pair above)
    both = hedge_size_curve(1, 10_000, [0.5, *_grid(1.0)], 10_000, btc_2024, 4_000)
    assert both[0][0] == pytest.approx(1_000 / 0.494, rel=1e-12)
    assert both[0][1] == pytest.approx(842_961_900 / 0.25, rel=1e-12)
    assert both == _solver_pairs(btc_2024, 4_000, 1, 10_000, [0.5, *_grid(1.0)], 10_000)
    # already: 1 long at 21,000 hedged by 1 short at 20,000 locks in −1,000 against a 500
    # wallet: below maintenance at every price, no fall and no rise
    locked = hedge_size_curve(1, 21_000, sizes, 20_000, btc_2024, 500)
    assert locked[80] == (None, None)
    assert hedge_liquidation_price_in_brackets(500, 1, 21_000, 1, 20_000, btc_2024).direction == (
        "always"
    )
    assert locked == _solver_pairs(btc_2024, 500, 1, 21_000, sizes, 20_000)
    # never: 1 long hedged by at most 0.3 short, all at 20,000, with 50,000: the margin left
    # only grows with the price (D < 0 in every bracket) and is positive at zero
    never = hedge_size_curve(1, 20_000, _grid(0.3), 20_000, btc_2024, 50_000)
    assert set(never) == {(None, None)}
    assert never == _solver_pairs(btc_2024, 50_000, 1, 20_000, _grid(0.3), 20_000)
    # sizes in any order: solved one by one, the same numbers
    assert hedge_size_curve(1, 21_000, sizes[::-1], 20_000, btc_2024, 500) == locked[::-1]


@settings(PROPERTY, max_examples=60)
@given(
    st.sampled_from(available_bracket_tables()),
    st.sampled_from(["long", "short"]),
    st.floats(100.0, 100_000.0),
    st.floats(-50_000.0, 1e7),
    st.floats(0.001, 500.0),
)
def test_isolated_size_curve_is_the_one_way_solver_at_every_size(
    table_key: tuple[str, str], side: str, ep: float, wallet: float, top: float
) -> None:
    from margin_widgets.engine.hedge import isolated_size_curve

    table = load_brackets(*table_key)
    sizes = _grid(top)
    expected = [
        liquidation_price_in_brackets(side, q, ep, wallet, table)[0] if q else None for q in sizes
    ]
    assert isolated_size_curve(side, sizes, ep, wallet, table) == expected


def test_isolated_size_curve_by_hand_and_across_an_edge(btc_2024: BracketTable) -> None:
    from margin_widgets.engine.hedge import isolated_size_curve

    # a short of 1 BTC at 20,000 with 200: (200 + 20,000) / 1.004 = 20,119.52; 3 BTC: notional
    # 60,000 at entry (bracket 2, 0.5 %, cum 50): (200 + 60,000 + 50) / (3 · 1.005) = 19,983.42,
    # notional there 59,950: still bracket 2
    one, three = isolated_size_curve("short", [1.0, 3.0], 20_000, 200, btc_2024)
    assert one == pytest.approx(20_200 / 1.004, rel=1e-12)
    assert three == pytest.approx(60_250 / 3.015, rel=1e-12)
    # a long of 2.6 BTC at 20,000 with 3,000: entry notional 52,000 (bracket 2) gives
    # (3,000 + 50 − 52,000) / (2.6 · (0.005 − 1)) = 48,950 / 2.587 = 18,921.53, a notional of
    # 49,196 there: bracket 1, so the solver's second round is
    # (3,000 − 52,000) / (2.6 · (0.004 − 1)) = 49,000 / 2.5896 = 18,921.84 (still bracket 1)
    (price,) = isolated_size_curve("long", [2.6], 20_000, 3_000, btc_2024)
    assert price == pytest.approx(49_000 / (2.6 * 0.996), rel=1e-12)
    # an overdrawn short: no price keeps it above maintenance
    assert isolated_size_curve("short", [0.0, 1.0], 20_000, -30_000, btc_2024) == [None, None]
    with pytest.raises(ValueError, match=r"quantities\[1\]"):
        isolated_size_curve("short", [1.0, -1.0], 20_000, 200, btc_2024)
    with pytest.raises(ValueError, match="side"):
        isolated_size_curve("flat", [1.0], 20_000, 200, btc_2024)
    with pytest.raises(ValueError, match="entry_price"):
        isolated_size_curve("long", [1.0], 0, 200, btc_2024)
