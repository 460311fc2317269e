"""Answer validation: every kind of question, and messages that name the allowed answers."""

from __future__ import annotations

import pytest

from hipcoach.programme.questions import (
    GOALS,
    GROC,
    SET_PAIN,
    STILL_ISOLATING,
    Question,
    felt_question,
    validate_answer,
)

FELT = felt_question("deep buttock")
HOLD = Question(id="h", text="hold?", kind="number", low=0, high=120)
NAME = Question(id="n", text="name?", kind="text")

VALID = [
    (SET_PAIN, "0", 0),
    (SET_PAIN, " 10 ", 10),
    (SET_PAIN, 7, 7),
    (SET_PAIN, "4.0", 4),
    (GROC, "-7", -7),
    (HOLD, "7.5", 7.5),
    (STILL_ISOLATING, "y", True),
    (STILL_ISOLATING, "No", False),
    (STILL_ISOLATING, "", False),  # its default
    (STILL_ISOLATING, True, True),
    (FELT, "target", "target"),
    (FELT, "2", "front_of_thigh"),
    (FELT, "Outer hip", "outer_hip"),
    (GOALS, "splits, back_pain", ("splits", "back_pain")),
    (GOALS, ["hip_stability"], ("hip_stability",)),
    (GOALS, "", ("back_pain",)),  # its default
    (NAME, "  socks ", "socks"),
]

INVALID = [
    (SET_PAIN, "11", "out of range: answer a whole number from 0 to 10"),
    (SET_PAIN, "-1", "out of range"),
    (SET_PAIN, "4.5", "not a whole number"),
    (SET_PAIN, "lots", "not a number"),
    (SET_PAIN, "", "an answer is needed"),
    (SET_PAIN, True, "answer a whole number"),
    (GROC, "8", "from -7 to 7"),
    (HOLD, "121", "a number from 0 to 120"),
    (STILL_ISOLATING, "maybe", "answer yes or no"),
    (FELT, "knee", "answer one of target, front_of_thigh, outer_hip, lower_back, nowhere"),
    (FELT, "6", "is not allowed"),
    (GOALS, "flying", "one or more of back_pain, hip_stability, splits"),
    (NAME, "x" * 81, "too long"),
]


@pytest.mark.parametrize(("question", "raw", "expected"), VALID)
def test_valid_answers(question: Question, raw: object, expected: object) -> None:
    assert validate_answer(question, raw) == expected


@pytest.mark.parametrize(("question", "raw", "message"), INVALID)
def test_invalid_answers_name_what_is_allowed(
    question: Question, raw: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        validate_answer(question, raw)


def test_the_felt_question_names_the_target_muscle() -> None:
    assert FELT.choices[0].label == "deep buttock (the target)"
    assert [c.value for c in FELT.choices] == [
        "target",
        "front_of_thigh",
        "outer_hip",
        "lower_back",
        "nowhere",
    ]
