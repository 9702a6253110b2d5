"""Simulations over time: the funding timeline and the replay of a price path.

Both hold the same book in an isolated and in a cross account and record, step by step, what
the explorers chart (liquidation prices, funding paid, wallets, equity, liquidation events).
Standard library only; the results are plain lists.

>>> funding_timeline(20, 5_000, 0.0003, 1).paid["cross"][-1]
40.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from margin_widgets.engine import _checks
from margin_widgets.engine.account import Account, LiquidationEvent
from margin_widgets.engine.examples import BOOK, book_account
from margin_widgets.engine.scenarios import dip_path, equal_legs, price_paths

__all__ = [
    "INTERVALS_PER_DAY",
    "MODES",
    "PATH_ASSETS",
    "PATH_SCENARIOS",
    "PATH_STEPS",
    "FundingTimeline",
    "PathRun",
    "funding_interval_label",
    "funding_timeline",
    "make_paths",
    "replay_path",
]

#: The two accounts of every simulation, in drawing order.
MODES: tuple[str, str] = ("isolated", "cross")
#: Funding is settled every 8 hours (00:00, 08:00, 16:00 UTC).
INTERVALS_PER_DAY = 3
#: The assets of the price-path replay: (symbol, start price in USDT); asset A first.
PATH_ASSETS: tuple[tuple[str, float], ...] = tuple((leg.symbol, leg.entry_price) for leg in BOOK)
#: Steps of every replayed path (each path has ``PATH_STEPS + 1`` prices).
PATH_STEPS = 120
#: The path scenarios :func:`make_paths` knows.
PATH_SCENARIOS: tuple[str, ...] = ("random", "dip in A")


def funding_interval_label(k: int) -> str:
    """Label of the ``k``-th funding time after opening (three a day, from 00:00 UTC).

    Examples
    --------
    Interval 4 is the second of day 1, 8 hours after midnight:

    >>> funding_interval_label(4)
    'day 1, 08:00'
    """
    k = int(_checks.non_negative("k", k))
    hours = 24 // INTERVALS_PER_DAY * (k % INTERVALS_PER_DAY)
    return f"day {k // INTERVALS_PER_DAY}, {hours:02d}:00"


@dataclass
class FundingTimeline:
    """Everything a funding timeline records, one entry per funding time (0 = opening).

    Attributes
    ----------
    days : list of float
        Time of each entry, in days.
    liquidation : dict of str to list of float
        BTCUSDT liquidation price per mode, USDT (NaN once liquidated or when there is none).
    paid : dict of str to list of float
        Cumulative funding paid out of the wallet that backs BTCUSDT, USDT: the isolated
        BTCUSDT wallet, or the cross wallet (which pays for both positions).
    wallet : dict of str to list of float
        That wallet's balance, USDT (NaN once liquidated).
    maintenance : dict of str to list of float
        The maintenance margin that wallet must stay above, USDT.
    payments : dict of str to list of float
        The BTCUSDT payment of each interval, signed as booked (negative: paid).
    events, event_index : dict of str to list
        The engine's liquidation events per mode, and the entry index of each.
    open : dict of str to list of bool
        Whether the BTCUSDT position is still open.
    accounts : dict of str to Account
        The accounts at the end of the timeline.
    """

    days: list[float] = field(default_factory=list)
    liquidation: dict[str, list[float]] = field(default_factory=dict)
    paid: dict[str, list[float]] = field(default_factory=dict)
    wallet: dict[str, list[float]] = field(default_factory=dict)
    maintenance: dict[str, list[float]] = field(default_factory=dict)
    payments: dict[str, list[float]] = field(default_factory=dict)
    events: dict[str, list[LiquidationEvent]] = field(default_factory=dict)
    event_index: dict[str, list[int]] = field(default_factory=dict)
    open: dict[str, list[bool]] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)


def funding_timeline(
    leverage: float, collateral: float, funding_rate: float, days: int
) -> FundingTimeline:
    """Settle funding every 8 hours for ``days`` days on the example book, isolated and cross.

    Both accounts open the example book (:mod:`margin_widgets.engine.examples`) at ``leverage``
    from a ``collateral`` wallet; the marks stay at entry, and each interval
    :meth:`Account.settle_funding` books ``mark × Q × rate`` to every open position: into its
    isolated wallet in isolated mode, into the shared cross wallet in cross mode.

    Parameters
    ----------
    leverage : float
        Leverage of both legs.
    collateral : float
        The wallet before opening, USDT.
    funding_rate : float
        Funding rate per 8-hour interval, as a fraction (positive: longs pay).
    days : int
        Length of the timeline, >= 1.

    Returns
    -------
    FundingTimeline
        ``3 × days + 1`` entries per series.

    Raises
    ------
    MarginError
        When the wallet cannot open the book at that leverage.
    ValueError
        For ``days`` below 1 or a bad rate.

    References
    ----------
    Binance, "Introduction to Binance Futures Funding Rates" (funding = notional × rate, every
    8 hours).

    Examples
    --------
    0.03 % per interval: the isolated BTC wallet pays 30,000 × 0.0003 = 9 USDT each time, the
    cross wallet pays for both legs, (30,000 + 15,000) × 0.0003 = 13.5 USDT:

    >>> t = funding_timeline(20, 5_000, 0.0003, 1)
    >>> [round(p, 2) for p in t.paid["isolated"]], [round(p, 2) for p in t.paid["cross"]]
    ([0.0, 9.0, 18.0, 27.0], [0.0, 13.5, 27.0, 40.5])
    """
    rate = _checks.number("funding_rate", funding_rate)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a whole number >= 1, got {days!r}")
    symbol = BOOK[0].symbol
    out = FundingTimeline()
    for mode in MODES:
        account = book_account(mode, leverage, collateral)
        out.accounts[mode] = account
        for series in (out.liquidation, out.paid, out.wallet, out.maintenance, out.payments):
            series[mode] = []
        out.events[mode] = []
        out.event_index[mode] = []
        out.open[mode] = []
        paid = 0.0
        for k in range(days * INTERVALS_PER_DAY + 1):
            btc_payment = 0.0
            if k:
                for leg in BOOK:
                    if leg.symbol not in account.positions:  # liquidated earlier
                        continue
                    payment, events = account.settle_funding(
                        leg.symbol, rate, step=funding_interval_label(k)
                    )
                    out.events[mode].extend(events)
                    out.event_index[mode].extend([k] * len(events))
                    if leg.symbol == symbol:
                        btc_payment = payment
                    if mode == "cross" or leg.symbol == symbol:
                        paid -= payment
            out.payments[mode].append(btc_payment)
            out.paid[mode].append(paid)
            _record(out, mode, account, symbol)
    out.days = [k / INTERVALS_PER_DAY for k in range(days * INTERVALS_PER_DAY + 1)]
    return out


def _record(out: FundingTimeline, mode: str, account: Account, symbol: str) -> None:
    if symbol in account.positions:
        price = account.liquidation_price(symbol)
        # the two figures of position_summary the timeline records, without the rest of it
        # (its liquidation and bankruptcy prices, ratios and leverage)
        position = account.positions[symbol]
        if mode == "isolated":
            wallet = position.isolated_wallet
            maintenance = account._maintenance(position)[0]
        else:
            wallet = account.wallet_balance
            maintenance = account.cross_maintenance_margin()
    else:
        price, wallet, maintenance = None, math.nan, math.nan
    out.liquidation[mode].append(math.nan if price is None else price)
    out.open[mode].append(symbol in account.positions)
    out.wallet[mode].append(wallet)
    out.maintenance[mode].append(maintenance)


def make_paths(
    scenario: str, correlation: float, volatility: float, seed: int, dip: float
) -> list[list[float]]:
    """Price path of each asset of :data:`PATH_ASSETS`, ``PATH_STEPS + 1`` prices each.

    Parameters
    ----------
    scenario : {"random", "dip in A"}
        ``"random"``: seeded correlated geometric Brownian paths (:func:`price_paths`);
        ``"dip in A"``: BTCUSDT falls by ``dip`` and recovers (:func:`dip_path`) while
        ETHUSDT stays put.
    correlation : float
        Correlation of the step log returns (random paths).
    volatility : float
        Standard deviation of each step's log return (random paths).
    seed : int
        Seed of the random paths.
    dip : float
        Depth of the dip as a fraction in [0, 1) ("dip in A").

    Returns
    -------
    list of list of float
        One list of prices (USDT) per asset.

    Raises
    ------
    ValueError
        For an unknown scenario or a parameter the path generators refuse.

    Examples
    --------
    A 20 % dip of BTCUSDT from 60,000 bottoms at 60,000 × 0.8 = 48,000 and comes back:

    >>> a, b = make_paths("dip in A", 0.0, 0.01, 0, 0.2)
    >>> a[0], min(a), a[-1], set(b)
    (60000.0, 48000.0, 60000.0, {3000.0})
    """
    starts = [price for _, price in PATH_ASSETS]
    if scenario == "random":
        return price_paths(starts, correlation, volatility, PATH_STEPS, seed)
    if scenario == "dip in A":
        rest = [[price] * (PATH_STEPS + 1) for price in starts[1:]]
        return [dip_path(starts[0], dip, PATH_STEPS), *rest]
    raise ValueError(f"scenario must be one of {', '.join(PATH_SCENARIOS)}, got {scenario!r}")


@dataclass
class PathRun:
    """A replayed path and both accounts' state at every step (index = step).

    Attributes
    ----------
    paths : list of list of float
        The mark prices of each asset, USDT.
    liquidation : dict of str to list of list of float
        ``liquidation[mode][i]``: asset i's liquidation price per step, USDT (NaN once gone).
    equity : dict of str to list of float
        The account's total margin balance per step, USDT.
    events : dict of str to list of LiquidationEvent
        The engine's liquidation events (their ``step`` is the step number).
    accounts : dict of str to Account
        The accounts at the end of the path.
    """

    paths: list[list[float]]
    liquidation: dict[str, list[list[float]]] = field(default_factory=dict)
    equity: dict[str, list[float]] = field(default_factory=dict)
    events: dict[str, list[LiquidationEvent]] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)


def replay_path(paths: Sequence[Sequence[float]], leverage: float, collateral: float) -> PathRun:
    """Hold equal long positions in an isolated and in a cross account along ``paths``.

    Each asset of :data:`PATH_ASSETS` gets a long of ``collateral × leverage / start price``
    (:func:`equal_legs`); the cross wallet holds ``collateral`` per asset. At every step the
    marks move (:meth:`Account.update_marks`) and the engine liquidates what must go.

    Parameters
    ----------
    paths : sequence of sequence of float
        One price path per asset (USDT), all of the same length, as :func:`make_paths` gives.
    leverage : float
        Leverage of every position.
    collateral : float
        Margin of every position, USDT.

    Returns
    -------
    PathRun

    Raises
    ------
    ValueError
        When the number of paths is not the number of assets, or the paths differ in length.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (one-way mode).

    Examples
    --------
    A 15 % dip at 10x liquidates the isolated BTC long (its 1,000 USDT cover a fall of about
    10 %), while the cross wallet's 2,000 USDT carry it through:

    >>> run = replay_path(make_paths("dip in A", 0.0, 0.01, 0, 0.15), 10, 1_000)
    >>> [e.margin_mode for e in run.events["isolated"]], run.events["cross"]
    (['isolated'], [])
    """
    symbols = [symbol for symbol, _ in PATH_ASSETS]
    if len(paths) != len(symbols):
        raise ValueError(f"paths must hold {len(symbols)} paths, got {len(paths)}")
    lengths = {len(path) for path in paths}
    if len(lengths) != 1 or min(lengths) < 1:
        raise ValueError(
            f"paths must be non-empty and of one length, got lengths {sorted(lengths)}"
        )
    run = PathRun(paths=[list(path) for path in paths])
    for mode in MODES:
        account = Account(wallet_balance=collateral * len(symbols))
        legs = equal_legs(
            len(symbols), leverage, collateral, [path[0] for path in paths], symbols=symbols
        )
        for leg in legs:
            account.set_margin_mode(mode, leg.symbol)
            account.open_position(
                leg.symbol, leg.side, leg.quantity, price=leg.entry_price, leverage=leverage
            )
        run.accounts[mode] = account
        run.liquidation[mode] = [[] for _ in symbols]
        run.equity[mode] = []
        for step in range(len(paths[0])):
            if step:
                account.update_marks(
                    {s: p[step] for s, p in zip(symbols, paths, strict=True)}, step=step
                )
            for i, symbol in enumerate(symbols):
                price = account.liquidation_price(symbol) if symbol in account.positions else None
                run.liquidation[mode][i].append(math.nan if price is None else price)
            run.equity[mode].append(account.summary().total_margin_balance)
        run.events[mode] = list(account.events)
    return run
