"""Course-wide checks on the lesson notebooks in ``notebooks/`` (structure, not numbers).

Numbers are checked by each lesson's own ``assert`` cells when nbval runs the notebooks.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
LESSONS = [p for p in ALL if not p.name.startswith("00-")]
INDEX = NOTEBOOKS / "00-index.ipynb"

SETUP_CELL = """\
# Setup. In JupyterLite (the course in a browser tab) this cell loads margin_widgets into the
# browser's Python, and the charts' numpy and pandas from the internet (about 10 MB, once).
import sys

import margin_widgets  # noqa: F401

if sys.platform == "emscripten":
    try:
        import bqplot  # noqa: F401
    except ImportError:
        print("Offline: the engine works, but the charts need numpy and pandas from the internet.")"""
#: The claims of CONCEPTS.md section 1 that the course must teach.
CLAIMS = [
    f"{group}{n}"
    for group, count in (("C", 5), ("I", 5), ("S", 5), ("F", 4))
    for n in range(1, count + 1)
]
#: How a lesson tags the section that teaches a claim: bold ``**Claim C5**``.
CLAIM_TAG = re.compile(r"\*\*Claim ([CISF][1-9])\*\*")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S", re.MULTILINE)


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _sources(path: Path, kind: str) -> list[str]:
    return [c.source for c in _read(path).cells if c.cell_type == kind]


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_course_has_an_index_and_lessons() -> None:
    assert INDEX.exists()
    assert len(LESSONS) >= 4


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_stored_without_outputs(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stored outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_first_code_cell_is_the_setup_cell(path: Path) -> None:
    assert _sources(path, "code")[0].strip() == SETUP_CELL


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_structure(path: Path) -> None:
    markdown = _sources(path, "markdown")
    code = _sources(path, "code")
    overview = [m for m in markdown if "objectives" in m.lower()]
    assert overview, f"{path.name}: no overview with objectives"
    assert any(3 <= len(LIST_ITEM.findall(m)) <= 5 for m in overview), (
        f"{path.name}: the overview should list 3 to 5 objectives"
    )
    assert any(re.search(r"^#+ .*summary", m, re.I | re.M) for m in markdown), (
        f"{path.name}: no summary section"
    )
    assert any("predict" in m.lower() for m in markdown), f"{path.name}: no Predict prompt"
    assert any("AnswerCheck(" in c for c in code), f"{path.name}: no AnswerCheck exercise"
    assert any(re.search(r"^assert ", c, re.M) for c in code), f"{path.name}: no assert cell"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_has_solutions_file(path: Path) -> None:
    number = path.name[:2]
    assert (NOTEBOOKS / "solutions" / f"lesson{number}.py").exists()


def test_every_claim_is_tagged_in_some_lesson() -> None:
    tagged: set[str] = set()
    for path in LESSONS:
        for source in _sources(path, "markdown"):
            tagged.update(CLAIM_TAG.findall(source))
    missing = [claim for claim in CLAIMS if claim not in tagged]
    assert not missing, f"claims not tagged (**Claim XX**) in any lesson: {missing}"


def test_index_links_every_lesson() -> None:
    text = "\n".join(_sources(INDEX, "markdown"))
    for path in LESSONS:
        assert f"({path.name})" in text, f"00-index does not link {path.name}"


def _claims_in_index() -> dict[str, set[str]]:
    """Claims column of the course map in 00-index, by lesson file name."""
    rows: dict[str, set[str]] = {}
    for source in _sources(INDEX, "markdown"):
        for line in source.splitlines():
            link = re.search(r"\((\d\d-[\w-]+\.ipynb)\)", line)
            if link and line.startswith("|"):
                claims_cell = line.rstrip(" |").rsplit("|", 1)[-1]
                rows[link.group(1)] = set(re.findall(r"\b[CISF][1-9]\b", claims_cell))
    return rows


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_index_lists_the_claims_each_lesson_tags(path: Path) -> None:
    tagged = {t for m in _sources(path, "markdown") for t in CLAIM_TAG.findall(m)}
    assert _claims_in_index().get(path.name) == tagged
