"""Binance Multi-Assets mode (cross only): BTC, ETH or BNB as collateral beside USDT.

In Multi-Assets mode the cross margin balance counts other coins at their mark value less a
haircut (BTC, ETH and BNB at 95 % of their value, a 5 % haircut)::

    MB(P) = U + Σ aᵢ·pᵢ(P)·(1 − hᵢ) + s·Q·(P − EP) + UPNL_other
    MM(P) = Q·P·MMR(P) − cum(P) + TMM_other

with U the USDT wallet balance (it may be below zero: losses in USDT are carried by the coin
collateral), aᵢ the coin amounts, hᵢ their haircuts, and the bracket chosen by the notional at P.
The account is liquidated where ``MB(P) <= MM(P)``.

When the collateral is the position's own coin its price moves with the mark: BTC collateral
behind a BTC long doubles the exposure (the loss and the shrinking collateral add up), behind a
BTC short it hedges (the collateral gains what the short loses). Here a coin's price follows the
mark as ``pᵢ(P) = pᵢ·(P/mark)^βᵢ`` with an elasticity βᵢ in [0, 1]: 1 for the same coin, 0 for a
price held fixed, between for a coin that moves part of the way (for log-normal prices the
regression β is ρ·σᵢ/σ). With every β in [0, 1], ``MB − MM`` is concave in P (a linear or concave
balance less a convex, piecewise-linear maintenance margin), so there are at most **two**
liquidation prices and the safe prices form one interval; :func:`multi_assets_liquidation_prices`
returns them all, ascending.

The stress test draws correlated log-normal returns for the position's coin and each collateral
coin (pairwise correlation ρ), seeded, standard library only.

References
----------
Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?" (collateral value ratio 95 %
for BTC, ETH, BNB, i.e. a 5 % haircut; Multi-Assets mode is cross margin only); Binance, "How to
Calculate Liquidation Price of USDⓈ-M Futures Contracts". One version of the FAQ's table also
lists USDT at a 99.99 % collateral value ratio; the USDT wallet is counted at face value here, as
in single-asset mode.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, le, mul

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import BracketTable
from margin_widgets.engine.scenarios import cholesky, correlated_normals, equicorrelation_matrix

__all__ = [
    "HAIRCUTS",
    "Collateral",
    "CollateralStress",
    "coin_collateral",
    "multi_assets_excess",
    "multi_assets_excess_curve",
    "multi_assets_liquidation_prices",
    "multi_assets_stress",
    "multi_assets_stress_curve",
    "usdt_equivalent",
]

HAIRCUTS: dict[str, float] = {"BTC": 0.05, "ETH": 0.05, "BNB": 0.05}
"""Documented haircuts of the coins Multi-Assets mode takes (FAQ: 95 % collateral value)."""

_MAX_PRICE = 1e30  # USDT per unit: prices above are not searched for a root
_EDGE = 1e-12  # relative slack at bracket edges for the piecewise-linear roots


@dataclass(frozen=True)
class Collateral:
    """A coin held as cross collateral in Multi-Assets mode.

    Attributes
    ----------
    asset : str
        ``"BTC"``, ``"ETH"`` or ``"BNB"`` (the haircut comes from :data:`HAIRCUTS`), or any
        name with an explicit ``haircut``.
    amount : float
        Units of the coin, >= 0.
    price : float
        Its price in USDT when the position's mark is ``mark_price``, > 0.
    beta : float, default 1.0
        Elasticity of its price to the mark, in [0, 1]: 1 for the position's own coin, 0 for a
        price held fixed.
    haircut : float, optional
        Fraction of the value not counted, in [0, 1); default from :data:`HAIRCUTS`.
    """

    asset: str
    amount: float
    price: float
    beta: float = 1.0
    haircut: float | None = None

    def __post_init__(self) -> None:
        _checks.non_negative("amount", self.amount)
        _checks.positive("price", self.price)
        beta = _checks.number("beta", self.beta)
        if not 0 <= beta <= 1:
            raise ValueError(f"beta must be in [0, 1], got {self.beta!r}")
        if self.haircut is None:
            if self.asset not in HAIRCUTS:
                raise ValueError(
                    f"asset must be one of {sorted(HAIRCUTS)} (or give a haircut), "
                    f"got {self.asset!r}"
                )
        else:
            _checks.rate("haircut", self.haircut)

    @property
    def rate(self) -> float:
        """The haircut applied (explicit, or the documented one for the asset)."""
        return HAIRCUTS[self.asset] if self.haircut is None else float(self.haircut)

    @property
    def counted_value(self) -> float:
        """USDT counted toward the margin balance now: ``amount × price × (1 − haircut)``.

        Examples
        --------
        >>> Collateral("BNB", 1, 1_000).counted_value  # the FAQ: $1,000 of BNB counts $950
        950.0
        """
        return float(self.amount) * float(self.price) * (1.0 - self.rate)


def coin_collateral(
    asset: str,
    value: float,
    price: float,
    *,
    correlation: float = 1.0,
    haircut: float | None = None,
) -> tuple[Collateral, ...]:
    """Coin collateral worth ``value`` USDT today, its price following the mark with β = max(ρ, 0).

    The amount is ``value / price`` coins. With equal volatilities the regression elasticity of
    the coin's log price on the mark's is β = ρ; a negative correlation is held at β = 0 (the
    coin's price fixed), since :class:`Collateral` takes β in [0, 1]. No collateral (an empty
    tuple) when ``value`` is 0.

    Parameters
    ----------
    asset : str
        The coin, e.g. ``"BTC"`` (see :class:`Collateral`).
    value : float
        Its value today in USDT, before the haircut, >= 0.
    price : float
        The coin's price today in USDT, > 0.
    correlation : float, default 1.0
        Correlation ρ of the coin's and the mark's log returns, in [-1, 1].
    haircut : float, optional
        Fraction of the value not counted, in [0, 1) (default: the documented one).

    Returns
    -------
    tuple of Collateral
        One item, or none for a value of 0.

    Raises
    ------
    ValueError
        Naming the parameter, the value and what is allowed.

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?".

    Examples
    --------
    6,000 USDT of BTC at 60,000 is 0.1 BTC; counted at 95 %, 5,700 USDT; at ρ = −0.5, β = 0:

    >>> (coin,) = coin_collateral("BTC", 6_000, 60_000, correlation=-0.5)
    >>> coin.amount, coin.beta, coin.counted_value
    (0.1, 0.0, 5700.0)
    """
    amount = _checks.non_negative("value", value) / _checks.positive("price", price)
    rho = _checks.number("correlation", correlation)
    if not -1 <= rho <= 1:
        raise ValueError(f"correlation must be in [-1, 1], got {correlation!r}")
    if amount == 0:
        return ()
    return (Collateral(asset, amount, float(price), beta=max(rho, 0.0), haircut=haircut),)


def usdt_equivalent(usdt_balance: float, collateral: Sequence[Collateral]) -> float:
    """The USDT wallet with the collateral's counted value added, USDT (the baseline account).

    Parameters
    ----------
    usdt_balance : float
        USDT wallet balance (may be below zero).
    collateral : sequence of Collateral
        The coins.

    Returns
    -------
    float
        ``U + Σ aᵢ·pᵢ·(1 − hᵢ)``.

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?" (collateral value).

    Examples
    --------
    −1,000 USDT and 1,000 USDT of BNB (5 % haircut): ``−1,000 + 950 = −50``.

    >>> usdt_equivalent(-1_000, [Collateral("BNB", 1, 1_000)])
    -50.0
    """
    total = _checks.number("usdt_balance", usdt_balance)
    for i, item in enumerate(collateral):
        if not isinstance(item, Collateral):
            raise ValueError(f"collateral[{i}] must be a Collateral, got {item!r}")
        total += item.counted_value
    return total


@dataclass(frozen=True)
class _Book:
    """Checked inputs: the position, the constant part of the balance, the collateral terms."""

    s: int
    q: float
    ep: float
    mark: float
    constant: float  # U + UPNL_other − TMM_other − s·Q·EP
    terms: tuple[tuple[float, float], ...]  # (counted value now, beta)
    brackets: BracketTable


def _book(
    side: object,
    quantity: object,
    entry_price: object,
    mark_price: object,
    usdt_balance: object,
    collateral: Sequence[Collateral],
    brackets: BracketTable,
    other_maintenance_margin: object,
    other_unrealized_pnl: object,
) -> _Book:
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    mark = _checks.positive("mark_price", mark_price)
    u = _checks.number("usdt_balance", usdt_balance)
    tmm = _checks.non_negative("other_maintenance_margin", other_maintenance_margin)
    upnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    if not isinstance(brackets, BracketTable):
        raise ValueError(f"brackets must be a BracketTable, got {type(brackets).__name__}")
    terms = []
    for i, item in enumerate(collateral):
        if not isinstance(item, Collateral):
            raise ValueError(f"collateral[{i}] must be a Collateral, got {item!r}")
        terms.append((item.counted_value, float(item.beta)))
    return _Book(s, q, ep, mark, u + upnl - tmm - s * q * ep, tuple(terms), brackets)


def _excess(book: _Book, price: float) -> float:
    """``MB(P) − MM(P)`` in USDT."""
    ratio = price / book.mark
    value = book.constant + book.s * book.q * price
    for counted, beta in book.terms:
        value += counted * (1.0 if beta == 0 else ratio**beta)
    bracket = book.brackets.bracket_for(book.q * price)
    return value - (book.q * price * bracket.maintenance_margin_rate - bracket.maintenance_amount)


def _slope(book: _Book, price: float) -> float:
    """Right derivative of :func:`_excess` (non-increasing in P: the excess is concave)."""
    slope = book.s * book.q
    for counted, beta in book.terms:
        if beta == 1:
            slope += counted / book.mark
        elif beta > 0:
            slope += counted * beta * (price / book.mark) ** (beta - 1) / book.mark
    # the bracket to the right of P: the notional just above it
    notional = book.q * price
    bracket = book.brackets.bracket_for(notional)
    if notional >= bracket.max_notional and bracket.number < len(book.brackets.brackets):
        bracket = book.brackets.brackets[bracket.number]
    return slope - book.q * bracket.maintenance_margin_rate


def multi_assets_excess(
    side: str,
    quantity: float,
    entry_price: float,
    mark_price: float,
    usdt_balance: float,
    collateral: Sequence[Collateral],
    brackets: BracketTable,
    price: float,
    *,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> float:
    """Margin balance less maintenance margin, ``MB(P) − MM(P)`` in USDT, at mark ``price``.

    Liquidation where it is at or below zero. Parameters as in
    :func:`multi_assets_liquidation_prices`, plus ``price`` (> 0), the mark to evaluate at.

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?".

    Examples
    --------
    1 BTC long at 20,000, no USDT, 0.02 BTC collateral (β 1, 5 % haircut), 2021 table (MMR 0.4 %
    below 50,000): at 19,000 the balance is ``0.02·19,000·0.95 − 1,000 = −639`` less 76 of
    maintenance, −715.

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> round(multi_assets_excess("long", 1, 20_000, 20_000, 0, [Collateral("BTC", 0.02, 20_000)],
    ...                           load_brackets("BTCUSDT", "2021-03-18"), 19_000), 6)
    -715.0
    """
    book = _book(
        side,
        quantity,
        entry_price,
        mark_price,
        usdt_balance,
        collateral,
        brackets,
        other_maintenance_margin,
        other_unrealized_pnl,
    )
    return _excess(book, _checks.positive("price", price))


def multi_assets_excess_curve(
    side: str,
    quantity: float,
    entry_price: float,
    mark_price: float,
    usdt_balance: float,
    collateral: Sequence[Collateral],
    brackets: BracketTable,
    prices: Sequence[float],
) -> tuple[float, ...]:
    """:func:`multi_assets_excess` at each mark of ``prices``, USDT (inputs checked once).

    Parameters
    ----------
    side, quantity, entry_price, mark_price, usdt_balance, collateral, brackets
        As in :func:`multi_assets_liquidation_prices`.
    prices : sequence of float
        Marks to evaluate at, USDT, each > 0.

    Returns
    -------
    tuple of float
        ``MB(P) − MM(P)`` at each price.

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?".

    Examples
    --------
    1 BTC long at 20,000 with 1,000 USDT, no coins, 2021 table (MMR 0.4 %): at 19,000
    ``1,000 − 1,000 − 76 = −76``; at 20,000 ``1,000 − 80 = 920``.

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> [round(x, 6) for x in multi_assets_excess_curve("long", 1, 20_000, 20_000, 1_000, [],
    ...     load_brackets("BTCUSDT", "2021-03-18"), [19_000, 20_000])]
    [-76.0, 920.0]
    """
    book = _book(
        side,
        quantity,
        entry_price,
        mark_price,
        usdt_balance,
        collateral,
        brackets,
        0.0,
        0.0,
    )
    return tuple(_excess(book, _checks.positive(f"prices[{i}]", p)) for i, p in enumerate(prices))


def _bisect(book: _Book, lo: float, hi: float, rising: bool) -> float:
    """The zero of the excess on ``[lo, hi]`` where it is monotone (rising or falling)."""
    for _ in range(2_000):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        below = _excess(book, mid) < 0
        if below == rising:
            lo = mid
        else:
            hi = mid
    return _polish(book, lo, hi)


def _polish(book: _Book, lo: float, hi: float) -> float:
    """Exact root when the excess is linear near it (every β is 0 or 1), else the midpoint."""
    guess = 0.5 * (lo + hi)
    if all(beta in (0.0, 1.0) for _, beta in book.terms):
        bracket = book.brackets.bracket_for(book.q * guess)
        constant = book.constant + bracket.maintenance_amount
        slope = book.s * book.q - book.q * bracket.maintenance_margin_rate
        for counted, beta in book.terms:
            if beta == 0:
                constant += counted
            else:
                slope += counted / book.mark
        if slope != 0:
            root = -constant / slope
            if root > 0 and book.brackets.bracket_for(book.q * root).number == bracket.number:
                return root
    return guess


def multi_assets_liquidation_prices(
    side: str,
    quantity: float,
    entry_price: float,
    mark_price: float,
    usdt_balance: float,
    collateral: Sequence[Collateral],
    brackets: BracketTable,
    *,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> tuple[float, ...]:
    """Every mark price at which a Multi-Assets cross account reaches liquidation, ascending.

    Solves ``MB(P) = MM(P)`` (module docstring) for P > 0, with each collateral coin's price
    following the mark (``pᵢ·(P/mark)^βᵢ``) and the bracket chosen by the notional at P. The
    excess ``MB − MM`` is concave, so there are at most two roots: none (never liquidated, or
    liquidated at every price), one (the usual case), or two (a short whose coin collateral
    outgrows its loss for a while: safe between the roots). With every β at 0 or 1 the excess
    is linear on each bracket's price range and each piece is solved exactly; otherwise the
    peak of the concave excess is found by bisection on its slope and each side's root by
    bisection to the last float.

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the cross position.
    quantity : float
        Size Q in base units, > 0.
    entry_price : float
        Entry price EP in USDT, > 0.
    mark_price : float
        Current mark in USDT, > 0: the price at which each collateral price is quoted.
    usdt_balance : float
        USDT wallet balance U; any finite number (it may be negative in Multi-Assets mode).
    collateral : sequence of Collateral
        The coin collateral (may be empty).
    brackets : BracketTable
        The symbol's Binance bracket table.
    other_maintenance_margin, other_unrealized_pnl : float, default 0.0
        TMM (>= 0) and UPNL of other cross positions, held fixed, USDT.

    Returns
    -------
    tuple of float
        The roots in USDT, ascending; prices above 1e30 are not searched.

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?"; Binance, "How to
    Calculate Liquidation Price of USDⓈ-M Futures Contracts".

    Examples
    --------
    1 BTC long at 20,000 backed by 0.02 BTC (β 1, counted 380 USDT at 20,000) and no USDT, 2021
    table: ``0.019·P + (P − 20,000) = 0.004·P`` gives ``P = 20,000 / 1.015 = 19,704.43``; the
    same 380 held in USDT gives ``19,620 / 0.996 = 19,698.80`` (the coin falls with the long):

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> [round(p, 2) for p in multi_assets_liquidation_prices(
    ...     "long", 1, 20_000, 20_000, 0, [Collateral("BTC", 0.02, 20_000)], table)]
    [19704.43]
    """
    book = _book(
        side,
        quantity,
        entry_price,
        mark_price,
        usdt_balance,
        collateral,
        brackets,
        other_maintenance_margin,
        other_unrealized_pnl,
    )
    return _roots(book)


def _linear_roots(book: _Book) -> tuple[float, ...]:
    """Every root when each β is 0 or 1: the excess is linear on each bracket's price range."""
    constant = book.constant
    slope = book.s * book.q
    for counted, beta in book.terms:
        if beta == 0:
            constant += counted
        else:
            slope += counted / book.mark
    roots: list[float] = []
    brackets = book.brackets.brackets
    last = len(brackets) - 1
    for index, bracket in enumerate(brackets):
        # prices whose notional Q·P is in (floor, cap] (the first range starts at 0, the last
        # one is unbounded: the exchange would refuse such a size, the maths stays defined)
        low = bracket.min_notional / book.q
        high = math.inf if index == last else bracket.max_notional / book.q
        a = slope - book.q * bracket.maintenance_margin_rate
        b = constant + bracket.maintenance_amount
        if a == 0:
            continue  # flat piece: no crossing (or the excess is zero all along it)
        root = -b / a
        # a root on an edge may round to either side of it: accept it with a little slack on
        # both pieces, then keep one of any pair closer than that slack
        if root > 0 and low * (1 - _EDGE) < root <= high * (1 + _EDGE):
            roots.append(root)
    roots.sort()
    kept = [r for i, r in enumerate(roots) if i == 0 or r - roots[i - 1] > 4 * _EDGE * r]
    return tuple(kept)


def _roots(book: _Book) -> tuple[float, ...]:
    if all(beta in (0.0, 1.0) for _, beta in book.terms):
        return _linear_roots(book)
    # 1. the peak of the concave excess: where its (non-increasing) slope changes sign
    start = book.mark
    if _slope(book, 0.0 if not _has_concave_term(book) else start * 1e-300) <= 0:
        peak = 0.0
    else:
        hi = start
        while _slope(book, hi) > 0 and hi < _MAX_PRICE:
            hi *= 2.0
        if _slope(book, hi) > 0:
            peak = _MAX_PRICE
        else:
            lo = 0.0
            for _ in range(2_000):
                mid = 0.5 * (lo + hi)
                if mid <= lo or mid >= hi:
                    break
                if _slope(book, mid) > 0:
                    lo = mid
                else:
                    hi = mid
            peak = hi
    top = _excess(book, peak) if peak > 0 else _excess(book, 0.0)
    if top < 0:
        return ()  # liquidated at every price: no crossing
    roots: list[float] = []
    # 2. rising side (0, peak]
    if peak > 0 and _excess(book, 0.0) < 0:
        roots.append(_bisect(book, 0.0, peak, rising=True))
    # 3. falling side [peak, ∞)
    if peak < _MAX_PRICE:
        lo = max(peak, start * 1e-12)
        hi = max(2.0 * lo, start)
        while _excess(book, hi) >= 0 and hi < _MAX_PRICE:
            lo, hi = hi, hi * 2.0
        if _excess(book, hi) < 0:
            roots.append(_bisect(book, lo, hi, rising=False))
    return tuple(r for r in roots if r > 0)


def _has_concave_term(book: _Book) -> bool:
    return any(0 < beta < 1 and counted > 0 for counted, beta in book.terms)


# --------------------------------------------------------------------------- stress
@dataclass(frozen=True)
class CollateralStress:
    """Outcome of a Multi-Assets stress test.

    Attributes
    ----------
    n_scenarios : int
        Number of scenarios.
    liquidated : int
        Scenarios in which the account is liquidated with the coin collateral.
    usdt_liquidated : int
        Scenarios in which it is liquidated with the collateral's counted value held in USDT
        instead (the same draws: a baseline).
    """

    n_scenarios: int
    liquidated: int
    usdt_liquidated: int

    @property
    def probability(self) -> float:
        """Share of scenarios liquidated with the coin collateral."""
        return self.liquidated / self.n_scenarios

    @property
    def usdt_probability(self) -> float:
        """Share liquidated with the same value in USDT."""
        return self.usdt_liquidated / self.n_scenarios


def multi_assets_stress(
    side: str,
    quantity: float,
    entry_price: float,
    mark_price: float,
    usdt_balance: float,
    collateral: Sequence[Collateral],
    brackets: BracketTable,
    correlation: float,
    volatility: float,
    n_scenarios: int = 10_000,
    seed: int = 0,
    *,
    collateral_volatility: float | None = None,
) -> CollateralStress:
    """Liquidation probability over seeded, correlated shocks of the mark and the collateral.

    Each scenario draws standard normals for the position's coin and every collateral coin with
    pairwise ``correlation`` (:func:`margin_widgets.engine.scenarios.correlated_normals`) and
    moves each price by ``exp(σ·z − σ²/2)``. The account is liquidated when ``MB <= MM`` at the
    shocked prices. The baseline holds each coin's counted value now in USDT instead.
    (The βs of ``collateral`` are not used here: the draws carry the co-movement.)

    Parameters
    ----------
    side, quantity, entry_price, mark_price, usdt_balance, collateral, brackets
        As in :func:`multi_assets_liquidation_prices`.
    correlation : float
        Pairwise correlation ρ of the log returns (1 for the position's own coin).
    volatility : float
        σ of the mark's log return over the horizon, >= 0.
    n_scenarios : int, default 10,000
        Number of scenarios, >= 1.
    seed : int, default 0
        Seed; the same seed gives the same scenarios.
    collateral_volatility : float, optional
        σ of the collateral coins' log returns (default: ``volatility``); 0 holds them fixed.

    Returns
    -------
    CollateralStress

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?".

    Examples
    --------
    A 10x BTC long backed only by BTC (ρ = 1) is liquidated more often than one backed by the
    same value in USDT:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> result = multi_assets_stress("long", 1, 20_000, 20_000, 0,
    ...     [Collateral("BTC", 0.1, 20_000)], load_brackets("BTCUSDT", "2021-03-18"),
    ...     correlation=1.0, volatility=0.08, n_scenarios=2_000, seed=1)
    >>> result.probability > result.usdt_probability
    True
    """
    book = _book(
        side, quantity, entry_price, mark_price, usdt_balance, collateral, brackets, 0.0, 0.0
    )
    sigma = _checks.non_negative("volatility", volatility)
    sigma_c = (
        sigma
        if collateral_volatility is None
        else _checks.non_negative("collateral_volatility", collateral_volatility)
    )
    k = len(book.terms)
    draws = correlated_normals(max(2, 1 + k), correlation, n_scenarios, seed)
    drift, drift_c = -0.5 * sigma * sigma, -0.5 * sigma_c * sigma_c
    exp = math.exp
    table = book.brackets
    fixed = book.constant + sum(counted for counted, _ in book.terms)
    liquidated = usdt_liquidated = 0
    for z in draws:
        price = book.mark * exp(sigma * z[0] + drift)
        bracket = table.bracket_for(book.q * price)
        mm = book.q * price * bracket.maintenance_margin_rate - bracket.maintenance_amount
        position = book.s * book.q * price
        coins = 0.0
        for i, (counted, _) in enumerate(book.terms):
            coins += counted * exp(sigma_c * z[1 + i] + drift_c)
        if book.constant + position + coins <= mm:
            liquidated += 1
        if fixed + position <= mm:
            usdt_liquidated += 1
    return CollateralStress(len(draws), liquidated, usdt_liquidated)


def multi_assets_stress_curve(
    side: str,
    quantity: float,
    entry_price: float,
    mark_price: float,
    usdt_balance: float,
    collateral: Sequence[Collateral],
    brackets: BracketTable,
    correlations: Sequence[float],
    volatility: float,
    n_scenarios: int = 10_000,
    seed: int = 0,
) -> tuple[CollateralStress, ...]:
    """:func:`multi_assets_stress` at each correlation of ``correlations``, the same draws.

    The same counts as one :func:`multi_assets_stress` call per correlation: with one coin the
    draws of a seed are ``(z₀, ρ·z₀ + √(1 − ρ²)·z₁)`` for every ρ, so the mark's price, its
    maintenance margin and the USDT baseline are worked out once and only the coin's price is
    redone per ρ. With several coins each correlation is its own call.

    Parameters
    ----------
    side, quantity, entry_price, mark_price, usdt_balance, collateral, brackets
        As in :func:`multi_assets_liquidation_prices`.
    correlations : sequence of float
        Pairwise correlations ρ, each in [-1, 1].
    volatility, n_scenarios, seed
        As in :func:`multi_assets_stress`.

    Returns
    -------
    tuple of CollateralStress
        One per correlation, in order.

    References
    ----------
    Binance, "What Is Multi-Assets Mode and Which Assets Are Supported?".

    Examples
    --------
    A BTC long backed only by its counted value in USDT does not care about ρ: the baseline is
    the same at every correlation; here 1 BTC long at 20,000 with 0.1 BTC of collateral (1,900
    counted) falls to its liquidation price ``(20,000 − 1,900)/(1 − 0.004) ≈ 18,172.7`` (a
    9.1 % fall) in no scenario at σ = 0:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> [r.usdt_liquidated for r in multi_assets_stress_curve("long", 1, 20_000, 20_000, 0,
    ...     [Collateral("BTC", 0.1, 20_000)], load_brackets("BTCUSDT", "2021-03-18"),
    ...     [-1.0, 0.0, 1.0], volatility=0.0, n_scenarios=100)]
    [0, 0, 0]
    """
    book = _book(
        side, quantity, entry_price, mark_price, usdt_balance, collateral, brackets, 0.0, 0.0
    )
    sigma = _checks.non_negative("volatility", volatility)
    rhos = [_checks.number(f"correlations[{i}]", r) for i, r in enumerate(correlations)]
    if len(book.terms) != 1:
        return tuple(
            multi_assets_stress(
                side,
                quantity,
                entry_price,
                mark_price,
                usdt_balance,
                collateral,
                brackets,
                rho,
                volatility,
                n_scenarios,
                seed,
            )
            for rho in rhos
        )
    # the independent pair (z0, z1) of the seed: at ρ = 0 the second draw is 0·z0 + 1·z1 = z1
    base = correlated_normals(2, 0.0, n_scenarios, seed)
    z0 = [z[0] for z in base]
    z1 = [z[1] for z in base]
    drift = -0.5 * sigma * sigma
    exp = math.exp
    table = book.brackets
    caps = [b.max_notional for b in table.brackets]
    last = len(caps) - 1
    q, s = book.q, book.s
    fixed = book.constant + sum(counted for counted, _ in book.terms)
    before: list[float] = []  # constant + position, as multi_assets_stress adds them
    requirement: list[float] = []
    usdt_liquidated = 0
    for z in z0:
        price = book.mark * exp(sigma * z + drift)
        notional_value = q * price
        if not notional_value >= 0:
            raise ValueError(f"notional_value must be a number >= 0, got {notional_value!r}")
        bracket = table.brackets[min(bisect_left(caps, notional_value), last)]
        mm = q * price * bracket.maintenance_margin_rate - bracket.maintenance_amount
        position = s * q * price
        before.append(book.constant + position)
        requirement.append(mm)
        if fixed + position <= mm:
            usdt_liquidated += 1
    counted = book.terms[0][0]
    out = []
    for rho in rhos:
        lower = cholesky(equicorrelation_matrix(2, rho))
        l10, l11 = lower[1][0], lower[1][1]
        second = map(add, map(mul, repeat(l10), z0), map(mul, repeat(l11), z1))
        coins = [counted * exp(sigma * z + drift) for z in second]
        liquidated = sum(map(le, map(add, before, coins), requirement))
        out.append(CollateralStress(len(base), liquidated, usdt_liquidated))
    return tuple(out)
