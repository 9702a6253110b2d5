"""The worked solutions of lessons 01-04 pass the lessons' own self-checks.

Each lesson is executed in-process (its code cells, top to bottom, as a learner would run them),
then every ``check_N`` AnswerCheck it built is given ``solutions.lessonNN.exercise_N()``.
The wrong answers each check explains are also tried: each must be refused with its own
explanation.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest

from margin_widgets.widgets.exercise import AnswerCheck

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSONS = {
    "01": "01-margin-leverage-liquidation.ipynb",
    "02": "02-isolated-margin.ipynb",
    "03": "03-cross-margin.ipynb",
    "04": "04-cross-vs-isolated.ipynb",
}


@cache
def run_lesson(number: str) -> dict[str, Any]:
    """Namespace left by running every code cell of lesson ``number``."""
    if str(NOTEBOOKS) not in sys.path:  # the lesson's self-test cell imports solutions
        sys.path.insert(0, str(NOTEBOOKS))
    nb = nbformat.read(NOTEBOOKS / LESSONS[number], as_version=4)
    namespace: dict[str, Any] = {"__name__": f"lesson{number}"}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            exec(compile(cell.source, f"{LESSONS[number]}[{index}]", "exec"), namespace)
    return namespace


def solutions(number: str) -> Any:
    if str(NOTEBOOKS) not in sys.path:
        sys.path.insert(0, str(NOTEBOOKS))
    return importlib.import_module(f"solutions.lesson{number}")


def exercises(number: str) -> list[int]:
    module = solutions(number)
    names = sorted(n for n in dir(module) if n.startswith("exercise_"))
    return [int(n.removeprefix("exercise_")) for n in names]


CASES = [(number, n) for number in LESSONS for n in exercises(number)]


@pytest.mark.parametrize("number", list(LESSONS))
def test_every_check_has_a_solution(number: str) -> None:
    checks = sorted(
        int(name.removeprefix("check_"))
        for name, value in run_lesson(number).items()
        if name.startswith("check_") and isinstance(value, AnswerCheck)
    )
    assert checks == exercises(number)


@pytest.mark.parametrize(("number", "n"), CASES, ids=[f"lesson{a}-ex{b}" for a, b in CASES])
def test_solution_passes_the_lesson_check(number: str, n: int) -> None:
    check: AnswerCheck = run_lesson(number)[f"check_{n}"]
    answer = getattr(solutions(number), f"exercise_{n}")()
    correct, feedback = check.check(answer)
    assert correct, f"lesson {number} exercise {n}: {answer!r} refused: {feedback}"
    assert feedback.startswith("Correct")
    assert check.correct is True


@pytest.mark.parametrize(("number", "n"), CASES, ids=[f"lesson{a}-ex{b}" for a, b in CASES])
def test_explained_wrong_answers_are_refused_with_their_explanation(number: str, n: int) -> None:
    check: AnswerCheck = run_lesson(number)[f"check_{n}"]
    assert isinstance(check.hints, list) and check.hints, "every exercise explains a wrong answer"
    for wrong, explanation in check.hints:
        assert not check.is_correct(wrong), f"hint value {wrong!r} is the right answer"
        assert check.feedback_for(wrong) == (False, explanation)


def test_lesson01_bankruptcy_price_is_explained() -> None:
    check: AnswerCheck = run_lesson("01")["check_1"]
    correct, feedback = check.check("57,600")  # BP = 60,000 − 1,200 / 0.5
    assert not correct
    assert "bankruptcy price" in feedback and "maintenance margin" in feedback


#: Hand-worked answers (the derivation is in each solution's docstring), independent of the
#: engine: a solution that agrees with the engine but not with the hand-worked number fails.
HAND_WORKED: dict[str, dict[int, float]] = {
    # 01: LP = (1,200 − 30,000) / (0.002 − 0.5); ROE = −750 / 1,200; 117 / 450; 8,000 − 1,300
    "01": {1: 57_831.33, 2: -62.5, 3: 26.0, 4: 6_700.0},
    # 03: (120 + 51) / (5,000 − 2,250); 46,500 / 6,500;
    # (5,000 − 64.80 + 1,200 − 30,000) / (0.002 − 0.5); min(5,000 − 192, 5,000 + 3,000 − 2,400)
    "03": {1: 6.22, 2: 7.15, 3: 47_921.29, 4: 4_808.0},
    # 04: 100 × (60,000 − 22,000 / 0.498) / 60,000; 30,000 − 0.498 × 55,200 − 1,500;
    # 7,200 + 0.5 × (54,000 − 60,000), its LP 22,800 / 0.498 = 45,783.13 being below 48,000
    "04": {1: 26.37, 2: 1_010.40, 3: 4_200.0},
    # 02: (1,800 − 15,000) / (0.02 − 5); min(2,000 − 122, 2,500 − 1,525); 2,250 − 1,500
    "02": {1: 2_650.60, 2: 975.0, 3: 750.0},
}
HAND_CASES = [(number, n, value) for number, d in HAND_WORKED.items() for n, value in d.items()]


@pytest.mark.parametrize(
    ("number", "n", "value"), HAND_CASES, ids=[f"lesson{a}-ex{b}" for a, b, _ in HAND_CASES]
)
def test_solution_matches_the_hand_worked_value(number: str, n: int, value: float) -> None:
    answer = getattr(solutions(number), f"exercise_{n}")()
    assert round(answer, 2) == value
    assert run_lesson(number)[f"check_{n}"].is_correct(value)
