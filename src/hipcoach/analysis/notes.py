"""Plain-words notes on how a set was read, so a set is never a silent 0.

When movement was seen and no rep counted, the person is told why and what to change;
when reps were counted from the other end of the movement, the report says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hipcoach.analysis.view_limits import is_seen_from_behind
from hipcoach.exercises.schema import Posture

if TYPE_CHECKING:
    from hipcoach.analysis.analyser import SetAnalyser

POSTURE_WORDS = {
    Posture.side_lying: "lying on your side",
    Posture.supine: "lying on your back",
    Posture.seated: "sitting",
    Posture.standing: "standing",
}
# Less than this share of frames with a person: the recording mostly missed the person.
MOSTLY_MISSING = 0.5


def _image_only_upright(posture: Posture, camera: str) -> str:
    """Landmarks without world coordinates that looked upright in a lying exercise: from a
    camera at the feet or the head end, a body lying down points at the camera and its
    outline in the picture alone can look like someone upright (lying on the back; lying
    on the side is told by the plumb hip line, see `looks_end_on_side_lying`)."""
    return (
        f"No rep was counted: the person looked upright (standing or sitting) in most frames, "
        f"not {POSTURE_WORDS[posture]}. These landmarks have no world (3D) coordinates, and "
        f"from a camera at your feet or head end a body lying down can look upright in the "
        f"picture alone. Record again with the camera placed as this exercise asks, or use "
        f"landmarks with world coordinates; if someone else is in the picture, ask them to "
        f"step out of view. Camera: {camera}"
    )


def explain_set(analyser: SetAnalyser, view_advice: str) -> list[str]:
    """Notes for a finished (or running) set; empty when there is nothing to explain."""
    exercise = analyser.exercise
    notes: list[str] = []
    tracks = analyser.tracks
    if analyser.rep_count and len(tracks) == 1 and tracks[0].reversed:
        notes.append(
            "You started at the other end of the movement, so each rep was counted from "
            "there (for a leg lower begun on the floor, each raise and lowering is a rep)."
        )
    seen = tracks[0] if len(tracks) == 1 else None
    if (
        analyser.rep_count
        and seen
        and not seen.planar
        and is_seen_from_behind(exercise, seen.reference)
    ):
        notes.append(
            "The camera was behind your back: reps are counted, but from behind it cannot "
            "judge the pelvis rolling back, the hips staying stacked or a movement that is "
            "too big, and the reported range is rough. For those checks, put the camera in "
            "front of you: "
            f"{exercise.camera.instructions}"
        )
    if analyser.rep_count:
        return notes
    frames, with_person = analyser.view.frames, analyser.view.with_person
    if frames and with_person < MOSTLY_MISSING * frames:
        share = round(100 * with_person / frames)
        notes.append(
            f"No rep was counted: a person was found in only {share} % of the frames. "
            f"{view_advice}".strip()
        )
        return notes
    if not tracks and analyser.upright_frames > MOSTLY_MISSING * with_person:
        if analyser.image_only:
            notes.append(_image_only_upright(exercise.posture, exercise.camera.instructions))
            return notes
        notes.append(
            f"No rep was counted: the person I could follow was upright (standing or "
            f"sitting) in most frames, not {POSTURE_WORDS[exercise.posture]}. If someone else "
            f"is in the picture, ask them to step out of view or move the camera so that only "
            f"you are in it; then settle into the start position, stay still for a second and "
            f"begin. Camera: {exercise.camera.instructions}"
        )
        return notes
    if not tracks:
        notes.append(
            f"No rep was counted: I never saw you holding still {POSTURE_WORDS[exercise.posture]}"
            f" in this exercise's start position for a moment, and counting starts only then. "
            f"Settle into the start position, stay still for a second, then begin. "
            f"Camera: {exercise.camera.instructions}"
        )
        return notes
    need = exercise.primary_signal.min_rep_deg
    moved = max(track.history.movement_deg() for track in tracks)
    if moved < 0.5 * need:
        notes.append(
            f"No rep was counted: the working leg barely moved (about {moved:.0f} degrees; a "
            f"rep of this exercise needs {need:.0f}). If you did move, check that the camera "
            f"sees the working leg: {exercise.camera.instructions}"
        )
    elif moved < need:
        notes.append(
            f"No rep was counted: the leg moved about {moved:.0f} degrees, less than the "
            f"{need:.0f} degrees a rep of this exercise needs. Make each rep a little bigger, "
            f"or check the camera placement: {exercise.camera.instructions}"
        )
    else:
        notes.append(
            f"No rep was counted although the leg moved about {moved:.0f} degrees: it never "
            "went out and came back to where it rested within one movement (a rep is away "
            "from rest and back). Start each rep from the same resting position and return "
            "to it; if the recording began mid-movement or in the wrong position, start it "
            "with you still in the start position."
        )
    return notes
