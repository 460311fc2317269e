"""Today's plan: review each track's new sessions with the engine, record decisions, and
list what to do, each dose with its reason.

Typical use by an interface, once per session start:

    for decision in review_tracks(db, person.id, today):
        accepted = ask_person(decision) if decision.needs_confirmation else True
        apply_decision(db, person.id, decision, today, accepted=accepted)
    plan = today_plan(db, person.id, today)

A track's sessions are reviewed once, on a later day than they were done (so the
next-morning answer can count). Decisions that change nothing are recorded too, so
`hipcoach level` can always say why a track is where it is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hipcoach.programme.models import (
    DecisionRecord,
    PlanItem,
    ProgrammeError,
    TodayPlan,
    TrackLevel,
)
from hipcoach.programme.outcomes import SetFacts, summarise_sets
from hipcoach.programme.progression import Decision, SessionOutcome, decide
from hipcoach.programme.reasons import gate, why_dose, why_track
from hipcoach.programme.tracks import (
    TRACK_TITLES,
    TRACKS,
    Prescription,
    TrackId,
    list_steps,
    parse_track,
    starting_prescription,
)
from hipcoach.programme.vocabulary import level_label, step_label
from hipcoach.store.database import Database
from hipcoach.store.tables import Decision as DecisionRow
from hipcoach.store.tables import ExerciseSet, MorningCheck, Person, TrackState, TrainingSession


def _prescription(state: TrackState) -> Prescription:
    """The prescription a stored track state holds (its columns carry the same names)."""
    return Prescription.model_validate(state, from_attributes=True)


def _states(s: Session, person_id: int) -> dict[str, TrackState]:
    rows = s.scalars(select(TrackState).where(TrackState.person_id == person_id))
    return {row.track: row for row in rows}


def _planned_sets(session: TrainingSession, track: str, fallback: int) -> int:
    for item in session.plan or []:
        if item.get("track") == track:
            return int(item["prescription"]["sets"])
    return fallback


def track_outcomes(
    s: Session, person_id: int, state: TrackState, before: dt.date
) -> list[SessionOutcome]:
    """The track's sessions on its current prescription, done before `before` (open ones
    included), oldest first."""
    rows = s.execute(
        select(TrainingSession, ExerciseSet)
        .join(ExerciseSet, ExerciseSet.session_id == TrainingSession.id)
        .where(
            TrainingSession.person_id == person_id,
            TrainingSession.id > state.since_session_id,
            # Earlier days only: a day's session may still be continued that day, and one
            # left open on an earlier day is over whether or not it was closed yet.
            TrainingSession.performed_on < before,
            ExerciseSet.track == state.track,
        )
        .order_by(TrainingSession.id, ExerciseSet.id)
    ).all()
    grouped: dict[int, tuple[TrainingSession, list[SetFacts]]] = {}
    for session, row in rows:
        facts = SetFacts(
            target_reps=row.target_reps,
            actual_reps=row.actual_reps,
            target_hold_s=row.target_hold_s,
            hold_s=row.hold_s,
            flagged_reps=row.flagged_reps,
            pain=row.pain,
            felt=row.felt,
        )
        grouped.setdefault(session.id, (session, []))[1].append(facts)
    mornings = {
        m.about_date: m.pain
        for m in s.scalars(select(MorningCheck).where(MorningCheck.person_id == person_id))
    }
    return [
        summarise_sets(
            session.id,
            session.performed_on,
            facts,
            _planned_sets(session, state.track, state.sets),
            mornings.get(session.performed_on),
        )
        for session, facts in grouped.values()
    ]


def _already_judged(s: Session, person_id: int, track: str, latest: SessionOutcome) -> bool:
    """True when the latest session was judged already, with all it will ever tell."""
    row = s.execute(
        select(DecisionRow.basis_session_id, DecisionRow.basis_complete)
        .where(DecisionRow.person_id == person_id, DecisionRow.track == track)
        .where(DecisionRow.basis_session_id.is_not(None))
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()
    if row is None or latest.session_id > (row[0] or 0):
        return False
    return bool(row[1]) or latest.morning_pain is None


def review_tracks(db: Database, person_id: int, on: dt.date) -> list[Decision]:
    """The engine's decisions for active tracks with sessions not yet reviewed. Nothing is
    stored: pass each to `apply_decision` (after asking the person when it needs it)."""
    decisions: list[Decision] = []
    with db.transaction() as s:
        person = s.get(Person, person_id)
        if person is None or not person.onboarded:
            raise ProgrammeError("onboarding is not finished: run `hipcoach start`")
        states = _states(s, person_id)
        for track in TRACKS:
            state = states.get(track)
            if state is None or not state.active:
                continue
            window = track_outcomes(s, person_id, state, on)
            if not window or _already_judged(s, person_id, track, window[-1]):
                continue
            steps = list_steps(parse_track(state.track))
            decisions.append(decide(_prescription(state), window, person.baseline_pain or 0, steps))
    return decisions


def _record(
    s: Session,
    person_id: int,
    on: dt.date,
    action: str,
    source: str,
    reason: str,
    before: Prescription | None,
    after: Prescription,
    judged: Decision | None = None,
) -> DecisionRecord:
    """Store one decision; when it changes the prescription, update the track's state."""
    state = _states(s, person_id).get(after.track)
    changed = before is None or before != after
    if state is not None and changed:
        state.step, state.exercise_id, state.variation = (
            after.step,
            after.exercise_id,
            after.variation,
        )
        state.reps, state.sets, state.hold_s = after.reps, after.sets, after.hold_s
        state.updated_on, state.reason = on, reason
        latest = s.scalar(
            select(TrainingSession.id)
            .where(TrainingSession.person_id == person_id)
            .order_by(TrainingSession.id.desc())
            .limit(1)
        )
        state.since_session_id = int(latest or 0)
    s.add(
        DecisionRow(
            person_id=person_id,
            track=after.track,
            decided_on=on,
            action=action,
            source=source,
            changed=changed,
            reason=reason,
            before=before.model_dump() if before else None,
            after=after.model_dump(),
            basis_session_id=judged.basis_session_id if judged else None,
            basis_complete=judged.basis_complete if judged else True,
        )
    )
    return DecisionRecord(
        track=after.track,
        decided_on=on,
        action=action,
        source=source,
        changed=changed,
        reason=reason,
        before=before,
        after=after,
    )


def apply_decision(
    db: Database, person_id: int, decision: Decision, on: dt.date, accepted: bool = True
) -> DecisionRecord:
    """Record an engine decision. A step change the person declines (`accepted=False`) is
    recorded as staying put; they can move up at any later session."""
    with db.transaction() as s:
        if decision.needs_confirmation and not accepted:
            steps = list_steps(decision.before.track)
            reason = (
                f"You chose to stay at {steps[decision.before.step].title} "
                f"({decision.before.describe()}); you are ready for "
                f"{steps[decision.after.step].title} whenever you like."
            )
            return _record(
                s,
                person_id,
                on,
                "stay",
                "person",
                reason,
                decision.before,
                decision.before,
                decision,
            )
        return _record(
            s,
            person_id,
            on,
            decision.action,
            "engine",
            decision.reason,
            decision.before,
            decision.after,
            decision,
        )


def set_level(
    db: Database, person_id: int, track: TrackId, step: int, on: dt.date, confirmed: bool
) -> DecisionRecord:
    """The person's own override: move a track to `step` (starting dose), or switch it on.
    Never more than one step up at a time; ProgrammeError unless `confirmed`."""
    steps = list_steps(track)
    if not 0 <= step < len(steps):
        raise ProgrammeError(
            f"the {TRACK_TITLES[track]} has levels 1 to {len(steps)}, not {step + 1}"
        )
    with db.transaction() as s:
        state = _states(s, person_id).get(track)
        if state is None:
            raise ProgrammeError("onboarding is not finished: run `hipcoach start`")
        if state.active and step > state.step + 1:
            raise ProgrammeError(
                f"levels are never skipped: from {level_label(state.step, len(steps))} you "
                f"can go to level {state.step + 2} at most"
            )
        if not confirmed:
            raise ProgrammeError("changing a level needs your confirmation (--yes)")
        before = _prescription(state) if state.active else None
        state.active = True
        after = starting_prescription(steps[step])
        label = level_label(step, len(steps))
        reason = (
            f"You chose {steps[step].title} yourself ({label}), starting at {after.describe()}."
        )
        return _record(s, person_id, on, "override", "person", reason, before, after)


def set_track_active(
    db: Database, person_id: int, track: TrackId, active: bool, on: dt.date
) -> None:
    """Switch a track on or off without changing where the person is on it."""
    with db.transaction() as s:
        state = _states(s, person_id).get(track)
        if state is None:
            raise ProgrammeError("onboarding is not finished: run `hipcoach start`")
        state.active = active
        state.updated_on = on


def today_plan(db: Database, person_id: int, on: dt.date) -> TodayPlan:
    """What to do today on every active track, with the reason for each dose."""
    items: list[PlanItem] = []
    with db.transaction() as s:
        person = s.get(Person, person_id)
        goals = tuple(person.goals or ()) if person is not None else ()
        states = _states(s, person_id)
        reasons = _latest_reasons(s, person_id)
        for track in TRACKS:
            state = states.get(track)
            if state is None or not state.active:
                continue
            items.append(_plan_item(track, _prescription(state), goals, reasons.get(track)))
    return TodayPlan(on=on, items=tuple(items))


def _plan_item(
    track: TrackId, rx: Prescription, goals: tuple[str, ...], reason: str | None
) -> PlanItem:
    steps = list_steps(track)
    step = steps[rx.step]
    from hipcoach.exercises.catalogue import get_exercise

    return PlanItem(
        track=track,
        title=step.title,
        prescription=rx,
        rest_s=step.rest_s,
        reason=reason or "",
        level=step_label(step, len(steps)),
        why_track=why_track(track, goals),
        gate=gate(track),
        why_dose=why_dose(rx, steps),
        dose_note=get_exercise(rx.exercise_id).dosage.notes,
    )


def _latest_reasons(s: Session, person_id: int) -> dict[str, str]:
    reasons: dict[str, str] = {}
    rows = s.scalars(
        select(DecisionRow).where(DecisionRow.person_id == person_id).order_by(DecisionRow.id)
    )
    for row in rows:
        reasons[row.track] = row.reason
    return reasons


def track_levels(db: Database, person_id: int) -> list[TrackLevel]:
    """Each track's current prescription and the reason for its last change."""
    levels: list[TrackLevel] = []
    with db.transaction() as s:
        states = _states(s, person_id)
        for track in TRACKS:
            state = states.get(track)
            if state is None:
                continue
            steps = list_steps(track)
            levels.append(
                TrackLevel(
                    track=track,
                    title=TRACK_TITLES[track],
                    active=state.active,
                    prescription=_prescription(state),
                    step_title=steps[state.step].title,
                    level=step_label(steps[state.step], len(steps)),
                    steps=len(steps),
                    reason=state.reason,
                    changed_on=state.updated_on,
                )
            )
    return levels


def decision_history(db: Database, person_id: int) -> list[DecisionRecord]:
    """Every decision, oldest first."""
    with db.transaction() as s:
        rows = s.scalars(
            select(DecisionRow).where(DecisionRow.person_id == person_id).order_by(DecisionRow.id)
        )
        return [
            DecisionRecord(
                track=r.track,
                decided_on=r.decided_on,
                action=r.action,
                source=r.source,
                changed=r.changed,
                reason=r.reason,
                before=Prescription.model_validate(r.before) if r.before else None,
                after=Prescription.model_validate(r.after),
            )
            for r in rows
        ]


def regress_dates(db: Database, person_id: int) -> list[dt.date]:
    """Days on which the engine eased a track off."""
    with db.transaction() as s:
        return list(
            s.scalars(
                select(DecisionRow.decided_on).where(
                    DecisionRow.person_id == person_id, DecisionRow.action == "regress"
                )
            )
        )
