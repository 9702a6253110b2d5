"""Common random numbers: CommonDraws gives simulate_paths' paths and the scan's counts.

The reference for the counts is the one-shock stress test scenario by scenario
(``stress_test(legs, shock_returns(...))``, the formula functions on every scenario): with the
same seed, :meth:`CommonDraws.one_shock_curve` must count the same scenarios, for long and
short books, two and three assets, books that leave the first bracket (answered by the scan)
and books of unequal legs.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import Leg, equal_legs, shock_returns, stress_test
from margin_widgets.engine.paths import CommonDraws, simulate_paths

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=25, deadline=None)


@pytest.mark.parametrize("nu", [None, 5.0])
@pytest.mark.parametrize("n_assets", [2, 3])
def test_paths_are_simulate_paths_number_for_number(n_assets: int, nu: float | None) -> None:
    draws = CommonDraws(n_assets, 120, horizon_days=6, degrees_of_freedom=nu, seed=4)
    for rho in (-0.5, 0.0, 0.3, 1.0):
        for sigma in (0.0, 0.1, 0.45):
            expected = simulate_paths(
                n_assets, rho, sigma, 120, horizon_days=6, degrees_of_freedom=nu, seed=4
            )
            assert draws.paths(rho, sigma) == expected


def test_the_numbers_are_drawn_once_per_seed() -> None:
    draws = CommonDraws(2, 200, seed=9)
    a, b = draws.paths(0.2, 0.1), draws.paths(0.8, 0.3)
    assert a.shocks[0] is b.shocks[0]  # asset 0 does not depend on the correlation
    assert draws.paths(0.2, 0.3).shocks is a.shocks  # a new volatility rescales the same shocks


def reference(legs: list[Leg], rho: float, sigma: float, count: int, seed: int) -> tuple:
    result = stress_test(legs, shock_returns(len(legs), rho, sigma, count, seed))
    return result.cross_probability, result.isolated_probability


BOOKS = [
    (2, 10, 1_000, "long"),
    (2, 25, 400, "long"),
    (3, 10, 1_000, "long"),
    (2, 10, 1_000, "short"),
    (3, 20, 700, "short"),
    (2, 100, 1_000, "long"),  # 100,000 USDT a leg: past the first bracket, scanned
]


@pytest.mark.parametrize(("n", "leverage", "margin", "side"), BOOKS)
def test_one_shock_curve_counts_what_the_scenario_scan_counts(
    n: int, leverage: int, margin: float, side: str
) -> None:
    legs = equal_legs(n, leverage, margin, sides=[side] * n)
    grid = [-0.5, 0.0, 0.5, 0.9, 1.0] if n == 3 else [-1.0, -0.4, 0.0, 0.5, 1.0]
    for seed in (0, 3):
        draws = CommonDraws(n, 1_500, horizon_days=1, step_days=1, seed=seed)
        for sigma in (0.0, 0.06, 0.15):
            cross, isolated = draws.one_shock_curve(legs, grid, sigma, n_paths=1_200)
            expected = [reference(legs, rho, sigma, 1_200, seed) for rho in grid]
            assert list(zip(cross, isolated, strict=True)) == expected


def test_unequal_legs_are_scanned() -> None:
    legs = [Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0), Leg("BTCUSDT", "short", 50, 100, 600)]
    draws = CommonDraws(2, 800, horizon_days=1, step_days=1, seed=2)
    cross, isolated = draws.one_shock_curve(legs, [0.0, 0.7], 0.12)
    assert list(zip(cross, isolated, strict=True)) == [
        reference(legs, rho, 0.12, 800, 2) for rho in (0.0, 0.7)
    ]


@PROPERTY
@given(
    seed=st.integers(0, 2**31),
    rho=st.floats(-1.0, 1.0),
    sigma=st.floats(0.0, 0.4),
    leverage=st.integers(1, 40),
    short=st.booleans(),
)
def test_one_shock_curve_for_any_input(
    seed: int, rho: float, sigma: float, leverage: int, short: bool
) -> None:
    legs = equal_legs(2, leverage, 1_000, sides=["short" if short else "long"] * 2)
    draws = CommonDraws(2, 300, horizon_days=1, step_days=1, seed=seed)
    cross, isolated = draws.one_shock_curve(legs, [rho], sigma)
    assert (cross[0], isolated[0]) == reference(legs, rho, sigma, 300, seed)


def test_argument_checks() -> None:
    with pytest.raises(ValueError, match="one-step draws"):
        CommonDraws(2, 10).one_shock_curve(equal_legs(2, 10, 1_000), [0.0], 0.1)
    draws = CommonDraws(2, 10, horizon_days=1, step_days=1)
    with pytest.raises(ValueError, match="n_paths must be at most 10"):
        draws.one_shock_curve(equal_legs(2, 10, 1_000), [0.0], 0.1, n_paths=11)
    with pytest.raises(ValueError, match="volatility"):
        draws.paths(0.0, -0.1)
    with pytest.raises(ValueError, match="correlation"):
        draws.paths(-1.5, 0.1)
    with pytest.raises(ValueError, match="whole number of steps"):
        CommonDraws(2, 10, horizon_days=1, step_days=0.3)


@pytest.mark.parametrize("nu", [3.0, 10.0, None])
def test_other_tails_share_the_normals(nu: float | None) -> None:
    gaussian = CommonDraws(2, 150, horizon_days=4, seed=8)
    fat = gaussian.with_degrees_of_freedom(nu)
    assert fat.degrees_of_freedom == nu
    assert fat.paths(0.4, 0.25) == simulate_paths(
        2, 0.4, 0.25, 150, horizon_days=4, degrees_of_freedom=nu, seed=8
    )
    with pytest.raises(ValueError, match="degrees_of_freedom must be > 2"):
        gaussian.with_degrees_of_freedom(2.0)
