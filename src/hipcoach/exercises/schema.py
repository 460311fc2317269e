"""The validated shape of the exercise catalogue (package data `catalogue.yaml`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EvidenceStrength = Literal["E", "W", "I", "V"]
"""E: a cited study or guideline; W: weak or contested; I: our inference; V: to verify."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Posture(StrEnum):
    side_lying = "side_lying"
    supine = "supine"
    seated = "seated"
    standing = "standing"


class SignalName(StrEnum):
    """The joint angle whose excursion from the start-of-set baseline makes a rep (degrees)."""

    # The top thigh's outward turn about the hip-ankle line (clamshell; hip rotation).
    knee_opening = "knee_opening"
    # The top leg's hip-ankle line rising out of the body's plane (side-lying lift).
    leg_abduction = "leg_abduction"
    knee_flexion = "knee_flexion"  # 180 - hip/knee/ankle angle of the working leg
    hip_flexion = "hip_flexion"  # angle between trunk line and thigh of the working leg


class PrimarySignal(Strict):
    name: SignalName
    direction: Literal[1, -1] = 1
    """+1: the rep moves the signal up from the baseline; -1: down (e.g. lowering a leg)."""
    min_rep_deg: float = Field(gt=0, description="excursion from baseline that counts as a rep")
    from_either_end: bool = False
    """Reps may start from either end of the movement (a leg lower begun with the leg on
    the floor is a set of raises); the end the person rests at decides."""
    straight_leg: bool = False
    """The working knee stays straight through the rep (the straight-leg lower and raise, the
    side-lying lift). Its roll can then only show as the whole leg's sideways swing, which
    is not judged where that swing runs along the line of sight (see
    `analysis.view_limits.STRAIGHT_LEG_SWING`)."""
    side_from: Literal["top_leg", "most_motion"] = "most_motion"
    """How `--side auto` picks the working leg: the upper leg when lying on the side, or the
    leg that moves most."""


class Unit(StrEnum):
    deg = "deg"
    thigh = "thigh"  # a fraction of the person's own thigh length
    s = "s"
    ratio = "ratio"


class CheckSpec(Strict):
    """One camera check: its registered id, threshold and what the coach says when it fires."""

    id: str
    threshold: float
    unit: Unit
    message: str = Field(min_length=3, description="short, spoken-style cue")
    seed_cue: str = Field(min_length=3, description="the teacher's cue this check stands for")
    evidence: EvidenceStrength = "I"
    description: str = ""
    """What is measured and what the threshold means, in plain words (shown by the CLI)."""


class SelfReport(Strict):
    """A cue a camera cannot see, asked after the set."""

    id: str
    question: str
    kind: Literal["yes_no", "scale_0_10", "choice"] = "yes_no"
    choices: tuple[str, ...] = ()
    seed_cue: str


class CameraPlacement(Strict):
    view: Literal["front", "foot_end", "foot_end_oblique", "side", "front_or_side"]
    instructions: str
    alternative: str | None = None


class Dosage(Strict):
    reps_min: int = Field(ge=1)
    reps_max: int = Field(ge=1)
    sets_min: int = Field(ge=1, default=1)
    sets_max: int = Field(ge=1, default=3)
    rest_s: int = Field(ge=0)
    hold_s: float | None = Field(default=None, ge=0)
    notes: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Dosage:
        if self.reps_min > self.reps_max or self.sets_min > self.sets_max:
            raise ValueError("min must not exceed max")
        return self


class Variation(Strict):
    id: str
    name: str
    description: str
    hip_flexion_deg: tuple[float, float]
    """The set-up's allowed hip flexion range (degrees; 0 = straight, in line with the trunk)."""
    setup_cues: tuple[str, ...] = ()


class EvidenceNote(Strict):
    text: str
    strength: EvidenceStrength


class Exercise(Strict):
    id: str
    name: str
    track: Literal["psoas", "clamshell", "side_lying_leg_lift"]
    level: int = Field(ge=0)
    posture: Posture
    purpose: str
    target_muscles: tuple[str, ...]
    feel: str
    avoid_feel: str = ""
    setup_cues: tuple[str, ...]
    execution_cues: tuple[str, ...]
    camera: CameraPlacement
    dosage: Dosage
    stop_rule: str
    primary_signal: PrimarySignal
    checks: tuple[CheckSpec, ...]
    self_report: tuple[SelfReport, ...] = ()
    variations: tuple[Variation, ...] = ()
    default_variation: str | None = None
    progression: str | None = None
    regression: str | None = None
    progression_rule: str = ""
    evidence: tuple[EvidenceNote, ...] = ()

    @model_validator(mode="after")
    def _variations_consistent(self) -> Exercise:
        ids = [v.id for v in self.variations]
        if len(set(ids)) != len(ids):
            raise ValueError("variation ids must be unique")
        if self.variations and self.default_variation not in ids:
            raise ValueError(f"default_variation must be one of {ids}")
        if not self.variations and self.default_variation is not None:
            raise ValueError("default_variation given but no variations")
        check_ids = [c.id for c in self.checks]
        if len(set(check_ids)) != len(check_ids):
            raise ValueError("check ids must be unique within an exercise")
        return self

    def check(self, check_id: str) -> CheckSpec | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def variation(self, variation_id: str | None) -> Variation | None:
        wanted = variation_id or self.default_variation
        return next((v for v in self.variations if v.id == wanted), None)


class SetCheckDefaults(Strict):
    """Set-level checks shared by every exercise."""

    checks: tuple[CheckSpec, ...]


class Catalogue(Strict):
    version: int = 1
    set_checks: tuple[CheckSpec, ...]
    exercises: tuple[Exercise, ...]

    @model_validator(mode="after")
    def _links_resolve(self) -> Catalogue:
        ids = [e.id for e in self.exercises]
        if len(set(ids)) != len(ids):
            raise ValueError("exercise ids must be unique")
        for e in self.exercises:
            for link in (e.progression, e.regression):
                if link is not None and link not in ids:
                    raise ValueError(f"exercise {e.id!r} links to unknown exercise {link!r}")
        return self

    def get(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def set_check(self, check_id: str) -> CheckSpec | None:
        return next((c for c in self.set_checks if c.id == check_id), None)
