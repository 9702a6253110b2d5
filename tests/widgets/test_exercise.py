"""AnswerCheck: the self-check of lesson exercises, tested without a kernel."""

from __future__ import annotations

import pytest

from margin_widgets.engine import bankruptcy_price, liquidation_price
from margin_widgets.widgets.exercise import (
    AmbiguousAnswerError,
    AnswerCheck,
    ChoiceCheck,
    Constraint,
    DesignField,
    DesignTask,
    parse_answer,
)

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


# ---------------------------------------------------------------- forgiving answers and slips
@pytest.mark.parametrize(
    ("text", "value"),
    [("19,600", 19_600.0), ("1,234,567.5", 1_234_567.5), ("-1,000", -1_000.0)],
)
def test_a_comma_before_three_digits_is_a_thousands_separator(text: str, value: float) -> None:
    assert parse_answer(text) == value


@pytest.mark.parametrize(
    ("text", "suggestion"), [("4,97", 4.97), ("16,3", 16.3), ("19,6000", 19.6), ("1,2,3", None)]
)
def test_any_other_comma_is_asked_about_never_read_silently(
    text: str, suggestion: float | None
) -> None:
    with pytest.raises(AmbiguousAnswerError) as caught:
        parse_answer(text)
    assert caught.value.suggestion == suggestion


def test_an_ambiguous_comma_gets_a_did_you_mean_question() -> None:
    check = AnswerCheck("MMR in %?", 4.97, unit="%")
    correct, text = check.check("4,97")
    assert not correct and text.startswith("Did you mean 4.97?")
    assert check.check("4.97")[0]


def test_common_slips_are_named() -> None:
    check = AnswerCheck("PnL?", -200.0)
    assert "sign" in check.check("200")[1]
    ratio = AnswerCheck("Margin ratio, in %?", 49.5, unit="%")
    assert "multiply by 100" in ratio.check("0.495")[1]
    fraction = AnswerCheck("Margin ratio as a fraction?", 0.495, unit="", tolerance=0.001)
    assert "divide by 100" in fraction.check("49.5")[1]


def test_a_rounding_slip_is_named_not_called_wrong() -> None:
    check = AnswerCheck("Liquidation price?", LP)  # 19,698.49 to 2 decimals
    correct, text = check.check("19698")  # right to the 0 decimals typed
    assert not correct and "rounding" in text and "give 2 decimals" in text
    correct, text = check.check("19698.42")  # 0.07 off: close, but not within 0.01
    assert not correct and "check your rounding" in text
    assert "too low" in check.check("19690")[1]


def test_word_answers_accept_synonyms() -> None:
    check = AnswerCheck("Which mode?", "isolated", unit="", accept=["isolated position"])
    for typed in ("Isolated margin", '"isolated".', "iso", "isolated position"):
        assert check.check(typed)[0], typed
    assert not check.check("cross margin")[0]


def test_show_answer_only_after_a_first_attempt() -> None:
    check = worked_example()
    assert check.show_button.disabled
    assert "Try once first" in check.reveal()
    assert "19,698.49" not in check.feedback.value
    check.check("1")
    assert not check.show_button.disabled
    assert check.reveal() == "Answer: 19,698.49 USDT."


def test_a_correct_answer_shows_the_working_with_the_learners_numbers() -> None:
    check = AnswerCheck(
        "Initial margin?",
        1_500.0,
        working="IM = 0.5 × 60,000 / 20 = 1,500 USDT; you typed {answer}.",
    )
    check.check("1,500")
    assert "IM = 0.5 × 60,000 / 20 = 1,500 USDT; you typed 1,500." in check.feedback.value

    def derivation(answer: object) -> str:
        return f"PnL = 0.5 × (58,500 − 60,000) = −750; ROE = −750 / 1,500 → {answer}"

    roe = AnswerCheck("ROE in %?", -50.0, unit="%", working=derivation)
    roe.check("-50")
    assert "ROE = −750 / 1,500 → -50.0" in roe.feedback.value


# ---------------------------------------------------------------- conceptual choices
def choice() -> ChoiceCheck:
    return ChoiceCheck(
        "ETH falls 20 % in cross. Which liquidation price moves?",
        [
            ("only ETH's", "No: ETH's loss comes out of the shared wallet that backs BTC too."),
            ("both", "Yes: one wallet backs both positions."),
            ("neither", "No: the wallet falls with ETH's loss."),
        ],
        correct="both",
    )


def test_a_wrong_choice_explains_itself() -> None:
    check = choice()
    assert check.choices.value is None
    correct, text = check.check("only ETH's")
    assert not correct and "shared wallet that backs BTC" in text


def test_the_right_choice_also_explains_the_others() -> None:
    check = choice()
    assert check.check("both")[0]
    assert "Why not the others" in check.feedback.value
    assert "the wallet falls with ETH" in check.feedback.value


def test_choice_needs_a_pick_and_valid_options() -> None:
    check = choice()
    assert check.check()[1] == "Pick one of the options first."
    with pytest.raises(ValueError, match="correct must be one of"):
        ChoiceCheck("?", [("a", "x"), ("b", "y")], correct="c")
    with pytest.raises(ValueError, match="explanation"):
        ChoiceCheck("?", [("a", "x"), ("b", " ")], correct="a")


# ---------------------------------------------------------------- design tasks
def design() -> DesignTask:
    # risk at most 300 USDT on a 0.5 BTC long at 60,000 and survive a dip to 48,000 (−20 %)
    def survives(d: dict[str, object]) -> bool:
        wallet = float(d["margin"])  # type: ignore[arg-type]
        lp = liquidation_price("long", 0.5, 60_000, wallet, 0.004, 0)
        return lp is None or lp < 48_000

    return DesignTask(
        "Risk at most 300 USDT and survive a dip to 48,000.",
        [
            DesignField("mode", "margin mode", options=("cross", "isolated")),
            DesignField("margin", "margin", unit="USDT", minimum=1, maximum=100_000),
        ],
        [
            Constraint(
                "risk at most 300 USDT",
                lambda d: d["mode"] == "isolated" and float(d["margin"]) <= 300,
                lambda d: f"{d['mode']} with {float(d['margin']):,.0f} USDT can lose more.",
            ),
            Constraint("survive the dip to 48,000", survives, "The liquidation price is above."),
        ],
    )


def test_design_feedback_names_every_broken_constraint() -> None:
    task = design()
    ok, text = task.check({"mode": "cross", "margin": 5_000})
    assert not ok and "risk at most 300 USDT" in text and "cross with 5,000 USDT" in text
    ok, text = task.check({"mode": "isolated", "margin": 200})
    # 200 USDT behind 0.5 BTC: LP = (200 − 30,000) / (0.5 × 0.004 − 0.5) ≈ 59,839 > 48,000
    assert not ok and "survive the dip" in text and "risk at most" not in text


def test_a_design_that_meets_all_constraints_passes() -> None:
    # 0.5 BTC at 60,000 with 300 USDT cannot survive −20 %: this task has no solution,
    # and the checker says so for every margin allowed by the first constraint
    task = design()
    for margin in (1, 150, 300):
        assert not task.check({"mode": "isolated", "margin": margin})[0]
    easy = DesignTask(
        "Margin of at least 6,100 USDT in isolated.",
        [DesignField("margin", "margin", unit="USDT", minimum=0)],
        [Constraint("survive 48,000", lambda d: float(d["margin"]) >= 6_100, "Add margin.")],
        example={"margin": 6_500},
    )
    assert easy.check({"margin": "6,100"})[0]
    assert "6,500" in easy.reveal()


def test_design_refuses_bad_fields_and_bad_examples() -> None:
    task = design()
    assert "Choose the margin mode" in task.check({"mode": None, "margin": 1})[1]
    assert "between 1 and 100000" in task.check({"mode": "cross", "margin": 0})[1]
    with pytest.raises(ValueError, match="example does not meet"):
        DesignTask(
            "?",
            [DesignField("x", "x")],
            [Constraint("x > 1", lambda d: float(d["x"]) > 1, "bigger")],
            example={"x": 0},
        )
