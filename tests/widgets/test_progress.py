"""A learner's progress survives a kernel restart; a teacher reads a class's files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from margin_widgets import course
from margin_widgets.widgets.exercise import AnswerCheck, ChoiceCheck
from margin_widgets.widgets.prediction import Prediction


@pytest.fixture(autouse=True)
def _no_book_left_over() -> Iterator[None]:
    yield
    course.stop_recording()


def test_checks_record_and_restore_after_a_restart(tmp_path: Path) -> None:
    course.start_lesson("01-demo", directory=tmp_path, learner="Ada")
    check = AnswerCheck("Liquidation price?", 19_698.49, key="check_1")
    check.check("19,600")
    check.check("19,698.49")
    data = json.loads((tmp_path / "01-demo.progress.json").read_text())
    record = data["checks"]["check_1"]
    assert record["attempts"] == 2 and record["correct"] is True
    assert record["first_try"] is False and record["ever_correct"] is True

    course.stop_recording()  # a kernel restart: the module state is gone, the file is not
    course.start_lesson("01-demo", directory=tmp_path)
    again = AnswerCheck("Liquidation price?", 19_698.49, key="check_1")
    assert again.answer_box.value == "19,698.49"
    assert again.attempts == 2 and again.correct is True
    assert "before a restart" in again.feedback.value
    assert not again.show_button.disabled


def test_choices_and_predictions_are_restored(tmp_path: Path) -> None:
    course.start_lesson("03-demo", directory=tmp_path)
    ChoiceCheck("?", [("a", "no"), ("b", "yes")], correct="b", key="c1").check("a")
    Prediction("?", answer=10.0, why="w", key="p1").commit("12")
    course.start_lesson("03-demo", directory=tmp_path)
    assert ChoiceCheck("?", [("a", "no"), ("b", "yes")], correct="b", key="c1").choices.value == "a"
    p = Prediction("?", answer=10.0, why="w", key="p1")
    assert p.revealed and p.guess == 12.0


def test_class_report_reads_every_learners_file(tmp_path: Path) -> None:
    for learner, answers in (("Ada", ["19,698.49"]), ("Bo", ["19,600", "19,600"])):
        course.start_lesson("01-demo", directory=tmp_path / learner, learner=learner)
        check = AnswerCheck("LP?", 19_698.49, key="check_1")
        for a in answers:
            check.check(a)
        Prediction("?", answer=1.0, why="w", key="p").skip()
    (tmp_path / "junk.progress.json").write_text("{not json")
    rows = course.class_report(tmp_path)
    assert [(r.learner, r.answered, r.correct, r.first_try, r.attempts, r.wrong) for r in rows] == [
        ("Ada", 1, 1, 1, 1, ()),
        ("Bo", 1, 0, 0, 2, ("check_1",)),
    ]


def test_a_damaged_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "02-demo.progress.json"
    path.write_text("[1, 2")
    book = course.start_lesson("02-demo", directory=tmp_path)
    assert book.checks == {}
    assert (tmp_path / "02-demo.progress.json.bak").read_text() == "[1, 2"


def test_bad_names_and_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lesson must be a name"):
        course.start_lesson("../escape", directory=tmp_path)
    with pytest.raises(ValueError, match="existing folder"):
        course.class_report(tmp_path / "missing")


def test_without_a_started_lesson_nothing_is_written(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    AnswerCheck("?", 1.0).check("1")
    assert list(tmp_path.iterdir()) == []
