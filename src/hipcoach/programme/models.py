"""The shapes the service layer takes and returns (pydantic), shared by the CLI and the web.

No database objects leave the service layer; interfaces see only these models.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hipcoach.analysis.events import RepReport, SetReport
from hipcoach.errors import HipcoachError
from hipcoach.programme.questions import FELT_VALUES
from hipcoach.programme.safety import Outcome, ScreenReason
from hipcoach.programme.tracks import Prescription, TrackId

SetSource = Literal["camera", "video", "typed", "web"]

COMPENSATION_CUES: frozenset[str] = frozenset(
    {
        "pelvis_rolls_back",
        "hips_not_stacked",
        "feet_apart",
        "range_too_big",
        "wrong_hip_angle",
        "bottom_leg_moves",
        "leg_drifts_forward",
        "trunk_moves",
        "hip_hikes",
        "thigh_rotates",
    }
)
"""Rep cues that mean another muscle or joint is helping. `hold_too_short` is about dose,
not form, so it does not count."""


class ProgrammeError(HipcoachError):
    """A programme action that cannot be done as asked (nobody started yet, a level skip...)."""


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class PersonInfo(Model):
    id: int
    name: str
    started_on: dt.date
    goals: tuple[str, ...]
    baseline_pain: int | None
    psfs_activities: tuple[str, ...]
    onboarded: bool


class SafetyStatus(Model):
    """Whether the programme may go on today, and whether the screen must be asked first."""

    blocked: bool
    outcome: Outcome | None
    message: str
    blocking: tuple[str, ...] = ()
    due: ScreenReason | None = None
    last_screen_on: dt.date | None = None


class PlanItem(Model):
    """One exercise in today's plan, with the reasons for it and its dose.

    `reason`: the last decision on the track (the rule and the answers behind it);
    `why_track`: the goals it serves; `gate`: the sensation it waits for before moving on;
    `why_dose`: where the dose sits in the level's range and what comes next;
    `dose_note`: the catalogue's words on the dose (e.g. "to a shaky fatigue")."""

    track: TrackId
    title: str
    prescription: Prescription
    rest_s: int
    reason: str
    level: str = ""
    why_track: str = ""
    gate: str = ""
    why_dose: str = ""
    dose_note: str = ""


class TodayPlan(Model):
    on: dt.date
    items: tuple[PlanItem, ...]


class SetInput(Model):
    """A finished set as an interface hands it over. Reps and cues come from the engine's
    `SetReport` when a camera or recording watched the set; typed sets carry counts only."""

    track: TrackId
    exercise_id: str
    variation: str | None = None
    set_index: int = Field(ge=1)
    source: SetSource
    target_reps: int = Field(ge=0)
    actual_reps: int = Field(ge=0, le=500)
    target_hold_s: float | None = None
    hold_s: float | None = Field(default=None, ge=0)
    pain: int = Field(ge=0, le=10)
    felt: str
    leg_symptoms: bool = False
    ended_early: bool = False
    duration_s: float | None = Field(default=None, ge=0)
    side: Literal["left", "right"] | None = None
    reps: tuple[RepReport, ...] = ()
    set_cues: tuple[str, ...] = ()
    report: SetReport | None = None

    @field_validator("felt")
    @classmethod
    def _known_place(cls, felt: str) -> str:
        if felt not in FELT_VALUES:
            raise ValueError(f"felt must be one of {', '.join(FELT_VALUES)}")
        return felt

    @property
    def flagged_reps(self) -> int | None:
        """Reps that carried a compensation cue; None when no camera watched the set."""
        if self.source == "typed":
            return None
        return sum(1 for r in self.reps if COMPENSATION_CUES.intersection(r.cues))


class SavedSet(Model):
    id: int
    session_id: int
    track: str
    exercise_id: str
    variation: str | None
    set_index: int
    source: str
    target_reps: int
    actual_reps: int
    target_hold_s: float | None
    hold_s: float | None
    flagged_reps: int | None
    pain: int
    felt: str
    leg_symptoms: bool
    ended_early: bool


class SessionInfo(Model):
    id: int
    performed_on: dt.date
    status: str
    pre_pain: int | None
    sets: tuple[SavedSet, ...] = ()


class TrackLevel(Model):
    """A track's current prescription and the reason for its last change."""

    track: TrackId
    title: str
    active: bool
    prescription: Prescription
    step_title: str
    steps: int
    level: str = ""
    """ "Level 2 of 6: Heel slide", the one way levels are written."""
    reason: str
    changed_on: dt.date


class DecisionRecord(Model):
    track: str
    decided_on: dt.date
    action: str
    source: str
    changed: bool
    reason: str
    before: Prescription | None
    after: Prescription
