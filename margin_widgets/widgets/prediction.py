"""Predict, then reveal: the learner commits a guess before the demonstration's result is shown.

A :class:`Prediction` holds its result hidden until the learner commits a guess (a number or a
choice) or presses Skip; then it shows the result next to the guess, how far off the guess was,
and a sentence about why. Anything the demonstration prints can go into
:attr:`Prediction.reveal_output`, which stays hidden until then too. Needs only ipywidgets
(no numpy), so it works in JupyterLite offline.

Examples
--------
>>> p = Prediction("The price falls 1 %. What fraction of the margin is lost, in %?",
...                answer=50.0, unit="%", why="ROE = price move × leverage = 1 % × 50.")
>>> p.revealed
False
>>> p.commit("40")
'Your guess: 40 %. Result: 50 %. Off by 10 % (20 % of the result).'
>>> p.revealed
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from margin_widgets.widgets.exercise import (
    _NOTE_COLOUR,
    AmbiguousAnswerError,
    _book,
    _default_key,
    normalise_word,
    parse_answer,
)

__all__ = ["Prediction"]

_HIDDEN = "none"


def _number(value: float, decimals: int | None) -> str:
    if decimals is None:
        text = f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    else:
        text = f"{value:,.{decimals}f}"
    if text.lstrip("-0.,") == "":  # never show "-0.00"
        text = text.lstrip("-")
    return text


class Prediction(widgets.VBox):
    """A prediction prompt whose answer stays hidden until the learner commits or skips.

    Parameters
    ----------
    prompt : str
        The question, as HTML (what to predict, about which demonstration).
    answer : float or str
        The demonstration's result, computed by the lesson with the engine.
    options : sequence of str, optional
        Makes it a choice (e.g. ``("rises", "falls", "stays the same")``); ``answer`` must be
        one of them.
    unit : str, optional
        Unit of a numeric answer.
    decimals : int, optional
        Decimals used to show a numeric result (default: six significant digits).
    why : str
        The explanation shown with the result (HTML).
    key : str, optional
        The prediction's name in the learner's progress file.

    Attributes
    ----------
    reveal_output : ipywidgets.Output
        Hidden until the reveal; a lesson prints the demonstration's table into it.
    revealed : bool
        Whether the result is on screen.
    guess : float, str or None
        The committed guess (None before, or after a skip).
    """

    def __init__(
        self,
        prompt: str,
        *,
        answer: float | str,
        options: Sequence[str] = (),
        unit: str = "",
        decimals: int | None = None,
        why: str,
        key: str | None = None,
    ) -> None:
        self.options = tuple(str(o) for o in options)
        if self.options:
            if str(answer) not in self.options:
                raise ValueError(f"answer must be one of {self.options!r}, got {answer!r}")
            self.answer: float | str = str(answer)
        else:
            if isinstance(answer, str):
                raise ValueError("a word answer needs options to choose from")
            self.answer = float(answer)
            if not math.isfinite(self.answer):
                raise ValueError(f"answer must be a finite number, got {answer!r}")
        if not str(why).strip():
            raise ValueError("why must explain the result (it is shown with the reveal)")
        self.unit = unit
        self.decimals = decimals
        self.why = why
        self.key = key or _default_key(prompt)
        self.guess: float | str | None = None
        self.revealed = False

        self.prompt = widgets.HTML(prompt)
        self.prompt.add_class("mw-prediction-prompt")
        self.input: widgets.Widget
        if self.options:
            self.input = widgets.ToggleButtons(options=list(self.options), value=None)
        else:
            self.input = widgets.Text(
                value="", placeholder="your guess", layout=widgets.Layout(width="12em")
            )
        self.input.add_class("mw-prediction-guess")
        self.commit_button = widgets.Button(
            description="Commit my guess",
            button_style="primary",
            tooltip="Lock in your guess and see the result",
        )
        self.commit_button.add_class("mw-prediction-commit")
        self.commit_button.on_click(lambda _button: self.commit())
        self.skip_button = widgets.Button(
            description="Skip", tooltip="Show the result without a guess"
        )
        self.skip_button.add_class("mw-prediction-skip")
        self.skip_button.on_click(lambda _button: self.skip())
        self.message = widgets.HTML("")
        self.message.add_class("mw-prediction-message")
        self.result = widgets.HTML("", layout=widgets.Layout(display=_HIDDEN))
        self.result.add_class("mw-prediction-result")
        self.reveal_output = widgets.Output(layout=widgets.Layout(display=_HIDDEN))
        self.reveal_output.add_class("mw-prediction-reveal")
        unit_label = widgets.HTML(html.escape(unit))
        row = widgets.HBox([self.input, unit_label, self.commit_button, self.skip_button])
        super().__init__([self.prompt, row, self.message, self.result, self.reveal_output])
        self.add_class("mw-prediction")
        book = _book()
        record = book.last(self.key) if book is not None else None
        if record:
            last = record.get("answer", "")
            if record.get("correct") is None and last == "(skipped)":
                self.skip(record_it=False)
            else:
                self.commit(last, record_it=False)

    def _show(self, value: float | str) -> str:
        if isinstance(value, str):
            return value
        number = _number(value, self.decimals)
        if not self.unit:
            return number
        return f"{number} %" if self.unit == "%" else f"{number} {self.unit}"

    def _read(self, value: object) -> float | str:
        if self.options:
            match = [o for o in self.options if normalise_word(o) == normalise_word(value)]
            if not match:
                raise ValueError("Pick one of the options first.")
            return match[0]
        try:
            return parse_answer(value, self.unit)
        except AmbiguousAnswerError as error:
            raise ValueError(str(error)) from None
        except ValueError:
            raise ValueError("Type a number as your guess (or press Skip).") from None

    def distance_text(self, guess: float | str) -> str:
        """How the guess compares with the result, in one sentence."""
        if isinstance(guess, str) or isinstance(self.answer, str):
            return "Right." if guess == self.answer else "Not this time."
        off = abs(guess - self.answer)
        if off <= 1e-9 * max(1.0, abs(self.answer)):
            return "Spot on."
        text = f"Off by {self._show(off)}"
        if self.answer != 0:
            text += f" ({100 * off / abs(self.answer):.0f} % of the result)"
        return text + "."

    def commit(self, value: object = None, *, record_it: bool = True) -> str:
        """Lock in a guess (``value`` or what the input holds) and reveal the result.

        Returns
        -------
        str
            The comparison shown (or, for an unreadable guess, what to fix).
        """
        raw = self.input.value if value is None else value
        try:
            guess = self._read(raw)
        except ValueError as error:
            self.message.value = (
                f'<span style="color:{_NOTE_COLOUR}">{html.escape(str(error))}</span>'
            )
            return str(error)
        self.guess = guess
        if self.options:
            self.input.value = guess
        else:
            self.input.value = str(raw)
        text = (
            f"Your guess: {self._show(guess)}. Result: {self._show(self.answer)}. "
            f"{self.distance_text(guess)}"
        )
        self._reveal(text)
        if record_it:
            right: bool | None
            if isinstance(guess, str):
                right = guess == self.answer
            else:
                right = abs(guess - float(self.answer)) <= 0.1 * abs(float(self.answer)) + 1e-12
            book = _book()
            if book is not None:
                book.record(self.key, answer=raw, correct=right, question=self.prompt.value)
        return text

    def skip(self, *, record_it: bool = True) -> str:
        """Reveal the result without a guess; returns the text shown."""
        self.guess = None
        text = f"Result: {self._show(self.answer)}."
        self._reveal(text)
        book = _book()
        if record_it and book is not None:
            book.record(self.key, answer="(skipped)", correct=None, question=self.prompt.value)
        return text

    def _reveal(self, text: str) -> None:
        self.revealed = True
        self.message.value = ""
        self.result.value = (
            f'<b>{html.escape(text)}</b><div style="color:{_NOTE_COLOUR}">{self.why}</div>'
        )
        self.result.layout.display = None
        self.reveal_output.layout.display = None
        self.commit_button.disabled = True
        self.skip_button.disabled = True
        self.input.disabled = True

    def reset(self) -> None:
        """Hide the result again and clear the guess (to try the prediction anew)."""
        self.guess = None
        self.revealed = False
        self.result.value = ""
        self.result.layout.display = _HIDDEN
        self.reveal_output.layout.display = _HIDDEN
        self.commit_button.disabled = False
        self.skip_button.disabled = False
        self.input.disabled = False
        self.input.value = None if self.options else ""

    def state(self) -> dict[str, Any]:
        """What a test or a teacher needs: the guess, whether revealed, the result."""
        return {"guess": self.guess, "revealed": self.revealed, "answer": self.answer}
