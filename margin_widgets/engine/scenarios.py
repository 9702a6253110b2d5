"""Seeded, reproducible correlated price scenarios and cross-versus-isolated stress tests.

Shocks are log-normal: the return of asset i is ``exp(σ·z_i − σ²/2) − 1`` with ``z`` standard
normal draws correlated through the Cholesky factor of an equicorrelation matrix (every pair of
assets has correlation ρ). Only the standard library is used (``random`` and ``math``), so the
same seed gives the same scenarios everywhere, a Pyodide kernel included.

This is the one-shock model: every price moves once, at the horizon. It is the one-step special
case of the path model in :mod:`margin_widgets.engine.paths`, where a position is liquidated the
first time its mark crosses its liquidation price on the way (``simulate_paths(...,
step_days=horizon_days)`` reproduces these scenarios and verdicts exactly).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, mul, sub

from margin_widgets.engine import _checks
from margin_widgets.engine.account import account_is_liquidated
from margin_widgets.engine.brackets import BracketTable, load_brackets
from margin_widgets.engine.formulas import liquidation_price_in_brackets, unrealized_pnl

__all__ = [
    "Leg",
    "StressResult",
    "cholesky",
    "correlated_normals",
    "dip_path",
    "equal_legs",
    "equicorrelation_matrix",
    "liquidation_probability",
    "price_paths",
    "shock_returns",
    "stress_test",
]

_TWO_PI = 2.0 * math.pi


def equicorrelation_matrix(n_assets: int, correlation: float) -> list[list[float]]:
    """Correlation matrix with ones on the diagonal and ``correlation`` elsewhere.

    Parameters
    ----------
    n_assets : int
        Number of assets, >= 2.
    correlation : float
        Pairwise correlation ρ; the matrix is positive semi-definite only for
        ``−1/(n−1) <= ρ <= 1``.

    Examples
    --------
    >>> equicorrelation_matrix(2, 0.5)
    [[1.0, 0.5], [0.5, 1.0]]
    """
    n = _count("n_assets", n_assets, minimum=2)
    rho = _checks.number("correlation", correlation)
    low = -1.0 / (n - 1)
    if not low <= rho <= 1:
        raise ValueError(f"correlation must be in [{low:g}, 1] for {n} assets, got {correlation!r}")
    return [[1.0 if i == j else rho for j in range(n)] for i in range(n)]


def cholesky(matrix: Sequence[Sequence[float]]) -> list[list[float]]:
    """Lower-triangular L with ``L·Lᵀ = matrix`` (semi-definite matrices allowed).

    Examples
    --------
    >>> [[round(x, 6) for x in row] for row in cholesky([[1.0, 0.6], [0.6, 1.0]])]
    [[1.0, 0.0], [0.6, 0.8]]
    """
    n = len(matrix)
    lower = [[0.0] * n for _ in range(n)]
    for i in range(n):
        if len(matrix[i]) != n:
            raise ValueError(f"matrix must be square, row {i} has {len(matrix[i])} entries")
        for j in range(i + 1):
            total = sum(lower[i][k] * lower[j][k] for k in range(j))
            if i == j:
                pivot = matrix[i][i] - total
                if pivot < -1e-12:
                    raise ValueError("matrix must be positive semi-definite")
                lower[i][j] = math.sqrt(max(pivot, 0.0))
            else:
                lower[i][j] = (matrix[i][j] - total) / lower[j][j] if lower[j][j] > 0 else 0.0
    return lower


def correlated_normals(
    n_assets: int, correlation: float, n_scenarios: int, seed: int = 0
) -> list[tuple[float, ...]]:
    """``n_scenarios`` draws of ``n_assets`` standard normals with pairwise ``correlation``.

    Examples
    --------
    >>> draws = correlated_normals(2, 1.0, 3, seed=7)
    >>> all(abs(a - b) < 1e-12 for a, b in draws)
    True
    """
    lower = cholesky(equicorrelation_matrix(n_assets, correlation))
    count = _count("n_scenarios", n_scenarios, minimum=1)
    n = len(lower)
    z = _standard_normals(random.Random(seed), count * n)
    if n == 2:
        l10, l11 = lower[1][0], lower[1][1]
        z0, z1 = z[0::2], z[1::2]
        second = map(add, map(mul, repeat(l10), z0), map(mul, repeat(l11), z1))
        return list(zip(z0, second, strict=True))
    out: list[tuple[float, ...]] = []
    for start in range(0, count * n, n):
        draw = z[start : start + n]
        out.append(tuple(sum(lower[i][k] * draw[k] for k in range(i + 1)) for i in range(n)))
    return out


def _standard_normals(rng: random.Random, count: int) -> list[float]:
    """``count`` standard normals from a fresh generator, in bulk: Box–Muller pairs.

    The same numbers, in the same order, as ``count`` calls of ``rng.gauss(0.0, 1.0)`` on a
    generator that has not drawn a normal yet (each pair of ``random()`` values ``u1, u2`` gives
    ``cos(2π·u1)·√(−2·ln(1 − u2))`` then ``sin(2π·u1)·√(−2·ln(1 − u2))``), at C speed.
    """
    pairs = (count + 1) // 2
    draw = rng.random
    uniforms = [draw() for _ in range(2 * pairs)]
    angles = list(map(mul, uniforms[0::2], repeat(_TWO_PI)))
    radii = list(
        map(math.sqrt, map(mul, repeat(-2.0), map(math.log, map(sub, repeat(1.0), uniforms[1::2]))))
    )
    out = [0.0] * (2 * pairs)
    out[0::2] = map(mul, map(math.cos, angles), radii)
    out[1::2] = map(mul, map(math.sin, angles), radii)
    del out[count:]
    return out


def shock_returns(
    n_assets: int, correlation: float, volatility: float, n_scenarios: int, seed: int = 0
) -> list[tuple[float, ...]]:
    """Correlated one-period log-normal returns ``exp(σz − σ²/2) − 1`` (mean zero).

    Parameters
    ----------
    n_assets : int
        Number of assets, >= 2.
    correlation : float
        Pairwise correlation of the log returns.
    volatility : float
        Standard deviation σ of each log return over the period (0.1 is about a 10 % move).
    n_scenarios : int
        Number of scenarios.
    seed : int, default 0
        Seed of the standard-library generator; the same seed gives the same scenarios.

    Examples
    --------
    >>> shock_returns(2, 0.5, 0.0, 1)
    [(0.0, 0.0)]
    """
    sigma = _checks.non_negative("volatility", volatility)
    drift = -0.5 * sigma * sigma
    exp = math.exp
    return [
        tuple(exp(sigma * z + drift) - 1.0 for z in draw)
        for draw in correlated_normals(n_assets, correlation, n_scenarios, seed)
    ]


def price_paths(
    start_prices: Sequence[float],
    correlation: float,
    volatility: float,
    n_steps: int,
    seed: int = 0,
) -> list[list[float]]:
    """Correlated geometric-Brownian price paths, one list per asset, ``n_steps + 1`` long.

    ``volatility`` is the standard deviation of each step's log return.

    Examples
    --------
    >>> paths = price_paths([100.0, 50.0], 0.8, 0.01, 5, seed=1)
    >>> [len(p) for p in paths], paths[0][0], paths[1][0]
    ([6, 6], 100.0, 50.0)
    """
    starts = [_checks.positive(f"start_prices[{i}]", p) for i, p in enumerate(start_prices)]
    steps = _count("n_steps", n_steps, minimum=1)
    sigma = _checks.non_negative("volatility", volatility)
    drift = -0.5 * sigma * sigma
    paths = [[p] for p in starts]
    for draw in correlated_normals(len(starts), correlation, steps, seed):
        for path, z in zip(paths, draw, strict=True):
            path.append(path[-1] * math.exp(sigma * z + drift))
    return paths


def dip_path(
    start_price: float, dip: float, n_steps: int = 40, recover_to: float | None = None
) -> list[float]:
    """A V-shaped path: from ``start_price`` down by ``dip`` (a fraction), then back up.

    The low is reached half-way; the path ends at ``recover_to`` (default: the start price).

    Examples
    --------
    >>> dip_path(100.0, 0.2, n_steps=4)
    [100.0, 90.0, 80.0, 90.0, 100.0]
    """
    start = _checks.positive("start_price", start_price)
    depth = _checks.number("dip", dip)
    if not 0 <= depth < 1:
        raise ValueError(f"dip must be in [0, 1), got {dip!r}")
    steps = _count("n_steps", n_steps, minimum=2)
    end = start if recover_to is None else _checks.positive("recover_to", recover_to)
    low = start * (1 - depth)
    half = steps // 2
    down = [start + (low - start) * k / half for k in range(half + 1)]
    up = [low + (end - low) * k / (steps - half) for k in range(1, steps - half + 1)]
    return down + up


@dataclass(frozen=True)
class Leg:
    """One position of a stress-tested book.

    Attributes
    ----------
    symbol : str
        Symbol whose bracket table applies.
    side : {"long", "short"}
        Direction.
    quantity : float
        Size in base units.
    entry_price : float
        Entry (and current mark) price, USDT.
    collateral : float
        The position's isolated margin, USDT; in cross mode the wallet is the sum of all legs'
        collateral.
    """

    symbol: str
    side: str
    quantity: float
    entry_price: float
    collateral: float


def equal_legs(
    n_assets: int,
    leverage: float,
    collateral: float,
    entry_prices: Sequence[float] | None = None,
    sides: Sequence[str] | None = None,
    symbols: Sequence[str] | None = None,
) -> list[Leg]:
    """A book of ``n_assets`` positions, each with ``collateral`` USDT at ``leverage``.

    Quantity is ``collateral × leverage / entry price``. Defaults: all long, entry 100 USDT,
    and every leg on the BTCUSDT brackets.

    Examples
    --------
    >>> equal_legs(2, 10, 1_000)[0]
    Leg(symbol='BTCUSDT', side='long', quantity=100.0, entry_price=100.0, collateral=1000.0)
    """
    n = _count("n_assets", n_assets, minimum=1)
    lev = _checks.number("leverage", leverage)
    if lev < 1:
        raise ValueError(f"leverage must be >= 1, got {leverage!r}")
    margin = _checks.positive("collateral", collateral)
    prices = list(entry_prices) if entry_prices is not None else [100.0] * n
    directions = list(sides) if sides is not None else ["long"] * n
    names = list(symbols) if symbols is not None else ["BTCUSDT"] * n
    for label, values in (("entry_prices", prices), ("sides", directions), ("symbols", names)):
        if len(values) != n:
            raise ValueError(f"{label} must have {n} entries, got {len(values)}")
    legs = []
    for i in range(n):
        _checks.side_sign(directions[i], f"sides[{i}]")
        price = _checks.positive(f"entry_prices[{i}]", prices[i])
        legs.append(Leg(names[i], directions[i], margin * lev / price, price, margin))
    return legs


@dataclass(frozen=True)
class StressResult:
    """Outcome of a stress test of one book over many scenarios.

    Attributes
    ----------
    returns : list of tuple of float
        The scenarios (one return per leg).
    cross_liquidated : list of bool
        Per scenario: the same book in cross mode (one wallet) is liquidated.
    isolated_liquidated : list of int
        Per scenario: how many isolated positions are liquidated.
    """

    returns: list[tuple[float, ...]]
    cross_liquidated: list[bool]
    isolated_liquidated: list[int]
    collateral: tuple[float, ...]

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios."""
        return len(self.returns)

    @property
    def cross_probability(self) -> float:
        """Share of scenarios in which the cross account is liquidated."""
        return sum(self.cross_liquidated) / self.n_scenarios

    @property
    def isolated_probability(self) -> float:
        """Share of scenarios in which at least one isolated position is liquidated."""
        return sum(1 for k in self.isolated_liquidated if k) / self.n_scenarios

    @property
    def all_isolated_probability(self) -> float:
        """Share of scenarios in which every isolated position is liquidated."""
        n = len(self.collateral)
        return sum(1 for k in self.isolated_liquidated if k == n) / self.n_scenarios

    @property
    def outcomes(self) -> list[str]:
        """Per-scenario outcome labels.

        ``"survive"``, ``"isolated"`` (an isolated position lost, cross survives), ``"cross"``
        (cross liquidated, every isolated position survives) or ``"both"``.
        """
        names = {(False, False): "survive", (False, True): "isolated"}
        names.update({(True, False): "cross", (True, True): "both"})
        pairs = zip(self.cross_liquidated, self.isolated_liquidated, strict=True)
        return [names[(c, k > 0)] for c, k in pairs]


def stress_test(
    legs: Sequence[Leg],
    returns: Sequence[Sequence[float]],
    brackets: dict[str, BracketTable] | None = None,
) -> StressResult:
    """Apply each scenario's returns to the book, in cross mode and in isolated mode.

    The one-shock model: every price moves once, by ``returns[r][i]``, to
    ``entry_price·(1 + return)``. (Along a path instead of one shock:
    :func:`~margin_widgets.engine.paths.simulate_paths`; a one-step path is this model exactly.)

    Isolated: leg i is liquidated when its price crosses its isolated liquidation price
    (:func:`~margin_widgets.engine.formulas.liquidation_price_in_brackets`, computed once with
    bracket re-selection): at or below it for a long, at or above for a short. Cross: the
    account is liquidated when its margin balance ``Σ collateral + Σ unrealized PnL`` is at or
    below its total maintenance margin at the shocked prices (each leg's bracket chosen by its
    shocked notional): :func:`~margin_widgets.engine.account.account_is_liquidated`, the test the
    account uses.

    Parameters
    ----------
    legs : sequence of Leg
        The book, at least one leg.
    returns : sequence of sequence of float
        One row per scenario, one simple return per leg, each > −1 (−0.1 is a 10 % fall).
    brackets : dict of str to BracketTable, optional
        Bracket tables by symbol; default: the shipped table of each leg's symbol.

    Returns
    -------
    StressResult

    Raises
    ------
    ValueError
        For no legs, a row of the wrong length, a return at or below −1 (a price at or below
        zero), or a leg with a bad side, quantity, entry price or collateral.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

    Examples
    --------
    Two 10x longs of 1,000 USDT at 100 USDT (LP 90.36 each): −12 % takes leg 0 past its LP
    while the cross account, 2,000 − 1,200 + 500 = 1,300 USDT against 40 USDT of maintenance,
    lives on.

    >>> legs = equal_legs(2, 10, 1_000)
    >>> result = stress_test(legs, [(-0.12, 0.05), (-0.05, -0.05)])
    >>> result.isolated_liquidated, result.cross_liquidated
    ([1, 0], [False, False])
    """
    if not legs:
        raise ValueError("legs must hold at least one Leg, got none")
    tables = [(brackets or {}).get(leg.symbol) or load_brackets(leg.symbol) for leg in legs]
    sides = [leg.side for leg in legs]
    signs = [_checks.side_sign(leg.side, f"legs[{i}].side") for i, leg in enumerate(legs)]
    qs = [_checks.positive(f"legs[{i}].quantity", leg.quantity) for i, leg in enumerate(legs)]
    eps = [_checks.positive(f"legs[{i}].entry_price", g.entry_price) for i, g in enumerate(legs)]
    cs = [_checks.non_negative(f"legs[{i}].collateral", g.collateral) for i, g in enumerate(legs)]
    # Isolated liquidation prices, once: a long is liquidated at or below, a short at or above.
    thresholds = [
        liquidation_price_in_brackets(side, q, ep, c, table)[0]
        for side, q, ep, c, table in zip(sides, qs, eps, cs, tables, strict=True)
    ]
    wallet = sum(cs)
    n = len(legs)
    cross_flags: list[bool] = []
    isolated_counts: list[int] = []
    rows = [tuple(r) for r in returns]
    for row_index, row in enumerate(rows):
        if len(row) != n:
            raise ValueError(f"returns[{row_index}] must have {n} entries, got {len(row)}")
        balance = wallet
        maintenance = 0.0
        count = 0
        for i in range(n):
            if not row[i] > -1:
                raise ValueError(
                    f"returns[{row_index}][{i}] must be > -1 (a positive price), got {row[i]!r}"
                )
            price = eps[i] * (1.0 + row[i])
            balance += unrealized_pnl(sides[i], qs[i], eps[i], price)
            value = qs[i] * price
            maintenance += tables[i].bracket_for(value).maintenance_margin(value)
            lp = thresholds[i]
            if lp is not None and (price <= lp if signs[i] > 0 else price >= lp):
                count += 1
        cross_flags.append(account_is_liquidated(maintenance, balance))
        isolated_counts.append(count)
    return StressResult(rows, cross_flags, isolated_counts, tuple(cs))


def liquidation_probability(
    legs: Sequence[Leg],
    correlation: float,
    volatility: float,
    n_scenarios: int = 10_000,
    seed: int = 0,
) -> StressResult:
    """Stress ``legs`` with seeded correlated shocks; see :class:`StressResult`'s probabilities.

    The one-shock model: ``stress_test(legs, shock_returns(len(legs), correlation, volatility,
    n_scenarios, seed))``, computed as the one-step case of
    :func:`~margin_widgets.engine.paths.simulate_paths` (the same returns and verdicts, at
    C speed). For liquidations counted along a path over the horizon, see
    :func:`~margin_widgets.engine.paths.path_liquidation_probability`.

    Parameters
    ----------
    legs : sequence of Leg
        The book, at least two legs.
    correlation : float
        Pairwise correlation of the log returns.
    volatility : float
        Standard deviation of each log return over the period, >= 0.
    n_scenarios : int, default 10,000
        Number of scenarios.
    seed : int, default 0
        Seed of the standard-library generator.

    Returns
    -------
    StressResult

    Examples
    --------
    >>> legs = equal_legs(2, 10, 1_000)
    >>> r = liquidation_probability(legs, correlation=0.9, volatility=0.05, n_scenarios=2_000)
    >>> r.cross_probability <= r.isolated_probability
    True
    """
    from margin_widgets.engine.paths import simulate_paths  # paths builds on this module

    paths = simulate_paths(
        len(legs),
        correlation,
        volatility,
        n_scenarios,
        horizon_days=1.0,
        step_days=1.0,
        seed=seed,
    )
    return paths.stress_test(legs)


def _count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return value
