"""margin_widgets: interactive Jupyter widgets that teach cross and isolated margin.

``margin_widgets.engine`` is the exact, standard-library margin engine. The explorers
(``MarginModeExplorer`` and friends) are loaded lazily on first access (PEP 562), so importing
the engine never loads ipywidgets, bqplot or numpy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_WIDGETS = (
    "MarginModeExplorer",
    "CorrelationStress",
    "IsolatedMarginAdjuster",
    "FundingTimeline",
    "BracketExplorer",
    "PricePathPlayer",
)

__all__ = ["__version__", *_WIDGETS]


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        module = importlib.import_module("margin_widgets.widgets")
        return getattr(module, name)
    raise AttributeError(f"module 'margin_widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WIDGETS])
