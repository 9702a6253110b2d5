"""AnswerCheck: the self-check of lesson exercises, tested without a kernel."""

from __future__ import annotations

import pytest

from margin_widgets.engine import bankruptcy_price, liquidation_price
from margin_widgets.widgets.exercise import AnswerCheck, parse_answer

LP = liquidation_price("long", 1, 20_000, 400, 0.005, 0)
BP = bankruptcy_price("long", 1, 20_000, 400)
BANKRUPTCY_HINT = (
    "That is the bankruptcy price; the liquidation price is higher because the maintenance "
    "margin must still be covered."
)


def worked_example() -> AnswerCheck:
    return AnswerCheck("Liquidation price?", LP, hints=[(BP, BANKRUPTCY_HINT)])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("19698.49", 19_698.49),
        ("19,698.49", 19_698.49),
        (" 19 698.49 USDT ", 19_698.49),
        ("-50 %", -50.0),
        ("\u221250", -50.0),
        (12, 12.0),
        (1.5, 1.5),
    ],
)
def test_parse_answer_reads_what_learners_type(text: object, value: float) -> None:
    assert parse_answer(text, "USDT") == value


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", True, None])
def test_parse_answer_refuses_non_numbers(text: object) -> None:
    with pytest.raises(ValueError, match="answer must be"):
        parse_answer(text)


def test_structure_and_css_classes() -> None:
    check = worked_example()
    assert "mw-answer-check" in check._dom_classes
    assert "mw-answer-feedback" in check.feedback._dom_classes
    assert check.feedback.value == ""
    assert check.correct is None and check.attempts == 0


def test_accepts_the_expected_value_within_tolerance() -> None:
    check = worked_example()
    assert check.check(round(LP, 2)) == (True, "Correct: 19,698.49 USDT.")
    assert check.check("19,698.50")[0]
    assert not check.check("19,698.60")[0]
    assert check.attempts == 3 and check.correct is False


def test_wrong_answer_with_a_hint_explains_it() -> None:
    check = worked_example()
    correct, feedback = check.check("19,600")
    assert not correct and feedback == BANKRUPTCY_HINT
    assert "bankruptcy price" in check.feedback.value


def test_wrong_answer_without_a_hint_says_too_high_or_low() -> None:
    check = worked_example()
    assert check.check(19_800) == (False, "Not yet: 19,800.00 USDT is too high. Try once more.")
    assert "too low" in check.check(19_000)[1]


def test_unreadable_answer_asks_for_a_number() -> None:
    check = worked_example()
    correct, feedback = check.check("about twenty thousand")
    assert not correct and "Type a number" in feedback


def test_relative_tolerance() -> None:
    check = AnswerCheck("Effective leverage?", 9.0, rel_tolerance=0.01, unit="x")
    assert check.allowed_error == pytest.approx(0.09)
    assert check.check("9.08")[0]
    assert not check.check("9.1")[0]


def test_larger_of_both_tolerances_wins() -> None:
    check = AnswerCheck("?", 100.0, tolerance=0.5, rel_tolerance=0.001)
    assert check.allowed_error == 0.5


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_tolerance_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        AnswerCheck("?", 1.0, tolerance=bad)


def test_callable_hints_explain_by_rule() -> None:
    def hints(answer: object) -> str | None:
        if isinstance(answer, float) and answer < 0:
            return "ROE of a profit is positive."
        return None

    check = AnswerCheck("ROE?", 50.0, unit="%", hints=hints)
    assert check.check("-50 %") == (False, "ROE of a profit is positive.")
    assert "too high" in check.check("60")[1]
    assert check.check("50 %")[0]


def test_text_answers_ignore_case_and_spaces() -> None:
    check = AnswerCheck("Which mode?", "isolated", unit="", hints=[("cross", "Cross lost all.")])
    assert check.check(" Isolated ")[0]
    assert check.check("CROSS") == (False, "Cross lost all.")
    assert not check.check("both")[0]
    assert check.check("")[1] == "Type an answer first."


def test_typing_in_the_box_checks_once() -> None:
    check = worked_example()
    check.answer_box.value = "19698.49"  # what Enter or leaving the box sends
    assert check.correct is True and check.attempts == 1
    check.check("19600")  # a value set by check() does not trigger a second check
    assert check.attempts == 2 and check.correct is False


def test_buttons_check_and_reveal() -> None:
    check = worked_example()
    check.answer_box.value = "19600"
    check.check_button.click()
    assert check.correct is False
    check.show_button.click()
    assert "Answer: 19,698.49 USDT." in check.feedback.value


def test_explanation_is_shown_with_a_correct_answer() -> None:
    check = AnswerCheck("?", 3_700.0, explanation="500,000 × 1 % − 1,300")
    check.check(3_700)
    assert "500,000 × 1 % − 1,300" in check.feedback.value
