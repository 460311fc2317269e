"""The safety screen as stored: carried-over flags, clearances, emergencies, referrals."""

from __future__ import annotations

from tests.programme.helpers import DAY0, all_no, day

from hipcoach.programme import people, screening
from hipcoach.programme.safety import Outcome
from hipcoach.store.database import Database


def flags(*yes: str) -> dict[str, bool]:
    return {**all_no(), **dict.fromkeys(yes, True)}


def person_id(db: Database) -> int:
    return people.create_person(db, "p", DAY0).id


def test_no_screen_yet_blocks_and_is_due(db: Database) -> None:
    status = screening.safety_status(db, person_id(db), DAY0)
    assert status.blocked
    assert status.due == "onboarding"


def test_answers_are_stored_with_the_date(db: Database) -> None:
    pid = person_id(db)
    screening.record_screen(db, pid, flags("fever"), day(2), "weekly")
    from hipcoach.programme.history import export_person

    stored = export_person(db, pid)["screens"]
    assert len(stored) == 1
    assert stored[0]["taken_on"] == day(2).isoformat()
    assert stored[0]["answers"]["fever"] is True
    assert stored[0]["answers"]["bladder"] is False
    assert stored[0]["reason"] == "weekly"


def test_clear_screen_lets_the_programme_run_until_a_week_passes(db: Database) -> None:
    pid = person_id(db)
    screening.record_screen(db, pid, all_no(), DAY0, "onboarding")
    assert not screening.safety_status(db, pid, day(6)).blocked
    assert screening.safety_status(db, pid, day(6)).due is None
    assert screening.safety_status(db, pid, day(7)).due == "weekly"
    assert screening.safety_status(db, pid, day(1), new_leg_symptoms=True).due == "leg_symptoms"


def test_a_flag_blocks_until_cleared(db: Database) -> None:
    pid = person_id(db)
    result = screening.record_screen(db, pid, flags("weight_loss"), DAY0, "onboarding")
    assert result.outcome == Outcome.see_doctor
    assert screening.safety_status(db, pid, DAY0).blocked
    assert screening.record_clearance(db, pid, day(1)) == ("weight_loss",)
    assert not screening.safety_status(db, pid, day(1)).blocked


def test_a_clean_rescreen_does_not_lift_an_uncleared_block(db: Database) -> None:
    pid = person_id(db)
    screening.record_screen(db, pid, flags("fever"), DAY0, "onboarding")
    again = screening.record_screen(db, pid, all_no(), day(7), "weekly")
    assert again.blocking == ("fever",)
    assert screening.safety_status(db, pid, day(7)).blocked


def test_a_cleared_lasting_flag_does_not_block_the_weekly_rescreen(db: Database) -> None:
    pid = person_id(db)
    screening.record_screen(db, pid, flags("cancer_history"), DAY0, "onboarding")
    screening.record_clearance(db, pid, DAY0)
    weekly = screening.record_screen(db, pid, flags("cancer_history"), day(7), "weekly")
    assert not weekly.blocked
    new_flag = screening.record_screen(db, pid, flags("cancer_history", "fever"), day(14), "weekly")
    assert new_flag.blocking == ("fever",)


def test_an_emergency_cannot_be_cleared_and_needs_a_doctor_afterwards(db: Database) -> None:
    pid = person_id(db)
    result = screening.record_screen(db, pid, flags("saddle_numbness"), DAY0, "onboarding")
    assert result.outcome == Outcome.emergency
    assert screening.record_clearance(db, pid, DAY0) == ()
    assert screening.safety_status(db, pid, DAY0).outcome == Outcome.emergency
    after = screening.record_screen(db, pid, all_no(), day(3), "manual")
    assert after.outcome == Outcome.see_doctor
    assert after.blocked
    assert after.blocking[0].startswith("after_emergency:")
    screening.record_clearance(db, pid, day(3))
    assert not screening.safety_status(db, pid, day(3)).blocked


def test_referral_blocks_with_its_own_message_until_cleared(db: Database) -> None:
    pid = person_id(db)
    screening.record_screen(db, pid, all_no(), DAY0, "onboarding")
    screening.record_referral(db, pid, day(5))
    status = screening.safety_status(db, pid, day(5))
    assert status.blocked
    assert "kept rising" in status.message
    assert status.due is None  # a referral is not a screen: the weekly clock is unchanged
    screening.record_clearance(db, pid, day(5))
    assert not screening.safety_status(db, pid, day(5)).blocked


def test_rising_pain_after_easing_off_pauses_once_per_episode(db: Database) -> None:
    from tests.programme.helpers import new_person, train_day

    from hipcoach.programme import planner

    person = new_person(db)
    train_day(db, person, 0, pain=6)  # -> eased off on day 1
    train_day(db, person, 1, pain=6)
    train_day(db, person, 2, pain=7)
    train_day(db, person, 3, pain=8)
    assert day(1) in planner.regress_dates(db, person.id)
    assert screening.check_pain_trend(db, person.id, day(4))
    status = screening.safety_status(db, person.id, day(4))
    assert status.blocked and "kept rising" in status.message
    screening.record_clearance(db, person.id, day(4))
    # Same episode: no second pause the next day.
    assert not screening.check_pain_trend(db, person.id, day(5))
    assert not screening.safety_status(db, person.id, day(5)).blocked


def test_flat_pain_after_easing_off_does_not_pause(db: Database) -> None:
    from tests.programme.helpers import new_person, train_day

    person = new_person(db)
    for n in range(4):
        train_day(db, person, n, pain=6)
    assert not screening.check_pain_trend(db, person.id, day(4))
