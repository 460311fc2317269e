"""The progression engine: pure functions from a track's recent sessions to one decision.

Rules (brief (c), our defaults [I]; the pain thresholds come from tendon and knee research,
so using them for back pain is itself an inference):

- **Regress** when the latest session's peak pain is above 5/10, the next morning was worse
  than the person's baseline, more than a third of reps were flagged in each of the last two
  sessions, or (clamshell only, weak evidence) the outer hip hurt at 4/10 or more. Pain-led
  regressions cut volume by a third (reps, then sets); form-led ones go one step down. When
  volume cannot be cut any further, the step goes down; at the first step, nothing is left
  to cut and the person is told to rest and seek advice if pain keeps rising.
- **Hold** when peak pain reached 4-5 (and, if known, settled by the next morning).
- **Progress** one variable when the last two sessions on this prescription were both
  clean: volume done, peak pain <= 3, next-morning pain <= baseline, compensation cues on
  <= 10 % of reps, and the person felt the target muscle (the seed's gate). The variable
  moves in this order: reps (+2, up to the step's maximum), hold (+2 s, up to 10 s), sets
  (+1, up to the maximum), then the next step, never two steps at once. A step change
  needs the person's confirmation; they may stay as long as they like.
- Otherwise **hold**, saying which conditions are not met yet.

Every decision carries its reason in plain words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from hipcoach.programme.questions import FELT_CHOICES
from hipcoach.programme.tracks import (
    HOLD_MAX_S,
    Frozen,
    Prescription,
    Step,
    starting_prescription,
)

SESSIONS_TO_PROGRESS = 2
SAFE_PAIN_MAX = 3
ACCEPTABLE_PAIN_MAX = 5
PROGRESS_FLAGGED_MAX = 0.10
REGRESS_FLAGGED_ABOVE = 1 / 3
OUTER_HIP_PAIN_MIN = 4
REP_STEP = 2
HOLD_STEP_S = 2.0
VOLUME_CUT = 1 / 3
"""Regressions cut volume by a third, inside the brief's 25-50 %."""
MIN_REPS = 3

Action = Literal["progress", "hold", "regress"]


class SessionOutcome(Frozen):
    """How one session went on one track, as the engine needs it."""

    session_id: int
    performed_on: dt.date
    volume_done: bool
    peak_pain: int = Field(ge=0, le=10)
    morning_pain: int | None = Field(default=None, ge=0, le=10)
    flagged_fraction: float | None = Field(default=None, ge=0, le=1)
    """Share of reps with a compensation cue; None when no camera watched the sets."""
    felt_target: bool | None = None
    """True when most sets were felt in the target muscle; None when nobody asked."""
    felt_most: str | None = None
    """Where most sets were felt (a `FELT_VALUES` id), to quote the answer back."""
    outer_hip_pain: bool = False


class Decision(Frozen):
    """The engine's answer for one track: what to do next and why."""

    track: str
    action: Action
    before: Prescription
    after: Prescription
    reason: str
    needs_confirmation: bool = False
    """True when the step changes upwards: the person confirms or stays where they are."""
    basis_session_id: int | None = None
    basis_complete: bool = True
    """False when the judged session had no next-morning answer yet."""

    @property
    def changed(self) -> bool:
        return self.after != self.before

    @property
    def changes_step(self) -> bool:
        return self.after.step != self.before.step


def _regress_reasons(
    window: Sequence[SessionOutcome], baseline_pain: int, track: str
) -> tuple[list[str], list[str]]:
    """(pain-led reasons, form-led reasons) to regress, from the latest sessions."""
    latest = window[-1]
    pain: list[str] = []
    form: list[str] = []
    if latest.peak_pain > ACCEPTABLE_PAIN_MAX:
        pain.append(f"pain reached {latest.peak_pain}/10, above the 5/10 limit")
    if latest.morning_pain is not None and latest.morning_pain > baseline_pain:
        pain.append(
            f"the next morning your pain was {latest.morning_pain}/10, "
            f"worse than your usual {baseline_pain}/10"
        )
    if track == "clamshell" and latest.outer_hip_pain:
        pain.append(
            "the outer hip hurt during clamshells (some clinicians think clams can irritate "
            "the hip's tendons; the evidence is weak, so we play safe)"
        )
    last_two = window[-SESSIONS_TO_PROGRESS:]
    if len(last_two) == SESSIONS_TO_PROGRESS and all(
        s.flagged_fraction is not None and s.flagged_fraction > REGRESS_FLAGGED_ABOVE
        for s in last_two
    ):
        form.append("more than a third of your reps lost form in each of the last two sessions")
    return pain, form


def _cut_volume(current: Prescription) -> Prescription | None:
    """The same step with about a third less volume (reps first, then sets), or None."""
    reps = max(MIN_REPS, round(current.reps * (1 - VOLUME_CUT)))
    if current.reps - reps >= 0.25 * current.reps:
        return current.model_copy(update={"reps": reps})
    if current.sets > 1:
        return current.model_copy(update={"sets": current.sets - 1})
    return None


def _step_down(current: Prescription, steps: Sequence[Step]) -> Prescription | None:
    if current.step == 0:
        return None
    return starting_prescription(steps[current.step - 1])


def _regress(
    current: Prescription, steps: Sequence[Step], pain: list[str], form: list[str]
) -> tuple[Action, Prescription, str]:
    why = "; ".join(pain + form)
    if form and not pain:
        lower = _step_down(current, steps)
        if lower is not None:
            return "regress", lower, f"Back one level to {steps[lower.step].title}: {why}."
    cut = _cut_volume(current)
    if cut is not None:
        return "regress", cut, f"Easing off to {cut.describe()}: {why}."
    lower = _step_down(current, steps)
    if lower is not None:
        return "regress", lower, f"Back one level to {steps[lower.step].title}: {why}."
    return (
        "hold",
        current,
        f"You are already at the gentlest dose ({why}). Rest a day or two; if pain keeps "
        "rising, see a doctor or physiotherapist before going on.",
    )


def _clean_session_gaps(session: SessionOutcome, baseline_pain: int) -> list[str]:
    """What keeps one session from counting towards progression (empty: it counts)."""
    gaps: list[str] = []
    if not session.volume_done:
        gaps.append("the planned sets and reps were not all done")
    if session.peak_pain > SAFE_PAIN_MAX:
        gaps.append(f"pain reached {session.peak_pain}/10 (needs 3 or less)")
    if session.morning_pain is None:
        gaps.append("no next-morning pain answer yet")
    elif session.morning_pain > baseline_pain:
        gaps.append("the next morning was worse than usual")
    if session.flagged_fraction is not None and session.flagged_fraction > PROGRESS_FLAGGED_MAX:
        gaps.append(f"{session.flagged_fraction:.0%} of reps lost form (needs 10 % or less)")
    if session.felt_target is not True:
        where = {c.value: c.label for c in FELT_CHOICES}.get(session.felt_most or "")
        answer = f" (where you felt it most: {where})" if where else ""
        gaps.append(f"you did not yet feel the target muscle doing the work{answer}")
    return gaps


def next_prescription(current: Prescription, steps: Sequence[Step]) -> Prescription | None:
    """One variable up (reps, then hold, then sets, then the next step); None at the top."""
    step = steps[current.step]
    if current.reps < step.reps_max:
        return current.model_copy(update={"reps": min(step.reps_max, current.reps + REP_STEP)})
    if current.hold_s is not None and current.hold_s < HOLD_MAX_S:
        hold = min(HOLD_MAX_S, current.hold_s + HOLD_STEP_S)
        return current.model_copy(update={"hold_s": hold})
    if current.sets < step.sets_max:
        return current.model_copy(update={"sets": current.sets + 1})
    if current.step + 1 < len(steps):
        return starting_prescription(steps[current.step + 1])
    return None


def describe_change(before: Prescription, after: Prescription, steps: Sequence[Step]) -> str:
    if after.step != before.step:
        return f"move up to {steps[after.step].title} at {after.describe()}"
    if after.reps != before.reps:
        return f"{after.reps} reps per set (was {before.reps})"
    if after.hold_s != before.hold_s:
        return f"hold {after.hold_s:g} s (was {before.hold_s:g} s)"
    return f"{after.sets} sets (was {before.sets})"


def decide(
    current: Prescription,
    window: Sequence[SessionOutcome],
    baseline_pain: int,
    steps: Sequence[Step],
) -> Decision:
    """Decide the next prescription on one track.

    `window`: the sessions done on the current prescription since it last changed, oldest
    first. `baseline_pain`: the person's usual pain (NPRS 0-10) from onboarding. `steps`:
    the track's steps (from `list_steps`). Pure: no clock, no database.
    """
    track = current.track
    if not window:
        return Decision(
            track=track,
            action="hold",
            before=current,
            after=current,
            reason="No finished session on this dose yet: start here.",
        )
    latest = window[-1]
    basis = latest.session_id

    def decision(
        action: Action, after: Prescription, reason: str, confirm: bool = False
    ) -> Decision:
        return Decision(
            track=track,
            action=action,
            before=current,
            after=after,
            reason=reason,
            needs_confirmation=confirm,
            basis_session_id=basis,
            basis_complete=latest.morning_pain is not None,
        )

    pain, form = _regress_reasons(window, baseline_pain, track)
    if pain or form:
        action, after, reason = _regress(current, steps, pain, form)
        return decision(action, after, reason)

    if latest.peak_pain > SAFE_PAIN_MAX:
        settled = (
            "and settled by the next morning"
            if latest.morning_pain is not None
            else "; tell us next time how it was the morning after"
        )
        return decision(
            "hold",
            current,
            f"Staying at {current.describe()}: pain reached {latest.peak_pain}/10 {settled}. "
            "That is acceptable, but not the moment to add more.",
        )

    recent = window[-SESSIONS_TO_PROGRESS:]
    gaps = [_clean_session_gaps(s, baseline_pain) for s in recent]
    clean = sum(1 for g in gaps if not g)
    if len(recent) < SESSIONS_TO_PROGRESS or clean < SESSIONS_TO_PROGRESS:
        missing = gaps[-1] or ["one more clean session is needed"]
        return decision(
            "hold",
            current,
            f"Staying at {current.describe()} ({clean} of {SESSIONS_TO_PROGRESS} clean "
            f"sessions): {'; '.join(missing)}.",
        )

    upgraded = next_prescription(current, steps)
    if upgraded is None:
        return decision(
            "hold",
            current,
            "Two clean sessions at the top of this track: keep it up, there is no harder step.",
        )
    change = describe_change(current, upgraded, steps)
    form_words = (
        "form held"
        if all(s.flagged_fraction is not None for s in recent)
        else "form held where a camera watched"
    )
    return decision(
        "progress",
        upgraded,
        f"Two clean sessions in a row (all sets done, pain 3/10 or less, mornings no worse "
        f"than usual, {form_words}, target muscle felt): {change}.",
        confirm=upgraded.step != current.step,
    )
