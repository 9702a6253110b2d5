"""Multi-Assets mode: hand-worked roots, the USDT identity, brute-force root counts, stress.

Haircuts from Binance "What Is Multi-Assets Mode and Which Assets Are Supported?" (BTC, ETH, BNB
at a 95 % collateral value ratio).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    HAIRCUTS,
    BracketTable,
    Collateral,
    liquidation_price_in_brackets,
    load_brackets,
    multi_assets_excess,
    multi_assets_liquidation_prices,
    multi_assets_stress,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=200, deadline=None)
T2021 = load_brackets("BTCUSDT", "2021-03-18")
T2024 = load_brackets("BTCUSDT", "2024-10-24")


def test_documented_haircuts() -> None:
    # the FAQ: BNB with a market value of $1,000 counts $950
    assert HAIRCUTS == {"BTC": 0.05, "ETH": 0.05, "BNB": 0.05}
    assert Collateral("BNB", 1, 1_000).counted_value == 950.0


def test_excess_matches_the_formula_written_out() -> None:
    # 0.5 BTC long at 60,000, USDT 1,000, 0.05 BTC (β 1) and 2 ETH at 3,000 (β 0.5), mark 60,000,
    # evaluated at 54,000 (ratio 0.9), 2024 table (27,000 notional: MMR 0.4 %, cum 0):
    # MB = 1,000 + 0.05·54,000·0.95 + 2·3,000·0.9^0.5·0.95 + 0.5·(54,000 − 60,000)
    # MM = 27,000 × 0.004 = 108
    coins = [Collateral("BTC", 0.05, 60_000), Collateral("ETH", 2, 3_000, beta=0.5)]
    expected = 1_000 + 2_565 + 5_700 * math.sqrt(0.9) - 3_000 - 108
    got = multi_assets_excess("long", 0.5, 60_000, 60_000, 1_000, coins, T2024, 54_000)
    assert got == pytest.approx(expected, rel=1e-12)


def test_btc_collateral_behind_a_long_doubles_the_exposure() -> None:
    # 1 BTC long at 20,000, 0.02 BTC collateral (counted 380 at 20,000), no USDT, MMR 0.4 %:
    # 0.019·P + (P − 20,000) = 0.004·P  →  P = 20,000 / 1.015 = 19,704.433...
    coins = [Collateral("BTC", 0.02, 20_000)]
    roots = multi_assets_liquidation_prices("long", 1, 20_000, 20_000, 0, coins, T2021)
    assert roots == (pytest.approx(20_000 / 1.015, rel=1e-12),)
    # the same 380 held in USDT: (380 − 20,000) / (0.004 − 1) = −19,620 / −0.996 = 19,698.795
    usdt, _ = liquidation_price_in_brackets("long", 1, 20_000, 380, T2021)
    assert usdt == pytest.approx(19_620 / 0.996, rel=1e-12)
    assert roots[0] > usdt  # nearer the entry: the collateral falls with the position


def test_btc_collateral_behind_a_short_hedges() -> None:
    # short: 0.019·P − (P − 20,000) = 0.004·P  →  P = 20,000 / 0.985 = 20,304.568...
    coins = [Collateral("BTC", 0.02, 20_000)]
    roots = multi_assets_liquidation_prices("short", 1, 20_000, 20_000, 0, coins, T2021)
    assert roots == (pytest.approx(20_000 / 0.985, rel=1e-12),)
    # in USDT: (380 + 20,000) / 1.004 = 20,298.80
    assert roots[0] > 20_380 / 1.004


def test_two_liquidation_prices_for_a_short_over_btc_collateral() -> None:
    # short 1 BTC at 50,000, 1.1 BTC collateral (counted 1.045·P), USDT −60,000, 2024 table:
    # excess = −10,000 + 0.045·P − MM(P)
    # low root, bracket 2 (0.5 %, cum 50): 0.04·P = 9,950 → P = 248,750
    # high root, bracket 8 (10 %, cum 14,481,450): 0.055·P = 14,471,450 → P = 263,117,272.73
    coins = [Collateral("BTC", 1.1, 50_000)]
    roots = multi_assets_liquidation_prices("short", 1, 50_000, 50_000, -60_000, coins, T2024)
    assert roots == (
        pytest.approx(248_750.0, rel=1e-12),
        pytest.approx(14_471_450 / 0.055, rel=1e-12),
    )


def test_no_root_when_never_liquidated_and_when_always_liquidated() -> None:
    coins = [Collateral("BTC", 1, 20_000)]
    # 1 BTC long fully paid in BTC and USDT: the balance never reaches the maintenance margin
    assert multi_assets_liquidation_prices("long", 1, 20_000, 20_000, 20_000, [], T2021) == ()
    # USDT −30,000 behind a short over 1 BTC at 20,000 worth 19,000: excess at P
    # = −30,000 + 0.95·P − (P − 20,000) − MM = −10,000 − 0.05·P − MM < 0 at every price
    assert multi_assets_liquidation_prices("short", 1, 20_000, 20_000, -30_000, coins, T2021) == ()


@PROPERTY
@given(
    st.sampled_from(["long", "short"]),
    st.floats(0.01, 500),
    st.floats(100, 100_000),
    st.floats(1, 125),
    st.floats(0, 10),
    st.floats(100, 100_000),
)
def test_fixed_collateral_without_haircut_equals_usdt_of_the_same_value(
    side: str, q: float, ep: float, lev: float, amount: float, coin_price: float
) -> None:
    coins = [Collateral("ETH", amount, coin_price, beta=0.0, haircut=0.0)]
    wallet = q * ep / lev
    roots = multi_assets_liquidation_prices(side, q, ep, ep, wallet, coins, T2024)
    expected, _ = liquidation_price_in_brackets(side, q, ep, wallet + amount * coin_price, T2024)
    if expected is None:
        assert roots == ()
    else:
        assert len(roots) == 1
        assert roots[0] == pytest.approx(expected, rel=1e-9)


def _scan_sign_changes(
    side: str, q: float, ep: float, wallet: float, coins: list[Collateral], table: BracketTable
) -> list[tuple[float, float]]:
    """Brute force: the excess on a log grid of 40,000 prices from 1e-3 to 1e12 USDT."""
    n = 40_000
    grid = [10 ** (-3 + 15 * k / n) for k in range(n + 1)]
    values = [multi_assets_excess(side, q, ep, ep, wallet, coins, table, p) for p in grid]
    return [(grid[k], grid[k + 1]) for k in range(n) if (values[k] <= 0) != (values[k + 1] <= 0)]


@pytest.mark.parametrize(
    ("side", "q", "ep", "wallet", "coins", "count"),
    [
        ("long", 1, 60_000, 1_000, [Collateral("BTC", 0.1, 60_000)], 1),
        ("short", 1, 60_000, 1_000, [Collateral("BTC", 0.1, 60_000)], 1),
        ("short", 1, 50_000, -60_000, [Collateral("BTC", 1.1, 50_000)], 2),
        ("short", 1, 60_000, -65_000, [Collateral("ETH", 40, 3_250, beta=0.8)], 2),
        (
            "long",
            2,
            60_000,
            -5_000,
            [Collateral("ETH", 40, 3_250, beta=0.6), Collateral("BNB", 10, 600, beta=0.0)],
            1,
        ),
        ("short", 1, 20_000, -30_000, [Collateral("BTC", 1, 20_000)], 0),
        ("long", 1, 20_000, 20_000, [], 0),
    ],
)
def test_root_count_matches_a_brute_force_scan(
    side: str, q: float, ep: float, wallet: float, coins: list[Collateral], count: int
) -> None:
    roots = multi_assets_liquidation_prices(side, q, ep, ep, wallet, coins, T2024)
    crossings = _scan_sign_changes(side, q, ep, wallet, coins, T2024)
    assert len(roots) == len(crossings) == count
    for root, (lo, hi) in zip(roots, crossings, strict=True):
        assert lo <= root <= hi  # each root sits in the grid cell where the sign flips
    assert list(roots) == sorted(roots)


def test_stress_is_seeded_and_reproducible() -> None:
    coins = [Collateral("BTC", 0.1, 20_000)]
    a = multi_assets_stress("long", 1, 20_000, 20_000, 0, coins, T2021, 1.0, 0.05, 500, seed=3)
    b = multi_assets_stress("long", 1, 20_000, 20_000, 0, coins, T2021, 1.0, 0.05, 500, seed=3)
    assert a == b and a.n_scenarios == 500


def test_stress_long_is_worse_and_short_is_better_with_btc_collateral() -> None:
    coins = [Collateral("BTC", 0.1, 20_000)]  # counted 1,900 USDT now: about 10x
    long_ = multi_assets_stress("long", 1, 20_000, 20_000, 0, coins, T2021, 1.0, 0.08, 4_000)
    short = multi_assets_stress("short", 1, 20_000, 20_000, 0, coins, T2021, 1.0, 0.08, 4_000)
    assert long_.probability > long_.usdt_probability > 0
    assert short.probability < short.usdt_probability


def test_stress_with_fixed_collateral_and_no_haircut_equals_usdt() -> None:
    coins = [Collateral("ETH", 1, 2_000, haircut=0.0)]
    result = multi_assets_stress(
        "long", 1, 20_000, 20_000, 0, coins, T2021, 0.0, 0.08, 3_000, collateral_volatility=0.0
    )
    assert result.liquidated == result.usdt_liquidated > 0


def test_stress_without_volatility_is_the_verdict_at_the_mark() -> None:
    # 1 BTC long at 20,000, entry 22,000, no collateral, USDT 1,500: excess at the mark
    # = 1,500 − 2,000 − 80 < 0, so every scenario is liquidated
    result = multi_assets_stress("long", 1, 22_000, 20_000, 1_500, [], T2021, 0.0, 0.0, 10)
    assert result.probability == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"asset": "DOGE"}, r"asset must be one of \['BNB', 'BTC', 'ETH'\]"),
        ({"beta": 1.5}, r"beta must be in \[0, 1\], got 1.5"),
        ({"haircut": 1.0}, r"haircut must be in \[0, 1\)"),
        ({"amount": -1}, "amount must be >= 0"),
        ({"price": 0}, "price must be > 0"),
    ],
)
def test_bad_collateral_is_refused(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"asset": "BTC", "amount": 1, "price": 20_000}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Collateral(**args)  # type: ignore[arg-type]


def test_bad_book_is_refused() -> None:
    with pytest.raises(ValueError, match="side must be 'long' or 'short'"):
        multi_assets_liquidation_prices("up", 1, 1, 1, 0, [], T2021)
    with pytest.raises(ValueError, match="brackets must be a BracketTable"):
        multi_assets_liquidation_prices("long", 1, 1, 1, 0, [], None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="usdt_balance must be a finite number"):
        multi_assets_liquidation_prices("long", 1, 1, 1, math.inf, [], T2021)


def test_a_root_on_a_bracket_edge_is_found_once() -> None:
    # 1 BTC long at 60,000 with 10,200 USDT, 2024 table: at 50,000 (the edge of brackets 1 and 2)
    # 10,200 − 10,000 = 200 = 50,000 × 0.4 % = 50,000 × 0.5 % − 50: both pieces give 50,000
    roots = multi_assets_liquidation_prices("long", 1, 60_000, 60_000, 10_200, [], T2024)
    assert roots == (50_000.0,)
