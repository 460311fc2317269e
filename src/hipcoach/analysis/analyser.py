"""The set analyser: one pose in, events out. Live capture and recorded files both use it.

States: waiting (nobody usable yet) -> settling (getting into position: nothing counted)
-> ready / moving (counting) with paused whenever the needed joints are not visible.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from hipcoach.analysis.cue_book import CueBook
from hipcoach.analysis.events import (
    Event,
    RepEvent,
    RepReport,
    SetReport,
    SetState,
    Side,
    SideEvent,
    StateEvent,
)
from hipcoach.analysis.first_rep import PendingRep, Verdict
from hipcoach.analysis.notes import explain_set
from hipcoach.analysis.posture import LYING_POSTURES, matches_posture
from hipcoach.analysis.reps import RepWindow
from hipcoach.analysis.set_checks import ViewMeter
from hipcoach.analysis.start_posture import (
    UNSETTLE_DEG,
    StartPosture,
    compute_trunk_turn,
    settle_on_first_rep,
)
from hipcoach.analysis.track import LegTrack
from hipcoach.analysis.view_limits import VISIBLE
from hipcoach.analysis.view_watch import ViewWatch
from hipcoach.errors import CatalogueError
from hipcoach.exercises.catalogue import load_catalogue, resolve_variation
from hipcoach.exercises.schema import CheckSpec, Exercise, Posture
from hipcoach.features.body import PosePoints, Space, extract_points, select_space
from hipcoach.features.filters import OneEuroFilter
from hipcoach.pose.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseFrame

CORE = np.array(
    [LANDMARK_INDEX[n] for n in ("left_hip", "right_hip", "left_shoulder", "right_shoulder")]
)
FIRST_REP_AFTER_STILL_S = 1.0
"""The first rep must begin within this long of the body having been still in the start
posture: movement that starts from no still spell is the person getting into position."""


def _default_set_checks() -> tuple[CheckSpec, ...]:
    return load_catalogue().set_checks


class SetAnalyser:
    """Incremental analysis of one set of one exercise.

    `update(frame, t)` takes each captured pose (None when nobody was found) and returns
    the events it caused; `finish(t)` closes the set; `report()` summarises it.
    """

    def __init__(
        self,
        exercise: Exercise,
        variation: str | None = None,
        side: str = "auto",
        set_checks: Sequence[CheckSpec] | None = None,
    ) -> None:
        if side not in ("auto", "left", "right"):
            raise CatalogueError(f"side must be left, right or auto (got {side!r})")
        self.exercise = exercise
        self.variation = resolve_variation(exercise, variation)
        self._requested_side = side
        checks = _default_set_checks() if set_checks is None else tuple(set_checks)
        self._cues = CueBook.of(exercise, checks)
        self._start = StartPosture(exercise)
        self._space: Space | None = None
        self._tracks: list[LegTrack] = []
        self._locked = side != "auto"
        self._fixed_side: Side | None = (
            "left" if side == "left" else "right" if side == "right" else None
        )
        self.side: Side | None = self._fixed_side
        self.state = SetState.waiting
        self.reps: list[RepReport] = []
        self._view = ViewWatch(exercise, self._cues.threshold("view_incomplete", 0.5))
        self._first_t: float | None = None
        # Frames, before counting began, in which the person found was upright although
        # the exercise lies down (someone standing by, or the person not yet down).
        self.upright_frames = 0
        self._pending: PendingRep | None = None  # the first rep, awaiting its verdict
        # The candidate legs, side and lock as they were when the first rep ended.
        self._candidates: tuple[list[LegTrack], Side | None, bool] = ([], None, False)
        # Smoothed frames kept until the first rep is done (bounded: about 20 s at 30 fps).
        self._early: deque[tuple[float, np.ndarray, np.ndarray]] = deque(maxlen=600)
        # Landmarks low-passed at ~1 Hz for the compensation measures (a fault is held for
        # a good part of a rep; landmark jitter is fast).
        self._calm = OneEuroFilter(N_LANDMARKS * 3, min_cutoff_hz=1.0, beta=0.0)
        self._last_t = 0.0
        self._image_scale = np.array([1.0, 1.0])

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    @property
    def image_only(self) -> bool:
        """The landmarks have no world (3D) coordinates: only the picture's x and y."""
        return self._space == "image"

    @property
    def duration_s(self) -> float:
        """Seconds between the first and the latest frame seen."""
        return self._last_t - (self._first_t if self._first_t is not None else self._last_t)

    # -- the frame loop ---------------------------------------------------------------
    def update(self, frame: PoseFrame | None, t: float) -> list[Event]:
        events: list[Event] = []
        self._first_t = t if self._first_t is None else self._first_t
        self._last_t = t
        if self.state is SetState.finished:
            return events
        usable = frame is not None and bool((frame.visibility[CORE] >= VISIBLE).all())
        since_start = t - self._first_t
        self._view.note(frame, t, since_start, self._tracks[0] if self._tracks else None, events)
        if frame is None or not usable:
            for track in self._tracks:
                track.pause(t)
            target = SetState.waiting if not self._tracks else SetState.paused
            self._set_state(target, t, events)
            return events
        if self._space is None:
            self._space = select_space(frame)
            self._start.planar = self._space == "image"
            if frame.image_size:
                self._image_scale = np.array(frame.image_size, dtype=float)
        # One frame's points, measured once for all the candidate tracks and checks.
        points = PosePoints(extract_points(frame, self._space))
        if not self._tracks:
            self._settle_step(frame, points, t, events)
            return events
        if not matches_posture(points, self.exercise.posture, self._start.planar):
            # Not the exercise's posture: the pose has hopped to someone else in the room
            # (a person kneeling or standing by), or the person got up. Nothing is counted.
            for track in self._tracks:
                track.pause(t)
            self._set_state(SetState.paused, t, events)
            return events
        self._refine_reference(points, t)
        if not self._tracks:
            self._settle_step(frame, points, t, events)
            return events
        self._count_step(frame, points, t, events)
        return events

    def _refine_reference(self, points: PosePoints, t: float) -> None:
        """Until the first rep starts, keep the start-of-set posture up to date (see
        StartPosture.refine); settle again if the trunk turned away for good."""
        if self.reps:
            return
        if self._start.refine(points, t, self._tracks, self._pending is not None):
            self._restart_settling()

    def _trunk_turn(self, points: np.ndarray | PosePoints) -> float:
        return compute_trunk_turn(points, self._tracks[0].reference)

    def _restart_settling(self) -> None:
        """Still getting into position (a slow start looked still): start over."""
        self._tracks = []
        self._locked = self._fixed_side is not None
        self.side = self._fixed_side
        self._start.reset()
        self._early.clear()
        self._pending = None

    def _settle_step(
        self, frame: PoseFrame, points: PosePoints, t: float, events: list[Event]
    ) -> None:
        self._set_state(SetState.settling, t, events)
        if self.exercise.posture in LYING_POSTURES and matches_posture(
            points, Posture.standing, self._start.planar
        ):
            self.upright_frames += 1  # someone upright: not this exercise's posture
        if not self._start.settled(t, points):
            return
        if self.side is None and self.exercise.primary_signal.side_from == "top_leg":
            left_y = frame.image[LANDMARK_INDEX["left_hip"], 1]
            right_y = frame.image[LANDMARK_INDEX["right_hip"], 1]
            self.side = "left" if left_y < right_y else "right"
            self._locked = True
        self._tracks = self._start.candidate_tracks([self.side] if self.side else None)
        if self.side is not None and self._requested_side == "auto":
            events.append(SideEvent(t=t, side=self.side))
        self._set_state(SetState.ready, t, events)
        # Count from the start of the still spell: a person who starts moving the leg as
        # soon as they are in position must not lose their first rep to the settle wait.
        for past_t, past_points in self._start.settle.timed_points()[:-1]:
            self._replay_still_frame(frame, past_points, past_t)

    def _replay_still_frame(self, frame: PoseFrame, points: np.ndarray, t: float) -> None:
        calm = self._calm.update(points.reshape(-1), t).reshape(points.shape)
        self._early.append((t, calm, frame.visibility))
        pose, calm_pose = PosePoints(points), PosePoints(calm)
        picture = self._picture_points(frame)
        for track in self._tracks:
            can_measure, other_visible = track.visible(frame.visibility)
            if can_measure:
                track.update(pose, calm_pose, t, other_visible, False, picture)

    def _count_step(
        self, frame: PoseFrame, points: PosePoints, t: float, events: list[Event]
    ) -> None:
        raw = points.points
        calm_points = self._calm.update(raw.reshape(-1), t).reshape(raw.shape)
        calm = PosePoints(calm_points)
        if not self.reps:
            self._early.append((t, calm_points, frame.visibility))
        moving = False
        any_visible = False
        picture = self._picture_points(frame)
        for track in list(self._tracks):
            can_measure, other_visible = track.visible(frame.visibility)
            if not can_measure:
                track.pause(t)
                continue
            any_visible = True
            window = track.update(points, calm, t, other_visible, picture_points=picture)
            moving = moving or track.moving
            if window is not None:
                self._finish_rep(track, window, t, events)
        if self._pending is not None and self._tracks:
            self._review_first_rep(calm, t, events)
            if not self._tracks:
                return  # it was getting into position: settling again
        if self._locked and self._tracks:
            knee_name = f"{self._tracks[0].side}_knee"
            knee = frame.image[LANDMARK_INDEX[knee_name], :2] * self._image_scale
            if frame.visibility[LANDMARK_INDEX[knee_name]] < VISIBLE:
                # A knee BlazePose is unsure of jumps about: no evidence of a shake.
                knee = np.full(2, np.nan)
            self._cues.tremor.add(t, *knee)
        state = SetState.moving if moving else SetState.ready
        self._set_state(state if any_visible else SetState.paused, t, events)

    def _picture_points(self, frame: PoseFrame) -> PosePoints | None:
        """This frame's image-plane points, for tracks with an image-plane counter."""
        if self._space != "world" or not any(
            tr.picture and tr.picture.in_use for tr in self._tracks
        ):
            return None
        return PosePoints(extract_points(frame, "image"))

    # -- reps and cues ------------------------------------------------------------------
    def _finish_rep(
        self, track: LegTrack, window: RepWindow, t: float, events: list[Event]
    ) -> None:
        if self._pending is not None:
            self._commit_rep(self._pending.rep, t, events)  # the next rep began: it was one
            self._pending = None
        if not self.reps:
            self._candidates = (list(self._tracks), self.side, self._locked)
        if len(self._tracks) > 1 and not self._choose_track(track, t, events):
            return
        if not self.reps and self._early and self._trunk_turn(self._early[-1][1]) > UNSETTLE_DEG:
            # The trunk did not come back with the leg: that was getting into position.
            self._restart_settling()
            return
        if not self.reps and (
            self._start.still_t is None
            or window.start_s - self._start.still_t > FIRST_REP_AFTER_STILL_S
        ):
            # It did not start from a still spell: still getting into position.
            self._restart_settling()
            return
        if not self.reps:
            settle_on_first_rep(track, window, self._early)
        window = replace(window, range_deg=track.rep_range(window))
        cues, values = track.judge_rep(window)
        rep = RepReport(
            index=len(self.reps) + 1,
            start_s=round(window.start_s, 3),
            peak_s=round(window.peak_s, 3),
            end_s=round(window.end_s, 3),
            range_deg=round(window.range_deg, 1),
            hold_s=round(window.hold_s, 2),
            cues=cues,
            measures=values,
        )
        if self.reps or track.counter.rest_level is None:
            self._commit_rep(rep, t, events)
            return
        min_rep = self.exercise.primary_signal.min_rep_deg
        self._pending = PendingRep.after(rep, track.counter.rest_level, min_rep)

    def _review_first_rep(self, calm: PosePoints, t: float, events: list[Event]) -> None:
        assert self._pending is not None
        if self._trunk_turn(calm) > UNSETTLE_DEG:
            self._reopen_first_rep()  # the trunk moves on: still getting into position
            return
        verdict = self._pending.review(self._tracks[0].level, t)
        if verdict is Verdict.rep:
            self._commit_rep(self._pending.rep, t, events)
            self._pending = None
        elif verdict is Verdict.settling:
            self._reopen_first_rep()

    def _reopen_first_rep(self) -> None:
        """That was getting into position: every candidate leg goes on as before it, and
        the next rep from a still spell is the first one."""
        self._pending = None
        self._tracks, self.side, self._locked = self._candidates
        self._start.still_t = None

    def _commit_rep(self, rep: RepReport, t: float, events: list[Event]) -> None:
        if not self.reps:
            self._early.clear()
            self._check_setup(t, events)  # the start posture is final once a rep is done
        self.reps.append(rep)
        events.append(RepEvent(t=t, rep=rep))
        for cue in rep.cues:
            events.append(self._cues.event(cue, t, "rep", rep.index))
        self._cues.check_set_level(self.reps, t, events)

    def _choose_track(self, track: LegTrack, t: float, events: list[Event]) -> bool:
        """The first rep decides between the candidate tracks: the working side (the leg
        that moved most, unless known) and, for exercises done from either end, the end the
        person started from (the track whose rep finished first). False drops this rep
        (it came from the leg that is not working)."""
        side = self.side or max(self._tracks, key=lambda tr: tr.motion_score()).side
        if not self._locked:
            self._locked = True
            self.side = side
            events.append(SideEvent(t=t, side=side))
        if track.side != side:
            self._tracks = [tr for tr in self._tracks if tr.side == side]
            return False
        self._tracks = [track]
        return True

    def _check_setup(self, t: float, events: list[Event]) -> None:
        track = self._tracks[0]
        unseen = set(track.hard_to_see()) | set(track.not_judged())
        self._cues.check_setup(track.reference, self.variation, unseen, t, events)

    # -- view and state -----------------------------------------------------------------
    def _set_state(self, state: SetState, t: float, events: list[Event]) -> None:
        if state is not self.state:
            self.state = state
            events.append(StateEvent(t=t, state=state, rep_count=self.rep_count))

    # -- closing ------------------------------------------------------------------------
    def finish(self, t: float | None = None) -> list[Event]:
        events: list[Event] = []
        t = self._last_t if t is None else t
        if self.state is not SetState.finished:
            for track in list(self._tracks):
                window = track.close(self._last_t)
                if window is not None:
                    self._finish_rep(track, window, self._last_t, events)
            if self._pending is not None:
                self._commit_rep(self._pending.rep, self._last_t, events)
                self._pending = None
        if self._view.incomplete:
            self._cues.raise_set("view_incomplete", t, events)
        self._set_state(SetState.finished, t, events)
        return events

    @property
    def set_cues(self) -> list[str]:
        """Set-level cues raised so far."""
        return self._cues.raised

    @property
    def view(self) -> ViewMeter:
        """How often the needed joints were in view."""
        return self._view.meter

    @property
    def tracks(self) -> list[LegTrack]:
        """The candidate working legs (one once the first rep has decided)."""
        return list(self._tracks)

    def report(self) -> SetReport:
        ok = self.view.frames > 0 and not self._view.incomplete and bool(self._tracks)
        advice = "" if ok else self._view.camera_advice()
        cue_ids = {c for r in self.reps for c in r.cues} | set(self.set_cues)
        return SetReport(
            exercise=self.exercise.id,
            variation=self.variation.id if self.variation else None,
            side=self.side,
            rep_count=self.rep_count,
            reps=list(self.reps),
            set_cues=list(self.set_cues),
            view=self._view.report(ok, advice, self._tracks[0] if self._tracks else None),
            messages={c: self._cues.message(c) for c in sorted(cue_ids)},
            duration_s=round(self.duration_s, 3),
            frames=self.view.frames,
            frames_with_person=self.view.with_person,
            notes=explain_set(self, advice),
        )
