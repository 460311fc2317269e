"""Onboarding, the engine's decisions over several days, confirmation, overrides."""

from __future__ import annotations

import pytest
from tests.programme.helpers import DAY0, all_no, answers, day, new_person, train_day

from hipcoach.programme import onboarding, people, planner, screening, sessions
from hipcoach.programme.models import ProgrammeError
from hipcoach.programme.tracks import list_steps
from hipcoach.store.database import Database


def levels(db: Database, person_id: int) -> dict[str, tuple[bool, str]]:
    return {
        lvl.track: (lvl.active, lvl.prescription.describe() + f" @{lvl.prescription.step}")
        for lvl in planner.track_levels(db, person_id)
    }


def test_onboarding_starts_suggested_tracks_at_step_zero(db: Database) -> None:
    person = new_person(db, goals=("back_pain", "splits"))
    assert person.onboarded
    assert person.baseline_pain == 3
    assert person.psfs_activities == ("socks", "sitting", "stairs")
    found = levels(db, person.id)
    assert found["psoas"] == (True, "1 x 8 reps @0")
    assert found["clamshell"] == (True, "1 x 10 reps @0")
    assert found["side_lying_leg_lift"][0] is False
    plan = planner.today_plan(db, person.id, DAY0)
    assert [i.track for i in plan.items] == ["psoas", "clamshell"]
    # Picked "as my goals suggest": the reason says so, never "you chose".
    assert all("Your goals suggest this track" in i.reason for i in plan.items)
    assert all("you chose" not in i.reason.lower() for i in plan.items)
    psoas = plan.items[0]
    assert psoas.level == "Level 1 of 6: Foot slide on a raised surface"
    assert psoas.why_track == "The Psoas ladder serves your goal: a calmer lower back."
    assert "feel the psoas working" in psoas.gate and "not the front of the thigh" in psoas.gate
    assert psoas.why_dose.startswith("The gentlest dose of this level (8-12 reps, 1-3 sets)")
    assert "Two clean sessions in a row: 10 reps per set (was 8)" in psoas.why_dose
    assert "shaky, crampy fatigue" in plan.items[1].dose_note


def test_onboarding_can_start_higher_or_leave_a_track_out(db: Database) -> None:
    person = new_person(db, start_steps={"psoas": 2, "clamshell": None, "side_lying_leg_lift": 0})
    found = levels(db, person.id)
    assert found["psoas"][1].endswith("@2")
    assert found["clamshell"][0] is False
    assert found["side_lying_leg_lift"][0] is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_steps": {"psoas": 9}}, "psoas has levels 1 to 6, not 10"),
        (
            {"start_steps": {"psoas": None, "clamshell": None, "side_lying_leg_lift": None}},
            "at least one track",
        ),
    ],
)
def test_onboarding_rejects_impossible_starts(
    db: Database, changes: dict[str, object], message: str
) -> None:
    pid = people.create_person(db, "p", DAY0).id
    with pytest.raises(ProgrammeError, match=message):
        onboarding.onboard(db, pid, answers(**changes), DAY0)
    assert not people.require_person(db).onboarded  # nothing half-written


def test_unknown_goal_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown goal"):
        answers(goals=("flying",))


def test_two_clean_days_add_reps_and_each_session_is_judged_once(db: Database) -> None:
    person = new_person(db)
    train_day(db, person, 0)
    train_day(db, person, 1)
    assert levels(db, person.id)["psoas"][1] == "1 x 8 reps @0"
    # Day 1's morning not answered yet: hold, and judge again once it is.
    [waiting] = planner.review_tracks(db, person.id, day(2))
    assert waiting.action == "hold"
    assert "no next-morning pain answer" in waiting.reason
    planner.apply_decision(db, person.id, waiting, day(2))
    sessions.record_morning_check(db, person.id, day(2), day(1), 2, False)
    decisions = planner.review_tracks(db, person.id, day(2))
    assert [d.action for d in decisions] == ["progress"]
    planner.apply_decision(db, person.id, decisions[0], day(2))
    assert levels(db, person.id)["psoas"][1] == "1 x 10 reps @0"
    assert planner.review_tracks(db, person.id, day(2)) == []


def test_a_day_without_morning_answer_cannot_count(db: Database) -> None:
    person = new_person(db)
    train_day(db, person, 0)
    train_day(db, person, 1, morning=None)
    train_day(db, person, 2, morning=None)
    [decision] = planner.review_tracks(db, person.id, day(3))
    assert decision.action == "hold"
    assert "no next-morning pain answer" in decision.reason


def test_same_day_sessions_wait_for_a_later_day(db: Database) -> None:
    person = new_person(db)
    train_day(db, person, 0)
    assert planner.review_tracks(db, person.id, day(0)) == []
    assert len(planner.review_tracks(db, person.id, day(1))) == 1


def test_pain_six_regresses_with_reason(db: Database) -> None:
    person = new_person(db)
    train_day(db, person, 0, pain=6)
    [decision] = planner.review_tracks(db, person.id, day(1))
    assert decision.action == "regress"
    record = planner.apply_decision(db, person.id, decision, day(1))
    assert record.changed
    assert "6/10" in planner.track_levels(db, person.id)[0].reason
    assert day(1) in planner.regress_dates(db, person.id)


def reach_top_of_step_zero(db: Database) -> object:
    """Onboard straight into the maximum dose of psoas step 0, then two clean days."""
    person = new_person(db)
    first = list_steps("psoas")[0]
    with db.transaction() as s:
        from hipcoach.store.tables import TrackState

        state = s.query(TrackState).filter_by(person_id=person.id, track="psoas").one()
        state.reps, state.sets = first.reps_max, first.sets_max
    train_day(db, person, 0)
    train_day(db, person, 1)
    sessions.record_morning_check(db, person.id, day(2), day(1), 2, False)
    return person


def test_moving_up_a_level_is_asked_and_can_be_declined(db: Database) -> None:
    person = reach_top_of_step_zero(db)
    [decision] = planner.review_tracks(db, person.id, day(2))
    assert decision.needs_confirmation
    assert decision.after.step == 1
    record = planner.apply_decision(db, person.id, decision, day(2), accepted=False)
    assert record.action == "stay"
    assert not record.changed
    assert "You chose to stay" in record.reason
    assert levels(db, person.id)["psoas"][1].endswith("@0")
    # One more clean day and the offer comes again.
    train_day(db, person, 2)
    sessions.record_morning_check(db, person.id, day(3), day(2), 2, False)
    [again] = planner.review_tracks(db, person.id, day(3))
    assert again.needs_confirmation
    planner.apply_decision(db, person.id, again, day(3), accepted=True)
    assert levels(db, person.id)["psoas"][1] == "1 x 8 reps @1"


def test_override_needs_confirmation_and_never_skips(db: Database) -> None:
    person = new_person(db)
    with pytest.raises(ProgrammeError, match="confirmation"):
        planner.set_level(db, person.id, "psoas", 1, day(1), confirmed=False)
    with pytest.raises(ProgrammeError, match="never skipped"):
        planner.set_level(db, person.id, "psoas", 2, day(1), confirmed=True)
    record = planner.set_level(db, person.id, "psoas", 1, day(1), confirmed=True)
    assert record.source == "person"
    assert levels(db, person.id)["psoas"][1].endswith("@1")
    planner.set_level(db, person.id, "psoas", 0, day(1), confirmed=True)  # down is always fine
    assert levels(db, person.id)["psoas"][1].endswith("@0")


def test_switching_tracks_on_and_off(db: Database) -> None:
    person = new_person(db)
    planner.set_track_active(db, person.id, "psoas", False, day(1))
    assert [i.track for i in planner.today_plan(db, person.id, day(1)).items] == []
    planner.set_level(db, person.id, "clamshell", 0, day(1), confirmed=True)
    assert [i.track for i in planner.today_plan(db, person.id, day(1)).items] == ["clamshell"]


def test_review_before_onboarding_is_an_error(db: Database) -> None:
    pid = people.create_person(db, "p", DAY0).id
    screening.record_screen(db, pid, all_no(), DAY0, "onboarding")
    with pytest.raises(ProgrammeError, match="hipcoach start"):
        planner.review_tracks(db, pid, DAY0)
