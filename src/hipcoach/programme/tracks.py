"""The three training tracks, their ordered steps, and what a person is prescribed on one.

- `psoas`: the psoas ladder, level 0 (foot slide on an elevated surface, the seed's entry
  point) to level 5, one step per catalogue exercise in level order.
- `clamshell`: the standard clamshell, then its two variations (knees tucked, hips
  extended), one step each.
- `side_lying_leg_lift`: a single step.

Steps carry their dose range from the catalogue, so the progression engine can stay pure
and be tested with hand-made steps.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from hipcoach.errors import CatalogueError
from hipcoach.exercises.schema import Catalogue, Exercise

TrackId = Literal["psoas", "clamshell", "side_lying_leg_lift"]
TRACKS: tuple[TrackId, ...] = get_args(TrackId)
TRACK_TITLES: dict[TrackId, str] = {
    "psoas": "Psoas ladder",
    "clamshell": "Clamshell",
    "side_lying_leg_lift": "Side-lying leg lift",
}

HOLD_MAX_S = 10.0
"""Holds grow to 10 s at most: 5-10 s holds are common practice, but untested [W]."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(Frozen):
    """One rung of a track: an exercise (and variation) with its dose range."""

    track: TrackId
    index: int = Field(ge=0)
    exercise_id: str
    variation: str | None = None
    title: str
    reps_min: int = Field(ge=1)
    reps_max: int = Field(ge=1)
    sets_min: int = Field(ge=1)
    sets_max: int = Field(ge=1)
    hold_s: float | None = None
    """The starting hold per rep in seconds, for exercises with a hold; None otherwise."""
    rest_s: int = 60


class Prescription(Frozen):
    """What a person does on a track now: step, reps per set, sets, hold per rep (s)."""

    track: TrackId
    step: int = Field(ge=0)
    exercise_id: str
    variation: str | None = None
    reps: int = Field(ge=1)
    sets: int = Field(ge=1)
    hold_s: float | None = None

    def describe(self) -> str:
        """Plain words, e.g. `2 x 12 reps, hold 5 s`."""
        text = f"{self.sets} x {self.reps} reps"
        if self.hold_s:
            text += f", hold {self.hold_s:g} s"
        return text

    @property
    def volume(self) -> int:
        return self.sets * self.reps


def _step_from(track: TrackId, index: int, exercise: Exercise, variation: str | None) -> Step:
    dose = exercise.dosage
    title = exercise.name
    var = exercise.variation(variation) if variation else None
    if var is not None:
        title = f"{exercise.name}: {var.name}"
    return Step(
        track=track,
        index=index,
        exercise_id=exercise.id,
        variation=variation,
        title=title,
        reps_min=dose.reps_min,
        reps_max=dose.reps_max,
        sets_min=dose.sets_min,
        sets_max=dose.sets_max,
        hold_s=dose.hold_s,
        rest_s=dose.rest_s,
    )


def list_steps(track: TrackId, catalogue: Catalogue | None = None) -> tuple[Step, ...]:
    """The ordered steps of a track, easiest first. CatalogueError if the track is empty."""
    if catalogue is None:
        from hipcoach.exercises.catalogue import load_catalogue

        catalogue = load_catalogue()
    exercises = sorted((e for e in catalogue.exercises if e.track == track), key=lambda e: e.level)
    steps: list[Step] = []
    for exercise in exercises:
        # The default (standard) set-up comes first, then the others in catalogue order.
        ids = [v.id for v in exercise.variations]
        variations: list[str | None] = sorted(ids, key=lambda v: v != exercise.default_variation)
        for variation in variations or [None]:
            steps.append(_step_from(track, len(steps), exercise, variation))
    if not steps:
        raise CatalogueError(f"the catalogue has no exercise on the {track} track")
    return tuple(steps)


def parse_track(text: str) -> TrackId:
    """A track id from user text (`psoas`, `side-lying-leg-lift`...); CatalogueError if unknown."""
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
    for track in TRACKS:
        if wanted == track:
            return track
    raise CatalogueError(f"unknown track {text!r}; expected one of {', '.join(TRACKS)}")


def starting_prescription(step: Step) -> Prescription:
    """The gentlest dose of a step: fewest reps and sets, the catalogue's starting hold."""
    return Prescription(
        track=step.track,
        step=step.index,
        exercise_id=step.exercise_id,
        variation=step.variation,
        reps=step.reps_min,
        sets=step.sets_min,
        hold_s=step.hold_s,
    )


def find_step(
    steps: tuple[Step, ...], exercise_id: str, variation: str | None = None
) -> Step | None:
    """The step for an exercise (and variation; None: its first step), or None if absent."""
    matches = [s for s in steps if s.exercise_id == exercise_id]
    if variation is not None:
        matches = [s for s in matches if s.variation == variation]
    return matches[0] if matches else None
