"""Every question the programme asks, as data any interface can render, plus validation.

A `Question` knows its id, wording, kind and allowed answers. `validate_answer` turns raw
text (typed at a terminal, posted by a form, read from an answers file) into a value or a
ValueError whose message states the allowed range, so each interface can ask again.
"""

from __future__ import annotations

from typing import Literal

from hipcoach.programme.tracks import Frozen

Kind = Literal["integer", "number", "yes_no", "choice", "choices", "text"]
Answer = int | float | bool | str | tuple[str, ...]

YES = {"y", "yes", "true", "1", "ja", "oui", "si"}
NO = {"n", "no", "false", "0", "nein", "non"}


class Choice(Frozen):
    value: str
    label: str


class Question(Frozen):
    id: str
    text: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    choices: tuple[Choice, ...] = ()
    default: Answer | None = None
    help: str = ""

    def allowed(self) -> str:
        """The allowed answers in words, for re-asking after a bad answer."""
        if self.kind == "integer":
            return f"a whole number from {self.low:g} to {self.high:g}"
        if self.kind == "number":
            return f"a number from {self.low:g} to {self.high:g}"
        if self.kind == "yes_no":
            return "yes or no"
        if self.kind == "choice":
            return "one of " + ", ".join(c.value for c in self.choices)
        if self.kind == "choices":
            return (
                "one or more of " + ", ".join(c.value for c in self.choices) + " (comma separated)"
            )
        return "some text (up to 80 characters)"

    def with_default(self, default: Answer | None) -> Question:
        return self.model_copy(update={"default": default})


def _choice_value(question: Question, text: str) -> str:
    wanted = text.strip().lower().replace(" ", "_").replace("-", "_")
    for index, choice in enumerate(question.choices, start=1):
        if wanted in (choice.value, str(index)):
            return choice.value
    raise ValueError(f"{text!r} is not allowed: answer {question.allowed()}")


def validate_answer(question: Question, raw: object) -> Answer:
    """The answer as a typed value. ValueError naming the allowed answers otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if question.default is not None:
            return question.default
        raise ValueError(f"an answer is needed: {question.allowed()}")
    if question.kind in ("integer", "number"):
        return _validate_number(question, raw)
    if question.kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in YES or text in NO:
            return text in YES
        raise ValueError(f"{raw!r} is not allowed: answer {question.allowed()}")
    if question.kind == "choice":
        return _choice_value(question, str(raw))
    if question.kind == "choices":
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        values = tuple(
            dict.fromkeys(_choice_value(question, str(i)) for i in items if str(i).strip())
        )
        if not values:
            raise ValueError(f"an answer is needed: {question.allowed()}")
        return values
    text = str(raw).strip()
    if len(text) > 80:
        raise ValueError(f"too long: answer {question.allowed()}")
    return text


def _validate_number(question: Question, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not allowed: answer {question.allowed()}")
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a number: answer {question.allowed()}") from None
    if question.kind == "integer":
        if value != int(value):
            raise ValueError(f"{raw!r} is not a whole number: answer {question.allowed()}")
        value = int(value)
    low = question.low if question.low is not None else float("-inf")
    high = question.high if question.high is not None else float("inf")
    if not low <= value <= high:
        raise ValueError(f"{raw!r} is out of range: answer {question.allowed()}")
    return value


def pain_question(qid: str, text: str) -> Question:
    """An NPRS item: 0 = no pain, 10 = the worst pain imaginable."""
    return Question(
        id=qid,
        text=text,
        kind="integer",
        low=0,
        high=10,
        help="0 = no pain at all, 10 = the worst pain you can imagine",
    )


FELT_CHOICES: tuple[Choice, ...] = (
    Choice(value="target", label="the target muscle"),
    Choice(value="front_of_thigh", label="the front of the thigh"),
    Choice(value="outer_hip", label="the outer hip"),
    Choice(value="lower_back", label="the lower back"),
    Choice(value="nowhere", label="nowhere in particular"),
)
FELT_VALUES: tuple[str, ...] = tuple(c.value for c in FELT_CHOICES)

GOAL_CHOICES: tuple[Choice, ...] = (
    Choice(value="back_pain", label="a calmer lower back"),
    Choice(value="hip_stability", label="stable, strong hips"),
    Choice(value="splits", label="middle / straddle splits"),
)

PAIN_NOW = pain_question("session.pain_now", "How much pain do you have right now (0-10)?")
SET_PAIN = pain_question("set.pain", "Pain during that set, at its worst (0-10)?")
MORNING_PAIN = pain_question(
    "morning.pain", "How was your pain the morning after your last session (0-10)?"
)
BASELINE_PAIN = pain_question("baseline.pain", "On a usual day, how much pain do you have (0-10)?")
LEG_SYMPTOMS = Question(
    id="set.leg_symptoms",
    text="Did any pain shoot or spread down your leg, or did you get new numbness or tingling?",
    kind="yes_no",
    default=False,
)
MORNING_LEG_SYMPTOMS = LEG_SYMPTOMS.model_copy(
    update={
        "id": "morning.leg_symptoms",
        "text": "Since your last session, any new pain spreading down a leg, numbness, "
        "tingling or weakness?",
    }
)
STILL_ISOLATING = Question(
    id="set.still_isolating",
    text="The coach sees you losing the isolation. Can you still isolate (keep the pelvis "
    "still, move only the leg)?",
    kind="yes_no",
    default=False,
)
GROC = Question(
    id="weekly.groc",
    text="Compared with when you started, how are your back and hips now? "
    "(-7 a very great deal worse, 0 about the same, +7 a very great deal better)",
    kind="integer",
    low=-7,
    high=7,
)
GOALS = Question(
    id="goals",
    text="What do you want from this programme?",
    kind="choices",
    choices=GOAL_CHOICES,
    default=("back_pain",),
)
CLEARED = Question(
    id="clearance.confirmed",
    text="Has a doctor seen you about these answers and cleared you to exercise?",
    kind="yes_no",
    default=False,
)


def felt_question(target: str) -> Question:
    """'Where did you feel it?' with the target muscle named for this exercise."""
    choices = tuple(
        Choice(value=c.value, label=f"{target} (the target)" if c.value == "target" else c.label)
        for c in FELT_CHOICES
    )
    return Question(
        id="set.felt", text="Where did you feel it most?", kind="choice", choices=choices
    )


def red_flag_question(flag_id: str, text: str) -> Question:
    return Question(id=f"screen.{flag_id}", text=text, kind="yes_no")


def psfs_activity_question(number: int) -> Question:
    return Question(
        id=f"psfs.activity_{number}",
        text=f"Activity {number} you find hard because of your back or hips (e.g. putting on "
        "socks, sitting through a film):",
        kind="text",
    )


def psfs_rating_question(number: int, activity: str) -> Question:
    return Question(
        id=f"psfs.rating_{number}",
        text=f"How well can you do '{activity}' now? (0 = not at all, 10 = as well as before)",
        kind="integer",
        low=0,
        high=10,
    )
