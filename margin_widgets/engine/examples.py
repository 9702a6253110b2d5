"""The example book the explorers and lessons share: one BTCUSDT and one ETHUSDT long.

Defined once here; the flagship explorer, the funding timeline, the price-path player and the
lessons open it with :func:`book_account`.

======================  ==================================================================
BTC leg                 long 0.5 BTC at 60,000 USDT (notional 30,000)
ETH leg                 long 5 ETH at 3,000 USDT (notional 15,000)
wallet                  5,000 USDT
leverage                20x
======================  ==================================================================

>>> BTC.notional, ETH.notional, WALLET, LEVERAGE
(30000.0, 15000.0, 5000.0, 20)
"""

from __future__ import annotations

from dataclasses import dataclass

from margin_widgets.engine import _checks
from margin_widgets.engine.account import Account
from margin_widgets.engine.brackets import BracketTable, load_brackets

__all__ = ["BOOK", "BTC", "ETH", "LEVERAGE", "WALLET", "ExampleLeg", "book_account"]


@dataclass(frozen=True)
class ExampleLeg:
    """One position of the example book.

    Attributes
    ----------
    symbol : str
        Symbol, e.g. ``"BTCUSDT"``.
    side : {"long", "short"}
        Direction.
    quantity : float
        Size in base units (BTC, ETH).
    entry_price : float
        Entry price, USDT.
    """

    symbol: str
    side: str
    quantity: float
    entry_price: float

    @property
    def notional(self) -> float:
        """``quantity × entry_price``, USDT."""
        return self.quantity * self.entry_price


#: The BTCUSDT leg: long 0.5 BTC at 60,000 USDT.
BTC = ExampleLeg("BTCUSDT", "long", 0.5, 60_000.0)
#: The ETHUSDT leg: long 5 ETH at 3,000 USDT.
ETH = ExampleLeg("ETHUSDT", "long", 5.0, 3_000.0)
#: Both legs, BTCUSDT first (the one the explorers chart).
BOOK: tuple[ExampleLeg, ...] = (BTC, ETH)
#: The wallet before the positions are opened, USDT.
WALLET = 5_000.0
#: The leverage both legs are opened with.
LEVERAGE = 20


def book_account(
    mode: str,
    leverage: float = LEVERAGE,
    wallet_balance: float = WALLET,
    *,
    side: str = BTC.side,
    quantity: float = BTC.quantity,
    entry_price: float = BTC.entry_price,
    other_quantity: float = ETH.quantity,
    other_move: float = 0.0,
    brackets: BracketTable | None = None,
    other_brackets: BracketTable | None = None,
) -> Account:
    """An account holding the example book, both legs in ``mode``, opened at ``leverage``.

    The BTCUSDT leg is opened first (``side``, ``quantity`` at ``entry_price``), then the
    ETHUSDT long of ``other_quantity`` at 3,000 USDT (none when 0) with the same leverage, or the
    ETH bracket's maximum for its notional when that is lower. Finally the ETH mark moves by
    ``other_move`` (a fraction of its entry), which may liquidate what the move breaks.

    Parameters
    ----------
    mode : {"isolated", "cross"}
        Margin mode of both legs.
    leverage : float, default 20
        Leverage of the BTC leg, in [1, the bracket maximum for its notional].
    wallet_balance : float, default 5,000
        The wallet before opening, USDT.
    side, quantity, entry_price
        The BTC leg (default long 0.5 BTC at 60,000 USDT).
    other_quantity : float, default 5
        ETH quantity, >= 0 (0: no ETH leg).
    other_move : float, default 0
        Move of the ETH mark from its entry, as a fraction > -1.
    brackets, other_brackets : BracketTable, optional
        BTCUSDT and ETHUSDT tables (default: the newest shipped ones).

    Returns
    -------
    Account
        The account after the opening fills and the ETH mark move.

    Raises
    ------
    MarginError
        When the exchange refuses to open a leg (the wallet cannot cover the initial margin, or
        the leverage is above the bracket maximum).
    ValueError
        For a bad mode, side, quantity, price or move.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (initial margin = notional / leverage,
    maximum leverage by notional bracket).

    Examples
    --------
    Isolated at 20x: the BTC leg holds 30,000 / 20 = 1,500 USDT, the ETH leg 15,000 / 20 = 750,
    and 5,000 − 1,500 − 750 = 2,750 stays in the wallet:

    >>> account = book_account("isolated")
    >>> account.position("BTCUSDT").isolated_wallet, account.wallet_balance
    (1500.0, 2750.0)
    """
    mode = _checks.margin_mode(mode, "mode")
    leverage = _checks.number("leverage", leverage)  # its range: the account's own rule
    other_quantity = _checks.non_negative("other_quantity", other_quantity)
    move = _checks.number("other_move", other_move)
    if move <= -1:
        raise ValueError(f"other_move must be > -1 (a fraction of the entry), got {other_move!r}")
    table = brackets if brackets is not None else load_brackets(BTC.symbol)
    other_table = other_brackets if other_brackets is not None else load_brackets(ETH.symbol)
    account = Account(
        wallet_balance=wallet_balance, brackets={BTC.symbol: table, ETH.symbol: other_table}
    )
    account.set_margin_mode(mode, BTC.symbol)
    account.set_margin_mode(mode, ETH.symbol)
    account.open_position(BTC.symbol, side, quantity, price=entry_price, leverage=leverage)
    if other_quantity > 0:
        cap = other_table.max_leverage(other_quantity * ETH.entry_price)
        account.open_position(
            ETH.symbol,
            ETH.side,
            other_quantity,
            price=ETH.entry_price,
            leverage=min(float(leverage), cap),
        )
        if move != 0:
            account.update_mark(ETH.symbol, ETH.entry_price * (1 + move))
    return account
