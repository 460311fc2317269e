"""One rep from a track's counters.

The start-frame counter (a knee opened by rolling the pelvis back still opens), the
pelvis-frame one (a rep with the top hip hitched up turns the femur with the pelvis, so
the knee barely moves in the start frame, while the hip's own rotation is plain) and, for
the clamshell, the image-plane one. The first to finish a rep reports it; the others drop
the rep they have under way (see RepCounter.concede). All but the first only fill gaps.
"""

from __future__ import annotations

from collections.abc import Sequence

from hipcoach.analysis.reps import Phase, RepCounter, RepWindow


def is_same_rep(window: RepWindow, last: RepWindow | None, strict: bool) -> bool:
    """`window` is the rep last reported: their peaks lie in each other's window or,
    `strict` (a counter that only fills gaps), they overlap at all."""
    if last is None:
        return False
    if strict and window.start_s < last.end_s and last.start_s < window.end_s:
        return True
    return (
        last.start_s <= window.peak_s <= last.end_s or window.start_s <= last.peak_s <= window.end_s
    )


def merge_windows(
    windows: Sequence[RepWindow | None],
    counters: Sequence[RepCounter | None],
    last: RepWindow | None,
) -> RepWindow | None:
    """The new rep, if any, among the windows the counters just closed (in the counters'
    order, the first the main one); the other counters concede the rep under way."""
    for i, window in enumerate(windows):
        if window is None or is_same_rep(window, last, strict=i > 0):
            continue
        for j, other in enumerate(counters):
            if j != i and other is not None and other.phase is Phase.moving:
                other.concede()
        return window
    return None
