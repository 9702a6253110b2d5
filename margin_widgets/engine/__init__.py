"""The margin engine: exchange formulas, brackets, an account, scenarios. Standard library only.

Nothing here imports ipywidgets, bqplot, traitlets or numpy (ruff's banned-imports rule
enforces it), so the engine also runs in a bare Pyodide kernel.

>>> from margin_widgets.engine import liquidation_price
>>> round(liquidation_price("long", 1, 20_000, 400, 0.005, 0), 2)
19698.49
"""

from margin_widgets.engine._checks import MARGIN_MODES, SIDES
from margin_widgets.engine.account import (
    Account,
    AccountSummary,
    InsufficientMarginError,
    LeverageError,
    LiquidationEvent,
    MarginError,
    ModeSwitchError,
    NoPositionError,
    Position,
    PositionSummary,
)
from margin_widgets.engine.brackets import (
    Bracket,
    BracketTable,
    BracketTableError,
    available_bracket_tables,
    load_brackets,
)
from margin_widgets.engine.formulas import (
    bankruptcy_price,
    effective_leverage,
    funding_payment,
    initial_margin,
    liquidation_price,
    liquidation_price_curve,
    liquidation_price_in_brackets,
    maintenance_margin,
    margin_ratio,
    margin_ratio_price,
    notional,
    return_on_equity,
    unrealized_pnl,
)
from margin_widgets.engine.scenarios import (
    Leg,
    StressResult,
    cholesky,
    correlated_normals,
    dip_path,
    equal_legs,
    equicorrelation_matrix,
    liquidation_probability,
    price_paths,
    shock_returns,
    stress_test,
)
from margin_widgets.engine.spot import (
    CROSS_THRESHOLDS,
    ISOLATED_THRESHOLDS,
    SpotThreshold,
    hourly_interest,
    long_liquidation_price,
    margin_level,
    margin_level_status,
    short_liquidation_price,
    spot_threshold,
)

__all__ = [
    "CROSS_THRESHOLDS",
    "ISOLATED_THRESHOLDS",
    "MARGIN_MODES",
    "SIDES",
    "Account",
    "AccountSummary",
    "Bracket",
    "BracketTable",
    "BracketTableError",
    "InsufficientMarginError",
    "Leg",
    "LeverageError",
    "LiquidationEvent",
    "MarginError",
    "ModeSwitchError",
    "NoPositionError",
    "Position",
    "PositionSummary",
    "SpotThreshold",
    "StressResult",
    "available_bracket_tables",
    "bankruptcy_price",
    "cholesky",
    "correlated_normals",
    "dip_path",
    "effective_leverage",
    "equal_legs",
    "equicorrelation_matrix",
    "funding_payment",
    "hourly_interest",
    "initial_margin",
    "liquidation_price",
    "liquidation_price_curve",
    "liquidation_price_in_brackets",
    "liquidation_probability",
    "load_brackets",
    "long_liquidation_price",
    "maintenance_margin",
    "margin_level",
    "margin_level_status",
    "margin_ratio",
    "margin_ratio_price",
    "notional",
    "price_paths",
    "return_on_equity",
    "shock_returns",
    "short_liquidation_price",
    "spot_threshold",
    "stress_test",
    "unrealized_pnl",
]
