"""Outcome measures (brief (d)): pain (NPRS), function (PSFS) and a global rating of change.

The ODI is copyrighted and needs a licence, so it is not used; RMDQ terms are unconfirmed.
Raw answers are stored item by item with the instrument's name and version. Meaningful
change thresholds are group estimates that depend on the starting point: shown as a guide.
"""

from __future__ import annotations

from collections.abc import Sequence

NPRS = "nprs"
NPRS_VERSION = "0-10"
NPRS_MCID = 2.0
"""About 2 points (or 30 %) is a meaningful change in pain (Ostelo 2008) [E]."""

PSFS = "psfs"
PSFS_VERSION = "3-item"
PSFS_ITEMS = 3
PSFS_MCID_SMALL = 1.3
PSFS_MCID_MEDIUM = 2.3
PSFS_MCID_LARGE = 2.7
"""Small / medium / large changes on the PSFS average (Abbott & Schmitt 2014) [E]."""

GROC = "groc"
GROC_VERSION = "-7..+7"


def score_psfs(ratings: Sequence[float]) -> float:
    """The PSFS score: the mean of the item ratings (0-10). ValueError if empty or out of range."""
    if not ratings:
        raise ValueError("the PSFS needs at least one rated activity")
    if any(not 0 <= r <= 10 for r in ratings):
        raise ValueError("PSFS ratings go from 0 to 10")
    return sum(ratings) / len(ratings)


def describe_pain_change(baseline: float, latest: float) -> str:
    """Plain words for a change in pain against the ~2-point meaningful change (a guide)."""
    delta = latest - baseline
    if abs(delta) < NPRS_MCID:
        return f"within {NPRS_MCID:g} points of your start: no clear change yet"
    word = "lower" if delta < 0 else "higher"
    return f"{abs(delta):g} points {word} than at the start: likely a real change"


def describe_psfs_change(baseline: float, latest: float) -> str:
    """Plain words for a PSFS change against the small/medium/large thresholds (a guide)."""
    delta = latest - baseline
    size = abs(delta)
    if size < PSFS_MCID_SMALL:
        return "no clear change yet"
    label = (
        "large" if size >= PSFS_MCID_LARGE else "medium" if size >= PSFS_MCID_MEDIUM else "small"
    )
    direction = "better" if delta > 0 else "worse"
    return f"a {label} change for the {direction} ({delta:+.1f})"
