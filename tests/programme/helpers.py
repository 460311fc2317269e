"""Small builders for the service tests: a screened, onboarded person and a typed set."""

from __future__ import annotations

import datetime as dt

from hipcoach.programme import onboarding, people, planner, screening, sessions
from hipcoach.programme.models import PersonInfo, SetInput
from hipcoach.programme.safety import RED_FLAG_IDS
from hipcoach.store.database import Database

DAY0 = dt.date(2025, 3, 3)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def all_no() -> dict[str, bool]:
    return {f: False for f in RED_FLAG_IDS}


def answers(**changes: object) -> onboarding.OnboardingAnswers:
    values: dict[str, object] = {
        "goals": ("back_pain",),
        "baseline_pain": 3,
        "psfs": tuple(
            onboarding.PsfsItem(activity=a, rating=r)
            for a, r in (("socks", 4), ("sitting", 6), ("stairs", 5))
        ),
    }
    values.update(changes)
    return onboarding.OnboardingAnswers.model_validate(values)


def new_person(db: Database, **changes: object) -> PersonInfo:
    """A person who passed the screen and finished onboarding on DAY0."""
    person = people.create_person(db, "tester", DAY0)
    screening.record_screen(db, person.id, all_no(), DAY0, "onboarding")
    onboarding.onboard(db, person.id, answers(**changes), DAY0)
    return people.require_person(db)


def typed_set(
    rx_track: str,
    exercise: str,
    target: int,
    done: int,
    index: int = 1,
    pain: int = 1,
    felt: str = "target",
    variation: str | None = None,
) -> SetInput:
    return SetInput(
        track=rx_track,
        exercise_id=exercise,
        variation=variation,
        set_index=index,
        source="typed",
        target_reps=target,
        actual_reps=done,
        pain=pain,
        felt=felt,
    )


def train_day(
    db: Database,
    person: PersonInfo,
    n: int,
    pain: int = 1,
    morning: int | None = 2,
    felt: str = "target",
    complete: bool = True,
) -> int:
    """One day as the CLI runs it: morning check, review (accepting), plan, all sets."""
    on = day(n)
    due = sessions.morning_check_due(db, person.id, on)
    if due is not None and morning is not None:
        sessions.record_morning_check(db, person.id, on, due, morning, False)
    for decision in planner.review_tracks(db, person.id, on):
        planner.apply_decision(db, person.id, decision, on, accepted=True)
    plan = planner.today_plan(db, person.id, on)
    session = sessions.start_session(db, person.id, on, 2, plan)
    for item in plan.items:
        rx = item.prescription
        for index in range(1, rx.sets + 1):
            sessions.save_set(
                db,
                session.id,
                typed_set(
                    rx.track,
                    rx.exercise_id,
                    rx.reps,
                    rx.reps if complete else rx.reps - 2,
                    index,
                    pain,
                    felt,
                    rx.variation,
                ),
            )
    sessions.finish_session(db, session.id)
    return session.id
