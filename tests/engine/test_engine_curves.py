"""The engine's curves: hand-worked points, identities with the formulas, brute-force references.

Expected values are worked by hand with exact fractions (shown in the comments) or come from a
different engine path (the formula, the bracketed solver, an :class:`Account`), never from the
curve function under test.
"""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    Bracket,
    BracketTable,
    MarginError,
    book_account,
    bracket_curve,
    correlation_grid,
    cross_boundary,
    cross_leverage_curve,
    equal_legs,
    feasible_points,
    isolated_leverage_curve,
    isolated_margin_limits,
    linear_grid,
    liquidation_price,
    liquidation_price_curve,
    liquidation_price_in_brackets,
    load_brackets,
    log_grid,
    margin_curve,
    margin_ratio_curve,
    minimum_leverage,
    position_ratio_curve,
    price_move,
    size_curve,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=150, deadline=None)

BTC = load_brackets("BTCUSDT")
ETH = load_brackets("ETHUSDT")
BTC_2021 = load_brackets("BTCUSDT", "2021-03-18")  # bracket 1: MMR 0.4 %, cum 0, to 50,000
#: One bracket of MMR 0.5 %, cum 0: the worked example of the liquidation-price FAQ.
FLAT = BracketTable(
    symbol="BTCUSDT",
    effective_date="2000-01-01",
    source="worked example: one bracket, MMR 0.5 %, cum 0",
    brackets=(Bracket(1, 0.0, 1e12, 125.0, 0.005, 0.0),),
)


def exact(value: F, rel: float = 1e-12) -> object:
    return pytest.approx(float(value), rel=rel)


# --------------------------------------------------------------------------- leverage
def test_worked_example_one_btc_at_20000_with_50x() -> None:
    # 1 BTC long at 20,000, 50x: WB = 20,000 / 50 = 400, MMR 0.5 %, cum 0.
    # LP = (400 − 20,000) / (0.005 − 1) = 19,600 / 0.995 = 3,920,000 / 199 = 19,698.4924...
    # BP = 20,000 − 400 = 19,600.
    curve = isolated_leverage_curve("long", 1, 20_000, FLAT, max_leverage=50)
    assert curve.leverages == tuple(range(1, 51))
    assert curve.liquidation[49] == exact(F(3_920_000, 199))
    assert round(curve.liquidation[49] or 0, 2) == 19_698.49
    assert curve.bankruptcy[49] == 19_600.0
    # 10x: WB = 2,000, LP = 18,000 / 0.995 = 3,600,000 / 199; BP = 18,000
    assert curve.liquidation[9] == exact(F(3_600_000, 199))
    assert curve.bankruptcy[9] == 18_000.0
    # 1x: WB = 20,000: the long cannot be liquidated above zero (LP = 0 / 0.995), BP = 0
    assert curve.liquidation[0] is None and curve.bankruptcy[0] is None


def test_short_side_worked_example() -> None:
    # 1 BTC short at 20,000, 50x: LP = (400 + 20,000) / (0.005 + 1) = 20,400 / 1.005
    # = 4,080,000 / 201 = 20,298.507...; BP = 20,000 + 400 = 20,400.
    curve = isolated_leverage_curve("short", 1, 20_000, FLAT, max_leverage=50)
    assert curve.liquidation[49] == exact(F(4_080_000, 201))
    assert curve.bankruptcy[49] == 20_400.0


def test_default_range_is_the_bracket_maximum_and_matches_the_general_curve() -> None:
    # 0.5 BTC at 60,000 = 30,000 USDT: the newest table allows 125x for that notional
    curve = isolated_leverage_curve("long", 0.5, 60_000, BTC)
    assert curve.leverages[-1] == BTC.max_leverage(30_000) == 125
    assert list(curve.liquidation) == liquidation_price_curve(
        "long", 0.5, 60_000, curve.leverages, BTC
    )


@PROPERTY
@given(
    side=st.sampled_from(["long", "short"]),
    quantity=st.floats(0.001, 400.0),
    entry=st.floats(100.0, 200_000.0),
    date=st.sampled_from(["2021-03-18", None]),
)
def test_every_point_is_the_bracketed_solver_and_the_formula(
    side: str, quantity: float, entry: float, date: str | None
) -> None:
    table = load_brackets("BTCUSDT", date)
    curve = isolated_leverage_curve(side, quantity, entry, table)
    value = quantity * entry
    for lev, lp, bp in zip(curve.leverages, curve.liquidation, curve.bankruptcy, strict=True):
        wallet = value / lev
        assert lp == liquidation_price_in_brackets(side, quantity, entry, wallet, table)[0]
        if lp is not None:
            # identity: the liquidation-price formula with the bracket of the notional at LP
            bracket = table.bracket_for(quantity * lp)
            formula = liquidation_price(
                side,
                quantity,
                entry,
                wallet,
                bracket.maintenance_margin_rate,
                bracket.maintenance_amount,
            )
            assert formula == pytest.approx(lp, rel=1e-9)
        sign = 1 if side == "long" else -1
        expected_bp = entry - wallet / (sign * quantity)
        assert bp == (expected_bp if expected_bp > 0 else None)


def test_bad_leverage_range_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="max_leverage must be a whole number >= 1, got 0"):
        isolated_leverage_curve("long", 1, 20_000, FLAT, max_leverage=0)
    with pytest.raises(ValueError, match="quantity"):
        isolated_leverage_curve("long", -1, 20_000, FLAT)
    with pytest.raises(ValueError, match="side"):
        isolated_leverage_curve("up", 1, 20_000, FLAT)


# --------------------------------------------------------------------------- feasibility
def test_minimum_leverage_hand_worked() -> None:
    # 30,000 + 15,000 = 45,000 USDT of notional: 45,000 / 9 = 5,000 <= 5,000, 45,000 / 8 > 5,000
    assert minimum_leverage(5_000, [30_000, 15_000], [125, 125]) == 9
    # 2,000 USDT: L >= 22.5
    assert minimum_leverage(2_000, [30_000, 15_000], [125, 125]) == 23
    # the ETH leg capped at 10x needs 1,500 at any L >= 10: 30,000 / L + 1,500 <= 2,000 -> 60
    assert minimum_leverage(2_000, [30_000, 15_000], [125, 10]) == 60
    assert minimum_leverage(100, [30_000], [125]) is None
    assert minimum_leverage(50_000, [30_000], [125]) == 1


def test_minimum_leverage_is_where_the_account_starts_to_accept() -> None:
    # brute force: open the example book at every leverage with an engine Account
    for wallet in (600.0, 2_345.0, 5_000.0, 7_777.0):
        for other in (0.0, 5.0, 40.0):
            values = [30_000.0] + ([other * 3_000.0] if other else [])
            caps = [125.0] + ([ETH.max_leverage(other * 3_000.0)] if other else [])
            low = minimum_leverage(wallet, values, caps)
            accepted = []
            for lev in range(1, 126):
                try:
                    book_account("isolated", lev, wallet, other_quantity=other)
                except MarginError:
                    continue
                accepted.append(lev)
            assert (accepted[0] if accepted else None) == low
            assert accepted == list(range(low, 126)) if low is not None else accepted == []


def test_minimum_leverage_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="one length"):
        minimum_leverage(1_000, [1.0, 2.0], [10])
    with pytest.raises(ValueError, match=r"max_leverages\[0\] must be >= 1"):
        minimum_leverage(1_000, [1.0], [0.5])
    with pytest.raises(ValueError, match="wallet_balance"):
        minimum_leverage(-1, [1.0], [10])


def test_cross_curve_is_flat_where_the_wallet_can_open_it() -> None:
    # the example book in cross: WB 5,000, TMM = 15,000 × 0.4 % = 60 (ETH bracket 1), UPNL 0;
    # LP = (5,000 − 60 − 30,000) / (0.5 × 0.004 − 0.5) = 25,060 / 0.498 = 50,321.285...
    account = book_account("cross", 9)
    lp = account.liquidation_price("BTCUSDT")
    assert lp == exact(F(25_060_000, 498))
    curve = cross_leverage_curve(lp, range(1, 126), 9)
    assert curve[:8] == (None,) * 8 and set(curve[8:]) == {lp}
    # flat: the account at every feasible leverage reports the same price
    for lev in (9, 20, 125):
        assert book_account("cross", lev).liquidation_price("BTCUSDT") == lp
    assert cross_leverage_curve(lp, [1, 2], None) == (None, None)
    assert feasible_points([1.0, 2.0, 3.0], [1, 2, 3], 2) == (None, 2.0, 3.0)
    assert feasible_points([1.0], [1], None) == (None,)


# --------------------------------------------------------------------------- margin
def test_margin_curve_hand_worked_and_monotone() -> None:
    # 1 BTC long at 20,000, MMR 0.4 %: WB 400 -> 19,600 / 0.996; WB 1,000 -> 19,000 / 0.996
    prices = margin_curve("long", 1, 20_000, [400, 1_000, 20_000], BTC_2021)
    assert prices[0] == exact(F(19_600_000, 996))
    assert prices[1] == exact(F(19_000_000, 996))
    assert prices[2] is None  # the whole notional as margin: no positive liquidation price
    grid = linear_grid(100, 5_000, 50)
    curve = margin_curve("long", 1, 20_000, grid, BTC)
    finite = [p for p in curve if p is not None]
    assert finite == sorted(finite, reverse=True)  # more margin, lower liquidation price
    for wallet, lp in zip(grid, curve, strict=True):
        assert lp == liquidation_price_in_brackets("long", 1, 20_000, wallet, BTC)[0]


def test_isolated_margin_limits_are_the_accounts_limits() -> None:
    account = book_account("isolated")
    wallet = account.position("BTCUSDT").isolated_wallet
    low, high = isolated_margin_limits(account, "BTCUSDT")
    assert low == wallet - account.max_removable_margin("BTCUSDT")
    assert high == wallet + account.available_balance()
    # 5,000 − 1,500 − 750 = 2,750 available: the BTC wallet may grow from 1,500 to 4,250
    assert high == 4_250.0


# --------------------------------------------------------------------------- size
def test_size_curve_hand_worked_and_cut_at_the_cap() -> None:
    # 1 BTC at 20,000 (notional 20,000) at 50x with a 1,000 USDT cross wallet, MMR 0.4 %:
    # isolated (400 − 20,000) / (0.004 − 1) = 19,600 / 0.996, cross 19,000 / 0.996
    curve = size_curve("long", 20_000, [20_000], BTC_2021, 50, 1_000)
    assert curve.isolated[0] == exact(F(19_600_000, 996))
    assert curve.cross[0] == exact(F(19_000_000, 996))
    # 2021 table: 50x allowed up to 1,000,000 USDT; 60,000 at 50x needs 1,200 > 1,000 USDT
    cut = size_curve("long", 20_000, [60_000, 2_000_000], BTC_2021, 50, 1_000)
    assert cut.isolated[0] is not None and cut.cross[0] is None
    assert cut.isolated[1] is None and cut.cross[1] is None
    grid = log_grid(100, 5e6, 40)
    full = size_curve("long", 60_000, grid, BTC, 20, 10_000)
    cap = BTC.max_notional_for_leverage(20)
    for n, iso, cross in zip(grid, full.isolated, full.cross, strict=True):
        if n > cap:
            assert iso is None and cross is None
            continue
        q = n / 60_000
        assert iso == liquidation_price_in_brackets("long", q, 60_000, n / 20, BTC)[0]
        if n / 20 <= 10_000:
            assert cross == liquidation_price_in_brackets("long", q, 60_000, 10_000, BTC)[0]
        else:
            assert cross is None


def test_bracket_curve_hand_worked_and_continuous() -> None:
    # 2021 table, 500,000 USDT: bracket 3, MMR 1 %, cum 1,300, 50x:
    # (5,000 − 1,300) / 500,000 = 0.0074
    curve = bracket_curve(BTC_2021, [500_000, 50_000, 50_000.01])
    assert curve.maintenance_rate[0] == pytest.approx(0.0074, rel=1e-12)
    assert (curve.bracket_rate[0], curve.max_leverage[0]) == (0.01, 50.0)
    # the cum recurrence keeps the maintenance margin continuous across the 50,000 edge
    below, above = curve.maintenance_rate[1] * 50_000, curve.maintenance_rate[2] * 50_000.01
    assert above == pytest.approx(below, abs=1e-4)
    grid = log_grid(100, BTC_2021.max_notional, 200)
    edges = bracket_curve(BTC_2021, grid).edges
    assert edges == tuple(b.max_notional for b in BTC_2021.brackets[:-1])


# --------------------------------------------------------------------------- margin ratio
def test_margin_ratio_hand_worked_and_one_at_the_liquidation_price() -> None:
    # 1 BTC long at 20,000 with 400 USDT, MMR 0.4 %: at 19,800 MM = 79.2, balance 200 -> 0.396;
    # at 19,500 the balance is 400 − 500 < 0 -> inf
    ratios = margin_ratio_curve("long", 1, 20_000, 400, BTC_2021, [19_800, 19_500])
    assert ratios[0] == pytest.approx(0.396, rel=1e-12)
    assert ratios[1] == math.inf
    lp = margin_curve("long", 1, 20_000, [400], BTC_2021)[0]
    assert lp is not None
    assert margin_ratio_curve("long", 1, 20_000, 400, BTC_2021, [lp])[0] == pytest.approx(1.0)


@pytest.mark.parametrize("move", [0.0, 0.1, -0.2])
@pytest.mark.parametrize("mode", ["isolated", "cross"])
def test_position_ratio_curve_is_the_accounts(mode: str, move: float) -> None:
    account = book_account(mode, 20, other_move=move)
    grid = linear_grid(30_000, 90_000, 241)
    reference = account.margin_ratio_curve("BTCUSDT", grid)
    assert position_ratio_curve(account, "BTCUSDT", grid) == pytest.approx(reference, rel=1e-12)
    shuffled = grid[::-1]  # any order works
    assert list(position_ratio_curve(account, "BTCUSDT", shuffled)) == pytest.approx(
        reference[::-1], rel=1e-12
    )


def test_ratio_prices_are_checked() -> None:
    with pytest.raises(ValueError, match=r"prices\[1\]"):
        margin_ratio_curve("long", 1, 20_000, 400, BTC, [19_000, -1])


# --------------------------------------------------------------------------- correlation
def test_cross_boundary_hand_worked() -> None:
    # two longs of 100 units at 100 USDT with 1,000 each (2021 table, MMR 0.4 %, cum 0).
    # A unchanged: TMM = 10,000 × 0.004 = 40, UPNL 0; B is liquidated where
    # (2,000 − 40 − 10,000) / (0.4 − 100) = 8,040 / 99.6 -> a move of 8,040 / 9,960 − 1.
    legs = equal_legs(2, 10, 1_000)
    boundary = cross_boundary(legs, [0.0, -2.0], BTC_2021)
    assert boundary[0] == exact(F(8_040, 9_960) - 1)
    assert boundary[1] is None  # A's mark would be negative
    # A up 5 %: TMM = 10,500 × 0.004 = 42, UPNL = +500 -> (2,000 − 42 + 500 − 10,000) / −99.6
    assert cross_boundary(legs, [0.05], BTC_2021)[0] == exact(F(7_542, 9_960) - 1)


def test_correlation_grid_and_price_move() -> None:
    assert correlation_grid(2, 5) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert correlation_grid(3, 3) == [-0.5, 0.25, 1.0]
    assert price_move(60_000, 57_000) == pytest.approx(-0.05)
    assert price_move(60_000, None) is None
    with pytest.raises(ValueError, match="n_assets"):
        correlation_grid(1)


def test_grids() -> None:
    assert linear_grid(0, 1, 5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    grid = linear_grid(45_000.5, 62_000.25, 241)
    assert len(grid) == 241 and grid[0] == 45_000.5 and grid[-1] == 62_000.25
    assert log_grid(100, 10_000, 3) == pytest.approx([100.0, 1_000.0, 10_000.0])
    with pytest.raises(ValueError, match="points must be a whole number >= 2"):
        linear_grid(0, 1, 1)
    with pytest.raises(ValueError, match="high must be >= low"):
        linear_grid(1, 0, 3)


def test_curves_import_without_widget_libraries() -> None:
    code = (
        "import sys\n"
        "import margin_widgets.engine.curves, margin_widgets.engine.simulations\n"
        "import margin_widgets.engine.examples\n"
        "bad = [m for m in ('numpy', 'ipywidgets', 'bqplot', 'traitlets') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cross_account_refusal_is_the_accounts() -> None:
    # below the minimum leverage the account refuses; the curve has no point there
    with pytest.raises(MarginError, match="initial margin"):
        book_account("cross", 8)
    assert isinstance(book_account("cross", 9), Account)


# --------------------------------------------------------------------------- spot margin level
def test_spot_level_curve_hand_worked() -> None:
    from margin_widgets.engine.curves import spot_level_curve

    # Long: 2 BTC + 1,000 USDT, owing 20,000 + 500 interest.
    # At 10,000: (2·10,000 + 1,000) / 20,500 = 21,000 / 20,500 = 42/41.
    # At 30,000: 61,000 / 20,500 = 122/41.
    long = spot_level_curve("long", 2, 1_000, [10_000, 30_000], debt=20_000, interest=500)
    assert long == pytest.approx([42 / 41, 122 / 41], rel=1e-15)
    # Short: holds 40,000 USDT, owes 1 BTC + 0.25 BTC interest.
    # At 16,000: 40,000 / (1.25·16,000) = 40,000 / 20,000 = 2.
    assert spot_level_curve("short", 1, 40_000, [16_000], interest=0.25) == pytest.approx([2.0])
    # Nothing owed: no margin level to reach, inf.
    assert spot_level_curve("long", 1, 0, [1.0]) == (math.inf,)


@given(
    q=st.floats(0.01, 100),
    c=st.floats(0, 1e6),
    owed=st.floats(1, 1e6),
    t=st.floats(1.01, 2),
)
@settings(max_examples=50, deadline=None)
def test_spot_level_curve_is_the_threshold_at_the_liquidation_price(
    q: float, c: float, owed: float, t: float
) -> None:
    """The level at the formula's liquidation price is the threshold (identity, both sides)."""
    from margin_widgets.engine import long_liquidation_price, short_liquidation_price
    from margin_widgets.engine.curves import spot_level_curve

    p_long = long_liquidation_price(q, c, owed, 0.0, t)
    if p_long is not None:
        assert spot_level_curve("long", q, c, [p_long], debt=owed)[0] == pytest.approx(t)
    p_short = short_liquidation_price(c + 1.0, q, 0.0, t)
    assert p_short is not None
    assert spot_level_curve("short", q, c + 1.0, [p_short])[0] == pytest.approx(t)


@given(
    st.floats(0, 50),
    st.floats(0, 1e6),
    st.floats(0, 1e6),
    st.floats(0, 5),
    st.lists(st.floats(0.01, 1e6), min_size=1, max_size=8),
)
def test_spot_level_curve_is_margin_level_at_each_price(
    q: float, c: float, debt: float, interest: float, prices: list[float]
) -> None:
    """The curve equals the general call, margin_level of the holdings, point by point."""
    from margin_widgets.engine import margin_level, notional
    from margin_widgets.engine.curves import spot_level_curve

    long = spot_level_curve("long", q, c, prices, debt=debt, interest=interest)
    assert long == tuple(margin_level(notional(q, p) + c, debt, interest) for p in prices)
    short = spot_level_curve("short", q, c, prices, interest=interest)
    assert short == tuple(margin_level(c, notional(q, p), notional(interest, p)) for p in prices)


def test_spot_level_curve_refuses_holdings_beyond_the_float_range() -> None:
    """A point whose holding or debt overflows is refused, as margin_level refuses it."""
    from margin_widgets.engine.curves import spot_level_curve

    # 2 × 1e308 is beyond the largest float: the long's assets, the short's debt
    with pytest.raises(ValueError, match="total_asset_value must be a finite number"):
        spot_level_curve("long", 2, 0, [1.0, 1e308], debt=100)
    with pytest.raises(ValueError, match="total_debt must be a finite number"):
        spot_level_curve("short", 2, 1_000, [1e308])
    with pytest.raises(ValueError, match="unpaid_interest must be a finite number"):
        spot_level_curve("short", 1, 1_000, [2.0], interest=1e308)
    # 1e308 + 1e308 owed in all is inf, which margin_level divides by (0), as before
    assert spot_level_curve("short", 1, 1_000, [1e308], interest=1.0) == (0.0,)


def test_spot_level_curve_refuses_debt_on_a_short() -> None:
    from margin_widgets.engine.curves import spot_level_curve

    with pytest.raises(ValueError, match="debt"):
        spot_level_curve("short", 1, 1_000, [100.0], debt=5.0)


@given(
    st.floats(0.01, 1e7),
    st.lists(st.one_of(st.none(), st.floats(0.0, 1e7)), max_size=8),
)
def test_price_moves_is_price_move_at_each_price(entry: float, prices: list[float | None]) -> None:
    from margin_widgets.engine import price_move, price_moves

    assert price_moves(entry, prices) == tuple(price_move(entry, p) for p in prices)


def test_price_moves_refuses_a_bad_entry_or_price() -> None:
    from margin_widgets.engine import price_moves

    with pytest.raises(ValueError, match="entry_price must be > 0"):
        price_moves(0, [1.0])
    with pytest.raises(ValueError, match=r"prices\[\] must be a finite number"):
        price_moves(1.0, [math.nan])
