"""The words a person reads, defined once: levels, doses, exercise and cue names, places.

Every page, CLI line, report and chart takes its labels from here, so a level is always
"level 2 of 6" (counted from 1 along its track), a dose is always a `Prescription`'s own
words, and ids (`foot_slide_elevated`, `thigh_rotates`, `front_of_thigh`) appear only in
JSON and the API. Pure: no database, no printing.
"""

from __future__ import annotations

from collections.abc import Iterable

from hipcoach.programme.questions import FELT_CHOICES, GOAL_CHOICES
from hipcoach.programme.tracks import TRACK_TITLES, Prescription, Step, TrackId, list_steps

CUE_NAMES: dict[str, str] = {
    "pelvis_rolls_back": "pelvis rolled back",
    "hips_not_stacked": "hips not stacked",
    "feet_apart": "feet came apart",
    "range_too_big": "range too big",
    "wrong_hip_angle": "hip angle off",
    "bottom_leg_moves": "bottom leg moved",
    "leg_drifts_forward": "leg drifted forward",
    "trunk_moves": "trunk moved",
    "hip_hikes": "hip hitched",
    "thigh_rotates": "thigh rolled in or out",
    "hold_too_short": "hold too short",
    "isolation_lost": "isolation lost",
    "shaking": "shaking (deep muscles working)",
    "view_incomplete": "partly out of view",
}
"""Short past-tense names for the engine's cue ids, for tables and rep lines."""

CAMERA_VIEWS: dict[str, str] = {
    "front": "in front of you",
    "foot_end": "at your feet",
    "side": "at your side",
    "front_or_side": "in front of you or at your side",
}

STATUS_NAMES: dict[str, str] = {
    "in_progress": "in progress",
    "completed": "completed",
    "interrupted": "interrupted",
}

UNCERTAIN_CAVEAT = "(Less certain from this camera angle: check it yourself.)"
"""Said once with a cue this camera angle sees poorly (the report's `view.hard_to_see`)."""

TRACK_GATES: dict[TrackId, str] = {
    "psoas": (
        "Stay here until you can feel the psoas working (deep at the front of the hip or low "
        "in the belly), not the front of the thigh; there is no hurry."
    ),
    "clamshell": (
        "Stay here until only the knee moves and the deep buttock does the work (a burn or "
        "shake by the end of the set), not the outer hip or the lower back."
    ),
    "side_lying_leg_lift": (
        "Stay here until the side of the hip does the work with the pelvis still, not the "
        "front of the hip or the lower back."
    ),
}
"""The sensation each track waits for before it moves on (the seed's gate)."""

_FELT_WORDS = {c.value: c.label for c in FELT_CHOICES}
_GOAL_WORDS = {c.value: c.label for c in GOAL_CHOICES}


def cue_name(cue_id: str) -> str:
    """A cue's display name (`thigh_rotates` -> "thigh rolled in or out")."""
    return CUE_NAMES.get(cue_id, cue_id.replace("_", " "))


def cue_names(cue_ids: Iterable[str]) -> str:
    """Several cues as one phrase, or "clean" when there are none."""
    names = [cue_name(c) for c in cue_ids]
    return ", ".join(names) if names else "clean"


def camera_view(view: str) -> str:
    return CAMERA_VIEWS.get(view, view.replace("_", " "))


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status.replace("_", " "))


def felt_name(felt: str) -> str:
    """Where a set was felt, as a person reads it (`front_of_thigh` -> "the front of the
    thigh")."""
    return _FELT_WORDS.get(felt, felt.replace("_", " "))


def goal_name(goal: str) -> str:
    return _GOAL_WORDS.get(goal, goal.replace("_", " "))


def track_title(track: str) -> str:
    return TRACK_TITLES.get(track, track.replace("_", " "))  # type: ignore[call-overload]


def level_label(step: int, count: int) -> str:
    """A level on its track, counted from 1: step index 0 of 6 -> "level 1 of 6"."""
    return f"level {step + 1} of {count}"


def step_label(step: Step, count: int) -> str:
    """ "Level 1 of 6: Foot slide on a raised surface"."""
    return f"{level_label(step.index, count).capitalize()}: {step.title}"


def steps_of(track: str) -> tuple[Step, ...]:
    return list_steps(track)  # type: ignore[arg-type]


def exercise_title(exercise_id: str, variation: str | None = None) -> str:
    """The display title of an exercise (and variation) as the tracks name it."""
    from hipcoach.exercises.catalogue import get_exercise

    exercise = get_exercise(exercise_id)
    var = exercise.variation(variation) if variation else None
    return f"{exercise.name}: {var.name}" if var is not None else exercise.name


def prescription_label(rx: Prescription) -> str:
    """ "Level 2 of 6: Heel slide" for a prescription."""
    steps = steps_of(rx.track)
    return step_label(steps[rx.step], len(steps))


def exercise_levels(track: str, exercise_id: str) -> str:
    """Where an exercise sits on its track: "Psoas ladder, level 1 of 6", or for an
    exercise with set-ups, "Clamshell, levels 1-3 of 3"."""
    steps = steps_of(track)
    numbers = [s.index + 1 for s in steps if s.exercise_id == exercise_id]
    if not numbers:
        return track_title(track)
    span = str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
    word = "level" if len(numbers) == 1 else "levels"
    return f"{track_title(track)}, {word} {span} of {len(steps)}"


def target_name(target_muscles: tuple[str, ...]) -> str:
    """The main target muscle in short ("psoas and iliacus"), for "where did you feel it?"."""
    return target_muscles[0].split(" (")[0] if target_muscles else "the target muscle"


def dose_range(step: Step) -> str:
    """The range a level's dose moves in: "8-12 reps, 1-3 sets, holds from 5 s"."""
    text = f"{step.reps_min}-{step.reps_max} reps, {step.sets_min}-{step.sets_max} sets"
    if step.hold_s:
        text += f", holds from {step.hold_s:g} s"
    return text
