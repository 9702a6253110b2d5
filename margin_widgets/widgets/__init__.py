"""The explorers: ipywidgets + bqplot views over :mod:`margin_widgets.engine`.

Every explorer is an :class:`~margin_widgets.widgets._base.Explorer` (an ``ipywidgets.VBox``)
with named ``controls``, bqplot ``figures``, a readout, a text description, a status line,
presets, locking and export (see ``_base.py``). Styles and formats live in ``_style.py``.
"""

from margin_widgets.widgets._base import Explorer
from margin_widgets.widgets.brackets import BracketExplorer
from margin_widgets.widgets.correlation import CorrelationStress
from margin_widgets.widgets.exercise import AnswerCheck
from margin_widgets.widgets.funding import FundingTimeline
from margin_widgets.widgets.isolated_adjuster import IsolatedMarginAdjuster
from margin_widgets.widgets.margin_mode import MarginModeExplorer
from margin_widgets.widgets.price_path import PricePathPlayer

__all__ = [
    "AnswerCheck",
    "BracketExplorer",
    "CorrelationStress",
    "Explorer",
    "FundingTimeline",
    "IsolatedMarginAdjuster",
    "MarginModeExplorer",
    "PricePathPlayer",
]
