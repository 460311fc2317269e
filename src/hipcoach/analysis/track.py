"""One candidate working leg: its rep counter, smoother and per-rep check accumulators."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from hipcoach.analysis.checks import (
    FRAME_CHECKS,
    NEEDS_OTHER_LEG,
    NEEDS_WHOLE_REP,
    REP_CHECKS,
    SETUP_CHECKS,
    TWO_SIDED,
    CoupledMeasure,
)
from hipcoach.analysis.reps import Phase, RepCounter, RepWindow
from hipcoach.exercises.schema import Exercise, SignalName, Unit
from hipcoach.features.body import FloatArray, PosePoints, Side, as_pose, other_side
from hipcoach.features.filters import OneEuroFilter
from hipcoach.features.geometry import normalize
from hipcoach.features.measures import (
    KNEE_SWING_MIN_OFFSET,
    Reference,
    compute_compensations,
    compute_knee_bend,
    compute_signal,
    thigh_turn_weight,
)
from hipcoach.features.vec3 import unit
from hipcoach.pose.landmarks import LANDMARK_INDEX

# A degree of joint rotation moves a point about 1/57 of the segment's length.
DEG_TO_THIGH = float(np.radians(1.0))
# The body axis each compensation mostly moves a landmark along (forward otherwise).
MOVES_ALONG = {
    "hips_not_stacked": "up",
    "hip_hikes": "up",
    "feet_apart": "left",
    "thigh_rotates": "left",
}
# Rest noise is sampled on every third frame: plenty for a spread, a third of the cost.
NOISE_EVERY = 3
# Per-frame trust in a measure, where its noise changes within a rep.
MEASURE_WEIGHTS = {"thigh_rotates": thigh_turn_weight}
VISIBLE = 0.5
# A check whose movement runs at least this much along the camera axis is hard to see.
HARD_TO_SEE_DEPTH = 0.8
# With the body's long axis running this much along the camera's line of sight (the camera
# near the feet end), BlazePose drags the hip and bottom-thigh landmarks along with the
# moving leg: on rendered clips with a still pelvis seen from the feet end swung 40 degrees
# to the front, the hip line turned 11-19 degrees (clamshell, |up_z| 0.68) and 9-23 degrees
# (leg lift, |up_z| 0.51) with each rep, and the bottom thigh 15-20, as much as a real
# 20 degree roll-back. Those cues are not judged there; from the front (|up_z| 0.10-0.15)
# they are.
LONG_AXIS_DEPTH = 0.45
DRAGGED_BY_THE_KNEE = frozenset({"pelvis_rolls_back", "bottom_leg_moves"})
# With image-plane points only (landmark files without world coordinates) a femur's turn
# about its own axis is invisible and angles are foreshortened: from the feet end swung to
# the front a 10 degree clamshell read 44 degrees. These checks need depth; on the bench's
# white-jitter files without world landmarks they raised 77 false thigh_rotates and 29
# false range_too_big against 14 and 3 true ones. They are not judged there.
NEEDS_DEPTH = frozenset({"thigh_rotates", "range_too_big"})
# A longer gap in tracking means a rep spanning it was not seen whole.
UNSEEN_GAP_S = 0.5
# The pelvis-frame counter reads a knee's turn only with the knee well off the hip-ankle
# line (twice where the clamshell signal switches to a straight leg's rise).
OWN_COUNTER_MIN_BEND = 2 * KNEE_SWING_MIN_OFFSET
# The pelvis-frame counter's smallest rep, in multiples of the exercise's. Swept over every
# bench stratum: 1.0 added reps in 3 sets (suite and small clamshells), 2.0 missed small
# reps from the feet end swung to the front; 1.5 lost none and gained one.
OWN_COUNTER_ENTER = 1.5
# The rest level before a rep: the median of up to 8 rest samples (about 0.8 s), once 3 exist.
REST_LEVEL_SAMPLES = 8
REST_LEVEL_MIN = 3
# Measures that are unsigned angles between directions (see LegTrack._resting_reference).
UNSIGNED_MEASURES = frozenset({"bottom_leg_moves", "trunk_moves"})
VISIBLE_OTHER_LEG = 0.3
# BlazePose rates the ankles of a person lying down low (0.2-0.5 on clamshell_banded.mp4)
# while placing them steadily; the ankle's own threshold is lower (half for the other leg).
VISIBLE_ANKLE = 0.2


def visibility_threshold(name: str, working_side: str | None) -> float:
    """The visibility a landmark needs to be used: the working side's joints must be clearly
    seen, the other side's less so, ankles least."""
    working = working_side is None or name.startswith(working_side)
    base = VISIBLE if working else VISIBLE_OTHER_LEG
    return base * VISIBLE_ANKLE / VISIBLE if name.endswith("ankle") else base


# Signals counted in the start posture's frame, whose range is reported in the pelvis's.
BODY_FRAME_SIGNALS = frozenset({SignalName.knee_opening, SignalName.leg_abduction})
# Signals that compare both legs, so both must be seen.
BOTH_LEG_SIGNALS = frozenset({SignalName.knee_opening, SignalName.leg_abduction})


def _indices(names: list[str]) -> list[int]:
    return [LANDMARK_INDEX[n] for n in names]


@dataclass
class RestNoise:
    """How much a compensation measure wanders while the person rests between reps.

    Landmark noise depends on the view: a movement along the camera's line of sight (the
    pelvis rolling back seen from the front, the hip hitching seen from the feet) is
    measured far less precisely than one across the image. A cue therefore needs its
    measure above the catalogue threshold and above `factor` times this resting spread.
    """

    factor: float = 3.5
    alpha: float = 1.0 / 30.0
    prior_sd_across: float = 2.0  # typical resting spread, degrees, movement across the image
    prior_sd_depth: float = 4.0  # the same for movement along the camera's line of sight
    prior_weight: float = 30.0  # samples' worth of trust in that prior
    n: int = 0
    mean: float = 0.0
    var: float = 0.0

    def add(self, value: float) -> None:
        if not math.isfinite(value):
            return
        self.n += 1
        a = max(self.alpha, 1.0 / self.n)
        delta = value - self.mean
        self.mean += a * delta
        self.var = (1.0 - a) * (self.var + a * delta * delta)

    def margin(self, unit_scale: float = 1.0, depth_share: float = 0.0) -> float:
        """The level rest-time noise alone rarely reaches. Until much rest has been seen
        the estimate leans on a prior spread, larger the more the movement runs along the
        camera's line of sight (`depth_share`, 0-1), times `unit_scale` for measures not
        in degrees; so the first reps are not judged against a lucky quiet spell."""
        prior_sd = self.prior_sd_across + depth_share * (self.prior_sd_depth - self.prior_sd_across)
        prior_var = (prior_sd * unit_scale) ** 2
        seen = min(self.n, 1.0 / self.alpha)
        var = (seen * self.var + self.prior_weight * prior_var) / (seen + self.prior_weight)
        return self.factor * math.sqrt(var)


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
    _history: list[float] = field(default_factory=list)
    level: float = float("nan")
    """The primary signal's latest smoothed value (degrees, a rep moves it up)."""
    frames_seen: int = 0
    rest_noise: dict[str, RestNoise] = field(default_factory=dict)
    # Off until the first rep is done: that rep is judged afterwards from kept frames,
    # once the start posture is known (see SetAnalyser._settle_reference).
    judge_live: bool = False
    # Image-plane points (no world coordinates): see NEEDS_DEPTH.
    planar: bool = False
    frames_measured: int = 0
    # Each measure's latest values at rest, and their level when the current rep began:
    # "nothing moves but the knee" is judged against where the body was just before the
    # rep, so slow drift of the landmarks (or of the person) between reps is not a fault.
    _rest_recent: dict[str, deque[float]] = field(default_factory=dict)
    _baseline: dict[str, float] = field(default_factory=dict)
    # Unsigned angles (how far the other thigh or the trunk turned) cannot be offset by a
    # number: a rep compares their direction with their resting direction instead.
    _rest_axes: deque[tuple[FloatArray, FloatArray]] = field(
        default_factory=lambda: deque(maxlen=REST_LEVEL_SAMPLES)
    )
    _rep_reference: Reference | None = None
    # The primary signal on the low-passed landmarks at rest, and its level before this rep.
    _rest_signal: deque[float] = field(default_factory=lambda: deque(maxlen=REST_LEVEL_SAMPLES))
    _signal_rest: float | None = None
    # Recent spells (from, to) longer than UNSEEN_GAP_S when the leg was out of view.
    _gaps: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=8))
    # The signal in each pose's own pelvis frame, for the reported range (see rep_range).
    _own: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=900))
    # A second counter on that pelvis-frame signal (see _merge_windows), its smoothing,
    # and the latest window this track reported.
    own_counter: RepCounter | None = None
    _own_smoother: OneEuroFilter = field(default_factory=lambda: OneEuroFilter(1, 0.6, 0.02))
    _own_recent: list[float] = field(default_factory=list)
    _own_noise: RestNoise = field(default_factory=RestNoise)
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
            self.own_counter = RepCounter(enter_deg=self.counter.enter_deg, split_valleys=False)

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

    def movement_deg(self) -> float:
        """The robust range (degrees) the primary signal has covered so far."""
        if len(self._history) < 15:
            return 0.0
        calm = np.convolve(self._history, np.ones(15) / 15, mode="valid")
        low, high = np.percentile(calm, [5, 95])
        return float(high - low)

    def motion_score(self) -> float:
        """How clearly this leg has been moving: the robust range of its averaged signal
        (5th to 95th percentile, so glitches do not count) times the share of frames in which it
        could be measured (a half-hidden far leg rarely wins)."""
        if self.frames_seen == 0:
            return 0.0
        # Half a second of averaging (in movement_deg): landmark noise on a half-hidden leg
        # is fast, a rep is slow.
        return self.movement_deg() * self.frames_measured / self.frames_seen

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
    ) -> RepWindow | None:
        """Feed one frame. `points` drive the rep signal; `calm_points` (low-passed
        landmarks) drive the compensation measures, whose unsigned angles would otherwise
        be biased upwards by landmark noise. Each is one frame's PosePoints, shared by the
        candidate tracks (what they measure alike is measured once)."""
        raw = self._signal(points)
        own = float("nan")
        if self.own_counter is not None:
            own = self._signal(points, in_start_frame=False)
            self._own.append((t, own))
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
        self.frames_measured += 1
        if len(self._history) < 3000:
            self._history.append(value)
        was_moving = self.moving
        counted = self.counter.update(value, t)
        window = self._merge_windows(counted, self._update_own(own, t, points))
        if not was_moving and self.moving:
            self._baseline = self._rest_level() if self.judge_live else {}
            self._rep_reference = self._resting_reference() if self.judge_live else None
            self._signal_rest = _median_or_none(self._rest_signal) if self.judge_live else None
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
        own = self.own_counter is not None and self.own_counter.phase is Phase.moving
        return own or self.counter.phase is Phase.moving

    def _update_own(self, raw: float, t: float, points: PosePoints) -> RepWindow | None:
        # Image-plane points give no pelvis frame to trust (the hip line is foreshortened
        # and flips from some views), and a nearly straight leg has no turn about its own
        # line (the start-frame signal reads its rise instead): the start-frame counter
        # counts alone then.
        if self.own_counter is None or not math.isfinite(raw) or points.planar:
            return None
        name = self.exercise.primary_signal.name
        if name is SignalName.knee_opening and (
            compute_knee_bend(points.joints(self.side)) < OWN_COUNTER_MIN_BEND
        ):
            return None
        self._own_recent = [*self._own_recent[-2:], raw]
        despiked = sorted(self._own_recent)[len(self._own_recent) // 2]
        value = self._own_smoother.update_scalar(despiked, t)
        counter = self.own_counter
        if not self.moving and counter.excursion(value) < 0.5 * counter.enter_deg:
            self._own_noise.add(value)
        # This signal carries the hip line's noise as well (large from some views) and only
        # fills the other counter's gaps: it counts what rises clear of its own resting
        # spread and 1.5 times the smallest rep, and only reps that come back to rest.
        smallest = OWN_COUNTER_ENTER * self.counter.enter_deg
        counter.enter_deg = max(smallest, self._own_noise.margin())
        return counter.update(value, t)

    def _merge_windows(self, counted: RepWindow | None, own: RepWindow | None) -> RepWindow | None:
        """One rep from the two counters: the start-frame one (a knee opened by rolling the
        pelvis back still opens) and the pelvis-frame one (a rep with the top hip hitched
        up turns the femur with the pelvis, so the knee barely moves in the start frame,
        while the hip's own rotation is plain). The first to finish a rep reports it; the
        other drops the rep it has under way (see RepCounter.concede)."""
        pairs = ((counted, self.own_counter), (own, self.counter))
        for window, other in pairs:
            if window is None or self._same_rep(window, strict=window is own):
                continue
            if other is not None and other.phase is Phase.moving:
                other.concede()
            self._last_window = window
            return window
        return None

    def _same_rep(self, window: RepWindow, strict: bool) -> bool:
        """`window` is the rep last reported: their peaks lie in each other's window or,
        `strict` (the pelvis-frame counter, which only fills gaps), they overlap at all."""
        last = self._last_window
        if last is None:
            return False
        if strict and window.start_s < last.end_s and last.start_s < window.end_s:
            return True
        return (
            last.start_s <= window.peak_s <= last.end_s
            or window.start_s <= last.peak_s <= window.end_s
        )

    def close(self, t: float) -> RepWindow | None:
        """The set ended: a rep under way on either counter (see RepCounter.close)."""
        own = self.own_counter.close(t) if self.own_counter is not None else None
        return self._merge_windows(self.counter.close(t), own)

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
        excursion."""
        if not self._own:
            return window.range_deg
        times = np.array([t for t, _ in self._own])
        values = np.array([v for _, v in self._own])
        top = values[(times >= window.start_s) & (times <= window.end_s)]
        rise_end = min(window.peak_s, window.start_s + 0.5)
        before = values[(times >= window.start_s - 0.4) & (times <= rise_end)]
        top, before = top[np.isfinite(top)], before[np.isfinite(before)]
        if not (top.size and before.size):
            return window.range_deg
        # Percentiles, not extremes: the top of the rep and the trough it rose from (a rep
        # that starts as the last one ends has no rest before it) without a one-frame spike.
        return float(np.percentile(top, 90) - np.percentile(before, 10))

    def _accumulate(self, points: PosePoints, other_visible: bool) -> None:
        signal = self._signal(points)
        work = points.joints(self.side)
        for check_id, value in self._measure(points, other_visible, self._rep_reference).items():
            weigh = MEASURE_WEIGHTS.get(check_id)
            self.measures[check_id].add(value, signal, weigh(work) if weigh else 1.0)

    def _depth_share(self, check_id: str) -> float:
        """How much of this check's movement runs along the camera axis (0-1). Points are
        camera-aligned, z away from the camera (image-plane points have no z at all)."""
        frame = self.reference.frame
        axis = {"up": frame.up, "left": frame.left}.get(
            MOVES_ALONG.get(check_id, ""), frame.forward
        )
        share = abs(float(axis[2]))
        return share if np.isfinite(share) else 1.0

    def hard_to_see(self) -> list[str]:
        """Frame and set-up checks whose movement runs mostly along the camera's line of
        sight (BlazePose flattens depth: a 45 degree hip seen from the front reads ~10)."""
        return [
            c.id
            for c in self.exercise.checks
            if (c.id in FRAME_CHECKS or c.id in SETUP_CHECKS)
            and self._depth_share(c.id) >= HARD_TO_SEE_DEPTH
        ]

    def not_judged(self) -> list[str]:
        """Checks this recording cannot tell from landmark error, not judged in this set:
        those a camera along the body's long axis confuses with landmark drag (see
        LONG_AXIS_DEPTH) and, for image-plane points, those that need depth (NEEDS_DEPTH)."""
        if self.planar:
            return [c.id for c in self.exercise.checks if c.id in NEEDS_DEPTH]
        along = abs(float(self.reference.frame.up[2]))
        if not (np.isfinite(along) and along >= LONG_AXIS_DEPTH):
            return []
        return [c.id for c in self._frame_checks if c.id in DRAGGED_BY_THE_KNEE]

    def rejudge(
        self, frames: list[tuple[FloatArray, FloatArray]], rest: list[FloatArray] | None = None
    ) -> None:
        """Recompute the current rep's measures from (smoothed points, visibility)
        frames, after the reference changed; `rest` are smoothed points just before it."""
        for measure in self.measures.values():
            measure.reset()
        # Rest values so far were measured against the old start posture.
        self.rest_noise.clear()
        self._rest_recent.clear()
        self._baseline = {}
        self._rest_axes.clear()
        self._rep_reference = None
        self._rest_signal.clear()
        self._signal_rest = _median_or_none([self._signal(p) for p in rest or []])
        for points, visibility in frames:
            _, other_visible = self.visible(visibility, count=False)
            self._accumulate(as_pose(points), other_visible)

    def _learn_rest_noise(self, points: PosePoints, other_visible: bool) -> None:
        rest_thigh = np.array(unit(points.joints(other_side(self.side)).thigh))
        signal = self._signal(points)
        if np.isfinite(signal):
            self._rest_signal.append(signal)
        self._rest_axes.append((rest_thigh, points.frame.up))
        for check_id, value in self._measure(points, other_visible).items():
            self.rest_noise.setdefault(check_id, RestNoise()).add(value)
            if np.isfinite(value):
                self._rest_recent.setdefault(check_id, deque(maxlen=REST_LEVEL_SAMPLES))
                self._rest_recent[check_id].append(value)

    def _rest_level(self) -> dict[str, float]:
        levels = {c: _median_or_none(v) for c, v in self._rest_recent.items()}
        return {
            c: level
            for c, level in levels.items()
            if level is not None and c not in UNSIGNED_MEASURES
        }

    def _resting_reference(self) -> Reference | None:
        """The start posture with the other thigh's and the trunk's directions taken from
        the rest just before this rep."""
        if len(self._rest_axes) < REST_LEVEL_MIN:
            return None
        thighs = np.array([a for a, _ in self._rest_axes])
        ups = np.array([b for _, b in self._rest_axes])
        other_thigh = normalize(np.nanmean(thighs, axis=0))
        trunk_up = normalize(np.nanmean(ups, axis=0))
        if not (np.isfinite(other_thigh).all() and np.isfinite(trunk_up).all()):
            return None
        return replace(self.reference, other_thigh=other_thigh, trunk_up=trunk_up)

    def judge_rep(self, window: RepWindow) -> tuple[list[str], dict[str, float]]:
        """Cue ids raised by a finished rep, and each frame check's value for it."""
        cues: list[str] = []
        values: dict[str, float] = {}
        muted = set(self.not_judged())
        for check in self._frame_checks:
            value = self.measures[check.id].value(
                self._baseline.get(check.id, 0.0), self._signal_rest
            )
            self.measures[check.id].reset()
            if np.isfinite(value):
                values[check.id] = round(value, 3)
                scale = 1.0 if check.unit is Unit.deg else DEG_TO_THIGH
                depth = self._depth_share(check.id)
                noise = self.rest_noise.get(check.id, RestNoise()).margin(scale, depth)
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

    def pause(self, t: float, max_gap_s: float = 1.5) -> None:
        """Joints out of view: a rep in progress survives a short gap, not a long one."""
        if self.last_seen_t is not None and t - self.last_seen_t > max_gap_s:
            if self.moving:
                self.counter.abort()
                if self.own_counter is not None:
                    self.own_counter.abort()
                for m in self.measures.values():
                    m.reset()
            self.smoother.reset()
            self._own_smoother.reset()
            self._recent_raw = []
            self._own_recent = []


def _median_or_none(values: Sequence[float]) -> float | None:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if len(finite) >= REST_LEVEL_MIN else None
