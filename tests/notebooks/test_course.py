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
LESSONS = [p for p in ALL if p.name[:2].isdigit() and not p.name.startswith("00-")]
INDEX = NOTEBOOKS / "00-index.ipynb"

ROOT = NOTEBOOKS.parent
CLAIMS_DOC = ROOT / "docs" / "claims.md"

SETUP_CELL = """\
# Setup: run this cell first (Shift+Enter); nothing here needs reading. In JupyterLite it
# loads margin_widgets into the browser's Python and says whether the charts can load.
import margin_widgets

charts_problem = margin_widgets.charts_status()  # None when the charts work"""
#: A row of a claims table in docs/claims.md: ``| C1 | statement | [04](../notebooks/04-…) |``
CLAIM_ROW = re.compile(r"^\| ([CISF][1-9]) \| (.+) \| (.+) \|$", re.MULTILINE)
LESSON_LINK = re.compile(r"\]\(\.\./notebooks/(\d\d-[\w-]+\.ipynb)\)")


def _claims_doc() -> dict[str, tuple[str, set[str]]]:
    """docs/claims.md: claim id -> (statement, lesson files named in its row)."""
    rows = CLAIM_ROW.findall(CLAIMS_DOC.read_text(encoding="utf-8"))
    return {cid: (text.strip(), set(LESSON_LINK.findall(link))) for cid, text, link in rows}


#: Every claim of docs/claims.md: C1–C5, I1–I5, S1–S5, F1–F4.
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


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_starts_with_title_how_to_and_folded_setup(path: Path) -> None:
    """Title and a one-line "how to work through it" first; then one folded setup cell."""
    first, second = _read(path).cells[:2]
    assert first.cell_type == "markdown"
    lines = first.source.splitlines()
    assert lines[0].startswith("# "), f"{path.name}: the first line is not the title"
    how_to = next((ln for ln in lines[1:4] if ln.startswith("*How to")), None)
    assert how_to, f"{path.name}: no one-line 'how to' right under the title"
    assert "one at a time" in how_to and "not Run All" in how_to, how_to
    assert second.cell_type == "code" and second.source.strip() == SETUP_CELL
    assert second.metadata.get("jupyter", {}).get("source_hidden") is True, (
        f"{path.name}: the setup cell should be folded"
    )
    assert len(second.source.splitlines()) <= 6


def test_index_has_the_disclaimer() -> None:
    text = " ".join(" ".join(_sources(INDEX, "markdown")).split())
    assert "**Disclaimer.**" in text
    for words in ("educational", "not trading or financial advice", "dated snapshots"):
        assert words in text, words


def test_claims_document_lists_every_claim() -> None:
    claims = _claims_doc()
    assert sorted(claims) == sorted(CLAIMS)
    for cid, (statement, lessons) in claims.items():
        assert len(statement) > 40, cid
        assert lessons and all((NOTEBOOKS / name).exists() for name in lessons), cid


def test_claims_document_names_the_lessons_that_tag_each_claim() -> None:
    tagged: dict[str, set[str]] = {}
    for path in LESSONS:
        for source in _sources(path, "markdown"):
            for claim in CLAIM_TAG.findall(source):
                tagged.setdefault(claim, set()).add(path.name)
    assert {cid: lessons for cid, (_, lessons) in _claims_doc().items()} == tagged


#: text that would point outside the repository (files of the machine, not of the course)
OUTSIDE = re.compile(r"/work/|/tmp/|/home/|CONCEPTS(\.md)?|STYLE\.md|BROWSER_TESTING")


def _repository_text_files() -> list[Path]:
    """The course, the package, the tests, the docs and the build files."""
    found = [*ALL, *(ROOT / name for name in ("README.md", "CHANGELOG.md", "Makefile"))]
    for folder, pattern in (
        ("margin_widgets", "*.py"),
        ("tests", "*.py"),
        ("docs", "*.md"),
        ("scripts", "*.py"),
        ("benchmarks", "*.py"),
        ("notebooks/solutions", "*.py"),
    ):
        found += sorted((ROOT / folder).rglob(pattern))
    return [p for p in found if p.is_file()]


@pytest.mark.parametrize("path", _repository_text_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_refers_to_nothing_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path == Path(__file__).resolve():
        text = text.replace(OUTSIDE.pattern, "")
    found = sorted({m.group(0) for m in OUTSIDE.finditer(text)})
    assert not found, f"{path.relative_to(ROOT)} refers to {found}"


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
    assert not missing, (
        f"claims of docs/claims.md not tagged (**Claim XX**) in any lesson: {missing}"
    )


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
