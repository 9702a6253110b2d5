"""The notebook of the keyboard tests: every registered explorer, with a kernel echo of it.

:func:`write_notebook` writes one notebook, generated from :mod:`margin_widgets.registry` (a newly
registered explorer is covered with nothing else to change): a setup cell, then one cell per
explorer that shows it at its defaults followed by an *echo*, a small HTML widget (CSS class
``mw-kb-echo``) holding the JSON of every control's value and the number of updates so far,
rewritten by the kernel at the end of each of the explorer's updates (a debounced one included).
The echo is what the kernel saw and drew: a test reads it to know that a key press reached
Python and that the marks for it have been sent, not only that the slider's readout moved.

:func:`control_specs` describes, from this process (no kernel), each explorer's controls as the
notebook builds them: kind, bounds, step, start value, disabled state and tooltip; and, for each
enabled slider, whether the keys a test presses send it to a value that changes the explorer's
figures (:func:`figures_state` before and after: every mark, axis and scale), so a test knows
where the plot must follow.

Examples
--------
>>> spec = ControlSpec("leverage", "slider", 20, low=1.0, high=125.0, step=1.0)
>>> first_keys(spec), spec.targets()["PageDown"], spec.targets()["End"]
(('ArrowRight', 'PageUp'), 15.0, 125.0)
>>> log = ControlSpec("fund", "log-slider", 5000.0, low=1.0, high=6.0, step=0.01)
>>> round(log.position, 2)  # noUiSlider shows 10**3.70, not 5,000
3.7
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from margin_widgets import registry
from margin_widgets.widgets._style import css_kebab

SETUP = '''\
import json
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import ipywidgets as w
from IPython.display import display

from margin_widgets import registry


def _plain(value):
    return value if isinstance(value, (bool, int, float, str)) or value is None else repr(value)


def show(name, kebab):
    """Display explorer ``name`` at its defaults, then its echo: every control's value as the
    kernel sees it, and how many updates ran, rewritten at the end of every update (a debounced
    update included), so the page knows when the marks of a new value have been sent."""
    explorer = registry.load(name)()
    explorer.add_class("mw-kb-case")
    echo = w.HTML()
    echo.add_class("mw-kb-echo")
    echo.add_class(f"mw-kb-echo-{kebab}")
    updates = [0]

    def write():
        values = {key: _plain(c.value) for key, c in explorer.controls.items()}
        text = json.dumps({"values": values, "updates": updates[0]})
        echo.value = "<code>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</code>"

    run_update = explorer._run_update  # every update ends here (test-only hook)

    def run_update_and_echo(changed):
        run_update(changed)
        updates[0] += 1
        write()

    explorer._run_update = run_update_and_echo
    write()
    display(explorer, echo)
'''


def write_notebook(path: Path) -> Path:
    """Write the notebook (setup cell, one cell per registered explorer) to ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(SETUP)]
    nb.cells += [
        nbformat.v4.new_code_cell(f"show({name!r}, {css_kebab(name)!r})")
        for name in registry.names()
    ]
    nbformat.write(nb, str(path))
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in {"layout", "_dom_classes"}}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "model_id"):
        return value.model_id
    return value


def _widgets_of(figure: Any) -> Iterator[Any]:
    yield figure
    for mark in figure.marks:
        yield mark
        yield from mark.scales.values()
    yield from figure.axes


def figures_state(explorer: Any) -> list[Any]:
    """Every figure's state as the browser gets it: each mark, scale and axis (not layouts)."""
    return [_plain(wid.get_state()) for fig in explorer.figures for wid in _widgets_of(fig)]


@dataclass
class ControlSpec:
    """One control of an explorer at its defaults, as the test drives it."""

    name: str
    kind: str  # "slider", "log-slider" or the ipywidgets class name of another control
    value: Any
    low: float = math.nan  # for a log slider: base-10 exponents, as the slider moves them
    high: float = math.nan
    step: float = math.nan
    disabled: bool = False
    tooltip: str = ""
    #: target value (slider units) -> whether moving there changes the figures
    moves_plot: dict[float, bool] = field(default_factory=dict)

    @property
    def is_slider(self) -> bool:
        return self.kind in {"slider", "log-slider"}

    @property
    def position(self) -> float:
        """Where the slider shows the start value: on its grid (``low`` plus whole steps; a log
        slider's grid is of exponents), as noUiSlider snaps it. The front end then sends the
        snapped value back to the kernel (the widget contract tests keep start values on the
        grid)."""
        pos = math.log10(self.value) if self.kind == "log-slider" else float(self.value)
        return self.low + round((pos - self.low) / self.step) * self.step

    def targets(self) -> dict[str, float]:
        """Where each key sends the slider from its start (slider units; log: exponents)."""
        pos = self.position
        return {
            "ArrowRight": min(self.high, pos + self.step),
            "ArrowLeft": max(self.low, pos - self.step),
            "PageUp": min(self.high, pos + 5 * self.step),
            "PageDown": max(self.low, pos - 5 * self.step),
            "Home": self.low,
            "End": self.high,
        }

    def to_value(self, pos: float) -> float:
        """The control's value at slider position ``pos``."""
        return float(10**pos) if self.kind == "log-slider" else pos


def _kind(control: Any) -> str:
    import ipywidgets as w

    if isinstance(control, w.FloatLogSlider):
        return "log-slider"
    if isinstance(control, w.IntSlider | w.FloatSlider):
        return "slider"
    return type(control).__name__


def first_keys(spec: ControlSpec) -> tuple[str, str]:
    """The arrow and the page key that move the slider from its start (right/up unless that
    is past the maximum)."""
    start = spec.position
    arrow = "ArrowRight" if start + spec.step <= spec.high + 1e-12 else "ArrowLeft"
    page = "PageUp" if start + 5 * spec.step <= spec.high + 1e-12 else "PageDown"
    return arrow, page


def control_specs(name: str, extra_keys: tuple[str, ...] = ()) -> list[ControlSpec]:
    """The controls of explorer ``name`` built at its defaults, in registration order; for each
    enabled slider, whether the figures change when the slider goes where its first arrow and
    first page key (:func:`first_keys`) and ``extra_keys`` send it from the start."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        explorer = registry.load(name)()
        start = figures_state(explorer)
        specs = []
        for key, control in explorer.controls.items():
            spec = ControlSpec(
                key,
                _kind(control),
                control.value,
                disabled=bool(control.disabled),
                tooltip=str(getattr(control, "tooltip", "") or ""),
            )
            specs.append(spec)
            if not spec.is_slider:
                continue
            spec.low, spec.high = float(control.min), float(control.max)
            spec.step = float(control.step)
            if spec.disabled:
                continue
            targets = spec.targets()
            for press in (*first_keys(spec), *extra_keys):
                control.value = type(control.value)(spec.to_value(targets[press]))
                explorer.flush()
                spec.moves_plot[targets[press]] = figures_state(explorer) != start
            control.value = spec.value
            explorer.flush()
    return specs
