"""The registry of explorers: lazy imports, README table and lessons all agree with it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import margin_widgets
import margin_widgets.widgets
from margin_widgets import registry

ROOT = Path(__file__).resolve().parents[2]


def test_readme_table_is_the_registry_table() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- explorers:start -->\n(.*?)\n<!-- explorers:end -->", text, re.S)
    assert match, "README.md lacks the explorers:start/end markers"
    assert match.group(1) == registry.explorer_table()


@pytest.mark.parametrize("name", registry.names())
def test_lazy_imports_resolve_through_the_registry(name: str) -> None:
    cls = registry.load(name)
    assert getattr(margin_widgets, name) is cls
    assert getattr(margin_widgets.widgets, name) is cls
    assert cls.__module__ == registry.entry(name).module
    assert name in dir(margin_widgets) and name in dir(margin_widgets.widgets)


def _code_of(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_lessons_listed_are_the_lessons_that_build_the_explorer() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for name in registry.names():
        using = {nb.stem for nb in notebooks if re.search(rf"\b{name}\(", _code_of(nb))}
        assert set(registry.entry(name).lessons) == using, name


def test_register_adds_an_explorer_everywhere() -> None:
    new = registry.Entry(
        "AdjusterAgain",
        "margin_widgets.widgets.isolated_adjuster",
        "The adjuster under a second name (registry test).",
    )
    with pytest.raises(ValueError, match="already registered"):
        registry.register(registry.entry("MarginModeExplorer"))
    registry.register(new)
    try:
        assert "AdjusterAgain" in registry.names()
        with pytest.raises(AttributeError):  # the module defines no such class
            _ = margin_widgets.AdjusterAgain
        assert "AdjusterAgain" in registry.explorer_table()
    finally:
        del registry.ENTRIES["AdjusterAgain"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "lower", "module": "a.b", "description": "x"}, "CamelCase"),
        ({"name": "Abc", "module": "nodots", "description": "x"}, "dotted module"),
        ({"name": "Abc", "module": "a.b", "description": "two\nlines"}, "one non-empty line"),
    ],
)
def test_bad_entries_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        registry.Entry(**kwargs)


def test_registry_imports_neither_ipywidgets_nor_numpy() -> None:
    code = (
        "import sys; import margin_widgets, margin_widgets.registry as r; r.explorer_table(); "
        "print(sorted(m for m in ('ipywidgets', 'numpy', 'bqplot') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
