"""The curves the explorers draw and the lessons state, as plain tuples (standard library only).

Every point of every curve is what the engine's formulas give at that point
(:func:`~margin_widgets.engine.liquidation_price_in_brackets`,
:func:`~margin_widgets.engine.bankruptcy_price`, the bracket table's maintenance margin); the
loops here only evaluate them fast enough for a slider drag (a few hundred points in well
under a millisecond). A point with no positive price is None.

=========================  ======================================================  ==========
curve                      function                                                x axis
=========================  ======================================================  ==========
isolated liq. / bankr.     :func:`isolated_leverage_curve`                         leverage
cross liq. (flat)          :func:`cross_leverage_curve`                            leverage
lowest affordable lev.     :func:`minimum_leverage`, :func:`book_minimum_leverage`  --
isolated liq.              :func:`margin_curve`                                    margin
liq. (isolated, cross)     :func:`size_curve`                                      notional
brackets                   :func:`bracket_curve`                                   notional
margin ratio               :func:`margin_ratio_curve`, :func:`position_ratio_curve`  price
isolated liq. / bankr.     :func:`exchange_leverage_curve` (Bybit, OKX, Binance)    leverage
margin ratio (own orient.) :func:`exchange_ratio_curve` (Bybit, OKX, Binance)       price
cross boundary             :func:`cross_boundary`                                  move of A
spot margin level          :func:`spot_level_curve`                                price
=========================  ======================================================  ==========

>>> from margin_widgets.engine import load_brackets
>>> table = load_brackets("BTCUSDT", "2021-03-18")  # bracket 1: MMR 0.4 %, cum 0
>>> curve = isolated_leverage_curve("long", 1, 20_000, table, max_leverage=50)
>>> round(curve.liquidation[-1], 2)
19678.71
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from margin_widgets.engine import _checks
from margin_widgets.engine.account import Account
from margin_widgets.engine.brackets import BracketTable
from margin_widgets.engine.exchanges import (
    TierTable,
    get_exchange,
    isolated_liquidation_price,
    liquidation_price_in_tiers,
)
from margin_widgets.engine.formulas import liquidation_price_in_brackets, notional
from margin_widgets.engine.scenarios import Leg
from margin_widgets.engine.spot import margin_level

__all__ = [
    "BracketCurve",
    "LeverageCurve",
    "SizeCurve",
    "book_minimum_leverage",
    "bracket_curve",
    "correlation_grid",
    "cross_boundary",
    "cross_leverage_curve",
    "exchange_leverage_curve",
    "exchange_ratio_curve",
    "feasible_points",
    "isolated_leverage_curve",
    "isolated_margin_limits",
    "linear_grid",
    "log_grid",
    "margin_curve",
    "margin_ratio_curve",
    "minimum_leverage",
    "position_ratio_curve",
    "price_move",
    "price_moves",
    "size_curve",
    "spot_level_curve",
]

#: Tolerance of the exchange's "initial margin <= available balance" check, USDT (as the
#: account's ``open_position`` applies it).
_MARGIN_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- grids
def _points(points: object) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError(f"points must be a whole number >= 2, got {points!r}")
    return points


def linear_grid(low: float, high: float, points: int) -> list[float]:
    """``points`` evenly spaced values from ``low`` to ``high`` (both included).

    Examples
    --------
    >>> linear_grid(0, 1, 5)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    lo, hi, n = _checks.number("low", low), _checks.number("high", high), _points(points)
    if not hi >= lo:
        raise ValueError(f"high must be >= low ({lo!r}), got {high!r}")
    step = (hi - lo) / (n - 1)
    return [lo + step * k for k in range(n - 1)] + [hi]


def log_grid(low: float, high: float, points: int) -> list[float]:
    """``points`` values from ``low`` to ``high`` evenly spaced on a log scale (both > 0).

    Examples
    --------
    >>> [round(v, 6) for v in log_grid(100, 10_000, 3)]
    [100.0, 1000.0, 10000.0]
    """
    lo, hi = _checks.positive("low", low), _checks.positive("high", high)
    exponents = linear_grid(math.log10(lo), math.log10(hi), points)
    return [10.0**e for e in exponents]


def correlation_grid(n_assets: int, points: int = 21) -> list[float]:
    """Evenly spaced correlations from the lowest valid one, ``-1/(n-1)``, to 1.

    With ``n`` assets of equal pairwise correlation ρ the correlation matrix is valid only for
    ρ >= -1/(n-1).

    Examples
    --------
    >>> correlation_grid(2, 5)
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    >>> correlation_grid(3, 3)
    [-0.5, 0.25, 1.0]
    """
    if isinstance(n_assets, bool) or not isinstance(n_assets, int) or n_assets < 2:
        raise ValueError(f"n_assets must be a whole number >= 2, got {n_assets!r}")
    low = -1.0 / (n_assets - 1)
    n = _points(points)
    return [low + (1.0 - low) * k / (n - 1) for k in range(n)]


def price_move(entry_price: float, price: float | None) -> float | None:
    """Signed move from ``entry_price`` to ``price`` as a fraction (``price / entry − 1``).

    Examples
    --------
    A liquidation price of 57,000 for an entry of 60,000 is a move of −5 %:

    >>> round(price_move(60_000, 57_000), 12)
    -0.05
    >>> price_move(60_000, None) is None
    True
    """
    entry = _checks.positive("entry_price", entry_price)
    if price is None:
        return None
    return _checks.number("price", price) / entry - 1.0


def price_moves(entry_price: float, prices: Sequence[float | None]) -> tuple[float | None, ...]:
    """:func:`price_move` at each price of a curve (None stays None), the entry checked once.

    Examples
    --------
    Liquidation prices 57,000 and 54,000 and none, for an entry of 60,000: −5 %, −10 %, none:

    >>> [None if m is None else round(m, 12) for m in price_moves(60_000, [57_000, 54_000, None])]
    [-0.05, -0.1, None]
    """
    entry = _checks.positive("entry_price", entry_price)
    return tuple(None if p is None else _checks.number("prices[]", p) / entry - 1.0 for p in prices)


# --------------------------------------------------------------------------- fast solver
class _Table:
    """A bracket table as flat tuples, for the hot loops (bisect on the caps)."""

    __slots__ = ("caps", "cums", "last", "rates", "table")

    def __init__(self, table: BracketTable) -> None:
        self.table = table
        self.caps = tuple(b.max_notional for b in table.brackets)
        self.rates = tuple(b.maintenance_margin_rate for b in table.brackets)
        self.cums = tuple(b.maintenance_amount for b in table.brackets)
        self.last = len(self.caps) - 1

    def index(self, notional_value: float) -> int:
        i = bisect_left(self.caps, notional_value)
        return i if i < self.last else self.last


def _isolated_prices(
    s: int, q: float, ep: float, wallets: Sequence[float], fast: _Table, side: str
) -> tuple[float | None, ...]:
    """Bracketed liquidation price of an isolated position for each wallet (one bracket guess).

    The guess is the bracket of the notional at entry; a root outside it (or none) goes to
    :func:`liquidation_price_in_brackets`, which re-selects the bracket. The guessed root is the
    same expression the solver evaluates, so both paths give the same float.
    """
    caps, last, table = fast.caps, fast.last, fast.table
    start = fast.index(q * ep)
    rate, cum = fast.rates[start], fast.cums[start]
    denominator = q * rate - s * q
    base = s * q * ep
    low = caps[start - 1] if start else -math.inf
    high = caps[start] if start < last else math.inf
    inf = math.inf
    if denominator == 0:  # a subnormal quantity: let the solver decide
        roots = [-1.0] * len(wallets)
    else:
        roots = [(wb - base + cum) / denominator for wb in wallets]
    # None marks a root the guessed bracket cannot vouch for
    out: list[float | None] = [p if 0 < p < inf and low < q * p <= high else None for p in roots]
    for k, price in enumerate(out):
        if price is None and (roots[k] > 0 or start != 0):
            out[k] = liquidation_price_in_brackets(side, q, ep, wallets[k], table)[0]
    return tuple(out)


# --------------------------------------------------------------------------- leverage
@dataclass(frozen=True)
class LeverageCurve:
    """Isolated liquidation and bankruptcy prices against leverage.

    Attributes
    ----------
    leverages : tuple of int
        1, 2, ..., the bracket maximum for the notional.
    liquidation, bankruptcy : tuple of (float or None)
        Prices in USDT at each leverage (None: no positive price).
    """

    leverages: tuple[int, ...]
    liquidation: tuple[float | None, ...]
    bankruptcy: tuple[float | None, ...]


def isolated_leverage_curve(
    side: str,
    quantity: float,
    entry_price: float,
    brackets: BracketTable,
    *,
    max_leverage: int | None = None,
) -> LeverageCurve:
    """Isolated liquidation and bankruptcy price at every whole leverage.

    At leverage L the position's isolated wallet is its initial margin ``WB = Q·EP / L``; the
    liquidation price is :func:`~margin_widgets.engine.liquidation_price_in_brackets` with that
    wallet, the bankruptcy price ``EP − WB / (s·Q)``.

    Parameters
    ----------
    side : {"long", "short"}
        Direction.
    quantity : float
        Size Q in base units, > 0.
    entry_price : float
        Entry price EP in USDT, > 0.
    brackets : BracketTable
        The symbol's maintenance bracket table.
    max_leverage : int, optional
        Last leverage of the curve, >= 1 (default: the bracket maximum for the notional).

    Returns
    -------
    LeverageCurve

    Raises
    ------
    ValueError
        For a bad side, quantity, price or maximum leverage.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (one-way mode);
    Binance, "Leverage and Margin of USDⓈ-M Futures" (initial margin = notional / leverage).

    Examples
    --------
    1 BTC long at 20,000 (2021 table, bracket 1: MMR 0.4 %, cum 0). At 50x the wallet is 400:
    ``LP = (400 − 20,000) / (0.004 − 1) = 19,678.71``, ``BP = 20,000 − 400 = 19,600``:

    >>> from margin_widgets.engine import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> curve = isolated_leverage_curve("long", 1, 20_000, table, max_leverage=50)
    >>> curve.leverages[-1], round(curve.liquidation[-1], 2), curve.bankruptcy[-1]
    (50, 19678.71, 19600.0)
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    value = q * ep
    if max_leverage is None:
        top = int(brackets.bracket_for(value).max_leverage)
    elif isinstance(max_leverage, bool) or not isinstance(max_leverage, int) or max_leverage < 1:
        raise ValueError(f"max_leverage must be a whole number >= 1, got {max_leverage!r}")
    else:
        top = max_leverage
    leverages = tuple(range(1, top + 1))
    wallets = [value / lev for lev in leverages]
    liquidation = _isolated_prices(s, q, ep, wallets, _Table(brackets), side)
    bankruptcy = tuple(b if (b := ep - wb / (s * q)) > 0 else None for wb in wallets)
    return LeverageCurve(leverages, liquidation, bankruptcy)


def minimum_leverage(
    wallet_balance: float, notionals: Sequence[float], max_leverages: Sequence[float]
) -> int | None:
    """Lowest whole leverage at which the wallet can open every position of a book.

    Position i is opened at ``min(L, max_leverages[i])`` (its bracket's cap), so it needs the
    initial margin ``notionals[i] / min(L, max_leverages[i])``; the wallet must cover the sum
    (in isolated mode each margin leaves the wallet, in cross mode it must stay available).
    ``L`` runs from 1 to ``max_leverages[0]``, the cap of the first position.

    Parameters
    ----------
    wallet_balance : float
        The wallet before opening, USDT, >= 0.
    notionals : sequence of float
        Notional of each position, USDT, >= 0 (the first is the one whose leverage is chosen).
    max_leverages : sequence of float
        Maximum leverage of each position's bracket, >= 1, as many as ``notionals``.

    Returns
    -------
    int or None
        The lowest leverage, or None when even the first position's cap is not enough.

    Raises
    ------
    ValueError
        For negative amounts, caps below 1, or sequences of different lengths.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (initial margin = notional / leverage).

    Examples
    --------
    30,000 and 15,000 USDT of notional, caps 125x: a 5,000 USDT wallet needs
    ``45,000 / L <= 5,000``, so L >= 9; a 2,000 USDT wallet needs L >= 22.5, so 23:

    >>> minimum_leverage(5_000, [30_000, 15_000], [125, 125])
    9
    >>> minimum_leverage(2_000, [30_000, 15_000], [125, 125])
    23
    >>> minimum_leverage(100, [30_000], [125]) is None
    True
    """
    wallet = _checks.non_negative("wallet_balance", wallet_balance)
    values = [_checks.non_negative(f"notionals[{i}]", v) for i, v in enumerate(notionals)]
    caps = [_checks.number(f"max_leverages[{i}]", c) for i, c in enumerate(max_leverages)]
    if len(values) != len(caps) or not values:
        raise ValueError(
            f"notionals and max_leverages must be non-empty and of one length, got "
            f"{len(values)} and {len(caps)}"
        )
    for i, cap in enumerate(caps):
        if cap < 1:
            raise ValueError(f"max_leverages[{i}] must be >= 1, got {max_leverages[i]!r}")
    limit = wallet + _MARGIN_TOLERANCE

    def affordable(lev: int) -> bool:
        return sum(v / min(lev, c) for v, c in zip(values, caps, strict=True)) <= limit

    top = int(caps[0])
    if top < 1 or not affordable(top):
        return None
    if affordable(1):
        return 1
    # without caps the answer is ceil(total / wallet); try it (and its neighbour) first
    guess = min(max(math.ceil(sum(values) / limit), 2), top) if limit > 0 else top
    if affordable(guess) and not affordable(guess - 1):
        return guess
    low, high = 1, top
    while high - low > 1:  # affordable(high) and not affordable(low)
        middle = (low + high) // 2
        if affordable(middle):
            high = middle
        else:
            low = middle
    return high


def book_minimum_leverage(
    wallet_balance: float,
    quantity: float,
    entry_price: float,
    max_leverage: float,
    *,
    other_quantity: float = 0.0,
    other_entry_price: float = 3_000.0,
    other_brackets: BracketTable | None = None,
) -> int | None:
    """Lowest whole leverage at which the wallet can open a position and, if any, a second one.

    The feasibility rule of the example book: the position (``quantity`` at ``entry_price``,
    capped at ``max_leverage``) and the other position (``other_quantity`` at
    ``other_entry_price``, opened at the same leverage or its bracket's maximum if lower) need
    ``Σ notional / leverage`` of initial margin from the wallet (:func:`minimum_leverage`).

    Parameters
    ----------
    wallet_balance : float
        The wallet, USDT, >= 0.
    quantity : float
        Size of the position in base units, > 0.
    entry_price : float
        Its entry price, USDT, > 0.
    max_leverage : float
        Its maximum leverage (the bracket's or tier's cap for its notional), >= 1.
    other_quantity : float, default 0.0
        Size of the other position, base units, >= 0 (0: none).
    other_entry_price : float, default 3,000
        Its entry price, USDT, > 0.
    other_brackets : BracketTable, optional
        Its bracket table (its cap is the bracket maximum for its notional); required when
        ``other_quantity`` > 0.

    Returns
    -------
    int or None
        The leverage, or None when the wallet cannot open the book at any leverage.

    Raises
    ------
    ValueError
        Naming the parameter, the value and what is allowed.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (initial margin = notional / leverage,
    maximum leverage by notional bracket).

    Examples
    --------
    0.5 BTC at 60,000 (30,000) and 5 ETH at 3,000 (15,000) from 5,000 USDT: ``45,000 / L <=
    5,000`` gives L >= 9; the BTC position alone, ``30,000 / L <= 5,000``, L >= 6:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> book_minimum_leverage(5_000, 0.5, 60_000, 125, other_quantity=5,
    ...                       other_brackets=load_brackets("ETHUSDT"))
    9
    >>> book_minimum_leverage(5_000, 0.5, 60_000, 125)
    6
    """
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    other_q = _checks.non_negative("other_quantity", other_quantity)
    values = [notional(q, ep)]
    caps = [_checks.number("max_leverage", max_leverage)]
    if other_q > 0:
        if not isinstance(other_brackets, BracketTable):
            raise ValueError(
                "other_brackets must be a BracketTable when other_quantity > 0, got "
                f"{other_brackets!r}"
            )
        other = notional(other_q, _checks.positive("other_entry_price", other_entry_price))
        values.append(other)
        caps.append(other_brackets.max_leverage(other))
    return minimum_leverage(wallet_balance, values, caps)


def feasible_points(
    values: Sequence[float | None], leverages: Sequence[int], minimum: int | None
) -> tuple[float | None, ...]:
    """The points of a curve against leverage at which the wallet can open the trade.

    Below ``minimum`` (:func:`minimum_leverage`) the exchange refuses the order, so the curve
    has no point there; with no ``minimum`` (None) it has none at all.

    Parameters
    ----------
    values : sequence of (float or None)
        The curve, one value per leverage.
    leverages : sequence of int
        The x axis, as long as ``values``.
    minimum : int or None
        Lowest leverage the wallet can open.

    Returns
    -------
    tuple of (float or None)

    Examples
    --------
    >>> feasible_points([54_216.87, 57_228.92, 58_000.0], [10, 20, 30], 20)
    (None, 57228.92, 58000.0)
    """
    if len(values) != len(leverages):
        raise ValueError(
            f"values and leverages must be of one length, got {len(values)} and {len(leverages)}"
        )
    if minimum is None:
        return tuple(None for _ in values)
    return tuple(v if lev >= minimum else None for v, lev in zip(values, leverages, strict=True))


def cross_leverage_curve(
    liquidation_price: float | None, leverages: Sequence[int], minimum: int | None
) -> tuple[float | None, ...]:
    """The cross liquidation price against leverage: flat where the wallet can open the trade.

    In cross mode the leverage only sets the initial margin; the liquidation price depends on
    the cross wallet and the other cross positions (their maintenance margin and PnL), so every
    leverage from ``minimum`` up gives the same price. Below ``minimum`` the exchange refuses
    the trade and the curve has no point.

    Parameters
    ----------
    liquidation_price : float or None
        The cross liquidation price with the other positions, USDT (e.g.
        :meth:`Account.liquidation_price` of a cross account holding the book).
    leverages : sequence of int
        The x axis.
    minimum : int or None
        Lowest leverage the wallet can open (:func:`minimum_leverage`); None: none.

    Returns
    -------
    tuple of (float or None)

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (cross margin:
    the wallet, TMM and UPNL of the other positions).

    Examples
    --------
    >>> cross_leverage_curve(50_321.29, [1, 9, 10], 9)
    (None, 50321.29, 50321.29)
    """
    price = None if liquidation_price is None else _checks.positive("price", liquidation_price)
    if minimum is None:
        return tuple(None for _ in leverages)
    return tuple(price if lev >= minimum else None for lev in leverages)


# --------------------------------------------------------------------------- margin
def margin_curve(
    side: str,
    quantity: float,
    entry_price: float,
    margins: Sequence[float],
    brackets: BracketTable,
) -> tuple[float | None, ...]:
    """Isolated liquidation price against the margin the position holds.

    Each point is :func:`~margin_widgets.engine.liquidation_price_in_brackets` with the
    isolated wallet ``WB = margin``: adding margin moves the price away from the entry.

    Parameters
    ----------
    side, quantity, entry_price
        The position, as in :func:`isolated_leverage_curve`.
    margins : sequence of float
        Isolated wallets, USDT.
    brackets : BracketTable
        The symbol's maintenance bracket table.

    Returns
    -------
    tuple of (float or None)
        Liquidation prices in USDT.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (one-way mode).

    Examples
    --------
    1 BTC long at 20,000 (MMR 0.4 %): with 400 USDT ``LP = 19,600 / 0.996 = 19,678.71``,
    with 1,000 USDT ``LP = 19,000 / 0.996 = 19,076.31``:

    >>> from margin_widgets.engine import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> [round(p, 2) for p in margin_curve("long", 1, 20_000, [400, 1_000], table)]
    [19678.71, 19076.31]
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wallets = [_checks.number(f"margins[{i}]", m) for i, m in enumerate(margins)]
    return _isolated_prices(s, q, ep, wallets, _Table(brackets), side)


def isolated_margin_limits(account: Account, symbol: str) -> tuple[float, float]:
    """The isolated wallet of ``symbol`` after removing all it may, and after adding all it may.

    Removal is limited by :meth:`Account.max_removable_margin` (the initial-margin requirement
    at the mark, and no unrealised profit taken out), addition by the available balance.

    Parameters
    ----------
    account : Account
        An account with an open isolated position on ``symbol``.
    symbol : str
        The position.

    Returns
    -------
    (float, float)
        Lowest and highest isolated wallet, USDT.

    Raises
    ------
    MarginError
        When ``symbol`` has no open isolated position.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (initial margin = notional / leverage).

    Examples
    --------
    0.5 BTC at 60,000, 20x from 3,000 USDT: the position holds 1,500 (its whole initial
    margin, nothing removable) and 1,500 more are available:

    >>> account = Account(wallet_balance=3_000)
    >>> account.set_margin_mode("isolated", "BTCUSDT")
    >>> account.open_position("BTCUSDT", "long", 0.5, price=60_000, leverage=20)
    []
    >>> isolated_margin_limits(account, "BTCUSDT")
    (1500.0, 3000.0)
    """
    wallet = account.position(symbol).isolated_wallet
    removable = account.max_removable_margin(symbol)
    return wallet - removable, wallet + account.available_balance()


# --------------------------------------------------------------------------- size
@dataclass(frozen=True)
class SizeCurve:
    """Liquidation prices against position size, isolated and cross.

    Attributes
    ----------
    notionals : tuple of float
        Position sizes, USDT.
    isolated : tuple of (float or None)
        Isolated at the leverage (wallet = notional / leverage); None above the notional the
        leverage allows.
    cross : tuple of (float or None)
        Cross with the wallet; None above the notional the leverage allows, or where the wallet
        cannot cover the initial margin.
    """

    notionals: tuple[float, ...]
    isolated: tuple[float | None, ...]
    cross: tuple[float | None, ...]


def size_curve(
    side: str,
    entry_price: float,
    notionals: Sequence[float],
    brackets: BracketTable,
    leverage: float,
    wallet_balance: float,
) -> SizeCurve:
    """Liquidation price against the position's notional, isolated and cross.

    A position of notional N at entry EP has ``Q = N / EP``. Isolated at leverage L its wallet is
    ``N / L``; cross it is backed by the whole ``wallet_balance``. Both prices come from
    :func:`~margin_widgets.engine.liquidation_price_in_brackets`, so the bracket of the notional
    at the liquidation price applies (the curves bend at the bracket edges). Sizes above
    ``max_notional_for_leverage(L)`` cannot be opened at L and have no point; in cross mode the
    wallet must also cover the initial margin ``N / L``.

    Parameters
    ----------
    side : {"long", "short"}
        Direction.
    entry_price : float
        Entry price, USDT, > 0.
    notionals : sequence of float
        Position sizes, USDT, > 0.
    brackets : BracketTable
        The symbol's maintenance bracket table.
    leverage : float
        Leverage, >= 1.
    wallet_balance : float
        The cross wallet, USDT, >= 0.

    Returns
    -------
    SizeCurve

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (maximum leverage by notional bracket).

    Examples
    --------
    1 BTC long at 20,000 (notional 20,000, 2021 table bracket 1: MMR 0.4 %) at 50x with a
    1,000 USDT wallet: isolated ``(400 − 20,000) / (0.004 − 1) = 19,678.71``, cross
    ``(1,000 − 20,000) / (0.004 − 1) = 19,076.31``:

    >>> from margin_widgets.engine import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> curve = size_curve("long", 20_000, [20_000], table, 50, 1_000)
    >>> round(curve.isolated[0], 2), round(curve.cross[0], 2)
    (19678.71, 19076.31)
    """
    s = _checks.side_sign(side)
    ep = _checks.positive("entry_price", entry_price)
    lev = _checks.number("leverage", leverage)
    if lev < 1:
        raise ValueError(f"leverage must be >= 1, got {leverage!r}")
    wallet = _checks.non_negative("wallet_balance", wallet_balance)
    values = tuple(notionals)
    if not (set(map(type, values)) == {float} and min(values) > 0 and math.isfinite(sum(values))):
        values = tuple(_checks.positive(f"notionals[{i}]", n) for i, n in enumerate(values))
    cap = brackets.max_notional_for_leverage(lev)
    fast = _Table(brackets)
    caps, rates, cums, last = fast.caps, fast.rates, fast.cums, fast.last
    plain = _PLAIN_LOW < ep < _PLAIN_HIGH and wallet < _PLAIN_HIGH
    inf = math.inf
    isolated: list[float | None] = []
    cross: list[float | None] = []
    for value in values:
        if value > cap:
            isolated.append(None)
            cross.append(None)
            continue
        q = value / ep
        wb = value / lev
        affordable = wb <= wallet
        # the bracketed solver's first step, inline: the bracket of Q·EP and its root, kept
        # when the notional at the root lies in that bracket (the solver would stop there)
        iso = cr = None
        solved = False
        if plain and _PLAIN_LOW < q < _PLAIN_HIGH:
            k = bisect_left(caps, q * ep)
            if k > last:
                k = last
            denominator = q * rates[k] - s * q
            if denominator != 0:
                solved = True
                base, cum = s * q * ep, cums[k]
                low = caps[k - 1] if k else -inf
                high = caps[k] if k < last else inf
                iso = (wb - base + cum) / denominator
                if iso <= 0 and not k:  # no positive root in the first bracket: none at all
                    iso = None
                elif not (0 < iso < inf and low < q * iso <= high):
                    iso = _solve_one(s, q, ep, wb, fast)
                if affordable:
                    cr = (wallet - base + cum) / denominator
                    if cr <= 0 and not k:
                        cr = None
                    elif not (0 < cr < inf and low < q * cr <= high):
                        cr = _solve_one(s, q, ep, wallet, fast)
        if not solved:
            iso = _solve_one(s, q, ep, wb, fast)
            cr = _solve_one(s, q, ep, wallet, fast) if affordable else None
        isolated.append(iso)
        cross.append(cr)
    return SizeCurve(values, tuple(isolated), tuple(cross))


#: Inside these bounds (size, price, wallet) the bracketed solver takes its float formula (its
#: own bounds are 2**-500 and 2**500): its first step may then be taken inline.
_PLAIN_LOW, _PLAIN_HIGH = 1e-100, 1e100


def _solve_one(s: int, q: float, ep: float, wb: float, fast: _Table) -> float | None:
    """:func:`liquidation_price_in_brackets` of one position (its liquidation price)."""
    return liquidation_price_in_brackets("long" if s > 0 else "short", q, ep, wb, fast.table)[0]


@dataclass(frozen=True)
class BracketCurve:
    """A bracket table read along a notional axis.

    Attributes
    ----------
    notionals : tuple of float
        Position sizes, USDT.
    maintenance_rate : tuple of float
        Maintenance margin / notional (a fraction): below the bracket's MMR by ``cum / N``.
    bracket_rate : tuple of float
        The MMR of the bracket of each notional (a step function).
    max_leverage : tuple of float
        The maximum leverage of that bracket (a falling step function).
    edges : tuple of float
        The bracket caps inside the axis (where the steps are).
    """

    notionals: tuple[float, ...]
    maintenance_rate: tuple[float, ...]
    bracket_rate: tuple[float, ...]
    max_leverage: tuple[float, ...]
    edges: tuple[float, ...]


def bracket_curve(brackets: BracketTable, notionals: Sequence[float]) -> BracketCurve:
    """Maintenance margin rate, bracket MMR and maximum leverage at each notional.

    Parameters
    ----------
    brackets : BracketTable
        The symbol's bracket table.
    notionals : sequence of float
        Position sizes, USDT, > 0, ascending.

    Returns
    -------
    BracketCurve

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (maintenance margin = notional × MMR −
    maintenance amount).

    Examples
    --------
    2021 BTCUSDT table, 500,000 USDT (bracket 3: MMR 1 %, cum 1,300, 50x):
    ``(500,000 × 0.01 − 1,300) / 500,000 = 0.0074``:

    >>> from margin_widgets.engine import load_brackets
    >>> curve = bracket_curve(load_brackets("BTCUSDT", "2021-03-18"), [500_000])
    >>> round(curve.maintenance_rate[0], 6), curve.bracket_rate[0], curve.max_leverage[0]
    (0.0074, 0.01, 50.0)
    """
    values = tuple(_checks.positive(f"notionals[{i}]", n) for i, n in enumerate(notionals))
    chosen = [brackets.bracket_for(v) for v in values]
    rates = tuple(b.maintenance_margin(v) / v for b, v in zip(chosen, values, strict=True))
    edges = tuple(
        b.max_notional
        for b in brackets.brackets[:-1]
        if values and values[0] <= b.max_notional <= values[-1]
    )
    return BracketCurve(
        values,
        rates,
        tuple(b.maintenance_margin_rate for b in chosen),
        tuple(b.max_leverage for b in chosen),
        edges,
    )


# --------------------------------------------------------------------------- margin ratio
def margin_ratio_curve(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
    prices: Sequence[float],
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> tuple[float, ...]:
    """Margin ratio of a position's margin against its mark price (1.0 = liquidation).

    ``ratio(P) = (TMM + MM(Q·P)) / (WB + UPNL + s·Q·(P − EP))`` with the maintenance margin of
    the bracket of ``Q·P``; ``inf`` where the margin balance is at or below zero. In isolated
    mode pass the position's wallet and zeros for the ``other_*`` terms; in cross mode the
    cross wallet and the other cross positions at their marks.

    Parameters
    ----------
    side, quantity, entry_price, wallet_balance, other_maintenance_margin, other_unrealized_pnl
        As in :func:`~margin_widgets.engine.liquidation_price`.
    brackets : BracketTable
        The symbol's maintenance bracket table.
    prices : sequence of float
        Mark prices, USDT, > 0.

    Returns
    -------
    tuple of float
        Margin ratios (fractions).

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (the margin ratio
    reaches 100 % at the liquidation price).

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT (MMR 0.4 %): at 19,500 the ratio is
    ``19,500 × 0.004 / (400 − 500)`` -> the balance is negative, ``inf``; at 19,800
    ``79.2 / 200 = 0.396``:

    >>> from margin_widgets.engine import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> margin_ratio_curve("long", 1, 20_000, 400, table, [19_500, 19_800])
    (inf, 0.396)
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.number("wallet_balance", wallet_balance)
    tmm = _checks.non_negative("other_maintenance_margin", other_maintenance_margin)
    upnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    return _ratios(s, q, ep, wb + upnl, tmm, _Table(brackets), _checked_prices(prices))


def _checked_prices(prices: Sequence[float]) -> list[float]:
    """``prices`` as a list, each checked > 0 and finite (C-level passes when all are)."""
    values = list(prices)
    try:
        ok = bool(values) and min(values) > 0 and math.isfinite(math.fsum(values))
    except TypeError:
        ok = False
    if ok:
        return values
    return [_checks.positive(f"prices[{i}]", p) for i, p in enumerate(values)]


def _ratios(
    s: int, q: float, ep: float, backing: float, tmm: float, fast: _Table, prices: list[float]
) -> tuple[float, ...]:
    """The margin-ratio loop on checked values, grouped by bracket for speed."""
    caps, rates, cums, last = fast.caps, fast.rates, fast.cums, fast.last
    inf = math.inf
    sq = s * q
    out: list[float] = []
    n = len(prices)
    ascending = prices == sorted(prices)
    k = 0
    while k < n:
        i = bisect_left(caps, q * prices[k])
        i = i if i < last else last
        rate, cum = rates[i], cums[i]
        # the run of prices in the same bracket (an ascending grid has one run per bracket)
        low = caps[i - 1] if i else -inf
        high = caps[i] if i < last else inf
        if ascending:
            end = bisect_right(prices, high / q, k + 1) if high < inf else n
            while end < n and q * prices[end] <= high:
                end += 1
            while end > k + 1 and q * prices[end - 1] > high:
                end -= 1
        else:
            end = k + 1
            while end < n and low < q * prices[end] <= high:
                end += 1
        # (Q·P·MMR − cum + TMM) / (WB + UPNL + s·Q·(P − EP)); the balance (and so which prices
        # are past bankruptcy) exactly as the account computes it
        a, b = tmm - cum, q * rate
        out += [
            (a + b * p) / balance if (balance := backing + sq * (p - ep)) > 0 else inf
            for p in prices[k:end]
        ]
        k = end
    return tuple(out)


def position_ratio_curve(
    account: Account, symbol: str, prices: Sequence[float]
) -> tuple[float, ...]:
    """:func:`margin_ratio_curve` of an account's position, the other positions as they are.

    Isolated: the position's own wallet. Cross: the cross wallet with every other cross
    position's maintenance margin and unrealised PnL at its mark. Same values as
    :meth:`Account.margin_ratio_curve`, computed faster.

    Parameters
    ----------
    account : Account
        The account.
    symbol : str
        Symbol of an open position.
    prices : sequence of float
        Mark prices of ``symbol``, USDT, > 0.

    Returns
    -------
    tuple of float

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

    Examples
    --------
    1 BTC long at 20,000, 50x from a 1,000 USDT cross wallet: at 19,500 the ratio is
    ``19,500 × 0.004 / (1,000 − 500) = 0.156`` (newest table, bracket 1: MMR 0.4 %):

    >>> account = Account(wallet_balance=1_000)
    >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
    []
    >>> [round(r, 4) for r in position_ratio_curve(account, "BTCUSDT", [19_500])]
    [0.156]
    """
    p = account.position(symbol)
    if p.margin_mode == "isolated":
        backing, tmm = p.isolated_wallet, 0.0
    else:
        tmm, upnl = 0.0, 0.0
        for other in account.positions.values():
            if other.symbol != symbol and other.margin_mode == "cross":
                mark = account.mark_price(other.symbol)
                tmm += account.table(other.symbol).maintenance_margin(other.quantity * mark)
                upnl += other.unrealized_pnl(mark)
        backing = account.wallet_balance + upnl
    checked = _checked_prices(prices)
    return _ratios(
        p.sign, p.quantity, p.entry_price, backing, tmm, _Table(account.table(symbol)), checked
    )


# --------------------------------------------------------------------------- correlation
def cross_boundary(
    legs: Sequence[Leg], moves: Sequence[float], brackets: BracketTable
) -> tuple[float | None, ...]:
    """Move of leg B at which a cross account holding ``legs`` is liquidated, per move of leg A.

    The cross wallet holds every leg's collateral. For each move m of A (its mark at
    ``EP_A·(1 + m)``), leg A (and any leg after B, unchanged) are the other cross positions:
    their maintenance margin and unrealised PnL enter
    :func:`~margin_widgets.engine.liquidation_price_in_brackets` for leg B, and the boundary is
    B's liquidation price as a move from its entry. None where A's mark is not positive or B
    has no liquidation price.

    Parameters
    ----------
    legs : sequence of Leg
        At least two legs; A is ``legs[0]``, B is ``legs[1]``.
    moves : sequence of float
        Moves of A as fractions.
    brackets : BracketTable
        The bracket table every leg uses.

    Returns
    -------
    tuple of (float or None)
        Moves of B as fractions.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (cross margin).

    Examples
    --------
    Two longs of 100 units at 100 USDT with 1,000 each (2021 table, MMR 0.4 % at these sizes):
    with A unchanged, B is liquidated where ``2,000 − 40 + 100·(P − 100) = 0.4·P``, i.e.
    ``P = 8,040 / 99.6 = 80.72``, a move of −19.28 %:

    >>> from margin_widgets.engine.scenarios import equal_legs
    >>> from margin_widgets.engine import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> [round(m, 4) for m in cross_boundary(equal_legs(2, 10, 1_000), [0.0], table)]
    [-0.1928]
    """
    if len(legs) < 2:
        raise ValueError(f"legs must hold at least 2 legs, got {len(legs)}")
    a, b = legs[0], legs[1]
    wallet = sum(leg.collateral for leg in legs)
    rest_mm = sum(brackets.maintenance_margin(leg.quantity * leg.entry_price) for leg in legs[2:])
    sa = _checks.side_sign(a.side)
    out: list[float | None] = []
    for i, move in enumerate(moves):
        price_a = a.entry_price * (1.0 + _checks.number(f"moves[{i}]", move))
        if price_a <= 0:
            out.append(None)
            continue
        other_mm = brackets.maintenance_margin(a.quantity * price_a) + rest_mm
        other_pnl = sa * a.quantity * (price_a - a.entry_price)
        price_b, _ = liquidation_price_in_brackets(
            b.side, b.quantity, b.entry_price, wallet, brackets, other_mm, other_pnl
        )
        out.append(None if price_b is None else price_b / b.entry_price - 1.0)
    return tuple(out)


def spot_level_curve(
    side: str,
    base_quantity: float,
    quote_balance: float,
    prices: Sequence[float],
    *,
    debt: float = 0.0,
    interest: float = 0.0,
) -> tuple[float, ...]:
    """Spot margin level at each base-asset price (``inf`` where nothing is owed).

    A long holds ``q`` base and ``c`` quote and owes ``debt`` quote plus ``interest`` quote:
    level ``(q·P + c) / (debt + interest)``. A short holds ``c`` quote and owes ``q`` base plus
    ``interest`` base: level ``c / ((q + interest)·P)``; ``debt`` must be 0 for a short. Each
    point is :func:`~margin_widgets.engine.margin_level`; the inverse is
    :func:`~margin_widgets.engine.long_liquidation_price` /
    :func:`~margin_widgets.engine.short_liquidation_price`.

    Parameters
    ----------
    side : {"long", "short"}
        Long: borrowed quote to hold base. Short: borrowed base, sold for quote.
    base_quantity : float
        Long: base held; short: base owed (coins), >= 0.
    quote_balance : float
        Quote held (USDT), >= 0.
    prices : sequence of float
        Base-asset prices (USDT), each > 0.
    debt : float, default 0.0
        Quote owed by a long (USDT), >= 0.
    interest : float, default 0.0
        Unpaid interest, >= 0: USDT for a long, base coins for a short.

    Returns
    -------
    tuple of float
        The margin level at each price (dimensionless).

    References
    ----------
    Binance, "Margin Level" and "Liquidation" (Margin Trading FAQ).

    Examples
    --------
    A long of 1 BTC owing 15,000 USDT: ``16,500 / 15,000 = 1.1``, ``30,000 / 15,000 = 2``.
    A short holding 33,000 USDT owing 1 BTC: ``33,000 / 30,000 = 1.1``.

    >>> spot_level_curve("long", 1, 0, [16_500, 30_000], debt=15_000)
    (1.1, 2.0)
    >>> spot_level_curve("short", 1, 33_000, [30_000])
    (1.1,)
    """
    long = _checks.side_sign(side) > 0
    if not long and debt != 0:
        raise ValueError(f"debt must be 0 for a short (it owes base coins), got {debt!r}")
    q = _checks.non_negative("base_quantity", base_quantity)
    c = _checks.non_negative("quote_balance", quote_balance)
    owed = _checks.non_negative("debt", debt)
    i = _checks.non_negative("interest", interest)
    points = [_checks.positive("prices[]", p) for p in prices]
    if points and not math.isfinite((q + i) * max(points) + c):
        # a holding or a debt beyond the float range: margin_level refuses that point
        if long:
            return tuple(margin_level(notional(q, p) + c, owed, i) for p in points)
        return tuple(margin_level(c, notional(q, p), notional(i, p)) for p in points)
    # margin_level(notional + c, debt, interest) and margin_level(c, q·P, i·P) per point, the
    # same operations in the same order, with the inputs checked once
    if long:
        owed += i
        if not owed > 0:
            return tuple(math.inf for _ in points)
        return tuple((q * p + c) / owed for p in points)
    return tuple(c / d if (d := q * p + i * p) > 0 else math.inf for p in points)


# --------------------------------------------------------------------------- exchanges
def _maintenance_source(
    maintenance_margin_rate: float | None, table: TierTable | None
) -> tuple[float, TierTable | None]:
    """Exactly one of a single rate (no deduction) and a tier table; the rate checked."""
    if (maintenance_margin_rate is None) == (table is None):
        raise ValueError(
            "give exactly one of maintenance_margin_rate and table, got "
            f"maintenance_margin_rate={maintenance_margin_rate!r}, table={table!r}"
        )
    if table is not None:
        if not isinstance(table, TierTable):
            raise ValueError(f"table must be a TierTable, got {type(table).__name__}")
        return 0.0, table
    return _checks.rate("maintenance_margin_rate", maintenance_margin_rate), None


def exchange_leverage_curve(
    exchange: str,
    side: str,
    quantity: float,
    entry_price: float,
    *,
    table: TierTable | None = None,
    maintenance_margin_rate: float | None = None,
    max_leverage: int | None = None,
    fee_rate: float = 0.0,
) -> LeverageCurve:
    """Isolated liquidation and bankruptcy price at every whole leverage, in one exchange's rules.

    At leverage L the position's margin is ``M = Q·EP / L``. With a tier ``table`` the
    liquidation price is :func:`~margin_widgets.engine.exchanges.liquidation_price_in_tiers`
    (the tier the exchange applies: fixed at entry on Bybit and OKX, re-selected at the price on
    Binance); with one ``maintenance_margin_rate`` (no deduction) it is
    :func:`~margin_widgets.engine.exchanges.isolated_liquidation_price`. The bankruptcy price is
    the convention's, where ``M`` is exactly lost.

    Parameters
    ----------
    exchange : {"binance", "bybit", "okx"}
        The convention.
    side : {"long", "short"}
        Direction.
    quantity : float
        Size Q in base units, > 0.
    entry_price : float
        Entry price EP in USDT, > 0.
    table : TierTable, optional
        The symbol's tier table on that exchange.
    maintenance_margin_rate : float, optional
        One maintenance margin rate in [0, 1) instead of a table (give exactly one of the two).
    max_leverage : int, optional
        Last leverage of the curve, >= 1 (default: the maximum of the entry tier of ``table``;
        required with ``maintenance_margin_rate``).
    fee_rate : float, default 0.0
        Liquidation fee rate in [0, 1) where the convention has one (OKX).

    Returns
    -------
    LeverageCurve
        Prices in USDT at leverage 1, 2, ..., ``max_leverage`` (None: no positive price).

    Raises
    ------
    ValueError
        Naming the parameter, the value and what is allowed.

    References
    ----------
    Bybit, "Liquidation Price (USDT Contract)" and "What is Bankruptcy Price? (USDT Contract)";
    OKX, "Tiered maintenance margin ratio rules"; Binance, "How to Calculate Liquidation Price
    of USDⓈ-M Futures Contracts".

    Examples
    --------
    Bybit's documented example, 1 BTC long at 20,000 at 50x (MMR 0.5 %): ``M = 400``,
    ``MM = 20,000 × 0.005 = 100``, ``LP = 20,000 − (400 − 100) = 19,700``,
    ``BP = 20,000 − 400 = 19,600``:

    >>> curve = exchange_leverage_curve(
    ...     "bybit", "long", 1, 20_000, maintenance_margin_rate=0.005, max_leverage=50)
    >>> curve.leverages[-1], curve.liquidation[-1], curve.bankruptcy[-1]
    (50, 19700.0, 19600.0)
    """
    convention = get_exchange(exchange)
    _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    fee = _checks.rate("fee_rate", fee_rate)
    rate, tiers = _maintenance_source(maintenance_margin_rate, table)
    if max_leverage is None:
        if tiers is None:
            raise ValueError("max_leverage must be given with maintenance_margin_rate, got None")
        top = int(tiers.tier_for(q, ep).max_leverage)
    elif isinstance(max_leverage, bool) or not isinstance(max_leverage, int) or max_leverage < 1:
        raise ValueError(f"max_leverage must be a whole number >= 1, got {max_leverage!r}")
    else:
        top = max_leverage
    leverages = tuple(range(1, max(top, 1) + 1))
    value = q * ep
    one_pass = _leverage_curve_one_pass(
        convention, exchange, side, q, ep, leverages, rate, tiers, fee
    )
    if one_pass is not None:
        return one_pass
    liquidation: list[float | None] = []
    bankruptcy: list[float | None] = []
    for lev in leverages:
        margin = value / lev
        if tiers is None:
            price = isolated_liquidation_price(exchange, side, q, ep, lev, rate, 0.0, 0.0, fee)
        else:
            price = liquidation_price_in_tiers(exchange, side, q, ep, margin, tiers, fee)[0]
        liquidation.append(price)
        bankruptcy.append(convention.bankruptcy_price(side, q, ep, margin))
    return LeverageCurve(leverages, tuple(liquidation), tuple(bankruptcy))


def _leverage_curve_one_pass(
    convention: object,
    exchange: str,
    side: str,
    q: float,
    ep: float,
    leverages: tuple[int, ...],
    rate: float,
    tiers: TierTable | None,
    fee: float,
) -> LeverageCurve | None:
    """:func:`exchange_leverage_curve` in one pass of the convention's unchecked solvers.

    The general loop calls, at each leverage, the checked solver whose fast path is the
    convention's ``solve_unchecked`` on the margin ``Q·EP / L`` (with a tier table: the entry
    tier, or the tier re-selected at the root); here the same margins go through
    ``liquidation_prices_unchecked`` in one call, and a re-selected tier is trusted only where
    the root lies in the entry tier (anywhere else that point is solved by the general call).
    None when the convention has no one-pass solvers or an input is beyond the float range (the
    general loop then answers, or raises).
    """
    solve = getattr(convention, "liquidation_prices_unchecked", None)
    bankrupt = getattr(convention, "bankruptcy_prices_unchecked", None)
    if solve is None or bankrupt is None or not leverages:
        return None
    value = q * ep
    # the checked calls' own fast paths hold at every leverage (a sum of positives is monotone)
    if not (math.isfinite(value) and math.isfinite(q + ep + leverages[-1] + rate + fee)):
        return None
    s = _checks.side_sign(side)
    margins = [value / lev for lev in leverages]
    if tiers is None:
        liquidation: list[float | None] = solve(side, s, q, ep, margins, rate, 0.0, fee)
    else:
        tier = tiers.tier_for(q, ep)
        liquidation = solve(
            side, s, q, ep, margins, tier.maintenance_margin_rate, tier.maintenance_amount, fee
        )
        if getattr(convention, "tier_price", "entry") != "entry":
            found = [p for p in liquidation if p is not None]
            at = iter(tiers.tiers_at(q, found))
            for k, price in enumerate(liquidation):
                number = next(at).number if price is not None else 1
                if number != tier.number:  # the root is in another tier: the general solver
                    liquidation[k] = liquidation_price_in_tiers(
                        exchange, side, q, ep, margins[k], tiers, fee
                    )[0]
    bankruptcy: list[float | None] = bankrupt(s, q, ep, margins)
    return LeverageCurve(leverages, tuple(liquidation), tuple(bankruptcy))


def exchange_ratio_curve(
    exchange: str,
    side: str,
    quantity: float,
    entry_price: float,
    margin: float,
    prices: Sequence[float],
    *,
    table: TierTable | None = None,
    maintenance_margin_rate: float | None = None,
    fee_rate: float = 0.0,
) -> tuple[float, ...]:
    """An isolated position's margin ratio against the mark, in the exchange's own orientation.

    At mark P the margin balance is ``MB = M + s·Q·(P − EP)``; the requirement is the
    convention's ``maintenance_margin`` with the tier the exchange applies (of the entry value
    on Bybit, of the size on OKX, of the notional ``Q·P`` on Binance) or one rate; the ratio is
    the convention's ``margin_ratio``: ``MM / MB`` on Binance and Bybit (liquidation at 1 and
    above, ``inf`` at a balance <= 0), ``MB / (MM + fee)`` on OKX (liquidation at 1 and below).

    Parameters
    ----------
    exchange : {"binance", "bybit", "okx"}
        The convention.
    side : {"long", "short"}
        Direction.
    quantity : float
        Size Q in base units, > 0.
    entry_price : float
        Entry price EP in USDT, > 0.
    margin : float
        The position's margin M in USDT, >= 0.
    prices : sequence of float
        Mark prices, USDT, each > 0.
    table : TierTable, optional
        The symbol's tier table on that exchange.
    maintenance_margin_rate : float, optional
        One maintenance margin rate in [0, 1), no deduction (give exactly one of the two).
    fee_rate : float, default 0.0
        Liquidation fee rate in [0, 1) where the convention has one (OKX).

    Returns
    -------
    tuple of float
        The ratio at each price (a fraction; 1.0 = liquidation).

    Raises
    ------
    ValueError
        Naming the parameter, the value and what is allowed.

    References
    ----------
    Bybit, "Liquidation Price (USDT Contract)"; OKX, "Tiered maintenance margin ratio rules";
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT and MMR 0.5 %. Bybit values the requirement at entry,
    ``20,000 × 0.005 = 100``: at 19,800 ``100 / 200 = 0.5``, at 19,700 ``100 / 100 = 1``.
    Binance at the mark, ``19,800 × 0.005 = 99``: ``99 / 200 = 0.495``.

    >>> exchange_ratio_curve("bybit", "long", 1, 20_000, 400, [19_800, 19_700],
    ...                      maintenance_margin_rate=0.005)
    (0.5, 1.0)
    >>> exchange_ratio_curve("binance", "long", 1, 20_000, 400, [19_800],
    ...                      maintenance_margin_rate=0.005)
    (0.495,)
    """
    convention = get_exchange(exchange)
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    m = _checks.non_negative("margin", margin)
    fee = _checks.rate("fee_rate", fee_rate)
    rate, tiers = _maintenance_source(maintenance_margin_rate, table)
    checked = _checked_prices(prices)
    amount = 0.0
    fixed = tiers is None or convention.tier_price == "entry"
    if tiers is not None and fixed:
        tier = tiers.tier_for(q, ep)
        rate, amount = tier.maintenance_margin_rate, tier.maintenance_amount
    one_pass = getattr(convention, "margin_ratios_unchecked", None)
    if one_pass is not None:
        marks = (
            checked
            if set(map(type, checked)) == {float}
            else [_checks.positive(f"prices[{i}]", p) for i, p in enumerate(checked)]
        )
        if tiers is not None and not fixed:
            chosen = tiers.tiers_at(q, marks)
            rates = [t.maintenance_margin_rate for t in chosen]
            amounts = [t.maintenance_amount for t in chosen]
        else:
            rates, amounts = [rate] * len(marks), [amount] * len(marks)
        found: list[float] | None = one_pass(s, q, ep, m, marks, rates, amounts, fee)
        if found is not None:  # None: a point is refused, the checked calls below raise
            return tuple(found)
    requirement = convention.maintenance_margin
    ratio = convention.margin_ratio
    out: list[float] = []
    for price in checked:
        if not fixed and tiers is not None:
            tier = tiers.tier_for(q, price)
            rate, amount = tier.maintenance_margin_rate, tier.maintenance_amount
        mm = requirement(q, ep, price, rate, amount, fee)
        out.append(ratio(m + s * q * (price - ep), mm))
    return tuple(out)
