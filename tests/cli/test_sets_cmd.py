"""The terminal's set runner says a cue the camera angle sees poorly once, with a caveat."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from hipcoach.analysis.events import CueEvent
from hipcoach.cli.sets_cmd import _once_if_uncertain
from hipcoach.programme.vocabulary import UNCERTAIN_CAVEAT


def fake_analyser(hard: list[str]) -> Any:
    report = SimpleNamespace(view=SimpleNamespace(hard_to_see=hard))
    return SimpleNamespace(report=lambda: report)


def cue(name: str, t: float) -> CueEvent:
    return CueEvent(t=t, cue=name, message=f"say {name}", level="rep")


def test_an_uncertain_cue_is_said_once_with_the_caveat_and_others_every_time() -> None:
    analyser = cast(Any, fake_analyser(["leg_drifts_forward"]))
    said: set[str] = set()
    lines = [
        _once_if_uncertain(cue(name, t), f"  say {name}", analyser, said)
        for t, name in enumerate(["leg_drifts_forward", "trunk_moves"] * 4)
    ]
    drift = [line for line in lines[0::2] if line is not None]
    assert drift == [f"  say leg_drifts_forward [dim]{UNCERTAIN_CAVEAT}[/dim]"]
    assert lines[1::2] == ["  say trunk_moves"] * 4
