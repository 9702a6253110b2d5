"""Stress over a price path: seeded correlated paths and liquidations counted along them.

The one-shock model of :mod:`margin_widgets.engine.scenarios` moves every price once, at the
horizon. Here the same horizon is cut into steps (daily by default) and a position is
liquidated the *first* time its mark crosses its liquidation price on the way, even if the price
comes back by the horizon.

Model
-----
Each asset's log price follows a random walk of ``n_steps = horizon_days / step_days`` steps.
Step ``k`` of asset ``i`` adds::

    x[i, k] − x[i, k−1] = σ_s·ε[i, k] − σ_s²/2,        σ_s = volatility / √n_steps

so ``volatility`` is the standard deviation of the log return over the whole horizon, as in
:func:`~margin_widgets.engine.scenarios.shock_returns` (a daily volatility ``σ_d`` over 30 days
is ``volatility = σ_d·√30``). The shocks ``ε`` have unit variance and pairwise correlation ρ:

* Gaussian: ``ε[·, k] = L·z[·, k]`` with ``z`` standard normals and ``L`` the Cholesky factor of
  the equicorrelation matrix;
* Student-t with ν > 2 degrees of freedom (fat tails): ``ε[·, k] = √((ν − 2)/χ²[k])·L·z[·, k]``
  with one chi-square draw ``χ²[k]`` (ν degrees of freedom) per step shared by all assets, a
  multivariate t scaled to unit variance, so the volatility is the same.

The mark of a leg with entry price EP after ``k`` steps is ``EP·(1 + r)`` with
``r = exp(x[i, k]) − 1``, the one-shock model's return. With one step
(``step_days = horizon_days``) the paths *are* the one-shock model: the same random numbers,
the same returns, the same verdicts as :func:`~margin_widgets.engine.scenarios.stress_test`.

Random numbers
--------------
The Gaussian shocks of path ``p`` at step ``k`` (from 1) are row ``(p·n_steps + k − 1)`` of
``correlated_normals(n_assets, correlation, n_paths·n_steps, seed)``: the normals of
``random.Random(seed).gauss``, one per asset per step, path after path. The chi-square draws of
the Student-t paths come from a second generator (seeded with the string ``f"{seed}:chi2"``), so
the normals are the same for every ν and for the Gaussian paths: the Student-t paths tend to the
Gaussian ones, path by path, as ν grows. The standardized shocks are drawn once and kept, so
other volatilities, leverages and collateral amounts are answered over the same random numbers
(common random numbers: the differences between settings are not noise).

Liquidation along a path
------------------------
* Isolated leg: liquidated at the first step at which its mark is at or beyond its liquidation
  price (:func:`~margin_widgets.engine.formulas.liquidation_price_in_brackets` with the leg's
  collateral): ``mark <= LP`` for a long, ``mark >= LP`` for a short. Since LP is fixed, that
  happens iff the path's lowest (long) or highest (short) mark crosses it.
* Cross account: the legs share one wallet ``W = Σ collateral``; in cross the liquidation price
  of one leg depends on the other's mark, so the test is the account's own: liquidated at the
  first step where the margin balance ``W + Σ unrealized PnL`` is at or below the total
  maintenance margin ``Σ (notional·MMR − cum)`` (each leg's bracket chosen by its notional at
  that step). With ``D_p = max over the steps of (Σ maintenance − Σ PnL)`` (the path's worst
  *deficit*, USDT), path ``p`` liquidates the account iff ``W <= D_p``.

What is a look-up, what is a re-scan
------------------------------------
:class:`PathSet` keeps each path's lowest and highest cumulative log return per asset, sorted,
and (per set of legs) the sorted worst deficits ``D_p``:

* isolated leg, any quantity, collateral, leverage or side: its liquidation price is computed
  once and the share of paths whose extreme crosses it is a bisection (exact, microseconds);
* cross account, a new wallet at the same quantities (more or less collateral, or a new
  leverage that changes only the initial margin): a bisection over the sorted ``D_p`` (exact);
* cross account with every quantity scaled by one factor λ (a leverage change at fixed
  collateral): while every leg's notional stays in its first bracket on every path, the
  maintenance margin is linear (``cum = 0``), every deficit scales by λ, and the answer is the
  same bisection at ``W/λ`` (exact up to rounding);
* cross account with other quantities (or past the first bracket), entry prices or sides: one
  re-scan of the stored paths (no new random numbers), then look-ups again;
* a new volatility: :meth:`PathSet.with_volatility` re-scans the stored shocks (no new random
  numbers); a new correlation, ν, step or seed draws new paths.

An explorer therefore keeps one :class:`PathSet` per (assets, correlation, ν, horizon, step,
number of paths, seed) and answers its leverage and collateral controls with
:meth:`PathSet.isolated_probability` and :meth:`PathSet.cross_probability` (a bisection each,
well within one 16 ms frame; ``make bench`` prints the figure), its volatility control with
:meth:`PathSet.with_volatility`, and "when" with :meth:`PathSet.first_liquidation_steps`.
"""

from __future__ import annotations

import bisect
import math
import random
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, and_, ge, le, lt, mul, not_, sub
from typing import Any, TypeVar

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import Bracket, BracketTable, load_brackets
from margin_widgets.engine.formulas import liquidation_price_in_brackets
from margin_widgets.engine.scenarios import (
    Leg,
    StressResult,
    _count,
    _standard_normals,
    cholesky,
    equicorrelation_matrix,
)

__all__ = [
    "CommonDraws",
    "PathSet",
    "path_liquidation_probability",
    "simulate_paths",
]

_exp = math.exp
_T = TypeVar("_T")


def _expm1s(log_returns: Iterable[float]) -> Iterator[float]:
    """``exp(x) − 1`` of each value (the simple return; not ``math.expm1``, to match)."""
    return map(sub, map(_exp, log_returns), repeat(1.0))


def _mark(entry_price: float, log_return: float) -> float:
    """The mark ``EP·(1 + r)``, ``r = exp(x) − 1``: the one-shock model's arithmetic."""
    return entry_price * (1.0 + (_exp(log_return) - 1.0))


@dataclass(frozen=True)
class _LegSpec:
    """A leg's checked numbers and bracket table (internal)."""

    sign: int
    quantity: float
    entry_price: float
    collateral: float
    table: BracketTable


def _leg_specs(
    legs: Sequence[Leg], brackets: dict[str, BracketTable] | None, n_assets: int
) -> list[_LegSpec]:
    if not legs:
        raise ValueError("legs must hold at least one Leg, got none")
    if len(legs) != n_assets:
        raise ValueError(f"legs must have {n_assets} entries (one per asset), got {len(legs)}")
    return [_leg_spec(leg, f"legs[{i}]", brackets) for i, leg in enumerate(legs)]


def _leg_spec(leg: Leg, name: str, brackets: dict[str, BracketTable] | None) -> _LegSpec:
    if not isinstance(leg, Leg):
        raise TypeError(f"{name} must be a Leg, got {leg!r}")
    return _LegSpec(
        _checks.side_sign(leg.side, f"{name}.side"),
        _checks.positive(f"{name}.quantity", leg.quantity),
        _checks.positive(f"{name}.entry_price", leg.entry_price),
        _checks.non_negative(f"{name}.collateral", leg.collateral),
        (brackets or {}).get(leg.symbol) or load_brackets(leg.symbol),
    )


def _isolated_liquidation_price(spec: _LegSpec) -> float | None:
    side = "long" if spec.sign > 0 else "short"
    price, _ = liquidation_price_in_brackets(
        side, spec.quantity, spec.entry_price, spec.collateral, spec.table
    )
    return price


@dataclass(frozen=True)
class PathSet:
    """Seeded correlated log-price paths with their per-path extremes, ready for look-ups.

    Build one with :func:`simulate_paths`. Asset ``i`` moves leg ``i`` of a book; a leg's mark
    after ``k`` steps is ``entry_price·(1 + r)``, ``r = exp(x) − 1`` (see the module notes for
    the model, the order of the random numbers and which questions are look-ups).

    Attributes
    ----------
    n_assets, n_paths, n_steps : int
        Assets, paths, and steps per path.
    correlation : float
        Pairwise correlation ρ of the shocks.
    volatility : float
        Standard deviation of each asset's log return over the horizon (0.1 is about 10 %).
    horizon_days, step_days : float
        Horizon and step, in days (``n_steps = horizon_days / step_days``).
    degrees_of_freedom : float or None
        ν of the Student-t shocks, or None for Gaussian shocks.
    seed : int
        Seed of the random numbers.
    shocks : tuple of array of float
        Per asset, the standardized shocks ``ε`` (unit variance), step after step
        (``n_steps·n_paths`` values: step ``k`` of path ``p`` at ``k·n_paths + p``, k from 0).
    log_returns : tuple of array of float
        Per asset, the cumulative log returns ``x`` after steps ``1..n_steps``, same layout.
    minima, maxima : tuple of tuple of float
        Per asset, each path's lowest and highest ``x`` over steps ``1..n_steps``, path order.
    sorted_minima, sorted_maxima : tuple of tuple of float
        The same, sorted increasingly (for bisection).

    Examples
    --------
    Two assets, one 5-day path with zero volatility: every log return is 0.

    >>> paths = simulate_paths(2, 0.5, 0.0, 1, horizon_days=5)
    >>> paths.n_steps, paths.minima == paths.maxima == ((0.0,), (0.0,))
    (5, True)
    """

    n_assets: int
    n_paths: int
    n_steps: int
    correlation: float
    volatility: float
    horizon_days: float
    step_days: float
    degrees_of_freedom: float | None
    seed: int
    shocks: tuple[array[float], ...] = field(repr=False)
    log_returns: tuple[array[float], ...] = field(repr=False)
    minima: tuple[tuple[float, ...], ...] = field(repr=False)
    maxima: tuple[tuple[float, ...], ...] = field(repr=False)
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def sorted_minima(self) -> tuple[tuple[float, ...], ...]:
        """Per asset, the paths' lowest log returns sorted increasingly (sorted once, kept)."""
        found: tuple[tuple[float, ...], ...] | None = self._cache.get("sorted_minima")
        if found is None:
            found = self._cache["sorted_minima"] = tuple(tuple(sorted(m)) for m in self.minima)
        return found

    @property
    def sorted_maxima(self) -> tuple[tuple[float, ...], ...]:
        """Per asset, the paths' highest log returns sorted increasingly (sorted once, kept)."""
        found: tuple[tuple[float, ...], ...] | None = self._cache.get("sorted_maxima")
        if found is None:
            found = self._cache["sorted_maxima"] = tuple(tuple(sorted(m)) for m in self.maxima)
        return found

    # ------------------------------------------------------------------ paths
    def path_log_returns(self, path: int) -> list[list[float]]:
        """Cumulative log returns of one path: one list per asset, steps ``1..n_steps``.

        Examples
        --------
        >>> simulate_paths(2, 0.0, 0.0, 3, horizon_days=2).path_log_returns(1) == [[0, 0], [0, 0]]
        True
        """
        index = _index("path", path, self.n_paths)
        return [list(x[index :: self.n_paths]) for x in self.log_returns]

    def horizon_returns(self) -> list[tuple[float, ...]]:
        """Each path's simple return ``exp(x) − 1`` per asset at the horizon (the last step).

        With one step these are exactly :func:`~margin_widgets.engine.scenarios.shock_returns`
        with the same arguments and seed.

        Examples
        --------
        >>> simulate_paths(2, 0.5, 0.0, 2).horizon_returns()
        [(0.0, 0.0), (0.0, 0.0)]
        """
        start = (self.n_steps - 1) * self.n_paths
        last = [list(map(sub, map(_exp, x[start:]), repeat(1.0))) for x in self.log_returns]
        return list(zip(*last, strict=True))

    # ------------------------------------------------------------------ isolated
    def isolated_probability(
        self,
        leg: Leg,
        liquidation_price: float | None = None,
        *,
        asset: int = 0,
        brackets: dict[str, BracketTable] | None = None,
    ) -> float:
        """Share of paths on which an isolated leg is liquidated (a look-up, no re-scan).

        A long is liquidated iff the path's lowest mark is at or below its liquidation price, a
        short iff the highest is at or above. Answered by bisection over the sorted per-path
        extremes, so any quantity, collateral or leverage costs microseconds.

        Parameters
        ----------
        leg : Leg
            The position (side, quantity in base units, entry price in USDT, collateral in USDT
            as its isolated wallet).
        liquidation_price : float, optional
            The liquidation price in USDT. Default: the leg's own, from
            :func:`~margin_widgets.engine.formulas.liquidation_price_in_brackets` with its
            collateral as the isolated wallet. None-valued prices (no positive root) never
            liquidate, as in :func:`~margin_widgets.engine.scenarios.stress_test`.
        asset : int, default 0
            Which asset's paths move the leg.
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped table of the leg's symbol.

        Returns
        -------
        float
            Probability in [0, 1].

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        A 10x long of 1,000 USDT at 100 USDT has LP = 9,000 / 99.6 = 90.36 USDT; with zero
        volatility no path gets there, and a liquidation price at the entry catches every path:

        >>> paths = simulate_paths(2, 0.0, 0.0, 4)
        >>> leg = Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)
        >>> paths.isolated_probability(leg), paths.isolated_probability(leg, 100.0)
        (0.0, 1.0)
        """
        spec = _leg_spec(leg, "leg", brackets)
        index = _index("asset", asset, self.n_assets)
        if liquidation_price is None:
            lp = _isolated_liquidation_price(spec)
        else:
            lp = _checks.positive("liquidation_price", liquidation_price)
        return self._isolated_count(spec.sign, spec.entry_price, lp, index) / self.n_paths

    def _isolated_count(self, sign: int, entry_price: float, lp: float | None, asset: int) -> int:
        if lp is None:
            return 0

        def key(x: float) -> float:
            return _mark(entry_price, x)

        if sign > 0:
            return bisect.bisect_right(self.sorted_minima[asset], lp, key=key)
        return self.n_paths - bisect.bisect_left(self.sorted_maxima[asset], lp, key=key)

    def isolated_liquidated(
        self, legs: Sequence[Leg], *, brackets: dict[str, BracketTable] | None = None
    ) -> list[int]:
        """Per path, how many of the isolated legs are liquidated (a scan of the extremes).

        Parameters
        ----------
        legs : sequence of Leg
            One leg per asset (leg ``i`` moves with asset ``i``).
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped ones.

        Returns
        -------
        list of int
            One count per path, in path order.

        Examples
        --------
        >>> paths = simulate_paths(2, 0.0, 0.0, 3)
        >>> paths.isolated_liquidated([Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)] * 2)
        [0, 0, 0]
        """
        specs = _leg_specs(legs, brackets, self.n_assets)
        counts = [0] * self.n_paths
        for i, spec in enumerate(specs):
            lp = _isolated_liquidation_price(spec)
            if lp is None:
                continue
            extremes = self.minima[i] if spec.sign > 0 else self.maxima[i]
            # the marks EP·(1 + (exp(x) − 1)), as in _mark, at C speed
            marks = map(mul, repeat(spec.entry_price), map(add, repeat(1.0), _expm1s(extremes)))
            flags = map(le, marks, repeat(lp)) if spec.sign > 0 else map(ge, marks, repeat(lp))
            counts = list(map(add, counts, flags))
        return counts

    # ------------------------------------------------------------------ cross
    def cross_deficits(
        self, legs: Sequence[Leg], *, brackets: dict[str, BracketTable] | None = None
    ) -> tuple[float, ...]:
        """Each path's worst deficit ``D_p = max over steps of (Σ maintenance − Σ PnL)``, USDT.

        The cross account holding ``legs`` (their quantities, sides and entry prices; their
        collateral is not used) is liquidated on path ``p`` iff its wallet ``W <= D_p``.
        Computed by one scan of the stored paths per set of legs, then cached.

        Parameters
        ----------
        legs : sequence of Leg
            One leg per asset.
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped ones.

        Returns
        -------
        tuple of float
            One deficit per path, in path order.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (margin
        balance against maintenance margin, cross mode).

        Examples
        --------
        Zero volatility: the marks stay at 100 USDT, the PnL at 0, and the deficit is the two
        legs' maintenance margin, 2 × 10,000 × 0.4 % = 80 USDT (2024 BTCUSDT bracket 1):

        >>> paths = simulate_paths(2, 0.0, 0.0, 2)
        >>> legs = [Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)] * 2
        >>> [round(d, 9) for d in paths.cross_deficits(legs)]
        [80.0, 80.0]
        """
        return self._cross(legs, brackets)

    def cross_probability(
        self,
        legs: Sequence[Leg],
        *,
        wallet_balance: float | None = None,
        brackets: dict[str, BracketTable] | None = None,
    ) -> float:
        """Share of paths on which the cross account holding ``legs`` is liquidated.

        The first call for a set of legs scans the paths (:meth:`cross_deficits`); later calls
        with the same quantities, sides and entry prices and any ``wallet_balance`` are a
        bisection over the sorted deficits (a collateral change, or a leverage change that only
        moves the initial margin, answered in microseconds). A book whose quantities are all
        one factor λ times those of a book already seen, with every leg in its first bracket on
        every path, is a bisection too (its deficits are λ times the other's): the leverage
        slider of an equal-collateral book.

        Parameters
        ----------
        legs : sequence of Leg
            One leg per asset.
        wallet_balance : float, optional
            Cross wallet balance W in USDT, >= 0. Default: the sum of the legs' collateral.
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped ones.

        Returns
        -------
        float
            Probability in [0, 1].

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (cross mode:
        the margin balance against the maintenance margin of every position).

        Examples
        --------
        Zero volatility, deficit 80 USDT on every path (see :meth:`cross_deficits`): a wallet
        of 80 USDT is liquidated (margin balance at the maintenance margin), 80.01 is not.

        >>> paths = simulate_paths(2, 0.0, 0.0, 2)
        >>> legs = [Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)] * 2
        >>> paths.cross_probability(legs, wallet_balance=80.0)
        1.0
        >>> paths.cross_probability(legs, wallet_balance=80.01)
        0.0
        """
        specs = _leg_specs(legs, brackets, self.n_assets)
        if wallet_balance is None:
            wallet = sum(spec.collateral for spec in specs)
        else:
            wallet = _checks.non_negative("wallet_balance", wallet_balance)
        scaled = self._scaled_look_up(specs)
        if scaled is None:
            ordered = self._cross(legs, brackets, ordered=True)
            return (self.n_paths - bisect.bisect_left(ordered, wallet)) / self.n_paths
        # the same book up to one factor λ on every quantity, but on the paths it leaves the
        # first bracket: those are counted with their exact deficits
        ordered, factor, exact = scaled
        bound = wallet / factor
        count = self.n_paths - bisect.bisect_left(ordered, bound)
        for reference, deficit in exact:
            count += (deficit >= wallet) - (reference >= bound)
        return count / self.n_paths

    def _scaled_look_up(
        self, specs: Sequence[_LegSpec]
    ) -> tuple[tuple[float, ...], float, list[tuple[float, float]]] | None:
        """First-bracket deficits of a reference book, the factor λ, and the exceptions.

        Returns the sorted deficits of the first book of the same direction, the factor λ
        from it to this one, and (reference, exact) deficits of the paths on which this book
        leaves bracket 1. While every leg stays in the first bracket (no maintenance amount)
        the maintenance margin ``notional·MMR₁`` is linear, so ``D_p(λ·Q) = λ·D_p(Q)``: the
        reference's deficits are computed with the first bracket on every path and kept. The
        few paths on which this book's notional passes the first bracket's cap are stepped
        through exactly; None (a full scan instead) when they are many, or when the first
        bracket has a maintenance amount.
        """
        for spec in specs:
            first = spec.table.brackets[0]
            if first.maintenance_amount != 0:
                return None
        leaving = self._leaving_first_bracket(specs)
        if len(leaving) > self.n_paths // 10:
            return None  # one scan of every path is cheaper
        base = specs[0].quantity
        direction = (
            "direction",
            *((s.sign, s.entry_price, s.table, float(f"{s.quantity / base:.12g}")) for s in specs),
        )
        found: tuple[tuple[float, ...], float, list[float]] | None = self._cache.get(direction)
        if found is None:
            linear = _linear_deficits(self, specs)
            found = self._cache[direction] = (tuple(sorted(linear)), base, linear)
        ordered, reference, linear = found
        exact = []
        for p in leaving:
            steps = [x[p :: self.n_paths] for x in self.log_returns]
            exact.append((linear[p], max(_stepped_deficits(specs, steps))))
        return ordered, base / reference, exact

    def _leaving_first_bracket(self, specs: Sequence[_LegSpec]) -> list[int]:
        """The paths on which some leg's notional at its highest mark passes bracket 1's cap."""
        paths: set[int] = set()
        for i, spec in enumerate(specs):
            order: list[int] | None = self._cache.get(("order of maxima", i))
            if order is None:
                order = sorted(range(self.n_paths), key=self.maxima[i].__getitem__)
                self._cache[("order of maxima", i)] = order
            cap = spec.table.brackets[0].max_notional
            q, ep = spec.quantity, spec.entry_price

            def notional(x: float, q: float = q, ep: float = ep) -> float:
                return q * _mark(ep, x)

            k = bisect.bisect_right(self.sorted_maxima[i], cap, key=notional)
            paths.update(order[k:])
        return sorted(paths)

    def _cross(
        self,
        legs: Sequence[Leg],
        brackets: dict[str, BracketTable] | None,
        *,
        ordered: bool = False,
    ) -> tuple[float, ...]:
        """The worst deficits per path (path order, or sorted), scanned once per book."""
        specs = _leg_specs(legs, brackets, self.n_assets)
        book = tuple((s.sign, s.quantity, s.entry_price, s.table) for s in specs)
        deficits: tuple[float, ...] | None = self._cache.get(("deficits", book))
        if deficits is None:
            deficits = self._cache[("deficits", book)] = tuple(_scan_deficits(self, specs))
        if not ordered:
            return deficits
        found: tuple[float, ...] | None = self._cache.get(("sorted deficits", book))
        if found is None:
            found = self._cache[("sorted deficits", book)] = tuple(sorted(deficits))
        return found

    # ------------------------------------------------------------------ both modes
    def stress_test(
        self, legs: Sequence[Leg], *, brackets: dict[str, BracketTable] | None = None
    ) -> StressResult:
        """Both modes over every path, as a :class:`~margin_widgets.engine.scenarios.StressResult`.

        ``returns`` holds each path's returns at the horizon (:meth:`horizon_returns`);
        ``cross_liquidated`` says whether the cross account (wallet = Σ collateral) is
        liquidated at some step, ``isolated_liquidated`` how many isolated legs are. With one
        step this equals :func:`~margin_widgets.engine.scenarios.stress_test` on
        :func:`~margin_widgets.engine.scenarios.shock_returns`.

        Parameters
        ----------
        legs : sequence of Leg
            One leg per asset.
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped ones.

        Returns
        -------
        StressResult

        Examples
        --------
        >>> paths = simulate_paths(2, 0.0, 0.0, 2)
        >>> result = paths.stress_test([Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)] * 2)
        >>> result.cross_liquidated, result.isolated_liquidated
        ([False, False], [0, 0])
        """
        specs = _leg_specs(legs, brackets, self.n_assets)
        wallet = sum(spec.collateral for spec in specs)
        deficits = self._cross(legs, brackets)
        return StressResult(
            self.horizon_returns(),
            [wallet <= d for d in deficits],
            self.isolated_liquidated(legs, brackets=brackets),
            tuple(spec.collateral for spec in specs),
        )

    def first_liquidation_steps(
        self,
        legs: Sequence[Leg],
        *,
        wallet_balance: float | None = None,
        brackets: dict[str, BracketTable] | None = None,
    ) -> tuple[list[int | None], list[list[int | None]]]:
        """When each path liquidates the cross account and each isolated leg (a re-scan).

        Parameters
        ----------
        legs : sequence of Leg
            One leg per asset.
        wallet_balance : float, optional
            Cross wallet balance W in USDT, >= 0. Default: the sum of the legs' collateral.
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped ones.

        Returns
        -------
        (list of int or None, list of list of int or None)
            Per path, the first step (1 to ``n_steps``; the day is ``step·step_days``) at which
            the cross account is liquidated, and per leg, per path, the first step at which that
            isolated leg is; None where it never is. A step-``k`` histogram of these is the
            "when" of the liquidations; the shares of non-None are the probabilities.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        Zero volatility: the marks never move, nothing is liquidated; with a wallet of 80 USDT
        (the legs' maintenance margin, 2 × 40) the cross account goes at the first step:

        >>> paths = simulate_paths(2, 0.0, 0.0, 2, horizon_days=3)
        >>> legs = [Leg("BTCUSDT", "long", 100.0, 100.0, 1_000.0)] * 2
        >>> paths.first_liquidation_steps(legs)
        ([None, None], [[None, None], [None, None]])
        >>> paths.first_liquidation_steps(legs, wallet_balance=80.0)[0]
        [1, 1]
        """
        specs = _leg_specs(legs, brackets, self.n_assets)
        if wallet_balance is None:
            wallet = sum(spec.collateral for spec in specs)
        else:
            wallet = _checks.non_negative("wallet_balance", wallet_balance)
        n_paths = self.n_paths
        deficits = _deficit_steps(self, specs)
        cross: list[int | None] = [None] * n_paths
        isolated: list[list[int | None]] = []
        for k in range(self.n_steps):
            flags = map(ge, deficits[k * n_paths : (k + 1) * n_paths], repeat(wallet))
            for p in compress(range(n_paths), flags):
                if cross[p] is None:
                    cross[p] = k + 1
        for i, spec in enumerate(specs):
            first: list[int | None] = [None] * n_paths
            lp = _isolated_liquidation_price(spec)
            if lp is not None:
                x = self.log_returns[i]
                test = le if spec.sign > 0 else ge
                for k in range(self.n_steps):
                    step = x[k * n_paths : (k + 1) * n_paths]
                    marks = map(mul, repeat(spec.entry_price), map(add, repeat(1.0), _expm1s(step)))
                    for p in compress(range(n_paths), map(test, marks, repeat(lp))):
                        if first[p] is None:
                            first[p] = k + 1
            isolated.append(first)
        return cross, isolated

    # ------------------------------------------------------------------ volatility
    def with_volatility(self, volatility: float) -> PathSet:
        """The same paths at another volatility: the stored shocks re-scanned, no new draws.

        Parameters
        ----------
        volatility : float
            Standard deviation of each log return over the horizon, >= 0.

        Returns
        -------
        PathSet
            Equal to :func:`simulate_paths` with the same arguments and this volatility.

        Examples
        --------
        >>> paths = simulate_paths(2, 0.5, 0.1, 50, seed=3)
        >>> paths.with_volatility(0.2) == simulate_paths(2, 0.5, 0.2, 50, seed=3)
        True
        """
        sigma = _checks.non_negative("volatility", volatility)
        return _build(
            self.n_assets,
            self.correlation,
            sigma,
            self.n_paths,
            self.n_steps,
            self.horizon_days,
            self.step_days,
            self.degrees_of_freedom,
            self.seed,
            self.shocks,
        )


def _scan_deficits(paths: PathSet, specs: Sequence[_LegSpec]) -> list[float]:
    """Worst deficit per path: ``max_k Σ_i (MM_i(k) − PnL_i(k))`` (see :func:`_deficit_steps`)."""
    levels = _deficit_levels(paths, specs)
    if paths.n_steps == 1:
        return levels[0]
    return list(map(max, *levels))


def _linear_deficits(paths: PathSet, specs: Sequence[_LegSpec]) -> list[float]:
    """Worst deficit per path with every leg's first bracket on every step (linear in Q)."""
    n_paths = paths.n_paths
    logs = paths.log_returns
    constant, alphas = _affine(specs, tuple(0 for _ in specs))
    levels: list[list[float]] = []
    for k in range(paths.n_steps):
        lo, hi = k * n_paths, (k + 1) * n_paths
        total: Iterator[float] = map(mul, repeat(alphas[0]), map(_exp, logs[0][lo:hi]))
        for i in range(1, len(specs)):
            total = map(add, total, map(mul, repeat(alphas[i]), map(_exp, logs[i][lo:hi])))
        levels.append(list(map(sub, repeat(constant), total)))
    return levels[0] if paths.n_steps == 1 else list(map(max, *levels))


def _deficit_steps(paths: PathSet, specs: Sequence[_LegSpec]) -> array[float]:
    """The deficits of :func:`_deficit_levels`, step-major in one array, USDT."""
    out = array("d")
    for level in _deficit_levels(paths, specs):
        out.fromlist(level)
    return out


def _deficit_levels(paths: PathSet, specs: Sequence[_LegSpec]) -> list[list[float]]:
    """The deficit ``Σ_i (MM_i − PnL_i)`` of every path at every step, step-major, USDT.

    While leg i stays in one bracket b along the path, ``MM_i − PnL_i`` is affine in its mark
    ``P = EP·e^x``: ``−Q·(s − MMR_b)·EP·e^x + s·Q·EP − cum_b``, so the deficit at step k is
    ``C − Σ_i α_i·e^(x_ik)`` with ``α_i = Q_i·(s_i − MMR_i)·EP_i`` and
    ``C = Σ_i (s_i·Q_i·EP_i − cum_i)``. The paths on which every leg stays in its entry
    bracket (usually nearly all) are computed together, step by step at C speed; a path on
    which a leg sits in another bracket gets that bracket's coefficients, and a path on which a
    leg changes bracket is stepped through with the bracket re-selected at every step.
    """
    n_paths, n_steps = paths.n_paths, paths.n_steps
    logs = paths.log_returns
    entry = [spec.table.bracket_for(spec.quantity * spec.entry_price) for spec in specs]
    edges: list[list[float]] = []
    for spec in specs:
        value = spec.quantity * spec.entry_price
        edges.append([math.log(b.max_notional / value) for b in spec.table.brackets[:-1]])
    last = [len(spec.table.brackets) - 1 for spec in specs]
    # the x-range (low, high] in which leg i stays in its entry bracket
    bounds = []
    for i, b in enumerate(entry):
        low = edges[i][b.number - 2] if b.number > 1 else -math.inf
        high = edges[i][b.number - 1] if b.number - 1 < len(edges[i]) else math.inf
        bounds.append((low, high))
    constant, alphas = _affine(specs, tuple(b.number - 1 for b in entry))
    levels: list[list[float]] = []
    for k in range(n_steps):
        lo, hi = k * n_paths, (k + 1) * n_paths
        total: Iterator[float] = map(mul, repeat(alphas[0]), map(_exp, logs[0][lo:hi]))
        for i in range(1, len(specs)):
            total = map(add, total, map(mul, repeat(alphas[i]), map(_exp, logs[i][lo:hi])))
        levels.append(list(map(sub, repeat(constant), total)))
    inside: Iterator[bool] | None = None
    for i, (low, high) in enumerate(bounds):
        leg_inside = map(
            and_, map(lt, repeat(low), paths.minima[i]), map(le, paths.maxima[i], repeat(high))
        )
        inside = leg_inside if inside is None else map(and_, inside, leg_inside)
    assert inside is not None
    others = list(compress(range(n_paths), map(not_, inside)))
    for p in others:
        choice = []
        for i in range(len(specs)):
            low = bisect.bisect_left(edges[i], paths.minima[i][p])
            if low != bisect.bisect_left(edges[i], paths.maxima[i][p]):
                break
            choice.append(min(low, last[i]))
        steps = [x[p::n_paths] for x in logs]
        if len(choice) < len(specs):
            values = _stepped_deficits(specs, steps)
        else:
            c, a = _affine(specs, tuple(choice))
            path_total: Iterator[float] = map(mul, repeat(a[0]), map(_exp, steps[0]))
            for i in range(1, len(specs)):
                path_total = map(add, path_total, map(mul, repeat(a[i]), map(_exp, steps[i])))
            values = list(map(sub, repeat(c), path_total))
        for level, value in zip(levels, values, strict=True):
            level[p] = value
    return levels


def _affine(specs: Sequence[_LegSpec], combo: tuple[int, ...]) -> tuple[float, list[float]]:
    constant = 0.0
    alphas: list[float] = []
    for spec, index in zip(specs, combo, strict=True):
        b: Bracket = spec.table.brackets[index]
        q, ep, s = spec.quantity, spec.entry_price, spec.sign
        constant += s * q * ep - b.maintenance_amount
        alphas.append(q * (s - b.maintenance_margin_rate) * ep)
    return constant, alphas


def _stepped_deficits(specs: Sequence[_LegSpec], logs: Sequence[Iterable[float]]) -> list[float]:
    """Deficits of one path, step by step (a leg crosses a bracket edge on it)."""
    out = []
    for step in zip(*logs, strict=True):
        pnl = 0.0
        maintenance = 0.0
        for spec, x in zip(specs, step, strict=True):
            price = _mark(spec.entry_price, x)
            pnl += spec.sign * spec.quantity * (price - spec.entry_price)
            value = spec.quantity * price
            maintenance += spec.table.bracket_for(value).maintenance_margin(value)
        out.append(maintenance - pnl)
    return out


class CommonDraws:
    """The random numbers of one seed, drawn once: paths at any correlation and volatility.

    Common random numbers: the standard normals (and the Student-t factors) of ``seed`` are
    drawn when the object is made; :meth:`paths` correlates and scales them for any
    correlation and volatility without drawing again, so the differences between two settings
    are not noise. The result is number for number :func:`simulate_paths` with the same
    arguments. :meth:`one_shock_curve` answers a book of identical legs at many correlations
    by counting over sorted per-scenario values instead of scanning each scenario.

    Parameters
    ----------
    n_assets : int
        Number of assets, >= 2.
    n_paths : int, default 10,000
        Number of paths, >= 1.
    horizon_days, step_days : float
        Horizon and step in days, as in :func:`simulate_paths` (``step_days = horizon_days``:
        the one-shock model).
    degrees_of_freedom : float, optional
        ν > 2 for Student-t shocks; None for Gaussian shocks.
    seed : int, default 0
        Seed of the standard-library generator.

    Raises
    ------
    ValueError
        For counts below their minimum, a horizon that is not a whole number of steps or ν <= 2.

    References
    ----------
    P. Glasserman, "Monte Carlo Methods in Financial Engineering", Springer, 2003 (common
    random numbers for comparing settings).

    Examples
    --------
    >>> draws = CommonDraws(2, 50, seed=3)
    >>> draws.paths(0.5, 0.2) == simulate_paths(2, 0.5, 0.2, 50, seed=3)
    True
    """

    #: correlations whose shocks are kept, and volatilities whose asset-0 paths are kept
    KEEP = 64

    def __init__(
        self,
        n_assets: int,
        n_paths: int = 10_000,
        *,
        horizon_days: float = 30.0,
        step_days: float = 1.0,
        degrees_of_freedom: float | None = None,
        seed: int = 0,
    ) -> None:
        n = _count("n_assets", n_assets, minimum=2)
        count, n_steps, horizon, step, nu = _draw_arguments(
            n_paths, horizon_days, step_days, degrees_of_freedom, seed
        )
        self.n_assets, self.n_paths, self.n_steps = n, count, n_steps
        self.horizon_days, self.step_days = horizon, step
        self.degrees_of_freedom, self.seed = nu, seed
        self._normals = _Normals(n, count, n_steps, nu, seed)
        self._kept: dict[Any, OrderedDict[Any, Any]] = {}

    def _keep(self, part: str, key: Any, compute: Callable[[], _T], keep: int = KEEP) -> _T:
        store = self._kept.setdefault(part, OrderedDict())
        if key in store:
            store.move_to_end(key)
            found: _T = store[key]
            return found
        value = store[key] = compute()
        while len(store) > keep:
            store.popitem(last=False)
        return value

    def with_degrees_of_freedom(self, degrees_of_freedom: float | None) -> CommonDraws:
        """The same normals with other tails: only the Student-t factors are drawn.

        The normals of a seed are the same for every ν and for Gaussian shocks (the chi-square
        draws come from their own generator), so they are shared, not drawn again.

        Examples
        --------
        >>> fat = CommonDraws(2, 40, horizon_days=5, seed=2).with_degrees_of_freedom(4.0)
        >>> fat.paths(0.3, 0.2) == simulate_paths(
        ...     2, 0.3, 0.2, 40, horizon_days=5, degrees_of_freedom=4.0, seed=2
        ... )
        True
        """
        _, _, _, _, nu = _draw_arguments(
            self.n_paths, self.horizon_days, self.step_days, degrees_of_freedom, self.seed
        )
        other = object.__new__(CommonDraws)
        other.n_assets, other.n_paths, other.n_steps = self.n_assets, self.n_paths, self.n_steps
        other.horizon_days, other.step_days = self.horizon_days, self.step_days
        other.degrees_of_freedom, other.seed = nu, self.seed
        other._normals = _Normals(
            self.n_assets, self.n_paths, self.n_steps, nu, self.seed, raw=self._normals.raw
        )
        other._kept = {}
        return other

    def shocks(self, correlation: float) -> tuple[array[float], ...]:
        """The standardized shocks per asset at ``correlation`` (:attr:`PathSet.shocks`)."""
        rho = _checks.number("correlation", correlation)
        return self._keep("shocks", rho, lambda: self._normals.correlated(rho), keep=8)

    def paths(self, correlation: float, volatility: float) -> PathSet:
        """The paths at ``correlation`` and ``volatility``, from the kept random numbers.

        Equal to :func:`simulate_paths` with the same arguments; asset 0's paths do not depend
        on the correlation and are kept per volatility.

        Examples
        --------
        >>> draws = CommonDraws(2, 20, horizon_days=3, degrees_of_freedom=5, seed=1)
        >>> a = draws.paths(-0.5, 0.3)
        >>> a == simulate_paths(2, -0.5, 0.3, 20, horizon_days=3, degrees_of_freedom=5, seed=1)
        True
        """
        shocks = self.shocks(correlation)
        sigma = _checks.non_negative("volatility", volatility)
        step_sigma = sigma / math.sqrt(self.n_steps)
        drift = -0.5 * step_sigma * step_sigma
        first = self._keep(
            "first",
            sigma,
            lambda: _build_column(shocks[0], step_sigma, drift, self.n_paths, self.n_steps),
            keep=8,
        )
        return _build(
            self.n_assets,
            float(correlation),
            sigma,
            self.n_paths,
            self.n_steps,
            self.horizon_days,
            self.step_days,
            self.degrees_of_freedom,
            self.seed,
            shocks,
            built=(first,),
        )

    def one_shock_curve(
        self,
        legs: Sequence[Leg],
        correlations: Sequence[float],
        volatility: float,
        *,
        n_paths: int | None = None,
        brackets: dict[str, BracketTable] | None = None,
    ) -> tuple[list[float], list[float]]:
        """Cross and "at least one isolated leg" probability at each correlation, one shock.

        Over the first ``n_paths`` scenarios of the one-shock model (one step over the
        horizon): the numbers of :meth:`PathSet.cross_probability` and of
        :meth:`PathSet.isolated_liquidated` (share of scenarios with a count above 0) of
        ``simulate_paths(n_assets, ρ, volatility, n_paths, step_days=horizon_days,
        seed=seed)``, for every ρ of ``correlations``.

        When every leg is the same position (side, quantity, entry price, collateral, table)
        and stays in its first bracket (no maintenance amount), they are counts over kept
        per-scenario values: an isolated leg is liquidated iff the scenario's lowest (long)
        or highest (short) shock crosses its liquidation price (a bisection over the sorted
        extremes, kept per correlation), and the cross account iff
        ``W <= C − α·Σ_i exp(x_i)`` with ``α = Q·(s − MMR)·EP`` and ``C = n·s·Q·EP``: a count
        over ``Σ_i exp(σ·ε_i)`` of the few scenarios whose mean shock (long) or highest
        shock (short) can reach the bound, found by bisection over the orders kept per
        correlation. The counts equal the scan's up to rounding at the boundary. Other books
        are answered by the path scan.

        Parameters
        ----------
        legs : sequence of Leg
            One leg per asset.
        correlations : sequence of float
            The correlations ρ.
        volatility : float
            σ of each log return over the horizon, >= 0.
        n_paths : int, optional
            Use the first ``n_paths`` scenarios (1 to :attr:`n_paths`); default all.
        brackets : dict of str to BracketTable, optional
            Bracket tables by symbol; default: the shipped ones.

        Returns
        -------
        (list of float, list of float)
            Cross probability and isolated probability, one per correlation.

        Raises
        ------
        ValueError
            If the draws have more than one step, or for a bad count, volatility, correlation
            or leg.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        Zero volatility: nothing moves, nothing is liquidated (two 10x longs at 100 USDT):

        >>> from margin_widgets.engine.scenarios import equal_legs
        >>> draws = CommonDraws(2, 10, step_days=30)
        >>> draws.one_shock_curve(equal_legs(2, 10, 1_000), [0.0, 0.5], 0.0)
        ([0.0, 0.0], [0.0, 0.0])
        """
        if self.n_steps != 1:
            raise ValueError(
                f"one_shock_curve needs one-step draws (step_days = horizon_days), got "
                f"{self.n_steps} steps"
            )
        count = self.n_paths if n_paths is None else _count("n_paths", n_paths, minimum=1)
        if count > self.n_paths:
            raise ValueError(f"n_paths must be at most {self.n_paths}, got {n_paths!r}")
        sigma = _checks.non_negative("volatility", volatility)
        rhos = [_checks.number(f"correlations[{i}]", r) for i, r in enumerate(correlations)]
        specs = _leg_specs(legs, brackets, self.n_assets)
        same = all(spec == specs[0] for spec in specs)
        step_sigma = sigma / math.sqrt(self.n_steps)
        drift = -0.5 * step_sigma * step_sigma
        cross: list[float] = []
        isolated: list[float] = []
        spec = specs[0]

        def key(x: float) -> float:
            return _mark(spec.entry_price, step_sigma * x + drift)

        for rho in rhos:
            data = self._one_shock_data(rho, count) if same else None
            if data is None:
                c, i = self._scanned(legs, brackets, rho, sigma, count)
                cross.append(c)
                isolated.append(i)
                continue
            lows, highs, top = data.lows, data.highs, data.top
            lp = _isolated_liquidation_price(spec)
            if lp is None:
                hit = 0
            elif spec.sign > 0:
                hit = bisect.bisect_right(lows, lp, key=key)
            else:
                hit = count - bisect.bisect_left(highs, lp, key=key)
            first = spec.table.brackets[0]
            highest = spec.quantity * key(top)
            if first.maintenance_amount != 0 or highest > first.max_notional:
                c, _ = self._scanned(legs, brackets, rho, sigma, count)
                cross.append(c)
                isolated.append(hit / count)
                continue
            # Σ α·exp(σ·ε_i − σ²/2) = β·Σ exp(σ·ε_i), β = α·exp(−σ²/2)
            alpha = spec.quantity * (spec.sign - first.maintenance_margin_rate) * spec.entry_price
            beta = alpha * _exp(drift)
            constant = self.n_assets * (spec.sign * spec.quantity * spec.entry_price)
            wallet = self.n_assets * spec.collateral
            if beta > 0:
                liquidated = data.count_at_most(step_sigma, (constant - wallet) / beta)
            else:
                liquidated = data.count_at_least(step_sigma, (wallet - constant) / -beta)
            cross.append(liquidated / count)
            isolated.append(hit / count)
        return cross, isolated

    def _scanned(
        self,
        legs: Sequence[Leg],
        brackets: dict[str, BracketTable] | None,
        rho: float,
        sigma: float,
        count: int,
    ) -> tuple[float, float]:
        """Cross and isolated probability by the path scan of the first ``count`` scenarios."""
        shocks = tuple(column[:count] for column in self.shocks(rho))
        paths = _build(
            self.n_assets,
            rho,
            sigma,
            count,
            1,
            self.horizon_days,
            self.step_days,
            self.degrees_of_freedom,
            self.seed,
            shocks,
        )
        hit = paths.isolated_liquidated(legs, brackets=brackets)
        return paths.cross_probability(legs, brackets=brackets), (count - hit.count(0)) / count

    def _one_shock_data(self, rho: float, count: int) -> _OneShock:
        """The first ``count`` scenarios at ``rho``, ordered for counting (kept per ρ)."""
        return self._keep("one shock", (rho, count), lambda: _OneShock(self._normals, rho, count))


class _OneShock:
    """One-shock scenarios at one correlation, ordered for counting (internal).

    ``lows``/``highs``: each scenario's lowest and highest shock over the assets, sorted.
    ``by_sum``: the shocks per asset with the scenarios ordered by ``Σ_i ε_i`` (increasing,
    ``sums``); ``by_top``: ordered by the highest shock, decreasing (``tops``, negated to
    increase). With ``T = Σ_i exp(σ·ε_i)``, ``T >= n·exp(σ·Σε/n)`` (means of exponentials)
    and ``T <= n·exp(σ·max ε)``: only a prefix of each order can have ``T <= τ`` or
    ``T >= τ``, and only that prefix is exponentiated.
    """

    def __init__(self, normals: _Normals, rho: float, count: int) -> None:
        columns = [column[:count].tolist() for column in normals.correlated(rho)]
        self.n = len(columns)
        self.lows = tuple(sorted(map(min, *columns)))
        self.highs = tuple(sorted(map(max, *columns)))
        self.top = self.highs[-1]
        totals = list(map(_sum_of, *columns))
        order = sorted(range(count), key=totals.__getitem__)
        self.sums = [totals[r] for r in order]
        self.by_sum = [[column[r] for r in order] for column in columns]
        self._columns = columns
        self._by_top: tuple[list[float], list[list[float]]] | None = None

    @property
    def tops(self) -> list[float]:
        """Minus each scenario's highest shock, increasing (made on first use: short books)."""
        return self._top_order()[0]

    @property
    def by_top(self) -> list[list[float]]:
        """The shocks per asset, scenarios by highest shock, decreasing."""
        return self._top_order()[1]

    def _top_order(self) -> tuple[list[float], list[list[float]]]:
        if self._by_top is None:
            columns = self._columns
            tops = list(map(max, *columns))
            order = sorted(range(len(tops)), key=tops.__getitem__, reverse=True)
            self._by_top = (
                [-tops[r] for r in order],
                [[column[r] for r in order] for column in columns],
            )
        return self._by_top

    def count_at_most(self, sigma: float, bound: float) -> int:
        """How many scenarios have ``Σ_i exp(σ·ε_i) <= bound``."""
        if bound <= 0:
            return 0
        if sigma == 0:
            return len(self.sums) if self.n <= bound else 0
        limit = self.n * math.log(bound / self.n) / sigma
        k = bisect.bisect_right(self.sums, limit + _SLACK * (1.0 + abs(limit)))
        return sum(map(le, _exp_sums(self.by_sum, sigma, k), repeat(bound)))

    def count_at_least(self, sigma: float, bound: float) -> int:
        """How many scenarios have ``Σ_i exp(σ·ε_i) >= bound``."""
        if bound <= 0:
            return len(self.sums)
        if sigma == 0:
            return len(self.sums) if self.n >= bound else 0
        limit = math.log(bound / self.n) / sigma
        k = bisect.bisect_right(self.tops, -limit + _SLACK * (1.0 + abs(limit)))
        return sum(map(ge, _exp_sums(self.by_top, sigma, k), repeat(bound)))


#: relative slack of the pruning bounds, far above rounding (the pruned scenarios are checked)
_SLACK = 1e-9


def _sum_of(*values: float) -> float:
    return sum(values)


def _exp_sums(columns: Sequence[list[float]], sigma: float, k: int) -> Iterator[float]:
    """``Σ_i exp(σ·ε_i)`` of the first ``k`` scenarios of ``columns``."""
    total: Iterator[float] = map(_exp, map(mul, repeat(sigma), columns[0][:k]))
    for column in columns[1:]:
        total = map(add, total, map(_exp, map(mul, repeat(sigma), column[:k])))
    return total


def simulate_paths(
    n_assets: int,
    correlation: float,
    volatility: float,
    n_paths: int = 10_000,
    *,
    horizon_days: float = 30.0,
    step_days: float = 1.0,
    degrees_of_freedom: float | None = None,
    seed: int = 0,
) -> PathSet:
    """Draw ``n_paths`` seeded correlated log-price paths over a horizon (see the module notes).

    Parameters
    ----------
    n_assets : int
        Number of assets, >= 2.
    correlation : float
        Pairwise correlation ρ of the per-step shocks, in ``[−1/(n−1), 1]``.
    volatility : float
        Standard deviation σ of each asset's log return over the whole horizon, >= 0 (0.1 is
        about a 10 % move); each step has ``σ/√n_steps``.
    n_paths : int, default 10,000
        Number of paths, >= 1.
    horizon_days : float, default 30.0
        Horizon in days, > 0.
    step_days : float, default 1.0
        Step in days, > 0; ``horizon_days / step_days`` must be a whole number of steps.
        ``step_days = horizon_days`` gives the one-shock model exactly.
    degrees_of_freedom : float, optional
        ν > 2 for Student-t shocks (fat tails) with the same volatility; None (default) for
        Gaussian shocks.
    seed : int, default 0
        Seed of the standard-library generator; the same seed gives the same paths.

    Returns
    -------
    PathSet

    Raises
    ------
    ValueError
        For a correlation outside the allowed range, a negative volatility, a horizon that is
        not a whole number of steps, ν <= 2, or counts below their minimum.

    References
    ----------
    P. Glasserman, "Monte Carlo Methods in Financial Engineering", Springer, 2003 (correlated
    geometric Brownian motion; heavy-tailed returns through a multivariate Student t).

    Examples
    --------
    30 days in daily steps; a volatility of 0.3 over the horizon is 0.3/√30 = 0.0548 a day:

    >>> paths = simulate_paths(2, 0.5, 0.3, 100)
    >>> paths.n_steps, round(paths.volatility / paths.n_steps**0.5, 4)
    (30, 0.0548)

    One step over the horizon is the one-shock model, number for number:

    >>> from margin_widgets.engine.scenarios import shock_returns
    >>> one_step = simulate_paths(2, 0.5, 0.08, 100, step_days=30, seed=7)
    >>> one_step.horizon_returns() == shock_returns(2, 0.5, 0.08, 100, seed=7)
    True
    """
    n = _count("n_assets", n_assets, minimum=2)
    rho = _checks.number("correlation", correlation)
    equicorrelation_matrix(n, rho)  # the range check, with its message
    sigma = _checks.non_negative("volatility", volatility)
    count, n_steps, horizon, step, nu = _draw_arguments(
        n_paths, horizon_days, step_days, degrees_of_freedom, seed
    )
    shocks = _draw_shocks(n, rho, count, n_steps, nu, seed)
    return _build(n, rho, sigma, count, n_steps, horizon, step, nu, seed, shocks)


def _draw_arguments(
    n_paths: int,
    horizon_days: float,
    step_days: float,
    degrees_of_freedom: float | None,
    seed: int,
) -> tuple[int, int, float, float, float | None]:
    """Checked (n_paths, n_steps, horizon, step, ν) of a draw (see :func:`simulate_paths`)."""
    count = _count("n_paths", n_paths, minimum=1)
    horizon = _checks.positive("horizon_days", horizon_days)
    step = _checks.positive("step_days", step_days)
    ratio = horizon / step
    n_steps = round(ratio)
    if n_steps < 1 or abs(ratio - n_steps) > 1e-9 * max(1.0, ratio):
        raise ValueError(
            f"horizon_days / step_days must be a whole number of steps >= 1, got "
            f"{horizon_days!r} / {step_days!r} = {ratio:g}"
        )
    nu: float | None = None
    if degrees_of_freedom is not None:
        nu = _checks.number("degrees_of_freedom", degrees_of_freedom)
        if not nu > 2:
            raise ValueError(
                f"degrees_of_freedom must be > 2 (a finite variance), got {degrees_of_freedom!r}"
            )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    return count, n_steps, horizon, step, nu


def _draw_shocks(
    n: int, rho: float, count: int, n_steps: int, nu: float | None, seed: int
) -> tuple[array[float], ...]:
    """Standardized correlated shocks per asset, step-major (see the module notes)."""
    return _Normals(n, count, n_steps, nu, seed).correlated(rho)


class _Normals:
    """The random numbers of one seed, drawn once, step-major (internal to :class:`CommonDraws`).

    ``raw[j]`` holds the independent standard normals of asset ``j`` (element ``k·count + p``
    is row ``p·n_steps + k`` of the draw, as in :func:`correlated_normals`), ``scales`` the
    Student-t factors ``√((ν − 2)/χ²)`` of each step (None for Gaussian shocks). Correlating
    is element by element, so doing it after the reordering gives the same numbers.
    """

    def __init__(
        self,
        n: int,
        count: int,
        n_steps: int,
        nu: float | None,
        seed: int,
        raw: list[list[float]] | None = None,
    ) -> None:
        self.n, self.count, self.n_steps = n, count, n_steps
        if raw is None:
            draws = _standard_normals(random.Random(seed), count * n_steps * n)
            raw = [_step_major(draws[j::n], n_steps).tolist() for j in range(n)]
        self.raw = raw
        self.scales: list[float] | None = None
        if nu is not None:
            chi2 = random.Random(f"{seed}:chi2").gammavariate
            shape = nu / 2.0
            excess = nu - 2.0
            scales = [math.sqrt(excess / chi2(shape, 2.0)) for _ in range(count * n_steps)]
            self.scales = _step_major(scales, n_steps).tolist()
        self._first: array[float] | None = None

    def correlated(self, rho: float) -> tuple[array[float], ...]:
        """The shocks ε per asset at correlation ``rho`` (``Σ_j L[i][j]·z[j]``, left to right)."""
        lower = cholesky(equicorrelation_matrix(self.n, rho))
        return (self.first(), *(self.column(lower[i], i) for i in range(1, self.n)))

    def first(self) -> array[float]:
        """Asset 0's shocks: ``L[0] = (1, 0, …)`` at every correlation, so computed once."""
        if self._first is None:
            self._first = self._scaled(self.raw[0])
        return self._first

    def column(self, row: Sequence[float], i: int) -> array[float]:
        """Asset i's shocks, ``Σ_{j<=i} row[j]·z[j]`` (then the Student-t factor)."""
        total: Iterator[float] = map(mul, repeat(row[0]), self.raw[0])
        for j in range(1, i + 1):
            total = map(add, total, map(mul, repeat(row[j]), self.raw[j]))
        return self._scaled(total)

    def _scaled(self, column: Iterable[float]) -> array[float]:
        if self.scales is not None:
            column = map(mul, self.scales, column)
        return array("d", column if isinstance(column, list) else list(column))


def _step_major(column: Sequence[float], n_steps: int) -> array[float]:
    """Path-major rows (``p·n_steps + k``) to step-major (``k·count + p``)."""
    out = array("d")
    for k in range(n_steps):
        out.extend(column[k::n_steps])
    return out


def _build(
    n: int,
    rho: float,
    sigma: float,
    count: int,
    n_steps: int,
    horizon: float,
    step: float,
    nu: float | None,
    seed: int,
    shocks: tuple[array[float], ...],
    built: Sequence[tuple[array[float], tuple[float, ...], tuple[float, ...]] | None] = (),
) -> PathSet:
    """Cumulative log returns and per-path extremes from the standardized shocks.

    ``built[i]``, when given, is asset i's :func:`_build_column` already computed at ``sigma``.
    """
    step_sigma = sigma / math.sqrt(n_steps)
    drift = -0.5 * step_sigma * step_sigma
    columns = [
        (built[i] if i < len(built) and built[i] is not None else None)
        or _build_column(column, step_sigma, drift, count, n_steps)
        for i, column in enumerate(shocks)
    ]
    return PathSet(
        n_assets=n,
        n_paths=count,
        n_steps=n_steps,
        correlation=rho,
        volatility=sigma,
        horizon_days=horizon,
        step_days=step,
        degrees_of_freedom=nu,
        seed=seed,
        shocks=shocks,
        log_returns=tuple(c[0] for c in columns),
        minima=tuple(c[1] for c in columns),
        maxima=tuple(c[2] for c in columns),
    )


def _build_column(
    column: array[float], step_sigma: float, drift: float, count: int, n_steps: int
) -> tuple[array[float], tuple[float, ...], tuple[float, ...]]:
    """One asset's cumulative log returns (step-major) and each path's lowest and highest."""
    # each step adds σ_s·ε + drift to every path's running sum (the first step is its own)
    increments = array("d", map(add, map(mul, repeat(step_sigma), column), repeat(drift)))
    if n_steps == 1:
        lows = tuple(increments)
        return increments, lows, lows
    level = list(increments[:count])
    out = array("d", level)
    for lo in range(count, count * n_steps, count):
        level = list(map(add, level, increments[lo : lo + count]))
        out.fromlist(level)
    lows_list = []
    highs_list = []
    for p in range(count):
        path = out[p::count]
        lows_list.append(min(path))
        highs_list.append(max(path))
    return out, tuple(lows_list), tuple(highs_list)


def path_liquidation_probability(
    legs: Sequence[Leg],
    correlation: float,
    volatility: float,
    n_paths: int = 10_000,
    *,
    horizon_days: float = 30.0,
    step_days: float = 1.0,
    degrees_of_freedom: float | None = None,
    seed: int = 0,
    brackets: dict[str, BracketTable] | None = None,
) -> StressResult:
    """Stress ``legs`` along seeded correlated paths (the path version of the one-shock model).

    The counterpart of :func:`~margin_widgets.engine.scenarios.liquidation_probability`.

    Parameters
    ----------
    legs : sequence of Leg
        The book, at least two legs (leg ``i`` moves with asset ``i``).
    correlation, volatility, n_paths, horizon_days, step_days, degrees_of_freedom, seed
        As in :func:`simulate_paths`.
    brackets : dict of str to BracketTable, optional
        Bracket tables by symbol; default: the shipped ones.

    Returns
    -------
    StressResult
        Per path: returns at the horizon, cross verdict, isolated count
        (:meth:`PathSet.stress_test`).

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

    Examples
    --------
    A path can cross the liquidation price and come back, so over the same horizon and the
    same volatility the path model liquidates at least as often as the one-shock model:

    >>> from margin_widgets.engine.scenarios import equal_legs, liquidation_probability
    >>> legs = equal_legs(2, 10, 1_000)
    >>> along = path_liquidation_probability(legs, 0.5, 0.08, 2_000, seed=1)
    >>> at_end = liquidation_probability(legs, 0.5, 0.08, 2_000, seed=1)
    >>> along.isolated_probability > at_end.isolated_probability
    True
    """
    paths = simulate_paths(
        len(legs),
        correlation,
        volatility,
        n_paths,
        horizon_days=horizon_days,
        step_days=step_days,
        degrees_of_freedom=degrees_of_freedom,
        seed=seed,
    )
    return paths.stress_test(legs, brackets=brackets)


def _index(name: str, value: object, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be in [0, {size - 1}], got {value!r}")
    return value
