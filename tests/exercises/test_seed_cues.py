"""Every cue in the teacher's text is either a camera check or an after-set question.

SEED_CUES was made by reading the seed document: each row quotes a short phrase from it, the
catalogue entry it belongs to, and the check ids, self-report ids or variations that carry it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hipcoach.exercises.catalogue import load_catalogue
from hipcoach.exercises.schema import Catalogue

SEED_FILE = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "seed" / "000_d63b20b7819bfb9e.txt"
)

SEED_CUES: list[tuple[str, str, set[str]]] = [
    # clamshell set-up
    ("clamshell", "Even Out Your Hip Bones", {"hips_not_stacked"}),
    ("clamshell", "top hip bone is directly above the bottom hip bone", {"hips_not_stacked"}),
    ("clamshell", "Very slightly rotate your pelvis forward", {"pelvis_forward"}),
    ("clamshell", "Lengthen your top knee out just past your bottom knee", {"leg_lengthened"}),
    ("clamshell", "lengthening out of the hip socket", {"leg_lengthened"}),
    ("clamshell", "Stack the Insteps of your Feet", {"feet_apart"}),
    ("clamshell", "slight press down with the top foot", {"foot_press"}),
    ("clamshell", "hips at about a 45 degree angle", {"wrong_hip_angle", "variation:standard"}),
    ("clamshell", "feet lined up with the hips", {"wrong_hip_angle", "variation:standard"}),
    ("clamshell", "knees tucked up towards the chest", {"variation:knees_tucked"}),
    ("clamshell", "hanging upside down from a trapeze", {"variation:hips_extended"}),
    # clamshell execution
    ("clamshell", "Nothing Moves but the Knee", {"pelvis_rolls_back"}),
    ("clamshell", "Don't let that hip bone move at all", {"pelvis_rolls_back"}),
    ("clamshell", "Bottom Leg Stays Relaxed", {"bottom_leg_moves", "bottom_leg_relaxed"}),
    ("clamshell", "Keep it small, keep it honest", {"range_too_big"}),
    ("clamshell", "shocked to find a tiny range of motion", {"range_too_big"}),
    ("clamshell", "shaking like I was hefting an olympic barbell", {"shaking"}),
    ("clamshell", "get all those other helpers to pipe down", {"where_felt"}),
    ("clamshell", "Feel the Burn", {"shake_or_burn", "where_felt"}),
    ("clamshell", "shaky, crampy, maximum", {"shake_or_burn", "shaking"}),
    ("clamshell", "when you get too tired to isolate, take a break", {"isolation_lost"}),
    # psoas
    ("foot_slide_elevated", "the foot slide on an elevated surface", {"where_felt"}),
    (
        "foot_slide_elevated",
        "a sensation of where the psoas is and how to use it",
        {"where_felt"},
    ),
    (
        "foot_slide_elevated",
        "offloading the work to the other hip flexors",
        {"where_felt", "thigh_rotates"},
    ),
]


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).lower()


def _covered(catalogue: Catalogue, exercise_id: str) -> set[str]:
    exercise = catalogue.get(exercise_id)
    assert exercise is not None
    return (
        {c.id for c in exercise.checks}
        | {q.id for q in exercise.self_report}
        | {c.id for c in catalogue.set_checks}
        | {f"variation:{v.id}" for v in exercise.variations}
    )


@pytest.mark.parametrize(("exercise_id", "phrase", "ids"), SEED_CUES)
def test_seed_cue_maps_to_checks_or_questions(exercise_id: str, phrase: str, ids: set[str]) -> None:
    missing = ids - _covered(load_catalogue(), exercise_id)
    assert not missing, f"{phrase!r} is not carried by {sorted(missing)} in {exercise_id}"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="the seed document is not beside the repo")
def test_seed_phrases_are_quoted_from_the_seed() -> None:
    seed = _normalise(SEED_FILE.read_text(encoding="utf-8"))
    absent = [phrase for _, phrase, _ in SEED_CUES if _normalise(phrase) not in seed]
    assert absent == []


def test_every_clamshell_check_and_question_stands_for_a_seed_cue() -> None:
    catalogue = load_catalogue()
    claimed = set().union(*(ids for e, _, ids in SEED_CUES if e == "clamshell"))
    clam = catalogue.get("clamshell")
    assert clam is not None
    own = {c.id for c in clam.checks} | {q.id for q in clam.self_report}
    assert own - claimed == set()


def test_every_check_and_question_names_its_source() -> None:
    catalogue = load_catalogue()
    for exercise in catalogue.exercises:
        for item in (*exercise.checks, *exercise.self_report):
            assert len(item.seed_cue.split()) >= 4, (exercise.id, item.id)
