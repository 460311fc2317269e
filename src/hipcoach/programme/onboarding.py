"""Onboarding: goals, baseline pain (NPRS), PSFS and the starting step on each track.

Goals only suggest which tracks to train; the person picks the starting step of each track
(or leaves a track out). The psoas ladder starts at level 0 unless the person says
otherwise, following the seed: stay on the foot slide until you can feel the psoas.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hipcoach.exercises.schema import Catalogue
from hipcoach.programme.measures import NPRS, NPRS_VERSION, PSFS, PSFS_ITEMS, PSFS_VERSION
from hipcoach.programme.models import ProgrammeError
from hipcoach.programme.questions import GOAL_CHOICES
from hipcoach.programme.tracks import TRACKS, Step, TrackId, list_steps, starting_prescription
from hipcoach.store.database import Database
from hipcoach.store.tables import Decision, Measure, Person, TrackState

GOAL_TRACKS: dict[str, tuple[TrackId, ...]] = {
    "back_pain": ("psoas",),
    "hip_stability": ("clamshell", "side_lying_leg_lift"),
    "splits": ("clamshell",),
}
GOAL_VALUES = tuple(c.value for c in GOAL_CHOICES)


def suggest_tracks(goals: tuple[str, ...]) -> tuple[TrackId, ...]:
    """The tracks that serve these goals, in the order of TRACKS."""
    wanted = {t for g in goals for t in GOAL_TRACKS.get(g, ())}
    return tuple(t for t in TRACKS if t in wanted)


class PsfsItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    activity: str = Field(min_length=1, max_length=80)
    rating: int = Field(ge=0, le=10)


class OnboardingAnswers(BaseModel):
    """Everything onboarding asks. `start_steps`: track -> step index, or None to leave the
    track out. Tracks not named start at step 0 when a goal suggests them, else are left out."""

    model_config = ConfigDict(frozen=True)

    goals: tuple[str, ...] = Field(min_length=1)
    baseline_pain: int = Field(ge=0, le=10)
    psfs: tuple[PsfsItem, ...] = Field(min_length=PSFS_ITEMS, max_length=PSFS_ITEMS)
    start_steps: dict[TrackId, int | None] = Field(default_factory=dict)

    @field_validator("goals")
    @classmethod
    def _known_goals(cls, goals: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [g for g in goals if g not in GOAL_VALUES]
        if unknown:
            raise ValueError(f"unknown goal {unknown[0]!r}; expected {', '.join(GOAL_VALUES)}")
        return goals

    def step_for(self, track: TrackId) -> int | None:
        if track in self.start_steps:
            return self.start_steps[track]
        return 0 if track in suggest_tracks(self.goals) else None


def onboard(
    db: Database,
    person_id: int,
    answers: OnboardingAnswers,
    on: dt.date,
    catalogue: Catalogue | None = None,
) -> None:
    """Store the answers and each track's starting prescription, all in one transaction.

    ProgrammeError when a starting step does not exist or no track is chosen.
    """
    chosen = {t: answers.step_for(t) for t in TRACKS}
    if all(step is None for step in chosen.values()):
        raise ProgrammeError("choose at least one track to train")
    ladders = {t: list_steps(t, catalogue) for t in TRACKS}
    for track, step in chosen.items():
        if step is not None and not 0 <= step < len(ladders[track]):
            raise ProgrammeError(f"{track} has levels 1 to {len(ladders[track])}, not {step + 1}")
    with db.transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise ProgrammeError("that person no longer exists")
        person.goals = list(answers.goals)
        person.baseline_pain = answers.baseline_pain
        person.psfs_activities = [item.activity for item in answers.psfs]
        person.onboarded = True
        s.add(new_measure(person_id, on, NPRS, NPRS_VERSION, None, answers.baseline_pain))
        for item in answers.psfs:
            s.add(new_measure(person_id, on, PSFS, PSFS_VERSION, item.activity, item.rating))
        for track, step in chosen.items():
            prescription = starting_prescription(ladders[track][step or 0])
            reason = starting_reason(track, step, answers, ladders[track])
            s.add(
                TrackState(
                    person_id=person_id,
                    track=track,
                    active=step is not None,
                    step=prescription.step,
                    exercise_id=prescription.exercise_id,
                    variation=prescription.variation,
                    reps=prescription.reps,
                    sets=prescription.sets,
                    hold_s=prescription.hold_s,
                    updated_on=on,
                    reason=reason,
                    since_session_id=0,
                )
            )
            s.add(
                Decision(
                    person_id=person_id,
                    track=track,
                    decided_on=on,
                    action="start" if step is not None else "off",
                    source="onboarding",
                    changed=True,
                    reason=reason,
                    before=None,
                    after=prescription.model_dump(),
                )
            )


def starting_reason(
    track: TrackId, step: int | None, answers: OnboardingAnswers, steps: tuple[Step, ...]
) -> str:
    """Why a track starts where it does: the goals' suggestion, or the person's own pick."""
    if step is None:
        return "Not part of your programme for now."
    level = f"level {step + 1} of {len(steps)}: {steps[step].title}"
    suggested = track in suggest_tracks(answers.goals)
    if step == 0 and suggested:
        return f"Your goals suggest this track; it starts at {level}, the teacher's starting point."
    if not suggested:
        return f"You added this track yourself, starting at {level}."
    return f"You chose to start at {level}."


def new_measure(
    person_id: int,
    on: dt.date,
    instrument: str,
    version: str,
    item: str | None,
    value: float,
    context: str = "baseline",
) -> Measure:
    """One stored outcome answer (raw item value with its instrument version)."""
    return Measure(
        person_id=person_id,
        taken_on=on,
        instrument=instrument,
        version=version,
        context=context,
        item=item,
        value=float(value),
    )
