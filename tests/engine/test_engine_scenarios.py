"""Correlated scenarios, stress tests and cross-versus-isolated probabilities.

Statistical tolerances are stated next to each check. The draws are seeded, so every run sees
the same numbers; the tolerances are nevertheless set at 5 standard errors so that the checks
would hold for practically any seed (a 5σ miss has probability below 1e-6), i.e. they test the
method and not one lucky stream.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    Leg,
    cholesky,
    correlated_normals,
    dip_path,
    equal_legs,
    equicorrelation_matrix,
    liquidation_price_in_brackets,
    liquidation_probability,
    load_brackets,
    price_paths,
    shock_returns,
    stress_test,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=500, deadline=None)

N_DRAWS = 20_000


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float:
    return statistics.correlation(xs, ys)


# --------------------------------------------------------------------------- reproducibility
def test_same_seed_same_scenarios_other_seed_other_scenarios() -> None:
    first = shock_returns(3, 0.4, 0.08, 500, seed=11)
    assert first == shock_returns(3, 0.4, 0.08, 500, seed=11)
    assert first != shock_returns(3, 0.4, 0.08, 500, seed=12)
    assert correlated_normals(2, 0.3, 100, seed=5) == correlated_normals(2, 0.3, 100, seed=5)
    assert price_paths([100.0, 50.0], 0.8, 0.01, 50, seed=1) == price_paths(
        [100.0, 50.0], 0.8, 0.01, 50, seed=1
    )
    legs = equal_legs(2, 10, 1_000)
    a = liquidation_probability(legs, 0.5, 0.08, 2_000, seed=3)
    b = liquidation_probability(legs, 0.5, 0.08, 2_000, seed=3)
    assert (a.cross_liquidated, a.isolated_liquidated) == (
        b.cross_liquidated,
        b.isolated_liquidated,
    )


# --------------------------------------------------------------------------- correlation
@pytest.mark.parametrize(
    ("n_assets", "rho"),
    [(2, -1.0), (2, -0.5), (2, 0.0), (2, 0.3), (2, 0.5), (2, 0.9), (2, 1.0), (3, -0.5), (3, 0.5)],
)
def test_sample_correlation_close_to_the_parameter(n_assets: int, rho: float) -> None:
    """20,000 draws: the standard error of a sample correlation is about (1 − ρ²)/√n, at most
    0.0071; the tolerance is 5 of those (+1e-12 for ρ = ±1, where the sample value is exact).
    Means (SE 1/√n) and variances (SE √(2/n)) are held to 5 standard errors too."""
    draws = correlated_normals(n_assets, rho, N_DRAWS, seed=2024)
    columns = list(zip(*draws, strict=True))
    tolerance = 5 * (1 - rho**2) / math.sqrt(N_DRAWS) + 1e-12
    for i in range(n_assets):
        assert abs(statistics.fmean(columns[i])) < 5 / math.sqrt(N_DRAWS)
        assert abs(statistics.pvariance(columns[i]) - 1) < 5 * math.sqrt(2 / N_DRAWS)
        for j in range(i):
            assert _correlation(columns[i], columns[j]) == pytest.approx(rho, abs=tolerance)


def test_log_returns_of_price_paths_have_the_correlation() -> None:
    paths = price_paths([100.0, 20.0], 0.6, 0.02, N_DRAWS, seed=9)
    logs = [[math.log(b / a) for a, b in itertools.pairwise(p)] for p in paths]
    assert _correlation(logs[0], logs[1]) == pytest.approx(
        0.6, abs=5 * (1 - 0.36) / math.sqrt(N_DRAWS)
    )
    # each step's log return has standard deviation 0.02 (SE of a σ estimate: σ/√(2n))
    assert statistics.stdev(logs[0]) == pytest.approx(0.02, abs=5 * 0.02 / math.sqrt(2 * N_DRAWS))


def test_shock_returns_are_lognormal_with_mean_zero() -> None:
    """exp(σz − σ²/2) − 1 has mean 0 and variance exp(σ²) − 1 (σ = 0.1: SE of the mean ≈
    0.1/√n = 0.0007)."""
    returns = [r[0] for r in shock_returns(2, 0.0, 0.1, N_DRAWS, seed=4)]
    assert abs(statistics.fmean(returns)) < 5 * 0.1 / math.sqrt(N_DRAWS)
    assert min(returns) > -1
    assert shock_returns(2, 0.5, 0.0, 3) == [(0.0, 0.0)] * 3


@pytest.mark.parametrize(
    "matrix",
    [
        equicorrelation_matrix(2, 0.6),
        equicorrelation_matrix(3, 0.5),
        equicorrelation_matrix(4, -1 / 3),  # the lowest allowed ρ: semi-definite
        equicorrelation_matrix(3, 1.0),  # rank one: semi-definite
        [[4.0, 2.0, 0.4], [2.0, 5.0, 1.0], [0.4, 1.0, 3.0]],
    ],
)
def test_cholesky_reconstructs_the_matrix(matrix: list[list[float]]) -> None:
    lower = cholesky(matrix)
    n = len(matrix)
    for i in range(n):
        for j in range(n):
            if j > i:
                assert lower[i][j] == 0
            rebuilt = sum(lower[i][k] * lower[j][k] for k in range(n))
            assert rebuilt == pytest.approx(matrix[i][j], abs=1e-12)


def test_cholesky_hand_worked() -> None:
    # [[1, ρ], [ρ, 1]] = L·Lᵀ with L = [[1, 0], [ρ, √(1 − ρ²)]]; ρ = 0.6 gives 0.8
    assert cholesky([[1.0, 0.6], [0.6, 1.0]]) == [[1.0, 0.0], [0.6, pytest.approx(0.8)]]


@PROPERTY
@given(
    entries=st.lists(st.floats(-3.0, 3.0), min_size=9, max_size=9),
    ridge=st.floats(0.0, 1.0),
)
def test_cholesky_reconstructs_random_positive_definite_matrices(
    entries: list[float], ridge: float
) -> None:
    a = [entries[0:3], entries[3:6], entries[6:9]]
    matrix = [
        [
            sum(a[i][k] * a[j][k] for k in range(3)) + (ridge + 1e-3 if i == j else 0.0)
            for j in range(3)
        ]
        for i in range(3)
    ]
    lower = cholesky(matrix)
    scale = max(abs(x) for row in matrix for x in row)
    for i in range(3):
        for j in range(3):
            rebuilt = sum(lower[i][k] * lower[j][k] for k in range(3))
            assert rebuilt == pytest.approx(matrix[i][j], abs=1e-9 * scale)


def test_cholesky_refuses_bad_matrices() -> None:
    with pytest.raises(ValueError, match="matrix must be positive semi-definite"):
        cholesky([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="matrix must be square, row 1 has 1 entries"):
        cholesky([[1.0, 0.0], [0.0]])


@pytest.mark.parametrize(
    ("n_assets", "rho", "allowed"),
    [
        (2, 1.01, "[-1, 1]"),
        (2, -1.2, "[-1, 1]"),
        (3, -0.51, "[-0.5, 1]"),
        (4, -0.34, "[-0.333333, 1]"),
    ],
)
def test_correlation_outside_the_allowed_range_raises(
    n_assets: int, rho: float, allowed: str
) -> None:
    expected = f"correlation must be in {allowed} for {n_assets} assets, got {rho!r}"
    with pytest.raises(ValueError) as caught:
        correlated_normals(n_assets, rho, 10)
    assert str(caught.value) == expected
    with pytest.raises(ValueError, match="correlation must be in"):
        liquidation_probability(equal_legs(n_assets, 10, 1_000), rho, 0.08, 10)


def test_scenario_argument_checks() -> None:
    with pytest.raises(ValueError, match="n_assets must be >= 2"):
        correlated_normals(1, 0.0, 10)
    with pytest.raises(TypeError, match="n_scenarios must be an int"):
        correlated_normals(2, 0.0, 10.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="volatility must be >= 0"):
        shock_returns(2, 0.0, -0.1, 10)
    with pytest.raises(ValueError, match=r"dip must be in \[0, 1\)"):
        dip_path(100.0, 1.0)
    with pytest.raises(ValueError, match="sides must have 2 entries, got 1"):
        equal_legs(2, 10, 1_000, sides=["long"])
    with pytest.raises(ValueError, match="legs must hold at least one Leg"):
        stress_test([], [])
    with pytest.raises(ValueError, match=r"returns\[0\] must have 2 entries, got 1"):
        stress_test(equal_legs(2, 10, 1_000), [(0.1,)])
    with pytest.raises(ValueError, match=r"returns\[0\]\[1\] must be > -1 \(a positive price\)"):
        stress_test(equal_legs(2, 10, 1_000), [(0.1, -1.0)])


@pytest.mark.parametrize(("n_assets", "count"), [(2, 1), (2, 7), (3, 5), (3, 1_001)])
def test_normals_are_the_gauss_stream_drawn_in_bulk(n_assets: int, count: int) -> None:
    """correlated_normals draws Box–Muller pairs in bulk; they are the numbers of successive
    ``random.Random(seed).gauss(0.0, 1.0)`` calls, combined by the Cholesky factor."""
    gauss = random.Random(4).gauss
    lower = cholesky(equicorrelation_matrix(n_assets, 0.3))
    expected = []
    for _ in range(count):
        z = [gauss(0.0, 1.0) for _ in range(n_assets)]
        expected.append(
            tuple(sum(lower[i][k] * z[k] for k in range(i + 1)) for i in range(n_assets))
        )
    assert correlated_normals(n_assets, 0.3, count, seed=4) == expected


def test_dip_path_and_equal_legs_hand_worked() -> None:
    # low 100·(1 − 0.2) = 80 half-way, then back to 100 (or to recover_to)
    assert dip_path(100.0, 0.2, n_steps=4) == [100.0, 90.0, 80.0, 90.0, 100.0]
    assert dip_path(100.0, 0.2, n_steps=4, recover_to=120.0) == [100.0, 90.0, 80.0, 100.0, 120.0]
    # quantity = collateral·leverage / price = 1,000·10 / 100 = 100
    (leg,) = equal_legs(1, 10, 1_000)
    assert leg == Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)


# --------------------------------------------------------------------------- probabilities
SIGMA = 0.08


def _single_leg_probability() -> float:
    """P(one 10x long of equal_legs is liquidated) = Φ((ln(LP/EP) + σ²/2)/σ), the shock being
    exp(σz − σ²/2) − 1. LP = (1,000 − 10,000)/(100·0.004 − 100) = 9,000/99.6 = 90.36."""
    lp = 9_000 / 99.6
    return statistics.NormalDist().cdf((math.log(lp / 100) + SIGMA**2 / 2) / SIGMA)


def test_probabilities_at_perfect_correlation_match_one_leg() -> None:
    """ρ = 1: every leg moves alike, so cross, "any isolated" and "all isolated" coincide in
    every scenario, and all equal the single-leg probability (≈ 0.110; 10,000 scenarios give a
    standard error of √(p(1 − p)/n) ≈ 0.0031, tolerance 5 of those)."""
    result = liquidation_probability(equal_legs(2, 10, 1_000), 1.0, SIGMA, 10_000, seed=0)
    for crossed, count in zip(result.cross_liquidated, result.isolated_liquidated, strict=True):
        assert crossed == (count == 2) == (count > 0)
    p = _single_leg_probability()
    assert result.cross_probability == result.isolated_probability
    assert result.cross_probability == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / 10_000))


def test_high_correlation_cross_is_liquidated_about_as_often_as_isolated() -> None:
    """ρ = 0.99: the legs barely diversify, so cross is liquidated nearly as often as "any
    isolated" (within 15 %); never more often (see the per-scenario inclusion below)."""
    result = liquidation_probability(equal_legs(2, 10, 1_000), 0.99, SIGMA, 10_000, seed=0)
    assert 0.85 * result.isolated_probability <= result.cross_probability
    assert result.cross_probability <= result.isolated_probability


def test_negative_correlation_cross_is_liquidated_less_often_than_any_isolated() -> None:
    """ρ = −1 (two legs): one leg gains what the other loses, the shared wallet is never
    liquidated here, while "any isolated" is the sum of both legs' probabilities (≈ 2 × 0.110;
    the legs cannot both fall). Tolerance 5 SE, SE ≈ √(0.22·0.78/10,000) ≈ 0.0041."""
    result = liquidation_probability(equal_legs(2, 10, 1_000), -1.0, SIGMA, 10_000, seed=0)
    p = _single_leg_probability()
    assert result.cross_probability < 0.1 * result.isolated_probability
    assert result.all_isolated_probability == 0
    assert result.isolated_probability == pytest.approx(
        2 * p, abs=5 * math.sqrt(2 * p * (1 - 2 * p) / 10_000)
    )


def test_cross_probability_rises_and_any_isolated_falls_with_correlation() -> None:
    """Long-only equal legs: C5 (correlation is systemic risk for the shared wallet). With the
    same seed (common random numbers) the steps between these ρ are many standard errors."""
    legs = equal_legs(2, 10, 1_000)
    results = [
        liquidation_probability(legs, rho, SIGMA, 10_000, seed=0) for rho in (-0.5, 0, 0.5, 0.9)
    ]
    crosses = [r.cross_probability for r in results]
    anys = [r.isolated_probability for r in results]
    assert crosses == sorted(crosses) and len(set(crosses)) == len(crosses)
    assert anys == sorted(anys, reverse=True) and len(set(anys)) == len(anys)


@pytest.mark.parametrize("rho", [-0.5, 0.0, 0.5, 0.9])
@pytest.mark.parametrize("n_assets", [2, 3])
def test_all_isolated_implies_cross_implies_any_isolated(n_assets: int, rho: float) -> None:
    """Scenario by scenario: if no isolated leg is liquidated, each leg's margin exceeds its
    maintenance, so their sums do and cross survives; if every leg is liquidated, the sums are
    at or below too. So the outcome "cross only" never happens and the probabilities nest."""
    legs = equal_legs(
        n_assets,
        10,
        1_000,
        entry_prices=[60_000.0, 3_000.0, 150.0][:n_assets],
        sides=["long", "short", "long"][:n_assets],
    )
    result = liquidation_probability(legs, rho, 0.1, 5_000, seed=1)
    for crossed, count in zip(result.cross_liquidated, result.isolated_liquidated, strict=True):
        if count == n_assets:
            assert crossed
        if crossed:
            assert count > 0
    assert "cross" not in result.outcomes
    assert result.all_isolated_probability <= result.cross_probability
    assert result.cross_probability <= result.isolated_probability


def test_stress_result_labels() -> None:
    legs = equal_legs(2, 10, 1_000)
    # −12 %: leg 0 past its LP (−9.64 %) but the book is still fine; −30 %/−30 %: both and cross
    result = stress_test(legs, [(-0.12, 0.05), (-0.05, -0.05), (-0.3, -0.3)])
    assert result.outcomes == ["isolated", "survive", "both"]
    assert result.isolated_liquidated == [1, 0, 2]
    assert result.n_scenarios == 3
    assert result.cross_probability == pytest.approx(1 / 3)
    assert result.isolated_probability == pytest.approx(2 / 3)
    assert result.all_isolated_probability == pytest.approx(1 / 3)


# --------------------------------------------------------------------------- replay
THREE_LEGS = [
    Leg("BTCUSDT", "long", 1_000 * 20 / 60_000, 60_000.0, 1_000.0),
    Leg("ETHUSDT", "short", 500 * 10 / 3_000, 3_000.0, 500.0),
    Leg("SOLUSDT", "long", 2_000 * 5 / 150, 150.0, 2_000.0),
]
LEVERAGES = [20, 10, 5]
SOL_TABLE = {"SOLUSDT": load_brackets("ETHUSDT", "2024-10-24")}


def _replay(mode: str, returns: Sequence[float]) -> list[tuple[str, tuple[str, ...]]]:
    """Open the legs in an Account (in ``mode``), move the marks, report the liquidations."""
    account = Account(
        wallet_balance=sum(leg.collateral for leg in THREE_LEGS), brackets=dict(SOL_TABLE)
    )
    for leg, leverage in zip(THREE_LEGS, LEVERAGES, strict=True):
        account.set_margin_mode(mode, leg.symbol)
        account.open_position(leg.symbol, leg.side, leg.quantity, leg.entry_price, leverage)
    if mode == "isolated":  # each isolated wallet is the leg's collateral
        assert [account.position(g.symbol).isolated_wallet for g in THREE_LEGS] == pytest.approx(
            [g.collateral for g in THREE_LEGS]
        )
    shocked = {g.symbol: g.entry_price * (1 + r) for g, r in zip(THREE_LEGS, returns, strict=True)}
    return [(e.margin_mode, e.symbols) for e in account.update_marks(shocked)]


def test_stress_test_agrees_with_an_account_replay() -> None:
    returns = shock_returns(3, 0.3, 0.06, 300, seed=5)
    result = stress_test(THREE_LEGS, returns, brackets=SOL_TABLE)
    assert 0 < result.cross_probability < result.isolated_probability < 1  # both kinds occur
    for row, crossed, count in zip(
        returns, result.cross_liquidated, result.isolated_liquidated, strict=True
    ):
        cross_events = _replay("cross", row)
        isolated_events = _replay("isolated", row)
        assert bool(cross_events) == crossed
        if crossed:  # one event closing the whole book (worst PnL first)
            ((mode, symbols),) = cross_events
            assert mode == "cross"
            assert sorted(symbols) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
        assert len(isolated_events) == count
        assert all(mode == "isolated" for mode, _ in isolated_events)


def test_stress_isolated_thresholds_are_the_bracket_liquidation_prices() -> None:
    """A leg is counted liquidated exactly when its shocked price crosses its isolated LP."""
    table = load_brackets("BTCUSDT")
    leg = Leg("BTCUSDT", "long", 30.0, 60_000.0, 90_000.0)  # 1.8M notional, bracket 3, 20x
    lp, _ = liquidation_price_in_brackets("long", 30.0, 60_000.0, 90_000.0, table)
    assert lp is not None
    just_above, just_below = lp / 60_000 * (1 + 1e-9) - 1, lp / 60_000 * (1 - 1e-9) - 1
    result = stress_test([leg], [(just_above,), (just_below,)])
    assert result.isolated_liquidated == [0, 1]
    assert result.cross_liquidated == [False, True]
