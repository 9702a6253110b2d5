"""The explorers: ipywidgets + bqplot views over :mod:`margin_widgets.engine`.

Every explorer is an :class:`~margin_widgets.widgets._base.Explorer` (an ``ipywidgets.VBox``)
with named ``controls``, bqplot ``figures``, a readout, a text description, a status line,
presets, locking and export (see ``_base.py``). Styles and formats live in ``_style.py``.

Names are loaded on first access (PEP 562): ``from margin_widgets.widgets.exercise import
AnswerCheck`` needs only ipywidgets, so a lesson's exercises also work where bqplot's numpy is
not available (JupyterLite offline). Where an explorer's chart libraries (numpy, pandas,
bqplot) cannot be imported, its name resolves to a placeholder widget that says what is missing,
why and what to do (see ``_fallback.py``), so a lesson's imports never fail on them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from margin_widgets import registry

if TYPE_CHECKING:
    from margin_widgets.widgets._base import Explorer, linked
    from margin_widgets.widgets.brackets import BracketExplorer
    from margin_widgets.widgets.correlation import CorrelationStress
    from margin_widgets.widgets.exercise import AnswerCheck
    from margin_widgets.widgets.funding import FundingTimeline
    from margin_widgets.widgets.isolated_adjuster import IsolatedMarginAdjuster
    from margin_widgets.widgets.margin_mode import MarginModeExplorer
    from margin_widgets.widgets.price_path import PricePathPlayer

#: names defined here besides the registered explorers (see :mod:`margin_widgets.registry`)
_OTHERS = {
    "AnswerCheck": "margin_widgets.widgets.exercise",
    "Explorer": "margin_widgets.widgets._base",
    "linked": "margin_widgets.widgets._base",
}


def _module_of(name: str) -> str | None:
    if name in registry.ENTRIES:
        return registry.ENTRIES[name].module
    return _OTHERS.get(name)


__all__ = [
    "AnswerCheck",
    "BracketExplorer",
    "CorrelationStress",
    "Explorer",
    "FundingTimeline",
    "IsolatedMarginAdjuster",
    "MarginModeExplorer",
    "PricePathPlayer",
    "linked",
]


def __getattr__(name: str) -> Any:
    module_name = _module_of(name)
    if module_name is not None:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            from margin_widgets.widgets._fallback import missing_chart_module, placeholder_class

            missing = missing_chart_module(exc)
            if name not in registry.ENTRIES or missing is None:
                raise
            return placeholder_class(name, missing)
        return getattr(module, name)
    raise AttributeError(f"module 'margin_widgets.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_OTHERS, *registry.names()])
