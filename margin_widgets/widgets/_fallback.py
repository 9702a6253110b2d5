"""Stand-ins for the explorers where their chart libraries cannot be imported.

The explorers draw with bqplot, which needs numpy and pandas. In a JupyterLite site that loads
them from Pyodide's CDN, a learner without internet access has the engine and ipywidgets but not
those. Rather than letting ``from margin_widgets import MarginModeExplorer`` fail (and every later
cell of the lesson with a ``NameError``), :mod:`margin_widgets.widgets` resolves an explorer's
name to a placeholder class built here: creating it gives a small widget that says what is
missing, why and what to do, in place of the chart; reading an explorer's state from it raises
:class:`ChartsUnavailableError`, which IPython shows as that one short message, not a traceback.

Only a missing chart library triggers this (see :data:`CHART_MODULES`); any other import error
of an explorer module propagates unchanged.

>>> err = ModuleNotFoundError("No module named 'numpy'", name="numpy")
>>> missing_chart_module(err)
'numpy'
>>> missing_chart_module(ModuleNotFoundError("No module named 'scipy'", name="scipy")) is None
True
>>> Stand = placeholder_class("MarginModeExplorer", "numpy")
>>> view = Stand(leverage=20)
>>> "numpy" in view.message and "MarginModeExplorer" in view.message
True
>>> view.liquidation_prices()  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
margin_widgets.widgets._fallback.ChartsUnavailableError: MarginModeExplorer could not load ...
"""

from __future__ import annotations

import html
import sys
from typing import Any

#: the chart libraries (and their own dependencies) whose absence gives a placeholder
CHART_MODULES = frozenset({"numpy", "pandas", "bqplot", "bqscales", "traittypes"})
#: CSS class of the placeholder widget (browser tests look for it)
PLACEHOLDER_CLASS = "mw-charts-unavailable"


def missing_chart_module(exc: ImportError) -> str | None:
    """The chart library whose absence caused ``exc``, or ``None`` for any other import error."""
    name = (getattr(exc, "name", None) or "").split(".")[0]
    return name if isinstance(exc, ModuleNotFoundError) and name in CHART_MODULES else None


def in_browser() -> bool:
    """True inside Pyodide (JupyterLite), where packages come from the site or its CDN."""
    return sys.platform == "emscripten"


def unavailable_text(explorer: str, missing: str) -> tuple[str, str, str]:
    """(what is missing, why, what to do) for ``explorer``, as plain sentences."""
    what = f"{explorer} cannot draw its chart here: the Python module {missing!r} is missing."
    if in_browser():
        why = (
            "The explorers draw with bqplot, which needs numpy and pandas. This JupyterLite "
            "site downloads them once from Pyodide's package server (about 10 MB), and that "
            "download failed, most likely because this browser is offline."
        )
        todo = (
            "Connect to the internet and restart the kernel (Kernel > Restart Kernel), then run "
            "the lesson again from the top; or use a fully bundled site, or the course on your "
            "own machine (make lab). Meanwhile keep going: the engine, the worked examples and "
            "the exercises of this lesson work without the charts."
        )
    else:
        why = "The explorers draw with bqplot, which needs numpy and pandas."
        todo = (
            'Install them (pip install -e ".[lab]" in the course folder, or pip install bqplot), '
            "restart the kernel and run the lesson again. The engine and the exercises work "
            "without them."
        )
    return what, why, todo


class ChartsUnavailableError(AttributeError):
    """Raised when a cell reads the state of an explorer that could not load.

    IPython renders it through :meth:`_render_traceback_`: the short message, no traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def placeholder_class(explorer: str, missing: str) -> type:
    """A class standing in for ``explorer`` that shows why the chart is missing.

    Its instances are ``ipywidgets.HTML`` widgets (ipywidgets needs no numpy) when ipywidgets
    can be imported, plain objects with an HTML representation otherwise.
    """
    what, why, todo = unavailable_text(explorer, missing)
    text = f"{what} {why} {todo}"
    markup = (
        f'<div class="{PLACEHOLDER_CLASS}-text" style="border:1px solid #c9a227;'
        'background:#fff8e1;padding:8px 12px;border-radius:4px;max-width:760px">'
        f"<b>{html.escape(what)}</b><br>{html.escape(why)}<br><i>{html.escape(todo)}</i></div>"
    )

    def _refuse(self: Any, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        raise ChartsUnavailableError(
            f"{explorer} could not load ({missing} is missing), so it has no {attr!r} to read. "
            f"{todo}"
        )

    try:
        import ipywidgets
    except ImportError:

        class PlainPlaceholder:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                self.message = text

            def _repr_html_(self) -> str:
                return markup

            def __repr__(self) -> str:
                return text

            __getattr__ = _refuse

        PlainPlaceholder.__name__ = PlainPlaceholder.__qualname__ = explorer
        return PlainPlaceholder

    class WidgetPlaceholder(ipywidgets.HTML):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(value=markup)
            self.add_class(PLACEHOLDER_CLASS)
            self.message = text

        def __repr__(self) -> str:
            return text

        __getattr__ = _refuse

    WidgetPlaceholder.__name__ = WidgetPlaceholder.__qualname__ = explorer
    WidgetPlaceholder.__doc__ = f"Stand-in for {explorer}: {text}"
    return WidgetPlaceholder


def charts_status() -> str | None:
    """Try to import the chart libraries; print and return the reason when they cannot load.

    Returns ``None`` (and prints nothing) when they load. A lesson's setup cell calls this so a
    learner offline in JupyterLite learns at once what works and what does not.
    """
    try:
        import bqplot  # noqa: F401
    except ImportError as exc:
        missing = missing_chart_module(exc)
        if missing is None:
            raise
        what, why, todo = unavailable_text("The explorers", missing)
        what = what.replace("cannot draw its chart", "cannot draw their charts")
        message = f"{what}\n{why}\n{todo}"
        print(message)
        return message
    return None
