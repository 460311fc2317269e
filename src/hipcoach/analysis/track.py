"""One candidate working leg: its rep counter, smoother and per-rep check accumulators."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from hipcoach.analysis.checks import (
    FRAME_CHECKS,
    NEEDS_OTHER_LEG,
    NEEDS_WHOLE_REP,
    REP_CHECKS,
    TWO_SIDED,
    CoupledMeasure,
)
from hipcoach.analysis.own_counter import (
    OWN_COUNTER_ENTER,
    OWN_COUNTER_MIN_BEND,
    PelvisFrameCounter,
    PictureCounter,
)
from hipcoach.analysis.rep_merge import merge_windows
from hipcoach.analysis.reps import Phase, RepCounter, RepWindow
from hipcoach.analysis.rest_levels import (
    RepBaseline,
    RestLevels,
    median_or_none,
)
from hipcoach.analysis.rest_noise import DEG_TO_THIGH, RestNoise
from hipcoach.analysis.signal_history import SignalHistory
from hipcoach.analysis.view_limits import (
    VISIBLE,
    compute_depth_share,
    list_hard_to_see,
    list_not_judged,
    visibility_threshold,
)
from hipcoach.exercises.schema import Exercise, SignalName, Unit
from hipcoach.features.body import FloatArray, PosePoints, Side, as_pose, other_side
from hipcoach.features.filters import OneEuroFilter
from hipcoach.features.measures import (
    Reference,
    compute_compensations,
    compute_knee_bend,
    compute_knee_rise,
    compute_signal,
    thigh_turn_weight,
)
from hipcoach.features.vec3 import unit
from hipcoach.pose.landmarks import LANDMARK_INDEX

# Rest noise is sampled on every third frame: plenty for a spread, a third of the cost.
NOISE_EVERY = 3
# Per-frame trust in a measure, where its noise changes within a rep.
MEASURE_WEIGHTS = {"thigh_rotates": thigh_turn_weight}
# A rep the image-plane counter finds must also lift the start-frame signal by this share of
# the smallest rep. From the front the world landmarks shrink a small turn, but still show
# it: a rendered 8 deg clamshell lifted it 5 deg; a generated set's picture noise made a
# 0.5 s "rep" that lifted it under 1 deg.
PICTURE_NEEDS_RISE = 0.5
# ... and the start-frame signal must have begun to come back down (by this share of that
# rise) by the window's end: the rep is over there too. A slow (8 s) small clamshell's
# picture signal, noisy from the feet end swung to the front, fell back half way up the rise
# and was counted as a rep while the knee was still rising (share 0.0), then the rest of the
# rise as another. Shares seen on windows the picture counter closed: 0.32-0.84 on the 15
# rendered clamshells (lag of the smoothed world signal), 0.16 and up on the 144 small
# generated ones apart from two 0.0.
PICTURE_NEEDS_FALL = 0.1
# A longer gap in tracking means a rep spanning it was not seen whole.
UNSEEN_GAP_S = 0.5
# Signals counted in the start posture's frame, whose range is reported in the pelvis's.
BODY_FRAME_SIGNALS = frozenset({SignalName.knee_opening, SignalName.leg_abduction})
# Signals that compare both legs, so both must be seen.
BOTH_LEG_SIGNALS = frozenset({SignalName.knee_opening, SignalName.leg_abduction})


def _indices(names: list[str]) -> list[int]:
    return [LANDMARK_INDEX[n] for n in names]


@dataclass
class LegTrack:
    side: Side
    exercise: Exercise
    reference: Reference
    counter: RepCounter
    # +1 or -1: which way a rep moves the primary signal (0: the catalogue's direction).
    direction: int = 0
    smoother: OneEuroFilter = field(default_factory=lambda: OneEuroFilter(1, 0.6, 0.02))
    measures: dict[str, CoupledMeasure] = field(default_factory=dict)
    last_seen_t: float | None = None
    _recent_raw: list[float] = field(default_factory=list)
    history: SignalHistory = field(default_factory=SignalHistory)
    level: float = float("nan")
    """The primary signal's latest smoothed value (degrees, a rep moves it up)."""
    frames_seen: int = 0
    rest: RestLevels = field(default_factory=RestLevels)
    # Off until the first rep is done: that rep is judged afterwards from kept frames,
    # once the start posture is known (see start_posture.settle_on_first_rep).
    judge_live: bool = False
    # Image-plane points (no world coordinates): see NEEDS_DEPTH.
    planar: bool = False
    frames_measured: int = 0
    # What the current rep is judged against (see rest_levels).
    _before: RepBaseline = field(default_factory=RepBaseline)
    # Recent spells (from, to) longer than UNSEEN_GAP_S when the leg was out of view.
    _gaps: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=8))
    # The counter on the signal in each pose's own pelvis frame (see _merge_windows), and
    # the latest window this track reported.
    own: PelvisFrameCounter | None = None
    # A third counter, on the image-plane signal in each pose's own pelvis frame, for
    # views that see the knee's turn across the picture (see _update_picture).
    picture: PictureCounter | None = None
    _last_window: RepWindow | None = None

    def __post_init__(self) -> None:
        o = other_side(self.side)
        self._core = _indices(["left_hip", "right_hip", "left_shoulder", "right_shoulder"])
        leg_names = [f"{self.side}_knee", f"{self.side}_ankle", f"{o}_knee", f"{o}_ankle"]
        self._work = _indices(leg_names[:2])
        self._other = _indices(leg_names[2:])
        self._need = np.array([visibility_threshold(n, self.side) for n in leg_names])
        # All eight joints' visibility tested in one go (see visible).
        self._seen_index = np.array(self._core + self._work + self._other)
        self._seen_need = np.concatenate([np.full(4, VISIBLE), self._need])
        self._frame_checks = [c for c in self.exercise.checks if c.id in FRAME_CHECKS]
        self.measures = {
            c.id: CoupledMeasure(two_sided=c.id in TWO_SIDED) for c in self._frame_checks
        }
        if self.exercise.primary_signal.name in BODY_FRAME_SIGNALS:
            own = RepCounter(enter_deg=self.counter.enter_deg, split_valleys=False)
            self.own = PelvisFrameCounter(own)
        if self.exercise.primary_signal.name is SignalName.knee_opening and not self.planar:
            picture = RepCounter(enter_deg=self.counter.enter_deg, split_valleys=False)
            self.picture = PictureCounter(picture)

    def required_names(self) -> list[str]:
        names = ["left_hip", "right_hip", "left_shoulder", "right_shoulder"]
        names += [f"{self.side}_knee", f"{self.side}_ankle"]
        if self.exercise.primary_signal.name in BOTH_LEG_SIGNALS:
            o = other_side(self.side)
            names += [f"{o}_knee", f"{o}_ankle"]
        return names

    @property
    def reversed(self) -> bool:
        """True when this track counts reps the other way from the catalogue's direction."""
        return self.direction == -self.exercise.primary_signal.direction

    def motion_score(self) -> float:
        """How clearly this leg has been moving: the robust range of its averaged signal
        (5th to 95th percentile, so glitches do not count) times the share of frames in which it
        could be measured (a half-hidden far leg rarely wins)."""
        if self.frames_seen == 0:
            return 0.0
        return self.history.movement_deg() * self.frames_measured / self.frames_seen

    def visible(self, visibility: FloatArray, count: bool = True) -> tuple[bool, bool]:
        """(can measure this leg's signal, can see the other leg)."""
        self.frames_seen += int(count)
        seen = (visibility[self._seen_index] >= self._seen_need).tolist()
        core, work, other = all(seen[:4]), all(seen[4:6]), all(seen[6:])
        needs_other = self.exercise.primary_signal.name in BOTH_LEG_SIGNALS
        return core and work and (other or not needs_other), other

    def update(
        self,
        points: PosePoints,
        calm_points: PosePoints,
        t: float,
        other_visible: bool,
        learn_noise: bool = True,
        picture_points: PosePoints | None = None,
    ) -> RepWindow | None:
        """Feed one frame. `points` drive the rep signal; `calm_points` (low-passed
        landmarks) drive the compensation measures, whose unsigned angles would otherwise
        be biased upwards by landmark noise. Each is one frame's PosePoints, shared by the
        candidate tracks (what they measure alike is measured once). `picture_points`: the
        same frame's image-plane points, when the landmarks have world coordinates."""
        raw = self._signal(points)
        own = float("nan")
        if self.own is not None:
            own = self._signal(points, in_start_frame=False)
            self.own.record(t, own)
        if not math.isfinite(raw):
            return None
        if self.last_seen_t is not None and t - self.last_seen_t > UNSEEN_GAP_S:
            self._gaps.append((self.last_seen_t, t))  # a rep under way was partly unseen
        self.last_seen_t = t
        # Median of the last three samples removes single-frame landmark glitches
        # (one frame of lag) before the adaptive low-pass.
        self._recent_raw = [*self._recent_raw[-2:], raw]
        despiked = sorted(self._recent_raw)[len(self._recent_raw) // 2]
        value = self.smoother.update_scalar(despiked, t)
        self.level = value
        self.history.add(t, value)
        self.frames_measured += 1
        was_moving = self.moving
        counted = self.counter.update(value, t)
        picture = self._update_picture(picture_points, points, t)
        window = self._merge_windows(counted, self._update_own(own, t, points), picture)
        if not was_moving and self.moving:
            self._before = self.rest.baseline(self.reference) if self.judge_live else RepBaseline()
        if self.judge_live and (self.moving or window is not None):
            self._accumulate(calm_points, other_visible)
        elif (
            learn_noise
            and self.frames_measured % NOISE_EVERY == 0
            and self.counter.excursion(value) < 0.5 * self.counter.enter_deg
        ):
            self._learn_rest_noise(calm_points, other_visible)
        return window

    @property
    def moving(self) -> bool:
        """A rep is under way on either counter."""
        own = self.own is not None and self.own.moving
        picture = self.picture is not None and self.picture.moving
        return own or picture or self.counter.phase is Phase.moving

    def _update_own(self, raw: float, t: float, points: PosePoints) -> RepWindow | None:
        # Image-plane points give no pelvis frame to trust (the hip line is foreshortened
        # and flips from some views), and a nearly straight leg has no turn about its own
        # line (the start-frame signal reads its rise instead): the start-frame counter
        # counts alone then.
        if self.own is None or not math.isfinite(raw) or points.planar:
            return None
        name = self.exercise.primary_signal.name
        if name is SignalName.knee_opening and (
            compute_knee_bend(points.joints(self.side)) < OWN_COUNTER_MIN_BEND
        ):
            return None
        smallest = OWN_COUNTER_ENTER * self.counter.enter_deg
        return self.own.update(raw, t, smallest, resting=not self.moving)

    def _update_picture(
        self, points: PosePoints | None, world: PosePoints, t: float
    ) -> RepWindow | None:
        """The image-plane counter. From the front a small knee turn runs across the
        picture, where BlazePose places the knee precisely, while its world landmarks
        shrink the turn (a rendered 8 deg turn read 5-6 deg, below the smallest rep). It
        counts only where the picture reads the resting pose as the world landmarks do
        (see own_counter.PICTURE_AGREES_DEG): from the feet end, or with the thighs pointing at the
        camera, the picture distorts the pose and its movement alike."""
        if self.picture is None or points is None:
            return None
        raw = self._signal(points, in_start_frame=False)
        if not math.isfinite(raw):
            return None
        if not self.moving:
            # Agreement is judged on the same measure read from the world landmarks.
            direction = self.direction or self.exercise.primary_signal.direction
            work, other = world.joints(self.side), world.joints(other_side(self.side))
            self.picture.note_rest(raw, direction * compute_knee_rise(work, other))
        if not self.picture.trusted:
            return None
        self.picture.record(t, raw)
        window = self.picture.update(raw, t, self.counter.enter_deg, resting=not self.moving)
        if window is None:
            return None
        rise, fall = self.history.rise_fall_deg(window)
        risen = rise >= PICTURE_NEEDS_RISE * self.counter.enter_deg
        return window if risen and fall >= PICTURE_NEEDS_FALL * rise else None

    def _merge_windows(
        self, counted: RepWindow | None, own: RepWindow | None, picture: RepWindow | None = None
    ) -> RepWindow | None:
        """One rep from this track's counters (see rep_merge)."""
        counters = [
            self.counter,
            self.own.counter if self.own else None,
            self.picture.counter if self.picture else None,
        ]
        window = merge_windows((counted, own, picture), counters, self._last_window)
        if window is not None:
            self._last_window = window
        return window

    def close(self, t: float) -> RepWindow | None:
        """The set ended: a rep under way on either counter (see RepCounter.close)."""
        own = self.own.counter.close(t) if self.own is not None else None
        picture = self.picture.counter.close(t) if self.picture is not None else None
        return self._merge_windows(self.counter.close(t), own, picture)

    def _measure(
        self, points: PosePoints, other_visible: bool, reference: Reference | None = None
    ) -> dict[str, float]:
        comp = compute_compensations(points, reference or self.reference)
        return {
            check.id: FRAME_CHECKS[check.id](comp)
            for check in self._frame_checks
            if other_visible or check.id not in NEEDS_OTHER_LEG
        }

    def _signal(self, points: FloatArray | PosePoints, in_start_frame: bool = True) -> float:
        """The rep signal (degrees, up = into the rep) of one frame's points: in the body's
        frame as it rested (what counts reps), or in this pose's own pelvis frame."""
        spec = self.exercise.primary_signal
        direction = self.direction or spec.direction
        reference = self.reference if in_start_frame else None
        return direction * compute_signal(spec.name, points, self.side, reference)

    def rep_range(self, window: RepWindow) -> float:
        """A rep's range (degrees). For the clamshell and the side-lying lift, the hip's own
        movement: the pelvis-frame signal at the top of the rep above the trough it rose
        from, so a pelvis roll, which has its own cue, does not inflate it, nor
        does BlazePose turning its whole body estimate with the knee. Otherwise the counted
        excursion. A rep the world landmarks hardly saw (less than the smallest rep: a tiny
        turn they shrink, found by the picture counter) takes the picture's range."""
        own = self.own.rep_range(window) if self.own is not None else None
        if own is not None and own < self.counter.enter_deg and self.picture is not None:
            seen = self.picture.rep_range(window) if self.picture.trusted else None
            own = own if seen is None else max(own, seen)
        return window.range_deg if own is None else own

    def _accumulate(self, points: PosePoints, other_visible: bool) -> None:
        signal = self._signal(points)
        own = self._signal(points, in_start_frame=False) if self.own else math.nan
        work = points.joints(self.side)
        for check_id, value in self._measure(points, other_visible, self._before.reference).items():
            weigh = MEASURE_WEIGHTS.get(check_id)
            self.measures[check_id].add(value, signal, weigh(work) if weigh else 1.0, own)

    def hard_to_see(self) -> list[str]:
        """See `view_limits.list_hard_to_see`."""
        return list_hard_to_see(self.exercise, self.reference)

    def not_judged(self) -> list[str]:
        """See `view_limits.list_not_judged`."""
        return list_not_judged(self.exercise, self.reference, self.planar)

    def rejudge(
        self, frames: list[tuple[FloatArray, FloatArray]], rest: list[FloatArray] | None = None
    ) -> None:
        """Recompute the current rep's measures from (smoothed points, visibility)
        frames, after the reference changed; `rest` are smoothed points just before it."""
        for measure in self.measures.values():
            measure.reset()
        # Rest values so far were measured against the old start posture.
        self.rest.clear()
        self._before = RepBaseline(signal=median_or_none([self._signal(p) for p in rest or []]))
        for points, visibility in frames:
            _, other_visible = self.visible(visibility, count=False)
            self._accumulate(as_pose(points), other_visible)

    def _learn_rest_noise(self, points: PosePoints, other_visible: bool) -> None:
        rest_thigh = np.array(unit(points.joints(other_side(self.side)).thigh))
        measures = self._measure(points, other_visible)
        self.rest.add(self._signal(points), rest_thigh, points.frame.up, measures)

    def judge_rep(self, window: RepWindow) -> tuple[list[str], dict[str, float]]:
        """Cue ids raised by a finished rep, and each frame check's value for it."""
        cues: list[str] = []
        values: dict[str, float] = {}
        muted = set(self.not_judged())
        for check in self._frame_checks:
            value = self.measures[check.id].value(
                self._before.measures.get(check.id, 0.0),
                self._before.signal,
                min_span=0.5 * self.counter.enter_deg,
            )
            self.measures[check.id].reset()
            if np.isfinite(value):
                values[check.id] = round(value, 3)
                scale = 1.0 if check.unit is Unit.deg else DEG_TO_THIGH
                depth = compute_depth_share(check.id, self.reference)
                noise = self.rest.noise.get(check.id, RestNoise()).margin(scale, depth)
                if value >= max(check.threshold, noise) and check.id not in muted:
                    cues.append(check.id)
        unseen = self.unseen_s(window)
        for check in self.exercise.checks:
            rule = REP_CHECKS.get(check.id)
            if check.id in muted:
                continue
            # Part of the rep out of view: judged as if the leg had held still all that
            # time, so a hold too short even then is still told, and no other is.
            judged = (
                replace(window, hold_s=window.hold_s + unseen)
                if unseen and check.id in NEEDS_WHOLE_REP
                else window
            )
            if rule is not None and rule(judged, self.exercise, check.threshold):
                cues.append(check.id)
        return cues, values

    def unseen_s(self, window: RepWindow) -> float:
        """Seconds of this rep spent out of view (gaps longer than UNSEEN_GAP_S)."""
        return sum(
            max(0.0, min(end, window.end_s) - max(start, window.start_s))
            for start, end in self._gaps
        )

    def rebase(self, reference: Reference, points: PosePoints) -> None:
        """A new start posture while resting before the first rep. The start-frame signal
        is measured from it, so it steps by however much the two postures differ (at this
        frame's `points`): the counter's and the smoother's levels step with it rather
        than read the step as movement."""
        before = self._signal(points)
        self.reference = reference
        step = self._signal(points) - before
        if math.isfinite(step):
            self.counter.shift(step)
            self.smoother.shift(step)
            self._recent_raw = [v + step for v in self._recent_raw]
            self.level += step

    def pause(self, t: float, max_gap_s: float = 1.5) -> None:
        """Joints out of view: a rep in progress survives a short gap, not a long one."""
        if self.last_seen_t is not None and t - self.last_seen_t > max_gap_s:
            if self.moving:
                self.counter.abort()
                for extra in (self.own, self.picture):
                    if extra is not None:
                        extra.abort()
                for m in self.measures.values():
                    m.reset()
            self.smoother.reset()
            self._recent_raw = []
            for extra in (self.own, self.picture):
                if extra is not None:
                    extra.reset_smoothing()
