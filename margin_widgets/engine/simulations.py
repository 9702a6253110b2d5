"""Simulations over time: the funding timeline and the replay of a price path.

Both hold the same book in an isolated and in a cross account and record, step by step, what
the explorers chart (liquidation prices, funding paid, wallets, equity, liquidation events).
Standard library only; the results are plain lists.

>>> funding_timeline(20, 5_000, 0.0003, 1).paid["cross"][-1]
40.5
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from itertools import accumulate, cycle, islice, repeat
from operator import sub

from margin_widgets.engine import _checks
from margin_widgets.engine.account import Account, LiquidationEvent
from margin_widgets.engine.examples import BOOK, book_account
from margin_widgets.engine.formulas import _solve_in_brackets, funding_payment
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
    # how funding_timeline worked each account out, for head (not part of the record)
    _plans: dict[str, _Plan] = field(default_factory=dict, repr=False, compare=False)
    _inputs: tuple[float, float, float] | None = field(default=None, repr=False, compare=False)

    def head(self, days: int) -> FundingTimeline:
        """The timeline of the first ``days`` days, as :func:`funding_timeline` gives it.

        The marks stay put, so the first ``days`` days of a longer timeline are the shorter
        timeline: the series are cut, the events are those of the first ``days`` days, and each
        account is the engine's after day ``days`` (its opening state, the liquidating payments
        booked by :meth:`Account.settle_funding` again, the wallets of that day).

        Parameters
        ----------
        days : int
            Length of the shorter timeline, in [1, the length of this one].

        Returns
        -------
        FundingTimeline
            ``3 × days + 1`` entries per series (this timeline itself at its full length).

        Raises
        ------
        ValueError
            For ``days`` outside [1, this timeline's length], or a timeline that
            :func:`funding_timeline` did not make.

        References
        ----------
        Binance, "Introduction to Binance Futures Funding Rates" (funding every 8 hours).

        Examples
        --------
        The first day of a 2-day timeline, 9 USDT a payment from the isolated BTC wallet
        (30,000 × 0.0003):

        >>> funding_timeline(20, 5_000, 0.0003, 2).head(1).paid["isolated"]
        [0.0, 9.0, 18.0, 27.0]
        """
        n = _intervals(days)
        total = len(self.days) - 1
        if n > total:
            raise ValueError(f"days must be in [1, {total // INTERVALS_PER_DAY}], got {days!r}")
        if n == total:
            return self
        if set(self._plans) != set(MODES):  # an account was stepped: step it again
            if self._inputs is None:
                raise ValueError("head needs a timeline made by funding_timeline")
            return funding_timeline(*self._inputs, days)
        cut = n + 1
        out = FundingTimeline(days=self.days[:cut], _inputs=self._inputs)
        for mode in MODES:
            out.liquidation[mode] = self.liquidation[mode][:cut]
            out.paid[mode] = self.paid[mode][:cut]
            out.wallet[mode] = self.wallet[mode][:cut]
            out.maintenance[mode] = self.maintenance[mode][:cut]
            out.payments[mode] = self.payments[mode][:cut]
            out.open[mode] = self.open[mode][:cut]
            plan = self._plans[mode]
            replay = _replay(plan, n)
            if replay is None:  # pragma: no cover - the full replay agreed with the plan
                raise ValueError("the engine no longer agrees with this timeline's plan")
            out._plans[mode] = plan
            out.accounts[mode], out.events[mode], out.event_index[mode] = replay
        return out


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

    Notes
    -----
    With the marks at entry every payment of a leg is the same, so the accounts are not stepped
    interval by interval. Each wallet is the running sum of its payments (added one at a time,
    in the order the accounts book them, so every figure is the stepped account's to the last
    bit); the first interval at which a wallet falls to its maintenance margin is found with
    the account's own liquidation test (a falling wallet stays liquidated once it is); each
    liquidation price comes from the wallet by the account's bracketed formula. The engine's
    :class:`Account` settles for real only the payments that liquidate, so the events are its
    own, and the accounts end in the state the stepped run leaves them in.

    References
    ----------
    Binance, "Introduction to Binance Futures Funding Rates" (funding = notional × rate, every
    8 hours); Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

    Examples
    --------
    0.03 % per interval: the isolated BTC wallet pays 30,000 × 0.0003 = 9 USDT each time, the
    cross wallet pays for both legs, (30,000 + 15,000) × 0.0003 = 13.5 USDT:

    >>> t = funding_timeline(20, 5_000, 0.0003, 1)
    >>> [round(p, 2) for p in t.paid["isolated"]], [round(p, 2) for p in t.paid["cross"]]
    ([0.0, 9.0, 18.0, 27.0], [0.0, 13.5, 27.0, 40.5])
    """
    rate = _checks.number("funding_rate", funding_rate)
    n = _intervals(days)
    opened: Callable[[str, float, float], Account] = _opened
    try:
        hash((leverage, collateral))
    except TypeError:  # not a number (a list, a dict): book_account refuses it by name
        opened = book_account
    out = _funding_run(lambda mode: opened(mode, leverage, collateral), rate, n)
    out._inputs = (leverage, collateral, rate)
    return out


@lru_cache(maxsize=16, typed=True)
def _opened(mode: str, leverage: float, collateral: float) -> Account:
    """The example book opened in ``mode``, shared: never changed, only copied (see _replay).

    Another funding rate or length of the same book starts from the same opening.
    """
    return book_account(mode, leverage, collateral)


def _funding_run(open_book: Callable[[str], Account], rate: float, n: int) -> FundingTimeline:
    """The timeline of ``n`` intervals of the accounts ``open_book(mode)`` opens, worked out.

    An account the plan does not fit (or whose engine disagrees with it) is stepped instead,
    on a copy: ``open_book`` may hand out a shared opening.
    """
    out = FundingTimeline(days=[k / INTERVALS_PER_DAY for k in range(n + 1)])
    for mode in MODES:
        start = open_book(mode)
        plan = _plan(start, mode, rate, n)
        replay = None if plan is None else _replay(plan, n)
        if plan is None or replay is None:
            _step_mode(out, mode, start.copy(), rate, n)
            continue
        out._plans[mode] = plan
        _fill(out, mode, plan, n, *replay)
    return out


def _intervals(days: object) -> int:
    """The number of funding intervals in ``days`` days (``days`` a whole number >= 1)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a whole number >= 1, got {days!r}")
    return days * INTERVALS_PER_DAY


@dataclass
class _Plan:
    """One account's funding run worked out from its opening state (see :func:`funding_timeline`).

    ``wallets``: isolated mode, each leg's wallet after ``k`` intervals (index k); cross mode,
    one list, the cross wallet after every payment (index ``(k - 1) × legs + j + 1`` after leg
    j's payment of interval k). ``liquidated``: the (interval, leg) payments that liquidate, in
    booking order.
    """

    start: Account
    mode: str
    rate: float
    symbols: tuple[str, ...]
    payments: tuple[float, ...]
    wallets: list[list[float]]
    liquidated: list[tuple[int, int]]


def _plan(start: Account, mode: str, rate: float, n: int) -> _Plan | None:
    """Wallets and liquidating payments of ``n`` intervals, or None where that does not apply.

    It applies to a one-way account holding BTCUSDT whose positions are all in ``mode`` and
    none liquidated at opening (the example book, always).
    """
    positions = [start.positions[leg.symbol] for leg in BOOK if leg.symbol in start.positions]
    if (
        start.position_mode != "one_way"
        or BOOK[0].symbol not in start.positions
        or len(positions) != len(start.positions)
        or any(p.margin_mode != mode for p in positions)
    ):
        return None
    symbols = tuple(p.symbol for p in positions)
    payments = tuple(
        funding_payment(p.side, p.quantity, start.marks[p.symbol], rate) for p in positions
    )
    legs = len(positions)
    liquidated: list[tuple[int, int]] = []
    if mode == "isolated":
        wallets = [
            list(accumulate(repeat(payment, n), initial=p.isolated_wallet))
            for p, payment in zip(positions, payments, strict=True)
        ]
        for j, p in enumerate(positions):
            maintenance = start._maintenance(p)[0]
            pnl = p.unrealized_pnl(start.marks[p.symbol])
            k = _first_liquidated(
                wallets[j], partial(_liquidated, start, maintenance, pnl), [payments[j]]
            )
            if k == 0:
                return None
            if k is not None:
                liquidated.append((k, j))
        liquidated.sort()
    else:
        wallets = [
            list(accumulate(islice(cycle(payments), n * legs), initial=start.wallet_balance))
        ]
        maintenance = start.cross_maintenance_margin()
        pnl = start.cross_unrealized_pnl()
        i = _first_liquidated(wallets[0], partial(_liquidated, start, maintenance, pnl), payments)
        if i == 0:
            return None
        if i is not None:
            liquidated.append(((i - 1) // legs + 1, (i - 1) % legs))
    return _Plan(start, mode, rate, symbols, payments, wallets, liquidated)


def _liquidated(account: Account, maintenance: float, pnl: float, wallet: float) -> bool:
    """The account's liquidation test of a margin balance ``wallet + pnl`` (USDT)."""
    return account._is_liquidated(maintenance, wallet + pnl)


def _first_liquidated(
    wallets: list[float], test: Callable[[float], bool], steps: Sequence[float]
) -> int | None:
    """The first index whose wallet passes the liquidation ``test`` (None: none does).

    0 means the opening itself is liquidated. Otherwise the wallets are running sums of
    ``steps``: when no step is positive they never rise, and a wallet that has fallen to its
    maintenance margin stays there, so a bisection finds the first; when none is negative only
    the first payment could liquidate.
    """
    if test(wallets[0]):
        return 0
    if all(step <= 0 for step in steps):
        if len(wallets) < 2 or not test(wallets[-1]):
            return None
        return bisect_left(range(1, len(wallets)), True, key=lambda i: test(wallets[i])) + 1
    if all(step >= 0 for step in steps):
        return 1 if len(wallets) > 1 and test(wallets[1]) else None
    return next((i for i in range(1, len(wallets)) if test(wallets[i])), None)


def _set_wallets(account: Account, plan: _Plan, k: int, j: int) -> None:
    """Put ``account`` in the plan's state just before leg ``j`` pays at interval ``k``."""
    if plan.mode == "cross":
        account.wallet_balance = plan.wallets[0][(k - 1) * len(plan.symbols) + j]
        return
    for i, symbol in enumerate(plan.symbols):
        position = account.positions.get(symbol)
        wallet = plan.wallets[i][k if i < j else k - 1]
        if position is not None and position.isolated_wallet != wallet:
            account.positions[symbol] = replace(position, isolated_wallet=wallet)


def _replay(plan: _Plan, n: int) -> tuple[Account, list[LiquidationEvent], list[int]] | None:
    """The account after ``n`` intervals, its events and their entry indices.

    A copy of the opening account is put in the state before each liquidating payment, which
    :meth:`Account.settle_funding` then books (so the events are the engine's), and finally in
    the state after interval ``n``. None if the engine disagrees with the plan.
    """
    account = plan.start.copy()
    events: list[LiquidationEvent] = []
    index: list[int] = []
    for k, j in plan.liquidated:
        if k > n:
            break
        _set_wallets(account, plan, k, j)
        symbol = plan.symbols[j]
        expected = {symbol} if plan.mode == "isolated" else set(account.positions)
        payment, new = account.settle_funding(symbol, plan.rate, step=funding_interval_label(k))
        if payment != plan.payments[j] or len(new) != 1 or set(new[0].symbols) != expected:
            return None
        events.extend(new)
        index.append(k)
    if account.positions:
        _set_wallets(account, plan, n + 1, 0)  # every leg has paid interval n
    return account, events, index


def _fill(
    out: FundingTimeline,
    mode: str,
    plan: _Plan,
    n: int,
    account: Account,
    events: list[LiquidationEvent],
    index: list[int],
) -> None:
    """Write ``mode``'s series of ``n`` intervals from the plan (see :func:`funding_timeline`)."""
    symbol = BOOK[0].symbol
    b = plan.symbols.index(symbol)
    legs = len(plan.symbols)
    start = plan.start
    position = start.positions[symbol]
    # the interval at which the BTCUSDT position goes (n + 1: never), and its last payment
    gone, paid_then = n + 1, True
    for k, j in plan.liquidated:
        if k <= n and (mode == "cross" or j == b):
            gone, paid_then = k, j >= b
            break
    shown = min(gone, n + 1)  # entries 0 .. shown - 1 hold an open position
    payment = plan.payments[b]
    count = gone - 1 + paid_then if gone <= n else n  # payments BTCUSDT made
    out.payments[mode] = [0.0, *repeat(payment, count), *repeat(0.0, n - count)]
    # funding paid: a running total of what the wallet paid, payment by payment (the isolated
    # BTCUSDT wallet pays its own, the cross wallet every leg's), read after each interval
    paying: Iterable[float]
    if mode == "isolated":
        stride, paying = 1, repeat(payment, count)
        wallet = plan.wallets[b][:shown]
        maintenance = start._maintenance(position)[0]
    else:
        last = n * legs if gone > n else (gone - 1) * legs + plan.liquidated[0][1] + 1
        stride, paying = legs, islice(cycle(plan.payments), last)
        wallet = plan.wallets[0][: (shown - 1) * legs + 1 : legs]
        maintenance = start.cross_maintenance_margin()
    spent = list(accumulate(paying, sub, initial=0.0))
    paid = spent[::stride]
    out.paid[mode] = [*paid, *repeat(spent[-1], n + 1 - len(paid))]
    closed = n + 1 - shown
    out.wallet[mode] = [*wallet, *repeat(math.nan, closed)]
    out.maintenance[mode] = [*repeat(maintenance, shown), *repeat(math.nan, closed)]
    out.liquidation[mode] = [*_prices(start, symbol, wallet), *repeat(math.nan, closed)]
    out.open[mode] = [*repeat(True, shown), *repeat(False, closed)]
    out.events[mode] = events
    out.event_index[mode] = index
    out.accounts[mode] = account


def _prices(account: Account, symbol: str, wallets: list[float]) -> list[float]:
    """Liquidation price of ``symbol`` in ``account`` with each of ``wallets`` as its wallet.

    :meth:`Account.liquidation_price` with only the wallet changed (the other cross positions'
    maintenance margin and PnL stay put, the marks do). The bracketed solver runs at the lowest
    and the highest wallet; when both land in one bracket (the price moves one way with the
    wallet, so every wallet between lands there too), each price is that bracket's root, the
    very expression :func:`~margin_widgets.engine.formulas._solve` evaluates (so the same
    float), else the solver runs for each. NaN where there is no positive price.
    """
    p = account.positions[symbol]
    _, tmm, upnl = account._backing(p)
    table = account.table(symbol)
    s, q, ep = p.sign, p.quantity, p.entry_price
    _, low = _solve_in_brackets(s, q, ep, min(wallets), table, tmm, upnl)
    _, high = _solve_in_brackets(s, q, ep, max(wallets), table, tmm, upnl)
    denominator = q * low.maintenance_margin_rate - s * q
    if low.number == high.number and denominator != 0:
        # (WB + UPNL − s·Q·EP − TMM + cum) / (Q·MMR − s·Q), evaluated in _solve's order
        base, cum, inf = s * q * ep, low.maintenance_amount, math.inf
        roots = [(w + upnl - base - tmm + cum) / denominator for w in wallets]
        return [root if 0 < root < inf else math.nan for root in roots]
    prices = [_solve_in_brackets(s, q, ep, w, table, tmm, upnl)[0] for w in wallets]
    return [math.nan if price is None else price for price in prices]


def _stepped_funding_timeline(
    leverage: float, collateral: float, funding_rate: float, days: int
) -> FundingTimeline:
    """:func:`funding_timeline` by stepping both accounts through every interval (its reference)."""
    rate = _checks.number("funding_rate", funding_rate)
    return _stepped_run(
        lambda mode: book_account(mode, leverage, collateral), rate, _intervals(days)
    )


def _stepped_run(open_book: Callable[[str], Account], rate: float, n: int) -> FundingTimeline:
    """:func:`_funding_run` by stepping every interval with the full engine (its reference)."""
    out = FundingTimeline(days=[k / INTERVALS_PER_DAY for k in range(n + 1)])
    for mode in MODES:
        _step_mode(out, mode, open_book(mode), rate, n)
    return out


def _step_mode(out: FundingTimeline, mode: str, account: Account, rate: float, n: int) -> None:
    """Settle every interval on ``account`` with the full engine and record ``mode``'s series."""
    symbol = BOOK[0].symbol
    out.accounts[mode] = account
    for series in (out.liquidation, out.paid, out.wallet, out.maintenance, out.payments):
        series[mode] = []
    out.events[mode] = []
    out.event_index[mode] = []
    out.open[mode] = []
    paid = 0.0
    for k in range(n + 1):
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
