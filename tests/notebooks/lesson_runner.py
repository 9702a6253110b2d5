"""Run a lesson once, in-process, cell by cell, and keep what a learner would have seen.

Shared by the course tests: each lesson is executed once per test session (cached). For every
code cell the runner keeps what it printed, and for every check, prediction and explorer it
created, the cell it came from; an explorer's readout and description are captured in their
first state, right after the cell that created it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import ipywidgets
import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSON_PATHS = sorted(
    p for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb") if not p.name.startswith("00")
)


@dataclass
class Cell:
    """One cell of an executed lesson."""

    index: int
    kind: str
    source: str
    tags: tuple[str, ...]
    printed: str = ""
    created: list[Any] = field(default_factory=list)
    first_texts: list[str] = field(default_factory=list)


def _walk(value: Any, seen: set[int]) -> list[Any]:
    """Widgets reachable from ``value`` (a widget, or a list/tuple/dict of them)."""
    found: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        if isinstance(item, ipywidgets.Widget):
            seen.add(id(item))
            found.append(item)
            stack.extend(getattr(item, "children", ()) or ())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


@cache
def run(name: str) -> tuple[Cell, ...]:
    """Execute lesson ``name`` (file name) once; its cells with what each showed and created."""
    from margin_widgets import course
    from margin_widgets.widgets._base import Explorer

    path = NOTEBOOKS / name
    nb = nbformat.read(path, as_version=4)
    namespace: dict[str, Any] = {"__name__": f"lesson_{path.stem.replace('-', '_')}"}
    if str(NOTEBOOKS) not in sys.path:
        sys.path.insert(0, str(NOTEBOOKS))
    seen: set[int] = set()
    cells = []
    old = os.getcwd()
    tmp = Path(os.environ.get("PYTEST_LESSON_TMP", "/tmp")) / f"mw-run-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    os.chdir(tmp)  # progress files land here, never beside the real lesson
    try:
        for index, nb_cell in enumerate(nb.cells):
            tags = tuple(nb_cell.metadata.get("tags", ()))
            cell = Cell(index, nb_cell.cell_type, nb_cell.source, tags)
            if nb_cell.cell_type == "code":
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(compile(nb_cell.source, f"{name}[{index}]", "exec"), namespace)
                cell.printed = out.getvalue()
                for widget in _walk(list(namespace.values()), seen):
                    cell.created.append(widget)
                    if isinstance(widget, Explorer):
                        cell.first_texts += [widget.readout.value, widget.description.value]
            cells.append(cell)
    finally:
        os.chdir(old)
        course.stop_recording()
    return tuple(cells)
