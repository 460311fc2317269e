"""The start posture: settling on a still spell, the candidate legs, and starting over when
the trunk turns away for good."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from hipcoach.analysis.start_posture import StartPosture
from hipcoach.exercises.catalogue import get_exercise
from hipcoach.features.body import PosePoints
from hipcoach.synthetic import Scenario, generate


def _settled_start(exercise_id: str) -> tuple[StartPosture, list[tuple[float, np.ndarray]]]:
    series, _ = generate(Scenario(exercise_id, n_reps=2, settle_s=3.0, seed=5))
    assert series.world is not None
    start = StartPosture(get_exercise(exercise_id))
    frames = list(zip(series.t.tolist(), series.world, strict=True))
    for k, (t, world) in enumerate(frames):
        if start.settled(t, PosePoints(world)):
            return start, frames[k + 1 :]
    raise AssertionError("a still start posture never settled")


def test_candidate_legs_are_both_sides_and_both_ends_when_unknown() -> None:
    start, _ = _settled_start("leg_lower")
    tracks = start.candidate_tracks(None)
    assert sorted((tr.side, tr.direction) for tr in tracks) == [
        ("left", -1), ("left", 1), ("right", -1), ("right", 1),
    ]  # fmt: skip
    assert [tr.side for tr in start.candidate_tracks(["left"])] == ["left", "left"]


def test_a_trunk_turned_away_and_held_starts_over_but_a_glitch_does_not() -> None:
    start, later = _settled_start("clamshell")
    tracks = start.candidate_tracks(["right"])
    turn = Rotation.from_euler("y", 30, degrees=True)
    (t0, still), (t1, _) = later[0], later[1]
    glitch = turn.apply(still.reshape(-1, 3)).reshape(still.shape)
    assert not start.refine(PosePoints(still), t0, tracks, first_rep_done=False)
    assert not start.refine(PosePoints(glitch), t1, tracks, first_rep_done=False)
    assert not start.refine(PosePoints(still), t1 + 0.05, tracks, first_rep_done=False)
    held = [start.refine(PosePoints(glitch), t1 + 0.1 + k / 30, tracks, False) for k in range(12)]
    assert not held[0] and held[-1]
