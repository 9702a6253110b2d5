"""The registry of explorers: one place that names every explorer of the package.

Each :class:`Entry` says where an explorer lives (module and class), what it shows (one line),
which lessons use it, and which extreme control values exercise it (for the contract tests in
``tests/widgets/test_contract.py``, which run over every registered explorer). The package's lazy
imports (``margin_widgets.__getattr__`` and ``margin_widgets.widgets.__getattr__``), the README's
explorer table (:func:`explorer_table`) and the tests all read this registry, so a new explorer
is added by adding one :class:`Entry` to :data:`ENTRIES` (or by calling :func:`register`).

This module is pure standard library: it imports neither ipywidgets nor numpy, so the registry
can be read where the chart libraries are missing (JupyterLite offline).

Examples
--------
>>> entry("MarginModeExplorer").module
'margin_widgets.widgets.margin_mode'
>>> "01-margin-leverage-liquidation" in entry("MarginModeExplorer").lessons
True
>>> names()[:2]
('MarginModeExplorer', 'IsolatedMarginAdjuster')
>>> entry("Nope")
Traceback (most recent call last):
...
ValueError: no explorer is registered as 'Nope'; registered explorers are MarginModeExplorer, \
IsolatedMarginAdjuster, CorrelationStress, FundingTimeline, BracketExplorer, PricePathPlayer, \
SpotMarginLevel, HedgeModeExplorer, ExchangeComparer, LiquidationProcess, MultiAssetsCollateral, \
PathStress
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ENTRIES",
    "Entry",
    "entry",
    "explorer_table",
    "load",
    "names",
    "register",
]

Extremes = Callable[[], tuple[Mapping[str, Any], ...]]


def _no_extremes() -> tuple[Mapping[str, Any], ...]:
    return ()


@dataclass(frozen=True)
class Entry:
    """One registered explorer.

    Attributes
    ----------
    name : str
        The class name, also the public name (``margin_widgets.<name>``).
    module : str
        The dotted module that defines the class.
    description : str
        One line: what the explorer shows (the README's explorer table uses it).
    lessons : tuple of str
        The course notebooks (file stems under ``notebooks/``) that use the explorer.
    extremes : callable
        ``extremes()`` returns a tuple of control-value dicts at the edges of the explorer's
        ranges (each a valid constructor ``**values``); the contract tests build the explorer
        with each and check that errors reach the status line, never a traceback.
    """

    name: str
    module: str
    description: str
    lessons: tuple[str, ...] = ()
    extremes: Extremes = field(default=_no_extremes, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", self.name):
            raise ValueError(f"name must be a CamelCase class name, got {self.name!r}")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+", self.module):
            raise ValueError(f"module must be a dotted module path, got {self.module!r}")
        if not self.description or "\n" in self.description:
            raise ValueError(f"description must be one non-empty line, got {self.description!r}")

    def load(self) -> type:
        """Import the module and return the class (raises ImportError where it cannot load)."""
        cls: type = getattr(importlib.import_module(self.module), self.name)
        return cls


def _flagship_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"leverage": 125, "quantity": 0.001, "collateral": 10.0},
        {"side": "short", "entry_price": 200_000.0, "leverage": 1, "collateral": 100_000.0},
        {"quantity": 50.0, "leverage": 1, "collateral": 100_000.0},
        {"entry_price": 1_000.0, "quantity": 0.001, "other_quantity": 100.0, "other_move": -0.5},
        {"side": "short", "other_quantity": 0.0, "other_move": 0.5, "collateral": 10.0},
        {"exchange": "bybit", "side": "short", "leverage": 100, "collateral": 10.0},
        {"exchange": "okx", "quantity": 50.0, "leverage": 1},
    )


def _adjuster_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"leverage": 125, "collateral": 10.0, "margin_added": 0.0},
        {"leverage": 1, "quantity": 50.0, "entry_price": 200_000.0, "collateral": 100_000.0},
        {"entry_price": 1_000.0, "quantity": 0.001, "mark_price": 500.0},
    )


def _correlation_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"correlation": -1.0, "leverage": 100, "shock": 0.3, "n_scenarios": 500, "seed": 999_999},
        {"n_assets": 3, "correlation": 1.0, "leverage": 1, "collateral": 10_000.0, "shock": 0.01},
        {"n_assets": 3, "correlation": -0.5, "n_scenarios": 500},
    )


def _funding_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"leverage": 125, "collateral": 500.0, "funding_rate": 0.003, "days": 90, "day": 90},
        {"leverage": 125, "funding_rate": -0.003, "days": 1, "day": 0},
        {"collateral": 50_000.0, "funding_rate": 0.0, "days": 90, "day": 45},
    )


def _bracket_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"symbol": "BTCUSDT", "notional": 100.0, "leverage": 1, "collateral": 10.0},
        {"symbol": "ETHUSDT", "collateral": 1e9},
        {"symbol": "BTCUSDT", "date": "2021-03-18", "notional": 5e8, "collateral": 10.0},
    )


def _path_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"scenario": "random", "correlation": -1.0, "volatility": 0.03, "leverage": 100, "seed": 0},
        {"scenario": "dip in A", "dip": 0.6, "leverage": 100, "collateral": 100.0, "step": 0},
        {"scenario": "random", "correlation": 1.0, "volatility": 0.002, "leverage": 1},
    )


def _spot_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"side": "short", "quote": 0.0, "quantity": 10.0, "price": 200_000.0},
        {"account": "isolated 10", "debt": 200_000.0, "quantity": 0.001, "price": 1_000.0},
        {"quote": 200_000.0, "debt": 500.0, "hours": 2_160.0, "hourly_rate": 0.0005},
    )


def _hedge_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"long_quantity": 50.0, "short_quantity": 0.0, "position_margin": 0.0},
        {"long_quantity": 0.001, "short_quantity": 50.0, "position_margin": 50_000.0},
        {"long_entry": 1_000.0, "short_entry": 200_000.0, "position_margin": 0.0},
    )


def _exchange_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"leverage": 125, "quantity": 50.0, "entry_price": 200_000.0, "mmr": 0.1, "okx_fee": 0.002},
        {"side": "short", "leverage": 1, "quantity": 0.001, "entry_price": 1_000.0},
        {"maintenance": "tier tables", "symbol": "ETHUSDT", "leverage": 125, "quantity": 50.0},
    )


def _liquidation_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"n_traders": 400, "max_leverage": 125, "crash": 0.8, "volatility": 0.05, "slippage": 0.05},
        {"n_traders": 2, "max_leverage": 1, "crash": 0.0, "volatility": 0.0, "step": 0},
        {"whale": 50.0, "clearance_fee": 0.02, "insurance_fund": 100_000.0, "seed": 999_999},
    )


def _collateral_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"side": "short", "quantity": 10.0, "usdt_balance": -50_000.0, "haircut": 0.5},
        {"quantity": 0.001, "collateral_value": 0.0, "usdt_balance": 50_000.0, "volatility": 0.01},
        {"asset": "BNB", "correlation": -1.0, "volatility": 0.5, "seed": 999_999},
    )


def _path_stress_extremes() -> tuple[Mapping[str, Any], ...]:
    return (
        {"correlation": -1.0, "volatility": 0.6, "tail": 3, "leverage": 25, "n_paths": 200},
        {"correlation": 1.0, "volatility": 0.02, "leverage": 1, "position_margin": 100.0},
        {"tail": 0, "one_shock": False, "seed": 999_999, "n_paths": 200},
    )


#: every explorer of the package, in the order the course meets them
ENTRIES: dict[str, Entry] = {
    e.name: e
    for e in (
        Entry(
            "MarginModeExplorer",
            "margin_widgets.widgets.margin_mode",
            "One BTC trade and one wallet: liquidation price in isolated versus cross margin.",
            (
                "00-index",
                "01-margin-leverage-liquidation",
                "03-cross-margin",
                "04-cross-vs-isolated",
                "08-choosing-a-mode",
                "10-why-calculators-disagree",
            ),
            _flagship_extremes,
        ),
        Entry(
            "IsolatedMarginAdjuster",
            "margin_widgets.widgets.isolated_adjuster",
            "Add or remove margin on an open isolated position and watch its liquidation price.",
            ("02-isolated-margin",),
            _adjuster_extremes,
        ),
        Entry(
            "CorrelationStress",
            "margin_widgets.widgets.correlation",
            "Seeded correlated shocks: probability of liquidation against correlation, by mode.",
            ("05-correlation-and-cascades", "08-choosing-a-mode"),
            _correlation_extremes,
        ),
        Entry(
            "FundingTimeline",
            "margin_widgets.widgets.funding",
            "Funding payments over days move isolated and cross liquidation prices differently.",
            ("07-funding-transfers-switching",),
            _funding_extremes,
        ),
        Entry(
            "BracketExplorer",
            "margin_widgets.widgets.brackets",
            "Maintenance brackets: maintenance margin and liquidation price against size.",
            ("06-maintenance-brackets",),
            _bracket_extremes,
        ),
        Entry(
            "PricePathPlayer",
            "margin_widgets.widgets.price_path",
            "Play a price path step by step and watch positions liquidate, isolated versus cross.",
            ("04-cross-vs-isolated", "05-correlation-and-cascades"),
            _path_extremes,
        ),
        Entry(
            "SpotMarginLevel",
            "margin_widgets.widgets.spot_margin",
            "Spot margin: margin level against price, with margin-call and liquidation levels.",
            ("09-spot-margin",),
            _spot_extremes,
        ),
        Entry(
            "HedgeModeExplorer",
            "margin_widgets.widgets.hedge",
            "Hedge mode: long and short legs share one cross price; a hedge dies on a rise.",
            ("11-hedge-mode",),
            _hedge_extremes,
        ),
        Entry(
            "ExchangeComparer",
            "margin_widgets.widgets.exchange_compare",
            "One trade under Binance, Bybit and OKX: liquidation prices and margin ratios.",
            ("12-exchanges-compared",),
            _exchange_extremes,
        ),
        Entry(
            "LiquidationProcess",
            "margin_widgets.widgets.liquidation_process",
            "A crash step by step: liquidations, insurance fund, partial steps, ADL queue.",
            ("13-liquidation-process",),
            _liquidation_extremes,
        ),
        Entry(
            "MultiAssetsCollateral",
            "margin_widgets.widgets.collateral",
            "A coin as cross collateral against USDT: liquidation prices and stress probability.",
            ("14-collateral-not-usdt",),
            _collateral_extremes,
        ),
        Entry(
            "PathStress",
            "margin_widgets.widgets.path_stress",
            "Liquidation within 30 days along paths, cross versus isolated, and one shock.",
            ("05-correlation-and-cascades",),
            _path_stress_extremes,
        ),
    )
}


def names() -> tuple[str, ...]:
    """The registered explorer names, in registration order."""
    return tuple(ENTRIES)


def entry(name: str) -> Entry:
    """The :class:`Entry` registered as ``name`` (``ValueError`` naming the known ones)."""
    try:
        return ENTRIES[name]
    except KeyError:
        raise ValueError(
            f"no explorer is registered as {name!r}; registered explorers are " + ", ".join(ENTRIES)
        ) from None


def load(name: str) -> type:
    """Import and return the class registered as ``name``."""
    return entry(name).load()


def register(new: Entry, *, replace: bool = False) -> Entry:
    """Add ``new`` to the registry (``ValueError`` if the name is taken and not ``replace``).

    A registered explorer is importable as ``margin_widgets.<name>`` and
    ``margin_widgets.widgets.<name>``, falls back to a placeholder where its chart libraries
    are missing, and is covered by the contract tests.
    """
    if not isinstance(new, Entry):
        raise ValueError(f"new must be a registry Entry, got {type(new).__name__}")
    if new.name in ENTRIES and not replace:
        raise ValueError(f"an explorer is already registered as {new.name!r}")
    ENTRIES[new.name] = new
    return new


def explorer_table() -> str:
    """The README's explorer table (Markdown), one row per registered explorer.

    >>> explorer_table().splitlines()[0]
    '| explorer | what it shows | lessons |'
    """
    rows = ["| explorer | what it shows | lessons |", "|---|---|---|"]
    for e in ENTRIES.values():
        lessons = ", ".join(f"[{stem.split('-')[0]}](notebooks/{stem}.ipynb)" for stem in e.lessons)
        rows.append(f"| `{e.name}` | {e.description} | {lessons} |")
    return "\n".join(rows)
