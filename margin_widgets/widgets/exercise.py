"""A self-check for lesson exercises: a question, an answer box, a Check button and feedback.

:class:`AnswerCheck` runs entirely in the kernel (no server round trip beyond the widget
messages), so it works in JupyterLab, in Voilà and in JupyterLite's in-browser kernel. The
expected value is computed by the lesson with the engine; the check only compares.

Examples
--------
>>> check = AnswerCheck("Liquidation price?", 19_698.49, hints=[(19_600, "bankruptcy price")])
>>> check.check(19_698.49)[0]
True
>>> check.check("19,600")
(False, 'bankruptcy price')
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

__all__ = ["AnswerCheck", "parse_answer"]

HintList = Sequence[tuple[Any, str]]
HintFunction = Callable[[Any], "str | None"]

_CORRECT_COLOUR = "#007a5a"  # bluish green (Okabe-Ito family), readable on white
_WRONG_COLOUR = "#b35900"  # vermilion, darkened for contrast on white
_NOTE_COLOUR = "#404040"


def parse_answer(text: object, unit: str = "") -> float:
    """Read a number typed by a learner: ``"19,698.49"``, ``"19698.49 USDT"``, ``"4.6 %"``.

    Parameters
    ----------
    text : object
        The typed text, or a number.
    unit : str, default ""
        The answer's unit; it may follow the number and is ignored.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If no finite number can be read.

    Examples
    --------
    >>> parse_answer("19,698.49 USDT", "USDT")
    19698.49
    >>> parse_answer(" 4.6 % ")
    4.6
    """
    if isinstance(text, bool):
        raise ValueError(f"answer must be a number, got {text!r}")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        cleaned = str(text).strip()
        if unit:
            cleaned = cleaned.replace(unit, "")
        cleaned = cleaned.replace(",", "").replace("_", "").replace("%", "").replace(" ", "")
        cleaned = cleaned.replace("\u2212", "-")  # a typographic minus sign
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError(f"answer must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"answer must be a finite number, got {text!r}")
    return value


def _format_number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


class AnswerCheck(widgets.VBox):
    """A question with an answer box, a Check button, a Show-answer button and feedback.

    Parameters
    ----------
    question : str
        The question, as HTML.
    expected : float or str
        The correct answer, computed by the lesson with the engine. A string is compared
        without regard to case or surrounding spaces (e.g. ``"cross"``).
    tolerance : float, optional
        Absolute tolerance, in the answer's unit. Default 0.01 when ``rel_tolerance`` is not
        given either.
    rel_tolerance : float, optional
        Tolerance relative to ``|expected|`` (0.001 is 0.1 %). With both given, the larger wins.
    unit : str, default "USDT"
        Unit shown after the answer box and in the feedback (``""`` for none).
    hints : list of (wrong value, explanation), or callable, optional
        Explanations of typical wrong answers. A pair matches an answer within the same
        tolerance as the expected value; a callable receives the parsed answer and returns an
        explanation or None.
    decimals : int, default 2
        Decimals used when a number is shown in the feedback.
    explanation : str, optional
        HTML shown with a correct answer and by the Show-answer button (the worked solution).

    Attributes
    ----------
    answer_box : ipywidgets.Text
        Where the learner types (``19,698.49`` and ``19698.49 USDT`` are both read).
    check_button, show_button : ipywidgets.Button
    feedback : ipywidgets.HTML
        CSS class ``mw-answer-feedback``.
    attempts : int
        Number of checks so far.
    correct : bool or None
        Result of the last check (None before the first).
    """

    def __init__(
        self,
        question: str,
        expected: float | str,
        *,
        tolerance: float | None = None,
        rel_tolerance: float | None = None,
        unit: str = "USDT",
        hints: HintList | HintFunction | None = None,
        decimals: int = 2,
        explanation: str = "",
    ) -> None:
        if isinstance(expected, str):
            self.expected: float | str = expected.strip()
        else:
            self.expected = parse_answer(expected)
        for name, value in (("tolerance", tolerance), ("rel_tolerance", rel_tolerance)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if tolerance is None and rel_tolerance is None:
            tolerance = 0.01
        self.tolerance = float(tolerance or 0.0)
        self.rel_tolerance = float(rel_tolerance or 0.0)
        self.unit = unit
        self.hints = hints
        self.decimals = decimals
        self.explanation = explanation
        self.attempts = 0
        self.correct: bool | None = None

        self.question = widgets.HTML(question)
        self.question.add_class("mw-answer-question")
        placeholder = "type a word" if isinstance(self.expected, str) else "type a number"
        self.answer_box = widgets.Text(
            value="",
            placeholder=placeholder,
            continuous_update=False,
            layout=widgets.Layout(width="14em"),
        )
        self.answer_box.add_class("mw-answer-box")
        self._setting_value = False
        self.answer_box.observe(self._on_typed, names="value")
        unit_label = widgets.HTML(html.escape(unit))
        self.check_button = widgets.Button(
            description="Check", button_style="primary", tooltip="Check your answer"
        )
        self.check_button.add_class("mw-answer-button")
        self.check_button.on_click(lambda _button: self.check())
        self.show_button = widgets.Button(description="Show answer", tooltip="Reveal the answer")
        self.show_button.add_class("mw-answer-show")
        self.show_button.on_click(lambda _button: self.reveal())
        self.feedback = widgets.HTML("")
        self.feedback.add_class("mw-answer-feedback")
        row = widgets.HBox([self.answer_box, unit_label, self.check_button, self.show_button])
        super().__init__([self.question, row, self.feedback])
        self.add_class("mw-answer-check")

    # ------------------------------------------------------------------ pure checks
    @property
    def allowed_error(self) -> float:
        """The accepted distance from the expected value, in the answer's unit."""
        if isinstance(self.expected, str):
            return 0.0
        return max(self.tolerance, self.rel_tolerance * abs(self.expected))

    def is_correct(self, value: object) -> bool:
        """Whether ``value`` (a number or typed text) is accepted; no widget is changed."""
        if isinstance(self.expected, str):
            return str(value).strip().lower() == self.expected.lower()
        try:
            answer = parse_answer(value, self.unit)
        except ValueError:
            return False
        return abs(answer - self.expected) <= self.allowed_error + 1e-12

    def _show(self, value: float | str) -> str:
        if isinstance(value, str):
            return value
        number = _format_number(value, self.decimals)
        return f"{number} {self.unit}".rstrip() if self.unit else number

    def feedback_for(self, value: object) -> tuple[bool, str]:
        """``(correct, feedback text)`` for ``value``; no widget is changed."""
        if isinstance(self.expected, str):
            answer: float | str = str(value).strip()
            if not answer:
                return False, "Type an answer first."
        else:
            try:
                answer = parse_answer(value, self.unit)
            except ValueError:
                return False, "Type a number, for example 19698.49 (commas are fine)."
        if self.is_correct(value):
            return True, f"Correct: {self._show(self.expected)}."
        explanation = self._hint(answer)
        if explanation:
            return False, explanation
        if isinstance(self.expected, str) or isinstance(answer, str):
            return False, "Not yet. Look again at the demonstration above and try once more."
        direction = "too high" if answer > self.expected else "too low"
        return False, f"Not yet: {self._show(answer)} is {direction}. Try once more."

    def _hint(self, answer: float | str) -> str | None:
        if self.hints is None:
            return None
        if callable(self.hints):
            result = self.hints(answer)
            return str(result) if result else None
        for wrong, text in self.hints:
            if isinstance(answer, str) or isinstance(wrong, str):
                if str(answer).strip().lower() == str(wrong).strip().lower():
                    return text
                continue
            if abs(answer - float(wrong)) <= max(self.allowed_error, 1e-9):
                return text
        return None

    # ------------------------------------------------------------------ widget actions
    def _on_typed(self, change: dict[str, Any]) -> None:
        # continuous_update=False: this fires on Enter or when the box loses focus.
        if not self._setting_value and str(change["new"]).strip():
            self.check()

    def check(self, value: object = None) -> tuple[bool, str]:
        """Check ``value`` (or what is typed in the box) and show the feedback.

        Parameters
        ----------
        value : float or str, optional
            An answer to put in the box first (what a learner would type).

        Returns
        -------
        (bool, str)
            Whether the answer is accepted, and the feedback text shown.
        """
        if value is not None:
            self._setting_value = True
            try:
                self.answer_box.value = repr(value) if isinstance(value, float) else str(value)
            finally:
                self._setting_value = False
        correct, text = self.feedback_for(self.answer_box.value)
        self.attempts += 1
        self.correct = correct
        colour = _CORRECT_COLOUR if correct else _WRONG_COLOUR
        mark = "\u2714" if correct else "\u2718"
        body = f'<span style="color:{colour}">{mark} {html.escape(text)}</span>'
        if correct and self.explanation:
            body += f'<div style="color:{_NOTE_COLOUR}">{self.explanation}</div>'
        self.feedback.value = body
        return correct, text

    def reveal(self) -> str:
        """Show the expected answer (and the explanation, if any); returns the text shown."""
        text = f"Answer: {self._show(self.expected)}."
        body = f'<span style="color:{_NOTE_COLOUR}">{html.escape(text)}</span>'
        if self.explanation:
            body += f'<div style="color:{_NOTE_COLOUR}">{self.explanation}</div>'
        self.feedback.value = body
        return text
