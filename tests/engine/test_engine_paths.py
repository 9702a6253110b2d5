"""Stress along price paths: a naive step-by-step reference, the one-shock special case, look-ups.

The reference below simulates every path with explicit loops from the documented recipe (one
``gauss`` per asset per step, path after path; ``x += σ_s·ε − σ_s²/2``; the chi-square of the
Student-t paths from a second generator) and checks liquidations step by step with the formula
functions (``liquidation_price_in_brackets``, ``unrealized_pnl``, the bracket table's maintenance
margin, ``account_is_liquidated``). The fast path must agree with it exactly: the same log
returns, bit for bit, and the same verdict on every path.

Statistical tolerances are 5 standard errors, as in test_engine_scenarios.py.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Leg,
    account_is_liquidated,
    equal_legs,
    liquidation_price_in_brackets,
    liquidation_probability,
    load_brackets,
    shock_returns,
    stress_test,
    unrealized_pnl,
)
from margin_widgets.engine.brackets import BracketTable
from margin_widgets.engine.paths import PathSet, path_liquidation_probability, simulate_paths

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=60, deadline=None)

SOL_TABLE = {"SOLUSDT": load_brackets("ETHUSDT", "2024-10-24")}


# --------------------------------------------------------------------------- naive reference
def naive_log_returns(
    n_assets: int,
    rho: float,
    volatility: float,
    n_paths: int,
    n_steps: int,
    seed: int,
    nu: float | None = None,
) -> list[list[list[float]]]:
    """``out[p][i][k]``: cumulative log return of asset i on path p after step k + 1."""
    # Cholesky factor of the equicorrelation matrix, by hand
    matrix = [[1.0 if i == j else rho for j in range(n_assets)] for i in range(n_assets)]
    lower = [[0.0] * n_assets for _ in range(n_assets)]
    for i in range(n_assets):
        for j in range(i + 1):
            total = sum(lower[i][k] * lower[j][k] for k in range(j))
            if i == j:
                lower[i][j] = math.sqrt(max(matrix[i][i] - total, 0.0))
            else:
                lower[i][j] = (matrix[i][j] - total) / lower[j][j] if lower[j][j] > 0 else 0.0
    gauss = random.Random(seed).gauss
    chi2 = random.Random(f"{seed}:chi2").gammavariate
    step_sigma = volatility / math.sqrt(n_steps)
    drift = -0.5 * step_sigma * step_sigma
    out = []
    for _ in range(n_paths):
        x = [0.0] * n_assets
        path: list[list[float]] = [[] for _ in range(n_assets)]
        for _ in range(n_steps):
            z = [gauss(0.0, 1.0) for _ in range(n_assets)]
            eps = [sum(lower[i][j] * z[j] for j in range(i + 1)) for i in range(n_assets)]
            if nu is not None:
                scale = math.sqrt((nu - 2.0) / chi2(nu / 2.0, 2.0))
                eps = [scale * e for e in eps]
            for i in range(n_assets):
                x[i] = x[i] + (step_sigma * eps[i] + drift)
                path[i].append(x[i])
        out.append(path)
    return out


@dataclass
class NaiveVerdict:
    isolated_steps: list[int | None]  # per leg: first step (1-based) at which it is liquidated
    cross_step: int | None  # first step at which the cross account is liquidated


def naive_verdicts(
    legs: Sequence[Leg],
    path: list[list[float]],
    tables: dict[str, BracketTable] | None = None,
    wallet: float | None = None,
) -> NaiveVerdict:
    """Walk one path step by step, with the formula functions."""
    books = [(tables or {}).get(g.symbol) or load_brackets(g.symbol) for g in legs]
    lps = [
        liquidation_price_in_brackets(g.side, g.quantity, g.entry_price, g.collateral, t)[0]
        for g, t in zip(legs, books, strict=True)
    ]
    cross_wallet = sum(g.collateral for g in legs) if wallet is None else wallet
    isolated: list[int | None] = [None] * len(legs)
    cross: int | None = None
    for k in range(len(path[0])):
        balance = cross_wallet
        maintenance = 0.0
        for i, (leg, table) in enumerate(zip(legs, books, strict=True)):
            mark = leg.entry_price * (1.0 + (math.exp(path[i][k]) - 1.0))
            lp = lps[i]
            crossed = lp is not None and (mark <= lp if leg.side == "long" else mark >= lp)
            if crossed and isolated[i] is None:
                isolated[i] = k + 1
            balance += unrealized_pnl(leg.side, leg.quantity, leg.entry_price, mark)
            maintenance += table.maintenance_margin(leg.quantity * mark)
        if cross is None and account_is_liquidated(maintenance, balance):
            cross = k + 1
    return NaiveVerdict(isolated, cross)


def _path_set_verdicts(paths: PathSet, legs: Sequence[Leg], **kwargs: object) -> object:
    result = paths.stress_test(legs, **kwargs)  # type: ignore[arg-type]
    return result.cross_liquidated, result.isolated_liquidated


BOOKS: dict[str, list[Leg]] = {
    "two 10x longs": equal_legs(2, 10, 1_000),
    "long and short, 20x": equal_legs(2, 20, 1_000, sides=["long", "short"]),
    "three legs, mixed": [
        Leg("BTCUSDT", "long", 1_000 * 20 / 60_000, 60_000.0, 1_000.0),
        Leg("ETHUSDT", "short", 500 * 10 / 3_000, 3_000.0, 500.0),
        Leg("SOLUSDT", "long", 2_000 * 5 / 150, 150.0, 2_000.0),
    ],
    # 600,000 USDT notional each: the marks cross the 2024 bracket edge at 600,000 both ways
    "on a bracket edge": [
        Leg("BTCUSDT", "long", 10.0, 60_000.0, 60_000.0),
        Leg("ETHUSDT", "short", 200.0, 3_000.0, 40_000.0),
    ],
}


@pytest.mark.parametrize("name", list(BOOKS))
@pytest.mark.parametrize("nu", [None, 4.0])
def test_fast_paths_agree_exactly_with_the_naive_reference(name: str, nu: float | None) -> None:
    legs = BOOKS[name]
    n = len(legs)
    paths = simulate_paths(n, 0.4, 0.25, 400, horizon_days=10, degrees_of_freedom=nu, seed=8)
    naive = naive_log_returns(n, 0.4, 0.25, 400, 10, seed=8, nu=nu)
    for p in range(400):
        assert paths.path_log_returns(p) == naive[p]  # bit for bit
    result = paths.stress_test(legs, brackets=SOL_TABLE)
    verdicts = [naive_verdicts(legs, path, SOL_TABLE) for path in naive]
    cross_steps, isolated_steps = paths.first_liquidation_steps(legs, brackets=SOL_TABLE)
    assert cross_steps == [v.cross_step for v in verdicts]
    for i in range(n):
        assert isolated_steps[i] == [v.isolated_steps[i] for v in verdicts]
    assert result.cross_liquidated == [v.cross_step is not None for v in verdicts]
    assert result.isolated_liquidated == [
        sum(s is not None for s in v.isolated_steps) for v in verdicts
    ]
    # both kinds of verdict occur, so the comparison is not vacuous
    assert 0 < sum(result.cross_liquidated) < 400
    assert 0 < sum(result.isolated_liquidated)


@PROPERTY
@given(
    seed=st.integers(0, 2**32),
    rho=st.floats(-0.5, 1.0),
    sigma=st.floats(0.0, 0.8),
    n_steps=st.integers(1, 12),
    nu=st.none() | st.floats(2.1, 100.0),
    leverages=st.lists(st.floats(1.0, 100.0), min_size=3, max_size=3),
    sides=st.lists(st.sampled_from(["long", "short"]), min_size=3, max_size=3),
    collateral=st.floats(10.0, 2_000_000.0),
)
def test_fast_paths_agree_with_the_naive_reference_for_any_input(
    seed: int,
    rho: float,
    sigma: float,
    n_steps: int,
    nu: float | None,
    leverages: list[float],
    sides: list[str],
    collateral: float,
) -> None:
    """Three legs of any size (up to 200 M USDT notional: deep brackets), any side, any
    leverage; every step's log return, every first-liquidation step, bit for bit."""
    legs = [
        Leg(symbol, side, collateral * lev / price, price, collateral)
        for symbol, side, lev, price in zip(
            ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
            sides,
            leverages,
            [60_000.0, 3_000.0, 150.0],
            strict=True,
        )
    ]
    paths = simulate_paths(
        3, rho, sigma, 25, horizon_days=n_steps, degrees_of_freedom=nu, seed=seed
    )
    naive = naive_log_returns(3, rho, sigma, 25, n_steps, seed=seed, nu=nu)
    assert [paths.path_log_returns(p) for p in range(25)] == naive
    verdicts = [naive_verdicts(legs, path, SOL_TABLE) for path in naive]
    cross, isolated = paths.first_liquidation_steps(legs, brackets=SOL_TABLE)
    assert cross == [v.cross_step for v in verdicts]
    assert isolated == [[v.isolated_steps[i] for v in verdicts] for i in range(3)]
    result = paths.stress_test(legs, brackets=SOL_TABLE)
    assert result.cross_liquidated == [v.cross_step is not None for v in verdicts]


def test_the_bracket_edge_book_exercises_every_branch_of_the_cross_scan() -> None:
    """Some paths keep both legs in their entry brackets (the common scan), some sit wholly in
    another bracket, some cross an edge (stepped through); the deficits equal the naive maximum
    of Σ maintenance − Σ PnL to 1e-9 relative."""
    legs = BOOKS["on a bracket edge"]
    paths = simulate_paths(2, 0.4, 0.25, 400, horizon_days=10, seed=8)
    naive = naive_log_returns(2, 0.4, 0.25, 400, 10, seed=8)
    tables = [load_brackets(g.symbol) for g in legs]
    kinds: set[str] = set()
    for p, path in enumerate(naive):
        worst = -math.inf
        for k in range(10):
            marks = [
                g.entry_price * (1.0 + (math.exp(path[i][k]) - 1.0)) for i, g in enumerate(legs)
            ]
            pnl = sum(
                unrealized_pnl(g.side, g.quantity, g.entry_price, m)
                for g, m in zip(legs, marks, strict=True)
            )
            mm = sum(
                t.maintenance_margin(g.quantity * m)
                for g, t, m in zip(legs, tables, marks, strict=True)
            )
            worst = max(worst, mm - pnl)
        assert paths.cross_deficits(legs)[p] == pytest.approx(worst, rel=1e-9)
        for i, (g, t) in enumerate(zip(legs, tables, strict=True)):
            seen = {t.bracket_for(g.quantity * g.entry_price * math.exp(x)).number for x in path[i]}
            entry = t.bracket_for(g.quantity * g.entry_price).number
            kinds.add("entry" if seen == {entry} else "other" if len(seen) == 1 else "crosses")
    assert kinds == {"entry", "other", "crosses"}


# --------------------------------------------------------------------------- one shock
@pytest.mark.parametrize("name", list(BOOKS))
def test_one_step_path_is_the_one_shock_model_exactly(name: str) -> None:
    legs = BOOKS[name]
    n = len(legs)
    one_step = simulate_paths(n, 0.3, 0.12, 3_000, horizon_days=30, step_days=30, seed=4)
    returns = shock_returns(n, 0.3, 0.12, 3_000, seed=4)
    assert one_step.n_steps == 1
    assert one_step.horizon_returns() == returns
    shocked = stress_test(legs, returns, brackets=SOL_TABLE)
    along = one_step.stress_test(legs, brackets=SOL_TABLE)
    assert along == shocked  # returns, cross verdicts, isolated counts, collateral
    assert 0 < shocked.cross_probability < shocked.isolated_probability < 1


@PROPERTY
@given(
    seed=st.integers(0, 2**32),
    rho=st.floats(-1.0, 1.0),
    sigma=st.floats(0.0, 0.6),
    leverage=st.floats(1.0, 50.0),
    short=st.booleans(),
)
def test_one_step_path_equals_one_shock_for_any_input(
    seed: int, rho: float, sigma: float, leverage: float, short: bool
) -> None:
    legs = equal_legs(2, leverage, 1_000, sides=["long", "short" if short else "long"])
    one_step = simulate_paths(2, rho, sigma, 200, horizon_days=7, step_days=7, seed=seed)
    returns = shock_returns(2, rho, sigma, 200, seed=seed)
    assert one_step.stress_test(legs) == stress_test(legs, returns)
    assert liquidation_probability(legs, rho, sigma, 200, seed) == stress_test(legs, returns)


# --------------------------------------------------------------------------- reproducibility
@PROPERTY
@given(seed=st.integers(0, 2**32), nu=st.none() | st.floats(2.5, 50.0))
def test_same_seed_same_paths_other_seed_other_paths(seed: int, nu: float | None) -> None:
    def make(s: int) -> PathSet:
        return simulate_paths(2, 0.5, 0.1, 50, horizon_days=5, degrees_of_freedom=nu, seed=s)

    assert make(seed) == make(seed)
    assert make(seed).log_returns != make(seed + 1).log_returns


def test_with_volatility_reuses_the_shocks() -> None:
    paths = simulate_paths(3, 0.2, 0.1, 300, degrees_of_freedom=5.0, seed=2)
    assert paths.with_volatility(0.3) == simulate_paths(
        3, 0.2, 0.3, 300, degrees_of_freedom=5.0, seed=2
    )
    assert paths.with_volatility(0.3).shocks is paths.shocks


# --------------------------------------------------------------------------- look-ups
def test_isolated_look_ups_equal_the_scan() -> None:
    paths = simulate_paths(2, 0.5, 0.2, 2_000, seed=6)
    for leverage in (2, 5, 10, 20, 50):
        for side in ("long", "short"):
            legs = equal_legs(2, leverage, 1_000, sides=[side, side])
            counts = paths.isolated_liquidated(legs)
            both = sum(1 for c in counts if c == 2)
            p0 = paths.isolated_probability(legs[0], asset=0)
            p1 = paths.isolated_probability(legs[1], asset=1)
            # inclusion-exclusion: P(any) = P(leg 0) + P(leg 1) − P(both)
            assert sum(1 for c in counts if c) == round((p0 + p1) * 2_000) - both


def test_isolated_look_up_at_a_given_price_counts_the_path_extremes() -> None:
    paths = simulate_paths(2, 0.0, 0.2, 1_000, seed=1)
    long = Leg("BTCUSDT", "long", 1.0, 100.0, 10.0)
    short = Leg("BTCUSDT", "short", 1.0, 100.0, 10.0)
    for price in (70.0, 85.0, 95.0, 105.0, 120.0):
        lows = [100.0 * (1.0 + (math.exp(x) - 1.0)) for x in paths.minima[1]]
        highs = [100.0 * (1.0 + (math.exp(x) - 1.0)) for x in paths.maxima[1]]
        assert (
            paths.isolated_probability(long, price, asset=1)
            == sum(low <= price for low in lows) / 1_000
        )
        assert (
            paths.isolated_probability(short, price, asset=1)
            == sum(high >= price for high in highs) / 1_000
        )


def test_cross_wallet_look_up_equals_a_new_book_with_that_collateral() -> None:
    """Same quantities, another collateral: the look-up answers what a full scan of a book
    with that collateral answers (the verdicts of the naive reference, path by path)."""
    paths = simulate_paths(2, 0.6, 0.2, 500, horizon_days=10, seed=3)
    naive = naive_log_returns(2, 0.6, 0.2, 500, 10, seed=3)
    base = equal_legs(2, 10, 1_000)
    for collateral in (250.0, 500.0, 1_000.0, 1_500.0):
        legs = [Leg(g.symbol, g.side, g.quantity, g.entry_price, collateral) for g in base]
        expected = sum(naive_verdicts(legs, path).cross_step is not None for path in naive)
        looked_up = paths.cross_probability(base, wallet_balance=2 * collateral)
        steps, _ = paths.first_liquidation_steps(base, wallet_balance=2 * collateral)
        assert steps == [naive_verdicts(legs, path).cross_step for path in naive]
        assert looked_up == expected / 500
        assert paths.stress_test(legs).cross_probability == expected / 500


def test_scaled_books_are_looked_up_and_agree_with_a_scan() -> None:
    """equal_legs at fixed collateral: leverage scales both quantities by one factor. While
    every leg stays in the first BTCUSDT bracket (cap 50,000 USDT) the deficits scale too, so
    the look-up on the first book answers the others; the full scan (stress_test) agrees."""
    paths = simulate_paths(2, 0.5, 0.2, 2_000, seed=12)
    looked_up = []
    scanned = []
    for leverage in (3.0, 5.0, 8.0, 10.0, 20.0):
        legs = equal_legs(2, leverage, 1_000, sides=["long", "short"])
        looked_up.append(paths.cross_probability(legs))
        scanned.append(paths.stress_test(legs).cross_probability)
    assert looked_up == scanned
    assert looked_up == sorted(looked_up) and looked_up[0] < looked_up[-1]
    directions = [key for key in paths._cache if key[0] == "direction"]
    assert len(directions) == 1  # one scan of the direction, then look-ups


def test_books_past_the_first_bracket_are_rescanned() -> None:
    """50x on 1,000 USDT is a 50,000 USDT notional, the first bracket's cap: a rise takes it to
    the second bracket (MMR 0.5 %, cum 50), no longer a multiple of a smaller book."""
    paths = simulate_paths(2, 0.5, 0.2, 2_000, seed=12)
    small = equal_legs(2, 10, 1_000)
    big = equal_legs(2, 50, 1_000)
    paths.cross_probability(small)
    assert paths.cross_probability(big) == paths.stress_test(big).cross_probability


@pytest.mark.parametrize("sides", [["long", "long"], ["long", "short"], ["short", "short"]])
def test_books_leaving_the_first_bracket_on_a_few_paths_agree_with_a_scan(
    sides: list[str],
) -> None:
    """36x to 40x on 1,000 USDT: 36,000 to 40,000 USDT a leg, under the 50,000 cap until a
    rise of 25 to 39 % (σ 0.1): a few paths pass it and are stepped through exactly, the others
    are the scaled look-up; the full scan (stress_test) counts the same paths."""
    from margin_widgets.engine.paths import _leg_specs

    paths = simulate_paths(2, 0.3, 0.1, 1_500, seed=4)
    paths.cross_probability(equal_legs(2, 10, 1_000, sides=sides))  # the reference book
    stepped = 0
    for leverage in (36.0, 38.0, 40.0):
        legs = equal_legs(2, leverage, 1_000, sides=sides)
        leaving = paths._leaving_first_bracket(_leg_specs(legs, None, 2))
        stepped += len(leaving)
        assert len(leaving) <= 150  # a look-up, not a rescan
        assert paths.cross_probability(legs) == paths.stress_test(legs).cross_probability
    assert stepped > 0


def test_look_ups_are_answered_without_a_rescan(monkeypatch: pytest.MonkeyPatch) -> None:
    import margin_widgets.engine.paths as module

    paths = simulate_paths(2, 0.5, 0.2, 1_000, seed=0)
    legs = equal_legs(2, 10, 1_000)
    first = paths.cross_probability(legs)
    monkeypatch.setattr(module, "_scan_deficits", None)  # any re-scan would now fail
    assert paths.cross_probability(legs) == first
    assert paths.cross_probability(equal_legs(2, 5, 1_000)) <= first  # scaled: a look-up
    wallets = (0.0, 500.0, 2_000.0, 10_000.0)
    probabilities = [paths.cross_probability(legs, wallet_balance=w) for w in wallets]
    assert probabilities == sorted(probabilities, reverse=True)
    assert probabilities[2] == first and probabilities[-1] == 0.0
    assert 0 < paths.isolated_probability(legs[0]) < 1


# --------------------------------------------------------------------------- monotonicity
def _flags(paths: PathSet, legs: Sequence[Leg]) -> tuple[list[bool], list[int]]:
    result = paths.stress_test(legs)
    return result.cross_liquidated, result.isolated_liquidated


@PROPERTY
@given(
    seed=st.integers(0, 1_000),
    low=st.floats(1.0, 40.0),
    factor=st.floats(1.0, 3.0),
    sides=st.sampled_from([("long", "long"), ("long", "short"), ("short", "short")]),
)
def test_higher_leverage_liquidates_every_path_a_lower_one_did(
    seed: int, low: float, factor: float, sides: tuple[str, str]
) -> None:
    """Fixed collateral, more leverage: a bigger position. In isolated mode the liquidation
    price moves towards the entry; in cross mode ``W + λ·PnL − MM(λ·notional)`` falls with λ
    wherever it is <= 0 (the maintenance margin is convex through 0). So path by path."""
    paths = simulate_paths(2, 0.3, 0.2, 300, horizon_days=10, seed=seed)
    lower = _flags(paths, equal_legs(2, low, 1_000, sides=list(sides)))
    higher = _flags(paths, equal_legs(2, min(low * factor, 100.0), 1_000, sides=list(sides)))
    assert all(h or not lo for lo, h in zip(lower[0], higher[0], strict=True))
    assert all(h >= lo for lo, h in zip(lower[1], higher[1], strict=True))


@PROPERTY
@given(
    seed=st.integers(0, 1_000),
    low=st.floats(0.01, 0.4),
    factor=st.floats(1.0, 2.5),
    leverage=st.floats(2.0, 50.0),
)
def test_higher_volatility_liquidates_every_long_a_lower_one_did(
    seed: int, low: float, factor: float, leverage: float
) -> None:
    """Over the same shocks, ``x_k(σ) = σ·S_k − k·σ²/2`` is concave in σ with x(0) = 0, so once
    it is below a negative level at σ it is below it at every larger σ: an isolated long is
    liquidated path by path. (Shorts and the cross account rise in probability only; next test.)"""
    paths = simulate_paths(2, 0.3, low, 300, horizon_days=10, seed=seed)
    legs = equal_legs(2, leverage, 1_000)
    calm = paths.isolated_liquidated(legs)
    wild = paths.with_volatility(low * factor).isolated_liquidated(legs)
    assert all(w >= c for c, w in zip(calm, wild, strict=True))


@pytest.mark.parametrize("sides", [["long", "long"], ["long", "short"], ["short", "short"]])
def test_probabilities_rise_with_volatility(sides: list[str]) -> None:
    legs = equal_legs(2, 10, 1_000, sides=sides)
    paths = simulate_paths(2, 0.5, 0.02, 4_000, seed=11)
    results = [paths.with_volatility(v).stress_test(legs) for v in (0.02, 0.05, 0.1, 0.2, 0.4)]
    cross = [r.cross_probability for r in results]
    isolated = [r.isolated_probability for r in results]
    assert cross == sorted(cross) and isolated == sorted(isolated)
    assert isolated[-1] > isolated[0]


# --------------------------------------------------------------------------- fat tails
def test_student_t_with_many_degrees_of_freedom_approaches_the_gaussian_paths() -> None:
    """The same normals; the t scale √((ν − 2)/χ²_ν) tends to 1 as ν grows (its standard
    deviation is about 1/√(2ν)), so the paths converge path by path."""
    gaussian = simulate_paths(2, 0.5, 0.2, 500, seed=9)
    legs = equal_legs(2, 10, 1_000)
    previous = math.inf
    for nu in (10.0, 1_000.0, 1e8):
        fat = simulate_paths(2, 0.5, 0.2, 500, degrees_of_freedom=nu, seed=9)
        gap = max(
            abs(a - b)
            for g, f in zip(gaussian.log_returns, fat.log_returns, strict=True)
            for a, b in zip(g, f, strict=True)
        )
        assert gap < previous
        previous = gap
    assert previous < 1e-3
    assert fat.stress_test(legs).cross_liquidated == gaussian.stress_test(legs).cross_liquidated


def test_student_t_shocks_have_unit_variance_and_fat_tails() -> None:
    """ν = 10: variance 1 by construction, excess kurtosis 6/(ν − 4) = 1 for a t variable (the
    shared chi-square keeps each margin a t). 100,000 draws: SE of the variance ≈ √((κ − 1)/n)
    = √(3/n) ≈ 0.0055; the kurtosis estimate is noisier, so it is checked against 3 (normal)."""
    paths = simulate_paths(2, 0.0, 0.1, 10_000, horizon_days=10, degrees_of_freedom=10.0, seed=1)
    shocks = list(paths.shocks[0])
    var = statistics.fmean(e * e for e in shocks)
    kurt = statistics.fmean(e**4 for e in shocks) / var**2
    assert var == pytest.approx(1.0, abs=5 * math.sqrt(3 / len(shocks)))
    assert kurt > 3.5
    gaussian = list(simulate_paths(2, 0.0, 0.1, 10_000, horizon_days=10, seed=1).shocks[0])
    assert statistics.fmean(e**4 for e in gaussian) == pytest.approx(3.0, abs=0.15)


def test_fat_tails_liquidate_more_often_far_out() -> None:
    """One shock of volatility 10 %: a 4x long of 1,000 USDT at 100 (Q = 40) has
    LP = (1,000 − 4,000)/(40·0.004 − 40) = 75.30, a log return of −0.2837, i.e. −2.8 σ:
    about 0.26 % for a Gaussian, about 0.85 % for a unit-variance t with ν = 3
    (P(t₃ < −2.8·√3)). 5,000 paths with two legs: roughly 26 against 85 leg liquidations."""
    legs = equal_legs(2, 4, 1_000)
    gaussian = path_liquidation_probability(
        legs, 0.0, 0.1, 5_000, horizon_days=30.0, step_days=30.0, seed=2
    )
    fat = path_liquidation_probability(
        legs, 0.0, 0.1, 5_000, horizon_days=30.0, step_days=30.0, degrees_of_freedom=3.0, seed=2
    )
    assert sum(fat.isolated_liquidated) > 2 * sum(gaussian.isolated_liquidated) > 0


# --------------------------------------------------------------------------- known truths
def test_discrete_barrier_probability_matches_the_corrected_continuous_formula() -> None:
    """Brownian motion with drift μ per step and volatility s per step first falls below
    ``a < 0`` within T steps with probability ``Φ((a − μT)/(s√T)) + e^(2μa/s²)·Φ((a + μT)/(s√T))``
    (reflection principle). Daily monitoring misses excursions between steps; Broadie,
    Glasserman and Kou's correction moves the barrier away by ``0.5826·s``. A 10x long of
    1,000 USDT at 100 (LP = 9,000/99.6 = 90.36), volatility 15 % over 30 days: 20,000 paths,
    SE ≈ 0.0035; tolerance 5 SE plus 0.005 for the correction's own error."""
    sigma, n_steps = 0.15, 30
    paths = simulate_paths(2, 0.3, sigma, 20_000, seed=5)
    leg = Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)
    p = paths.isolated_probability(leg)
    s = sigma / math.sqrt(n_steps)
    mu = -0.5 * s * s
    a = math.log(9_000 / 99.6 / 100) - 0.5826 * s
    phi = statistics.NormalDist().cdf
    root_t = s * math.sqrt(n_steps)
    expected = phi((a - mu * n_steps) / root_t) + math.exp(2 * mu * a / s**2) * phi(
        (a + mu * n_steps) / root_t
    )
    assert p == pytest.approx(expected, abs=5 * math.sqrt(p * (1 - p) / 20_000) + 0.005)
    # a path that dips below LP and comes back counts; a shock at the horizon does not see it
    one_shock = simulate_paths(2, 0.3, sigma, 20_000, step_days=30, seed=5)
    assert one_shock.isolated_probability(leg) < 0.75 * p


def test_zero_volatility_hand_worked() -> None:
    """Flat marks: PnL 0, each 10x leg of 1,000 USDT at 100 has maintenance 10,000 × 0.4 % = 40
    (2024 bracket 1), so the cross deficit is 80 on every path; no isolated LP (90.36) is hit."""
    paths = simulate_paths(2, 0.0, 0.0, 5, horizon_days=3)
    legs = equal_legs(2, 10, 1_000)
    assert paths.cross_deficits(legs) == pytest.approx((80.0,) * 5)
    assert paths.cross_probability(legs) == 0.0
    assert paths.cross_probability(legs, wallet_balance=79.0) == 1.0
    assert paths.isolated_liquidated(legs) == [0] * 5


# --------------------------------------------------------------------------- argument checks
def test_argument_checks() -> None:
    with pytest.raises(ValueError, match=r"horizon_days / step_days must be a whole number"):
        simulate_paths(2, 0.0, 0.1, 10, horizon_days=30, step_days=7)
    with pytest.raises(ValueError, match=r"degrees_of_freedom must be > 2 .*, got 2.0"):
        simulate_paths(2, 0.0, 0.1, 10, degrees_of_freedom=2.0)
    with pytest.raises(ValueError, match="correlation must be in"):
        simulate_paths(3, -0.6, 0.1, 10)
    with pytest.raises(ValueError, match="volatility must be >= 0"):
        simulate_paths(2, 0.0, -0.1, 10)
    with pytest.raises(TypeError, match="seed must be an int"):
        simulate_paths(2, 0.0, 0.1, 10, seed=1.5)  # type: ignore[arg-type]
    paths = simulate_paths(2, 0.0, 0.1, 10)
    with pytest.raises(ValueError, match=r"legs must have 2 entries \(one per asset\), got 1"):
        paths.cross_probability(equal_legs(1, 10, 1_000))
    with pytest.raises(ValueError, match=r"asset must be in \[0, 1\], got 2"):
        paths.isolated_probability(equal_legs(1, 10, 1_000)[0], asset=2)
    with pytest.raises(ValueError, match="wallet_balance must be >= 0"):
        paths.cross_probability(equal_legs(2, 10, 1_000), wallet_balance=-1.0)
    with pytest.raises(ValueError, match="liquidation_price must be > 0"):
        paths.isolated_probability(equal_legs(1, 10, 1_000)[0], 0.0)
