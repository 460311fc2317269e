"""Events the analyser emits, and the per-set report. Sent over the socket, stored and
printed unchanged."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

Side = Literal["left", "right"]


class SetState(StrEnum):
    waiting = "waiting"  # no usable pose yet
    settling = "settling"  # getting into position: no reps counted
    ready = "ready"  # baseline taken, at rest between reps
    moving = "moving"  # inside a rep
    paused = "paused"  # needed joints not visible: nothing is counted
    finished = "finished"


class RepReport(BaseModel):
    index: int = Field(ge=1)
    start_s: float
    peak_s: float
    end_s: float
    range_deg: float
    cues: list[str] = Field(default_factory=list)
    hold_s: float = 0.0
    measures: dict[str, float] = Field(default_factory=dict)
    """Each frame check's value for the rep: how far its measure moved with the rep."""


class ViewReport(BaseModel):
    ok: bool
    advice: str = ""
    missing: list[str] = Field(default_factory=list)
    visible_fraction: float = 1.0
    hard_to_see: list[str] = Field(default_factory=list)
    """Cues whose movement runs mostly along this camera's line of sight: judged, but
    with less certainty (single-camera depth is rough); the catalogue's camera placement
    shows them better."""
    not_judged: list[str] = Field(default_factory=list)
    """Cues this recording cannot tell apart from landmark error (this camera angle, or
    landmarks without depth), so they were not judged in this set (see the catalogue's
    camera placement)."""


class SetReport(BaseModel):
    exercise: str
    variation: str | None
    side: Side | None
    rep_count: int
    reps: list[RepReport]
    set_cues: list[str]
    view: ViewReport
    messages: dict[str, str] = Field(default_factory=dict)
    """Spoken-style message for every cue id that appears in this report."""
    duration_s: float = 0.0
    frames: int = 0
    frames_with_person: int = 0
    notes: list[str] = Field(default_factory=list)
    """Plain words on how the set was read: why no rep was counted when movement was
    seen, which end the reps were counted from, what to change."""


class RepEvent(BaseModel):
    type: Literal["rep"] = "rep"
    t: float
    rep: RepReport


class CueEvent(BaseModel):
    type: Literal["cue"] = "cue"
    t: float
    cue: str
    message: str
    level: Literal["rep", "set"]
    rep_index: int | None = None
    severity: Literal["info", "warn", "stop"] = "warn"


class StateEvent(BaseModel):
    type: Literal["state"] = "state"
    t: float
    state: SetState
    rep_count: int = 0


class SideEvent(BaseModel):
    type: Literal["side"] = "side"
    t: float
    side: Side


class ViewEvent(BaseModel):
    type: Literal["view"] = "view"
    t: float
    ok: bool
    advice: str = ""
    missing: list[str] = Field(default_factory=list)


Event = Annotated[
    RepEvent | CueEvent | StateEvent | SideEvent | ViewEvent, Field(discriminator="type")
]
