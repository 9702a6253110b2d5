"""Maintenance margin brackets (leverage tiers), shipped as dated data and validated on load.

A bracket table lists, for one symbol on one date, the notional ranges, the maximum leverage,
the maintenance margin rate (MMR) and the maintenance amount (``cum``) of each bracket. The
bracket is chosen by the position's **notional**, not by its margin. ``cum`` follows the
recurrence ``cum_n = floor_n × (MMR_n − MMR_(n−1)) + cum_(n−1)``, ``cum_1 = 0``, which keeps the
maintenance margin continuous across bracket edges. Binance's tables live as JSON files in
``margin_widgets/data/binance/`` named ``SYMBOL_YYYY-MM-DD.json`` (other exchanges' folders under
``margin_widgets/data/`` are not read here).

A table is in force from its ``effective_date`` until the next table of the symbol takes effect,
or until its optional ``in_force_until`` date (exclusive) when a source records its end; the
newest table is open-ended. A date that no shipped table covers is refused, never answered by
a neighbouring table.
"""

from __future__ import annotations

import bisect
import datetime
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from margin_widgets.engine import _checks

__all__ = [
    "Bracket",
    "BracketTable",
    "BracketTableError",
    "available_bracket_tables",
    "bracket_table_periods",
    "load_brackets",
]

_CUM_TOLERANCE = 1e-6  # USDT; tables quote cum to the cent or better


class BracketTableError(ValueError):
    """A bracket table is malformed (gaps, falling rates, or ``cum`` off the recurrence)."""


@dataclass(frozen=True)
class Bracket:
    """One maintenance bracket (a CCXT "leverage tier").

    Attributes
    ----------
    number : int
        Bracket number, starting at 1.
    min_notional : float
        Notional floor in USDT (exclusive, except 0 for the first bracket).
    max_notional : float
        Notional cap in USDT (inclusive).
    max_leverage : float
        Highest leverage allowed for a position whose notional is in this bracket.
    maintenance_margin_rate : float
        MMR as a fraction.
    maintenance_amount : float
        ``cum`` in USDT.
    """

    number: int
    min_notional: float
    max_notional: float
    max_leverage: float
    maintenance_margin_rate: float
    maintenance_amount: float

    def contains(self, notional_value: float) -> bool:
        """Whether ``notional_value`` (USDT) falls in this bracket: ``floor < n <= cap``."""
        if self.number == 1:
            return 0 <= notional_value <= self.max_notional
        return self.min_notional < notional_value <= self.max_notional

    def maintenance_margin(self, notional_value: float) -> float:
        """Maintenance margin ``notional × MMR − cum`` in USDT for a notional in this bracket."""
        return notional_value * self.maintenance_margin_rate - self.maintenance_amount


@dataclass(frozen=True)
class BracketTable:
    """The dated bracket table of one symbol.

    Attributes
    ----------
    symbol : str
        Exchange symbol, e.g. ``"BTCUSDT"``.
    effective_date : str
        ISO date from which the table applied.
    source : str
        Where the numbers come from.
    brackets : tuple of Bracket
        The brackets in increasing notional order.
    """

    symbol: str
    effective_date: str
    source: str
    brackets: tuple[Bracket, ...]
    _caps: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _rates: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _amounts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        validate_brackets(self.brackets, self.symbol, self.effective_date)
        object.__setattr__(self, "_caps", tuple(b.max_notional for b in self.brackets))
        object.__setattr__(self, "_rates", tuple(b.maintenance_margin_rate for b in self.brackets))
        object.__setattr__(self, "_amounts", tuple(b.maintenance_amount for b in self.brackets))

    @property
    def max_notional(self) -> float:
        """Largest notional (USDT) the table allows."""
        return self._caps[-1]

    def bracket_for(self, notional_value: float) -> Bracket:
        """Bracket whose range holds ``notional_value`` (USDT).

        Notionals above the last cap (up to ``inf``) get the last bracket (the exchange would
        refuse the order; the margin maths stays defined). A negative or NaN notional raises
        ValueError naming ``notional_value``.

        Examples
        --------
        2021 BTCUSDT table: a 264,000 USDT position has MMR 1 %.

        >>> load_brackets("BTCUSDT", "2021-03-18").bracket_for(264_000).maintenance_margin_rate
        0.01
        """
        if not notional_value >= 0:  # also NaN
            raise ValueError(f"notional_value must be a number >= 0, got {notional_value!r}")
        index = bisect.bisect_left(self._caps, notional_value)
        return self.brackets[min(index, len(self.brackets) - 1)]

    def maintenance_margin(self, notional_value: float) -> float:
        """Maintenance margin in USDT of a position with this notional (its own bracket).

        Examples
        --------
        >>> load_brackets("BTCUSDT", "2021-03-18").maintenance_margin(500_000)
        3700.0
        """
        notional_value = _checks.non_negative("notional_value", notional_value)
        return self.bracket_for(notional_value).maintenance_margin(notional_value)

    def max_leverage(self, notional_value: float) -> float:
        """Maximum leverage allowed for a position of this notional (USDT)."""
        return self.bracket_for(_checks.non_negative("notional_value", notional_value)).max_leverage

    def max_notional_for_leverage(self, leverage: float) -> float:
        """Largest notional (USDT) that may be opened at ``leverage``.

        Examples
        --------
        >>> load_brackets("BTCUSDT", "2024-10-24").max_notional_for_leverage(100)
        600000.0
        """
        leverage = _checks.number("leverage", leverage)
        if leverage < 1:
            raise ValueError(f"leverage must be >= 1, got {leverage!r}")
        allowed = [b.max_notional for b in self.brackets if b.max_leverage >= leverage]
        if not allowed:
            top = self.brackets[0].max_leverage
            raise ValueError(
                f"leverage must be <= {top:g} for {self.symbol} ({self.effective_date}), "
                f"got {leverage!r}"
            )
        return max(allowed)

    def max_leverage_for_margin(self, margin: float) -> int:
        """Highest whole leverage at which ``margin`` USDT may open a position.

        The notional ``margin × leverage`` must stay within the notional the bracket table allows
        at that leverage (:meth:`max_notional_for_leverage`); 1 when no higher leverage fits.

        Examples
        --------
        >>> table = load_brackets("BTCUSDT", "2024-10-24")
        >>> table.max_leverage_for_margin(1_000), table.max_leverage_for_margin(10_000)
        (100, 75)
        """
        margin = _checks.positive("margin", margin)
        lev = int(self.brackets[0].max_leverage)
        while lev > 1 and margin * lev > self.max_notional_for_leverage(lev):
            lev -= 1
        return lev

    def to_dict(self) -> dict[str, Any]:
        """The table as plain JSON-ready data (the shape of the files in ``data/binance``)."""
        return {
            "symbol": self.symbol,
            "effective_date": self.effective_date,
            "source": self.source,
            "brackets": [
                {
                    "bracket": b.number,
                    "notional_floor": b.min_notional,
                    "notional_cap": b.max_notional,
                    "max_leverage": b.max_leverage,
                    "maintenance_margin_rate": b.maintenance_margin_rate,
                    "maintenance_amount": b.maintenance_amount,
                }
                for b in self.brackets
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BracketTable:
        """Build and validate a table from data shaped like the files in ``data/binance``."""
        try:
            rows = data["brackets"]
            brackets = tuple(
                Bracket(
                    number=int(row["bracket"]),
                    min_notional=float(row["notional_floor"]),
                    max_notional=float(row["notional_cap"]),
                    max_leverage=float(row["max_leverage"]),
                    maintenance_margin_rate=float(row["maintenance_margin_rate"]),
                    maintenance_amount=float(row["maintenance_amount"]),
                )
                for row in rows
            )
            return cls(
                symbol=str(data["symbol"]),
                effective_date=str(data["effective_date"]),
                source=str(data.get("source", "")),
                brackets=brackets,
            )
        except (KeyError, TypeError) as exc:
            raise BracketTableError(f"bracket table data is malformed: missing {exc}") from exc


def validate_brackets(brackets: tuple[Bracket, ...], symbol: str, date: str) -> None:
    """Check a table: numbered from 1, contiguous, rising rates, falling leverage, ``cum`` rule.

    Raises
    ------
    BracketTableError
        Naming the table and the first bracket that breaks a rule.
    """
    where = f"bracket table {symbol} {date}"
    if not brackets:
        raise BracketTableError(f"{where}: has no brackets")
    previous: Bracket | None = None
    for index, b in enumerate(brackets):
        label = f"{where}, bracket {b.number}"
        if b.number != index + 1:
            raise BracketTableError(f"{label}: expected bracket number {index + 1}")
        if not 0 <= b.maintenance_margin_rate < 1:
            raise BracketTableError(f"{label}: maintenance_margin_rate must be in [0, 1)")
        if not b.max_notional > b.min_notional >= 0:
            raise BracketTableError(f"{label}: notional cap must exceed its floor (>= 0)")
        if b.max_leverage < 1:
            raise BracketTableError(f"{label}: max_leverage must be >= 1")
        if previous is None:
            expected_cum = 0.0
            if b.min_notional != 0:
                raise BracketTableError(f"{label}: the first bracket must start at 0")
        else:
            if b.min_notional != previous.max_notional:
                raise BracketTableError(
                    f"{label}: floor {b.min_notional:g} does not meet the previous cap "
                    f"{previous.max_notional:g}"
                )
            if b.maintenance_margin_rate < previous.maintenance_margin_rate:
                raise BracketTableError(f"{label}: maintenance_margin_rate falls")
            if b.max_leverage > previous.max_leverage:
                raise BracketTableError(f"{label}: max_leverage rises")
            expected_cum = (
                b.min_notional * (b.maintenance_margin_rate - previous.maintenance_margin_rate)
                + previous.maintenance_amount
            )
        if abs(b.maintenance_amount - expected_cum) > _CUM_TOLERANCE * max(1.0, expected_cum):
            raise BracketTableError(
                f"{label}: maintenance_amount {b.maintenance_amount:g} breaks the recurrence "
                f"cum_n = floor_n × (MMR_n − MMR_(n−1)) + cum_(n−1), which gives {expected_cum:g}"
            )
        previous = b


_EXCHANGE = "binance"


def _folder() -> Any:
    return resources.files("margin_widgets") / "data" / _EXCHANGE


def _table_files() -> dict[tuple[str, str], str]:
    files: dict[tuple[str, str], str] = {}
    for entry in _folder().iterdir():
        name = entry.name
        if name.endswith(".json") and "_" in name:
            symbol, date = name[: -len(".json")].split("_", 1)
            files[(symbol, date)] = name
    return files


def _iso_date(value: object) -> str:
    """``YYYY-MM-DD`` of a date, a datetime or an ISO date string; ValueError otherwise."""
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"date must be an ISO date 'YYYY-MM-DD', got {value!r}") from None


def available_bracket_tables() -> list[tuple[str, str]]:
    """Every shipped table as ``(symbol, effective_date)``, sorted.

    Examples
    --------
    >>> ("BTCUSDT", "2021-03-18") in available_bracket_tables()
    True
    """
    return sorted(_table_files())


@cache
def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_folder() / name).read_text(encoding="utf-8"))
    return data


def _periods(symbol: str, files: dict[tuple[str, str], str]) -> list[tuple[str, str | None, str]]:
    """``(start, end or None, file)`` of each table of ``symbol`` (in force on start <= d < end)."""
    dates = sorted(d for s, d in files if s == symbol)
    periods: list[tuple[str, str | None, str]] = []
    for index, start in enumerate(dates):
        name = files[(symbol, start)]
        end = dates[index + 1] if index + 1 < len(dates) else None
        until = _read(name).get("in_force_until")
        if until is not None:
            until = _iso_date(until)
            if until <= start:
                raise BracketTableError(
                    f"bracket table {symbol} {start}: in_force_until {until} is not after it"
                )
            end = until if end is None else min(end, until)
        periods.append((start, end, name))
    return periods


def bracket_table_periods(symbol: str) -> list[tuple[str, str | None]]:
    """The periods the shipped tables of ``symbol`` cover, as ``(first day, end)`` pairs.

    A table is in force from its first day until ``end`` (exclusive); ``end`` is None for the
    newest, open-ended table.

    Parameters
    ----------
    symbol : str
        Exchange symbol, e.g. ``"BTCUSDT"``.

    Returns
    -------
    list of (str, str or None)
        ISO dates ``YYYY-MM-DD``, oldest period first; empty for a symbol with no table.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (tables change over time; see each file's
    ``source``).

    Examples
    --------
    >>> bracket_table_periods("ETHUSDT")
    [('2024-10-24', None)]
    """
    return [(start, end) for start, end, _ in _periods(symbol, _table_files())]


def _describe(symbol: str, periods: list[tuple[str, str | None, str]]) -> str:
    spans = [
        f"from {start} on" if end is None else f"{start} to before {end}"
        for start, end, _ in periods
    ]
    return f"{symbol} tables cover " + "; ".join(spans)


@cache
def load_brackets(symbol: str = "BTCUSDT", date: str | None = None) -> BracketTable:
    """Load a shipped Binance bracket table, validated.

    Parameters
    ----------
    symbol : str, default "BTCUSDT"
        Exchange symbol; shipped: ``BTCUSDT`` and ``ETHUSDT``.
    date : str, optional
        ISO date ``YYYY-MM-DD``: the table in force on that date. Default: the newest table.

    Returns
    -------
    BracketTable

    Raises
    ------
    ValueError
        If no table is shipped for the symbol, ``date`` is not an ISO date, or no shipped table
        was in force on ``date`` (before the first one, or in a gap between a table's recorded
        end and the next); the message names the periods the tables cover.
    BracketTableError
        If a shipped file is malformed or breaks the bracket rules (checked on every load).

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (brackets, maintenance amount).

    Examples
    --------
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> table.bracket_for(500_000).maintenance_amount
    1300.0
    """
    files = _table_files()
    periods = _periods(symbol, files) if isinstance(symbol, str) else []
    if not periods:
        symbols = sorted({s for s, _ in files})
        raise ValueError(f"symbol must be one of {symbols}, got {symbol!r}")
    if date is None:
        name = periods[-1][2]
    else:
        day = _iso_date(date)
        matches = [n for start, end, n in periods if start <= day and (end is None or day < end)]
        if not matches:
            raise ValueError(
                f"date must fall in a period a shipped table covers ({_describe(symbol, periods)}),"
                f" got {date!r}"
            )
        name = matches[0]
    data = _read(name)
    table = BracketTable.from_dict(data)
    expected = name[: -len(".json")].split("_", 1)
    if [table.symbol, table.effective_date] != expected:
        raise BracketTableError(
            f"bracket file {name} holds {table.symbol} {table.effective_date}: the file name and "
            f"its symbol and effective_date must agree"
        )
    return table
