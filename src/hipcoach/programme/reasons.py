"""Why each exercise is in today's plan, why at this dose, and what it waits for.

Pure: takes the track's steps, the prescription and the person's goals. The plan card, the
terminal plan and History all show these sentences, so the programme's idea (slow,
sensation-gated, at the person's own pace) is visible wherever a dose is.
"""

from __future__ import annotations

from collections.abc import Sequence

from hipcoach.programme.onboarding import GOAL_TRACKS
from hipcoach.programme.progression import describe_change, next_prescription
from hipcoach.programme.tracks import Prescription, Step, TrackId
from hipcoach.programme.vocabulary import TRACK_GATES, dose_range, goal_name, track_title


def why_track(track: TrackId, goals: Sequence[str]) -> str:
    """The goals this track serves, or that the person added it themselves."""
    serving = [goal_name(g) for g in goals if track in GOAL_TRACKS.get(g, ())]
    if serving:
        return f"The {track_title(track)} serves your goal: {' and '.join(serving)}."
    return f"You added the {track_title(track)} yourself; none of your goals needs it."


def is_starting_dose(rx: Prescription, step: Step) -> bool:
    return rx.reps == step.reps_min and rx.sets == step.sets_min and rx.hold_s == step.hold_s


def why_dose(rx: Prescription, steps: Sequence[Step]) -> str:
    """Where this dose sits in the level's range and what two clean sessions would add."""
    step = steps[rx.step]
    if is_starting_dose(rx, step):
        text = f"The gentlest dose of this level ({dose_range(step)})."
    else:
        text = f"Built up one change at a time after clean sessions ({dose_range(step)})."
    upgraded = next_prescription(rx, steps)
    if upgraded is None:
        return text + " This is the top of the track."
    change = describe_change(rx, upgraded, steps)
    return text + f" Two clean sessions in a row: {change}."


def gate(track: TrackId) -> str:
    """The sensation the track waits for before moving on."""
    return TRACK_GATES[track]
