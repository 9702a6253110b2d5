"""Exchange conventions: one small protocol, one module per exchange, tier tables as data.

Exchanges agree on the idea of isolated and cross margin but not on the arithmetic. Each
convention here answers the same six questions for a linear (USDT-margined) perpetual:

* :meth:`~ExchangeConvention.maintenance_margin` of a position,
* :meth:`~ExchangeConvention.bankruptcy_price` (margin balance zero),
* :meth:`~ExchangeConvention.liquidation_price` (one tier given),
* :meth:`~ExchangeConvention.margin_ratio` in the exchange's own orientation,
* :meth:`~ExchangeConvention.is_liquidated`, the test behind that ratio,
* :meth:`~ExchangeConvention.tier_table`, the exchange's dated tier table, validated on load.

Shipped conventions: ``"binance"`` (USDⓈ-M, the formulas of :mod:`margin_widgets.engine.formulas`,
the default), ``"bybit"`` (USDT perpetual, classic account) and ``"okx"`` (USDT-margined swaps).

Adding an exchange is one module in this package that defines ``CONVENTION`` (an object with the
protocol's attributes), one data folder ``margin_widgets/data/<name>/`` with its tables, and its
tests: modules are discovered on first use, nothing here needs editing.

Units: amounts in USDT, quantities in base units (BTC, ETH), prices in USDT per base unit, rates
as fractions.
"""

from __future__ import annotations

import bisect
import datetime
import importlib
import json
import math
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Protocol, runtime_checkable

from margin_widgets.engine import _checks

__all__ = [
    "ExchangeConvention",
    "ExchangeConventionError",
    "Tier",
    "TierTable",
    "TierTableError",
    "available_exchanges",
    "available_tier_tables",
    "get_exchange",
    "isolated_liquidation_price",
    "liquidation_price_in_tiers",
    "load_tier_table",
    "tick_size",
]

DEFAULT_EXCHANGE = "binance"
"""The convention used when none is named (today's formulas)."""

_NUMBER_TYPES = (float, int)

TIER_BASES: tuple[str, ...] = ("notional", "quantity")
"""What selects a tier: the position's notional in USDT, or its size in base units."""


class TierTableError(ValueError):
    """A tier table breaks its exchange's invariants (gaps, falling rates, a wrong deduction)."""


class ExchangeConventionError(ValueError):
    """An argument the named exchange's convention does not have (e.g. a deduction on OKX)."""


@dataclass(frozen=True)
class Tier:
    """One tier (bracket, risk limit) of an exchange's table.

    Attributes
    ----------
    number : int
        Tier number, from 1.
    floor : float
        Lower edge (exclusive, except 0 for tier 1), in the table's basis: USDT of notional or
        base units of size.
    cap : float
        Upper edge (inclusive), same unit.
    max_leverage : float
        Highest leverage allowed in this tier.
    maintenance_margin_rate : float
        MMR as a fraction.
    maintenance_amount : float
        Deduction in USDT (Binance ``cum``, Bybit "maintenance margin deduction"; 0 on OKX).
    """

    number: int
    floor: float
    cap: float
    max_leverage: float
    maintenance_margin_rate: float
    maintenance_amount: float


@dataclass(frozen=True)
class TierTable:
    """The dated tier table of one symbol on one exchange.

    Attributes
    ----------
    exchange : str
        Convention name, e.g. ``"bybit"``.
    symbol : str
        Symbol, e.g. ``"BTCUSDT"``.
    effective_date : str
        ISO date from which the table applied (see ``source`` for how it is dated).
    source : str
        Where the numbers come from.
    basis : {"notional", "quantity"}
        What selects the tier.
    tiers : tuple of Tier
        In increasing order.
    """

    exchange: str
    symbol: str
    effective_date: str
    source: str
    basis: str
    tiers: tuple[Tier, ...]
    _caps: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.basis not in TIER_BASES:
            raise TierTableError(f"basis must be one of {TIER_BASES}, got {self.basis!r}")
        if not self.tiers:
            raise TierTableError(f"tier table {self.exchange} {self.symbol}: has no tiers")
        object.__setattr__(self, "_caps", tuple(t.cap for t in self.tiers))

    def tier_for(self, quantity: float, price: float) -> Tier:
        """Tier of a position of ``quantity`` base units valued at ``price`` USDT.

        The notional ``quantity × price`` selects it on a notional basis, the size alone on a
        quantity basis. Beyond the last cap the last tier applies.

        Examples
        --------
        >>> table = load_tier_table("bybit", "BTCUSDT")
        >>> table.tier_for(100, 30_000).maintenance_margin_rate  # 3,000,000 USDT: tier 3
        0.0063
        """
        quantity = _checks.non_negative("quantity", quantity)
        price = _checks.positive("price", price)
        value = quantity * price if self.basis == "notional" else quantity
        index = bisect.bisect_left(self._caps, value)
        return self.tiers[min(index, len(self.tiers) - 1)]

    def tiers_at(self, quantity: float, prices: Sequence[float]) -> tuple[Tier, ...]:
        """The tier of a position of ``quantity`` base units valued at each of ``prices``.

        :meth:`tier_for` at each price, in one pass: the same bisection on the caps, the
        quantity checked once (a curve reads the table at a few hundred prices).

        References
        ----------
        Binance, "Leverage and Margin of USDⓈ-M Futures"; Bybit, "Margin Parameters"; OKEx,
        "OKEx position tiers to be adjusted".

        Examples
        --------
        Bybit BTCUSDT, tier 1 up to 2,000,000 USDT: 100 BTC at 19,000 and at 21,000:

        >>> table = load_tier_table("bybit", "BTCUSDT")
        >>> [tier.number for tier in table.tiers_at(100, [19_000, 21_000])]
        [1, 2]
        """
        quantity = _checks.non_negative("quantity", quantity)
        values = list(prices)
        if values and not (
            set(map(type, values)) == {float} and min(values) > 0 and max(values) < math.inf
        ):
            values = [_checks.positive(f"prices[{i}]", p) for i, p in enumerate(values)]
        tiers, caps, last = self.tiers, self._caps, len(self.tiers) - 1
        if self.basis != "notional":
            index = bisect.bisect_left(caps, quantity)
            return (tiers[min(index, last)],) * len(values)
        left = bisect.bisect_left
        return tuple(tiers[min(left(caps, quantity * p), last)] for p in values)


@runtime_checkable
class ExchangeConvention(Protocol):
    """What an exchange module provides (its ``CONVENTION`` object).

    An account delegates to it: ``maintenance_margin`` and ``margin_ratio`` for its summary,
    ``is_liquidated`` for its liquidation check, ``liquidation_price`` and ``bankruptcy_price``
    for its isolated positions, ``tier_table`` for the tier of a position.

    A convention may also define ``solve_unchecked(side, s, Q, EP, M, MMR, amount, fee)``, the
    liquidation price on values already checked (``s`` = ±1); :func:`isolated_liquidation_price`
    then skips its per-call checks for plain, in-range numbers. The curves
    (:func:`~margin_widgets.engine.exchange_leverage_curve`,
    :func:`~margin_widgets.engine.exchange_ratio_curve`) evaluate a whole curve in one pass
    when it also defines, on checked values:

    * ``liquidation_prices_unchecked(side, s, Q, EP, margins, MMR, amount, fee)``: the list of
      ``solve_unchecked`` at each margin;
    * ``bankruptcy_prices_unchecked(s, Q, EP, margins)``: ``bankruptcy_price`` at each margin
      (each finite and >= 0);
    * ``margin_ratios_unchecked(s, Q, EP, M, prices, rates, amounts, fee)``: ``margin_ratio``
      of the balance ``M + s·Q·(P − EP)`` over ``maintenance_margin(Q, EP, P, rate, amount,
      fee)`` at each price with its own rate and amount, or None when a point would be refused
      (the caller then makes the checked calls, which raise).

    Each gives the same floats as the per-point calls (the tests compare them).
    """

    name: str
    """Registry name, lower case."""

    title: str
    """Human name of the product, e.g. ``"Bybit USDT perpetual (classic account)"``."""

    margin_ratio_orientation: str
    """``"maintenance/balance"`` (liquidation when it rises to 1) or ``"balance/maintenance"``
    (liquidation when it falls to 1)."""

    tier_price: str
    """``"entry"``: the tier (and the maintenance margin) is fixed by the position at entry;
    ``"liquidation"``: the tier is the one of the notional at the liquidation price, found by
    re-selection (see :func:`liquidation_price_in_tiers`)."""

    def tier_table(self, symbol: str = "BTCUSDT", date: str | None = None) -> TierTable:
        """The symbol's validated tier table in force on ``date`` (default: the newest)."""
        ...

    def maintenance_margin(
        self,
        quantity: float,
        entry_price: float,
        mark_price: float,
        maintenance_margin_rate: float,
        maintenance_amount: float = 0.0,
        fee_rate: float = 0.0,
    ) -> float:
        """Maintenance requirement in USDT that the margin balance is compared with."""
        ...

    def bankruptcy_price(
        self, side: str, quantity: float, entry_price: float, margin: float
    ) -> float | None:
        """Price at which an isolated margin of ``margin`` USDT is exactly lost."""
        ...

    def liquidation_price(
        self,
        side: str,
        quantity: float,
        entry_price: float,
        margin: float,
        maintenance_margin_rate: float,
        maintenance_amount: float = 0.0,
        fee_rate: float = 0.0,
    ) -> float | None:
        """Isolated liquidation price with ``margin`` USDT in the position and one tier."""
        ...

    def margin_ratio(self, margin_balance: float, maintenance_margin: float) -> float:
        """The exchange's margin ratio, in its own orientation."""
        ...

    def is_liquidated(self, margin_balance: float, maintenance_margin: float) -> bool:
        """Whether the exchange liquidates at this margin balance and requirement."""
        ...


# --------------------------------------------------------------------------- registry
@cache
def _registry() -> dict[str, ExchangeConvention]:
    """Every module of this package that defines ``CONVENTION``, by its name (first use)."""
    found: dict[str, ExchangeConvention] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        convention = getattr(module, "CONVENTION", None)
        if convention is not None:
            found[convention.name] = convention
    return found


def available_exchanges() -> list[str]:
    """Names of the shipped conventions, sorted.

    Examples
    --------
    >>> available_exchanges()
    ['binance', 'bybit', 'okx']
    """
    return sorted(_registry())


def get_exchange(name: str = DEFAULT_EXCHANGE) -> ExchangeConvention:
    """The convention registered as ``name``.

    Raises
    ------
    ValueError
        Naming the allowed exchanges when ``name`` is not one of them.

    Examples
    --------
    >>> get_exchange("okx").margin_ratio_orientation
    'balance/maintenance'
    """
    conventions = _registry()
    convention = conventions.get(name) if isinstance(name, str) else None
    if convention is None:
        raise ValueError(f"exchange must be one of {sorted(conventions)}, got {name!r}")
    return convention


# --------------------------------------------------------------------------- tier tables
def _data_folder(exchange: str) -> Any:
    return resources.files("margin_widgets") / "data" / exchange


def available_tier_tables(exchange: str) -> list[tuple[str, str]]:
    """Shipped ``(symbol, effective_date)`` tables of a data folder ``data/<exchange>/``.

    Examples
    --------
    >>> available_tier_tables("okx")
    [('ETHUSDT', '2021-06-11')]
    """
    folder = _data_folder(exchange)
    if not folder.is_dir():
        return []
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".json") and "_" in name:
            symbol, date = name[: -len(".json")].split("_", 1)
            out.append((symbol, date))
    return sorted(out)


def read_table_file(exchange: str, symbol: str, date: str | None) -> dict[str, Any]:
    """The JSON data of ``data/<exchange>/<symbol>_<date>.json`` in force on ``date``.

    Raises
    ------
    ValueError
        If the exchange ships no table for the symbol, or none was in force on ``date``.
    """
    tables = available_tier_tables(exchange)
    dates = sorted(d for s, d in tables if s == symbol)
    if not dates:
        symbols = sorted({s for s, _ in tables})
        raise ValueError(f"symbol must be one of {symbols} for {exchange}, got {symbol!r}")
    if date is None:
        chosen = dates[-1]
    else:
        eligible = [d for d in dates if d <= _checks_iso_date(date)]
        if not eligible:
            raise ValueError(
                f"date must be on or after {dates[0]} for {exchange} {symbol}, got {date!r}"
            )
        chosen = eligible[-1]
    text = (_data_folder(exchange) / f"{symbol}_{chosen}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _checks_iso_date(value: object) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"date must be an ISO date 'YYYY-MM-DD', got {value!r}") from None


def load_tier_table(exchange: str, symbol: str = "BTCUSDT", date: str | None = None) -> TierTable:
    """Load an exchange's tier table, validated by that exchange's own rules.

    Parameters
    ----------
    exchange : str
        A name from :func:`available_exchanges`.
    symbol : str, default "BTCUSDT"
        Symbol of the table.
    date : str, optional
        ISO date: the table in force then (default the newest).

    Returns
    -------
    TierTable

    Raises
    ------
    ValueError
        For an unknown exchange, symbol or date; :class:`TierTableError` for a table that
        breaks its exchange's invariants.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures"; Bybit, "Margin Parameters"; OKEx, "OKEx
    position tiers to be adjusted".

    Examples
    --------
    >>> load_tier_table("bybit", "BTCUSDT").tiers[1].maintenance_amount
    1200.0
    """
    return get_exchange(exchange).tier_table(symbol, date)


# --------------------------------------------------------------------------- tick sizes
TICK_MARKETS: tuple[str, ...] = ("perpetual", "spot")
"""Markets with stored tick sizes: the USDT-margined perpetuals and the spot pairs."""


@cache
def _tick_sizes() -> dict[str, dict[str, dict[str, float]]]:
    text = (resources.files("margin_widgets") / "data" / "tick_sizes.json").read_text("utf-8")
    data = json.loads(text)["markets"]
    return {
        market: {
            exchange: {symbol: float(row["tick_size"]) for symbol, row in rows.items()}
            for exchange, rows in exchanges.items()
        }
        for market, exchanges in data.items()
    }


def tick_size(exchange: str, symbol: str = "BTCUSDT", *, market: str = "perpetual") -> float:
    """The price tick size of ``symbol`` on ``exchange``'s ``market``, USDT.

    The smallest step the exchange quotes and shows prices in; the explorers round the prices
    they show to it. Read from ``margin_widgets/data/tick_sizes.json``, which names each value's
    source.

    Parameters
    ----------
    exchange : str
        A name from :func:`available_exchanges`.
    symbol : str, default "BTCUSDT"
        Symbol, e.g. ``"BTCUSDT"``.
    market : {"perpetual", "spot"}, default "perpetual"
        The USDT-margined perpetual, or the spot (and spot margin) pair.

    Returns
    -------
    float
        The tick size in USDT, > 0.

    Raises
    ------
    ValueError
        For an unknown exchange or market, or a symbol with no stored tick size (naming the
        stored ones).

    References
    ----------
    Binance, "Exchange Information" (USDⓈ-M Futures API, PRICE_FILTER ``tickSize``); Binance,
    "Exchange information" (Spot API, PRICE_FILTER ``tickSize``); Bybit, "Get
    Instruments Info" (V5 API, ``priceFilter.tickSize``); OKX, "I. Perpetual Swaps" (contract
    specifications, tick size).

    Examples
    --------
    The BTCUSDT perpetual moves in steps of 0.1 USDT on all three; Binance's spot pair in 0.01:

    >>> tick_size("binance"), tick_size("bybit", "BTCUSDT"), tick_size("okx")
    (0.1, 0.1, 0.1)
    >>> tick_size("binance", market="spot")
    0.01
    """
    get_exchange(exchange)
    if market not in TICK_MARKETS:
        raise ValueError(f"market must be one of {TICK_MARKETS}, got {market!r}")
    stored = _tick_sizes().get(market, {}).get(exchange, {})
    if symbol not in stored:
        raise ValueError(
            f"symbol must be one of {sorted(stored)} for {exchange} {market} tick sizes, "
            f"got {symbol!r}"
        )
    return stored[symbol]


# --------------------------------------------------------------------------- the contract
def _checked_leverage(leverage: object) -> float:
    value = _checks.number("leverage", leverage)
    if value < 1:
        raise ValueError(f"leverage must be >= 1, got {leverage!r}")
    return value


def isolated_liquidation_price(
    exchange: str,
    side: str,
    quantity: float,
    entry_price: float,
    leverage: float,
    maintenance_margin_rate: float,
    maintenance_amount: float = 0.0,
    extra_margin: float = 0.0,
    fee_rate: float = 0.0,
) -> float | None:
    """Isolated liquidation price of a position opened at ``leverage``, in one exchange's rules.

    The position's margin is ``M = Q·EP / leverage + extra_margin``; with it and one tier's rate
    and deduction the exchange's own formula gives:

    ==========  =====================================================================
    binance     ``LP = (M + cum − s·Q·EP) / (Q·MMR − s·Q)`` (:func:`liquidation_price`)
    bybit       ``LP = EP − s·(M − MM)/Q``, ``MM = Q·EP·MMR − deduction`` (entry value)
    okx         long ``(Q·EP − M)/(Q·(1 − MMR − fee))``, short ``(Q·EP + M)/(Q·(1 + MMR + fee))``
    ==========  =====================================================================

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
    leverage : float
        Leverage the position was opened at, >= 1.
    maintenance_margin_rate : float
        The tier's MMR, in [0, 1).
    maintenance_amount : float, default 0.0
        The tier's deduction in USDT, >= 0 (Binance ``cum``, Bybit deduction); must be 0 for OKX.
    extra_margin : float, default 0.0
        Margin added to the position after opening, USDT, >= 0.
    fee_rate : float, default 0.0
        Liquidation (taker) fee rate in [0, 1) where the formula has one (OKX); ignored by
        Binance and by Bybit's classic formula.

    Returns
    -------
    float or None
        The price, not rounded; None when no positive price solves the equation.

    Raises
    ------
    ValueError
        Naming the parameter, the value and what is allowed; :class:`ExchangeConventionError`
        (a ValueError) for a non-zero ``maintenance_amount`` on OKX.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"; Bybit,
    "Liquidation Price (USDT Contract)"; OKX, "Tiered maintenance margin ratio rules".

    Examples
    --------
    Bybit's documented example, 1 BTC long at 20,000 with 50x and MMR 0.5 %: 19,700.
    Binance's formula on the same inputs gives 19,698.49; OKX's (no fee) the same as Binance.

    >>> isolated_liquidation_price("bybit", "long", 1, 20_000, 50, 0.005)
    19700.0
    >>> round(isolated_liquidation_price("binance", "long", 1, 20_000, 50, 0.005), 2)
    19698.49
    >>> round(isolated_liquidation_price("okx", "long", 1, 20_000, 50, 0.005), 2)
    19698.49
    """
    convention = _registry().get(exchange) if type(exchange) is str else None
    solve = getattr(convention, "solve_unchecked", None)
    # Fast path: plain ints/floats, all finite and in range, a shipped convention. Anything else
    # goes through the checks below, which raise the documented errors.
    try:
        fast = (
            solve is not None
            and type(side) is str
            and side in _checks.SIDES
            and type(quantity) in _NUMBER_TYPES
            and type(entry_price) in _NUMBER_TYPES
            and type(leverage) in _NUMBER_TYPES
            and type(maintenance_margin_rate) in _NUMBER_TYPES
            and type(maintenance_amount) in _NUMBER_TYPES
            and type(extra_margin) in _NUMBER_TYPES
            and type(fee_rate) in _NUMBER_TYPES
            and math.isfinite(
                quantity
                + entry_price
                + leverage
                + maintenance_margin_rate
                + maintenance_amount
                + extra_margin
                + fee_rate
            )
            and quantity > 0
            and entry_price > 0
            and leverage >= 1
            and 0 <= maintenance_margin_rate < 1
            and maintenance_amount >= 0
            and extra_margin >= 0
            and 0 <= fee_rate < 1
        )
    except OverflowError:  # an int beyond the float range: refused below
        fast = False
    if fast and solve is not None:
        margin = quantity * entry_price / leverage + extra_margin
        result: float | None = solve(
            side,
            _checks.SIDES[side],
            quantity,
            entry_price,
            margin,
            maintenance_margin_rate,
            maintenance_amount,
            fee_rate,
        )
        return result
    checked = get_exchange(exchange)
    _checks.side_sign(side)
    quantity = _checks.positive("quantity", quantity)
    entry_price = _checks.positive("entry_price", entry_price)
    lev = _checked_leverage(leverage)
    extra = _checks.non_negative("extra_margin", extra_margin)
    margin = quantity * entry_price / lev + extra
    return checked.liquidation_price(
        side,
        quantity,
        entry_price,
        margin,
        maintenance_margin_rate,
        maintenance_amount,
        fee_rate,
    )


def liquidation_price_in_tiers(
    exchange: str,
    side: str,
    quantity: float,
    entry_price: float,
    margin: float,
    table: TierTable,
    fee_rate: float = 0.0,
) -> tuple[float | None, Tier]:
    """Isolated liquidation price with the tier an exchange applies, and that tier.

    Bybit (tier by position value at entry) and OKX (tier by size) fix the tier at entry, so
    the price is one call of the convention's ``liquidation_price``. Binance charges the bracket
    of the notional *at* the liquidation price: the bracket is re-selected at each root until
    it is stable (as :func:`margin_widgets.engine.formulas.liquidation_price_in_brackets`);
    if that cycles, the largest root (long) or the smallest (short) is consistent, since the
    maintenance margin is the largest of the brackets' affine pieces.

    Parameters
    ----------
    exchange : str
        A name from :func:`available_exchanges`.
    side, quantity, entry_price
        As in :func:`isolated_liquidation_price`.
    margin : float
        The position's margin in USDT, >= 0 (initial margin plus any extra margin).
    table : TierTable
        The symbol's tier table on that exchange (:func:`load_tier_table`).
    fee_rate : float, default 0.0
        Liquidation fee rate where the convention has one (OKX), in [0, 1).

    Returns
    -------
    (float or None, Tier)
        The price (None if no positive price liquidates) and the tier it was computed with.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"; Bybit,
    "Liquidation Price (USDT Contract)" and "Margin Parameters"; OKX, "Tiered maintenance margin
    ratio rules".

    Examples
    --------
    100 BTC long at 20,500 (2,050,000 USDT: Bybit tier 2, MMR 0.56 %, deduction 1,200) with
    205,000 USDT: ``MM = 11,480 − 1,200 = 10,280`` and ``LP = 20,500 − 194,720 / 100 =
    18,552.8``. The notional there (1,855,280) is in tier 1, but Bybit keeps the entry tier:

    >>> price, tier = liquidation_price_in_tiers(
    ...     "bybit", "long", 100, 20_500, 205_000, load_tier_table("bybit", "BTCUSDT"))
    >>> round(price, 6), tier.number
    (18552.8, 2)
    """
    convention = get_exchange(exchange)
    s = _checks.side_sign(side)
    quantity = _checks.positive("quantity", quantity)
    entry_price = _checks.positive("entry_price", entry_price)
    margin = _checks.non_negative("margin", margin)
    if not isinstance(table, TierTable):
        raise ValueError(f"table must be a TierTable, got {type(table).__name__}")

    def solve(tier: Tier) -> float | None:
        return convention.liquidation_price(
            side,
            quantity,
            entry_price,
            margin,
            tier.maintenance_margin_rate,
            tier.maintenance_amount,
            fee_rate,
        )

    tier = table.tier_for(quantity, entry_price)
    if convention.tier_price == "entry":
        return solve(tier), tier
    seen: set[int] = set()
    for _ in range(len(table.tiers) + 1):
        price = solve(tier)
        at_price = table.tier_for(quantity, price) if price else table.tiers[0]
        if at_price.number == tier.number:
            return price, tier
        if at_price.number in seen:
            break
        seen.add(tier.number)
        tier = at_price
    roots = [(solve(candidate), candidate) for candidate in table.tiers]
    pick = max if s > 0 else min
    return pick(roots, key=lambda root: -math.inf if root[0] is None else root[0])


# --------------------------------------------------------------------------- shared helpers
def bankruptcy_price_of_margin(
    side: str, quantity: float, entry_price: float, margin: float
) -> float | None:
    """``EP − s·M/Q`` (Bybit, OKX): where ``margin`` USDT is exactly lost; None if <= 0."""
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    m = _checks.non_negative("margin", margin)
    price = ep - s * m / q
    return price if price > 0 else None


def bankruptcy_prices_of_margins(
    s: int, quantity: float, entry_price: float, margins: Sequence[float]
) -> list[float | None]:
    """:func:`bankruptcy_price_of_margin` at each margin, on checked values (``s`` = ±1).

    The same expression, ``EP − s·M/Q``, each margin finite and >= 0 (not checked here).

    References
    ----------
    Bybit, "What is Bankruptcy Price? (USDT Contract)".

    Examples
    --------
    >>> bankruptcy_prices_of_margins(1, 1.0, 20_000.0, [400.0, 20_000.0])
    [19600.0, None]
    """
    q, ep = quantity, entry_price
    return [price if (price := ep - s * m / q) > 0 else None for m in margins]


def ratio_maintenance_over_balance(margin_balance: float, maintenance_margin: float) -> float:
    """``MM / MB`` (Binance, Bybit): ``inf`` when the balance is at or below zero."""
    maintenance_margin = _checks.non_negative("maintenance_margin", maintenance_margin)
    margin_balance = _checks.number("margin_balance", margin_balance)
    if margin_balance <= 0:
        return math.inf
    return maintenance_margin / margin_balance


def validate_rows(
    table: TierTable,
    extra: Callable[[Tier, Tier | None, str], None] | None = None,
) -> None:
    """Checks every exchange shares: numbered from 1, contiguous, rates in [0, 1), leverage >= 1.

    ``extra(tier, previous, label)`` adds the exchange's own rule and raises
    :class:`TierTableError`.
    """
    where = f"tier table {table.exchange} {table.symbol} {table.effective_date}"
    previous: Tier | None = None
    for index, tier in enumerate(table.tiers):
        label = f"{where}, tier {tier.number}"
        if tier.number != index + 1:
            raise TierTableError(f"{label}: expected tier number {index + 1}")
        if not 0 <= tier.maintenance_margin_rate < 1:
            raise TierTableError(f"{label}: maintenance_margin_rate must be in [0, 1)")
        if not tier.cap > tier.floor >= 0:
            raise TierTableError(f"{label}: cap must exceed its floor (>= 0)")
        if tier.max_leverage < 1:
            raise TierTableError(f"{label}: max_leverage must be >= 1")
        if previous is None:
            if tier.floor != 0:
                raise TierTableError(f"{label}: the first tier must start at 0")
        else:
            if tier.floor != previous.cap:
                raise TierTableError(
                    f"{label}: floor {tier.floor:g} does not meet the previous cap {previous.cap:g}"
                )
            if tier.max_leverage > previous.max_leverage:
                raise TierTableError(f"{label}: max_leverage rises")
        if extra is not None:
            extra(tier, previous, label)
        previous = tier
