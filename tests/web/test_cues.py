"""One cue at a time: priority, no repeat within 3 s, minimum time on screen."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from hipcoach.analysis.events import CueEvent
from hipcoach.web.cues import CUE_ORDER, UNCERTAIN_CAVEAT, CuePicker


def cue(name: str, t: float = 0.0, severity: str = "warn", level: str = "rep") -> CueEvent:
    return CueEvent(t=t, cue=name, message=f"say {name}", level=level, severity=severity)  # type: ignore[arg-type]


def test_the_most_important_cue_of_a_frame_is_shown_first() -> None:
    picker = CuePicker()
    shown = picker.offer(
        [cue("feet_apart"), cue("pelvis_rolls_back"), cue("shaking", severity="info")], 0.0
    )
    assert shown is not None and shown.cue == "pelvis_rolls_back"


def test_waiting_cues_follow_after_the_hold_time() -> None:
    picker = CuePicker(hold_s=2.0)
    assert (
        picker.offer([cue("feet_apart"), cue("pelvis_rolls_back")], 0.0).cue == "pelvis_rolls_back"
    )  # type: ignore[union-attr]
    assert picker.offer([], 1.0) is None
    follow = picker.offer([], 2.0)
    assert follow is not None and follow.cue == "feet_apart"


def test_the_same_cue_is_not_repeated_within_three_seconds() -> None:
    picker = CuePicker(repeat_s=3.0, hold_s=0.0)
    assert picker.offer([cue("trunk_moves")], 0.0) is not None
    assert picker.offer([cue("trunk_moves")], 1.0) is None
    assert picker.offer([cue("trunk_moves")], 2.9) is None
    assert picker.offer([cue("trunk_moves")], 3.0) is not None


def test_stale_cues_are_dropped_rather_than_said_late() -> None:
    picker = CuePicker(hold_s=2.0, stale_s=4.0)
    picker.offer([cue("hip_hikes"), cue("feet_apart")], 0.0)
    assert picker.offer([], 10.0) is None


def test_a_stop_cue_interrupts_a_warning_on_screen() -> None:
    picker = CuePicker(hold_s=2.0)
    picker.offer([cue("feet_apart")], 0.0)
    urgent = picker.offer([cue("isolation_lost", severity="stop", level="set")], 0.5)
    assert urgent is not None and urgent.cue == "isolation_lost"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(CUE_ORDER), st.floats(min_value=0, max_value=0.5)),
        min_size=1,
        max_size=60,
    )
)
def test_never_repeats_within_three_seconds_nor_overlaps(stream: list[tuple[str, float]]) -> None:
    picker = CuePicker(repeat_s=3.0, hold_s=2.0)
    t = 0.0
    shown: list[tuple[float, str, str]] = []
    for name, step in stream:
        t += step
        got = picker.offer([cue(name, t)], t)
        if got is not None:
            shown.append((t, got.cue, got.severity))
    last_seen: dict[str, float] = {}
    for when, name, _ in shown:
        assert when - last_seen.get(name, -10.0) >= 3.0
        last_seen[name] = when
    for (t1, _, _), (t2, _, severity) in itertools.pairwise(shown):
        assert t2 - t1 >= 2.0 or severity == "stop"


def test_a_cue_hard_to_see_from_this_angle_is_said_once_with_the_caveat() -> None:
    picker = CuePicker(repeat_s=3.0, hold_s=0.0)
    hard = ("leg_drifts_forward",)
    said = [picker.offer([cue("leg_drifts_forward", t)], t, hard) for t in range(0, 40, 5)]
    shown = [s for s in said if s is not None]
    assert len(shown) == 1, "one caveated mention per set, not one per rep"
    assert shown[0].message == f"say leg_drifts_forward {UNCERTAIN_CAVEAT}"
    # A cue the camera sees well still comes back on later reps.
    again = [picker.offer([cue("trunk_moves", t)], t, hard) for t in range(40, 80, 5)]
    assert sum(s is not None for s in again) == len(again)
