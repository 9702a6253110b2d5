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

import hashlib
import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

__all__ = [
    "SYNONYMS",
    "AmbiguousAnswerError",
    "AnswerCheck",
    "ChoiceCheck",
    "Constraint",
    "DesignField",
    "DesignTask",
    "normalise_word",
    "parse_answer",
    "typed_decimals",
]

HintList = Sequence[tuple[Any, str]]
HintFunction = Callable[[Any], "str | None"]

_CORRECT_COLOUR = "#007a5a"  # bluish green (Okabe-Ito family), readable on white
_WRONG_COLOUR = "#b35900"  # vermilion, darkened for contrast on white
_NOTE_COLOUR = "#404040"


class AmbiguousAnswerError(ValueError):
    """A typed number whose comma could be a decimal point: ``"4,97"`` (did you mean 4.97?).

    Attributes
    ----------
    suggestion : float or None
        The number read with the comma as a decimal point, when that makes a number.
    """

    def __init__(self, text: str, suggestion: float | None) -> None:
        self.text = text
        self.suggestion = suggestion
        if suggestion is None:
            message = f"answer {text!r} has a comma that is not a thousands separator"
        else:
            message = (
                f"answer {text!r}: a comma is read only as a thousands separator (19,600); "
                f"did you mean {suggestion:g}?"
            )
        super().__init__(message)


#: A comma is a thousands separator only between a digit and exactly three digits.
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def parse_answer(text: object, unit: str = "") -> float:
    """Read a number typed by a learner: ``"19,698.49"``, ``"19698.49 USDT"``, ``"4.6 %"``.

    A comma followed by exactly three digits is a thousands separator (``"19,600"``); any other
    comma (``"4,97"``, ``"16,3"``) is never read silently (it raises
    :class:`AmbiguousAnswerError`, whose message asks "did you mean 4.97?").

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
    AmbiguousAnswerError
        If a comma could be a decimal point.
    ValueError
        If no finite number can be read.

    Examples
    --------
    >>> parse_answer("19,698.49 USDT", "USDT")
    19698.49
    >>> parse_answer(" 4.6 % ")
    4.6
    >>> parse_answer("4,97")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    margin_widgets.widgets.exercise.AmbiguousAnswerError: ...did you mean 4.97?
    """
    if isinstance(text, bool) or text is None:
        raise ValueError(f"answer must be a number, got {text!r}")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        cleaned = str(text).strip()
        if unit:
            cleaned = cleaned.replace(unit, "")
        cleaned = cleaned.replace("_", "").replace("%", "").replace(" ", "")
        cleaned = cleaned.replace("\u2212", "-").replace("\u202f", "").replace("\u00a0", "")
        without_groups = _THOUSANDS_COMMA.sub("", cleaned)
        if "," in without_groups:
            suggestion: float | None = None
            if cleaned.count(",") == 1 and "." not in cleaned:
                try:
                    suggestion = float(cleaned.replace(",", "."))
                except ValueError:
                    suggestion = None
            raise AmbiguousAnswerError(str(text).strip(), suggestion)
        try:
            value = float(without_groups)
        except ValueError:
            raise ValueError(f"answer must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"answer must be a finite number, got {text!r}")
    return value


def typed_decimals(text: object) -> int | None:
    """How many decimals a learner typed (``"19,698.5"`` → 1), or None for a non-text answer.

    Examples
    --------
    >>> typed_decimals("19,698.5"), typed_decimals("4 %"), typed_decimals(3.5)
    (1, 0, None)
    """
    if not isinstance(text, str):
        return None
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


#: Word answers a learner may type for the expected word (lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "cross": ("cross margin", "cross mode", "crossed", "cross-margin"),
    "isolated": ("isolated margin", "isolated mode", "iso", "isolated-margin"),
    "long": ("buy", "a long", "long position"),
    "short": ("sell", "a short", "short position"),
    "up": ("rises", "rise", "higher", "increases", "increase", "goes up", "moves up"),
    "down": ("falls", "fall", "lower", "decreases", "decrease", "goes down", "moves down"),
    "yes": ("y", "true"),
    "no": ("n", "false"),
}


def normalise_word(text: object) -> str:
    """Lower case, single spaces, no surrounding quotes or final full stop.

    Examples
    --------
    >>> normalise_word('  "Isolated  Margin". ')
    'isolated margin'
    """
    word = " ".join(str(text).strip().lower().split())
    previous = None
    while word != previous:
        previous = word
        word = word.strip("\"'`").rstrip(".!").strip()
    return word


def _format_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" + ("." + "0" * decimals if decimals else "") if text.lstrip("-0.,") == "" else text


def _default_key(question: str) -> str:
    plain = re.sub(r"<[^>]+>", "", question)
    return "q-" + hashlib.sha1(plain.encode("utf-8")).hexdigest()[:10]


def _book() -> Any:
    from margin_widgets.course import current_book

    return current_book()


def _coloured(correct: bool | None, text: str) -> str:
    if correct is None:
        return f'<span style="color:{_NOTE_COLOUR}">{html.escape(text)}</span>'
    colour = _CORRECT_COLOUR if correct else _WRONG_COLOUR
    mark = "\u2714" if correct else "\u2718"
    return f'<span style="color:{colour}">{mark} {html.escape(text)}</span>'


def _note(body: str) -> str:
    return (
        f'<div class="mw-answer-working" style="color:{_NOTE_COLOUR}">{body}</div>' if body else ""
    )


class AnswerCheck(widgets.VBox):
    """A question with an answer box, a Check button, a Show-answer button and feedback.

    Parameters
    ----------
    question : str
        The question, as HTML.
    expected : float or str
        The correct answer, computed by the lesson with the engine. A string is compared
        without regard to case, spaces, quotes or a final full stop, and common synonyms are
        accepted (``"isolated margin"`` for ``"isolated"``; see :data:`SYNONYMS`).
    tolerance : float, optional
        Absolute tolerance, in the answer's unit. Default 0.01 when ``rel_tolerance`` is not
        given either.
    rel_tolerance : float, optional
        Tolerance relative to ``|expected|`` (0.001 is 0.1 %). With both given, the larger wins.
    unit : str, default "USDT"
        Unit shown after the answer box and in the feedback (``""`` for none; ``"%"`` makes
        a fraction-for-percent slip recognisable).
    hints : list of (wrong value, explanation), or callable, optional
        Explanations of typical wrong answers (bankruptcy instead of liquidation price, entry
        instead of mark price, …). A pair matches an answer within the same tolerance as the
        expected value; a callable receives the parsed answer and returns an explanation or
        None. Named hints win over the built-in slips (sign, percent vs fraction, rounding).
    decimals : int, default 2
        Decimals the question asks for, used to show numbers and to recognise rounding slips.
    explanation : str, optional
        HTML shown with a correct answer and by the Show-answer button.
    working : str or callable, optional
        The worked derivation (formula, values, result) shown under a correct answer and by
        Show answer. A string may contain ``{answer}`` (the learner's answer as typed) and
        ``{expected}`` (the expected value formatted); a callable receives the learner's
        parsed answer (None on Show answer) and returns HTML.
    accept : sequence of str, optional
        More word answers accepted for a string ``expected``.
    key : str, optional
        The check's name in the learner's progress file (default: from the question text).

    Attributes
    ----------
    answer_box : ipywidgets.Text
        Where the learner types (``19,698.49`` and ``19698.49 USDT`` are both read).
    check_button, show_button : ipywidgets.Button
        Show answer is enabled after the first attempt.
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
        working: str | Callable[[Any], str] = "",
        accept: Sequence[str] = (),
        key: str | None = None,
    ) -> None:
        if isinstance(expected, str):
            self.expected: float | str = expected.strip()
        else:
            self.expected = parse_answer(expected)
        for name, value in (("tolerance", tolerance), ("rel_tolerance", rel_tolerance)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 8:
            raise ValueError(f"decimals must be an integer from 0 to 8, got {decimals!r}")
        if tolerance is None and rel_tolerance is None:
            tolerance = 0.01
        self.tolerance = float(tolerance or 0.0)
        self.rel_tolerance = float(rel_tolerance or 0.0)
        self.unit = unit
        self.hints = hints
        self.decimals = decimals
        self.explanation = explanation
        self.working = working
        self.key = key or _default_key(question)
        words = {normalise_word(w) for w in accept}
        if isinstance(self.expected, str):
            words.add(normalise_word(self.expected))
            words.update(SYNONYMS.get(normalise_word(self.expected), ()))
        self.accepted_words = frozenset(words)
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
        self.show_button = widgets.Button(
            description="Show answer",
            tooltip="Reveal the answer (after a first try)",
            disabled=True,
        )
        self.show_button.add_class("mw-answer-show")
        self.show_button.on_click(lambda _button: self.reveal())
        self.feedback = widgets.HTML("")
        self.feedback.add_class("mw-answer-feedback")
        row = widgets.HBox([self.answer_box, unit_label, self.check_button, self.show_button])
        super().__init__([self.question, row, self.feedback])
        self.add_class("mw-answer-check")
        self._restore()

    # ------------------------------------------------------------------ pure checks
    @property
    def allowed_error(self) -> float:
        """The accepted distance from the expected value, in the answer's unit."""
        if isinstance(self.expected, str):
            return 0.0
        return max(self.tolerance, self.rel_tolerance * abs(self.expected))

    def _close(self, answer: float, target: float) -> bool:
        return abs(answer - target) <= max(self.allowed_error, 1e-9) + 1e-12

    def is_correct(self, value: object) -> bool:
        """Whether ``value`` (a number or typed text) is accepted; no widget is changed."""
        if isinstance(self.expected, str):
            return normalise_word(value) in self.accepted_words
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
            except AmbiguousAnswerError as error:
                if error.suggestion is None:
                    return False, (
                        "A comma is read only as a thousands separator (19,600). "
                        "Use a point for decimals."
                    )
                return False, (
                    f"Did you mean {error.suggestion:g}? A comma is read only as a thousands "
                    f"separator (19,600); use a point for decimals."
                )
            except ValueError:
                return False, "Type a number, for example 19698.49 (commas are fine)."
        if self.is_correct(value):
            return True, f"Correct: {self._show(self.expected)}."
        explanation = self._hint(answer)
        if explanation:
            return False, explanation
        if isinstance(self.expected, str) or isinstance(answer, str):
            return False, "Not yet. Look again at the demonstration above and try once more."
        slip = self._slip(answer, value)
        if slip:
            return False, slip
        direction = "too high" if answer > self.expected else "too low"
        return False, f"Not yet: {self._show(answer)} is {direction}. Try once more."

    def _slip(self, answer: float, typed: object) -> str | None:
        """The likely slip behind a wrong number, or None."""
        expected = float(self.expected)
        if expected != 0 and self._close(answer, -expected):
            return "Check the sign: the size is right but the sign is not."
        if self.unit == "%" and expected != 0 and self._close(answer * 100, expected):
            return "That is a fraction; the question asks in percent (multiply by 100)."
        if self.unit != "%" and expected != 0 and self._close(answer / 100, expected):
            return "That looks like a percent; the answer is a plain fraction (divide by 100)."
        places = typed_decimals(typed)
        if places is not None and places < self.decimals:
            if round(expected, places) == round(answer, places) or abs(answer - expected) < (
                0.5 * 10.0**-places + 1e-12
            ):
                return (
                    f"Right to the {places} decimal(s) you typed: check your rounding and give "
                    f"{self.decimals} decimals."
                )
        if abs(answer - expected) <= 10 * max(self.allowed_error, 10.0**-self.decimals):
            return (
                "Very close: check your rounding (round only the final result, to "
                f"{self.decimals} decimals)."
            )
        return None

    def _hint(self, answer: float | str) -> str | None:
        if self.hints is None:
            return None
        if callable(self.hints):
            result = self.hints(answer)
            return str(result) if result else None
        for wrong, text in self.hints:
            if isinstance(answer, str) or isinstance(wrong, str):
                if normalise_word(answer) == normalise_word(wrong):
                    return text
                continue
            if abs(answer - float(wrong)) <= max(self.allowed_error, 1e-9):
                return text
        return None

    def working_for(self, answer: object = None) -> str:
        """The worked derivation as HTML (``explanation`` and ``working``), or ""."""
        parts = [self.explanation] if self.explanation else []
        if callable(self.working):
            parts.append(self.working(answer))
        elif self.working:
            typed = "" if answer is None else str(answer)
            parts.append(
                self.working.format(answer=html.escape(typed), expected=self._show(self.expected))
            )
        return "".join(f"<div>{p}</div>" for p in parts if p)

    # ------------------------------------------------------------------ widget actions
    def _on_typed(self, change: dict[str, Any]) -> None:
        # continuous_update=False: this fires on Enter or when the box loses focus.
        if not self._setting_value and str(change["new"]).strip():
            self.check()

    def _restore(self) -> None:
        book = _book()
        record = book.last(self.key) if book is not None else None
        if not record:
            return
        self._setting_value = True
        try:
            self.answer_box.value = str(record.get("answer", ""))
        finally:
            self._setting_value = False
        self.attempts = int(record.get("attempts", 0))
        self.correct = record.get("correct")
        self.show_button.disabled = self.attempts == 0
        _, text = self.feedback_for(self.answer_box.value)
        self.feedback.value = (
            f'<span style="color:{_NOTE_COLOUR}">Your last answer (before a restart): </span>'
            + _coloured(self.correct, text)
        )

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
        typed = self.answer_box.value
        correct, text = self.feedback_for(typed)
        self.attempts += 1
        self.correct = correct
        self.show_button.disabled = False
        body = _coloured(correct, text)
        if correct:
            answer: object = typed
            if not isinstance(self.expected, str):
                answer = parse_answer(typed, self.unit)
            body += _note(self.working_for(answer if callable(self.working) else typed))
        self.feedback.value = body
        book = _book()
        if book is not None:
            book.record(self.key, answer=typed, correct=correct, question=self.question.value)
        return correct, text

    def reveal(self) -> str:
        """Show the expected answer and its working; returns the text shown.

        Before a first attempt it only asks for one (Show answer is disabled until then).
        """
        if self.attempts == 0:
            text = "Try once first; the answer can be shown after your first attempt."
            self.feedback.value = _coloured(None, text)
            return text
        text = f"Answer: {self._show(self.expected)}."
        self.feedback.value = _coloured(None, text) + _note(self.working_for(None))
        return text


class ChoiceCheck(widgets.VBox):
    """A conceptual question: pick one option; every wrong option explains why it is wrong.

    Parameters
    ----------
    question : str
        The question, as HTML.
    options : sequence of (label, why)
        Each option's label and the explanation shown when it is picked (for the correct
        option: why it is right).
    correct : str
        The label of the right option.
    key : str, optional
        The check's name in the learner's progress file.

    Attributes
    ----------
    expected : str
        The right label (read by tools that collect the course's answers).
    choices : ipywidgets.RadioButtons
        Nothing is selected at first.

    Examples
    --------
    >>> check = ChoiceCheck("Which price moves?", [("cross", "Right."), ("isolated", "No.")],
    ...                     correct="cross")
    >>> check.check("isolated")
    (False, 'isolated: No.')
    """

    def __init__(
        self,
        question: str,
        options: Sequence[tuple[str, str]],
        *,
        correct: str,
        key: str | None = None,
    ) -> None:
        labels = [label for label, _why in options]
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise ValueError(f"options must be at least two distinct labels, got {labels!r}")
        if correct not in labels:
            raise ValueError(f"correct must be one of {labels!r}, got {correct!r}")
        missing = [label for label, why in options if not str(why).strip()]
        if missing:
            raise ValueError(f"every option needs an explanation; missing for {missing!r}")
        self.options = tuple((str(label), str(why)) for label, why in options)
        self.expected = correct
        self.key = key or _default_key(question)
        self.attempts = 0
        self.correct: bool | None = None
        self.question = widgets.HTML(question)
        self.question.add_class("mw-answer-question")
        self.choices = widgets.RadioButtons(
            options=labels, value=None, layout=widgets.Layout(width="auto")
        )
        self.choices.add_class("mw-choice-options")
        self.check_button = widgets.Button(
            description="Check", button_style="primary", tooltip="Check your choice"
        )
        self.check_button.add_class("mw-answer-button")
        self.check_button.on_click(lambda _button: self.check())
        self.feedback = widgets.HTML("")
        self.feedback.add_class("mw-answer-feedback")
        super().__init__([self.question, self.choices, self.check_button, self.feedback])
        self.add_class("mw-choice-check")
        book = _book()
        record = book.last(self.key) if book is not None else None
        if record and record.get("answer") in labels:
            self.choices.value = record["answer"]
            self.attempts = int(record.get("attempts", 0))
            self.feedback.value = self._body(record["answer"])

    def is_correct(self, label: object) -> bool:
        """Whether ``label`` is the right option."""
        return normalise_word(label) == normalise_word(self.expected)

    def feedback_for(self, label: object) -> tuple[bool, str]:
        """``(correct, the explanation of the picked option)``; no widget is changed."""
        why = {normalise_word(k): (k, v) for k, v in self.options}.get(normalise_word(label))
        if why is None:
            return False, "Pick one of the options first."
        return self.is_correct(label), f"{why[0]}: {why[1]}"

    def _body(self, label: object) -> str:
        correct, text = self.feedback_for(label)
        body = _coloured(correct, text)
        if correct:
            others = "".join(
                f"<li><i>{html.escape(k)}</i>: {html.escape(v)}</li>"
                for k, v in self.options
                if k != self.expected
            )
            body += _note(f"Why not the others:<ul>{others}</ul>")
        return body

    def check(self, label: object = None) -> tuple[bool, str]:
        """Check ``label`` (or the selected option) and show the feedback."""
        if label is not None:
            match = [k for k, _ in self.options if normalise_word(k) == normalise_word(label)]
            self.choices.value = match[0] if match else None
        picked = self.choices.value
        correct, text = self.feedback_for(picked)
        if picked is None:
            self.feedback.value = _coloured(None, text)
            return False, text
        self.attempts += 1
        self.correct = correct
        self.feedback.value = self._body(picked)
        book = _book()
        if book is not None:
            book.record(self.key, answer=picked, correct=correct, question=self.question.value)
        return correct, text


@dataclass(frozen=True)
class DesignField:
    """One input of a :class:`DesignTask`: a number (with bounds) or a choice.

    Parameters
    ----------
    name : str
        The key of the value handed to the constraints.
    label : str
        What the learner reads next to the box.
    unit : str, optional
        Shown after a number box.
    options : tuple of str, optional
        Makes the field a choice among these labels.
    minimum, maximum : float, optional
        Bounds of a number field (inclusive); a value outside is refused with a message.
    """

    name: str
    label: str
    unit: str = ""
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Constraint:
    """A requirement on a design: ``holds(values)`` is True when it is met.

    Parameters
    ----------
    description : str
        The requirement as the learner reads it ("risk at most 300 USDT").
    holds : callable
        Receives the design as a dict (field name → float or label) and returns a bool.
    why : str or callable
        Shown when the requirement is broken; a callable receives the design and returns
        the text (so it can quote the learner's own numbers).
    """

    description: str
    holds: Callable[[dict[str, Any]], bool]
    why: str | Callable[[dict[str, Any]], str] = ""


class DesignTask(widgets.VBox):
    """An open task with many right answers, checked against its constraints.

    Parameters
    ----------
    question : str
        The task, as HTML.
    fields : sequence of DesignField
        What the learner chooses.
    constraints : sequence of Constraint
        Every requirement a design must meet; feedback names each broken one.
    example : dict, optional
        One valid design, shown by "Show an example" after a first attempt. It must meet
        every constraint (checked when the task is created).
    key : str, optional
        The task's name in the learner's progress file.

    Examples
    --------
    >>> task = DesignTask(
    ...     "Pick a leverage of at most 10x.",
    ...     [DesignField("leverage", "leverage", unit="x", minimum=1, maximum=125)],
    ...     [Constraint("at most 10x", lambda d: d["leverage"] <= 10, "Lower the leverage.")],
    ...     example={"leverage": 5},
    ... )
    >>> task.check({"leverage": 20})[0], task.check({"leverage": 8})[0]
    (False, True)
    """

    def __init__(
        self,
        question: str,
        fields: Sequence[DesignField],
        constraints: Sequence[Constraint],
        *,
        example: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> None:
        if not fields or not constraints:
            raise ValueError("a design task needs at least one field and one constraint")
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise ValueError(f"field names must be distinct, got {names!r}")
        self.fields = tuple(fields)
        self.constraints = tuple(constraints)
        self.key = key or _default_key(question)
        self.attempts = 0
        self.correct: bool | None = None
        self.example = dict(example) if example is not None else None
        if self.example is not None:
            ok, text = self.evaluate(self.example)
            if not ok:
                raise ValueError(f"example does not meet the constraints: {text}")
        self.question = widgets.HTML(question)
        self.question.add_class("mw-answer-question")
        self.inputs: dict[str, widgets.Widget] = {}
        rows = []
        for f in self.fields:
            box: widgets.Widget
            if f.options:
                box = widgets.ToggleButtons(options=list(f.options), value=None)
            else:
                box = widgets.Text(
                    value="", placeholder="type a number", layout=widgets.Layout(width="10em")
                )
            box.add_class(f"mw-design-{f.name}")
            self.inputs[f.name] = box
            rows.append(
                widgets.HBox(
                    [
                        widgets.HTML(html.escape(f.label), layout=widgets.Layout(width="14em")),
                        box,
                        widgets.HTML(html.escape(f.unit)),
                    ]
                )
            )
        self.check_button = widgets.Button(
            description="Check", button_style="primary", tooltip="Check your design"
        )
        self.check_button.add_class("mw-answer-button")
        self.check_button.on_click(lambda _button: self.check())
        self.show_button = widgets.Button(
            description="Show an example",
            tooltip="Show one valid design (after a first try)",
            disabled=True,
        )
        self.show_button.add_class("mw-answer-show")
        self.show_button.on_click(lambda _button: self.reveal())
        self.feedback = widgets.HTML("")
        self.feedback.add_class("mw-answer-feedback")
        buttons = widgets.HBox([self.check_button, self.show_button])
        super().__init__([self.question, *rows, buttons, self.feedback])
        self.add_class("mw-design-task")
        book = _book()
        record = book.last(self.key) if book is not None else None
        if record:
            self.attempts = int(record.get("attempts", 0))
            self.show_button.disabled = self.attempts == 0

    def _read(self, values: dict[str, Any] | None) -> dict[str, Any]:
        design: dict[str, Any] = {}
        for f in self.fields:
            raw = values.get(f.name) if values is not None else self.inputs[f.name].value
            if f.options:
                if raw not in f.options:
                    raise ValueError(f"Choose the {f.label} ({' or '.join(f.options)}).")
                design[f.name] = raw
                continue
            try:
                number = parse_answer(raw, f.unit)
            except AmbiguousAnswerError as error:
                raise ValueError(f"{f.label}: {error}") from None
            except ValueError:
                raise ValueError(f"Type a number for the {f.label}.") from None
            low = f.minimum if f.minimum is not None else -math.inf
            high = f.maximum if f.maximum is not None else math.inf
            if not low <= number <= high:
                raise ValueError(
                    f"The {f.label} must be between {low:g} and {high:g}; you typed {number:g}."
                )
            design[f.name] = number
        return design

    def broken(self, design: dict[str, Any]) -> list[tuple[Constraint, str]]:
        """The constraints ``design`` breaks, each with its explanation."""
        result = []
        for c in self.constraints:
            try:
                ok = bool(c.holds(design))
                why = ""
            except ValueError as error:  # the engine refused the design: say why
                ok, why = False, str(error)
            if not ok:
                text = c.why(design) if callable(c.why) else c.why
                result.append((c, " ".join(t for t in (text, why) if t)))
        return result

    def evaluate(self, values: dict[str, Any] | None = None) -> tuple[bool, str]:
        """``(valid, feedback text)`` for a design (a dict, or what the boxes hold)."""
        try:
            design = self._read(values)
        except ValueError as error:
            return False, str(error)
        broken = self.broken(design)
        if not broken:
            return True, "Your design meets every requirement: " + "; ".join(
                c.description for c in self.constraints
            ) + "."
        return False, " ".join(f"Breaks \u201c{c.description}\u201d: {why}" for c, why in broken)

    def check(self, values: dict[str, Any] | None = None) -> tuple[bool, str]:
        """Check a design (a dict of field values, or what the boxes hold) and show feedback."""
        if values is not None:
            for f in self.fields:
                if f.name in values:
                    value = values[f.name]
                    self.inputs[f.name].value = value if f.options else str(value)
        ok, text = self.evaluate(None)
        self.attempts += 1
        self.correct = ok
        self.show_button.disabled = False
        self.feedback.value = _coloured(ok, text)
        book = _book()
        if book is not None:
            answer = {f.name: self.inputs[f.name].value for f in self.fields}
            book.record(self.key, answer=answer, correct=ok, question=self.question.value)
        return ok, text

    def reveal(self) -> str:
        """Show the example design (after a first attempt); returns the text shown."""
        if self.attempts == 0 or self.example is None:
            text = (
                "Try once first."
                if self.example is not None
                else "Many designs work; the feedback names every requirement a design breaks."
            )
        else:
            parts = []
            for f in self.fields:
                value = self.example[f.name]
                shown = value if isinstance(value, str) else f"{value:,g}"
                parts.append(f"{f.label} {shown}{(' ' + f.unit) if f.unit else ''}")
            text = "One valid design: " + ", ".join(parts) + "."
        self.feedback.value = _coloured(None, text)
        return text
