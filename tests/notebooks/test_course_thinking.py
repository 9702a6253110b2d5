"""Exercises that need thought: no answer is shown before its exercise; every lesson asks a
conceptual question and an open design task; every prediction is revealed only after a guess;
the machinery (asserts, self-tests) sits at the end, out of the learner's way.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from margin_widgets.widgets.exercise import AnswerCheck, ChoiceCheck, DesignTask
from margin_widgets.widgets.prediction import Prediction
from tests.notebooks.lesson_runner import LESSON_PATHS, run
from tests.notebooks.lesson_runner import NOTEBOOKS as NOTEBOOK_DIR

NAMES = [p.name for p in LESSON_PATHS]
IDS = [p.stem[:2] for p in LESSON_PATHS]


def significant_digits(text: str) -> int:
    """Digits of a formatted number without sign, separators and leading zeros."""
    return len(re.sub(r"[^0-9]", "", text).lstrip("0"))


def answer_forms(check: AnswerCheck) -> list[str]:
    """How the answer of ``check`` could have been shown: at the precision the check asks
    for, with or without thousands separators (numbers of at least three significant digits).
    """
    value = abs(float(check.expected))
    forms = {f"{value:,.{check.decimals}f}", f"{value:.{check.decimals}f}"}
    if (
        round(value, check.decimals) == round(value)
        and significant_digits(f"{round(value)}".rstrip("0")) >= 3
    ):
        forms |= {f"{round(value):,}", f"{round(value)}"}
    return sorted(f for f in forms if significant_digits(f) >= 3)


def shown_before(cells: tuple, index: int) -> str:
    """Everything a learner could read before cell ``index``: text, printed output, and the
    explorers' readouts in their first state."""
    parts = []
    for cell in cells[:index]:
        if cell.kind == "markdown":
            parts.append(cell.source)
        else:
            parts.append(cell.printed)
            parts.extend(cell.first_texts)
    return "\n".join(parts)


def checks(cells: tuple, kind: type) -> list[tuple[int, object]]:
    return [(c.index, w) for c in cells for w in c.created if isinstance(w, kind)]


def test_forms_of_an_answer() -> None:
    check = AnswerCheck("?", 19_698.4924, decimals=2)
    assert answer_forms(check) == ["19,698.49", "19698.49"]
    assert answer_forms(AnswerCheck("?", 19_600.0, decimals=2)) == [
        "19,600",
        "19,600.00",
        "19600",
        "19600.00",
    ]
    assert answer_forms(AnswerCheck("?", 0.5, decimals=2)) == []
    assert answer_forms(AnswerCheck("?", -4.97, unit="%")) == ["4.97"]


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_no_exercise_answer_appears_before_its_exercise(name: str) -> None:
    cells = run(name)
    leaks = []
    for index, check in checks(cells, AnswerCheck):
        if isinstance(check.expected, str):
            continue
        earlier = shown_before(cells, index)
        for form in answer_forms(check):
            if re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d])", earlier):
                leaks.append(
                    f"cell {index}: {form!r} ({re.sub('<[^>]+>', '', check.question.value)[:60]})"
                )
    assert not leaks, f"{name}: answers shown before their exercise: {leaks}"


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_every_lesson_has_a_conceptual_check_and_a_design_task(name: str) -> None:
    cells = run(name)
    assert checks(cells, ChoiceCheck), f"{name}: no conceptual ChoiceCheck"
    assert checks(cells, DesignTask), f"{name}: no DesignTask"


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_every_prediction_is_a_prediction_widget_with_its_answer_hidden(name: str) -> None:
    cells = run(name)
    predictions = checks(cells, Prediction)
    prompts = [c for c in cells if c.kind == "markdown" and re.search(r"\*\*Predict", c.source)]
    assert not prompts, (
        f"{name}: a markdown 'Predict' prompt is answered on screen before any guess; "
        f"make it a Prediction (cells {[c.index for c in prompts]})"
    )
    assert predictions, f"{name}: no Prediction"
    for _index, p in predictions:
        assert not p.revealed, f"{name}: a Prediction was revealed by the lesson itself"


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_asserts_and_self_tests_sit_at_the_end_out_of_the_way(name: str) -> None:
    cells = run(name)
    machinery = [
        c
        for c in cells
        if c.kind == "code"
        and (re.search(r"^\s*assert\b", c.source, re.M) or "self-test" in c.source)
    ]
    assert machinery, f"{name}: no course-check cell"
    last_learner_cell = max(
        c.index for c in cells if c.kind == "markdown" or "course-checks" not in c.tags
    )
    for c in machinery:
        assert "course-checks" in c.tags, (
            f"{name}: cell {c.index} asserts but is not tagged course-checks"
        )
        assert c.index > last_learner_cell, f"{name}: course-check cell {c.index} is not at the end"


CHECK_MAKERS = ("Prediction(", "ChoiceCheck(", "DesignTask(", "AnswerCheck(")


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_cells_that_build_a_check_are_folded(path: Path) -> None:
    """A check's source holds its answer (``answer=…``, ``correct=…``, the expected value's
    working): the learner runs the cell and sees the widget, not the code."""
    nb = nbformat.read(path, as_version=4)
    open_cells = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and any(m in c.source for m in CHECK_MAKERS)
        and not c.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert not open_cells, f"{path.name}: cells {open_cells} show a check's answer in their code"
