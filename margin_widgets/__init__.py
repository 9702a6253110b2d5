"""margin_widgets: interactive Jupyter widgets that teach cross and isolated margin.

``margin_widgets.engine`` is the exact, standard-library margin engine. The explorers
(``MarginModeExplorer`` and friends) are loaded lazily on first access (PEP 562), so importing
the engine never loads ipywidgets, bqplot or numpy. Where numpy, pandas or bqplot cannot be
imported (JupyterLite offline), an explorer's name resolves to a placeholder widget that says
what is missing, why and what to do; :func:`charts_status` says it once, in a lesson's setup.
The explorers are listed once, in :mod:`margin_widgets.registry`; package-wide options (teacher
controls) are set with :func:`settings`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from margin_widgets import registry
from margin_widgets.settings import settings

__all__ = ["__version__", "charts_status", "registry", "settings", *registry.names()]


def charts_status() -> str | None:
    """Print why the explorers' charts cannot load here and return it; ``None`` when they can.

    A lesson's setup cell calls it: silent where numpy, pandas and bqplot import, a short
    message (what is missing, why, what to do) where they do not, e.g. JupyterLite offline.
    """
    from margin_widgets.widgets._fallback import charts_status as status

    return status()


def __getattr__(name: str) -> Any:
    if name in registry.ENTRIES:
        module = importlib.import_module("margin_widgets.widgets")
        return getattr(module, name)
    raise AttributeError(f"module 'margin_widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *registry.names()])
