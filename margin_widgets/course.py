"""A learner's progress through the course, kept in small JSON files beside the lessons.

Standard library only: it works in JupyterLab, Voilà and JupyterLite (whose kernel writes to
the browser's storage, so the file survives a page reload there too). A lesson calls
:func:`start_lesson` once in its setup cell; every check created afterwards
(:class:`~margin_widgets.widgets.exercise.AnswerCheck` and friends) records each attempt in
``<lesson>.progress.json`` and shows the last answer again after a kernel restart.

A teacher collects the learners' files (one folder, any names ending in ``.progress.json``) and
reads them with :func:`class_report`.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> book = start_lesson("01-margin-leverage-liquidation", directory=folder, learner="Ada")
>>> book.record("check_1", answer="19,698.49", correct=True)
>>> start_lesson("01-margin-leverage-liquidation", directory=folder).last("check_1")["answer"]
'19,698.49'
>>> [(row.learner, row.answered, row.correct) for row in class_report(folder)]
[('Ada', 1, 1)]
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ProgressBook",
    "ProgressRow",
    "class_report",
    "current_book",
    "start_lesson",
    "stop_recording",
]

SUFFIX = ".progress.json"
_LESSON_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_current: ProgressBook | None = None


class ProgressBook:
    """The attempts of one learner in one lesson, saved after every change.

    Parameters
    ----------
    lesson : str
        The lesson's name, e.g. ``"01-margin-leverage-liquidation"`` (letters, digits, ``.``,
        ``_`` and ``-``).
    directory : str or Path, default "."
        Where the file is kept (the lesson's own folder when the kernel starts there).
    learner : str, optional
        A name to show in the teacher's report; kept from an earlier file when not given.

    Notes
    -----
    A file that cannot be read (damaged, or written by a newer version) is kept aside as
    ``<name>.progress.json.bak`` and a new one is started; a folder that cannot be written
    (a read-only share) keeps the progress in memory only, and :attr:`saved` says so.
    """

    def __init__(
        self, lesson: str, *, directory: str | os.PathLike[str] = ".", learner: str = ""
    ) -> None:
        if not isinstance(lesson, str) or not _LESSON_NAME.match(lesson):
            raise ValueError(
                f"lesson must be a name of letters, digits, '.', '_' or '-' (at most 100), "
                f"got {lesson!r}"
            )
        self.lesson = lesson
        self.path = Path(directory) / f"{lesson}{SUFFIX}"
        self.saved = True
        self._data: dict[str, Any] = {"lesson": lesson, "learner": learner, "checks": {}}
        self._load()
        if learner:
            self._data["learner"] = learner

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError:
            self.saved = False
            return
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("checks"), dict):
                raise ValueError("not a progress file")
        except ValueError:
            try:
                self.path.replace(self.path.with_name(self.path.name + ".bak"))
            except OSError:
                self.saved = False
            return
        self._data.update(data)

    @property
    def learner(self) -> str:
        """The learner's name ("" when none was given)."""
        return str(self._data.get("learner", ""))

    @property
    def checks(self) -> dict[str, dict[str, Any]]:
        """Every recorded check: key → ``{"attempts", "answer", "correct", "ever_correct", …}``."""
        return dict(self._data["checks"])

    def last(self, key: str) -> dict[str, Any] | None:
        """The record of check ``key``, or None if it was never answered."""
        record = self._data["checks"].get(key)
        return dict(record) if isinstance(record, dict) else None

    def record(self, key: str, *, answer: object, correct: bool | None, question: str = "") -> None:
        """Add one attempt at check ``key`` and save the file.

        Parameters
        ----------
        key : str
            The check's name within the lesson (e.g. ``"check_1"``).
        answer : object
            What the learner entered, stored as text.
        correct : bool or None
            The verdict (None for a skipped prediction).
        question : str, optional
            The question's text, for the teacher's report.
        """
        if not isinstance(key, str) or not key:
            raise ValueError(f"key must be a non-empty string, got {key!r}")
        old = self._data["checks"].get(key) or {}
        self._data["checks"][key] = {
            "question": question or old.get("question", ""),
            "attempts": int(old.get("attempts", 0)) + 1,
            "answer": str(answer),
            "correct": correct,
            "ever_correct": bool(old.get("ever_correct")) or correct is True,
            "first_try": old.get("first_try", correct) if old else correct,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self._save()

    def _save(self) -> None:
        if not self.saved and self.path.exists():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(self._data, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
            self.saved = True
        except OSError:
            self.saved = False


def start_lesson(
    lesson: str, *, directory: str | os.PathLike[str] | None = None, learner: str = ""
) -> ProgressBook:
    """Start (or resume) recording the checks of ``lesson``; returns its :class:`ProgressBook`.

    Parameters
    ----------
    lesson : str
        The lesson's name, usually its file name without ``.ipynb``.
    directory : str or Path, optional
        Where ``<lesson>.progress.json`` is kept: by default the folder named by the
        environment variable ``MARGIN_WIDGETS_PROGRESS_DIR``, else the current folder (the
        lesson's own, when the kernel starts there).
    learner : str, optional
        The learner's name, for the teacher's report.

    Returns
    -------
    ProgressBook
    """
    global _current
    if directory is None:
        directory = os.environ.get("MARGIN_WIDGETS_PROGRESS_DIR") or "."
    _current = ProgressBook(lesson, directory=directory, learner=learner)
    return _current


def current_book() -> ProgressBook | None:
    """The book that checks record into, or None when no lesson was started."""
    return _current


def stop_recording() -> None:
    """Stop recording (checks created afterwards keep no progress)."""
    global _current
    _current = None


@dataclass(frozen=True)
class ProgressRow:
    """One learner's results in one lesson, as :func:`class_report` lists them."""

    file: str
    learner: str
    lesson: str
    answered: int
    correct: int
    first_try: int
    attempts: int
    wrong: tuple[str, ...]


def class_report(directory: str | os.PathLike[str]) -> list[ProgressRow]:
    """Read every ``*.progress.json`` under ``directory`` (a class's collected files).

    Parameters
    ----------
    directory : str or Path
        A folder; sub-folders (one per learner, for example) are searched too.

    Returns
    -------
    list of ProgressRow
        Sorted by lesson then learner. ``answered`` counts checks with an answer (skipped
        predictions excluded), ``correct`` those answered right at least once, ``first_try``
        those right at the first attempt, ``wrong`` the keys still wrong. Unreadable files
        are skipped.

    Raises
    ------
    ValueError
        If ``directory`` is not a folder.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")
    rows = []
    for path in sorted(folder.rglob(f"*{SUFFIX}")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            checks = data["checks"]
            if not isinstance(checks, dict):
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        answered = {k: v for k, v in checks.items() if v.get("correct") is not None}
        rows.append(
            ProgressRow(
                file=str(path.relative_to(folder)),
                learner=str(data.get("learner", "")) or path.parent.name,
                lesson=str(data.get("lesson", path.name[: -len(SUFFIX)])),
                answered=len(answered),
                correct=sum(1 for v in answered.values() if v.get("ever_correct")),
                first_try=sum(1 for v in answered.values() if v.get("first_try") is True),
                attempts=sum(int(v.get("attempts", 0)) for v in answered.values()),
                wrong=tuple(sorted(k for k, v in answered.items() if not v.get("ever_correct"))),
            )
        )
    return sorted(rows, key=lambda r: (r.lesson, r.learner, r.file))
