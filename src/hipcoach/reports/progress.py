"""The numbers behind a progress report, gathered from the store (no plotting here).

Pain per session day (before, worst during, the morning after) against the person's
baseline and the ~2-point meaningful-change band; reps done and the share of flagged reps
per session; the level timeline per track; PSFS scores and the global rating of change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hipcoach.programme import history, people, planner
from hipcoach.programme.measures import GROC, NPRS_MCID, PSFS, score_psfs
from hipcoach.programme.tracks import TRACK_TITLES, list_steps
from hipcoach.programme.vocabulary import step_label
from hipcoach.store.database import Database


@dataclass(frozen=True)
class PainPoint:
    on: dt.date
    before: int | None
    peak: int | None
    morning: int | None


@dataclass(frozen=True)
class SessionPoint:
    on: dt.date
    session_id: int
    status: str
    reps_done: int
    reps_target: int
    flagged_fraction: float | None
    """Share of camera-watched reps with a compensation cue; None without a camera."""


@dataclass(frozen=True)
class LevelPoint:
    on: dt.date
    track: str
    track_title: str
    step: int
    """The step index on the track (0 = first); `level` words it, counted from 1."""
    title: str
    dose: str
    action: str
    reason: str
    level: str = ""
    steps: int = 1


@dataclass(frozen=True)
class ProgressData:
    name: str
    baseline_pain: int | None
    pain_mcid: float
    pain: list[PainPoint] = field(default_factory=list)
    sessions: list[SessionPoint] = field(default_factory=list)
    levels: list[LevelPoint] = field(default_factory=list)
    psfs: list[tuple[dt.date, float]] = field(default_factory=list)
    groc: list[tuple[dt.date, int]] = field(default_factory=list)


def _psfs_scores(rows: list[tuple[dt.date, str | None, float]]) -> list[tuple[dt.date, float]]:
    by_day: dict[dt.date, list[float]] = {}
    for day, _item, value in rows:
        by_day.setdefault(day, []).append(value)
    return [(day, score_psfs(values)) for day, values in sorted(by_day.items())]


def collect_progress(db: Database, person_id: int) -> ProgressData:
    """Everything a progress report shows, oldest first."""
    person = next(p for p in people.list_people(db) if p.id == person_id)
    mornings = history.morning_pains(db, person_id)
    pain: list[PainPoint] = []
    points: list[SessionPoint] = []
    for s in history.list_sessions(db, person_id):
        watched = [x for x in s.sets if x.flagged_reps is not None]
        watched_reps = sum(x.actual_reps for x in watched)
        flagged = sum(x.flagged_reps or 0 for x in watched)
        pain.append(
            PainPoint(
                on=s.performed_on,
                before=s.pre_pain,
                peak=max((x.pain for x in s.sets), default=None),
                morning=mornings.get(s.performed_on),
            )
        )
        points.append(
            SessionPoint(
                on=s.performed_on,
                session_id=s.id,
                status=s.status,
                reps_done=sum(x.actual_reps for x in s.sets),
                reps_target=sum(x.target_reps for x in s.sets),
                flagged_fraction=flagged / watched_reps if watched_reps else None,
            )
        )
    levels = []
    for d in planner.decision_history(db, person_id):
        if not d.changed or d.action == "off":
            continue
        steps = list_steps(d.after.track)
        step = steps[d.after.step]
        levels.append(
            LevelPoint(
                on=d.decided_on,
                track=d.after.track,
                track_title=TRACK_TITLES[d.after.track],
                step=d.after.step,
                title=step.title,
                dose=d.after.describe(),
                action=d.action,
                reason=d.reason,
                level=step_label(step, len(steps)),
                steps=len(steps),
            )
        )
    return ProgressData(
        name=person.name,
        baseline_pain=person.baseline_pain,
        pain_mcid=NPRS_MCID,
        pain=pain,
        sessions=points,
        levels=levels,
        psfs=_psfs_scores(history.list_measures(db, person_id, PSFS)),
        groc=[(day, int(v)) for day, _i, v in history.list_measures(db, person_id, GROC)],
    )
