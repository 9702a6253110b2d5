"""A USDⓈ-M futures account with a cross wallet and cross or isolated positions.

:class:`Account` is the one mutable object of the engine. Every operation either succeeds
completely or raises a :class:`MarginError` (a ``ValueError``) and changes nothing. Updating a
mark price (or settling funding) liquidates whatever must be liquidated, and the liquidations are
appended to :attr:`Account.events` in the order they happen.

Rules implemented (Binance USDⓈ-M, one-way mode):

* the margin mode is chosen per symbol and can be switched only while the symbol has no open
  position;
* an isolated position has its own wallet (its collateral); a cross position shares the cross
  wallet with every other cross position;
* isolated margin may be removed only while the position's margin still covers its initial
  margin (unrealised profit cannot be taken out);
* funding is booked to the isolated wallet in isolated mode and to the cross wallet in cross mode;
* an isolated liquidation loses only that position's collateral (a deficit beyond it is absorbed
  by the insurance fund); a cross liquidation closes every cross position and takes the cross
  wallet.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import BracketTable, load_brackets
from margin_widgets.engine.formulas import _solve_in_brackets, funding_payment

__all__ = [
    "Account",
    "AccountSummary",
    "InsufficientMarginError",
    "LeverageError",
    "LiquidationEvent",
    "MarginError",
    "ModeSwitchError",
    "NoPositionError",
    "Position",
    "PositionSummary",
]


class MarginError(ValueError):
    """An operation the exchange's rules refuse; the account is left unchanged."""


class InsufficientMarginError(MarginError):
    """Not enough available balance or removable margin for the operation."""


class ModeSwitchError(MarginError):
    """The margin mode of a symbol cannot change while it has an open position."""


class NoPositionError(MarginError):
    """The operation needs an open position on the symbol and there is none."""


class LeverageError(MarginError):
    """The leverage is above the bracket's maximum or below 1."""


@dataclass(frozen=True)
class Position:
    """An open position (one per symbol, one-way mode).

    Attributes
    ----------
    symbol : str
        Exchange symbol, e.g. ``"BTCUSDT"``.
    side : {"long", "short"}
        Direction.
    quantity : float
        Absolute size in base units.
    entry_price : float
        Average entry price, USDT.
    leverage : float
        Leverage the position was opened with (sets its initial margin).
    margin_mode : {"cross", "isolated"}
        Margin mode of the symbol when the position was opened.
    isolated_wallet : float
        Collateral of an isolated position in USDT (initial margin + added − removed + funding);
        0 for a cross position.
    """

    symbol: str
    side: str
    quantity: float
    entry_price: float
    leverage: float
    margin_mode: str
    isolated_wallet: float = 0.0

    @property
    def sign(self) -> int:
        """+1 for a long, -1 for a short."""
        return _checks.SIDES[self.side]

    def unrealized_pnl(self, mark_price: float) -> float:
        """Unrealised PnL ``s·Q·(mark − EP)`` in USDT."""
        return self.sign * self.quantity * (mark_price - self.entry_price)


@dataclass(frozen=True)
class PositionSummary:
    """Everything a trading screen shows for one position (CCXT's unified position fields).

    ``margin_ratio`` and ``margin_balance`` are account-wide for a cross position and the
    position's own for an isolated one; ``collateral`` is the isolated wallet or the cross wallet.
    """

    symbol: str
    side: str
    margin_mode: str
    quantity: float
    entry_price: float
    mark_price: float
    leverage: float
    notional: float
    collateral: float
    initial_margin: float
    maintenance_margin: float
    maintenance_margin_rate: float
    maintenance_amount: float
    unrealized_pnl: float
    margin_balance: float
    margin_ratio: float
    effective_leverage: float
    return_on_equity: float
    liquidation_price: float | None
    bankruptcy_price: float | None


@dataclass(frozen=True)
class AccountSummary:
    """Account-wide figures: the cross side, the isolated wallets and the totals (USDT)."""

    cross_wallet_balance: float
    cross_unrealized_pnl: float
    cross_margin_balance: float
    cross_maintenance_margin: float
    cross_initial_margin: float
    cross_margin_ratio: float
    cross_notional: float
    effective_leverage: float
    isolated_wallet_balance: float
    available_balance: float
    total_wallet_balance: float
    total_margin_balance: float


@dataclass(frozen=True)
class LiquidationEvent:
    """One liquidation, in the order it happened.

    Attributes
    ----------
    sequence : int
        0 for the first liquidation of the account, then 1, 2, ...
    step : object
        The caller's label for the moment (a path step, a time); None if not given.
    margin_mode : {"isolated", "cross"}
        Isolated: one position. Cross: every cross position at once, with the cross wallet.
    symbols : tuple of str
        Positions closed by this liquidation.
    mark_prices : tuple of float
        Mark price of each closed position, USDT.
    realized_pnl : tuple of float
        PnL of each closed position at its mark, USDT.
    collateral_lost : float
        What the trader lost: the isolated wallet, or the cross wallet (USDT).
    deficit_absorbed : float
        Loss beyond the collateral, absorbed by the insurance fund (USDT, >= 0).
    surplus_to_insurance_fund : float
        Margin left at liquidation that goes to the insurance fund (USDT, >= 0).
    margin_ratio : float
        Margin ratio that triggered the liquidation (>= 1).
    """

    sequence: int
    step: Any
    margin_mode: str
    symbols: tuple[str, ...]
    mark_prices: tuple[float, ...]
    realized_pnl: tuple[float, ...]
    collateral_lost: float
    deficit_absorbed: float
    surplus_to_insurance_fund: float
    margin_ratio: float

    def describe(self) -> str:
        """One line for an event log, e.g. ``"#0 isolated BTCUSDT liquidated at 19,650.00 ..."``."""
        pairs = zip(self.symbols, self.mark_prices, strict=True)
        closed = ", ".join(f"{s} at {p:,.2f}" for s, p in pairs)
        where = f" (step {self.step})" if self.step is not None else ""
        text = (
            f"#{self.sequence}{where}: {self.margin_mode} liquidation of {closed}; "
            f"collateral lost {self.collateral_lost:,.2f} USDT"
        )
        if self.deficit_absorbed > 0:
            text += f"; insurance fund absorbed {self.deficit_absorbed:,.2f} USDT"
        return text


@dataclass
class Account:
    """A futures account: a cross wallet, a margin mode per symbol, positions and marks.

    Parameters
    ----------
    wallet_balance : float, default 0.0
        Cross wallet balance in USDT (the free collateral; isolated margin is held apart).
    brackets : dict of str to BracketTable, optional
        Bracket table per symbol; a symbol not given uses the newest shipped table.

    Examples
    --------
    >>> account = Account(wallet_balance=1_000)
    >>> account.set_margin_mode("isolated", "BTCUSDT")
    >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
    []
    >>> account.wallet_balance, account.position("BTCUSDT").isolated_wallet
    (600.0, 400.0)
    >>> round(account.liquidation_price("BTCUSDT"), 2)
    19678.71
    """

    wallet_balance: float = 0.0
    brackets: dict[str, BracketTable] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    margin_modes: dict[str, str] = field(default_factory=dict)
    leverages: dict[str, float] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)
    events: list[LiquidationEvent] = field(default_factory=list)
    insurance_fund_absorbed: float = 0.0
    insurance_fund_received: float = 0.0
    default_leverage: float = 20.0

    def __post_init__(self) -> None:
        self.wallet_balance = _checks.non_negative("wallet_balance", self.wallet_balance)

    # ------------------------------------------------------------------ look-ups
    def table(self, symbol: str) -> BracketTable:
        """Bracket table used for ``symbol``: the one given, else the newest shipped table.

        A look-up never changes the account (a refused operation must leave it as it was).
        """
        table = self.brackets.get(symbol)
        return table if table is not None else load_brackets(symbol)

    def margin_mode(self, symbol: str) -> str:
        """Margin mode of ``symbol`` (``"cross"`` unless set otherwise)."""
        return self.margin_modes.get(symbol, "cross")

    def leverage(self, symbol: str) -> float:
        """Leverage set for ``symbol`` (the default until set)."""
        return self.leverages.get(symbol, self.default_leverage)

    def position(self, symbol: str) -> Position:
        """The open position on ``symbol``; raises :class:`NoPositionError` if there is none."""
        try:
            return self.positions[symbol]
        except KeyError:
            raise NoPositionError(f"symbol {symbol!r} has no open position") from None

    def mark_price(self, symbol: str) -> float:
        """Current mark price of ``symbol`` in USDT."""
        try:
            return self.marks[symbol]
        except KeyError:
            raise ValueError(f"symbol {symbol!r} has no mark price; call update_mark") from None

    def _cross_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.margin_mode == "cross"]

    def _maintenance(self, position: Position) -> tuple[float, float, float]:
        """(maintenance margin, MMR, cum) of a position at its mark, bracket by notional."""
        value = position.quantity * self.marks[position.symbol]
        bracket = self.table(position.symbol).bracket_for(value)
        return (
            bracket.maintenance_margin(value),
            bracket.maintenance_margin_rate,
            bracket.maintenance_amount,
        )

    def _initial_margin(self, position: Position) -> float:
        return position.quantity * self.marks[position.symbol] / position.leverage

    # ------------------------------------------------------------------ account figures
    def cross_unrealized_pnl(self) -> float:
        """Signed unrealised PnL of all cross positions, USDT."""
        return sum((p.unrealized_pnl(self.marks[p.symbol]) for p in self._cross_positions()), 0.0)

    def cross_margin_balance(self) -> float:
        """Cross wallet + cross unrealised PnL, USDT."""
        return self.wallet_balance + self.cross_unrealized_pnl()

    def cross_maintenance_margin(self) -> float:
        """Total maintenance margin of all cross positions at their marks, USDT."""
        return sum((self._maintenance(p)[0] for p in self._cross_positions()), 0.0)

    def cross_margin_ratio(self) -> float:
        """Account margin ratio = cross maintenance margin / cross margin balance (1.0 = liq.).

        0 when there is no cross position; ``inf`` when the margin balance is at or below 0.
        """
        maintenance = self.cross_maintenance_margin()
        balance = self.cross_margin_balance()
        if maintenance == 0:
            return 0.0
        return maintenance / balance if balance > 0 else math.inf

    def available_balance(self) -> float:
        """Cross margin balance minus the initial margin of cross positions (never negative)."""
        initial = sum((self._initial_margin(p) for p in self._cross_positions()), 0.0)
        return max(0.0, min(self.wallet_balance, self.cross_margin_balance()) - initial)

    def isolated_margin_balance(self, symbol: str) -> float:
        """Isolated wallet + unrealised PnL of an isolated position, USDT."""
        p = self._isolated(symbol)
        return p.isolated_wallet + p.unrealized_pnl(self.marks[symbol])

    def isolated_margin_ratio(self, symbol: str) -> float:
        """Margin ratio of one isolated position (its maintenance margin / its margin balance)."""
        p = self._isolated(symbol)
        balance = self.isolated_margin_balance(symbol)
        maintenance = self._maintenance(p)[0]
        return maintenance / balance if balance > 0 else math.inf

    def margin_ratio(self, symbol: str) -> float:
        """The margin ratio that governs ``symbol``: its own if isolated, the account's if cross."""
        p = self.position(symbol)
        if p.margin_mode == "isolated":
            return self.isolated_margin_ratio(symbol)
        return self.cross_margin_ratio()

    def effective_leverage(self) -> float:
        """Cross notional / cross margin balance: the leverage the shared wallet carries."""
        total = sum((p.quantity * self.marks[p.symbol] for p in self._cross_positions()), 0.0)
        balance = self.cross_margin_balance()
        if total == 0:
            return 0.0
        return total / balance if balance > 0 else math.inf

    def max_removable_margin(self, symbol: str) -> float:
        """Largest amount of isolated margin that may be removed from ``symbol`` (USDT).

        The position must keep margin for its initial-margin requirement (notional at the mark
        over its leverage), and unrealised profit cannot be taken out.
        """
        p = self._isolated(symbol)
        upnl = p.unrealized_pnl(self.marks[symbol])
        usable = p.isolated_wallet + min(0.0, upnl)
        return max(0.0, usable - self._initial_margin(p))

    def liquidation_price(self, symbol: str) -> float | None:
        """Liquidation price of the position on ``symbol`` (None if no positive price).

        Isolated: the position's own wallet. Cross: the cross wallet, with every other cross
        position's maintenance margin and signed unrealised PnL at its mark. The bracket is
        re-selected at the liquidation price until stable.
        """
        return self._liquidation(self.position(symbol))

    def _liquidation(self, p: Position, ratio: float = 1.0) -> float | None:
        wallet, other_mm, other_pnl = self._backing(p)
        price, _ = _solve_in_brackets(
            p.sign,
            p.quantity,
            p.entry_price,
            wallet,
            self.table(p.symbol),
            other_mm,
            other_pnl,
            ratio,
        )
        return price

    def _backing(self, p: Position) -> tuple[float, float, float]:
        """(WB, TMM, UPNL) behind a position: its own wallet, or the cross wallet and the rest."""
        if p.margin_mode == "isolated":
            return p.isolated_wallet, 0.0, 0.0
        other_mm, other_pnl = 0.0, 0.0
        for other in self._cross_positions():
            if other.symbol != p.symbol:
                other_mm += self._maintenance(other)[0]
                other_pnl += other.unrealized_pnl(self.marks[other.symbol])
        return self.wallet_balance, other_mm, other_pnl

    def price_at_margin_ratio(self, symbol: str, margin_ratio: float) -> float | None:
        """Mark of ``symbol`` at which its governing margin ratio reaches ``margin_ratio``.

        The alert price: for an isolated position its own ratio (a per-position alert), for a
        cross position the account's ratio with every other position at its mark (one
        account-wide alert). ``margin_ratio = 1`` gives the liquidation price.

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
        []
        >>> round(account.price_at_margin_ratio("BTCUSDT", 0.8), 2)
        19095.48
        """
        ratio = _checks.number("margin_ratio", margin_ratio)
        if not 0 < ratio <= 1:
            raise ValueError(f"margin_ratio must be in (0, 1], got {margin_ratio!r}")
        return self._liquidation(self.position(symbol), ratio)

    def margin_ratio_at(self, symbol: str, mark_price: float) -> float:
        """The margin ratio governing ``symbol`` if its mark were ``mark_price`` (others as now).

        Nothing changes in the account. ``inf`` where the margin balance would be at or below
        zero.

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
        []
        >>> round(account.margin_ratio_at("BTCUSDT", 19_500), 4)
        0.156
        """
        return self.margin_ratio_curve(symbol, [mark_price])[0]

    def margin_ratio_curve(self, symbol: str, mark_prices: Sequence[float]) -> list[float]:
        """:meth:`margin_ratio_at` for many prices at once (a chart's curve)."""
        p = self.position(symbol)
        prices = [_checks.positive("mark_prices[]", price) for price in mark_prices]
        wallet, other_mm, other_pnl = self._backing(p)
        bracket_for = self.table(symbol).bracket_for
        backing = wallet + other_pnl
        s, q, ep = p.sign, p.quantity, p.entry_price
        ratios = []
        for price in prices:
            value = q * price
            maintenance = bracket_for(value).maintenance_margin(value) + other_mm
            balance = backing + s * q * (price - ep)
            ratios.append(maintenance / balance if balance > 0 else math.inf)
        return ratios

    def bankruptcy_price(self, symbol: str) -> float | None:
        """Price at which the margin behind ``symbol`` is exactly used up (None if <= 0)."""
        p = self.position(symbol)
        if p.margin_mode == "isolated":
            balance = p.isolated_wallet
        else:
            balance = self.wallet_balance + sum(
                o.unrealized_pnl(self.marks[o.symbol])
                for o in self._cross_positions()
                if o.symbol != symbol
            )
        price = p.entry_price - balance / (p.sign * p.quantity)
        return price if price > 0 else None

    def position_summary(self, symbol: str) -> PositionSummary:
        """All figures of the position on ``symbol`` (see :class:`PositionSummary`)."""
        p = self.position(symbol)
        mark = self.marks[symbol]
        value = p.quantity * mark
        maintenance, rate, amount = self._maintenance(p)
        upnl = p.unrealized_pnl(mark)
        initial = value / p.leverage
        if p.margin_mode == "isolated":
            collateral = p.isolated_wallet
            balance = p.isolated_wallet + upnl
            ratio = maintenance / balance if balance > 0 else math.inf
            leverage = value / balance if balance > 0 else math.inf
        else:
            collateral = self.wallet_balance
            balance = self.cross_margin_balance()
            ratio = self.cross_margin_ratio()
            leverage = self.effective_leverage()
        return PositionSummary(
            symbol=symbol,
            side=p.side,
            margin_mode=p.margin_mode,
            quantity=p.quantity,
            entry_price=p.entry_price,
            mark_price=mark,
            leverage=p.leverage,
            notional=value,
            collateral=collateral,
            initial_margin=initial,
            maintenance_margin=maintenance,
            maintenance_margin_rate=rate,
            maintenance_amount=amount,
            unrealized_pnl=upnl,
            margin_balance=balance,
            margin_ratio=ratio,
            effective_leverage=leverage,
            return_on_equity=upnl / (p.quantity * p.entry_price / p.leverage),
            liquidation_price=self._liquidation(p),
            bankruptcy_price=self.bankruptcy_price(symbol),
        )

    def summary(self) -> AccountSummary:
        """Account-wide figures (see :class:`AccountSummary`)."""
        isolated = sum((p.isolated_wallet for p in self.positions.values()), 0.0)
        isolated_pnl = sum(
            (
                p.unrealized_pnl(self.marks[p.symbol])
                for p in self.positions.values()
                if p.margin_mode == "isolated"
            ),
            0.0,
        )
        return AccountSummary(
            cross_wallet_balance=self.wallet_balance,
            cross_unrealized_pnl=self.cross_unrealized_pnl(),
            cross_margin_balance=self.cross_margin_balance(),
            cross_maintenance_margin=self.cross_maintenance_margin(),
            cross_initial_margin=sum(
                (self._initial_margin(p) for p in self._cross_positions()), 0.0
            ),
            cross_margin_ratio=self.cross_margin_ratio(),
            cross_notional=sum(
                (p.quantity * self.marks[p.symbol] for p in self._cross_positions()), 0.0
            ),
            effective_leverage=self.effective_leverage(),
            isolated_wallet_balance=isolated,
            available_balance=self.available_balance(),
            total_wallet_balance=self.wallet_balance + isolated,
            total_margin_balance=self.cross_margin_balance() + isolated + isolated_pnl,
        )

    # ------------------------------------------------------------------ settings
    def set_margin_mode(self, mode: str, symbol: str) -> None:
        """Set the margin mode of ``symbol`` (CCXT's ``set_margin_mode(mode, symbol)``).

        Raises
        ------
        ModeSwitchError
            If ``symbol`` has an open position: the exchange allows a switch only while the
            symbol has no open position (or open order), in either direction.
        """
        mode = _checks.margin_mode(mode)
        if symbol in self.positions and self.positions[symbol].margin_mode != mode:
            raise ModeSwitchError(
                f"cannot switch {symbol} to {mode} margin: it has an open "
                f"{self.positions[symbol].margin_mode} position; close it first"
            )
        self.table(symbol)
        self.margin_modes[symbol] = mode

    def set_leverage(self, leverage: float, symbol: str) -> None:
        """Set the leverage of ``symbol`` for new orders (CCXT's ``set_leverage``).

        Raises
        ------
        LeverageError
            If ``leverage`` is below 1 or above the bracket's maximum for the open notional.
        """
        leverage = self._check_leverage(symbol, leverage, self._open_notional(symbol))
        self.leverages[symbol] = leverage

    def _open_notional(self, symbol: str) -> float:
        p = self.positions.get(symbol)
        return p.quantity * self.marks[symbol] if p else 0.0

    def _check_leverage(self, symbol: str, leverage: object, notional_value: float) -> float:
        value = _checks.number("leverage", leverage)
        table = self.table(symbol)
        bracket = table.bracket_for(notional_value)
        if not 1 <= value <= bracket.max_leverage:
            raise LeverageError(
                f"leverage must be between 1 and {bracket.max_leverage:g} for a {symbol} "
                f"notional of {notional_value:,.2f} USDT (bracket {bracket.number}), "
                f"got {leverage!r}"
            )
        return value

    # ------------------------------------------------------------------ wallet
    def deposit(self, amount: float) -> None:
        """Add ``amount`` USDT to the cross wallet."""
        self.wallet_balance += _checks.positive("amount", amount)

    def withdraw(self, amount: float) -> None:
        """Take ``amount`` USDT out of the cross wallet (at most the available balance)."""
        amount = _checks.positive("amount", amount)
        available = self.available_balance()
        if amount > available + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= the available balance {available:,.2f} USDT, got {amount!r}"
            )
        self.wallet_balance -= amount

    # ------------------------------------------------------------------ trading
    def update_mark(self, symbol: str, price: float, step: Any = None) -> list[LiquidationEvent]:
        """Set the mark price of ``symbol`` and liquidate what must be liquidated.

        Returns the liquidation events this update caused (also appended to :attr:`events`).
        """
        return self.update_marks({symbol: price}, step=step)

    def update_marks(self, prices: dict[str, float], step: Any = None) -> list[LiquidationEvent]:
        """Set several mark prices at once, then liquidate (isolated first, then cross)."""
        checked = {s: _checks.positive(f"prices[{s!r}]", v) for s, v in prices.items()}
        self.marks.update(checked)
        return self.check_liquidations(step)

    def open_position(
        self,
        symbol: str,
        side: str,
        quantity: float,
        price: float | None = None,
        leverage: float | None = None,
    ) -> list[LiquidationEvent]:
        """Open a position, or increase one on the same side (the entry price is averaged).

        The order fills at ``price`` (which becomes the mark) or, if omitted, at the mark.
        Isolated mode moves the initial margin ``notional / leverage`` from the cross wallet to
        the position's isolated wallet; cross mode only needs it to be available. A fill that
        moves the mark is followed by the usual liquidation check, whose events are returned
        (usually none).

        Raises
        ------
        MarginError
            If the side is opposite to the open position (reduce or close it instead), the
            leverage is not allowed for the new notional, or the available balance does not
            cover the initial margin.
        """
        sign = _checks.side_sign(side)
        quantity = _checks.positive("quantity", quantity)
        if price is None:
            fill = self.mark_price(symbol)
        else:
            fill = _checks.positive("price", price)
        existing = self.positions.get(symbol)
        if existing is not None and existing.sign != sign:
            raise MarginError(
                f"side must be {existing.side!r} to add to the open {symbol} position, got "
                f"{side!r}; use reduce_position or close_position to trade against it"
            )
        mode = existing.margin_mode if existing else self.margin_mode(symbol)
        if leverage is None:
            leverage = existing.leverage if existing else self.leverage(symbol)
        total_quantity = quantity + (existing.quantity if existing else 0.0)
        lev = self._check_leverage(symbol, leverage, total_quantity * fill)
        margin = quantity * fill / lev
        previous_mark = self.marks.get(symbol)
        self.marks[symbol] = fill
        try:
            available = self.available_balance()
        finally:
            if previous_mark is None:
                del self.marks[symbol]
            else:
                self.marks[symbol] = previous_mark
        if margin > available + 1e-9:
            raise InsufficientMarginError(
                f"quantity {quantity!r} at {fill:,.2f} with {lev:g}x needs {margin:,.2f} USDT of "
                f"initial margin; the available balance is {available:,.2f} USDT"
            )
        if existing is None:
            entry = fill
            wallet = margin if mode == "isolated" else 0.0
        else:
            entry = (existing.quantity * existing.entry_price + quantity * fill) / total_quantity
            wallet = existing.isolated_wallet + (margin if mode == "isolated" else 0.0)
        self.marks[symbol] = fill
        if mode == "isolated":
            self.wallet_balance -= margin
        self.margin_modes.setdefault(symbol, mode)
        self.leverages[symbol] = lev
        self.positions[symbol] = Position(symbol, side, total_quantity, entry, lev, mode, wallet)
        return self.check_liquidations()

    def reduce_position(self, symbol: str, quantity: float) -> float:
        """Close ``quantity`` of the position at the mark; returns the realised PnL (USDT).

        The PnL goes to the cross wallet. For an isolated position the same fraction of its
        isolated wallet is released to the cross wallet.
        """
        p = self.position(symbol)
        quantity = _checks.positive("quantity", quantity)
        if quantity > p.quantity * (1 + 1e-12):
            raise MarginError(
                f"quantity must be <= the open size {p.quantity:g} of {symbol}, got {quantity!r}"
            )
        quantity = min(quantity, p.quantity)
        mark = self.marks[symbol]
        realized = p.sign * quantity * (mark - p.entry_price)
        fraction = quantity / p.quantity
        released = p.isolated_wallet * fraction
        remaining = p.quantity - quantity
        self.wallet_balance += realized + released
        if remaining <= p.quantity * 1e-12:
            del self.positions[symbol]
        else:
            self.positions[symbol] = replace(
                p, quantity=remaining, isolated_wallet=p.isolated_wallet - released
            )
        return realized

    def close_position(self, symbol: str) -> float:
        """Close the whole position at the mark; returns the realised PnL (USDT)."""
        return self.reduce_position(symbol, self.position(symbol).quantity)

    def _isolated(self, symbol: str) -> Position:
        p = self.position(symbol)
        if p.margin_mode != "isolated":
            raise MarginError(f"symbol {symbol!r} is in cross margin mode; margin is shared")
        return p

    def add_margin(self, symbol: str, amount: float) -> None:
        """Move ``amount`` USDT from the cross wallet into an isolated position's margin."""
        p = self._isolated(symbol)
        amount = _checks.positive("amount", amount)
        available = self.available_balance()
        if amount > available + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= the available balance {available:,.2f} USDT, got {amount!r}"
            )
        self.wallet_balance -= amount
        self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet + amount)

    def reduce_margin(self, symbol: str, amount: float) -> None:
        """Move ``amount`` USDT of an isolated position's margin back to the cross wallet.

        Raises
        ------
        InsufficientMarginError
            If ``amount`` exceeds :meth:`max_removable_margin`: the position must still meet
            its initial-margin requirement.
        """
        p = self._isolated(symbol)
        amount = _checks.positive("amount", amount)
        limit = self.max_removable_margin(symbol)
        if amount > limit + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= {limit:,.2f} USDT for {symbol}: the position must keep its "
                f"initial margin of {self._initial_margin(p):,.2f} USDT, got {amount!r}"
            )
        self.wallet_balance += amount
        self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet - amount)

    def transfer(self, amount: float, source: str, destination: str) -> None:
        """Transfer USDT between the cross wallet (``"cross"``) and an isolated position.

        ``transfer(100, "cross", "BTCUSDT")`` adds margin to the isolated BTCUSDT position;
        ``transfer(100, "BTCUSDT", "cross")`` removes it; between two isolated positions the
        amount passes through the cross wallet, and is refused whole if either leg is refused.
        """
        if source == destination:
            raise MarginError(f"destination must differ from source, got {destination!r} twice")
        if source == "cross":
            self.add_margin(destination, amount)
        elif destination == "cross":
            self.reduce_margin(source, amount)
        else:
            trial = copy.deepcopy(self)
            trial.reduce_margin(source, amount)
            trial.add_margin(destination, amount)
            self.reduce_margin(source, amount)
            self.add_margin(destination, amount)

    def settle_funding(
        self, symbol: str, funding_rate: float, step: Any = None
    ) -> tuple[float, list[LiquidationEvent]]:
        """Settle one funding interval for ``symbol`` at its mark; returns (payment, events).

        The payment (``mark × Q × rate``, paid by longs when the rate is positive) goes to the
        isolated wallet in isolated mode and to the cross wallet in cross mode. Liquidations it
        causes are returned and recorded.
        """
        p = self.position(symbol)
        payment = funding_payment(p.side, p.quantity, self.marks[symbol], funding_rate)
        if p.margin_mode == "isolated":
            self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet + payment)
        else:
            self.wallet_balance += payment
        return payment, self.check_liquidations(step)

    # ------------------------------------------------------------------ liquidation
    def check_liquidations(self, step: Any = None) -> list[LiquidationEvent]:
        """Liquidate every isolated position, then the cross account, that is at or past 100 %."""
        new: list[LiquidationEvent] = []
        for symbol in sorted(self.positions):
            p = self.positions[symbol]
            if p.margin_mode != "isolated":
                continue
            mark = self.marks[symbol]
            pnl = p.unrealized_pnl(mark)
            balance = p.isolated_wallet + pnl
            maintenance = self._maintenance(p)[0]
            if (balance <= maintenance and maintenance > 0) or balance <= 0:
                new.append(
                    self._record(
                        step,
                        "isolated",
                        [p],
                        [pnl],
                        collateral=p.isolated_wallet,
                        balance=balance,
                        ratio=maintenance / balance if balance > 0 else math.inf,
                    )
                )
                del self.positions[symbol]
        cross = sorted(
            self._cross_positions(), key=lambda q: q.unrealized_pnl(self.marks[q.symbol])
        )
        if cross:
            maintenance = self.cross_maintenance_margin()
            balance = self.cross_margin_balance()
            if (balance <= maintenance and maintenance > 0) or balance <= 0:
                pnls = [q.unrealized_pnl(self.marks[q.symbol]) for q in cross]
                new.append(
                    self._record(
                        step,
                        "cross",
                        cross,
                        pnls,
                        collateral=self.wallet_balance,
                        balance=balance,
                        ratio=maintenance / balance if balance > 0 else math.inf,
                    )
                )
                for q in cross:
                    del self.positions[q.symbol]
                self.wallet_balance = 0.0
        return new

    def _record(
        self,
        step: Any,
        mode: str,
        closed: list[Position],
        pnls: list[float],
        collateral: float,
        balance: float,
        ratio: float,
    ) -> LiquidationEvent:
        event = LiquidationEvent(
            sequence=len(self.events),
            step=step,
            margin_mode=mode,
            symbols=tuple(p.symbol for p in closed),
            mark_prices=tuple(self.marks[p.symbol] for p in closed),
            realized_pnl=tuple(pnls),
            collateral_lost=collateral,
            deficit_absorbed=max(0.0, -balance),
            surplus_to_insurance_fund=max(0.0, balance),
            margin_ratio=ratio,
        )
        self.insurance_fund_absorbed += event.deficit_absorbed
        self.insurance_fund_received += event.surplus_to_insurance_fund
        self.events.append(event)
        return event

    # ------------------------------------------------------------------ state
    def copy(self) -> Account:
        """An independent copy, for what-if questions that must not touch this account."""
        return copy.deepcopy(self)

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain data (bracket tables by symbol and date), for comparison."""
        state = asdict(self)
        state["brackets"] = {s: t.effective_date for s, t in self.brackets.items()}
        return state
